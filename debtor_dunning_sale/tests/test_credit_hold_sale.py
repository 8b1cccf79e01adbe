from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time, tagged

from odoo.addons.debtor_dunning import compat
from odoo.addons.debtor_dunning.tests.common import DunningCommon


@tagged("post_install", "-at_install")
class TestCreditHoldSale(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 19.0's accounting test user is no salesman (18.0's was).
        cls.env.user.write(
            {
                compat.USER_GROUPS: [
                    Command.link(cls.env.ref("sales_team.group_sale_salesman").id)
                ]
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Widget", "list_price": 100.0, "type": "consu"}
        )

    def _order(self, partner=None):
        return self.env["sale.order"].create(
            {
                "partner_id": (partner or self.partner_a).id,
                "company_id": self.company.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 2}
                    )
                ],
            }
        )

    def _hold(self, partner=None, until=None):
        self.env["debtor.dunning.credit"]._hold(
            partner or self.partner_a, "Notice of default unpaid", until, self.company
        )

    def test_order_of_customer_on_hold_is_not_confirmed(self):
        self._hold()
        order = self._order()
        self.assertTrue(order.dunning_credit_held)
        with self.assertRaisesRegex(UserError, "credit hold"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")

    def test_order_of_customer_without_hold_is_confirmed(self):
        order = self._order(self.partner_b)
        self.assertFalse(order.dunning_credit_held)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_hold_of_a_contact_is_its_company_hold(self):
        self._hold()
        contact = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": self.partner_a.id}
        )
        with self.assertRaises(UserError):
            self._order(contact).action_confirm()

    def test_hold_past_its_end_date_no_longer_stops(self):
        self._hold(until=self.as_of)
        order = self._order()
        with self.assertRaises(UserError):
            order.action_confirm()
        with freeze_time("2026-11-25 12:00:00"):
            order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_manager_override_confirms_and_logs_the_reason(self):
        self._hold()
        order = self._order()
        action = order.action_dunning_credit_override()
        wizard = Form(
            self.env["debtor.dunning.credit.override"]
            .with_user(self.dunning_manager)
            .with_context(**action["context"])
        )
        wizard.reason = "Paid in advance"
        wizard.save().action_confirm()
        self.assertEqual(order.state, "sale")
        notes = order.message_ids.mapped("body")
        self.assertTrue(
            any("Paid in advance" in note and "overridden" in note for note in notes),
            notes,
        )

    def test_only_a_manager_overrides(self):
        self._hold()
        order = self._order()
        with self.assertRaises(AccessError):
            self.env["debtor.dunning.credit"].with_user(self.dunning_user)._override(
                order.with_user(self.dunning_user), "Because"
            )
        self.assertEqual(order.state, "draft")

    def test_override_context_cannot_be_forged(self):
        self._hold()
        order = self._order()
        with self.assertRaises(UserError):
            order.with_context(debtor_dunning_credit_pass=True).action_confirm()

    def test_hold_is_per_company(self):
        self._hold()
        other = self.setup_other_company(name="Company B")["company"]
        self.assertFalse(
            self.partner_a._dunning_on_credit_hold(other, self.as_of),
            "a hold with one company says nothing about another",
        )
        self.assertTrue(
            self.partner_a._dunning_on_credit_hold(self.company, self.as_of)
        )

    def test_quotation_paid_online_is_confirmed_despite_the_hold(self):
        """Paying in advance is what a credit hold asks for: not blocked, logged."""
        self._hold()
        order = self._order()
        provider = self.env["payment.provider"].create(
            {"name": "Test provider", "code": "none", "state": "test"}
        )
        tx = self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                "reference": "CREDIT-HOLD-TX",
                "amount": order.amount_total,
                "currency_id": order.currency_id.id,
                "partner_id": self.partner_a.id,
                "sale_order_ids": [Command.set(order.ids)],
                "state": "done",
            }
        )
        self.assertEqual(tx._check_amount_and_confirm_order(), order)
        self.assertEqual(order.state, "sale")
        self.assertIn("paid online", order.message_ids[0].body)
        # Without the payment, the hold still stops the next quotation.
        with self.assertRaises(UserError):
            self._order().action_confirm()
