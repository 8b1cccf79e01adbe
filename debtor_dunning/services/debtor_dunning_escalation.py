"""Escalation: gather the open book, decide with the core, propose, issue, cron."""

import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models

from ..core import escalation, habits
from ..core.money import to_decimal

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
        self.env["debtor.dunning.charges"]._compute_charges(notices)
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
        self.env["debtor.dunning.charges"]._issue_law(notices)
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
        Sending = self.env["debtor.dunning.sending"]
        Sending._send_notices(batch | batch.search(Sending._email_retry_domain()))
        return batch
