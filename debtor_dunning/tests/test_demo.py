from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The demo company has invoices at every stage (when demo data is loaded)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The README's commands always load demo data: its absence is a failure.
        cls.company = cls.env.ref("debtor_dunning.company_demo")
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
        today = fields.Date.context_today(self.invoices)
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
