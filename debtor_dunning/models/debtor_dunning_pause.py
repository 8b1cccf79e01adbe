from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DebtorDunningPause(models.Model):
    _name = "debtor.dunning.pause"
    _description = "Dunning pause period"
    _order = "start_date"

    policy_id = fields.Many2one(
        "debtor.dunning.policy", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    name = fields.Char(required=True, translate=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)

    @api.constrains("start_date", "end_date")
    def _check_dates(self):
        for pause in self:
            if pause.end_date < pause.start_date:
                raise ValidationError(
                    self.env._(
                        "The pause %(name)s ends before it starts.", name=pause.name
                    )
                )
