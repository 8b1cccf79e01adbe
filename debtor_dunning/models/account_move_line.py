from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # Written by debtor.dunning.escalation (set-based) when a notice is issued; an
    # invoice with several due dates is dunned per receivable line (instalment).
    # Not indexed: searches go through account.move; an index here would make every
    # level update of a large run rewrite all of account_move_line's indexes.
    dunning_level_id = fields.Many2one("debtor.dunning.level", copy=False)
    dunning_last_date = fields.Date(string="Last Dunning", copy=False)
