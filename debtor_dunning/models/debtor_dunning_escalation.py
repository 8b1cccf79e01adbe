"""The one service that runs dunning: crons, buttons and wizards call it."""

import base64
import io
import logging
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

from ..core import calendar as core_calendar
from ..core import escalation, fees, habits, interest
from ..core.errors import DunningRuleError
from ..core.money import cents, split_pro_rata, to_decimal, to_float

_logger = logging.getLogger(__name__)

_HOLDS = {
    "handed_over": escalation.Hold.HANDED_OVER,
    "disputed": escalation.Hold.DISPUTED,
    "arrangement": escalation.Hold.ARRANGEMENT,
    "promise": escalation.Hold.PROMISE,
    "excluded": escalation.Hold.EXCLUDED,
}
# Reasons that are no news in a proposal: the invoice is simply not (yet) due for more.
_QUIET = {
    escalation.Reason.NOT_DUE,
    escalation.Reason.ALREADY_AT_LEVEL,
    escalation.Reason.HANDED_OVER,
    escalation.Reason.LAST_LEVEL_REACHED,
}

# One row per open receivable debit of a posted customer invoice: the invoice, or one
# of its instalments. Amounts in company currency.
_ITEMS_SQL = """
    SELECT aml.id, aml.move_id, COALESCE(p.commercial_partner_id, p.id),
           aml.account_id, aml.date_maturity, aml.amount_residual,
           aml.amount_residual_currency, aml.currency_id,
           COALESCE(lvl.rank, 0), aml.dunning_level_id, aml.dunning_last_date,
           CASE WHEN m.dunning_handed_over_date IS NOT NULL THEN 'handed_over'
                WHEN m.dunning_disputed OR refund.draft THEN 'disputed'
                WHEN m.dunning_arrangement_id IS NOT NULL THEN 'arrangement'
                WHEN m.dunning_promise_date IS NOT NULL THEN 'promise'
                WHEN m.dunning_excluded THEN 'excluded' END,
           CASE WHEN m.dunning_handed_over_date IS NOT NULL
                  OR m.dunning_disputed OR refund.draft
                  OR m.dunning_arrangement_id IS NOT NULL THEN NULL
                WHEN m.dunning_promise_date IS NOT NULL THEN m.dunning_promise_date
                WHEN m.dunning_excluded THEN m.dunning_excluded_until END
      FROM account_move_line aml
      JOIN account_move m ON m.id = aml.move_id
      JOIN account_account acc ON acc.id = aml.account_id
      JOIN res_partner p ON p.id = aml.partner_id
 LEFT JOIN debtor_dunning_level lvl ON lvl.id = aml.dunning_level_id
      -- a draft credit note of the invoice: the customer is (being) credited
 LEFT JOIN LATERAL (SELECT TRUE AS draft FROM account_move r
                     WHERE r.reversed_entry_id = m.id AND r.state = 'draft'
                       AND r.move_type = 'out_refund' LIMIT 1) refund ON TRUE
     WHERE aml.company_id = %(company)s
       AND aml.parent_state = 'posted'
       AND acc.account_type = 'asset_receivable'
       AND NOT aml.reconciled
       AND aml.amount_residual > 0
       AND m.move_type IN ('out_invoice', 'out_receipt')
       AND aml.date_maturity <= %(horizon)s
       {partner_filter}
  ORDER BY aml.id
"""

# Per customer: what it has on credit (open credit notes, unreconciled payments).
_CREDITS_SQL = """
    SELECT COALESCE(p.commercial_partner_id, p.id), -SUM(aml.amount_residual)
      FROM account_move_line aml
      JOIN account_account acc ON acc.id = aml.account_id
      JOIN res_partner p ON p.id = aml.partner_id
     WHERE aml.company_id = %(company)s
       AND aml.parent_state = 'posted'
       AND acc.account_type = 'asset_receivable'
       AND NOT aml.reconciled
       AND aml.amount_residual < 0
       AND COALESCE(p.commercial_partner_id, p.id) = ANY(%(partners)s)
  GROUP BY 1
"""

_CUSTOMERS_SQL = """
    SELECT p.id, p.is_company, p.dunning_debtor_type, p.dunning_blocked,
           COALESCE(p.dunning_tolerance_days, 0), p.dunning_last_date,
           (p.dunning_policy_id ->> %(company_key)s)::int
      FROM res_partner p
     WHERE p.id = ANY(%(partners)s)
"""

# Receivable debits of customer invoices paid in the period: due date, payment date.
_PAID_SQL = """
    SELECT COALESCE(p.commercial_partner_id, p.id), aml.date_maturity,
           MAX(apr.max_date), aml.balance
      FROM account_move_line aml
      JOIN account_move m ON m.id = aml.move_id
      JOIN account_account acc ON acc.id = aml.account_id
      JOIN res_partner p ON p.id = aml.partner_id
      JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
     WHERE aml.company_id = %(company)s
       AND aml.parent_state = 'posted'
       AND acc.account_type = 'asset_receivable'
       AND aml.reconciled
       AND aml.balance > 0
       AND m.move_type IN ('out_invoice', 'out_receipt')
       AND COALESCE(p.commercial_partner_id, p.id) = ANY(%(partners)s)
  GROUP BY aml.id, 1
    HAVING MAX(apr.max_date) > %(since)s AND MAX(apr.max_date) <= %(as_of)s
"""


# At issue: lock the receivable lines (a concurrent run skips them) and read again what
# may have changed since the proposal was made: payments, disputes, arrangements, ...
_LOCK_SQL = """
    SELECT aml.id, aml.dunning_last_date, aml.reconciled OR aml.amount_residual <= 0,
           m.dunning_handed_over_date IS NOT NULL OR m.dunning_disputed
               OR m.dunning_arrangement_id IS NOT NULL OR EXISTS (
                   SELECT 1 FROM account_move r
                    WHERE r.reversed_entry_id = m.id AND r.state = 'draft'
                      AND r.move_type = 'out_refund'),
           m.dunning_promise_date,
           CASE WHEN m.dunning_excluded
                THEN COALESCE(m.dunning_excluded_until, 'infinity') END
      FROM account_move_line aml
      JOIN account_move m ON m.id = aml.move_id
     WHERE aml.id = ANY(%s)
  ORDER BY aml.id
       FOR NO KEY UPDATE OF aml SKIP LOCKED
"""

# ------------------------------------------------------------------ channels
# The dunning service's channels: e-mail, printed letters and their post.

# A failed e-mail goes back into the outgoing queue until it was queued this often
# in all; then the customer gets a printed letter instead.
MAX_EMAIL_ATTEMPTS = 3
# Up to this many e-mails leave right after the commit; more wait for the mail queue.
_SEND_NOW_LIMIT = 50
# Letters rendered per wkhtmltopdf call when many are e-mailed at once.
_RENDER_BATCH = 100
LETTER_REPORT = "debtor_dunning.debtor_dunning_notice_action_report"
INVOICE_REPORT = "account.account_invoices"
_MAIL_FIELDS = (
    "subject",
    "body_html",
    "email_from",
    "reply_to",
    "partner_to",
    "email_cc",
    "attachment_ids",
    "report_template_ids",
    "mail_server_id",
)

# ------------------------------------------------------------------ costs and interest
# Collection costs and interest of notices, by the law of each customer.
#
# Computed when a notice is proposed (the reviewer sees them), checked again when it is
# issued, then frozen on the notice as charge lines:
#
# - costs: Dutch law, any debtor: the WIK scale on the joint principal of the invoices
#   whose costs the notice claims first (art. 6:96 BW); Belgian consumers: the Book XIX
#   damages on their joint balance; other businesses: EUR 40 per invoice (2011/7/EU).
#   Costs are claimed once per invoice: a later letter repeats them as claimed before
#   (letter mode) or leaves them to the charge invoice already posted (invoice mode);
# - interest: from the day after the due date (every invoice with a due date counts as a
#   debt with a fixed term, so the debtor is in default without notice, art. 6:83 a BW)
#   to the notice date included; yearly compounding under Dutch law; a later letter
#   states the interest to its own date: it replaces the earlier figure, never adds;
# - gates: Dutch consumers pay costs only after a 14-day letter's term has passed (art.
#   6:96 lid 6 BW); Belgian consumers pay nothing before 14 days after the free first
#   reminder (Code of Economic Law, art. XIX.2). The notice says why on `charge_note`.

_DAY = timedelta(days=1)
_ZERO = Decimal("0.00")
# Art. 6:119 lid 2 and 6:119a lid 3 BW: statutory interest is added to the principal
# at the end of each year.
_COMPOUNDING = frozenset({"nl_statutory", "nl_commercial"})
_STATUTORY = {
    ("nl", "consumer"): "nl_statutory",
    ("nl", "business"): "nl_commercial",
    ("be", "business"): "be_commercial",
    ("be", "consumer"): "be_legal",
}

# Issued notices that listed the invoices before: first reminders, 14-day letters.
_EARLIER_SQL = """
    SELECT l.move_id, n.date, n.email_state, n.letter_state, lvl.fourteen_day_letter
      FROM debtor_dunning_notice_line l
      JOIN debtor_dunning_notice n ON n.id = l.notice_id
      JOIN debtor_dunning_level lvl ON lvl.id = n.level_id
     WHERE l.move_id = ANY(%(moves)s)
       AND n.state = 'issued'
       AND n.id != ALL(%(notices)s)
  ORDER BY n.date, n.id
"""

