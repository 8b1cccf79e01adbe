from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..core import arrangement as core_arrangement
from ..core import interest
from ..core.errors import DunningRuleError
from ..core.money import to_decimal, to_float
from . import guard

STATES = [
    ("draft", "Draft"),
    ("running", "Running"),
    ("late", "Late"),
    ("broken", "Broken"),
    ("completed", "Completed"),
    ("cancel", "Cancelled"),
]
# Labels of core.arrangement.Frequency, by value.
FREQUENCIES = [
    ("weekly", "Weekly"),
    ("biweekly", "Every two weeks"),
    ("monthly", "Monthly"),
    ("quarterly", "Quarterly"),
]
ACTIVE = ("running", "late")
# The most instalments a customer may propose himself; more needs the accountant.
MAX_PORTAL_INSTALMENTS = 24

# What the arrangement SQL reads (flushed first, and nothing else).
_READS = {
    "account.move.line": [
        "move_id",
        "account_id",
        "amount_residual",
        "parent_state",
        "reconciled",
        "partner_id",
        "company_id",
        "date",
    ],
    "account.partial.reconcile": ["debit_move_id"],
    "debtor.dunning.arrangement": [
        "move_ids",
        "company_id",
        "partner_id",
        "charges_included",
        "confirmed_date",
    ],
}


