from datetime import timedelta
from decimal import Decimal

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from ..core import escalation
from ..core.holds import Hold
from .common import TUESDAY, DunningCommon


@tagged("post_install", "-at_install")
class TestEscalation(DunningCommon):
    def test_a_first_notice_is_a_reminder_whatever_the_age(self):
        move = self._invoice(overdue=50)
        run = self._run()
        notice = self._notice_of(run)
        self.assertEqual(notice.level_id, self.levels[0], "never dunned: level 1")
        self.assertIn("never dunned", notice.level_reason)
        self.assertEqual(notice.state, "issued")
        self.assertEqual(move.dunning_level_id, self.levels[0])
        self.assertEqual(move.dunning_last_date, TUESDAY)
        self.assertEqual(move.dunning_state, "in_dunning")
        self.assertEqual(run.state, "done")
        self.assertRecordValues(
            move.dunning_position_ids,
            [
                {
                    "level_id": self.levels[0].id,
                    "last_date": TUESDAY,
                    "term_date": notice.pay_by_date,
                    "notice_id": notice.id,
                }
            ],
        )

    def test_by_age_an_invoice_reaches_its_age_level_in_one_run(self):
        self._climb_by_age()
        move = self._invoice(overdue=50)
        notice = self._notice_of(self._run())
        self.assertEqual(notice.level_id, self.levels[2], "35 <= 50 < 60 days")
        self.assertEqual(move.dunning_level_id, self.levels[2])
        self.assertIn("50 days overdue", notice.level_reason)

    def test_the_path_up_the_ladder_ends_with_a_hand_over_after_the_last_term(self):
        move = self._invoice(overdue=180)
        seen = []
        for days in (0, 15, 30, 45):
            notice = self._notice_of(self._run(TUESDAY + timedelta(days=days)))
            seen.append(notice.level_id)
            # Never before the term the previous notice gave has passed.
            self.assertFalse(
                self._run(notice.pay_by_date).notice_ids, "the term is still running"
            )
        self.assertEqual(seen, list(self.levels))
        self.assertIn("term ended", notice.level_reason)
        self.assertFalse(move.dunning_handed_over_date, "announced, not yet done")
        self.assertEqual(move.dunning_state, "in_dunning")
        final_day = notice.pay_by_date
        self.assertFalse(self.service._hand_over_due(self.company, final_day))
        handed = self.service._hand_over_due(self.company, final_day + timedelta(1))
        self.assertEqual(handed, move)
        self.assertEqual(move.dunning_handed_over_date, final_day + timedelta(1))
        self.assertEqual(move.dunning_state, "handed_over")
        self.assertFalse(self._run(final_day + timedelta(days=30)).notice_ids)

    def test_a_paid_or_disputed_debt_is_not_handed_over(self):
        paid = self._invoice(overdue=180)
        disputed = self._invoice(overdue=180, partner=self.partner_b)
        for days in (0, 15, 30, 45):
            self._run(TUESDAY + timedelta(days=days))
        self._pay(paid, paid.amount_total, TUESDAY + timedelta(days=50))
        disputed.dunning_disputed = True
        day = TUESDAY + timedelta(days=70)
        self.assertFalse(self.service._hand_over_due(self.company, day))

    def test_nothing_before_the_first_level(self):
        move = self._invoice(overdue=6)
        run = self._run()
        self.assertFalse(run.notice_ids)
        self.assertFalse(move.dunning_level_id)
        self.assertEqual(move.dunning_state, "overdue")
        not_due = self._invoice(overdue=-3, partner=self.partner_b)
        self.assertEqual(not_due.dunning_state, "not_due")

    def test_polite_reminder_before_the_due_date(self):
        self.levels[0].wait_days = -3
        move = self._invoice(overdue=-2)
        later = self._invoice(overdue=-5, partner=self.partner_b)
        run = self._run()
        self.assertEqual(self._notice_of(run).line_ids.move_id, move)
        self.assertNotIn(later, run.notice_ids.line_ids.move_id, "not yet: 5 days")

    def test_no_reminder_long_before_the_due_date_nor_one_that_claims(self):
        # A typo of -30 would dun invoices a month before they are due (issue 13).
        with self.assertRaises(ValidationError) as refusal:
            self.levels[0].wait_days = -30
        self.assertIn("Payment reminder: the days after", str(refusal.exception))
        self.levels.invalidate_recordset()
        self.levels[0].claims_interest = True
        with self.assertRaisesRegex(ValidationError, "polite reminder cannot claim"):
            self.levels[0].wait_days = -3

    def test_grace_days_hold_back_and_say_so(self):
        self.policy.grace_days = 10
        move = self._invoice(overdue=10)
        run = self._run()
        self.assertFalse(run.notice_ids)
        self.assertEqual(self._hold_reasons(run, move), {"grace"})

    def test_minimum_amount_in_company_currency(self):
        self.policy.min_amount = 5000
        move = self._invoice(overdue=10, amount=1000)
        run = self._run()
        self.assertFalse(run.notice_ids)
        self.assertEqual(self._hold_reasons(run, move), {"below_min_amount"})

    def test_minimum_interval_between_notices(self):
        self.policy.min_interval_days = 14
        old = self._invoice(overdue=22)
        self._run(TUESDAY - timedelta(days=7))  # a reminder a week ago
        self.assertEqual(old.dunning_level_id, self.levels[0])
        new = self._invoice(overdue=10)
        run = self._run()
        self.assertEqual(self._hold_reasons(run, new), {"min_interval"})
        later = self._run(TUESDAY + timedelta(days=8))  # the old one's term passed
        notice = self._notice_of(later)
        self.assertEqual(notice.level_id, self.levels[1])
        self.assertEqual(notice.line_ids.move_id, old | new)
        self.assertEqual(new.dunning_level_id, self.levels[0])

    def test_no_notice_on_monday_by_default(self):
        self.policy.send_monday = False
        move = self._invoice(overdue=20)
        run = self._run(TUESDAY - timedelta(days=1))
        self.assertFalse(run.notice_ids)
        self.assertEqual(self._hold_reasons(run, move), {"not_a_send_day"})

    def test_pause_period_issues_nothing(self):
        self.policy.pause_ids = [
            Command.create(
                {
                    "name": "Christmas",
                    "start_date": TUESDAY - timedelta(days=1),
                    "end_date": TUESDAY + timedelta(days=1),
                }
            )
        ]
        move = self._invoice(overdue=20)
        run = self._run()
        self.assertEqual(self._hold_reasons(run, move), {"pause_period"})

    def test_public_holiday_issues_nothing(self):
        self.policy.holiday_country = "nl"
        self._invoice(overdue=20)
        christmas = fields.Date.to_date("2026-12-25")
        run = self._run(christmas)
        self.assertFalse(run.notice_ids)

    def test_exclusion_holds_until_its_end_date(self):
        move = self._invoice(overdue=20)
        self.env["debtor.dunning.exclude"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create(
            {"reason": "Credit insurer handles it", "until_date": TUESDAY}
        ).action_confirm()
        run = self._run()
        self.assertEqual(self._hold_reasons(run, move), {"excluded"})
        later = self._run(TUESDAY + timedelta(days=1))
        self.assertEqual(self._notice_of(later).line_ids.move_id, move)

    def test_disputed_invoice_pauses_alone(self):
        disputed = self._invoice(overdue=20)
        other = self._invoice(overdue=20)
        disputed.dunning_disputed = True
        run = self._run()
        self.assertEqual(self._notice_of(run).line_ids.move_id, other)
        self.assertEqual(self._hold_reasons(run, disputed), {"disputed"})
        self.assertEqual(disputed.dunning_state, "disputed")

    def test_broken_promise_resumes_dunning(self):
        move = self._invoice(overdue=20)
        move.dunning_promise_date = TUESDAY + timedelta(days=3)
        run = self._run()
        self.assertEqual(self._hold_reasons(run, move), {"promise"})
        later = self._run(TUESDAY + timedelta(days=4))
        notice = self._notice_of(later)
        self.assertEqual(notice.level_id, self.levels[0], "a first reminder, at last")

    def test_every_reader_sees_the_same_hold(self):
        """An expired promise beside a running exclusion: held as excluded by the
        run, the invoice's state and its search alike (core/holds.py)."""
        move = self._invoice(overdue=20)
        move.write(
            {
                "dunning_promise_date": TUESDAY - timedelta(days=2),
                "dunning_excluded": True,
                "dunning_exclusion_reason": "Insurer",
                "dunning_excluded_until": TUESDAY + timedelta(days=5),
            }
        )
        self.assertRecordValues(
            move,
            [
                {
                    "dunning_hold": "excluded",
                    "dunning_hold_until": TUESDAY + timedelta(days=5),
                    "dunning_state": "excluded",
                }
            ],
        )
        Move = self.env["account.move"]
        self.assertIn(move, Move.search([("dunning_state", "=", "excluded")]))
        self.assertNotIn(move, Move.search([("dunning_state", "=", "promise")]))
        run = self._run()
        self.assertEqual(self._hold_reasons(run, move), {"excluded"})
        # The day after the exclusion ends, every reader lets it go.
        with freeze_time(TUESDAY + timedelta(days=6)):
            move.invalidate_recordset(["dunning_state"])
            self.assertEqual(move.dunning_state, "overdue")
            later = self._run(TUESDAY + timedelta(days=6))
        self.assertEqual(self._notice_of(later).line_ids.move_id, move)

    def test_a_hold_met_at_issue_cancels_the_notice_and_says_why(self):
        move = self._invoice(overdue=20)
        run = self._run(validate=False)
        move.dunning_promise_date = TUESDAY + timedelta(days=3)
        run.action_validate()
        notice = self._notice_of(run)
        self.assertEqual(notice.state, "cancel")
        self.assertIn(
            "disputed, arranged, promised or excluded", notice.message_ids[0].body
        )

    def test_do_not_dun_customer(self):
        self.partner_a.dunning_blocked = True
        move = self._invoice(overdue=20)
        run = self._run()
        self.assertEqual(self._hold_reasons(run, move), {"do_not_dun"})

    def test_tolerance_days_set_by_hand(self):
        self.partner_a.dunning_tolerance_days = 5
        move = self._invoice(overdue=10)
        run = self._run()
        self.assertEqual(self._hold_reasons(run, move), {"grace"})
        self._invoice(overdue=12, partner=self.partner_a)
        run = self._run()
        self.assertEqual(self._notice_of(run).level_id, self.levels[0])

    def test_payment_habit_shifts_a_late_payer(self):
        old = self._invoice(overdue=100)
        self._pay(old, old.amount_total, TUESDAY - timedelta(days=80))  # 20 days late
        self.assertAlmostEqual(self.partner_a.dunning_avg_days_late, 20.0)
        move = self._invoice(overdue=10)
        run = self._run(validate=False)
        self.assertTrue(self._notice_of(run), "without habit shift: first reminder")
        run.action_cancel()
        self.policy.habit_shift = True
        run = self._run()
        self.assertEqual(self._hold_reasons(run, move), {"grace"})

    def test_open_credit_note_covering_the_debt_stops_the_notice(self):
        move = self._invoice(overdue=20, amount=1000)
        credit = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.partner_a.id,
                "invoice_date": TUESDAY - timedelta(days=5),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "credit", "price_unit": 1200, "tax_ids": []}
                    )
                ],
            }
        )
        credit.action_post()
        run = self._run()
        self.assertEqual(self._hold_reasons(run, move), {"covered_by_credit"})

    def test_partly_paid_invoice_is_dunned_for_its_residual(self):
        move = self._invoice(overdue=20, amount=1000)
        self._pay(move, 400, TUESDAY - timedelta(days=10))
        run = self._run()
        notice = self._notice_of(run)
        self.assertEqual(notice.amount_total, 600)
        self.assertEqual(notice.line_ids.amount_residual, 600)

    def test_paid_invoice_leaves_dunning(self):
        move = self._invoice(overdue=20, amount=1000)
        self._run()
        self._pay(move, 1000, TUESDAY)
        self.assertEqual(move.dunning_state, "paid")
        run = self._run(TUESDAY + timedelta(days=30))
        self.assertFalse(run.notice_ids)

    def test_instalments_are_dunned_per_due_date(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "half now, half in 60 days",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 50, "nb_days": 0}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 50, "nb_days": 60}
                    ),
                ],
            }
        )
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.partner_a.id,
                "invoice_date": TUESDAY - timedelta(days=25),
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [
                    Command.create({"name": "test", "price_unit": 1000, "tax_ids": []})
                ],
            }
        )
        move.action_post()
        run = self._run()
        lines = self._notice_of(run).line_ids
        self.assertEqual(len(lines), 1, "only the overdue instalment")
        self.assertEqual(lines.amount_residual, 500)
        self.assertEqual(lines.level_id, self.levels[0])

    def test_foreign_currency_invoice_uses_company_currency_for_the_minimum(self):
        currency = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        self.policy.min_amount = 600  # 1000 EUR = 500 in company currency
        move = self._invoice(overdue=20, amount=1000, currency_id=currency.id)
        run = self._run()
        self.assertEqual(self._hold_reasons(run, move), {"below_min_amount"})
        self.policy.min_amount = 400
        run = self._run()
        line = self._notice_of(run).line_ids
        self.assertEqual(line.currency_id, currency)
        self.assertEqual(line.amount_residual_currency, 1000)
        self.assertEqual(line.amount_residual, 500)

    def test_the_book_reads_each_item_as_the_journal_item_has_it(self):
        """The run's one read of the book (debtor.dunning.book._items): amounts that
        no float holds exactly, a foreign currency, a hold on the invoice."""
        currency = self.setup_other_currency("EUR", rates=[("2000-01-01", 3.0)])
        odd = self._invoice(overdue=20, amount=1234567.89)
        self._pay(odd, 0.1, TUESDAY - timedelta(days=3))
        foreign = self._invoice(overdue=15, amount=1000.01, currency_id=currency.id)
        held = self._invoice(overdue=10, amount=0.3)
        held.write(
            {
                "dunning_excluded": True,
                "dunning_exclusion_reason": "Insurer",
                "dunning_excluded_until": TUESDAY + timedelta(days=5),
            }
        )
        moves = odd + foreign + held
        rows = {
            row["move_id"]: row
            for row in self.env["debtor.dunning.book"]._items(self.company, TUESDAY)
            if row["move_id"] in moves.ids
        }
        self.assertEqual(set(rows), set(moves.ids))
        for move in moves:
            line = move.line_ids.filtered(
                lambda aml: aml.account_id.account_type == "asset_receivable"
            )
            row = rows[move.id]
            self.assertEqual(
                (row["line_id"], row["residual"], row["residual_currency"]),
                (line.id, line.amount_residual, line.amount_residual_currency),
            )
            self.assertIs(type(row["residual"]), float)
            self.assertEqual(
                (row["hold"], row["hold_until"]),
                (move.dunning_hold or None, move.dunning_hold_until or None),
            )
        self.assertEqual(rows[odd.id]["residual"], 1234567.79)
        self.assertEqual(rows[foreign.id]["residual"], 333.34)
        self.assertEqual(rows[foreign.id]["residual_currency"], 1000.01)
        self.assertEqual(
            (rows[held.id]["hold"], rows[held.id]["hold_until"]),
            ("excluded", TUESDAY + timedelta(days=5)),
        )
        # What the run decides on: the same rows, and the core's items made of them.
        book, _orphans = self.env["debtor.dunning.book"]._read(self.company, TUESDAY)
        read, items = {}, {}
        for _policy, _core, book_rows, core_items, _customers in book:
            read.update((key, book_rows[key]) for key in book_rows)
            items.update((item.key, item) for item in core_items)
        for move in moves:
            row = rows[move.id]
            self.assertEqual(read[row["line_id"]], row)
            self.assertEqual(
                items[row["line_id"]],
                escalation.Item(
                    key=row["line_id"],
                    customer=self.partner_a.id,
                    due_date=move.invoice_date_due,
                    residual=Decimal(str(row["residual"])),
                    hold=Hold.EXCLUDED if move == held else None,
                    hold_until=move.dunning_hold_until or None,
                ),
            )

    def test_other_company_is_not_in_the_run(self):
        other = self.setup_other_company(name="Other dunning company")["company"]
        self._invoice(overdue=20)
        foreign = (
            self.env["account.move"]
            .with_company(other)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_a.id,
                    "invoice_date": TUESDAY - timedelta(days=20),
                    "invoice_line_ids": [
                        Command.create({"name": "x", "price_unit": 100, "tax_ids": []})
                    ],
                }
            )
        )
        foreign.action_post()
        run = self._run()
        self.assertEqual(run.notice_ids.company_id, self.company)
        self.assertNotIn(foreign, run.notice_ids.line_ids.move_id)
        self.assertFalse(foreign.dunning_level_id)

    def test_lines_and_positions_show_in_their_company_only(self):
        # A notice line finds its company through its notice, a position through its
        # journal item: no column of their own, the record rules still hold.
        move = self._invoice(overdue=20)
        notice = self._notice_of(self._run())
        other = self.setup_other_company(name="Other dunning company")["company"]
        elsewhere = new_test_user(
            self.env,
            login="dunning_user_elsewhere",
            groups="base.group_user,debtor_dunning.debtor_dunning_group_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        for user, company, seen in (
            (self.dunning_user, self.company, True),
            (elsewhere, other, False),
        ):
            env = self.env(user=user, context={"allowed_company_ids": company.ids})
            lines = env["debtor.dunning.notice.line"].search(
                [("move_id", "=", move.id)]
            )
            positions = env["debtor.dunning.position"].search(
                [("move_id", "=", move.id)]
            )
            self.assertEqual(bool(lines), seen, user.login)
            self.assertEqual(bool(positions), seen, user.login)
            if seen:
                self.assertEqual(lines.notice_id, notice)
                self.assertEqual(lines.company_id, self.company)
                self.assertEqual(positions.move_id, move)
                self.assertEqual(positions.company_id, self.company)
                self.assertEqual(
                    env["debtor.dunning.notice.line"].search_count(
                        [("company_id", "=", other.id)]
                    ),
                    0,
                )

    def test_lower_levels_ride_along_with_the_highest(self):
        old = self._invoice(overdue=40)
        self._run(TUESDAY - timedelta(days=20))  # its reminder, 20 days overdue then
        new = self._invoice(overdue=8)
        run = self._run()
        notice = self._notice_of(run)
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.level_id, self.levels[1])
        self.assertEqual(notice.line_ids.move_id, old | new)
        self.assertEqual(new.dunning_level_id, self.levels[0])
        self.assertEqual(old.dunning_level_id, self.levels[1])

    def test_invoices_are_searched_grouped_and_sorted_by_their_level(self):
        old = self._invoice(overdue=40)
        self._run(TUESDAY - timedelta(days=20))
        new = self._invoice(overdue=8)
        self._run()  # old: second reminder, new: reminder
        never = self._invoice(overdue=3, partner=self.partner_b)
        moves = old | new | never
        Move = self.env["account.move"]

        def found(*domain):
            return Move.search([("id", "in", moves.ids), *domain])

        first, second = self.levels[0], self.levels[1]
        self.assertEqual(found(("dunning_level_id", "=", second.id)), old)
        self.assertEqual(found(("dunning_level_id", "in", first.ids)), new)
        self.assertEqual(found(("dunning_level_id", "=", False)), never)
        self.assertEqual(found(("dunning_level_id", "!=", False)), old | new)
        self.assertEqual(found(("dunning_level_id", "!=", second.id)), new | never)
        self.assertEqual(
            found(("dunning_level_id", "in", [False, second.id])), old | never
        )
        self.assertEqual(found(("dunning_level_id", "not in", [False, second.id])), new)
        self.assertEqual(found(("dunning_level_id", "ilike", second.name)), old)
        self.assertEqual(found(("dunning_level_id", "=", second.name)), old)
        self.assertEqual(found(("dunning_level_id", "in", first | second)), old | new)
        self.assertEqual(found(("dunning_level_id.rank", ">", 1)), old)
        self.assertEqual(found(("dunning_level_id.rank", "=", 1)), new)
        self.assertEqual(found(("dunning_state", "=", "in_dunning")), old | new)
        self.assertEqual(found(("dunning_last_date", "=", TUESDAY)), old | new)
        self.assertEqual(found(("dunning_last_date", "<", TUESDAY)), Move)
        self.assertEqual(found(("dunning_last_date", "=", False)), never)
        groups = dict(
            Move._read_group(
                [("id", "in", moves.ids)], ["dunning_level_id"], ["__count"]
            )
        )
        self.assertEqual(groups, {first: 1, second: 1, self.levels.browse(): 1})
        ordered = Move.search([("id", "in", moves.ids)], order="dunning_level_id, id")
        self.assertEqual(ordered.ids, [new.id, old.id, never.id], "the ladder's order")
        by_date = Move.search([("id", "in", moves.ids)], order="dunning_last_date, id")
        self.assertEqual(by_date.ids, [old.id, new.id, never.id], "never dunned: last")

    def test_second_run_the_same_day_issues_nothing(self):
        self._invoice(overdue=40)
        self._invoice(overdue=8, partner=self.partner_b)
        first = self._run()
        self.assertEqual(len(first.notice_ids), 2)
        second = self._run()
        self.assertFalse(second.notice_ids)
        self.assertEqual(second.state, "done")

    def test_two_proposals_of_one_day_never_issue_twice(self):
        self._invoice(overdue=40)
        first = self._run(validate=False)
        second = self._run(validate=False)
        self.assertTrue(first.notice_ids and second.notice_ids)
        first.action_validate()
        second.action_validate()
        self.assertEqual(first.notice_ids.state, "issued")
        self.assertEqual(second.notice_ids.state, "cancel")

    def test_reviewer_changes_a_level_and_drops_a_customer(self):
        move_a = self._invoice(overdue=40)
        self._run(TUESDAY - timedelta(days=20))  # a reminder, 20 days overdue then
        move_b = self._invoice(overdue=40, partner=self.partner_b)
        run = self._run(validate=False)
        notice_a, notice_b = self._notice_of(run), self._notice_of(run, self.partner_b)
        self.assertEqual(notice_a.level_id, self.levels[1])
        with self.assertRaisesRegex(UserError, "Payment reminder at most"):
            notice_b.level_id = self.levels[1]  # never dunned: no second reminder
        notice_a.level_id = self.levels[0]  # lowering is always allowed
        notice_b.unlink()
        run.action_validate()
        self.assertEqual(move_a.dunning_level_id, self.levels[0])
        self.assertFalse(move_b.dunning_level_id)

    def test_payments_after_the_proposal_change_what_the_notice_claims(self):
        part_paid = self._invoice(overdue=40, amount=1000)
        paid = self._invoice(overdue=40, amount=500)
        run = self._run(validate=False)
        self.assertEqual(self._notice_of(run).amount_total, 1500)
        self._pay(part_paid, 400, TUESDAY - timedelta(days=1))
        self._pay(paid, 500, TUESDAY - timedelta(days=1))
        run.action_validate()
        notice = self._notice_of(run)
        self.assertEqual(notice.state, "issued")
        self.assertEqual(notice.line_ids.move_id, part_paid)
        self.assertEqual(notice.line_ids.amount_residual, 600)
        self.assertEqual(notice.amount_total, 600)
        self.assertEqual(
            notice.amount_due,
            notice.amount_total + notice.cost_amount + notice.interest_amount,
        )

    def test_notice_message_is_logged_once_per_notice(self):
        self._invoice(overdue=40)
        self._invoice(overdue=30)
        run = self._run()
        notice = self._notice_of(run)
        messages = run.notice_ids.message_ids.filtered(
            lambda m: "Issued" in (m.body or "")
        )
        self.assertEqual(len(messages), 1)
        # Written in one statement for all notices: still an internal note by the
        # user who issued, on this notice, as the chatter shows it.
        self.assertEqual(messages.res_id, notice.id)
        self.assertEqual(messages.model, "debtor.dunning.notice")
        self.assertEqual(messages.author_id, self.env.user.partner_id)
        self.assertEqual(messages.subtype_id, self.env.ref("mail.mt_note"))
        self.assertTrue(messages.is_internal)
        self.assertEqual(
            str(messages.body),
            f"<p>Issued at level {notice.level_id.name} for 2 invoice(s).</p>",
        )

    def test_a_part_payment_after_the_proposal_lowers_the_notice(self):
        part_paid = self._invoice(overdue=40, amount=1000)
        other = self._invoice(overdue=40, amount=300)
        run = self._run(validate=False)
        self._pay(part_paid, 250, TUESDAY - timedelta(days=1))
        run.action_validate()
        notice = self._notice_of(run)
        self.assertEqual(notice.line_ids.move_id, part_paid | other)
        self.assertEqual(sorted(notice.line_ids.mapped("amount_residual")), [300, 750])
        self.assertEqual(notice.amount_total, 1050)

    def test_level_actions_channels_calls_and_credit_hold(self):
        self._climb_by_age()
        self.partner_a.email = False
        self._invoice(overdue=40)
        run = self._run()
        notice = self._notice_of(run)
        self.assertEqual(notice.email_state, "none", "no e-mail address")
        self.assertEqual(notice.letter_state, "to_print", "falls back to a letter")
        self.assertEqual(notice.call_state, "to_do")
        self.assertTrue(notice.activity_ids, "a dunning call to-do")
        self._invoice(overdue=70, partner=self.partner_b)
        self._run()
        self.assertTrue(self.partner_b.dunning_credit_hold)

    def test_next_dunning_date_on_the_invoice(self):
        move = self._invoice(overdue=-10)
        self.assertTrue(move.dunning_next_date)
        self.assertGreaterEqual(move.dunning_next_date, move.invoice_date_due)
