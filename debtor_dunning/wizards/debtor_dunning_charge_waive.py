from odoo import api, fields, models
from odoo.exceptions import UserError


class DebtorDunningChargeWaive(models.TransientModel):
    _name = "debtor.dunning.charge.waive"
    _description = "Waive the costs or interest of dunning notices"

    notice_ids = fields.Many2many(
        "debtor.dunning.notice", string="Notices", required=True
    )
    waive_costs = fields.Boolean(string="Collection Costs", default=True)
    waive_interest = fields.Boolean(string="Interest", default=True)
    reason = fields.Char(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "debtor.dunning.notice":
            values["notice_ids"] = [
                fields.Command.set(self.env.context.get("active_ids", []))
            ]
        return values

    def action_waive(self):
        self.ensure_one()
        kinds = {"cost"} if self.waive_costs else set()
        if self.waive_interest:
            kinds.add("interest")
        if not kinds:
            raise UserError(self.env._("Choose the costs, the interest or both."))
        self.env["debtor.dunning.charges"]._waive_charges(
            self.notice_ids, kinds, self.reason
        )
        return {"type": "ir.actions.act_window_close"}
