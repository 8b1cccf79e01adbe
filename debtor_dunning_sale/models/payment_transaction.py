from markupsafe import Markup

from odoo import models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        """A quotation paid online is confirmed despite a credit hold: the customer
        paid in advance, which is what the hold asks for. Logged on the order."""
        Credit = self.env["debtor.dunning.credit"]
        held = Credit._held(
            self.sale_order_ids.filtered(lambda so: so.state in ("draft", "sent"))
        )
        confirmed = super(
            PaymentTransaction, Credit._let_pass(self)
        )._check_amount_and_confirm_order()
        for order in confirmed & held:
            order.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Confirmed despite the customer's credit hold: paid online in "
                    "advance."
                ),
                subtype_xmlid="mail.mt_note",
            )
        return confirmed
