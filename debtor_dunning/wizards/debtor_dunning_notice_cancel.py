from odoo import fields, models


class DebtorDunningNoticeCancel(models.TransientModel):
    _name = "debtor.dunning.notice.cancel"
    _description = "Cancel issued dunning notices"

    notice_ids = fields.Many2many(
        "debtor.dunning.notice",
        "debtor_dunning_notice_cancel_rel",
        "cancel_id",
        "notice_id",
        string="Notices",
        required=True,
    )
    reason = fields.Text(
        required=True,
        help="Why the notices are withdrawn: kept on the notice and in the chatter of "
        "the notice and its invoices.",
    )

    def action_confirm(self):
        self.ensure_one()
        self.notice_ids._dunning_cancel_issued(self.reason)
        return {"type": "ir.actions.act_window_close"}
