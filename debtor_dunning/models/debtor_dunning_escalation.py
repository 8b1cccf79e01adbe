"""The one service that runs dunning: crons, buttons and wizards call it."""

import logging
from collections import defaultdict
from datetime import timedelta

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
_QUIET = {escalation.Reason.NOT_DUE, escalation.Reason.ALREADY_AT_LEVEL}

# One row per open receivable debit of a posted customer invoice: the invoice, or one
# of its instalments. Amounts in company currency.
_ITEMS_SQL = """
    SELECT aml.id, aml.move_id, COALESCE(p.commercial_partner_id, p.id),
           aml.account_id, aml.date_maturity, aml.amount_residual,
           aml.amount_residual_currency, aml.currency_id,
           COALESCE(lvl.rank, 0), aml.dunning_level_id, aml.dunning_last_date,
           CASE WHEN m.dunning_handed_over_date IS NOT NULL THEN 'handed_over'
                WHEN m.dunning_disputed THEN 'disputed'
                WHEN m.dunning_promise_date IS NOT NULL THEN 'promise'
                WHEN m.dunning_excluded THEN 'excluded' END,
           CASE WHEN m.dunning_handed_over_date IS NOT NULL
                  OR m.dunning_disputed THEN NULL
                WHEN m.dunning_promise_date IS NOT NULL THEN m.dunning_promise_date
                WHEN m.dunning_excluded THEN m.dunning_excluded_until END
      FROM account_move_line aml
      JOIN account_move m ON m.id = aml.move_id
      JOIN account_account acc ON acc.id = aml.account_id
      JOIN res_partner p ON p.id = aml.partner_id
 LEFT JOIN debtor_dunning_level lvl ON lvl.id = aml.dunning_level_id
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
            partner_filter = "AND COALESCE(p.commercial_partner_id, p.id) = ANY(%(partners)s)"
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
        self.env.cr.execute(_CREDITS_SQL, {"company": company.id, "partners": partner_ids})
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
            {"company": company.id, "partners": list(partner_ids), "since": since,
             "as_of": as_of},
        )
        paid = defaultdict(list)
        rounding = company.currency_id.rounding
        for pid, due, paid_date, amount in self.env.cr.fetchall():
            paid[pid].append(
                habits.PaidItem(due, paid_date, to_decimal(amount, rounding))
            )
        return {
            pid: habits.payment_habit(items, as_of, months) for pid, items in paid.items()
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
            elif not policy.account_ids or row[3] in policy.account_ids.ids:
                if to_decimal(row[5], rounding) > 0:  # not a rounding remainder
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
            company_moves = moves.filtered(lambda m, company=company: m.company_id == company)
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
        notice_vals, holds = [], []
        for policy, rows, decisions, plans in results:
            levels = policy.level_ids.sorted(lambda level: (level.sequence, level.id))
            escalating = {d.key: d.target_rank for d in decisions if d.reason is None}
            for plan in plans:
                notice_vals.append(
                    self._prepare_notice_vals(
                        run, policy, levels, plan, rows, escalating, as_of
                    )
                )
            holds += [
                (rows[d.key], d.reason.value, levels[d.target_rank - 1].id if d.target_rank else False)
                for d in decisions
                if d.reason is not None
                and d.reason not in _QUIET
                and rows[d.key][4] < as_of
            ]
        holds += [(row, "no_policy", False) for row in orphans if row[4] < as_of]
        notices = self.env["debtor.dunning.notice"].create(notice_vals)
        self.env["debtor.dunning.run.hold"].create(
            [
                {
                    "run_id": run.id,
                    "move_line_id": row[0],
                    "move_id": row[1],
                    "partner_id": row[2],
                    "date_maturity": row[4],
                    "amount_residual": row[5],
                    "reason": reason,
                    "level_id": level_id,
                }
                for row, reason, level_id in holds
            ]
        )
        self._number(notices)
        return run

    @api.model
    def _prepare_notice_vals(self, run, policy, levels, plan, rows, escalating, as_of):
        """Create values of one draft notice and its lines from a core plan."""
        level = levels[plan.rank - 1]
        lines = []
        for key in plan.keys:
            row = rows[key]
            target = escalating.get(key)
            lines.append(
                fields.Command.create(
                    {
                        "move_line_id": key,
                        "move_id": row[1],
                        "previous_level_id": row[9] or False,
                        "level_id": levels[target - 1].id if target else row[9] or False,
                        "escalated": bool(target),
                        "date_maturity": row[4],
                        "days_overdue": (as_of - row[4]).days,
                        "currency_id": row[7],
                        "amount_residual_currency": row[6],
                        "amount_residual": row[5],
                    }
                )
            )
        return {
            "run_id": run.id,
            "company_id": run.company_id.id,
            "partner_id": plan.customer,
            "policy_id": policy.id,
            "level_id": level.id,
            "date": as_of,
            "pay_by_date": as_of + timedelta(days=level.pay_days),
            "amount_total": float(plan.amount),
            "line_ids": lines,
        }

    @api.model
    def _number(self, notices):
        """Give notices their reference in one statement: DUN/<year>/<id>."""
        if notices:
            self.env.cr.execute(
                """UPDATE debtor_dunning_notice
                      SET name = 'DUN/' || to_char(date, 'YYYY') || '/'
                                 || lpad(id::text, 6, '0')
                    WHERE id = ANY(%s)""",
                [notices.ids],
            )
            notices.invalidate_recordset(["name"])

    # ------------------------------------------------------------------ issuing
    @api.model
    def _validate(self, runs, notices=None):
        """Issue the draft notices of `runs` (or only `notices`): levels move up.

        Row locks on the invoices' receivable lines: a concurrent run skips what
        this one is issuing, and an item already noticed on the run's date is
        dropped, so no notice goes out twice.
        """
        Notice = self.env["debtor.dunning.notice"]
        notices = (notices or runs.notice_ids).filtered(lambda n: n.state == "draft")
        if not notices:
            runs.filtered(lambda r: r.state == "proposal" and not r.notice_ids.filtered(
                lambda n: n.state == "draft")).state = "done"
            return Notice
        self.env.flush_all()
        lines = notices.line_ids
        self.env.cr.execute(
            """SELECT id, dunning_last_date FROM account_move_line
                WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE SKIP LOCKED""",
            [lines.move_line_id.ids],
        )
        locked = dict(self.env.cr.fetchall())
        dropped = lines.filtered(
            lambda line: line.move_line_id.id not in locked
            or (locked[line.move_line_id.id] or fields.Date.to_date("1900-01-01"))
            >= line.notice_id.date
        )
        dropped.unlink()
        empty = notices.filtered(lambda n: not n.line_ids.filtered("escalated"))
        if empty:
            _logger.info("Dunning: %s notices already issued elsewhere", len(empty))
            empty.state = "cancel"
        issued = notices - empty
        if issued:
            self._issue(issued)
        runs.filtered(
            lambda r: r.state == "proposal"
            and not r.notice_ids.filtered(lambda n: n.state == "draft")
        ).state = "done"
        return issued

    @api.model
    def _issue(self, notices):
        """Write the new levels set-based, then the notices' channels and messages."""
        lines = notices.line_ids
        for notice in notices:
            self._follow_reviewed_level(notice)
        self.env.flush_all()
        escalated = lines.filtered("escalated")
        self.env.cr.execute(
            """UPDATE account_move_line aml
                  SET dunning_level_id = v.level_id, dunning_last_date = v.day
                 FROM unnest(%s::int[], %s::int[], %s::date[]) AS v(id, level_id, day)
                WHERE aml.id = v.id""",
            [
                escalated.move_line_id.ids,
                [line.level_id.id for line in escalated],
                [line.notice_id.date for line in escalated],
            ],
        )
        riding = lines - escalated
        self.env.cr.execute(
            """UPDATE account_move_line aml SET dunning_last_date = v.day
                 FROM unnest(%s::int[], %s::date[]) AS v(id, day) WHERE aml.id = v.id""",
            [riding.move_line_id.ids, [line.notice_id.date for line in riding]],
        )
        self.env.cr.execute(
            """UPDATE account_move m
                  SET dunning_level_id = top.level_id, dunning_last_date = top.day
                 FROM (SELECT DISTINCT ON (aml.move_id) aml.move_id,
                              aml.dunning_level_id AS level_id,
                              MAX(aml.dunning_last_date) OVER w AS day
                         FROM account_move_line aml
                         JOIN debtor_dunning_level l ON l.id = aml.dunning_level_id
                        WHERE aml.move_id = ANY(%s)
                       WINDOW w AS (PARTITION BY aml.move_id)
                     ORDER BY aml.move_id, l.rank DESC) top
                WHERE m.id = top.move_id""",
            [lines.move_id.ids],
        )
        last = {}
        for notice in notices:
            last[notice.partner_id.id] = max(notice.date, last.get(notice.partner_id.id, notice.date))
        self.env.cr.execute(
            """UPDATE res_partner p SET dunning_last_date = v.day
                 FROM unnest(%s::int[], %s::date[]) AS v(id, day) WHERE p.id = v.id""",
            [list(last), list(last.values())],
        )
        self.env["account.move.line"].invalidate_model(["dunning_level_id", "dunning_last_date"])
        self.env["account.move"].invalidate_model(["dunning_level_id", "dunning_last_date"])
        self.env["res.partner"].invalidate_model(["dunning_last_date"])
        self._set_channels(notices)
        self._apply_actions(notices)
        self._log_messages(notices)

    @api.model
    def _follow_reviewed_level(self, notice):
        """The reviewer may have moved a notice's level: its escalating lines follow.

        Lowered: no line goes above the notice's level. Raised: the lines that set
        the notice's level go up with it; the others keep their own.
        """
        escalated = notice.line_ids.filtered("escalated")
        if not escalated:
            return
        top = max(escalated.level_id.mapped("rank"))
        rank = notice.level_id.rank
        if rank < top:
            escalated.filtered(lambda line: line.level_id.rank > rank).level_id = notice.level_id
        elif rank > top:
            escalated.filtered(lambda line: line.level_id.rank == top).level_id = notice.level_id

    @api.model
    def _set_channels(self, notices):
        """Each notice's channels as its level says (e-mail falls back to a letter)."""
        by_state = defaultdict(lambda: self.env["debtor.dunning.notice"])
        for notice in notices:
            level = notice.level_id
            email = level.send_email and bool(notice.partner_id.email)
            key = (
                "to_send" if email else "none",
                "to_print" if level.send_letter or (level.send_email and not email) else "none",
                "to_do" if level.create_call else "none",
            )
            by_state[key] |= notice
        for (email, letter, call), group in by_state.items():
            group.write(
                {"state": "issued", "email_state": email, "letter_state": letter,
                 "call_state": call}
            )

    @api.model
    def _apply_actions(self, notices):
        """Credit hold, hand-over and call to-dos that a level asks for."""
        hold = notices.filtered("level_id.credit_hold").partner_id
        if hold:
            hold.write({"dunning_credit_hold": True})
        handed = notices.filtered("level_id.hand_over")
        if handed:
            moves = handed.line_ids.filtered("escalated").move_id
            self.env.cr.execute(
                "UPDATE account_move SET dunning_handed_over_date = %s WHERE id = ANY(%s)",
                [fields.Date.context_today(self), moves.ids],
            )
            moves.invalidate_recordset(["dunning_handed_over_date"])
        calls = notices.filtered("level_id.create_call")
        activity_type = self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
        if calls and activity_type:
            model_id = self.env["ir.model"]._get_id("debtor.dunning.notice")
            self.env["mail.activity"].create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": notice.id,
                        "activity_type_id": activity_type.id,
                        "summary": self.env._("Dunning call"),
                        "user_id": (notice.policy_id.responsible_id or self.env.user).id,
                        "date_deadline": notice.date,
                    }
                    for notice in calls
                ]
            )

    @api.model
    def _log_messages(self, notices):
        """One chatter message per notice, created in one batch."""
        subtype = self.env.ref("mail.mt_note")
        author = self.env.user.partner_id
        self.env["mail.message"].sudo().create(
            [
                {
                    "model": "debtor.dunning.notice",
                    "res_id": notice.id,
                    "message_type": "notification",
                    "subtype_id": subtype.id,
                    "author_id": author.id,
                    "body": self.env._(
                        "Issued at level %(level)s for %(count)s invoice(s).",
                        level=notice.level_id.name,
                        count=len(notice.line_ids),
                    ),
                }
                for notice in notices
            ]
        )

    # ------------------------------------------------------------------ scheduling
    @api.model
    def _cron_escalate(self, batch_size=1000):
        """Daily: propose for every company, issue the automatic part in batches."""
        today = fields.Date.context_today(self)
        Run = self.env["debtor.dunning.run"]
        companies = self.env["debtor.dunning.policy"].search([]).company_id
        for company in companies:
            if not Run.search_count(
                [("company_id", "=", company.id), ("date", "=", today), ("automatic", "=", True)]
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
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=len(pending) - len(batch))
        return batch
