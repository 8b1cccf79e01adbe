from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.debtor_dunning.core.calendar import next_send_day

from .common import DemoCase


@tagged("post_install", "-at_install")
class TestDemoData(DemoCase):
    """The demo company has invoices at every stage (when demo data is loaded)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The README's commands always load demo data: its absence is a failure.
        cls.invoices = cls.env["account.move"].search(
            [
                ("company_id", "=", cls.company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
            ]
        )

    def test_demo_company_keeps_dutch_books_in_euro(self):
        self.assertEqual(self.company.country_id.code, "NL")
        self.assertEqual(self.company.currency_id.name, "EUR")
        if self.env["ir.module.module"]._get("l10n_nl").state == "installed":
            self.assertEqual(self.company.chart_template, "nl")

    def test_demo_has_thirty_posted_invoices_at_every_stage(self):
        today = self.demo_date
        self.assertEqual(fields.Date.context_today(self.invoices), today)
        open_ = self.invoices.filtered(
            lambda m: m.payment_state in ("not_paid", "partial")
        )
        overdue_days = [(today - m.invoice_date_due).days for m in open_]
        self.assertGreaterEqual(len(self.invoices), 30)
        self.assertTrue(any(d < 0 for d in overdue_days), "not yet due")
        self.assertTrue(any(0 < d <= 10 for d in overdue_days), "a few days late")
        self.assertTrue(any(d >= 120 for d in overdue_days), "months late")
        self.assertTrue(self.invoices.filtered(lambda m: m.payment_state == "partial"))
        self.assertTrue(
            self.invoices.filtered(lambda m: m.payment_state in ("paid", "in_payment"))
        )
        self.assertTrue(self.invoices.filtered(lambda m: m.payment_state == "reversed"))
        self.assertTrue(
            self.invoices.filtered(lambda m: m.currency_id != self.company.currency_id)
        )
        instalments = self.invoices.filtered(
            lambda m: (
                len(
                    m.line_ids.filtered(
                        lambda line: line.display_type == "payment_term"
                    )
                )
                > 1
            )
        )
        self.assertTrue(instalments, "an invoice with two due dates")
        self.assertTrue(max(self.invoices.mapped("invoice_date")) <= today)
        self.assertLess(
            min(self.invoices.mapped("invoice_date")), today - timedelta(days=200)
        )

    def test_demo_has_dutch_and_belgian_consumers_and_businesses(self):
        partners = self.invoices.partner_id
        kinds = {(p.country_id.code, p.is_company) for p in partners}
        self.assertLessEqual(
            {("NL", True), ("NL", False), ("BE", True), ("BE", False)}, kinds
        )
        self.assertLessEqual({"nl_NL", "nl_BE", "fr_BE"}, set(partners.mapped("lang")))

    def test_open_credit_note_stays_open(self):
        credits = self.env["account.move"].search(
            [
                ("company_id", "=", self.company.id),
                ("move_type", "=", "out_refund"),
                ("state", "=", "posted"),
                ("payment_state", "=", "not_paid"),
            ]
        )
        self.assertTrue(credits)

    def test_demo_accountant_sees_the_demo_invoices(self):
        accountant = self.env.ref("debtor_dunning.res_users_accountant_demo")
        self.assertTrue(
            accountant.has_group("debtor_dunning.debtor_dunning_group_user")
        )
        seen = (
            self.env["account.move"]
            .with_user(accountant)
            .search_count([("move_type", "=", "out_invoice")])
        )
        self.assertEqual(seen, len(self.invoices))


@tagged("post_install", "-at_install")
class TestDemoFollowUp(DemoCase):
    """The demo shows disputes, payment arrangements and a promise to pay."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.env.ref("debtor_dunning.res_users_accountant_demo")
        cls.disputes = cls.env["debtor.dunning.dispute"].search(
            [("company_id", "=", cls.company.id)]
        )
        cls.arrangements = cls.env["debtor.dunning.arrangement"].search(
            [("company_id", "=", cls.company.id)]
        )

    def _customer(self, key):
        return self.env.ref(f"debtor_dunning.res_partner_{key}_demo")

    def _next_run(self):
        """The proposal of the next sending day of the demo's standard policy."""
        policy = self.env["debtor.dunning.policy"].search(
            [("company_id", "=", self.company.id), ("default_for", "=", "all")]
        )
        today = fields.Date.context_today(policy)
        holidays = policy._holidays((today.year, today.year + 1))
        day = next_send_day(today, policy._send_weekdays(), (), holidays)
        return self.env["debtor.dunning.escalation"]._propose(self.company, day)

    def test_open_dispute_holds_an_overdue_invoice_with_a_to_do(self):
        dispute = self.disputes.filtered(lambda d: d.state == "open")
        self.assertEqual(len(dispute), 1)
        self.assertEqual(dispute.partner_id, self._customer("nl_bakery"))
        self.assertEqual(dispute.reason, "quality")
        self.assertTrue(dispute.note)
        invoice = dispute.move_id
        self.assertLess(invoice.invoice_date_due, dispute.open_date)
        self.assertTrue(invoice.dunning_disputed)
        self.assertEqual(invoice.dunning_state, "disputed")
        self.assertEqual(dispute.user_id, self.accountant)
        self.assertRecordValues(
            dispute.activity_ids,
            [
                {
                    "user_id": self.accountant.id,
                    "date_deadline": dispute.deadline_date,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                }
            ],
        )

    def test_rejected_dispute_lets_dunning_resume(self):
        dispute = self.disputes.filtered(lambda d: d.state != "open")
        self.assertEqual(len(dispute), 1)
        self.assertEqual(dispute.state, "rejected")
        self.assertEqual(dispute.partner_id, self._customer("be_brewery"))
        self.assertTrue(dispute.resolution)
        self.assertLess(dispute.open_date, dispute.resolved_date)
        self.assertFalse(dispute.activity_ids, "the to-do was done")
        self.assertFalse(dispute.move_id.dunning_disputed)
        self.assertIn(dispute.move_id.dunning_state, ("overdue", "in_dunning"))

    def test_confirmed_arrangement_has_its_first_instalment_paid(self):
        arrangement = self.arrangements.filtered(lambda a: a.state != "draft")
        self.assertEqual(len(arrangement), 1)
        self.assertEqual(arrangement.state, "running")
        self.assertEqual(arrangement.partner_id, self._customer("nl_consumer_sanne"))
        self.assertEqual(arrangement.partner_id.dunning_debtor_type, "consumer")
        self.assertGreaterEqual(len(arrangement.move_ids), 2)
        self.assertTrue(
            all(
                m.invoice_date_due < arrangement.confirmed_date
                for m in arrangement.move_ids
            ),
            "several overdue invoices",
        )
        self.assertEqual(arrangement.acknowledged_date, arrangement.confirmed_date)
        self.assertEqual(
            set(arrangement.move_ids.mapped("dunning_arrangement_id")), {arrangement}
        )
        lines = arrangement.line_ids.sorted("number")
        self.assertEqual(lines.mapped("number"), [1, 2, 3])
        self.assertEqual(lines[0].state, "paid")
        self.assertEqual(lines[1:].mapped("paid_amount"), [0.0, 0.0])
        self.assertAlmostEqual(arrangement.paid_amount, lines[0].amount)
        self.assertEqual(arrangement.next_line_id, lines[1])
        # Instalments still to pay keep their to-do; the paid one's is done.
        self.assertFalse(lines[0].activity_id)
        self.assertEqual(
            arrangement.activity_ids, lines[1:].activity_id, "a to-do per instalment"
        )

    def test_draft_arrangement_proposes_a_schedule_and_holds_nothing(self):
        arrangement = self.arrangements.filtered(lambda a: a.state == "draft")
        self.assertEqual(len(arrangement), 1)
        self.assertEqual(arrangement.partner_id, self._customer("be_consumer"))
        self.assertEqual(len(arrangement.line_ids), arrangement.instalment_count)
        self.assertAlmostEqual(
            sum(arrangement.line_ids.mapped("amount")), arrangement.total_amount
        )
        self.assertFalse(arrangement.move_ids.dunning_arrangement_id)

    def test_promise_to_pay_was_logged_from_the_call_of_a_notice(self):
        promised = self.env["account.move"].search(
            [
                ("company_id", "=", self.company.id),
                ("dunning_promise_date", "!=", False),
            ]
        )
        self.assertEqual(len(promised), 1)
        self.assertEqual(promised.partner_id, self._customer("be_bakery"))
        self.assertAlmostEqual(
            promised.dunning_promise_amount, promised.amount_residual
        )
        notices = promised.dunning_line_ids.notice_id.sorted("date")
        self.assertEqual(
            notices.level_id.mapped("rank"), [1, 2, 3], "step by step, as in life"
        )
        notice = notices[-1]
        self.assertEqual(notice.state, "issued")
        self.assertTrue(notice.level_id.create_call)
        self.assertEqual(promised.dunning_level_id, notice.level_id)
        self.assertEqual(notice.call_state, "done")
        self.assertFalse(notice.activity_ids, "the call is done")
        self.assertIn("Promised", notice.message_ids[:1].body)
        self.assertLess(notice.date, promised.dunning_promise_date)
        self.assertEqual(
            promised._dunning_hold(promised.dunning_promise_date), "promise"
        )

    def test_next_run_holds_the_disputed_and_arranged_invoices(self):
        disputed = self.disputes.filtered(lambda d: d.state == "open").move_id
        arranged = self.arrangements.filtered(lambda a: a.state == "running").move_ids
        run = self._next_run()
        self.assertTrue(run.notice_ids, "the others are dunned")
        noticed = run.notice_ids.line_ids.move_id
        self.assertFalse(noticed & (disputed | arranged))
        holds = run.hold_ids
        self.assertEqual(
            set(holds.filtered(lambda h: h.move_id == disputed).mapped("reason")),
            {"disputed"},
        )
        self.assertEqual(
            set(holds.filtered(lambda h: h.move_id in arranged).mapped("reason")),
            {"arrangement"},
        )
