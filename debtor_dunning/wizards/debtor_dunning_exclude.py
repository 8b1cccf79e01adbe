from odoo import api, fields, models
from odoo.exceptions import UserError


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
        today = fields.Date.context_today(self)
        if self.until_date and self.until_date < today:
            raise UserError(
                self.env._("The end of an exclusion cannot lie in the past.")
            )
        self.move_ids.write(
            {
                "dunning_excluded": True,
                "dunning_exclusion_reason": self.reason,
                "dunning_excluded_until": self.until_date,
            }
        )
        return {"type": "ir.actions.act_window_close"}
