from odoo import fields, models


class DebtorDunningArrangementRefuse(models.TransientModel):
    _name = "debtor.dunning.arrangement.refuse"
    _description = "Refuse a proposed payment arrangement"

    arrangement_ids = fields.Many2many(
        "debtor.dunning.arrangement",
        "debtor_dunning_arrangement_refuse_rel",
        "refuse_id",
        "arrangement_id",
        string="Arrangements",
        required=True,
    )
    reason = fields.Text(required=True, help="Mailed to the customer with the refusal.")

    def action_confirm(self):
        self.ensure_one()
        self.env["debtor.dunning.arrangements"]._refuse(
            self.arrangement_ids, self.reason
        )
        return {"type": "ir.actions.act_window_close"}
