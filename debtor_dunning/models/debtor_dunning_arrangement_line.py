from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from ..core.money import to_decimal, to_float
from . import guard


class DebtorDunningArrangementLine(models.Model):
    """One instalment of a payment arrangement (number 0 is the down payment)."""

    _name = "debtor.dunning.arrangement.line"
    _description = "Payment arrangement instalment"
    _order = "arrangement_id, number"

    arrangement_id = fields.Many2one(
        "debtor.dunning.arrangement", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="arrangement_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="arrangement_id.currency_id")
    partner_id = fields.Many2one(
        related="arrangement_id.partner_id", store=True, index=True
    )
    number = fields.Integer(required=True)
    due_date = fields.Date(required=True)
    amount = fields.Monetary(required=True)
    paid_amount = fields.Monetary(string="Paid", compute="_compute_paid_amount")
    open_amount = fields.Monetary(string="Left to Pay", compute="_compute_paid_amount")
    state = fields.Selection(
        [
            ("open", "Open"),
            ("partial", "Partly paid"),
            ("overdue", "Overdue"),
            ("paid", "Paid"),
        ],
        compute="_compute_paid_amount",
    )
    reminded_date = fields.Date(
        string="Reminded On",
        readonly=True,
        copy=False,
        help="The customer was reminded of this instalment: never twice.",
    )
    activity_id = fields.Many2one("mail.activity", ondelete="set null", readonly=True)

    @api.depends("due_date", "amount", "currency_id")
    def _compute_display_name(self):
        """When and how much ("15/12/2026: 125,00 €"), in the reader's language."""
        for line in self:
            line.display_name = self.env._(
                "%(date)s: %(amount)s",
                date=format_date(self.env, line.due_date),
                amount=format_amount(self.env, line.amount, line.currency_id),
            )

    def _check_arrangement_not_confirmed(self, arrangements):
        confirmed = arrangements._dunning_confirmed()
        if confirmed and not guard.is_own(self.env):
            raise UserError(confirmed._dunning_confirmed_message())

    @api.model_create_multi
    def create(self, vals_list):
        self._check_arrangement_not_confirmed(
            self.env["debtor.dunning.arrangement"].browse(
                [v["arrangement_id"] for v in vals_list if v.get("arrangement_id")]
            )
        )
        return super().create(vals_list)

    def write(self, vals):
        self._check_arrangement_not_confirmed(self.arrangement_id)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_not_confirmed(self):
        self._check_arrangement_not_confirmed(self.arrangement_id)

    @api.depends("amount", "due_date", "arrangement_id.line_ids")
    def _compute_paid_amount(self):
        """Payments cover the instalments oldest first (core.arrangement)."""
        today = fields.Date.context_today(self)
        arrangements = self.arrangement_id
        paid = arrangements._paid_amounts()
        covered = {}
        for arrangement in arrangements:
            lines = arrangement.line_ids.sorted("number")
            covered.update(
                zip(lines, arrangement._covered(paid[arrangement.id]), strict=True)
            )
        for line in self:
            rounding = line.currency_id.rounding or 0.01
            part = covered.get(line, to_decimal(0, rounding))
            amount = to_decimal(line.amount, rounding)
            line.paid_amount = to_float(part)
            line.open_amount = to_float(amount - part)
            if part >= amount:
                line.state = "paid"
            elif line.due_date and line.due_date < today:
                line.state = "overdue"
            else:
                line.state = "partial" if part else "open"
