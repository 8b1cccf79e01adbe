from odoo import api, fields, models


class DebtorDunningFactorAssign(models.TransientModel):
    _name = "debtor.dunning.factor.assign"
    _description = "Sell a customer's open invoices to a factor"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    factor_id = fields.Many2one("res.partner", required=True)
    factored_date = fields.Date(
        string="Sold On", required=True, default=fields.Date.context_today
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        compute="_compute_move_ids",
        store=True,
        readonly=False,
        check_company=True,
    )

    @api.depends("partner_id", "company_id")
    def _compute_move_ids(self):
        Move = self.env["account.move"]
        for wizard in self:
            wizard.move_ids = (
                Move.search(
                    Move._dunning_open_domain()
                    + [
                        ("company_id", "=", wizard.company_id.id),
                        ("commercial_partner_id", "=", wizard.partner_id.id),
                        ("dunning_factor_id", "=", False),
                    ]
                )
                if wizard.partner_id
                else Move
            )

    def action_confirm(self):
        self.ensure_one()
        self.move_ids._dunning_sell_to_factor(self.factor_id, self.factored_date)
        return {"type": "ir.actions.act_window_close"}