# Costs claimed before, per invoice: the first claim (the origin) comes first.
_CLAIMED_SQL = """
    SELECT c.move_id, COALESCE(c.origin_id, c.id), c.amount, c.waived, n.name
      FROM debtor_dunning_notice_charge c
      JOIN debtor_dunning_notice n ON n.id = c.notice_id
     WHERE c.kind = 'cost'
       AND c.amount > 0
       AND c.move_id = ANY(%(moves)s)
       AND n.state = 'issued'
       AND n.id != ALL(%(notices)s)
  ORDER BY n.date, n.id, c.id
"""

# Interest already on posted charge invoices, per invoice.
_INVOICED_SQL = """
    SELECT c.move_id, SUM(c.amount)
      FROM debtor_dunning_notice_charge c
      JOIN debtor_dunning_notice n ON n.id = c.notice_id
     WHERE c.kind = 'interest'
       AND c.waived IS NOT TRUE
       AND c.move_id = ANY(%(moves)s)
       AND n.state = 'issued'
       AND n.charge_move_id IS NOT NULL
       AND n.id != ALL(%(notices)s)
  GROUP BY 1
"""

# Charge invoices bear no costs or interest themselves.
_CHARGE_MOVES_SQL = """
    SELECT charge_move_id FROM debtor_dunning_notice
     WHERE charge_move_id = ANY(%(moves)s)
"""

# The charge lines of notices go, their waivers are returned to keep them.
_DROP_CHARGES_SQL = """
    DELETE FROM debtor_dunning_notice_charge
     WHERE notice_id = ANY(%s)
 RETURNING notice_id, move_id, kind, waived, waive_reason, waived_by_id, waived_date
"""

_CHARGE_COLUMNS = (
    "notice_id",
    "kind",
    "move_id",
    "name",
    "start_date",
    "end_date",
    "days",
    "percent",
    "base_amount",
    "amount",
    "origin_id",
    "waive_reason",
    "waived_by_id",
    "waived_date",
)
_INSERT_CHARGES_SQL = """
    INSERT INTO debtor_dunning_notice_charge
           (notice_id, company_id, kind, move_id, name, start_date, end_date, days,
            percent, base_amount, amount, origin_id, waived, waive_reason,
            waived_by_id, waived_date, create_uid, write_uid, create_date, write_date)
    SELECT v.notice_id, n.company_id, v.kind, v.move_id, v.name, v.start_date,
           v.end_date, v.days, v.percent, v.base_amount, v.amount, v.origin_id,
           v.waived, v.waive_reason, v.waived_by_id, v.waived_date, %(uid)s, %(uid)s,
           now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
      FROM unnest(%(notice_id)s::int[], %(kind)s::varchar[], %(move_id)s::int[],
                  %(name)s::varchar[], %(start_date)s::date[], %(end_date)s::date[],
                  %(days)s::int[], %(percent)s::numeric[], %(base_amount)s::numeric[],
                  %(amount)s::numeric[], %(origin_id)s::int[], %(waived)s::bool[],
                  %(waive_reason)s::varchar[], %(waived_by_id)s::int[],
                  %(waived_date)s::date[])
           AS v(notice_id, kind, move_id, name, start_date, end_date, days, percent,
                base_amount, amount, origin_id, waived, waive_reason, waived_by_id,
                waived_date)
      JOIN debtor_dunning_notice n ON n.id = v.notice_id
"""

_TOTALS_SQL = """
    UPDATE debtor_dunning_notice n
       SET cost_amount = v.cost,
           interest_amount = v.interest,
           amount_due = COALESCE(n.amount_total, 0) + v.cost + v.interest,
           announced_cost_amount = v.announced,
           charge_note = v.note
      FROM unnest(%s::int[], %s::numeric[], %s::numeric[], %s::numeric[], %s::text[])
           AS v(id, cost, interest, announced, note)
     WHERE n.id = v.id
"""

# At issue, after the lock: the lines' open amounts as they are now, and each notice's
# total as the sum of the lines it kept.
_REFRESH_AMOUNTS_SQL = """
    WITH fresh AS (
        UPDATE debtor_dunning_notice_line l
           SET amount_residual = aml.amount_residual,
               amount_residual_currency = aml.amount_residual_currency
          FROM account_move_line aml
         WHERE l.notice_id = ANY(%s) AND aml.id = l.move_line_id
     RETURNING l.notice_id, l.amount_residual
    )
    UPDATE debtor_dunning_notice n
       SET amount_total = s.total,
           amount_due = s.total + COALESCE(n.cost_amount, 0)
                        + COALESCE(n.interest_amount, 0)
      FROM (SELECT notice_id, SUM(amount_residual) AS total
              FROM fresh GROUP BY notice_id) s
     WHERE n.id = s.notice_id AND n.id = ANY(%s)
"""


def _settled_or_held(last_date, settled, held, promise_date, excluded_until, day):
    """Whether a notice line dated `day` must not go out after all."""
    return (
        (last_date is not None and last_date >= day)  # noticed already that day
        or settled
        or held
        or (promise_date is not None and promise_date >= day)
        or (excluded_until is not None and excluded_until >= day)
    )


def _page_text(page):
    """The text of a PDF page (PyPDF2 2.x; 1.26 under Python 3.10)."""
    extract = getattr(page, "extract_text", None) or page.extractText
    return extract() or ""


