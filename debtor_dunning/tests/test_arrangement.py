from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from ..models import guard
from .common import TUESDAY, DunningCommon

FIRST = TUESDAY + timedelta(days=7)  # 2026-12-01
SECOND = date(2027, 1, 1)
THIRD = date(2027, 2, 1)


@tagged("post_install", "-at_install")
class TestArrangement(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Arrangement = cls.env["debtor.dunning.arrangement"]
        cls.partner_a.email = "customer.a@example.com"

    def _arrangement(self, moves, **values):
        return self.Arrangement.create(
            {
                "partner_id": self.partner_a.id,
                "move_ids": [Command.set(moves.ids)],
                "instalment_count": 3,
                "frequency": "monthly",
                "first_date": FIRST,
                "grace_days": 5,
                "reminder_days": 3,
                **values,
            }
        )

    def _confirmed(self, moves, **values):
        with freeze_time(TUESDAY):
            arrangement = self._arrangement(moves, **values)
            arrangement.action_confirm()
        return arrangement

    def _cron(self, day):
        with freeze_time(day):
            self.Arrangement._cron_check_arrangements()

    def _mails(self, arrangement, words):
        return arrangement.message_ids.filtered(lambda m: words in (m.subject or ""))

    def _lines(self, arrangement):
        arrangement.line_ids.invalidate_recordset()
        return arrangement.line_ids.sorted("number")

    # ------------------------------------------------------------------ schedule
    def test_schedule_to_the_cent_with_the_remainder_on_the_last(self):
        arrangement = self._arrangement(self._invoice(overdue=30))
        arrangement.action_compute_schedule()
        self.assertRecordValues(
            arrangement.line_ids.sorted("number"),
            [
                {"number": 1, "due_date": FIRST, "amount": 333.33},
                {"number": 2, "due_date": SECOND, "amount": 333.33},
                {"number": 3, "due_date": THIRD, "amount": 333.34},
            ],
        )
        self.assertRecordValues(
            arrangement,
            [{"principal_amount": 1000.0, "total_amount": 1000.0, "end_date": THIRD}],
        )

    def test_down_payment_comes_first_and_the_rest_in_instalments(self):
        moves = self._invoice(overdue=30) | self._invoice(overdue=40, amount=500.0)
        arrangement = self._arrangement(
            moves, down_payment_amount=300.0, instalment_count=2, frequency="weekly"
        )
        arrangement.action_compute_schedule()
        self.assertRecordValues(
            arrangement.line_ids.sorted("number"),
            [
                {"number": 0, "due_date": FIRST, "amount": 300.0},
                {"number": 1, "due_date": FIRST + timedelta(days=7), "amount": 600.0},
                {"number": 2, "due_date": FIRST + timedelta(days=14), "amount": 600.0},
            ],
        )

    def test_costs_and_interest_only_when_asked(self):
        move = self._invoice(overdue=30)
        # An issued notice as history: written as the issuing code writes it.
        guard.own(self.env["debtor.dunning.notice"]).create(
            {
                "company_id": self.company.id,
                "partner_id": self.partner_a.id,
                "policy_id": self.policy.id,
                "level_id": self.levels[2].id,
                "date": TUESDAY,
                "state": "issued",
                "cost_amount": 150.0,
                "interest_amount": 12.34,
            }
        )
        arrangement = self._arrangement(move)
        arrangement.action_compute_schedule()
        self.assertEqual(arrangement.total_amount, 1000.0)
        arrangement.charges_included = True
        arrangement.action_compute_schedule()
        self.assertRecordValues(
            arrangement,
            [
                {
                    "principal_amount": 1000.0,
                    "cost_amount": 150.0,
                    "interest_amount": 12.34,
                    "total_amount": 1162.34,
                }
            ],
        )
        self.assertEqual(sum(arrangement.line_ids.mapped("amount")), 1162.34)

    def test_bad_terms_are_refused_clearly(self):
        move = self._invoice(overdue=30)
        arrangement = self._arrangement(move, down_payment_amount=1000.0)
        with self.assertRaisesRegex(UserError, "must be less than the debt"):
            arrangement.action_compute_schedule()
        arrangement.write({"down_payment_amount": 0.0, "instalment_count": 200000})
        with self.assertRaisesRegex(UserError, "No schedule can be made"):
            arrangement.action_compute_schedule()
        self.assertEqual(arrangement.instalment_count, 200000, "the input is kept")

    def test_invoices_must_be_free(self):
        disputed = self._invoice(overdue=30)
        self.env["debtor.dunning.dispute"].create(
            {"move_id": disputed.id, "reason": "price"}
        )
        with self.assertRaisesRegex(UserError, "disputed"):
            self._arrangement(disputed).action_confirm()
        move = self._invoice(overdue=30)
        self._confirmed(move)
        with self.assertRaisesRegex(UserError, "in payment arrangement"):
            self._arrangement(move).action_confirm()

    def test_arrangement_from_the_invoice_takes_the_overdue_invoices(self):
        move = self._invoice(overdue=30)
        other = self._invoice(overdue=10)
        disputed = self._invoice(overdue=10)
        self.env["debtor.dunning.dispute"].create(
            {"move_id": disputed.id, "reason": "price"}
        )
        self._invoice(overdue=-10)  # not due yet
        action = move.action_dunning_arrangement()
        arrangement = self.Arrangement.with_context(**action["context"]).create(
            {"first_date": FIRST}
        )
        self.assertEqual(arrangement.partner_id, self.partner_a)
        self.assertEqual(arrangement.move_ids, move | other)

    # ------------------------------------------------------------------ confirming
    def test_confirmation_holds_plans_and_confirms_in_writing(self):
        moves = self._invoice(overdue=30) | self._invoice(overdue=40)
        free = self._invoice(overdue=30)
        arrangement = self._confirmed(moves)
        self.assertRecordValues(
            arrangement,
            [
                {
                    "state": "running",
                    "confirmed_date": TUESDAY,
                    "acknowledged_date": TUESDAY,
                }
            ],
        )
        self.assertRecordValues(
            moves,
            [
                {
                    "dunning_arrangement_id": arrangement.id,
                    "dunning_acknowledged_date": TUESDAY,
                    "dunning_state": "arrangement",
                }
            ]
            * 2,
        )
        self.assertEqual(
            sorted(arrangement.activity_ids.mapped("date_deadline")),
            [FIRST, SECOND, THIRD],
        )
        self.assertEqual(arrangement.line_ids.activity_id, arrangement.activity_ids)
        confirmation = self._mails(arrangement, "payment arrangement")
        self.assertEqual(len(confirmation), 1)
        self.assertIn(self.partner_a, confirmation.partner_ids)
        self.assertTrue(confirmation.attachment_ids, "the letter is attached")
        run = self._run()
        for move in moves:
            self.assertEqual(self._hold_reasons(run, move), {"arrangement"})
        self.assertEqual(self._notice_of(run).line_ids.move_id, free)

    def test_confirmation_letter_renders(self):
        arrangement = self._confirmed(self._invoice(overdue=30))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "debtor_dunning.report_debtor_dunning_arrangement", arrangement.ids
            )[0]
            .decode()
        )
        self.assertIn(arrangement.name, html)
        self.assertIn("acknowledge", html)
        self.assertRegex(html, r"333[.,]34", "the last instalment takes the rest")

    # ------------------------------------------------------------------ payments
    def test_payment_on_time_keeps_it_running(self):
        move = self._invoice(overdue=30)
        arrangement = self._confirmed(move)
        self._pay(move, 333.33, FIRST)
        self._cron(FIRST + timedelta(days=10))
        self.assertEqual(arrangement.state, "running")
        self.assertEqual(
            self._lines(arrangement).mapped("state"), ["paid", "open", "open"]
        )
        self.assertFalse(self._lines(arrangement)[0].activity_id, "its to-do is done")
        self.assertEqual(len(arrangement.activity_ids), 2)

    def test_early_payment_covers_the_next_instalments(self):
        move = self._invoice(overdue=30)
        arrangement = self._confirmed(move)
        self._pay(move, 700.0, TUESDAY + timedelta(days=1))
        lines = self._lines(arrangement)
        self.assertEqual(lines.mapped("paid_amount"), [333.33, 333.33, 33.34])
        self.assertEqual(arrangement.next_line_id, lines[2])
        self._cron(SECOND + timedelta(days=10))
        self.assertEqual(arrangement.state, "running")

    def test_late_payment_within_grace_days(self):
        move = self._invoice(overdue=30)
        arrangement = self._confirmed(move)
        self._cron(FIRST + timedelta(days=1))
        self.assertEqual(arrangement.state, "late")
        self._pay(move, 333.33, FIRST + timedelta(days=3))
        self._cron(FIRST + timedelta(days=4))
        self.assertEqual(arrangement.state, "running")

    def test_partial_payment_breaks_it_after_the_grace_days(self):
        move = self._invoice(overdue=30)
        arrangement = self._confirmed(move)
        self._pay(move, 200.0, FIRST)
        self.assertEqual(self._lines(arrangement)[0].state, "partial")
        self._cron(FIRST + timedelta(days=5))
        self.assertEqual(arrangement.state, "late", "still within the grace days")
        self._cron(FIRST + timedelta(days=6))
        self.assertRecordValues(
            arrangement, [{"state": "broken", "broken_date": FIRST + timedelta(days=6)}]
        )
        self.assertFalse(move.dunning_arrangement_id, "the hold is released")
        self.assertFalse(arrangement.activity_ids)
        self.assertEqual(len(self._mails(arrangement, "ended")), 1)
        run = self._run(as_of=FIRST + timedelta(days=6))
        self.assertEqual(self._notice_of(run).line_ids.move_id, move)

    def test_overpayment_completes_it(self):
        move = self._invoice(overdue=30)
        arrangement = self._confirmed(move)
        self._pay(move, 1100.0, TUESDAY + timedelta(days=1))
        self.assertRecordValues(
            arrangement,
            [{"state": "completed", "paid_amount": 1000.0, "remaining_amount": 0.0}],
        )
        self.assertFalse(move.dunning_arrangement_id)
        self.assertEqual(self._lines(arrangement).mapped("state"), ["paid"] * 3)

    def test_payments_go_to_costs_then_interest_then_principal(self):
        move = self._invoice(overdue=30)
        # An issued notice as history: written as the issuing code writes it.
        guard.own(self.env["debtor.dunning.notice"]).create(
            {
                "company_id": self.company.id,
                "partner_id": self.partner_a.id,
                "policy_id": self.policy.id,
                "level_id": self.levels[2].id,
                "date": TUESDAY,
                "state": "issued",
                "cost_amount": 150.0,
                "interest_amount": 10.0,
            }
        )
        arrangement = self._confirmed(move, charges_included=True)
        self._pay(move, 200.0, FIRST)
        self.assertRecordValues(
            arrangement,
            [
                {
                    "paid_amount": 200.0,
                    "paid_cost_amount": 150.0,
                    "paid_interest_amount": 10.0,
                    "paid_principal_amount": 40.0,
                }
            ],
        )
        # The invoice paid in full leaves the charges: not completed yet.
        self._pay(move, 800.0, FIRST + timedelta(days=1))
        self.assertEqual(arrangement.state, "running")
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.partner_a.id,
                "amount": 160.0,
                "date": FIRST + timedelta(days=2),
                "journal_id": self.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        self._cron(FIRST + timedelta(days=3))
        self.assertEqual(arrangement.state, "completed")

    # ------------------------------------------------------------------ cron
    def test_breach_is_detected_by_the_scheduled_action(self):
        move = self._invoice(overdue=30)
        arrangement = self._confirmed(move)
        cron = self.env.ref("debtor_dunning.ir_cron_dunning_check_arrangements")
        # Its server action, as a manual trigger on 18.0 runs it (19.0's runs the job
        # on a cursor of its own, as the job's user).
        with freeze_time(FIRST + timedelta(days=6)):
            cron.ir_actions_server_id.run()
        self.assertEqual(arrangement.state, "broken")
        self.assertEqual(move.dunning_state, "overdue", "dunning resumes")

    def test_the_customer_is_reminded_once_before_each_instalment(self):
        move = self._invoice(overdue=30)
        arrangement = self._confirmed(move)
        self._cron(FIRST - timedelta(days=4))
        self.assertFalse(self._mails(arrangement, "next instalment"))
        self._cron(FIRST - timedelta(days=3))
        self.assertEqual(len(self._mails(arrangement, "next instalment")), 1)
        self.assertEqual(
            self._lines(arrangement)[0].reminded_date, FIRST - timedelta(days=3)
        )
        self._cron(FIRST - timedelta(days=2))
        self._cron(FIRST)
        self.assertEqual(len(self._mails(arrangement, "next instalment")), 1)
        self._pay(move, 333.33, FIRST)
        self._cron(SECOND - timedelta(days=1))
        self.assertEqual(len(self._mails(arrangement, "next instalment")), 2)

    def test_cancel_releases_the_invoices(self):
        move = self._invoice(overdue=30)
        arrangement = self._confirmed(move)
        arrangement.action_cancel()
        self.assertEqual(arrangement.state, "cancel")
        self.assertFalse(move.dunning_arrangement_id)
        self.assertFalse(arrangement.activity_ids)

    def test_refused_proposal_tells_the_customer_why(self):
        move = self._invoice(overdue=30)
        arrangement = self._arrangement(move)
        arrangement.action_compute_schedule()
        action = arrangement.action_refuse()
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create({"reason": "Three months at most."})
        )
        wizard.action_confirm()
        self.assertRecordValues(
            arrangement,
            [{"state": "cancel", "refusal_reason": "Three months at most."}],
        )
        refusal = self._mails(arrangement, "your proposal")
        self.assertEqual(len(refusal), 1)
        self.assertIn("Three months at most.", refusal.body)

    def test_customer_smart_button(self):
        self._confirmed(self._invoice(overdue=30))
        self.assertEqual(self.partner_a.dunning_arrangement_count, 1)
        self.assertEqual(self.partner_a.dunning_arrangement_id.state, "running")
