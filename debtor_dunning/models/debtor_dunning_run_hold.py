from odoo import fields, models

REASONS = [
    ("grace", "In grace period"),
    ("disputed", "Disputed"),
    ("arrangement", "Payment arrangement"),
    ("promise", "Promise to pay"),
    ("excluded", "Excluded"),
    ("handed_over", "Handed over"),
    ("factored", "Sold to a factor"),
    ("do_not_dun", "Customer not dunned"),
    ("below_min_amount", "Below minimum amount"),
    ("covered_by_credit", "Covered by open credits"),
    ("min_interval", "Recent notice"),
    ("not_a_send_day", "Not a sending day"),
    ("pause_period", "Pause period"),
    ("last_level_reached", "Last level reached"),
    ("no_policy", "No dunning policy"),
    ("not_due", "Not due"),
    ("already_at_level", "Already at this level"),
]


class DebtorDunningRunHold(models.Model):
    _name = "debtor.dunning.run.hold"
    _description = "Invoice held back in a dunning run"
    _order = "run_id, partner_id, date_maturity"

    run_id = fields.Many2one(
        "debtor.dunning.run", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_line_id = fields.Many2one(
        "account.move.line", required=True, ondelete="cascade"
    )
    move_id = fields.Many2one("account.move", string="Invoice", required=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    level_id = fields.Many2one("debtor.dunning.level", string="Level Reached")
    date_maturity = fields.Date(string="Due Date")
    amount_residual = fields.Monetary(
        string="Open Amount", currency_field="currency_id"
    )
    reason = fields.Selection(REASONS, required=True)
