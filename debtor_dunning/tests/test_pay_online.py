from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestPayOnline(DunningCommon, HttpCase):
    """A customer pays an overdue invoice from his notice's page (Demo provider)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Betaler B.V.", "is_company": True, "lang": "en_US"}
        )
        cls.payer = new_test_user(
            cls.env,
            login="dunning_payer",
            password="dunning_payer",
            groups="base.group_portal",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.payer.partner_id.parent_id = cls.customer
        cls.provider = (
            cls.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy({"company_id": cls.company.id})
        )
        cls.provider.write({"state": "test", "is_published": True})
        cls.invoice = cls._invoice(10, 640.0, partner=cls.customer)
        run = cls.service._propose(cls.company, cls.as_of)
        run.action_validate()
        cls.notice = run.notice_ids.filtered(lambda n: n.partner_id == cls.customer)

    def test_customer_pays_from_the_notice_page_and_the_notice_shows_it_paid(self):
        self.authenticate("dunning_payer", "dunning_payer")
        page = self.url_open(f"/my/dunning/{self.notice.id}").text
        self.assertIn("Pay online", page)
        self.assertIn(self.invoice.get_portal_url(), page.replace("&amp;", "&"))
        invoice_page = self.url_open(self.invoice.get_portal_url()).text
        self.assertIn(f'data-provider-id="{self.provider.id}"', invoice_page)
        processing = self.make_jsonrpc_request(
            f"/invoice/transaction/{self.invoice.id}",
            {
                "access_token": self.invoice._portal_ensure_token(),
                "provider_id": self.provider.id,
                "payment_method_id": self.env.ref(
                    "payment_demo.payment_method_demo"
                ).id,
                "token_id": None,
                "amount": 640.0,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": self.invoice.get_portal_url(),
            },
        )
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {
                "reference": processing["reference"],
                "payment_details": "4242",
                "simulated_state": "done",
            },
        )
        transaction = self.env["payment.transaction"].search(
            [("reference", "=", processing["reference"])]
        )
        self.assertEqual(transaction.state, "done")
        transaction._post_process()
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))
        self.assertFalse(self.invoice.amount_residual)
        page = self.url_open(f"/my/dunning/{self.notice.id}").text
        self.assertNotIn("Pay online", page)
        self.assertIn(">Paid</span>", page)