class DebtorDunningEscalation(models.AbstractModel):
    _name = "debtor.dunning.escalation"
    _description = "Dunning escalation service"

    # ------------------------------------------------------------------ gathering
    @api.model
    def _gather(self, company, as_of, partners=None, horizon=None):
        """Open items and customers of a company, read set-based.

        Returns (rows, customers): rows are tuples as _ITEMS_SQL selects them;
        customers maps a commercial partner id to a dict of its dunning settings.
        """
        self.env.flush_all()
        policies = self.env["debtor.dunning.policy"].search(
            [("company_id", "=", company.id)]
        )
        ahead = max([0] + [-w for w in policies.level_ids.mapped("wait_days")])
        params = {
            "company": company.id,
            "horizon": horizon or as_of + timedelta(days=ahead),
        }
        partner_filter = ""
        if partners is not None:
            partner_filter = (
                "AND COALESCE(p.commercial_partner_id, p.id) = ANY(%(partners)s)"
            )
            params["partners"] = list(partners.commercial_partner_id.ids)
        self.env.cr.execute(_ITEMS_SQL.format(partner_filter=partner_filter), params)
        rows = self.env.cr.fetchall()
        partner_ids = sorted({row[2] for row in rows})
        self.env.cr.execute(
            _CUSTOMERS_SQL, {"partners": partner_ids, "company_key": str(company.id)}
        )
        customers = {
            pid: {
                "kind": kind or ("business" if is_company else "consumer"),
                "blocked": bool(blocked),
                "tolerance": tolerance,
                "last_date": last_date,
                "policy": policy_id,
                "credit": 0.0,
                "habit": 0,
            }
            for pid, is_company, kind, blocked, tolerance, last_date, policy_id in (
                self.env.cr.fetchall()
            )
        }
        self.env.cr.execute(
            _CREDITS_SQL, {"company": company.id, "partners": partner_ids}
        )
        for pid, credit in self.env.cr.fetchall():
            customers[pid]["credit"] = credit
        if any(policies.mapped("habit_shift")):
            for pid, habit in self._habits(company, partner_ids, as_of).items():
                customers[pid]["habit"] = habit.shift_days
        return rows, customers

    @api.model
    def _habits(self, company, partner_ids, as_of, months=12):
        """Payment habit per commercial partner over the last `months` months."""
        since = habits.months_before(as_of, months)
        self.env.cr.execute(
            _PAID_SQL,
            {
                "company": company.id,
                "partners": list(partner_ids),
                "since": since,
                "as_of": as_of,
            },
        )
        fetched = self.env.cr.fetchall()  # before any ORM read reuses the cursor
        paid = defaultdict(list)
        rounding = company.currency_id.rounding
        for pid, due, paid_date, amount in fetched:
            paid[pid].append(
                habits.PaidItem(due, paid_date, to_decimal(amount, rounding))
            )
        return {
            pid: habits.payment_habit(items, as_of, months)
            for pid, items in paid.items()
        }

    @api.model
    def _policy_of(self, company, customers):
        """The policy of each customer: its own, else its kind's default, else all's."""
        policies = self.env["debtor.dunning.policy"].search(
            [("company_id", "=", company.id)]
        )
        defaults = {p.default_for: p for p in policies if p.default_for}
        by_id = {p.id: p for p in policies}
        result = {}
        for pid, customer in customers.items():
            result[pid] = (
                by_id.get(customer["policy"])
                or defaults.get(customer["kind"])
                or defaults.get("all")
            )
        return result

    # ------------------------------------------------------------------ deciding
    @api.model
    def _core_inputs(self, company, as_of, partners=None, horizon=None):
        """Per policy: (policy, core policy, rows by key, core items, core customers).

        Also returns the rows of customers without a policy.
        """
        rows, customers = self._gather(company, as_of, partners, horizon)
        policy_of = self._policy_of(company, customers)
        rounding = company.currency_id.rounding
        grouped = defaultdict(list)
        orphans = []
        for row in rows:
            policy = policy_of.get(row[2])
            if not policy or not policy.level_ids:
                orphans.append(row)
            elif (
                not policy.account_ids or row[3] in policy.account_ids.ids
            ) and to_decimal(row[5], rounding) > 0:  # not a rounding remainder
                grouped[policy].append(row)
        inputs = []
        for policy, policy_rows in grouped.items():
            core_policy = policy._core_policy(as_of)
            items = [
                escalation.Item(
                    key=row[0],
                    customer=row[2],
                    due_date=row[4],
                    residual=to_decimal(row[5], rounding),
                    level_rank=min(row[8], len(core_policy.levels)),
                    last_notice_date=row[10],
                    hold=_HOLDS.get(row[11]),
                    hold_until=row[12],
                )
                for row in policy_rows
            ]
            core_customers = {
                pid: escalation.Customer(
                    key=pid,
                    tolerance_days=max(0, customers[pid]["tolerance"]),
                    habit_days_late=customers[pid]["habit"],
                    do_not_dun=customers[pid]["blocked"],
                    open_credit=max(to_decimal(customers[pid]["credit"], rounding), 0),
                    last_notice_date=customers[pid]["last_date"],
                )
                for pid in {row[2] for row in policy_rows}
            }
            rows_by_key = {row[0]: row for row in policy_rows}
            inputs.append((policy, core_policy, rows_by_key, items, core_customers))
        return inputs, orphans

    @api.model
    def _decide(self, company, as_of, partners=None, horizon=None):
        """What the core decides on `as_of` for a company's open items, per policy.

        Returns a list of (policy, rows_by_key, decisions, plans) and the rows
        without a policy.
        """
        inputs, orphans = self._core_inputs(company, as_of, partners, horizon)
        results = [
            (policy, rows, *escalation.decide(core, items, customers.values(), as_of))
            for policy, core, rows, items, customers in inputs
        ]
        return results, orphans

    @api.model
    def _next_dates(self, moves):
        """Next dunning date per invoice (the earliest of its open due dates)."""
        today = fields.Date.context_today(self)
        result = {}
        for company in moves.company_id:
            company_moves = moves.filtered(
                lambda m, company=company: m.company_id == company
            )
            inputs, _orphans = self._core_inputs(
                company,
                today,
                company_moves.partner_id,
                horizon=max(company_moves.mapped("invoice_date_due")),
            )
            wanted = set(company_moves.ids)
            for _policy, core, rows, items, customers in inputs:
                for item in items:
                    move_id = rows[item.key][1]
                    if move_id not in wanted:
                        continue
                    day = escalation.next_action_date(
                        core, item, customers[item.customer], today
                    )
                    if day and (move_id not in result or day < result[move_id]):
                        result[move_id] = day
        return result

    # ------------------------------------------------------------------ proposing
    @api.model
    def _propose(self, company, as_of=None, automatic=False, run=None):
        """A run in proposal state: draft notices and the invoices held back."""
        as_of = as_of or fields.Date.context_today(self)
        run = run or self.env["debtor.dunning.run"].create(
            {"company_id": company.id, "date": as_of, "automatic": automatic}
        )
        results, orphans = self._decide(company, as_of)
        plans, holds = [], []
        for policy, rows, decisions, policy_plans in results:
            levels = policy.level_ids.sorted(lambda level: (level.sequence, level.id))
            escalating = {d.key: d.target_rank for d in decisions if d.reason is None}
            plans += [(policy, levels, plan, rows, escalating) for plan in policy_plans]
            holds += [
                (
                    rows[d.key],
                    d.reason.value,
                    d.target_rank and levels[d.target_rank - 1].id,
                )
                for d in decisions
                if d.reason is not None
                and d.reason not in _QUIET
                and rows[d.key][4] < as_of
            ]
        holds += [(row, "no_policy", None) for row in orphans if row[4] < as_of]
        notices = self._insert_notices(run, plans)
        self._compute_charges(notices)
        self._insert_holds(run, holds)
        return run

    def _next_ids(self, table, count):
        """Reserve `count` ids of `table` in one statement, in order."""
        self.env.cr.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id'))"
            "  FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _insert_notices(self, run, plans):
        """Draft notices and their lines of one run, in two INSERT statements.

        Set-based on purpose: a first run on a large book creates tens of thousands
        of notice lines, which the ORM would insert and recompute row by row.
        """
        Notice = self.env["debtor.dunning.notice"]
        if not plans:
            return Notice
        notice_ids = self._next_ids("debtor_dunning_notice", len(plans))
        notice_cols = {
            k: [] for k in ("id", "partner", "policy", "level", "pay_by", "amount")
        }
        line_cols = {
            k: []
            for k in (
                "notice",
                "aml",
                "move",
                "level",
                "previous",
                "escalated",
                "due",
                "overdue",
                "currency",
                "residual_currency",
                "residual",
            )
        }
        as_of = run.date
        for notice_id, (policy, levels, plan, rows, escalating) in zip(
            notice_ids, plans, strict=True
        ):
            level = levels[plan.rank - 1]
            for column, value in (
                ("id", notice_id),
                ("partner", plan.customer),
                ("policy", policy.id),
                ("level", level.id),
                ("pay_by", as_of + timedelta(days=level.pay_days)),
                ("amount", plan.amount),
            ):
                notice_cols[column].append(value)
            for key in plan.keys:
                row = rows[key]
                target = escalating.get(key)
                for column, value in (
                    ("notice", notice_id),
                    ("aml", key),
                    ("move", row[1]),
                    ("level", levels[target - 1].id if target else row[9]),
                    ("previous", row[9]),
                    ("escalated", bool(target)),
                    ("due", row[4]),
                    ("overdue", (as_of - row[4]).days),
                    ("currency", row[7]),
                    ("residual_currency", row[6]),
                    ("residual", row[5]),
                ):
                    line_cols[column].append(value)
        meta = {
            "run": run.id,
            "company": run.company_id.id,
            "date": as_of,
            "uid": self.env.uid,
        }
        self.env.cr.execute(
            """INSERT INTO debtor_dunning_notice
                   (id, name, run_id, company_id, partner_id, policy_id, level_id, rank,
                    date, pay_by_date, amount_total, cost_amount, interest_amount,
                    amount_due, state, email_state, letter_state, call_state,
                    create_uid, write_uid, create_date, write_date)
               SELECT v.id, 'DUN/' || to_char(%(date)s::date, 'YYYY') || '/'
                            || lpad(v.id::text, 6, '0'),
                      %(run)s, %(company)s, v.partner, v.policy, v.level, lvl.rank,
                      %(date)s, v.pay_by, v.amount, 0, 0, v.amount,
                      'draft', 'none', 'none', 'none', %(uid)s, %(uid)s,
                      now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                 FROM unnest(%(id)s::int[], %(partner)s::int[], %(policy)s::int[],
                             %(level)s::int[], %(pay_by)s::date[],
                             %(amount)s::numeric[])
                      AS v(id, partner, policy, level, pay_by, amount)
                 JOIN debtor_dunning_level lvl ON lvl.id = v.level""",
            {**meta, **notice_cols},
        )
        self.env.cr.execute(
            """INSERT INTO debtor_dunning_notice_line
                   (notice_id, company_id, state, move_line_id, move_id, level_id,
                    previous_level_id, escalated, date_maturity, days_overdue,
                    currency_id, amount_residual_currency, amount_residual,
                    create_uid, write_uid, create_date, write_date)
               SELECT v.notice, %(company)s, 'draft', v.aml, v.move, v.level,
                      v.previous,
                      v.escalated, v.due, v.overdue, v.currency, v.residual_currency,
                      v.residual, %(uid)s, %(uid)s,
                      now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                 FROM unnest(%(notice)s::int[], %(aml)s::int[], %(move)s::int[],
                             %(level)s::int[], %(previous)s::int[],
                             %(escalated)s::bool[],
                             %(due)s::date[], %(overdue)s::int[], %(currency)s::int[],
                             %(residual_currency)s::numeric[], %(residual)s::numeric[])
                      AS v(notice, aml, move, level, previous, escalated, due, overdue,
                           currency, residual_currency, residual)""",
            {**meta, **line_cols},
        )
        self.env.invalidate_all()
        return Notice.browse(notice_ids)

    @api.model
    def _insert_holds(self, run, holds):
        """The invoices a run holds back, with their reason, in one statement."""
        if not holds:
            return
        self.env.cr.execute(
            """INSERT INTO debtor_dunning_run_hold
                   (run_id, company_id, move_line_id, move_id, partner_id,
                    date_maturity, amount_residual, reason, level_id,
                    create_uid, write_uid, create_date, write_date)
               SELECT %(run)s, %(company)s, v.aml, v.move, v.partner, v.due, v.residual,
                      v.reason, v.level, %(uid)s, %(uid)s,
                      now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                 FROM unnest(%(aml)s::int[], %(move)s::int[], %(partner)s::int[],
                             %(due)s::date[], %(residual)s::numeric[],
                             %(reason)s::varchar[], %(level)s::int[])
                      AS v(aml, move, partner, due, residual, reason, level)""",
            {
                "run": run.id,
                "company": run.company_id.id,
                "uid": self.env.uid,
                "aml": [row[0] for row, _reason, _level in holds],
                "move": [row[1] for row, _reason, _level in holds],
                "partner": [row[2] for row, _reason, _level in holds],
                "due": [row[4] for row, _reason, _level in holds],
                "residual": [row[5] for row, _reason, _level in holds],
                "reason": [reason for _row, reason, _level in holds],
                "level": [level or None for _row, _reason, level in holds],
            },
        )
        self.env.invalidate_all()

    # ------------------------------------------------------------------ issuing
    @api.model
    def _validate(self, runs, notices=None):
        """Issue the draft notices of `runs` (or only `notices`): levels move up.

        Row locks on the invoices' receivable lines: a concurrent run skips what
        this one is issuing, and an item already noticed on the notice's date is
        dropped, so no notice goes out twice.
        """
        Notice = self.env["debtor.dunning.notice"]
        cr = self.env.cr
        self.env.flush_all()
        if notices is None:
            cr.execute(
                "SELECT id FROM debtor_dunning_notice"
                " WHERE run_id = ANY(%s) AND state = 'draft'",
                [runs.ids],
            )
        else:
            cr.execute(
                "SELECT id FROM debtor_dunning_notice"
                " WHERE id = ANY(%s) AND state = 'draft'",
                [notices.ids],
            )
        ids = [row[0] for row in cr.fetchall()]
        issued = Notice
        if ids:
            cr.execute(
                """SELECT l.id, l.move_line_id, n.date
                     FROM debtor_dunning_notice_line l
                     JOIN debtor_dunning_notice n ON n.id = l.notice_id
                    WHERE n.id = ANY(%s)""",
                [ids],
            )
            lines = cr.fetchall()
            cr.execute(_LOCK_SQL, [list({aml for _line, aml, _day in lines})])
            locked = {row[0]: row[1:] for row in cr.fetchall()}
            dropped = [
                line
                for line, aml, day in lines
                if aml not in locked or _settled_or_held(*locked[aml], day)
            ]
            if dropped:
                cr.execute(
                    "DELETE FROM debtor_dunning_notice_line WHERE id = ANY(%s)",
                    [dropped],
                )
            # A part-payment since the proposal: the notice claims what is open now.
            cr.execute(_REFRESH_AMOUNTS_SQL, [ids, ids])
            cr.execute(
                """UPDATE debtor_dunning_notice n SET state = 'cancel'
                    WHERE n.id = ANY(%s) AND NOT EXISTS (
                          SELECT 1 FROM debtor_dunning_notice_line l
                           WHERE l.notice_id = n.id AND l.escalated)
                RETURNING id""",
                [ids],
            )
            cancelled = {row[0] for row in cr.fetchall()}
            if cancelled:
                _logger.info(
                    "Dunning: %s notices already issued elsewhere", len(cancelled)
                )
            self.env.invalidate_all()
            issued = Notice.browse([i for i in ids if i not in cancelled])
            if issued:
                self._issue(issued)
        cr.execute(
            """UPDATE debtor_dunning_run r SET state = 'done'
                WHERE r.id = ANY(%s) AND r.state = 'proposal' AND NOT EXISTS (
                      SELECT 1 FROM debtor_dunning_notice n
                       WHERE n.run_id = r.id AND n.state = 'draft')""",
            [runs.ids],
        )
        runs.invalidate_recordset(["state"])
        return issued

    @api.model
    def _issue(self, notices):
        """Write the new levels set-based, then the notices' channels and messages."""
        cr = self.env.cr
        params = {"ids": notices.ids}
        self._follow_reviewed_levels(notices)
        # The invoices' own due dates (receivable lines): new level, last notice.
        cr.execute(
            """UPDATE account_move_line aml
                  SET dunning_level_id = CASE WHEN l.escalated THEN l.level_id
                                              ELSE aml.dunning_level_id END,
                      dunning_last_date = n.date
                 FROM debtor_dunning_notice_line l
                 JOIN debtor_dunning_notice n ON n.id = l.notice_id
                WHERE l.notice_id = ANY(%(ids)s) AND aml.id = l.move_line_id""",
            params,
        )
        # The invoice shows the highest level of its due dates.
        cr.execute(
            """UPDATE account_move m
                  SET dunning_level_id = top.level_id, dunning_last_date = top.day
                 FROM (SELECT DISTINCT ON (aml.move_id) aml.move_id,
                              aml.dunning_level_id AS level_id,
                              MAX(aml.dunning_last_date) OVER w AS day
                         FROM account_move_line aml
                         JOIN debtor_dunning_level lvl ON lvl.id = aml.dunning_level_id
                        WHERE aml.move_id IN (
                              SELECT move_id FROM debtor_dunning_notice_line
                               WHERE notice_id = ANY(%(ids)s))
                       WINDOW w AS (PARTITION BY aml.move_id)
                     ORDER BY aml.move_id, lvl.rank DESC) top
                WHERE m.id = top.move_id
                  AND (m.dunning_level_id IS DISTINCT FROM top.level_id
                       OR m.dunning_last_date IS DISTINCT FROM top.day)""",
            params,
        )
        cr.execute(
            """UPDATE res_partner p SET dunning_last_date = s.day
                 FROM (SELECT partner_id, MAX(date) AS day FROM debtor_dunning_notice
                        WHERE id = ANY(%(ids)s) GROUP BY partner_id) s
                WHERE p.id = s.partner_id""",
            params,
        )
        self.env.invalidate_all()
        self._set_channels(notices)
        self._issue_law(notices)
        self._apply_actions(notices)
        self._log_messages(notices)

    @api.model
    def _follow_reviewed_levels(self, notices):
        """The reviewer may have moved a notice's level: its escalating lines follow.

        Lowered: no line goes above the notice's level. Raised: the lines that set
        the notice's level go up with it; the others keep their own.
        """
        self.env.flush_all()
        self.env.cr.execute(
            """WITH l AS (
                   SELECT l.id, ll.rank AS line_rank, nl.rank AS notice_rank,
                          n.level_id AS notice_level,
                          MAX(ll.rank) OVER (PARTITION BY l.notice_id) AS top
                     FROM debtor_dunning_notice_line l
                     JOIN debtor_dunning_notice n ON n.id = l.notice_id
                     JOIN debtor_dunning_level nl ON nl.id = n.level_id
                     JOIN debtor_dunning_level ll ON ll.id = l.level_id
                    WHERE l.notice_id = ANY(%s) AND l.escalated)
               UPDATE debtor_dunning_notice_line t SET level_id = l.notice_level
                 FROM l
                WHERE t.id = l.id
                  AND ((l.notice_rank < l.top AND l.line_rank > l.notice_rank)
                       OR (l.notice_rank > l.top AND l.line_rank = l.top))""",
            [notices.ids],
        )

    @api.model
    def _set_channels(self, notices):
        """Each notice's channels as its level says (e-mail falls back to a letter).

        A customer can be e-mailed when it, or one of its dunning contacts, has an
        address (see res.partner._dunning_recipients).
        """
        self.env.cr.execute(
            """WITH c AS (
                   SELECT p.id, (COALESCE(p.email, '') <> '' OR EXISTS (
                              SELECT 1 FROM res_partner ch
                               WHERE ch.parent_id = p.id AND ch.active
                                 AND ch.dunning_role IS NOT NULL
                                 AND COALESCE(ch.email, '') <> '')) AS mailable
                     FROM res_partner p
                    WHERE p.id IN (SELECT partner_id FROM debtor_dunning_notice
                                    WHERE id = ANY(%(ids)s)))
               UPDATE debtor_dunning_notice n
                  SET state = 'issued',
                      email_state = CASE WHEN lvl.send_email AND c.mailable
                                         THEN 'to_send' ELSE 'none' END,
                      letter_state = CASE WHEN lvl.send_letter
                                           OR (lvl.send_email AND NOT c.mailable)
                                          THEN 'to_print' ELSE 'none' END,
                      call_state = CASE WHEN lvl.create_call
                                        THEN 'to_do' ELSE 'none' END,
                      write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
                 FROM debtor_dunning_level lvl, c
                WHERE n.id = ANY(%(ids)s) AND lvl.id = n.level_id
                  AND c.id = n.partner_id""",
            {"ids": notices.ids, "uid": self.env.uid},
        )
        self.env.cr.execute(
            "UPDATE debtor_dunning_notice_line SET state = 'issued'"
            " WHERE notice_id = ANY(%s)",
            [notices.ids],
        )
        notices.invalidate_recordset()
        notices.line_ids.invalidate_recordset(["state"])

    @api.model
    def _apply_actions(self, notices):
        """Credit hold, hand-over and call to-dos that a level asks for."""
        params = {"ids": notices.ids}
        self.env.cr.execute(
            """UPDATE res_partner p SET dunning_credit_hold = TRUE
                 FROM debtor_dunning_notice n
                 JOIN debtor_dunning_level lvl ON lvl.id = n.level_id
                WHERE n.id = ANY(%(ids)s) AND lvl.credit_hold AND p.id = n.partner_id
                  AND p.dunning_credit_hold IS NOT TRUE""",
            params,
        )
        # Only the invoices whose own level hands over go to the agency.
        self.env.cr.execute(
            """UPDATE account_move m SET dunning_handed_over_date = n.date
                 FROM debtor_dunning_notice_line l
                 JOIN debtor_dunning_notice n ON n.id = l.notice_id
                 JOIN debtor_dunning_level lvl ON lvl.id = l.level_id
                WHERE l.notice_id = ANY(%(ids)s) AND l.escalated AND lvl.hand_over
                  AND m.id = l.move_id AND m.dunning_handed_over_date IS NULL""",
            params,
        )
        self.env.invalidate_all()
        calls = notices.filtered("level_id.create_call")
        activity_type = self.env.ref(
            "mail.mail_activity_data_call", raise_if_not_found=False
        )
        if calls and activity_type:
            model_id = self.env["ir.model"]._get_id("debtor.dunning.notice")
            self.env["mail.activity"].with_context(
                mail_activity_quick_update=True
            ).create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": notice.id,
                        "activity_type_id": activity_type.id,
                        "summary": self.env._("Dunning call"),
                        "user_id": (
                            notice.policy_id.responsible_id or self.env.user
                        ).id,
                        "date_deadline": notice.date,
                    }
                    for notice in calls
                ]
            )

    @api.model
    def _log_messages(self, notices):
        """One chatter note per notice, all inserted in one statement."""
        subtype = self.env.ref("mail.mt_note")
        bodies = [
            Markup("<p>%s</p>")
            % self.env._(
                "Issued at level %(level)s for %(count)s invoice(s).",
                level=notice.level_id.name,
                count=notice.line_count,
            )
            for notice in notices
        ]
        self.env.cr.execute(
            """INSERT INTO mail_message
                   (model, res_id, record_name, message_type, subtype_id, author_id,
                    body, date, create_uid, write_uid, create_date, write_date)
               SELECT 'debtor.dunning.notice', v.id, n.name, 'notification',
                      %(subtype)s,
                      %(author)s, v.body, now() AT TIME ZONE 'UTC', %(uid)s, %(uid)s,
                      now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                 FROM unnest(%(ids)s::int[], %(bodies)s::text[]) AS v(id, body)
                 JOIN debtor_dunning_notice n ON n.id = v.id""",
            {
                "ids": notices.ids,
                "bodies": [str(body) for body in bodies],
                "subtype": subtype.id,
                "author": self.env.user.partner_id.id,
                "uid": self.env.uid,
            },
        )
        self.env["mail.message"].invalidate_model()
        notices.invalidate_recordset(["message_ids"])

    # ------------------------------------------------------------------ scheduling
    @api.model
    def _cron_escalate(self, batch_size=1000):
        """Daily: propose for every company, issue the automatic part in batches."""
        today = fields.Date.context_today(self)
        Run = self.env["debtor.dunning.run"]
        companies = [
            company
            for (company,) in self.env["debtor.dunning.policy"]._read_group(
                [("active", "=", True)], ["company_id"]
            )
        ]
        for company in companies:
            if not Run.search_count(
                [
                    ("company_id", "=", company.id),
                    ("date", "=", today),
                    ("automatic", "=", True),
                ]
            ):
                self.with_company(company)._propose(company, today, automatic=True)
        pending = self.env["debtor.dunning.notice"].search(
            [
                ("state", "=", "draft"),
                ("run_id.automatic", "=", True),
                ("run_id.state", "=", "proposal"),
                ("policy_id.mode", "=", "auto"),
                ("level_id.needs_review", "=", False),
            ],
            order="id",
        )
        batch = pending[:batch_size]
        if batch:
            self._validate(batch.run_id, batch)
        self.env["ir.cron"]._notify_progress(
            done=len(batch), remaining=len(pending) - len(batch)
        )
        self._send_notices(batch | batch.search(self._email_retry_domain()))
        return batch

    # ------------------------------------------------------------------ e-mail
    @api.model
    def _email_retry_domain(self):
        """Issued notices whose e-mail still has to leave, or may be tried again."""
        return [
            ("state", "=", "issued"),
            ("email_state", "in", ("to_send", "failed")),
            ("email_attempt_count", "<", MAX_EMAIL_ATTEMPTS),
        ]

    @api.model
    def _send_notices(self, notices):
        """E-mail the issued notices that wait for it; returns the notices queued.

        Idempotent: a notice goes out through one mail.mail only, and its state is
        read from that mail, so a crash between sending and writing the notice
        never sends it twice. A failed e-mail goes back into the queue (the same
        mail.mail, or a new one if it was deleted) until MAX_EMAIL_ATTEMPTS.
        """
        notices = notices.filtered(
            lambda n: n.state == "issued" and n.email_state in ("to_send", "failed")
        )
        self._sync_email_state(notices)
        waiting = notices.filtered(
            lambda n: (
                n.email_state in ("to_send", "failed")
                and n.email_attempt_count < MAX_EMAIL_ATTEMPTS
            )
        )
        # A queued mail (to_send with its mail) leaves by itself: nothing to do.
        requeue = waiting.filtered(lambda n: n.email_state == "failed" and n.mail_id)
        fresh = waiting.filtered(lambda n: not n.mail_id)
        if not (requeue or fresh):
            return notices.browse()
        mails = requeue.mail_id.sudo()
        mails.mark_outgoing()
        requeue.write({"email_state": "to_send", "email_error": False})
        queued, new_mails = self._queue_emails(fresh)
        mails |= new_mails
        self._count_attempt(requeue | queued)
        self._dispatch_mails(mails)
        return requeue | queued

    @api.model
    def _count_attempt(self, notices):
        if notices:
            self.env.flush_all()
            self.env.cr.execute(
                """UPDATE debtor_dunning_notice
                      SET email_attempt_count = COALESCE(email_attempt_count, 0) + 1
                    WHERE id = ANY(%s)""",
                [notices.ids],
            )
            notices.invalidate_recordset(["email_attempt_count"])

    @api.model
    def _queue_emails(self, notices):
        """Post each notice's e-mail on it, queued (not sent).

        Returns the notices queued and their mail.mail, which each notice keeps.
        The customer's own chatter logs that the notice was e-mailed, so its
        history shows there too.
        """
        mails = self.env["mail.mail"].sudo()
        if not notices:
            return notices, mails
        self._render_letters(notices)
        default = self.env.ref("debtor_dunning.mail_template_dunning_notice")
        by_template = defaultdict(lambda: notices.browse())
        for notice in notices:
            by_template[notice.level_id.mail_template_id or default] |= notice
        queued = notices.browse()
        unreachable = notices.browse()
        logs = defaultdict(list)
        for template, group in by_template.items():
            rendered = template._generate_template(group.ids, _MAIL_FIELDS)
            for notice in group:
                values = rendered[notice.id]
                if not values.get("partner_ids"):
                    unreachable |= notice
                    continue
                message = self._post_email(notice, values)
                mail = mails.search([("mail_message_id", "=", message.id)], limit=1)
                notice.write({"mail_id": mail.id, "mail_message_id": message.id})
                mails |= mail
                queued |= notice
                logs[notice.partner_id.commercial_partner_id.id].append(
                    self.env._(
                        "%(notice)s (%(level)s) e-mailed to %(emails)s.",
                        notice=notice._get_html_link(),
                        level=notice.level_id.name,
                        emails=", ".join(
                            self.env["res.partner"]
                            .browse(values["partner_ids"])
                            .mapped("email")
                        ),
                    )
                )
        if logs:
            self.env["res.partner"].browse(list(logs))._message_log_batch(
                {pid: Markup("<br/>").join(lines) for pid, lines in logs.items()}
            )
        if unreachable:
            self._email_failed(
                unreachable,
                self.env._(
                    "The customer has no dunning contact with an e-mail address."
                ),
                final=True,
            )
        return queued, mails

    @api.model
    def _post_email(self, notice, values):
        """Post the rendered e-mail on the notice to its recipients, queued."""
        author = (
            notice.policy_id.responsible_id.partner_id or notice.company_id.partner_id
        )
        return notice.with_context(
            mail_notify_force_send=False,
            mail_post_autofollow=False,
            mail_create_nosubscribe=True,
        ).message_post(
            body=Markup(values.get("body_html") or ""),
            subject=values.get("subject"),
            author_id=author.id,
            email_from=values.get("email_from") or author.email_formatted,
            reply_to=values.get("reply_to") or None,
            partner_ids=values["partner_ids"],
            attachments=[
                (name, base64.b64decode(data))
                for name, data in values.get("attachments", [])
            ],
            attachment_ids=values.get("attachment_ids", []),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_layout",
            mail_auto_delete=False,
            mail_server_id=values.get("mail_server_id") or False,
            force_email_lang=notice.partner_id.lang,
        )

    @api.model
    def _render_letters(self, notices):
        """Render the letters of many notices in few wkhtmltopdf calls.

        The report keeps each issued notice's PDF as its attachment, which the
        e-mail then attaches without rendering it again. Debian's wkhtmltopdf makes
        one PDF of all letters (see IrActionsReport._prepare_html): it is split
        here at the first page of each letter, the page showing its reference.
        """
        if len(notices) < 2:
            return
        Report = self.env["ir.actions.report"]
        for start in range(0, len(notices), _RENDER_BATCH):
            batch = notices[start : start + _RENDER_BATCH]
            if not batch._letter_layout()["header_in_body"]:
                Report._render_qweb_pdf(LETTER_REPORT, res_ids=batch.ids)
                continue
            kept = self.env["ir.attachment"].search(
                [("res_model", "=", batch._name), ("res_id", "in", batch.ids)]
            )
            # Oldest first: a letter may name an older notice (costs claimed on
            # it), never a newer one, so each letter's first page is found.
            todo = batch.filtered(
                lambda n, kept=kept: (
                    n.state == "issued" and n.id not in kept.mapped("res_id")
                )
            ).sorted("id")
            if len(todo) < 2:
                continue
            content, kind = Report.with_context(
                report_pdf_no_attachment=True
            )._render_qweb_pdf(LETTER_REPORT, res_ids=todo.ids)
            if kind != "pdf":
                continue
            streams = self._split_letters(content, todo)
            report = Report._get_report(LETTER_REPORT)
            values = Report._prepare_pdf_report_attachment_vals_list(report, streams)
            self.env["ir.attachment"].create(values)

    @api.model
    def _split_letters(self, content, notices):
        """{notice id: {'stream', 'attachment'}}: each letter's pages of one PDF.

        A letter starts on the first page that shows its reference, after the
        previous letter's start; empty if a reference is not found.
        """
        reader = PdfFileReader(io.BytesIO(content))
        starts, expected = [], list(notices)
        for number, page in enumerate(reader.pages):
            if expected and expected[0].name in _page_text(page):
                starts.append(number)
                expected.pop(0)
        if expected or not starts or starts[0] != 0:
            _logger.info("Dunning letters not split: %s not found", expected)
            return {}
        streams = {}
        for index, notice in enumerate(notices):
            end = starts[index + 1] if index + 1 < len(starts) else len(reader.pages)
            writer = PdfFileWriter()
            add_page = getattr(writer, "add_page", None) or writer.addPage
            for number in range(starts[index], end):
                add_page(reader.pages[number])
            stream = io.BytesIO()
            writer.write(stream)
            streams[notice.id] = {"stream": stream, "attachment": None}
        return streams

    @api.model
    def _dispatch_mails(self, mails):
        """Few mails leave right after the commit; many wait for the mail queue."""
        if not mails:
            return
        if len(mails) <= _SEND_NOW_LIMIT:
            mails.send_after_commit()
        else:
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()

    @api.model
    def _sync_email_state(self, notices):
        """Each notice's e-mail state as its mail.mail says (sent, failed, queued)."""
        notices = notices.filtered("mail_id")
        if not notices:
            return
        bounced = set(
            self.env["mail.notification"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "in", notices.mail_message_id.ids),
                    ("notification_status", "=", "bounce"),
                ]
            )
            .mail_message_id.ids
        )
        sent, queued = notices.browse(), notices.browse()
        for notice in notices:
            outcome, error = self._email_outcome(notice, bounced)
            if outcome == "sent" and notice.email_state != "sent":
                sent |= notice
            elif outcome == "failed" and notice.email_state != "failed":
                self._email_failed(notice, error)
            elif outcome == "queued" and notice.email_state == "failed":
                queued |= notice  # queued again by someone
        if sent:
            sent.write(
                {
                    "email_state": "sent",
                    "email_error": False,
                    "email_date": fields.Datetime.now(),
                }
            )
        if queued:
            queued.write({"email_state": "to_send", "email_error": False})

    @api.model
    def _email_outcome(self, notice, bounced):
        """(sent, failed or queued, error) of a notice's e-mail as its mail says."""
        mail = notice.mail_id.sudo()
        if mail.state == "sent" and notice.mail_message_id.id in bounced:
            return "failed", self.env._("The e-mail bounced.")
        if mail.state == "sent":
            return "sent", False
        if mail.state in ("exception", "cancel"):
            reason = dict(mail._fields["failure_type"].selection).get(mail.failure_type)
            return "failed", mail.failure_reason or reason or self.env._(
                "The mail server did not accept the e-mail."
            )
        return "queued", False

    @api.model
    def _email_failed(self, notices, error, final=False):
        """The e-mail of `notices` failed; the last attempt falls back to a letter."""
        notices.write({"email_state": "failed", "email_error": error})
        last = (
            notices
            if final
            else notices.filtered(lambda n: n.email_attempt_count >= MAX_EMAIL_ATTEMPTS)
        )
        if final:
            last.email_attempt_count = MAX_EMAIL_ATTEMPTS
        last.filtered(lambda n: n.letter_state == "none").letter_state = "to_print"
        for notice in notices:
            notice._message_log(
                body=self.env._(
                    "The e-mail could not be delivered: %(error)s", error=error
                )
                + (
                    Markup("<br/>") + self.env._("A printed letter goes out instead.")
                    if notice in last
                    else ""
                )
            )

    # ------------------------------------------------------------------ post
    @api.model
    def _print_letters(self, notices):
        """One PDF with the letters to print of `notices` (one wkhtmltopdf call).

        The letters still to print become printed today; without any, the
        selected issued notices are printed again (no state changes). Sorted by
        country and postcode, as the post sorts them.
        """
        letters = notices.filtered(
            lambda n: n.state == "issued" and n.letter_state == "to_print"
        ) or notices.filtered(lambda n: n.state == "issued")
        if not letters:
            raise UserError(self.env._("There is no issued notice to print."))
        letters = letters.sorted(
            lambda n: (
                n.partner_id.country_id.code or "",
                n.partner_id.zip or "",
                n.partner_id.name or "",
                n.id,
            )
        )
        content, kind = self.env["ir.actions.report"]._render_qweb_pdf(
            LETTER_REPORT, res_ids=letters.ids
        )
        today = fields.Date.context_today(self)
        run = letters.run_id if len(letters.run_id) == 1 else letters.run_id.browse()
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._(
                    "Dunning letters %(date)s.%(kind)s", date=today, kind=kind
                ),
                "raw": content,
                "res_model": run._name if run else False,
                "res_id": run.id,
            }
        )
        to_print = letters.filtered(lambda n: n.letter_state == "to_print")
        if to_print:
            to_print.write({"letter_state": "printed", "letter_date": today})
            to_print._message_log_batch(
                dict.fromkeys(to_print.ids, self.env._("The letter was printed."))
            )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    @api.model
    def _mark_posted(self, notices):
        """Printed letters that went in the post today."""
        today = fields.Date.context_today(self)
        notices.write({"letter_state": "posted", "letter_date": today})
        notices._message_log_batch(
            dict.fromkeys(notices.ids, self.env._("The letter was posted."))
        )

    @api.model
    def _invoice_pdfs(self, moves):
        """{invoice id: (file name, PDF)}: the PDF sent with the invoice if any,
        else rendered now, all of them in one wkhtmltopdf call when possible."""
        result = {}
        for move in moves.filtered("invoice_pdf_report_id"):
            attachment = move.invoice_pdf_report_id.sudo()
            result[move.id] = (attachment.name, attachment.raw)
        rest = moves - moves.filtered("invoice_pdf_report_id")
        if not rest:
            return result
        Report = self.env["ir.actions.report"].sudo()
        # Debian's wkhtmltopdf takes one document per call: one invoice at a time.
        together = (
            len(rest) > 1
            and not self.env["debtor.dunning.notice"]._letter_layout()["header_in_body"]
        )
        streams, kind = (
            Report._pre_render_qweb_pdf(INVOICE_REPORT, res_ids=rest.ids)
            if together
            else ({}, "pdf")
        )
        if kind == "pdf":
            for move in rest:
                stream = streams.get(move.id, {}).get("stream")
                if stream:
                    result[move.id] = (
                        move._get_invoice_report_filename(),
                        stream.getvalue(),
                    )
        for move in rest.filtered(lambda m: m.id not in result):  # not split
            content, kind = Report._render_qweb_pdf(INVOICE_REPORT, move.ids)
            result[move.id] = (move._get_invoice_report_filename(kind), content)
        return result

    # ------------------------------------------------------------------ charges
    @api.model
    def _compute_charges(self, notices):
        """Costs and interest of notices as charge lines, totals and a note.

        Set-based: the facts are read in a few queries, the charge lines replaced in
        two statements; waivers of a notice survive the computation.
        """
        notices = notices.filtered(lambda notice: notice.state != "cancel")
        if not notices:
            return
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(_DROP_CHARGES_SQL, [notices.ids])
        kept = {
            (notice_id, move_id, kind): {
                "waived": True,
                "waive_reason": reason,
                "waived_by_id": user_id,
                "waived_date": day,
            }
            for notice_id, move_id, kind, waived, reason, user_id, day in cr.fetchall()
            if waived
        }
        facts = self._charge_facts(notices)
        vals_list, totals = [], []
        for notice in notices:
            # The descriptions are frozen on the letter: in the customer's language.
            lang = notice.partner_id.lang or self.env.lang
            charges, notes, announced = self.with_context(lang=lang)._notice_charges(
                notice, facts
            )
            cost = interest_ = _ZERO
            for vals in charges:
                vals["notice_id"] = notice.id
                vals.update(kept.get((notice.id, vals["move_id"], vals["kind"]), {}))
                if not vals.get("waived"):
                    if vals["kind"] == "cost":
                        cost += vals["amount"]
                    else:
                        interest_ += vals["amount"]
            vals_list += charges
            totals.append((notice.id, cost, interest_, announced, "\n".join(notes)))
        self._insert_charges(vals_list)
        cr.execute(
            _TOTALS_SQL,
            [
                [row[0] for row in totals],
                [row[1] for row in totals],
                [row[2] for row in totals],
                [row[3] for row in totals],
                [row[4] or None for row in totals],
            ],
        )
        self.env["debtor.dunning.notice.charge"].invalidate_model()
        notices.invalidate_recordset(
            [
                "charge_ids",
                "cost_amount",
                "interest_amount",
                "amount_due",
                "announced_cost_amount",
                "charge_note",
            ]
        )

    @api.model
    def _insert_charges(self, vals_list):
        """Charge lines in one INSERT: a first run on a big book makes many."""
        if vals_list:
            params = {
                column: [vals.get(column) for vals in vals_list]
                for column in _CHARGE_COLUMNS
            }
            params["waived"] = [bool(vals.get("waived")) for vals in vals_list]
            self.env.cr.execute(_INSERT_CHARGES_SQL, {"uid": self.env.uid, **params})

    @api.model
    def _charge_facts(self, notices):
        """What the charges of `notices` depend on, read once for all of them."""
        moves = notices.line_ids.move_id
        params = {"moves": moves.ids, "notices": notices.ids}
        cr = self.env.cr
        cr.execute(_EARLIER_SQL, params)
        earlier = defaultdict(list)
        for move_id, day, email_state, letter_state, fourteen_day in cr.fetchall():
            # Without a trace of the e-mail, presume the slower post.
            by_post = letter_state != "none" or email_state == "none"
            earlier[move_id].append((day, by_post, bool(fourteen_day)))
        cr.execute(_CLAIMED_SQL, params)
        claimed = {}
        for move_id, origin_id, amount, waived, notice_name in cr.fetchall():
            claim = claimed.setdefault(
                move_id,
                {"origin": origin_id, "amount": amount, "notice": notice_name},
            )
            claim["waived"] = claim.get("waived") or bool(waived)
        cr.execute(_INVOICED_SQL, params)
        invoiced = dict(cr.fetchall())
        cr.execute(_CHARGE_MOVES_SQL, params)
        charge_moves = {row[0] for row in cr.fetchall()}
        Rate = self.env["debtor.dunning.rate"]
        return {
            "earlier": earlier,
            "claimed": claimed,
            "invoiced": invoiced,
            "charge_moves": charge_moves,
            "rates": {c.id: Rate._dunning_rate_table(c) for c in notices.company_id},
            "holidays": {},
        }

    @api.model
    def _notice_charges(self, notice, facts):
        """(charge values, note lines, announced costs) of one notice."""
        company = notice.company_id
        law, debtor_type = notice.partner_id._dunning_law(company)
        level = notice.level_id
        rounding = company.currency_id.rounding
        by_move = defaultdict(list)
        for line in notice.line_ids:
            if line.move_id.id not in facts["charge_moves"]:
                by_move[line.move_id].append(line)
        principal = {
            move: sum(
                (to_decimal(line.amount_residual, rounding) for line in lines), _ZERO
            )
            for move, lines in by_move.items()
        }
        gates = self._charge_gates(notice, law, debtor_type, by_move, facts)
        charges, notes = [], []
        if level.claims_costs or level.claims_interest:
            notes += self._gate_notes(notice, gates, level)
        announced = _ZERO
        if level.fourteen_day_letter and (law, debtor_type) == ("nl", "consumer"):
            unclaimed = [m for m in by_move if m.id not in facts["claimed"]]
            base = sum((principal[m] for m in unclaimed), _ZERO)
            if base:
                announced = fees.nl_collection_costs(base, self._cost_vat_rate(company))
                notes.append(
                    self.env._(
                        "14-day letter: unless the customer pays within fourteen days "
                        "from the day after receiving it, collection costs of "
                        "%(amount)s will be claimed (art. 6:96 lid 6 BW).",
                        amount=self._format(announced, company),
                    )
                )
        if level.claims_costs:
            charges += self._cost_charges(
                notice, law, debtor_type, principal, gates, facts, notes
            )
        if level.claims_interest:
            charges += self._interest_charges(
                notice, law, debtor_type, by_move, gates, facts, notes
            )
        return charges, notes, announced

    @api.model
    def _charge_gates(self, notice, law, debtor_type, by_move, facts):
        """Per invoice: None (no gate), or (reason, first day costs may be charged)."""
        if debtor_type != "consumer" or law not in ("nl", "be"):
            return {}
        gates = {}
        for move in by_move:
            sent = [row for row in facts["earlier"][move.id] if row[0] <= notice.date]
            if law == "nl":
                # Art. 6:96 lid 6 BW: costs only after a 14-day letter's term passed.
                ends = [
                    fees.nl_fourteen_day_term_end(
                        day, by_post, self._holidays("nl", day, facts)
                    )
                    for day, by_post, fourteen_day in sent
                    if fourteen_day
                ]
                gates[move] = (
                    ("nl_letter", min(ends) + _DAY) if ends else ("nl_none", None)
                )
            else:
                # Art. XIX.2 CEL: the first reminder is free; nothing before 14 days.
                if not sent:
                    gates[move] = ("be_first", None)
                else:
                    day, by_post, _fourteen_day = sent[0]
                    end = fees.be_reminder_term_end(
                        day, by_post, self._holidays("be", day, facts)
                    )
                    gates[move] = ("be_term", end + _DAY)
        return gates

    @api.model
    def _gate_open(self, notice, gates, move):
        """Whether `notice` may charge costs on `move` (BE consumers: anything)."""
        gate = gates.get(move)
        return gate is None or (gate[1] is not None and notice.date >= gate[1])

    @api.model
    def _gate_notes(self, notice, gates, level):
        """One line per reason why some invoices are charged nothing yet."""
        waiting = defaultdict(list)
        for move, (reason, day) in gates.items():
            if not self._gate_open(notice, gates, move):
                waiting[reason, day].append(move.name)
        notes = []
        for (reason, day), names in sorted(waiting.items(), key=lambda kv: kv[0][0]):
            invoices = ", ".join(sorted(names))
            if reason == "nl_none" and level.claims_costs:
                notes.append(
                    self.env._(
                        "No collection costs for %(invoices)s: no 14-day letter was "
                        "sent for them yet (art. 6:96 lid 6 BW).",
                        invoices=invoices,
                    )
                )
            elif reason == "nl_letter" and level.claims_costs:
                notes.append(
                    self.env._(
                        "No collection costs for %(invoices)s before %(date)s: the "
                        "14-day letter's term has not passed (art. 6:96 lid 6 BW).",
                        invoices=invoices,
                        date=format_date(self.env, day),
                    )
                )
            elif reason == "be_first":
                notes.append(
                    self.env._(
                        "First reminder for %(invoices)s: it is free, without costs, "
                        "damages or interest (Code of Economic Law, art. XIX.2).",
                        invoices=invoices,
                    )
                )
            elif reason == "be_term":
                notes.append(
                    self.env._(
                        "No costs, damages or interest for %(invoices)s before "
                        "%(date)s: 14 days after the free first reminder (Code of "
                        "Economic Law, art. XIX.2).",
                        invoices=invoices,
                        date=format_date(self.env, day),
                    )
                )
        return notes

    @api.model
    def _cost_charges(self, notice, law, debtor_type, principal, gates, facts, notes):
        """Cost lines: new claims by the law, earlier claims repeated (letter mode)."""
        letter_mode = notice.company_id.dunning_charge_mode == "letter"
        charges, new, waived = [], [], []
        for move, amount in principal.items():
            claim = facts["claimed"].get(move.id)
            if claim and claim["waived"]:
                waived.append(move.name)
            elif claim and letter_mode:
                charges.append(
                    {
                        "kind": "cost",
                        "move_id": move.id,
                        "name": self.env._(
                            "Collection costs claimed on %(notice)s",
                            notice=claim["notice"],
                        ),
                        "origin_id": claim["origin"],
                        "amount": to_decimal(claim["amount"]),
                    }
                )
            elif not claim and amount and self._gate_open(notice, gates, move):
                new.append((move, amount))
        if waived:
            notes.append(
                self.env._(
                    "Collection costs for %(invoices)s were waived.",
                    invoices=", ".join(sorted(waived)),
                )
            )
        if new:
            charges += self._new_cost_charges(notice, law, debtor_type, new, notes)
        return charges

    @api.model
    def _new_cost_charges(self, notice, law, debtor_type, new, notes):
        """Cost lines of the invoices whose costs `notice` claims first."""
        company = notice.company_id
        amounts = [amount for _move, amount in new]
        total = sum(amounts, _ZERO)
        if law == "nl":
            vat = self._cost_vat_rate(company)
            parts = split_pro_rata(fees.nl_collection_costs(total, vat), amounts)
            name = self.env._(
                "Collection costs, Dutch scale on a principal of %(principal)s "
                "(art. 6:96 BW)",
                principal=self._format(total, company),
            )
            if vat:
                percent = f"{vat:g}"  # a plain name: babel cannot read an f-string here
                name = self.env._(
                    "%(name)s, with %(vat)s%% VAT", name=name, vat=percent
                )
        elif debtor_type == "consumer" and law == "be":
            parts = split_pro_rata(fees.be_consumer_damages(total), amounts)
            name = self.env._(
                "Damages on a balance of %(balance)s (Code of Economic Law, Book XIX)",
                balance=self._format(total, company),
            )
        elif debtor_type == "business":
            # 2011/7/EU art. 6; BE law of 2 August 2002 art. 6: EUR 40 per invoice.
            parts = [fees.eu_fixed_compensation() for _amount in amounts]
            name = self.env._(
                "Fixed recovery compensation (Directive 2011/7/EU art. 6)"
            )
        else:
            notes.append(
                self.env._(
                    "This customer's law sets no collection costs for consumers: none "
                    "are claimed."
                )
            )
            return []
        return [
            {
                "kind": "cost",
                "move_id": move.id,
                "name": name,
                "base_amount": to_float(amount),
                "amount": part,
            }
            for (move, amount), part in zip(new, parts, strict=True)
            if part
        ]

    @api.model
    def _interest_kind(self, notice, law, debtor_type):
        """The rates a notice's interest follows: contractual, else statutory."""
        return (
            notice.partner_id.dunning_interest_kind
            or notice.company_id.dunning_interest_kind
            or _STATUTORY.get((law, debtor_type))
        )

    @api.model
    def _interest_charges(self, notice, law, debtor_type, by_move, gates, facts, notes):
        """Interest lines, one per rate period and instalment, to the notice date."""
        company = notice.company_id
        kind = self._interest_kind(notice, law, debtor_type)
        if not kind:
            notes.append(
                self.env._(
                    "No statutory interest under this customer's law: name contractual "
                    "interest rates on the customer or in the settings to claim it."
                )
            )
            return []
        label = dict(
            self.env["debtor.dunning.rate"]
            ._fields["kind"]
            ._description_selection(self.env)
        )[kind]
        rates = facts["rates"][company.id].get(kind)
        if not rates:
            notes.append(
                self.env._(
                    "No interest: there are no rates for %(kind)s (Dunning > "
                    "Configuration > Interest Rates).",
                    kind=label,
                )
            )
            return []
        terms = {
            "rates": rates,
            "compound": law == "nl" and kind in _COMPOUNDING,
            "label": label,
            "end": notice.date + _DAY,  # the notice date included
            "rounding": company.currency_id.rounding,
        }
        charges, missing = [], []
        for move, lines in by_move.items():
            # Only Belgian consumers' interest waits (Book XIX); Dutch consumers owe
            # interest from the due date, the 14-day letter gates the costs only.
            gate = gates.get(move) if law == "be" else None
            if gate and not self._gate_open(notice, gates, move):
                continue
            move_charges = []
            for line in lines:
                start = line.date_maturity + _DAY
                try:
                    move_charges += self._line_interest_charges(
                        line, max(start, gate[1]) if gate else start, terms
                    )
                except DunningRuleError:
                    missing.append(move.name)
            charges += move_charges
            invoiced = to_decimal(facts["invoiced"].get(move.id) or 0)
            booked = sum((vals["amount"] for vals in move_charges), _ZERO)
            if invoiced > 0 and booked > 0:
                # Invoice mode: the interest to an earlier notice's date is booked
                # already; this notice books the rest.
                charges.append(
                    {
                        "kind": "interest",
                        "move_id": move.id,
                        "name": self.env._("Interest already invoiced"),
                        "amount": -min(invoiced, booked),
                    }
                )
        if missing:
            notes.append(
                self.env._(
                    "No interest for %(invoices)s: no %(kind)s rate is in force on "
                    "their due date.",
                    invoices=", ".join(sorted(set(missing))),
                    kind=label,
                )
            )
        return charges

    @api.model
    def _line_interest_charges(self, line, start, terms):
        """Interest lines of one due date from `start`, one per rate period."""
        base = to_decimal(line.amount_residual, terms["rounding"])
        total, periods = interest.statutory_interest(
            base, start, terms["end"], terms["rates"], compound_yearly=terms["compound"]
        )
        if not total:
            return []
        parts = split_pro_rata(total, [period.amount for period in periods])
        return [
            {
                "kind": "interest",
                "move_id": line.move_id.id,
                "name": terms["label"],
                "start_date": period.start,
                "end_date": period.end - _DAY,
                "days": period.days,
                "percent": float(period.percent),
                "base_amount": to_float(cents(period.base)),
                "amount": part,
            }
            for period, part in zip(periods, parts, strict=True)
            if part
        ]

    @api.model
    def _cost_vat_rate(self, company):
        """VAT percent added to Dutch costs: only when the company cannot deduct it."""
        if not company.dunning_charge_vat_on_costs:
            return _ZERO
        return to_decimal(company.dunning_cost_vat_rate)

    @api.model
    def _holidays(self, country, day, facts):
        """Public holidays of `country` around `day` (cached in `facts`)."""
        key = (country, day.year)
        if key not in facts["holidays"]:
            days = getattr(core_calendar, f"{country}_public_holidays")
            facts["holidays"][key] = days(day.year) | days(day.year + 1)
        return facts["holidays"][key]

    @api.model
    def _format(self, amount, company):
        """`amount` in the company's currency, as a user reads it."""
        return company.currency_id.format(float(amount))

    # ------------------------------------------------------------------ booking
    @api.model
    def _issue_law(self, notices):
        """At issue: charges checked again, frozen, booked; limitation interrupted."""
        self._post_charges(notices)
        self._interrupt_limitation(notices)

    @api.model
    def _post_charges(self, notices):
        """Compute the charges again, then post them where the company books them."""
        # The reviewer may have changed the level, lines may have been dropped.
        self._compute_charges(notices)
        self._post_charge_moves(
            notices.filtered(
                lambda n: (
                    n.company_id.dunning_charge_mode == "invoice"
                    and not n.charge_move_id
                )
            )
        )

    @api.model
    def _interrupt_limitation(self, notices):
        """The invoices of notices that interrupt limitation get a new limitation date.

        The service issues notices in SQL, so the ORM does not see the dependency.
        """
        moves = notices.filtered("level_id.interrupts_limitation").line_ids.move_id
        if moves:
            field = self.env["account.move"]._fields["dunning_limitation_date"]
            self.env.add_to_compute(field, moves)

    @api.model
    def _post_charge_moves(self, notices):
        """One posted charge invoice per notice: a costs line and an interest line."""
        vals_list, booked, journals = [], [], {}
        for notice in notices:
            company = notice.company_id
            lines = [
                self._prepare_charge_line_vals(notice, name, amount)
                for name, amount in (
                    (self.env._("Collection costs"), notice.cost_amount),
                    (self.env._("Interest"), notice.interest_amount),
                )
                if company.currency_id.compare_amounts(amount, 0) > 0
            ]
            if not lines:
                continue
            if company not in journals:
                journals[company] = self._charge_journal(company)
            vals_list.append(
                self._prepare_charge_move_vals(notice, journals[company], lines)
            )
            booked.append(notice.id)
        if not vals_list:
            return self.env["account.move"]
        moves = self.env["account.move"].create(vals_list)
        moves.action_post()
        self.env["debtor.dunning.notice"].flush_model(["charge_move_id"])
        self.env.cr.execute(
            """UPDATE debtor_dunning_notice n SET charge_move_id = v.move_id
                 FROM unnest(%s::int[], %s::int[]) AS v(id, move_id)
                WHERE n.id = v.id""",
            [booked, moves.ids],
        )
        notices.invalidate_recordset(["charge_move_id"])
        return moves

    @api.model
    def _charge_journal(self, company):
        """The sales journal charge invoices go to."""
        Journal = self.env["account.journal"]
        journal = Journal.search(
            [*Journal._check_company_domain(company), ("type", "=", "sale")], limit=1
        )
        if not journal:
            raise UserError(
                self.env._(
                    "%(company)s has no sales journal for the charge invoices of its "
                    "dunning notices.",
                    company=company.name,
                )
            )
        return journal

    @api.model
    def _prepare_charge_move_vals(self, notice, journal, lines):
        """Create values of the charge invoice of a notice."""
        return {
            "move_type": "out_invoice",
            "company_id": notice.company_id.id,
            "journal_id": journal.id,
            "partner_id": notice.partner_id.id,
            "currency_id": notice.currency_id.id,
            "invoice_date": notice.date,
            "invoice_date_due": notice.pay_by_date or notice.date,
            "invoice_payment_term_id": False,
            "invoice_origin": notice.name,
            "ref": notice.name,
            "invoice_line_ids": [Command.create(line) for line in lines],
        }

    @api.model
    def _prepare_charge_line_vals(self, notice, name, amount):
        """A charge invoice line; no VAT: costs and interest are damages, no supply."""
        company = notice.company_id
        vals = {
            "name": f"{name} ({notice.name})",
            "quantity": 1,
            "price_unit": amount,
            "tax_ids": [Command.clear()],
        }
        if company.dunning_charge_product_id:
            vals["product_id"] = company.dunning_charge_product_id.id
        if company.dunning_charge_account_id:
            vals["account_id"] = company.dunning_charge_account_id.id
        return vals

    # ------------------------------------------------------------------ waiving
    @api.model
    def _waive_message(self, kinds, reason):
        """The chatter line of a waiver."""
        if set(kinds) == {"cost"}:
            return self.env._("Collection costs waived: %(reason)s", reason=reason)
        if set(kinds) == {"interest"}:
            return self.env._("Interest waived: %(reason)s", reason=reason)
        return self.env._(
            "Collection costs and interest waived: %(reason)s", reason=reason
        )

    @api.model
    def _waive_charges(self, notices, kinds, reason):
        """Waive the costs and/or interest of notices, with the reason, in the chatter.

        A posted charge invoice is credited and, for what is not waived, posted again.
        """
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for waiving."))
        if notices.filtered(lambda notice: notice.state == "cancel"):
            raise UserError(self.env._("A cancelled notice claims nothing to waive."))
        charges = notices.charge_ids.filtered(
            lambda charge: charge.kind in kinds and not charge.waived
        )
        if not charges:
            raise UserError(self.env._("These notices have nothing left to waive."))
        rebooked = notices.filtered("charge_move_id")
        paid = rebooked.charge_move_id.filtered(
            lambda move: move.payment_state != "not_paid"
        )
        if paid:
            raise UserError(
                self.env._(
                    "The charge invoices %(moves)s have payments: credit them by hand.",
                    moves=", ".join(paid.mapped("name")),
                )
            )
        today = fields.Date.context_today(self)
        charges.write(
            {
                "waived": True,
                "waive_reason": reason,
                "waived_by_id": self.env.uid,
                "waived_date": today,
            }
        )
        for notice in charges.notice_id:
            kept = notice.charge_ids.filtered(lambda charge: not charge.waived)
            notice.write(
                {
                    "cost_amount": sum(
                        kept.filtered(lambda c: c.kind == "cost").mapped("amount")
                    ),
                    "interest_amount": sum(
                        kept.filtered(lambda c: c.kind == "interest").mapped("amount")
                    ),
                }
            )
            notice.message_post(body=self._waive_message(kinds, reason))
        if rebooked:
            credits = rebooked.charge_move_id._reverse_moves(
                [{"invoice_date": today, "ref": reason} for _move in rebooked],
                cancel=True,
            )
            rebooked.charge_move_id = False
            self._post_charge_moves(rebooked)
            return credits
        return self.env["account.move"]
