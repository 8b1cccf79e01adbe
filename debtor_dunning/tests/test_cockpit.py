"""The credit controller's cockpit: statement, Dun now, worklist, payment habit."""

from datetime import timedelta

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import TUESDAY, DemoCase, DunningCommon


@tagged("post_install", "-at_install")
class TestCockpit(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Statement Customer", "is_company": True}
        )
        cls.cockpit = cls.env["debtor.dunning.cockpit"]

    def _refund(self, amount, partner):
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": partner.id,
                "invoice_date": TUESDAY - timedelta(days=3),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "credit", "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )
        refund.action_post()
        return refund

    # ------------------------------------------------------------------ statement
    def test_statement_sums_open_amounts_in_company_currency(self):
        """Hand-computed: 1000 paid 400 (600 open, overdue), 500 not yet due, 300
        in a foreign currency at 2 per company unit (150, overdue), a credit of 80.
        Due 600 + 500 + 150 = 1250, overdue 600 + 150 = 750, balance 1250 - 80 =
        1170. The invoice totals (1000, 500, 300 foreign) are never summed."""
        foreign = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        partly = self._invoice(10, 1000.0, self.customer)
        self._pay(partly, 400.0, TUESDAY - timedelta(days=2))
        self._invoice(-5, 500.0, self.customer)
        self._invoice(20, 300.0, self.customer, currency_id=foreign.id)
        self._refund(80.0, self.customer)
        customer = self.customer
        self.assertEqual(customer.dunning_amount_due, 1250.0)
        self.assertEqual(customer.dunning_amount_overdue, 750.0)
        self.assertEqual(customer.dunning_credit_amount, 80.0)
        self.assertEqual(customer.dunning_balance, 1170.0)
        self.assertEqual(customer.dunning_currency_id, self.company.currency_id)
        self.assertEqual(len(customer.dunning_open_move_ids), 3)
        values = self.cockpit._prepare_statement_values(customer, self.company, TUESDAY)
        self.assertEqual(
            sorted(line["residual"] for line in values["lines"]), [150.0, 500.0, 600.0]
        )
        self.assertEqual(
            [line["days_overdue"] for line in values["lines"]], [20, 10, 0]
        )
        self.assertEqual(values["balance"], 1170.0)
        # A contact's statement is its company's.
        contact = self.env["res.partner"].create(
            {"name": "Accounts Payable", "parent_id": customer.id}
        )
        self.assertEqual(contact.dunning_amount_due, 1250.0)

    def test_statement_prints_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.customer.lang = "nl_NL"
        self._invoice(10, 1000.0, self.customer)
        report = self.env.ref("debtor_dunning.debtor_dunning_statement_action_report")
        html, _kind = report._render_qweb_html(report.report_name, self.customer.ids)
        html = html.decode()
        self.assertIn("Statement Customer", html)
        self.assertIn("1.000,00", html)  # Dutch number format: the customer's
        self.assertNotIn("1,000.00", html)
        self.assertIn("Rekeningoverzicht", html)
        pdf, kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            report.report_name, self.customer.ids
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_send_statement_opens_the_composer_with_the_pdf(self):
        action = self.customer.action_dunning_send_statement()
        self.assertEqual(action["res_model"], "mail.compose.message")
        template = self.env["mail.template"].browse(
            action["context"]["default_template_id"]
        )
        self.assertEqual(
            template.report_template_ids,
            self.env.ref("debtor_dunning.debtor_dunning_statement_action_report"),
        )

    # ------------------------------------------------------------------ dun now
    def test_dun_now_proposes_for_this_customer_only(self):
        self._invoice(30, 1000.0, self.customer)
        self._invoice(30, 700.0, self.partner_a)
        action = self.customer.action_dunning_dun_now()
        run = self.env["debtor.dunning.run"].browse(action["res_id"])
        self.assertEqual(run.partner_id, self.customer)
        self.assertEqual(run.notice_ids.partner_id, self.customer)
        self.assertEqual(run.notice_ids.amount_total, 1000.0)
        self.assertIn("Statement Customer", run.name)
        # The customer's notice waits for review: his worklist line says so.
        self.assertIn("Notice to review", self.customer.dunning_work)
        self.assertFalse(self.partner_a.dunning_work)

    # ------------------------------------------------------------------ worklist
    def test_worklist_follows_the_collector_or_the_policys(self):
        other = self.env["res.partner"].create({"name": "Other Customer"})
        promised = self._invoice(30, 400.0, self.customer)
        promised._dunning_record_promise(TUESDAY, 400.0)
        disputed = self._invoice(30, 300.0, other)
        self.env["debtor.dunning.dispute"].create(
            {"move_id": disputed.id, "reason": "quality", "note": "Broken"}
        )
        self.policy.collector_id = self.dunning_manager
        other.dunning_collector_id = self.dunning_user
        self.assertEqual(self.customer.dunning_work, "Promise due today")
        self.assertEqual(other.dunning_work, "Dispute waiting")
        self.assertEqual(self.customer.dunning_followed_by_id, self.dunning_manager)
        self.assertEqual(other.dunning_followed_by_id, self.dunning_user)
        Partner = self.env["res.partner"]
        self.assertEqual(
            Partner.search(
                [
                    ("dunning_work", "!=", False),
                    ("dunning_followed_by_id", "=", self.dunning_manager.id),
                ]
            ),
            self.customer,
        )
        self.assertEqual(
            Partner.search(
                [
                    ("dunning_work", "!=", False),
                    ("dunning_followed_by_id", "=", self.dunning_user.id),
                ]
            ),
            other,
        )

    def test_a_broken_promise_is_work(self):
        move = self._invoice(30, 400.0, self.customer)
        move._dunning_record_promise(TUESDAY, 400.0)
        # The day after, the promise is broken: the invoice is still open.
        tomorrow = TUESDAY + timedelta(days=1)
        work = self.cockpit._work(self.company, tomorrow, self.customer)
        self.assertEqual(work[self.customer.id], {"promise_broken"})

    # ------------------------------------------------------------------ habit
    def test_open_overdue_invoices_count_in_the_payment_habit(self):
        """Hand-computed: nothing paid, 100 open 70 days and 100 open 90 days:
        (70 + 90) / 2 = 80.0 days late, nothing on time."""
        self._invoice(70, 100.0, self.customer)
        self._invoice(90, 100.0, self.customer)
        self.assertEqual(self.customer.dunning_avg_days_late, 80.0)
        self.assertEqual(self.customer.dunning_on_time_share, 0.0)

    def test_habit_weighs_paid_and_open_items(self):
        """Hand-computed: 300 paid on its due date, 100 open 40 days overdue:
        (300 * 0 + 100 * 40) / 400 = 10.0 days late; 300 / 400 = 75 % on time."""
        paid = self._invoice(40, 300.0, self.customer)
        self._pay(paid, 300.0, TUESDAY - timedelta(days=40))
        self._invoice(40, 100.0, self.customer)
        self.assertEqual(self.customer.dunning_avg_days_late, 10.0)
        self.assertEqual(self.customer.dunning_on_time_share, 0.75)

    def test_the_escalation_habit_shift_ignores_open_items(self):
        """A debt must not delay its own dunning by being late."""
        self._invoice(90, 100.0, self.customer)
        habits = self.env["debtor.dunning.book"]._habits(
            self.company, self.customer.ids, TUESDAY
        )
        self.assertNotIn(self.customer.id, habits)


