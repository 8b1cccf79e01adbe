from odoo import fields, models


class DebtorDunningNoticeLine(models.Model):
    _name = "debtor.dunning.notice.line"
    _description = "Invoice on a dunning notice"
    _order = "notice_id, date_maturity, id"

    notice_id = fields.Many2one(
        "debtor.dunning.notice", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="notice_id.company_id", store=True, index=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(related="notice_id.state", store=True)
    partner_id = fields.Many2one(related="notice_id.partner_id")
    notice_date = fields.Date(related="notice_id.date", string="Notice Date")
    move_line_id = fields.Many2one(
        "account.move.line", string="Journal Item", required=True, index=True
    )
    move_id = fields.Many2one("account.move", string="Invoice", required=True, index=True)
    level_id = fields.Many2one("debtor.dunning.level", string="Level")
    previous_level_id = fields.Many2one("debtor.dunning.level", string="Previous Level")
    escalated = fields.Boolean(
        help="The invoice reached a new level with this notice; otherwise it rode along."
    )
    date_maturity = fields.Date(string="Due Date")
    days_overdue = fields.Integer()
    currency_id = fields.Many2one("res.currency", string="Invoice Currency")
    amount_residual_currency = fields.Monetary(
        string="Open Amount", currency_field="currency_id"
    )
    amount_residual = fields.Monetary(
        string="Open Amount (Company Currency)", currency_field="company_currency_id"
    )