class DebtorDunningArrangement(models.Model):
    """Overdue invoices turned into instalments; they are not dunned while it runs."""

    _name = "debtor.dunning.arrangement"
    _description = "Payment arrangement"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        domain="[('parent_id', '=', False)]",
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        tracking=True,
        help="Gets a to-do for every instalment.",
    )
    state = fields.Selection(
        STATES, required=True, default="draft", index=True, tracking=True, copy=False
    )
    source = fields.Selection(
        [("internal", "Accountant"), ("portal", "Customer portal")],
        required=True,
        default="internal",
        readonly=True,
    )
    move_ids = fields.Many2many(
        "account.move",
        "debtor_dunning_arrangement_move_rel",
        "arrangement_id",
        "move_id",
        string="Invoices",
        check_company=True,
        domain=lambda self: self._move_ids_domain(),
    )
    charges_included = fields.Boolean(
        string="Include Costs and Interest",
        help="Add the collection costs and interest of the customer's last notice.",
    )
    principal_amount = fields.Monetary(
        string="Principal", readonly=True, help="Open amount of the invoices."
    )
    cost_amount = fields.Monetary(string="Collection Costs", readonly=True)
    interest_amount = fields.Monetary(string="Interest", readonly=True)
    total_amount = fields.Monetary(string="Total", readonly=True)
    down_payment_amount = fields.Monetary(
        string="Down Payment", help="Paid on the first date, before the instalments."
    )
    instalment_count = fields.Integer(string="Instalments", default=3)
    frequency = fields.Selection(FREQUENCIES, required=True, default="monthly")
    first_date = fields.Date(
        string="First Payment",
        required=True,
        default=lambda self: fields.Date.context_today(self) + timedelta(days=7),
    )
    grace_days = fields.Integer(
        default=7,
        help="Days an instalment may be late before the arrangement is broken.",
    )
    reminder_days = fields.Integer(
        default=3, help="The customer is reminded this many days before an instalment."
    )
    acknowledged_date = fields.Date(
        string="Debt Acknowledged On",
        copy=False,
        help="The day the customer acknowledged the debt (the proposal or the signed "
        "confirmation): it interrupts limitation (NL art. 3:318 BW).",
    )
    confirmed_date = fields.Date(readonly=True, copy=False)
    broken_date = fields.Date(readonly=True, copy=False)
    end_date = fields.Date(
        string="Last Instalment Due",
        compute="_compute_end_date",
        store=True,
        help="The due date of the schedule's last instalment.",
    )
    refusal_reason = fields.Text(readonly=True, copy=False)
    line_ids = fields.One2many(
        "debtor.dunning.arrangement.line",
        "arrangement_id",
        string="Schedule",
        readonly=True,
        copy=False,
    )
    paid_amount = fields.Monetary(
        compute="_compute_paid_amount",
        help="What the customer paid towards the arrangement since it was confirmed.",
    )
    remaining_amount = fields.Monetary(compute="_compute_paid_amount")
    paid_cost_amount = fields.Monetary(
        string="Paid Costs", compute="_compute_paid_amount"
    )
    paid_interest_amount = fields.Monetary(
        string="Paid Interest", compute="_compute_paid_amount"
    )
    paid_principal_amount = fields.Monetary(
        string="Paid Principal", compute="_compute_paid_amount"
    )
    next_line_id = fields.Many2one(
        "debtor.dunning.arrangement.line",
        string="Next Instalment",
        compute="_compute_paid_amount",
    )
    payment_partial_ids = fields.Many2many(
        "account.partial.reconcile",
        string="Payments",
        compute="_compute_payment_partial_ids",
    )

    @api.depends("line_ids.due_date")
    def _compute_end_date(self):
        for arrangement in self:
            dates = arrangement.line_ids.mapped("due_date")
            arrangement.end_date = max(dates) if dates else False

    def _compute_paid_amount(self):
        paid = self._paid_amounts()
        for arrangement in self:
            amount = paid.get(arrangement.id, Decimal(0))
            rounding = arrangement.currency_id.rounding or 0.01
            allocation = interest.allocate_payment(
                amount,
                to_decimal(arrangement.cost_amount, rounding),
                to_decimal(arrangement.interest_amount, rounding),
                to_decimal(arrangement.principal_amount, rounding),
            )
            arrangement.paid_amount = to_float(amount)
            arrangement.remaining_amount = max(
                arrangement.total_amount - to_float(amount), 0.0
            )
            arrangement.paid_cost_amount = to_float(allocation.costs)
            arrangement.paid_interest_amount = to_float(allocation.interest)
            arrangement.paid_principal_amount = to_float(allocation.principal)
            lines = arrangement.line_ids.sorted("number")
            covered = arrangement._covered(amount)
            arrangement.next_line_id = next(
                (
                    line
                    for line, part in zip(lines, covered, strict=True)
                    if part < to_decimal(line.amount, rounding)
                ),
                False,
            )

    def _compute_payment_partial_ids(self):
        by_arrangement = defaultdict(list)
        if self.ids:
            # The partial reconciliations that paid each arrangement's invoices.
            for row in self._read_sql(
                SQL(
                    """SELECT DISTINCT rel.arrangement_id, apr.id AS partial_id
                         FROM debtor_dunning_arrangement_move_rel rel
                         JOIN account_move_line aml ON aml.move_id = rel.move_id
                         JOIN account_partial_reconcile apr
                           ON apr.debit_move_id = aml.id
                        WHERE rel.arrangement_id IN %s""",
                    tuple(self.ids),
                )
            ):
                by_arrangement[row["arrangement_id"]].append(row["partial_id"])
        for arrangement in self:
            arrangement.payment_partial_ids = [
                fields.Command.set(by_arrangement.get(arrangement.id, []))
            ]

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for arrangement in self:
            arrangement.access_url = f"/my/arrangements/{arrangement.id}"
        return result

    @api.constrains(
        "instalment_count", "grace_days", "reminder_days", "down_payment_amount"
    )
    def _check_counts(self):
        for arrangement in self:
            if (
                arrangement.instalment_count < 1
                or arrangement.grace_days < 0
                or arrangement.reminder_days < 0
                or arrangement.down_payment_amount < 0
            ):
                raise ValidationError(
                    self.env._(
                        "%(arrangement)s needs at least one instalment; grace days, "
                        "reminder days and the down payment cannot be negative.",
                        arrangement=arrangement.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            company = self.env["res.company"].browse(
                vals.get("company_id") or self.env.company.id
            )
            sequence = self.env["ir.sequence"].sudo().with_company(company)
            vals["name"] = sequence.next_by_code("debtor.dunning.arrangement") or "/"
        return super().create(vals_list)

    def _dunning_confirmed(self):
        """Arrangements agreed with the customer: their history stays as it is."""
        return self.filtered("confirmed_date")

    def _dunning_confirmed_message(self):
        return self.env._(
            "%(arrangement)s was confirmed to the customer: it cannot be changed or "
            "deleted, only cancelled (Cancel), completed or broken.",
            arrangement=self[:1].display_name,
        )

    def write(self, vals):
        confirmed = self._dunning_confirmed()
        guard.refuse_frozen(confirmed, vals, confirmed._dunning_confirmed_message())
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        confirmed = self._dunning_confirmed()
        if confirmed:
            raise UserError(confirmed._dunning_confirmed_message())
        if self.filtered(lambda a: a.state not in ("draft", "cancel")):
            raise UserError(
                self.env._("Cancel a payment arrangement before deleting it.")
            )

    # ------------------------------------------------------------------ actions
    def action_compute_schedule(self):
        """(Re)make the instalments of draft arrangements from their invoices today."""
        self._check_state(("draft",))
        self._check_moves()
        self._make_schedule()
        return True

    def action_confirm(self):
        """Agree on the arrangement: hold the invoices, plan and confirm in writing."""
        self.env["debtor.dunning.arrangements"]._confirm(self)
        return True

    def action_refuse(self):
        """Open the dialog that refuses a customer's proposal with a reason."""
        self._check_state(("draft",))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Refuse Proposal"),
            "res_model": "debtor.dunning.arrangement.refuse",
            "view_mode": "form",
            "target": "new",
            "context": {"default_arrangement_ids": self.ids},
        }

    def action_cancel(self):
        """Call the arrangement off: its invoices are dunned again."""
        self.env["debtor.dunning.arrangements"]._cancel(self)
        return True

    def action_draft(self):
        """Reopen a cancelled arrangement as a draft."""
        self._check_state(("cancel",))
        self.write({"state": "draft", "refusal_reason": False})
        return True

    def action_print_confirmation(self):
        return self.env.ref(
            "debtor_dunning.debtor_dunning_arrangement_action_report"
        ).report_action(self)

    def action_send_confirmation(self):
        """Open the mail composer with the written confirmation."""
        self.ensure_one()
        template = self.env.ref(
            "debtor_dunning.mail_template_dunning_arrangement_confirm",
            raise_if_not_found=False,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "force_email": True,
            },
        }

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_check_arrangements(self):
        """Daily check of the running arrangements (the scheduled action's entry)."""
        return self.env["debtor.dunning.arrangements"]._cron_check()

    # ------------------------------------------------------------------ business
    def _check_state(self, states):
        wrong = self.filtered(lambda a: a.state not in states)
        if wrong:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(arrangement)s is %(state)s: this cannot be done now.",
                    arrangement=wrong[0].display_name,
                    state=labels[wrong[0].state],
                )
            )

    @api.model
    def _move_ids_domain(self):
        """The invoices an arrangement may take: the customer's, free for one."""
        # The rule with this form's own values (its id, its customer) filled in.
        *rule, _arrangement_leaf = self.env[
            "account.move"
        ]._dunning_arrangeable_domain()
        return (
            repr(rule)[:-1] + ", ('dunning_arrangement_id', 'in', [False, id]),"
            " ('commercial_partner_id', '=', partner_id)]"
        )

    def _check_moves(self):
        """The invoices must be open invoices of the customer, free of other holds."""
        for arrangement in self:
            moves = arrangement.move_ids
            if not moves:
                raise UserError(
                    self.env._(
                        "Pick the overdue invoices %(arrangement)s covers.",
                        arrangement=arrangement.display_name,
                    )
                )
            for move in moves:
                problem = move._dunning_arrangement_problem(
                    arrangement.partner_id, arrangement
                )
                if problem:
                    raise UserError(problem)

    def _charges_due(self):
        """Collection costs and interest of the customer's last issued notice."""
        self.ensure_one()
        notice = self.env["debtor.dunning.notice"].search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("state", "=", "issued"),
            ],
            order="date desc, id desc",
            limit=1,
        )
        return notice.cost_amount, notice.interest_amount

    def _read_sql(self, query):
        """Rows (dicts) of a query over what _READS names, flushed first."""
        for model, fnames in _READS.items():
            self.env[model].flush_model(fnames)
        return self.env.execute_query_dict(query)

    def _open_amounts(self):
        """Open amount of each arrangement's invoices now, company currency."""
        if not self.ids:
            return {}
        rows = self._read_sql(
            SQL(
                """SELECT rel.arrangement_id,
                          COALESCE(SUM(aml.amount_residual), 0) AS open_amount
                     FROM debtor_dunning_arrangement_move_rel rel
                     JOIN account_move_line aml ON aml.move_id = rel.move_id
                     JOIN account_account acc ON acc.id = aml.account_id
                    WHERE rel.arrangement_id IN %s
                      AND aml.parent_state = 'posted'
                      AND acc.account_type = 'asset_receivable'
                 GROUP BY rel.arrangement_id""",
                tuple(self.ids),
            )
        )
        return {row["arrangement_id"]: row["open_amount"] for row in rows}

    def _make_schedule(self):
        """Freeze the amounts and write the instalments the core schedules."""
        open_amounts = self._open_amounts()
        for arrangement in self:
            rounding = arrangement.currency_id.rounding
            principal = to_decimal(open_amounts.get(arrangement.id, 0.0), rounding)
            costs = interest_ = Decimal(0)
            if arrangement.charges_included:
                costs, interest_ = (
                    to_decimal(amount, rounding)
                    for amount in arrangement._charges_due()
                )
            total = principal + costs + interest_
            down = to_decimal(arrangement.down_payment_amount, rounding)
            if total <= 0:
                raise UserError(
                    self.env._(
                        "The invoices of %(arrangement)s have nothing left to pay.",
                        arrangement=arrangement.display_name,
                    )
                )
            if down >= total:
                raise UserError(
                    self.env._(
                        "The down payment %(down)s must be less than the debt "
                        "%(total)s.",
                        down=arrangement.down_payment_amount,
                        total=to_float(total),
                    )
                )
            try:
                schedule = core_arrangement.instalment_schedule(
                    total,
                    arrangement.instalment_count,
                    arrangement.first_date,
                    core_arrangement.Frequency(arrangement.frequency),
                    down,
                )
            except DunningRuleError as error:
                raise UserError(
                    self.env._(
                        "No schedule can be made for %(arrangement)s: %(error)s",
                        arrangement=arrangement.display_name,
                        error=str(error),
                    )
                ) from error
            arrangement.write(
                {
                    "principal_amount": to_float(principal),
                    "cost_amount": to_float(costs),
                    "interest_amount": to_float(interest_),
                    "total_amount": to_float(total),
                    "line_ids": [fields.Command.clear()]
                    + [
                        fields.Command.create(
                            {
                                "number": instalment.number,
                                "due_date": instalment.due_date,
                                "amount": to_float(instalment.amount),
                            }
                        )
                        for instalment in schedule
                    ],
                }
            )

    def _core_instalments(self):
        """The schedule as the core sees it."""
        self.ensure_one()
        rounding = self.currency_id.rounding or 0.01
        return tuple(
            core_arrangement.Instalment(
                line.number, line.due_date, to_decimal(line.amount, rounding)
            )
            for line in self.line_ids.sorted("number")
        )

    def _covered(self, paid):
        """What `paid` covers of each instalment, in the order of their numbers."""
        self.ensure_one()
        return core_arrangement.allocate_to_instalments(self._core_instalments(), paid)

    def _paid_amounts(self):
        """Per arrangement: what the customer paid towards it since confirmation.

        The drop of its invoices' open amount (payments and credit notes reconciled
        with them) plus, when costs and interest are included, the customer's
        unreconciled payments since confirmation, up to those charges. Read set-based.
        """
        result = {arrangement.id: Decimal(0) for arrangement in self}
        running = self.filtered("confirmed_date")
        if not running.ids:
            return result
        open_amounts = running._open_amounts()
        # What each customer paid since confirmation on top of the invoices
        # (unreconciled payments), for arrangements including costs and interest.
        rows = running._read_sql(
            SQL(
                """SELECT a.id AS arrangement_id, -SUM(aml.amount_residual) AS paid
                     FROM debtor_dunning_arrangement a
                     JOIN account_move_line aml ON aml.company_id = a.company_id
                     JOIN account_move m ON m.id = aml.move_id
                     JOIN account_account acc ON acc.id = aml.account_id
                     JOIN res_partner p ON p.id = aml.partner_id
                    WHERE a.id IN %s
                      AND a.charges_included
                      AND COALESCE(p.commercial_partner_id, p.id) = a.partner_id
                      AND aml.parent_state = 'posted'
                      AND acc.account_type = 'asset_receivable'
                      AND m.move_type = 'entry'
                      AND NOT aml.reconciled
                      AND aml.amount_residual < 0
                      AND aml.date >= a.confirmed_date
                 GROUP BY a.id""",
                tuple(running.ids),
            )
        )
        extra = {row["arrangement_id"]: row["paid"] for row in rows}
        for arrangement in running:
            rounding = arrangement.currency_id.rounding
            principal = to_decimal(arrangement.principal_amount, rounding)
            left = to_decimal(open_amounts.get(arrangement.id, 0.0), rounding)
            charges = to_decimal(
                arrangement.cost_amount + arrangement.interest_amount, rounding
            )
            result[arrangement.id] = max(principal - left, Decimal(0)) + min(
                to_decimal(extra.get(arrangement.id) or 0.0, rounding), charges
            )
        return result

    def _verdict(self, paid, as_of):
        """'completed', 'broken', 'late' or 'running': where a running one stands."""
        self.ensure_one()
        instalments = self._core_instalments()
        if paid >= sum((i.amount for i in instalments), Decimal(0)):
            return "completed"
        if core_arrangement.breached(instalments, paid, as_of, self.grace_days):
            return "broken"
        covered = core_arrangement.allocate_to_instalments(instalments, paid)
        if any(
            part < instalment.amount and instalment.due_date < as_of
            for instalment, part in zip(instalments, covered, strict=True)
        ):
            return "late"
        return "running"

    def _check_paid(self):
        """Complete these arrangements if they are paid in full."""
        self.env["debtor.dunning.arrangements"]._check_paid(self)
