from datetime import date, timedelta
from decimal import Decimal

from odoo import Command, fields
from odoo.tests import tagged

from ..core import interest, limitation
from .common import TUESDAY, DunningCommon

DAY = timedelta(days=1)
SATURDAY_19_DEC = date(2026, 12, 19)  # 25 days after TUESDAY


@tagged("post_install", "-at_install")
class TestCharges(DunningCommon):
    """Costs and interest by each customer's law; the company is under Dutch law."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.dunning_law_country = "nl"
        every_day = {
            f"send_{day}": True
            for day in (
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
            )
        }
        Level = cls.env["debtor.dunning.level"]
        cls.consumer_policy = cls.env["debtor.dunning.policy"].create(
            {
                "name": "Consumers",
                "company_id": cls.company.id,
                "default_for": "consumer",
                "mode": "auto",
                "min_interval_days": 0,
                **every_day,
                "level_ids": [
                    Command.create(vals)
                    for vals in Level._default_consumer_ladder_vals()
                ],
            }
        )
        cls.consumer_levels = cls.consumer_policy.level_ids.sorted("sequence")
        cls.consumer_levels.write(
            {
                "needs_review": False,
                "requires_approval": False,
                "registered_mail": False,
            }
        )
        # These tests are about what each level claims by law, not about the path up
        # the ladder (test_escalation): a run goes to the level an invoice's age
        # reaches; what was sent before is the history these tests build.
        cls._climb_by_age(cls.policy | cls.consumer_policy)
        Partner = cls.env["res.partner"]
        cls.nl_consumer = Partner.create({"name": "Jan de Vries"})
        cls.be_consumer = Partner.create(
            {"name": "Marie Lambert", "dunning_law_country": "be"}
        )
        cls.nl_business = Partner.create({"name": "Bakkerij B.V.", "is_company": True})
        # The company's own rates: the tests do not hang on the shipped table. Each
        # rate has a row for every period it is published for, to the clock's day.
        half_years = [date(y, m, 1) for y in range(2020, 2027) for m in (1, 7)]
        rates = [
            ("nl_commercial", date(2024, 1, 1), 12.5),
            ("nl_commercial", date(2024, 7, 1), 12.25),
            ("nl_commercial", date(2025, 1, 1), 11.15),
            *(("nl_commercial", day, 10.15) for day in half_years[11:]),
            *(("nl_statutory", day, 4.0) for day in half_years),
            *(("be_legal", date(year, 1, 1), 4.5) for year in range(2020, 2027)),
        ]
        cls.env["debtor.dunning.rate"].create(
            [
                {
                    "kind": kind,
                    "effective_date": day,
                    "percent": percent,
                    "company_id": cls.company.id,
                }
                for kind, day, percent in rates
            ]
        )

    def _notice(self, partner, as_of):
        """The notice an issued run of `as_of` sent to `partner`."""
        return self._notice_of(self._run(as_of), partner)

    def _charges(self, notice, kind):
        return notice.charge_ids.filtered(lambda c: c.kind == kind and not c.waived)

    def _waive(self, notice, reason, costs=True, interest_=True, user=None):
        Waive = self.env["debtor.dunning.charge.waive"].with_user(user or self.env.user)
        wizard = Waive.with_context(
            active_model="debtor.dunning.notice", active_ids=notice.ids
        ).create({"waive_costs": costs, "waive_interest": interest_, "reason": reason})
        return wizard.action_waive()

    # ------------------------------------------------------------------ gates
    def test_nl_consumer_pays_costs_only_after_the_14_day_letters_term(self):
        move = self._invoice(overdue=35, partner=self.nl_consumer)
        # Thursday 19 November, 30 days late: the 14-day letter, by post (no e-mail).
        letter = self._notice(self.nl_consumer, TUESDAY - 5 * DAY)
        self.assertEqual(letter.level_id, self.consumer_levels[1])
        self.assertEqual(letter.letter_state, "to_print")
        self.assertEqual(letter.announced_cost_amount, 150.0, "the scale on 1,000")
        self.assertIn("14-day letter", letter.charge_note)
        self.assertFalse(letter.charge_ids)
        # Presumed received Monday 23rd (posted Thursday), the statutory term runs to
        # 7 December: the letter asks for payment by then, never earlier, and no
        # notice of default goes out before that term has passed.
        self.assertEqual(letter.pay_by_date, date(2026, 12, 7))
        self.assertFalse(self._run(date(2026, 12, 7)).notice_ids)
        # The day after, the notice of default claims the costs the letter announced.
        default = self._notice(self.nl_consumer, date(2026, 12, 8))
        self.assertEqual(default.level_id, self.consumer_levels[2])
        self.assertEqual(default.state, "issued")
        self.assertTrue(self._charges(default, "interest"))
        self.assertEqual(self._charges(default, "cost").mapped("amount"), [150.0])
        self.assertFalse(default.charge_note)
        # A later letter repeats them as claimed before, never adds.
        later = self._notice(self.nl_consumer, default.pay_by_date + DAY)
        costs = self._charges(later, "cost")
        self.assertEqual(costs.mapped("amount"), [150.0])
        self.assertEqual(costs.move_id, move)
        self.assertFalse(later.charge_note)

    def test_the_letters_state_the_announced_costs_and_the_calculation(self):
        self._invoice(overdue=30, partner=self.nl_consumer)
        letter = self._notice(self.nl_consumer, TUESDAY)
        default = self._notice(self.nl_consumer, TUESDAY + 25 * DAY)
        Report = self.env["ir.actions.report"]
        html = Report._render_qweb_html(
            "debtor_dunning.debtor_dunning_notice_action_report", letter.ids
        )[0].decode()
        self.assertIn("fourteen days", html, "the wording of art. 6:96 lid 6 BW")
        self.assertIn('name="announced_costs"', html)
        self.assertRegex(html, r"150[.,]00")
        html = Report._render_qweb_html(
            "debtor_dunning.debtor_dunning_notice_action_report", default.ids
        )[0].decode()
        self.assertIn('name="charges"', html)
        self.assertNotIn('name="announced_costs"', html)

    def test_no_costs_for_a_nl_consumer_who_never_got_a_14_day_letter(self):
        self._invoice(overdue=40, partner=self.nl_consumer)
        notice = self._notice(self.nl_consumer, TUESDAY)
        self.assertTrue(notice.level_id.claims_costs)
        self.assertFalse(self._charges(notice, "cost"))
        self.assertIn("no 14-day letter", notice.charge_note)

    def test_be_consumer_first_reminder_is_free_then_damages_after_14_days(self):
        self._invoice(overdue=35, partner=self.be_consumer)
        first = self._notice(self.be_consumer, TUESDAY)
        self.assertTrue(first.level_id.claims_costs and first.level_id.claims_interest)
        self.assertFalse(first.charge_ids, "the first reminder is free")
        self.assertEqual(first.amount_due, first.amount_total)
        self.assertIn("free", first.charge_note)
        # Posted Tuesday 24th: the 14 days run from Friday 27th to 10 December.
        second = self._notice(self.be_consumer, SATURDAY_19_DEC)
        # Book XIX: EUR 65 + 5 % of the balance above EUR 500.
        self.assertEqual(self._charges(second, "cost").mapped("amount"), [90.0])
        interest_ = self._charges(second, "interest")
        self.assertEqual(interest_.mapped("start_date"), [date(2026, 12, 11)])
        self.assertEqual(interest_.mapped("percent"), [4.5], "Belgian legal interest")

    # ------------------------------------------------------------------ interest
    def test_nl_business_interest_compounds_yearly_across_rate_changes(self):
        due = date(2024, 5, 1)
        self._invoice(overdue=(TUESDAY - due).days, partner=self.nl_business)
        notice = self._notice(self.nl_business, TUESDAY)
        lines = self._charges(notice, "interest").sorted("start_date")
        self.assertEqual(
            lines.mapped("start_date"),
            [
                date(2024, 5, 2),  # the day after the due date
                date(2024, 7, 1),  # new rate
                date(2025, 1, 1),  # new rate
                date(2025, 5, 2),  # a year: the interest joins the principal
                date(2025, 7, 1),  # new rate
                date(2026, 5, 2),  # second year
            ],
        )
        self.assertEqual(
            lines.mapped("percent"), [12.5, 12.25, 11.15, 11.15, 10.15, 10.15]
        )
        self.assertEqual(lines[-1].end_date, TUESDAY, "to the notice date included")
        bases = lines.mapped("base_amount")
        self.assertEqual(bases[:3], [1000.0] * 3)
        self.assertGreater(bases[3], 1000.0)
        self.assertGreater(bases[5], bases[3])
        table = self.env["debtor.dunning.rate"]._dunning_rate_table(self.company)
        total, _periods = interest.statutory_interest(
            Decimal(1000), due + DAY, TUESDAY + DAY, table["nl_commercial"], True
        )
        self.assertAlmostEqual(notice.interest_amount, float(total))
        self.assertAlmostEqual(sum(lines.mapped("amount")), float(total))

    # ------------------------------------------------------------------ once
    def test_costs_are_claimed_once_across_levels(self):
        move = self._invoice(overdue=35, partner=self.nl_business)
        first = self._notice(self.nl_business, TUESDAY)
        second = self._notice(self.nl_business, SATURDAY_19_DEC)
        self.assertEqual(second.level_id, self.levels[3])
        origin = self._charges(first, "cost")
        repeated = self._charges(second, "cost")
        self.assertEqual(origin.amount, 150.0)
        self.assertEqual(repeated.origin_id, origin)
        self.assertEqual(repeated.amount, 150.0)
        self.assertIn(first.name, repeated.name)
        self.assertEqual(second.cost_amount, 150.0, "repeated, never added up")
        # Interest is stated again from the due date to the later date: it replaces.
        later_interest = self._charges(second, "interest")
        self.assertEqual(
            min(later_interest.mapped("start_date")), move.invoice_date_due + DAY
        )
        self.assertGreater(second.interest_amount, first.interest_amount)

    def test_charges_follow_the_level_the_reviewer_chose(self):
        self._invoice(overdue=25, partner=self.nl_business)
        run = self._run(TUESDAY, validate=False)
        notice = self._notice_of(run, self.nl_business)
        self.assertEqual(notice.level_id, self.levels[1], "a second reminder")
        self.assertFalse(notice.charge_ids)
        notice.level_id = self.levels[2]
        run.action_validate()
        self.assertEqual(notice.cost_amount, 150.0, "checked again at issue")

    def test_charges_computed_again_unchanged_leave_the_notice_row_alone(self):
        self._invoice(overdue=40, partner=self.nl_business)
        run = self._run(TUESDAY, validate=False)
        notice = self._notice_of(run, self.nl_business)
        self.assertTrue(notice.interest_amount)
        Charges = self.env["debtor.dunning.charges"]

        def version():
            self.env.cr.execute(
                "SELECT ctid::text FROM debtor_dunning_notice WHERE id = %s",
                [notice.id],
            )
            return self.env.cr.fetchone()[0]

        self.env.flush_all()
        before = version()
        Charges._compute_charges(notice)
        self.assertEqual(version(), before, "same totals: the row is not written")
        interest = notice.interest_amount
        notice.date = TUESDAY + 7 * DAY  # a week more of interest
        self.env.flush_all()
        before = version()
        Charges._compute_charges(notice)
        self.assertNotEqual(version(), before, "another total: written")
        self.assertGreater(notice.interest_amount, interest)

    # ------------------------------------------------------------------ booking
    def test_charge_invoice_per_notice_balances_and_books_costs_once(self):
        self.company.dunning_charge_mode = "invoice"
        self._invoice(overdue=35, partner=self.nl_business)
        notice = self._notice(self.nl_business, TUESDAY)
        charge = notice.charge_move_id
        self.assertEqual(charge.state, "posted")
        self.assertEqual(charge.move_type, "out_invoice")
        self.assertEqual(charge.partner_id, self.nl_business)
        self.assertAlmostEqual(
            sum(charge.line_ids.mapped("debit")), sum(charge.line_ids.mapped("credit"))
        )
        self.assertEqual(notice.cost_amount, 150.0)
        self.assertAlmostEqual(
            charge.amount_total, notice.cost_amount + notice.interest_amount
        )
        self.assertFalse(charge.invoice_line_ids.tax_ids, "damages bear no VAT")
        # The next level books the interest since, and no costs again.
        later = self._notice(self.nl_business, SATURDAY_19_DEC)
        self.assertFalse(self._charges(later, "cost"))
        self.assertEqual(len(later.charge_move_id.invoice_line_ids), 1)
        table = self.env["debtor.dunning.rate"]._dunning_rate_table(self.company)
        full, _periods = interest.statutory_interest(
            Decimal(1000),
            TUESDAY - 35 * DAY + DAY,
            SATURDAY_19_DEC + DAY,
            table["nl_commercial"],
            True,
        )
        self.assertAlmostEqual(
            notice.interest_amount + later.interest_amount, float(full)
        )
        self.assertAlmostEqual(later.charge_move_id.amount_total, later.interest_amount)

    # ------------------------------------------------------------------ waivers
    def test_waived_costs_are_recorded_with_their_reason(self):
        self._invoice(overdue=35, partner=self.nl_business)
        notice = self._notice(self.nl_business, TUESDAY)
        due_before = notice.amount_due
        reason = "Goodwill: first time late"
        self._waive(notice, reason, interest_=False, user=self.dunning_user)
        self.assertRecordValues(
            notice.charge_ids.filtered(lambda c: c.kind == "cost"),
            [
                {
                    "waived": True,
                    "waive_reason": reason,
                    "waived_by_id": self.dunning_user.id,
                    "waived_date": fields.Date.context_today(notice),
                }
            ],
        )
        self.assertFalse(
            notice.charge_ids.filtered(lambda c: c.kind == "interest" and c.waived)
        )
        self.assertEqual(notice.cost_amount, 0.0)
        self.assertAlmostEqual(notice.amount_due, due_before - 150.0)
        self.assertIn(reason, notice.message_ids[0].body)
        later = self._notice(self.nl_business, SATURDAY_19_DEC)
        self.assertFalse(self._charges(later, "cost"), "waived for good")
        self.assertIn("waived", later.charge_note)

    def test_waiving_a_booked_notice_credits_its_charge_invoice(self):
        self.company.dunning_charge_mode = "invoice"
        self._invoice(overdue=35, partner=self.nl_business)
        notice = self._notice(self.nl_business, TUESDAY)
        first = notice.charge_move_id
        self._waive(notice, "Paid the day after", costs=False)
        self.assertEqual(first.payment_state, "reversed")
        self.assertEqual(notice.interest_amount, 0.0)
        self.assertNotEqual(notice.charge_move_id, first)
        self.assertAlmostEqual(notice.charge_move_id.amount_total, 150.0)

    # ------------------------------------------------------------------ limitation
    def test_limitation_date_moves_with_a_notice_of_default_and_part_payment(self):
        move = self._invoice(overdue=35, partner=self.nl_consumer)
        due = move.invoice_date_due
        # Art. 7:28 BW: two years for a consumer sale, from the day after the due date.
        self.assertEqual(
            move.dunning_limitation_date, limitation.years_after(due + DAY, 2)
        )
        notice = self._notice(self.nl_consumer, TUESDAY)
        self.assertTrue(notice.level_id.interrupts_limitation)
        self.assertEqual(
            move.dunning_limitation_date, limitation.years_after(TUESDAY + DAY, 2)
        )
        self._pay(move, 100.0, date(2026, 12, 1))
        self.assertEqual(move.dunning_limitation_date, date(2028, 12, 2))
        self._pay(move, 900.0, date(2026, 12, 2))
        self.assertFalse(move.dunning_limitation_date, "paid: nothing to time-bar")

    def test_limitation_dates_filled_at_install_as_the_compute_does(self):
        consumer = self._invoice(overdue=35, partner=self.nl_consumer)
        business = self._invoice(overdue=400, partner=self.nl_business)
        partly = self._invoice(overdue=35, partner=self.nl_business)
        self._pay(partly, 100.0, date(2026, 12, 1))
        belgian = self._invoice(overdue=35, partner=self.be_consumer)
        moves = consumer | business | partly | belgian
        computed = moves.mapped("dunning_limitation_date")
        self.assertEqual(len(set(computed[:3])), 3, "three different dates")
        self.assertFalse(computed[3], "not under Dutch law")
        # As the add-on finds an existing book: the column empty.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move SET dunning_limitation_date = NULL WHERE id = ANY(%s)",
            [moves.ids],
        )
        moves.invalidate_recordset(["dunning_limitation_date"])
        self.env["account.move"]._dunning_init_limitation_dates()
        self.assertEqual(moves.mapped("dunning_limitation_date"), computed)

    def test_limitation_filter_lists_claims_about_to_be_time_barred(self):
        move = self._invoice(
            overdue=(TUESDAY - date(2021, 12, 20)).days, partner=self.nl_business
        )
        self.assertEqual(move.dunning_limitation_date, date(2026, 12, 21), "5 years")
        arch = self.env["account.move"].get_views([(False, "search")])["views"][
            "search"
        ]["arch"]
        self.assertIn('name="dunning_limitation_soon"', arch)
        soon = self.env["account.move"].search(
            [("dunning_limitation_date", "<=", date(2026, 12, 31))]
        )
        self.assertIn(move, soon)
        self.be_consumer.dunning_law_country = "be"
        be_move = self._invoice(overdue=10, partner=self.be_consumer)
        self.assertFalse(be_move.dunning_limitation_date, "Dutch law only")

    # ------------------------------------------------------------------ terms
    def test_payment_term_beyond_the_legal_maximum_warns(self):
        def draft(partner, days):
            return self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": TUESDAY,
                    "invoice_date_due": TUESDAY + days * DAY,
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create({"name": "x", "price_unit": 100, "tax_ids": []})
                    ],
                }
            )

        self.assertFalse(draft(self.nl_business, 60).dunning_term_warning)
        warning = draft(self.nl_business, 75).dunning_term_warning
        self.assertIn("75", warning)
        self.assertIn("60", warning)
        self.assertFalse(draft(self.nl_consumer, 75).dunning_term_warning)
        self.company.dunning_large_company = True
        self.nl_business.dunning_sme = True
        self.assertIn("30", draft(self.nl_business, 45).dunning_term_warning)
        self.assertFalse(draft(self.nl_business, 30).dunning_term_warning)

    # ------------------------------------------------------------------ policies
    def test_a_dutch_company_gets_a_consumer_policy_with_the_14_day_letter(self):
        Policy = self.env["debtor.dunning.policy"].sudo()  # other companies' too
        dutch = self.env["res.company"].create(
            {"name": "Dutch B.V.", "country_id": self.env.ref("base.nl").id}
        )
        self.assertEqual(dutch.dunning_law_country, "nl")
        policies = Policy.search([("company_id", "=", dutch.id)])
        self.assertEqual(
            sorted((p.default_for, p.default_law or "") for p in policies),
            [("all", ""), ("consumer", ""), ("consumer", "be")],
            "a Dutch ladder for consumers, a Belgian one for Belgian consumers",
        )
        consumer = policies.filtered(
            lambda p: p.default_for == "consumer" and not p.default_law
        )
        letter = consumer.level_ids.filtered("fourteen_day_letter")
        self.assertEqual(letter.wait_days, 14)
        self.assertIn("fourteen days", letter.letter_text)
        claiming = consumer.level_ids.filtered("claims_costs")
        self.assertTrue(claiming)
        self.assertTrue(all(claiming.mapped("interrupts_limitation")))
        belgian = self.env["res.company"].create(
            {"name": "Belgian BV", "country_id": self.env.ref("base.be").id}
        )
        self.assertEqual(
            sorted(
                (p.default_for, p.default_law or "")
                for p in Policy.search([("company_id", "=", belgian.id)])
            ),
            [("all", ""), ("consumer", ""), ("consumer", "nl")],
        )
        demo = self.env.ref("debtor_dunning.company_demo", raise_if_not_found=False)
        if demo:
            self.assertTrue(
                Policy.search(
                    [("company_id", "=", demo.id), ("default_for", "=", "consumer")]
                )
            )
