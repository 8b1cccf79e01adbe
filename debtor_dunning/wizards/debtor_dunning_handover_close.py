from odoo import fields, models


class DebtorDunningHandoverClose(models.TransientModel):
    _name = "debtor.dunning.handover.close"
    _description = "Close a case at a collection agency"

    handover_id = fields.Many2one("debtor.dunning.handover", required=True)
    outcome = fields.Selection(
        [
            ("returned", "Returned: our own dunning resumes"),
            ("written_off", "Written off"),
        ],
        required=True,
        default="returned",
    )
    note = fields.Text(
        required=True, help="Why the case is closed: kept on the case and its chatter."
    )

    def action_confirm(self):
        self.ensure_one()
        self.env["debtor.dunning.collection"]._close(
            self.handover_id, self.outcome, self.note
        )
        return {"type": "ir.actions.act_window_close"}
