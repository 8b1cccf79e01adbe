from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # Written by debtor.dunning.escalation (set-based) when a notice is issued; an
    # invoice with several due dates is dunned per receivable line (instalment).
    dunning_level_id = fields.Many2one(
        "debtor.dunning.level", string="Dunning Level", index="btree_not_null", copy=False
    )
    dunning_last_date = fields.Date(string="Last Dunning", copy=False)
