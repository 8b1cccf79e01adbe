from odoo import fields, models


class DebtorDunningCreditHold(models.TransientModel):
    _name = "debtor.dunning.credit.hold"
    _description = "Put a customer on credit hold"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    reason = fields.Char(required=True)
    until_date = fields.Date(
        string="Until",
        help="The hold lapses by itself after this day. Empty: until lifted by hand.",
    )

    def action_confirm(self):
        self.ensure_one()
        self.env["debtor.dunning.credit"]._hold(
            self.partner_id, self.reason, self.until_date, self.company_id
        )
        return {"type": "ir.actions.act_window_close"}
