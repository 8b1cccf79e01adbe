from collections import defaultdict

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
    # Not stored: issuing thousands of notices would rewrite every line's copy.
    state = fields.Selection(related="notice_id.state")
    partner_id = fields.Many2one(related="notice_id.partner_id")
    notice_date = fields.Date(related="notice_id.date", string="Notice Date")
    move_line_id = fields.Many2one(
        "account.move.line", string="Journal Item", required=True, index=True
    )
    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, index=True
    )
    level_id = fields.Many2one("debtor.dunning.level")
    previous_level_id = fields.Many2one("debtor.dunning.level")
    previous_date = fields.Date(
        string="Previous Notice", help="The date of the last notice that listed it."
    )
    previous_term_date = fields.Date(
        string="Previous Term Ended",
        help="The last day of the term its previous notice gave.",
    )
    age_level_id = fields.Many2one(
        "debtor.dunning.level",
        string="Level By Age",
        help="The level its days overdue alone reach: higher than its level when the "
        "path up the ladder holds it back.",
    )
    escalated = fields.Boolean(
        help="The invoice reached a new level with this notice; otherwise it rode "
        "along."
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
    # For the letter: "your dispute of this invoice was rejected" (dispute model).
    dispute_rejected = fields.Boolean(
        compute="_compute_dispute_rejected",
        help="A dispute on this invoice was rejected since its previous notice: the "
        "letter says so.",
    )

    def _compute_dispute_rejected(self):
        rejected = defaultdict(list)
        for dispute in (
            self.env["debtor.dunning.dispute"]
            .sudo()
            .search([("move_id", "in", self.move_id.ids), ("state", "=", "rejected")])
        ):
            rejected[dispute.move_id.id].append(dispute.resolved_date)
        noticed = defaultdict(list)
        for line in self.sudo().search(
            [("move_id", "in", list(rejected)), ("state", "=", "issued")]
        ):
            noticed[line.move_id.id].append((line.notice_date, line.notice_id.id))
        for line in self:
            day = line.notice_date
            line.dispute_rejected = bool(day) and any(
                resolved
                and resolved <= day
                and not any(
                    resolved <= other < day
                    for other, notice_id in noticed[line.move_id.id]
                    if notice_id != line.notice_id.id
                )
                for resolved in rejected[line.move_id.id]
            )
