from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    dunning_credit_held = fields.Boolean(
        string="Customer on Credit Hold", compute="_compute_dunning_credit_held"
    )

    @api.depends("partner_id", "company_id", "state")
    def _compute_dunning_credit_held(self):
        held = self.env["debtor.dunning.credit"]._held(
            self.filtered(lambda order: order.state in ("draft", "sent"))
        )
        for order in self:
            order.dunning_credit_held = order in held

    def _dunning_credit_customer(self):
        """(customer, company) whose credit hold stops this order's confirmation."""
        self.ensure_one()
        return self.partner_id.commercial_partner_id, self.company_id

    def _dunning_credit_proceed(self):
        """Go on after a credit hold override: confirm."""
        return self.action_confirm()

    def _confirmation_error_message(self):
        """A customer on credit hold: no confirmation without a manager's override
        (debtor.dunning.credit._check, the rule invoice posting follows too)."""
        error = super()._confirmation_error_message()
        if error:
            return error
        Credit = self.env["debtor.dunning.credit"]
        if Credit._held(self):
            return Credit._hold_error(self)
        return False

    def action_dunning_credit_override(self):
        """Confirm despite the customer's credit hold: a manager gives the reason."""
        return self.env["debtor.dunning.credit"]._override_action(self)