@tagged("post_install", "-at_install")
class TestCockpitTour(DunningCommon, HttpCase):
    def test_overdue_list_statement_dun_now_and_worklist(self):
        accountant = new_test_user(
            self.env,
            login="cockpit_accountant",
            groups="base.group_user,debtor_dunning.debtor_dunning_group_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        customer = self.env["res.partner"].create(
            {
                "name": "Cockpit Customer",
                "is_company": True,
                "email": "cockpit@customer.example",
            }
        )
        other = self.env["res.partner"].create(
            {"name": "Other Customer", "is_company": True}
        )
        self.policy.collector_id = accountant  # the default: Cockpit Customer's
        other.with_company(self.company).dunning_collector_id = self.dunning_manager
        self._invoice(30, 1000.0, customer)
        self._invoice(-10, 250.0, customer)
        self._invoice(30, 500.0, other)
        self.env["debtor.dunning.cockpit"]._dun_now(other, self.company)
        self.start_tour(
            "/odoo/action-debtor_dunning.account_move_action_overdue",
            "dunning_cockpit_tour",
            login=accountant.login,
        )
        run = self.env["debtor.dunning.run"].search([("partner_id", "=", customer.id)])
        self.assertEqual(len(run), 1)
        self.assertEqual(run.notice_ids.partner_id, customer)
        self.start_tour(
            "/odoo/action-debtor_dunning.res_partner_action_dunning_work",
            "dunning_worklist_tour",
            login=accountant.login,
        )
        self.start_tour(
            f"/odoo/action-debtor_dunning.debtor_dunning_run_action/{run.id}",
            "dunning_cockpit_send_tour",
            login=accountant.login,
        )
        notice = run.notice_ids
        self.assertEqual(notice.state, "issued")
        self.assertEqual(notice.email_state, "queued", "sent by the background job")


@tagged("post_install", "-at_install")
class TestCockpitDemo(DemoCase):
    def test_the_demo_portal_user_sees_the_reminders_of_dupont(self):
        portal = self.env.ref("debtor_dunning.res_users_portal_demo")
        dupont = self.env.ref("debtor_dunning.res_partner_be_bakery_demo")
        self.assertEqual(portal.login, "dupont")
        self.assertEqual(portal.partner_id, dupont)
        self.assertEqual(portal.company_id, self.company)
        self.assertTrue(portal.share)
        Notice = self.env["debtor.dunning.notice"]
        issued = Notice.search(
            [("partner_id", "=", dupont.id), ("state", "=", "issued")]
        )
        self.assertTrue(issued, "the demo sent Dupont reminders")
        self.assertEqual(
            Notice.with_user(portal).search([("state", "=", "issued")]), issued
        )

    def test_the_admin_works_in_the_demo_company(self):
        self.assertIn(self.company, self.env.ref("base.user_admin").company_ids)


@tagged("post_install", "-at_install")
class TestPortalLanguage(DunningCommon, HttpCase):
    def test_reminders_page_speaks_the_customers_language(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        customer = self.env["res.partner"].create(
            {"name": "Nederlandse Klant B.V.", "is_company": True, "lang": "nl_NL"}
        )
        portal = new_test_user(
            self.env,
            login="dutch_portal",
            password="dutch_portal",
            groups="base.group_portal",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        portal.partner_id.write({"parent_id": customer.id, "lang": "en_US"})
        self._invoice(10, 640.0, customer)
        self.authenticate("dutch_portal", "dutch_portal")
        response = self.url_open("/my/dunning")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Achterstallige facturen", response.text)
        self.assertNotIn("Overdue invoices", response.text)
