from odoo import fields, models


class DebtorDunningNoticeRefuse(models.TransientModel):
    _name = "debtor.dunning.notice.refuse"
    _description = "Refuse proposed dunning notices"

    notice_ids = fields.Many2many(
        "debtor.dunning.notice",
        "debtor_dunning_notice_refuse_rel",
        "refuse_id",
        "notice_id",
        string="Notices",
        required=True,
    )
    reason = fields.Text(
        required=True,
        help="Why the notices may not go out: kept on the notice, in its chatter and "
        "in the proposer's to-do.",
    )

    def action_confirm(self):
        self.ensure_one()
        self.env["debtor.dunning.approval"]._refuse(self.notice_ids, self.reason)
        return {"type": "ir.actions.act_window_close"}
