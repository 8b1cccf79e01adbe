from odoo import fields, models
from odoo.exceptions import UserError

# The documents a credit hold stops (debtor_dunning_sale adds sale.order).
OVERRIDABLE = {"account.move"}


class DebtorDunningCreditOverride(models.TransientModel):
    _name = "debtor.dunning.credit.override"
    _description = "Override a customer's credit hold for some documents"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    res_model = fields.Char(required=True)
    res_ids = fields.Char(required=True)
    reason = fields.Text(required=True)

    def _records(self):
        self.ensure_one()
        if self.res_model not in self._overridable():
            raise UserError(self.env._("A credit hold cannot be overridden here."))
        ids = [int(part) for part in self.res_ids.split(",") if part.strip().isdigit()]
        return self.env[self.res_model].browse(ids).exists()

    def _overridable(self):
        """Models whose documents a credit hold stops (extension point)."""
        return OVERRIDABLE

    def action_confirm(self):
        self.ensure_one()
        self.env["debtor.dunning.credit"]._override(self._records(), self.reason)
        return {"type": "ir.actions.act_window_close"}
