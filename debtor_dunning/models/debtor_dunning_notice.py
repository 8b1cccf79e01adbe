import base64
import functools
import logging
import subprocess
import uuid
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date
from odoo.tools.misc import find_in_path

from ..core import law as core_law
from ..core import reference
from ..core.errors import DunningRuleError
from . import bulk, guard

_logger = logging.getLogger(__name__)

# What the charges service computes for a notice (debtor.dunning.charges).
_CHARGE_TOTALS = (
    "id",
    "cost_amount",
    "interest_amount",
    "announced_cost_amount",
    "announced_cost_kind",
    "charge_note",
    "pay_by_date",
    "presumed_receipt_date",
    "letter_currency_id",
    "letter_rate",
)
_CHARGE_TOTALS_SQL = """
    UPDATE debtor_dunning_notice n
       SET cost_amount = v.cost_amount,
           interest_amount = v.interest_amount,
           amount_due = COALESCE(n.amount_total, 0) + v.cost_amount
                        + v.interest_amount,
           announced_cost_amount = v.announced_cost_amount,
           announced_cost_kind = v.announced_cost_kind,
           charge_note = v.charge_note,
           pay_by_date = v.pay_by_date,
           presumed_receipt_date = v.presumed_receipt_date,
           letter_currency_id = v.letter_currency_id,
           letter_rate = v.letter_rate
      FROM unnest(%(id)s::int[], %(cost_amount)s::numeric[],
                  %(interest_amount)s::numeric[], %(announced_cost_amount)s::numeric[],
                  %(announced_cost_kind)s::varchar[], %(charge_note)s::text[],
                  %(pay_by_date)s::date[], %(presumed_receipt_date)s::date[],
                  %(letter_currency_id)s::int[], %(letter_rate)s::numeric[])
           AS v(id, cost_amount, interest_amount, announced_cost_amount,
                announced_cost_kind, charge_note, pay_by_date, presumed_receipt_date,
                letter_currency_id, letter_rate)
     WHERE n.id = v.id
       -- unchanged (computed again at issue): no new row version, no index entries
       AND (n.cost_amount, n.interest_amount, n.amount_due, n.announced_cost_amount,
            n.announced_cost_kind, n.charge_note, n.pay_by_date,
            n.presumed_receipt_date, n.letter_currency_id, n.letter_rate)
           IS DISTINCT FROM
           (v.cost_amount, v.interest_amount,
            COALESCE(n.amount_total, 0) + v.cost_amount + v.interest_amount,
            v.announced_cost_amount, v.announced_cost_kind, v.charge_note,
            v.pay_by_date, v.presumed_receipt_date, v.letter_currency_id,
            v.letter_rate)
"""

# Written only by the approval service (services/debtor_dunning_approval.py).
_APPROVAL_FIELDS = (
    "approval_state",
    "approved_by_id",
    "approved_date",
    "refused_reason",
    "changed_by_ids",
)
# Practice: calls in the middle of the week get answered (Monday is catching up,
# Friday is wrapping up), see the seeds of the credit controllers' tips.
_CALL_WEEKDAYS = (1, 2, 3)
# What the presumed receipt of a notice is decided from (_dunning_presumed_receipt),
# besides its customer's law and whether its level sends a letter.
RECEIPT_FACTS = (
    "date",
    "letter_state",
    "letter_date",
    "delivered_date",
    "email_date",
    "email_state",
)
# How an issued notice reached the customer: the sending code records these; what
# the customer was sent (level, dates, lines, amounts, texts) stays frozen.
DELIVERY_FIELDS = (
    "email_state",
    "letter_state",
    "call_state",
    "mail_id",
    "mail_message_id",
    "email_attempt_count",
    "email_error",
    "email_date",
    "letter_date",
    "send_user_id",
    "tracking_number",
    "delivered_date",
    "presumed_receipt_date",
    "pay_by_date",
)


