from odoo import api, fields, models


class DebtorDunningExclude(models.TransientModel):
    _name = "debtor.dunning.exclude"
    _description = "Exclude invoices from dunning"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    reason = fields.Char(required=True)
    until_date = fields.Date(
        string="Until",
        help="Dunning resumes by itself after this day. Empty: until lifted by hand.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "account.move":
            values["move_ids"] = [
                fields.Command.set(self.env.context.get("active_ids", []))
            ]
        return values

    def action_confirm(self):
        self.ensure_one()
        self.move_ids._dunning_exclude(self.reason, self.until_date)
        return {"type": "ir.actions.act_window_close"}
