from odoo import fields, models


class DebtorDunningDso(models.Model):
    """Days sales outstanding per month end, by the count-back method.

    Written by `debtor.dunning.figures._refresh_dso` (opening the dashboard or the DSO
    figure brings it up to date): the open receivables at the month end
    (reconstructed from the reconciliation dates) counted back against the credit
    sales of that month and up to 11 before it (`core.figures.dso_count_back`).
    """

    _name = "debtor.dunning.dso"
    _description = "Dunning Figures: Days Sales Outstanding"
    _order = "date desc, company_id"
    _rec_name = "date"

    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Month End", required=True)
    balance = fields.Monetary(string="Open Receivables")
    sales = fields.Monetary(string="Credit Sales of the Month")
    dso_days = fields.Float(string="DSO (Days)", aggregator="avg", digits=(16, 1))