@functools.cache
def _wkhtmltopdf_prints_headers():
    """True if wkhtmltopdf is the patched-Qt build that prints HTML headers/footers.

    Debian's build is not: it ignores --header-html and --footer-html, so the
    company's letterhead must then be part of the letter's body.
    """
    try:
        out = subprocess.run(
            [find_in_path("wkhtmltopdf"), "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "patched qt" in out.lower()


class DebtorDunningNotice(models.Model):
    _name = "debtor.dunning.notice"
    _description = "Dunning notice"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(readonly=True, copy=False, default="/")
    # A run with issued notices cannot be deleted: a cascade would skip their guard.
    run_id = fields.Many2one("debtor.dunning.run", ondelete="restrict", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True
    )
    policy_id = fields.Many2one("debtor.dunning.policy", required=True)
    level_id = fields.Many2one(
        "debtor.dunning.level",
        required=True,
        domain="[('policy_id', '=', policy_id)]",
        tracking=True,
    )
    rank = fields.Integer(related="level_id.rank", store=True)
    # The channels a draft will go by (its level's); states start at issue.
    level_send_email = fields.Boolean(
        string="Will E-mail", related="level_id.send_email"
    )
    level_send_letter = fields.Boolean(
        string="Will Print a Letter", related="level_id.send_letter"
    )
    level_create_call = fields.Boolean(
        string="Will Call", related="level_id.create_call"
    )
    max_rank = fields.Integer(
        string="Highest Allowed Rank",
        readonly=True,
        help="The highest level a reviewer may raise this proposed notice to: what the "
        "path up the ladder allows its invoices now.",
    )
    date = fields.Date(required=True)
    state = fields.Selection(
        [("draft", "Proposed"), ("issued", "Issued"), ("cancel", "Cancelled")],
        required=True,
        default="draft",
        index=True,
        tracking=True,
    )
    line_ids = fields.One2many("debtor.dunning.notice.line", "notice_id")
    # Four-eyes approval of a legal step (level.requires_approval): written only by
    # the approval service (services/debtor_dunning_approval.py).
    approval_state = fields.Selection(
        [
            ("none", "Not needed"),
            ("waiting", "To approve"),
            ("approved", "Approved"),
            ("refused", "Refused"),
        ],
        default="none",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        help="A notice of a level that needs four-eyes approval is issued only once a "
        "Dunning approver who did not make or change the proposal approved it.",
    )
    # Approval and refusal are logged in the chatter by the approval service.
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_date = fields.Datetime(string="Approved On", readonly=True, copy=False)
    refused_reason = fields.Text(readonly=True, copy=False)
    changed_by_ids = fields.Many2many(
        "res.users",
        "debtor_dunning_notice_changed_by_rel",
        "notice_id",
        "user_id",
        readonly=True,
        copy=False,
        help="Who changed this proposed notice: none of them may approve it.",
    )
    # Cancel notice (an issued one): who, when and why; the record stays.
    cancel_reason = fields.Text(readonly=True, copy=False)
    cancelled_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    cancelled_date = fields.Datetime(string="Cancelled On", readonly=True, copy=False)
    amount_total = fields.Monetary(
        string="Total Due",
        currency_field="currency_id",
        help="Open amount of the listed invoices, in company currency, when issued.",
    )
    # Costs and interest: computed and frozen when the notice is issued.
    charge_ids = fields.One2many("debtor.dunning.notice.charge", "notice_id")
    cost_amount = fields.Monetary(
        string="Collection Costs", currency_field="currency_id"
    )
    interest_amount = fields.Monetary(string="Interest", currency_field="currency_id")
    amount_due = fields.Monetary(
        compute="_compute_amount_due",
        store=True,
        currency_field="currency_id",
        help="Open invoices plus the costs and interest this notice claims.",
    )
    pay_by_date = fields.Date(
        string="Pay By",
        help="The day by which the customer is asked to pay: the level's days to pay, "
        "never before the end of a term the law gives (the Dutch 14-day letter, the "
        "Belgian consumer's first reminder).",
    )
    # The letter is in the invoices' currency when they share one: costs and interest
    # are computed in the company's currency and converted at the notice date's rate.
    letter_currency_id = fields.Many2one(
        "res.currency",
        readonly=True,
        help="The currency of the letter: the invoices' own when they share one, "
        "else the company's.",
    )
    letter_rate = fields.Float(
        digits=(12, 6),
        default=1.0,
        readonly=True,
        help="Units of the letter's currency per unit of the company's, on the notice "
        "date: the costs and interest are converted at this rate.",
    )
    letter_amount_total = fields.Monetary(
        string="Total Due (Letter)",
        compute="_compute_letter_amounts",
        currency_field="letter_currency_id",
    )
    letter_cost_amount = fields.Monetary(
        string="Collection Costs (Letter)",
        compute="_compute_letter_amounts",
        currency_field="letter_currency_id",
    )
    letter_interest_amount = fields.Monetary(
        string="Interest (Letter)",
        compute="_compute_letter_amounts",
        currency_field="letter_currency_id",
    )
    letter_amount_due = fields.Monetary(
        string="Amount Due (Letter)",
        compute="_compute_letter_amounts",
        currency_field="letter_currency_id",
        help="What the letter asks: the invoices in their own currency plus the costs "
        "and interest converted into it.",
    )
    email_state = fields.Selection(
        [
            ("none", "No e-mail"),
            ("to_send", "To send"),
            ("queued", "Queued"),
            ("sending", "Sending"),
            ("sent", "Sent"),
            ("failed", "Failed"),
        ],
        string="E-mail",
        default="none",
        required=True,
    )
    letter_state = fields.Selection(
        [
            ("none", "No letter"),
            ("to_print", "To print"),
            ("printed", "Printed"),
            ("posted", "Posted"),
        ],
        string="Letter",
        default="none",
        required=True,
    )
    call_state = fields.Selection(
        [("none", "No call"), ("to_do", "To call"), ("done", "Called")],
        string="Call",
        default="none",
        required=True,
    )
    line_count = fields.Integer(compute="_compute_line_count")
    # What a notice claims besides the invoices, and why it claims no more.
    announced_cost_amount = fields.Monetary(
        string="Costs Announced",
        currency_field="currency_id",
        readonly=True,
        help="A 14-day letter states the collection costs that will be claimed if the "
        "customer does not pay within its term (art. 6:96 lid 6 BW).",
    )
    announced_cost_kind = fields.Selection(
        [
            ("nl_fourteen_day", "Dutch 14-day letter"),
            ("be_first_reminder", "Belgian first reminder"),
        ],
        string="Costs Announced By",
        readonly=True,
        help="The letter the law makes announce the costs (core.law.Announcement).",
    )
    charge_note = fields.Text(
        string="Costs and Interest Note",
        readonly=True,
        help="Why this notice claims no (or fewer) costs or interest than its level "
        "allows: the law's conditions that are not met yet.",
    )
    charge_move_id = fields.Many2one(
        "account.move",
        string="Charge Invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
        help="The invoice posted for this notice's costs and interest.",
    )
    # How a notice reaches the customer: letter, e-mail, post, phone and portal.
    # E-mail: the mail.mail of the notice is the truth about its delivery.
    mail_id = fields.Many2one(
        "mail.mail",
        string="E-mail Queued",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    mail_message_id = fields.Many2one(
        "mail.message", string="E-mail Message", readonly=True, copy=False
    )
    email_attempt_count = fields.Integer(
        string="E-mail Attempts",
        readonly=True,
        copy=False,
        help="How often the e-mail was put in the outgoing queue.",
    )
    email_error = fields.Char(string="E-mail Error", readonly=True, copy=False)
    send_user_id = fields.Many2one(
        "res.users",
        string="Sending Asked By",
        readonly=True,
        copy=False,
        help="Who asked to send this e-mail; told the outcome once it is done.",
    )
    email_date = fields.Datetime(
        string="E-mailed On",
        readonly=True,
        copy=False,
        help="When the mail server accepted the e-mail.",
    )
    letter_date = fields.Date(
        readonly=True,
        copy=False,
        help="The day the letter was printed; once posted, the day it was posted.",
    )
    # Proof of delivery of a registered letter, and the receipt the law presumes.
    registered_mail = fields.Boolean(related="level_id.registered_mail")
    tracking_number = fields.Char(
        string="Track and Trace",
        readonly=True,
        copy=False,
        help="The registered letter's track-and-trace number.",
    )
    delivered_date = fields.Date(
        string="Delivered On",
        readonly=True,
        copy=False,
        help="The day the registered letter was delivered, by its track and trace.",
    )
    presumed_receipt_date = fields.Date(
        string="Presumed Receipt",
        readonly=True,
        copy=False,
        help="The day the customer is presumed to have received the notice, from "
        "what proves its delivery (core.law.presumed_receipt); the term of a "
        "registered letter runs from it.",
    )
    payment_reference = fields.Char(
        compute="_compute_payment_reference",
        help="Structured reference the customer quotes with the payment: Belgian "
        "+++OGM+++ for Belgian companies, else the RF creditor reference (ISO 11649).",
    )
    payee_reference = fields.Char(
        compute="_compute_payee_reference",
        help="The reference the customer quotes when paying: the payment reference, "
        "or the factor's for invoices sold to a factor.",
    )
    contact_name = fields.Char(
        compute="_compute_contacts",
        help="Whom the letter and e-mail address by name; empty for a company "
        "without dunning contact.",
    )
    recipient_ids = fields.Many2many(
        "res.partner",
        compute="_compute_contacts",
        string="E-mail Recipients",
        help="The customer's dunning contacts with an e-mail address, else the "
        "customer itself.",
    )
    call_contact_ids = fields.Many2many(
        "res.partner",
        compute="_compute_contacts",
        string="Who to Call",
        help="Dunning contacts with a phone number, else the customer itself.",
    )
    call_best_date = fields.Date(
        string="Best Day to Call",
        compute="_compute_call_best_date",
        help="The next Tuesday, Wednesday or Thursday that is no public holiday of "
        "the policy: calls mid-week get answered.",
    )
    level_reason = fields.Text(
        string="Why This Level",
        compute="_compute_level_reason",
        help="Which invoice sets the notice's level, and why the path up the ladder "
        "allows it.",
    )
    partner_notice_ids = fields.Many2many(
        "debtor.dunning.notice",
        compute="_compute_partner_notice_ids",
        string="Dunning History",
        help="The other notices this customer received.",
    )

    @api.depends("amount_total", "cost_amount", "interest_amount")
    def _compute_amount_due(self):
        for notice in self:
            notice.amount_due = (
                notice.amount_total + notice.cost_amount + notice.interest_amount
            )

    @api.depends(
        "letter_currency_id",
        "letter_rate",
        "amount_total",
        "line_ids.amount_residual_currency",
        "charge_ids.letter_amount",
        "charge_ids.waived",
    )
    def _compute_letter_amounts(self):
        for notice in self:
            currency = notice.letter_currency_id or notice.currency_id
            if currency == notice.currency_id:
                total = notice.amount_total
            else:  # one foreign currency: the invoices' own open amounts
                total = sum(notice.line_ids.mapped("amount_residual_currency"))
            charges = notice._letter_charges()
            costs = sum(
                charges.filtered(lambda c: c.kind == "cost").mapped("letter_amount")
            )
            interest = sum(
                charges.filtered(lambda c: c.kind == "interest").mapped("letter_amount")
            )
            notice.letter_amount_total = currency.round(total)
            notice.letter_cost_amount = currency.round(costs)
            notice.letter_interest_amount = currency.round(interest)
            notice.letter_amount_due = currency.round(total + costs + interest)

    @api.depends("line_ids")
    def _compute_line_count(self):
        counts = dict(
            self.env["debtor.dunning.notice.line"]._read_group(
                [("notice_id", "in", self.ids)], ["notice_id"], ["__count"]
            )
        )
        for notice in self:
            notice.line_count = counts.get(notice, 0)

    def _compute_access_url(self):
        for notice in self:
            notice.access_url = f"/my/dunning/{notice.id}"

    @api.depends("name", "company_id.country_id")
    def _compute_payment_reference(self):
        for notice in self:
            notice.payment_reference = notice._payment_reference()

    @api.depends("payment_reference", "line_ids.move_id.dunning_factor_id")
    def _compute_payee_reference(self):
        Rendering = self.env["debtor.dunning.rendering"]
        for notice in self:
            notice.payee_reference = Rendering._letter_payee(notice)["reference"]

    @api.depends(
        "partner_id.child_ids.dunning_role",
        "partner_id.child_ids.dunning_phone",
        "partner_id.dunning_phone",
        "partner_id.email",
    )
    def _compute_contacts(self):
        for notice in self:
            customer = notice.partner_id.commercial_partner_id
            contacts = customer.child_ids.filtered("dunning_role")
            notice.recipient_ids = customer and customer._dunning_recipients().filtered(
                "email"
            )
            notice.call_contact_ids = contacts.filtered(
                "dunning_phone"
            ) or customer.filtered("dunning_phone")
            person = contacts[:1] if customer.is_company else customer
            notice.contact_name = person.name or False

    @api.depends("level_id", "line_ids.level_id", "line_ids.escalated")
    def _compute_level_reason(self):
        for notice in self:
            notice.level_reason = notice._dunning_level_reason()

    def _dunning_level_reason(self):
        """Why this notice has its level, from the facts on its lines."""
        self.ensure_one()
        setting = self.line_ids.filtered(
            lambda line: line.escalated and line.level_id == self.level_id
        )[:1]
        if not setting:
            return False
        when = functools.partial(format_date, self.env)
        values = {
            "invoice": setting.move_id.name,
            "days": setting.days_overdue,
            "level": self.level_id.name,
            "age_level": setting.age_level_id.name,
            "previous": setting.previous_level_id.name,
            "previous_date": when(setting.previous_date),
            "term": when(setting.previous_term_date),
        }
        stepped = self.level_id.rank == setting.previous_level_id.rank + 1
        if not setting.previous_level_id and stepped:
            reason = self.env._(
                "%(invoice)s (%(days)s days overdue) was never dunned: a debt "
                "starts at the first level.",
                **values,
            )
        elif stepped:
            reason = self.env._(
                "%(invoice)s was sent %(previous)s on %(previous_date)s and its term "
                "ended on %(term)s: it goes one level up.",
                **values,
            )
        else:
            reason = self.env._(
                "%(invoice)s is %(days)s days overdue, which reaches %(level)s.",
                **values,
            )
        if setting.age_level_id.rank > self.level_id.rank:
            reason += " " + self.env._(
                "Its %(days)s days overdue would reach %(age_level)s: the policy "
                "climbs one level per notice.",
                **values,
            )
        return reason

    def _compute_call_best_date(self):
        today = fields.Date.context_today(self)
        for notice in self:
            holidays = (
                notice.policy_id._holidays((today.year, today.year + 1))
                if notice.policy_id
                else frozenset()
            )
            day = today
            while day.weekday() not in _CALL_WEEKDAYS or day in holidays:
                day += timedelta(days=1)
            notice.call_best_date = day

    def _compute_partner_notice_ids(self):
        history = self.search(
            [("partner_id", "in", self.partner_id.ids), ("state", "=", "issued")]
        )
        for notice in self:
            notice.partner_notice_ids = history.filtered(
                lambda n, notice=notice: (
                    n.partner_id == notice.partner_id and n != notice
                )
            )

    # ------------------------------------------------------------------ guard
    def _dunning_frozen(self):
        """The notices whose content went to the customer: issued, or cancelled
        after issue (see models/guard.py)."""
        return self.filtered(
            lambda n: n.state == "issued" or (n.state == "cancel" and n.cancelled_date)
        )

    def _dunning_frozen_message(self):
        return self.env._(
            "%(notice)s was issued: what the customer was sent cannot be changed or "
            "deleted. Use Cancel Notice, with a reason, to withdraw it.",
            notice=self[:1].display_name,
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not guard.is_own(self.env) and any(
            vals.get("state", "draft") != "draft" for vals in vals_list
        ):
            raise UserError(
                self.env._("A notice is created as a proposal; issuing issues it.")
            )
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_proposed(self):
        frozen = self._dunning_frozen()
        if frozen:
            raise UserError(frozen._dunning_frozen_message())

    def write(self, vals):
        frozen = self._dunning_frozen()
        guard.refuse_frozen(frozen, vals, frozen._dunning_frozen_message())
        if "level_id" in vals:
            self._check_level_change(
                self.env["debtor.dunning.level"].browse(vals["level_id"])
            )
        if set(vals) & set(_APPROVAL_FIELDS) and not guard.is_own(self.env):
            raise UserError(
                self.env._(
                    "Approve or refuse a notice with its Approve or Refuse button."
                )
            )
        changes = not guard.is_own(self.env) and set(vals) - guard.thread_fields(self)
        result = super().write(vals)
        if changes:
            self.env["debtor.dunning.approval"]._proposal_changed(
                self.filtered(lambda n: n.state == "draft")
            )
        return result

    def _check_level_change(self, level):
        """A reviewer may lower a proposed notice, or raise it as far as allowed."""
        if self.filtered(lambda n: n.state != "draft"):
            raise UserError(self.env._("Only a proposed notice can change level."))
        for notice in self:
            if notice.max_rank and level.rank > notice.max_rank:
                allowed = notice.policy_id.level_ids.filtered(
                    lambda lvl, n=notice: lvl.rank == n.max_rank
                )
                raise UserError(
                    self.env._(
                        "Level: %(notice)s can go up to %(allowed)s at most. Its "
                        "invoices were not sent the levels before %(level)s, or the "
                        "term of their last notice has not passed.",
                        notice=notice.display_name,
                        allowed=allowed.name,
                        level=level.name,
                    )
                )

    def _dunning_level_says(self, fname):
        """These notices whose level has the boolean `fname` set (credit hold, call,
        interrupts limitation), in their order: one query, not a read of each
        notice's level, as a run issues thousands."""
        Level = self.env["debtor.dunning.level"]
        if Level._fields[fname].type != "boolean":
            raise ValueError(f"{fname} is no flag of a dunning level")
        self.flush_model(["level_id"])
        Level.flush_model([fname])
        rows = self.env.execute_query(
            SQL(
                """SELECT n.id FROM debtor_dunning_notice n
                     JOIN debtor_dunning_level lvl ON lvl.id = n.level_id
                    WHERE n.id = ANY(%s::int[]) AND lvl.%s""",
                bulk.array(self.ids),
                SQL.identifier(fname),
            )
        )
        says = {row[0] for row in rows}
        return self.browse([id_ for id_ in self.ids if id_ in says])

    def _dunning_listed_moves(self):
        """The invoices these notices list, in one query (no fetch of their lines)."""
        self.env["debtor.dunning.notice.line"].flush_model(["notice_id", "move_id"])
        rows = self.env.execute_query(
            SQL(
                """SELECT DISTINCT move_id FROM debtor_dunning_notice_line
                    WHERE notice_id = ANY(%s::int[])""",
                bulk.array(self.ids),
            )
        )
        return self.env["account.move"].browse(sorted(row[0] for row in rows))

    def _dunning_receipt(self, law=None):
        """The presumed receipt date of this notice, from its delivery facts.

        `law`: the customer's (res.partner._dunning_law), when the caller has it.
        """
        self.ensure_one()
        if law is None:
            law, _debtor = self.partner_id._dunning_law(self.company_id)
        return self._dunning_presumed_receipt(
            law, self.level_id.send_letter, *(self[name] for name in RECEIPT_FACTS)
        )

    @api.model
    def _dunning_presumed_receipt(self, law, level_sends_letter, *facts):
        """The presumed receipt date (core.law.presumed_receipt) of a notice whose
        level sends a letter or not and whose RECEIPT_FACTS are `facts`, in that
        order: read by the ORM (_dunning_receipt) or in SQL for thousands of notices
        (debtor.dunning.charges)."""
        day, letter_state, letter_date, delivered, email_date, email_state = facts
        return core_law.presumed_receipt(
            law,
            day,
            letter=letter_state != "none" or level_sends_letter,
            posted=letter_date if letter_state == "posted" else None,
            delivered=delivered or None,
            email_accepted=email_date.date() if email_date else None,
            email_bounced=email_state == "failed",
        )

    def _dunning_record_delivery(self, vals):
        """Record how these notices reached the customer (sending code only).

        What was sent stays frozen: only the delivery facts are written here.
        """
        wrong = set(vals) - set(DELIVERY_FIELDS)
        if wrong:
            raise UserError(
                self.env._(
                    "Only delivery facts can be recorded on an issued notice, not "
                    "%(fields)s.",
                    fields=", ".join(sorted(wrong)),
                )
            )
        return guard.own(self).write(vals)

    def action_cancel(self):
        """Take a proposed notice out of its run."""
        if self.filtered(lambda notice: notice.state != "draft"):
            raise UserError(
                self.env._(
                    "Only a proposed notice can be taken out of its run; an issued "
                    "one is cancelled with a reason (Cancel Notice)."
                )
            )
        self.state = "cancel"
        return True

    def action_open_cancel_issued(self):
        """Open the dialog that cancels issued notices with a reason."""
        if self.filtered(lambda notice: notice.state != "issued"):
            raise UserError(self.env._("Only an issued notice can be cancelled here."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel Notice"),
            "res_model": "debtor.dunning.notice.cancel",
            "view_mode": "form",
            "target": "new",
            "context": {"default_notice_ids": self.ids},
        }

    def _dunning_cancel_issued(self, reason):
        """Cancel these issued notices (see debtor.dunning.issuing._cancel_issued)."""
        self.check_access("write")
        return (
            self.env["debtor.dunning.issuing"]
            .sudo()
            ._cancel_issued(self.sudo(), reason)
        )

    def action_compute_charges(self):
        """Compute a proposed notice's costs and interest again (e.g. a new level)."""
        if self.filtered(lambda notice: notice.state != "draft"):
            raise UserError(
                self.env._("Only the charges of a proposed notice can be recomputed.")
            )
        self.env["debtor.dunning.charges"]._compute_charges(self)
        return True

    def action_open_charge_waive(self):
        """Open the waiver wizard for these notices."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debtor_dunning.debtor_dunning_charge_waive_action"
        )
        action["context"] = {
            "active_model": "debtor.dunning.notice",
            "active_ids": self.ids,
        }
        return action

    def _dunning_write_charges(self, totals):
        """Write what the charges service computed, for all notices in one UPDATE.

        `totals`: dicts with the notice id, cost_amount, interest_amount,
        announced_cost_amount and _kind, charge_note, pay_by_date,
        letter_currency_id and letter_rate; amount_due follows.
        """
        self.flush_model(["amount_total"])
        columns = {col: [row[col] for row in totals] for col in _CHARGE_TOTALS}
        arrays = {col: bulk.array(values) for col, values in columns.items()}
        self.env.cr.execute(SQL(_CHARGE_TOTALS_SQL, **arrays))
        self.browse(columns["id"]).invalidate_recordset(
            [*(col for col in _CHARGE_TOTALS if col != "id"), "amount_due"]
        )

    # ------------------------------------------------------------------ letter
    def _payment_reference(self):
        """The structured payment reference of this notice (see payment_reference)."""
        self.ensure_one()
        if not self.id or not self.name or self.name == "/":
            return False
        if self.company_id.country_id.code == "BE":
            return reference.belgian_structured_reference(self.id)
        try:
            return reference.creditor_reference(self.name)
        except DunningRuleError:  # a name with more than 21 letters and digits
            return reference.creditor_reference(str(self.id))

    def _get_report_base_filename(self):
        self.ensure_one()
        return f"{self.level_id.name} {self.name}".replace("/", "-")

    def _letter_charges(self):
        """The cost and interest lines the letter claims (not those waived)."""
        self.ensure_one()
        charges = self.charge_ids
        if "waived" in charges._fields:
            charges = charges.filtered(lambda charge: not charge.waived)
        return charges

    def _portal_ensure_tokens(self):
        """Give every notice without one an access token, in one statement."""
        missing = self.filtered(lambda notice: not notice.access_token)
        if missing:
            missing.flush_recordset(["access_token"])
            self.env.execute_query(
                SQL(
                    """UPDATE debtor_dunning_notice n SET access_token = v.token
                         FROM unnest(%s::int[], %s::varchar[]) AS v(id, token)
                        WHERE n.id = v.id AND n.access_token IS NULL""",
                    bulk.array(missing.ids),
                    bulk.array(str(uuid.uuid4()) for _notice in missing),
                )
            )
            missing.invalidate_recordset(["access_token"])

    def _letter_layout(self, report_type="pdf"):
        """How the letters of these notices are laid out (see report_dunning_notice).

        Debian's wkhtmltopdf prints no header: the letter then carries the
        letterhead itself, below a smaller top margin.
        """
        plain = report_type == "pdf" and not _wkhtmltopdf_prints_headers()
        return {"header_in_body": plain, "margin_top": 12 if plain else False}

    def _letter_values(self, report_type="pdf"):
        """What each letter prints beyond the notice's own fields, by notice id
        (debtor.dunning.rendering._letter_values)."""
        return self.env["debtor.dunning.rendering"]._letter_values(self, report_type)

    # ------------------------------------------------------------------ mail hooks
    def _process_attachments_for_template_post(self, mail_template):
        """A copy of every listed invoice when the notice's level asks for it.

        Called by mail.template for all notices it renders at once: the invoices
        are rendered together too.
        """
        if self.env.context.get("dunning_no_invoice_copies"):
            return {}
        return {
            notice_id: {"attachments": copies}
            for notice_id, copies in self._dunning_invoice_copies().items()
        }

    def _dunning_invoice_copies(self):
        """{notice id: [(file name, base64 PDF)]}: a copy of each invoice of the
        notices whose level attaches them, all rendered at once."""
        notices = self.filtered("level_id.attach_invoices")
        if not notices:
            return {}
        pdfs = self.env["debtor.dunning.rendering"]._invoice_pdfs(
            notices.line_ids.move_id
        )
        return {
            notice.id: [
                (pdfs[move.id][0], base64.b64encode(pdfs[move.id][1]))
                for move in notice.line_ids.move_id
            ]
            for notice in notices
        }

    def _message_receive_bounce(self, email, partner):
        """The customer's mail server returned the e-mail: it failed."""
        result = super()._message_receive_bounce(email, partner)
        self.filtered(lambda n: n.email_state == "sent")._dunning_record_delivery(
            {
                "email_state": "failed",
                "email_error": self.env._(
                    "The e-mail to %(email)s bounced.", email=email
                ),
            }
        )
        return result

    # ------------------------------------------------------------------ actions
    def action_send(self):
        """Queue these notices' e-mails (a failed one again, whatever its attempts).

        The background sender (`debtor.dunning.sending._cron_send`) renders and
        sends them; whoever asked is told the outcome. Returns at once.
        """
        todo = self.filtered(
            lambda n: n.state == "issued" and n.email_state in ("to_send", "failed")
        )
        if not todo:
            raise UserError(
                self.env._(
                    "Nothing to send: the selected notices were e-mailed already, "
                    "are queued or have no e-mail to send."
                )
            )
        todo.filtered(lambda n: n.email_state == "failed")._dunning_record_delivery(
            {"email_attempt_count": 0}
        )
        self.env["debtor.dunning.sending"]._queue_sending(todo, self.env.user)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "%(count)s e-mails are queued; you will be told when they are "
                    "sent.",
                    count=len(todo),
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_print_letters(self):
        """Download the letters to print as one PDF; they become printed."""
        return self.env["debtor.dunning.sending"]._print_letters(self)

    def action_mark_posted(self):
        """The printed letters went in the post today."""
        printed = self.filtered(lambda n: n.letter_state == "printed")
        if not printed:
            raise UserError(self.env._("Only printed letters can be marked as posted."))
        self.env["debtor.dunning.sending"]._mark_posted(printed)
        return True

    def action_approve(self):
        """Approve these proposed notices (a second user, a Dunning approver)."""
        self.env["debtor.dunning.approval"]._approve(self)
        return True

    def action_open_refuse(self):
        """Open the dialog that refuses these proposed notices with a reason."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Refuse Notice"),
            "res_model": "debtor.dunning.notice.refuse",
            "view_mode": "form",
            "target": "new",
            "context": {"default_notice_ids": self.ids},
        }

    def action_log_call(self):
        """Record how the dunning call went."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log Call"),
            "res_model": "debtor.dunning.call.log",
            "view_mode": "form",
            "target": "new",
            "context": {"default_notice_id": self.id},
        }

    def action_open_partner_notices(self):
        """The dunning history of this notice's customer."""
        self.ensure_one()
        return self.partner_id.action_open_dunning_notices()
