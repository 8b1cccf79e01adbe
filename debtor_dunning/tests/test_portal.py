from datetime import timedelta

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestPortal(DunningCommon, HttpCase):
    """A customer sees its own reminders and overdue invoices in the portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create(
            {"name": "Portal Klant B.V.", "is_company": True, "lang": "en_US"}
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="dunning_portal",
            password="dunning_portal",
            groups="base.group_portal",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.portal_user.partner_id.parent_id = cls.customer
        cls.other = Partner.create({"name": "Someone Else B.V.", "is_company": True})
        cls.invoice = cls._invoice(10, 640.0, partner=cls.customer)
        cls.other_invoice = cls._invoice(10, 990.0, partner=cls.other)
        run = cls.service._propose(cls.company, cls.as_of)
        run.action_validate()
        cls.notice = run.notice_ids.filtered(lambda n: n.partner_id == cls.customer)
        cls.other_notice = run.notice_ids.filtered(lambda n: n.partner_id == cls.other)

    def test_portal_user_reads_only_the_notices_of_its_company(self):
        Notice = self.env["debtor.dunning.notice"].with_user(self.portal_user)
        self.assertEqual(Notice.search([]), self.notice)
        self.notice.with_user(self.portal_user).check_access("read")

    def test_portal_user_sees_no_proposed_notice(self):
        # 25 days overdue then, the reminder's term passed: the second reminder,
        # proposed, not issued.
        run = self.service._propose(self.company, self.as_of + timedelta(days=15))
        draft = run.notice_ids.filtered(lambda n: n.partner_id == self.customer)
        self.assertEqual(draft.state, "draft")
        Notice = self.env["debtor.dunning.notice"].with_user(self.portal_user)
        self.assertNotIn(draft, Notice.search([]))

    def test_reminders_page_lists_notice_and_overdue_invoice(self):
        self.authenticate("dunning_portal", "dunning_portal")
        response = self.url_open("/my/dunning")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.notice.name, response.text)
        self.assertIn(self.invoice.name, response.text)
        self.assertNotIn(self.other_notice.name, response.text)
        self.assertNotIn(self.other_invoice.name, response.text)

    def test_letter_downloads_with_the_access_token(self):
        url = self.notice.get_portal_url(report_type="pdf", download=True)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertIn("attachment", response.headers["Content-Disposition"])

    def test_someone_elses_notice_redirects_without_its_token(self):
        self.authenticate("dunning_portal", "dunning_portal")
        response = self.url_open(f"/my/dunning/{self.other_notice.id}")
        self.assertNotIn(self.other_notice.name, response.text)
        self.assertTrue(response.url.endswith("/my"), response.url)

    def test_portal_customer_finds_the_overdue_invoice_and_downloads_the_letter(self):
        self.start_tour("/my", "debtor_dunning_portal_tour", login="dunning_portal")
