"""Escalation: decide with the core, propose, hand over, and the daily cron.

The book (services/debtor_dunning_book.py) reads what the core decides on; the core
(core/escalation.py) decides; this service writes the proposal: draft notices and the
invoices held back. Issuing them is services/debtor_dunning_issuing.py. Every step is
set-based: a few statements whatever the number of invoices.
"""

import logging
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.tools import SQL

from .. import compat
from ..core import escalation
from ..models import bulk

_logger = logging.getLogger(__name__)

# Reasons that are no news in a proposal: the invoice is simply not (yet) due for more.
_QUIET = {
    escalation.Reason.NOT_DUE,
    escalation.Reason.ALREADY_AT_LEVEL,
    escalation.Reason.HANDED_OVER,
    escalation.Reason.FACTORED,
    escalation.Reason.LAST_LEVEL_REACHED,
    escalation.Reason.TERM_RUNNING,
}
# A failed company is tried again by the scheduled action after this long.
_RETRY_AFTER = timedelta(minutes=30)


class DebtorDunningEscalation(models.AbstractModel):
    _name = "debtor.dunning.escalation"
    _description = "Dunning escalation service"

    # ------------------------------------------------------------------ deciding
    @api.model
    def _decide(self, company, as_of, partners=None, horizon=None):
        """What the core decides on `as_of` for a company's open items, per policy.

        Returns ([(policy, rows by key, items, customers, decisions, plans)], rows
        without a policy).
        """
        book, orphans = self.env["debtor.dunning.book"]._read(
            company, as_of, partners, horizon
        )
        results = [
            (
                policy,
                rows,
                items,
                customers,
                *escalation.decide(core, items, customers.values(), as_of),
            )
            for policy, core, rows, items, customers in book
        ]
        return results, orphans

    @api.model
    def _next_dates(self, moves):
        """Next dunning date per invoice (the earliest of its open due dates)."""
        today = fields.Date.context_today(self)
        result = {}
        for company in moves.company_id:
            company_moves = moves.filtered(lambda m, c=company: m.company_id == c)
            book, _orphans = self.env["debtor.dunning.book"]._read(
                company,
                today,
                company_moves.partner_id,
                horizon=max(company_moves.mapped("invoice_date_due")),
            )
            wanted = set(company_moves.ids)
            for _policy, core, rows, items, customers in book:
                for item in items:
                    move_id = rows[item.key]["move_id"]
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
    def _propose(self, company, as_of=None, automatic=False, run=None, partners=None):
        """A run in proposal state: draft notices and the invoices held back.

        `partners` limits it to some customers (Dun now on a customer).
        """
        as_of = as_of or fields.Date.context_today(self)
        run = run or self.env["debtor.dunning.run"].create(
            self._prepare_run_vals(company, as_of, automatic, partners)
        )
        with bulk.collector_paused():
            notices, lines, holds = self._prepare_proposal(
                run, company, as_of, partners
            )
            created = self._insert_notices(run, notices, lines)
            del notices, lines  # tens of thousands of dicts: gone before the charges
            self.env["debtor.dunning.charges"]._compute_charges(created)
            self._insert_holds(run, holds)
        self.env["debtor.dunning.approval"]._request_approval(run)
        return run

    @api.model
    def _prepare_proposal(self, run, company, as_of, partners=None):
        """(notice values, [line values] per notice, hold values) of a run: what the
        core decides on the book. The book itself is let go on return (a large one
        holds a row, an item and a decision per open invoice)."""
        results, orphans = self._decide(company, as_of, partners)
        notices, lines, holds = [], [], []
        for policy, rows, _items, _customers, decisions, plans in results:
            levels = policy.level_ids.sorted(lambda level: (level.sequence, level.id))
            by_key = {decision.key: decision for decision in decisions}
            for plan in plans:
                notice, notice_lines = self._prepare_notice_vals(
                    run, policy, levels, plan, rows, by_key
                )
                notices.append(notice)
                lines.append(notice_lines)
            holds += [
                self._prepare_hold_vals(rows[d.key], d.reason.value, levels, d)
                for d in decisions
                if d.reason is not None
                and d.reason not in _QUIET
                and rows[d.key]["due_date"] < as_of
            ]
        holds += [
            self._prepare_hold_vals(row, "no_policy")
            for row in orphans
            if row["due_date"] < as_of
        ]
        return notices, lines, holds

    @api.model
    def _prepare_run_vals(self, company, as_of, automatic, partners=None):
        """A new run; limited to one customer, it names him (computing it again
        proposes for him only)."""
        vals = {"company_id": company.id, "date": as_of, "automatic": automatic}
        if partners is not None and len(partners.commercial_partner_id) == 1:
            vals["partner_id"] = partners.commercial_partner_id.id
        return vals

    @api.model
    def _prepare_notice_vals(self, run, policy, levels, plan, rows, decisions):
        """(notice values, [line values]) of one planned notice."""
        level = levels[plan.rank - 1]
        day, level_ids = run.date, levels.ids  # read once, not per line
        notice = {
            "partner_id": plan.customer,
            "policy_id": policy.id,
            "level_id": level.id,
            "max_rank": plan.ceiling or plan.rank,
            "pay_by_date": day + timedelta(days=level.pay_days),
            "amount_total": plan.amount,
        }
        lines = []
        for key in plan.keys:
            row, decision = rows[key], decisions[key]
            escalating = decision.reason is None
            lines.append(
                {
                    "move_line_id": key,
                    "move_id": row["move_id"],
                    "level_id": (
                        level_ids[decision.target_rank - 1]
                        if escalating
                        else row["level_id"]
                    ),
                    "previous_level_id": row["level_id"],
                    "previous_date": row["last_date"],
                    "previous_term_date": row["term_date"],
                    "age_level_id": decision.age_rank
                    and level_ids[decision.age_rank - 1],
                    "escalated": escalating,
                    "date_maturity": row["due_date"],
                    "days_overdue": (day - row["due_date"]).days,
                    "currency_id": row["currency_id"],
                    "amount_residual_currency": row["residual_currency"],
                    "amount_residual": row["residual"],
                }
            )
        return notice, lines

    @api.model
    def _prepare_hold_vals(self, row, reason, levels=None, decision=None):
        """Values of a held-back invoice line of a run."""
        rank = decision and decision.target_rank
        return {
            "move_line_id": row["line_id"],
            "move_id": row["move_id"],
            "partner_id": row["partner_id"],
            "date_maturity": row["due_date"],
            "amount_residual": row["residual"],
            "reason": reason,
            "level_id": rank and levels[rank - 1].id,
        }

    @api.model
    def _next_ids(self, table, count):
        """Reserve `count` ids of `table` in one statement, in order."""
        rows = self.env.execute_query(
            SQL(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id'))"
                "  FROM generate_series(1, %s)",
                table,
                count,
            )
        )
        return [row[0] for row in rows]

    @api.model
    def _insert_notices(self, run, notices, lines):
        """Draft notices and their lines, in two INSERT statements.

        Set-based on purpose: a first run on a large book creates tens of thousands
        of notice lines, which the ORM would insert and recompute row by row.
        """
        Notice = self.env["debtor.dunning.notice"]
        if not notices:
            return Notice
        ids = self._next_ids("debtor_dunning_notice", len(notices))
        meta = {
            "run": run.id,
            "company": run.company_id.id,
            "date": run.date,
            "uid": self.env.uid,
        }
        columns = lambda rows, key: bulk.array(row[key] for row in rows)  # noqa: E731
        self.env["debtor.dunning.level"].flush_model(["rank", "requires_approval"])
        self.env.execute_query(
            SQL(
                """INSERT INTO debtor_dunning_notice
                       (id, name, run_id, company_id, partner_id, policy_id, level_id,
                        rank, max_rank, date, pay_by_date, amount_total, cost_amount,
                        interest_amount, amount_due, state, email_state, letter_state,
                        call_state, approval_state, create_uid, write_uid,
                        create_date, write_date)
                   SELECT v.id, 'DUN/' || to_char(%(date)s::date, 'YYYY') || '/'
                                || lpad(v.id::text, 6, '0'),
                          %(run)s, %(company)s, v.partner, v.policy, v.level, lvl.rank,
                          v.max_rank, %(date)s, v.pay_by, v.amount, 0, 0, v.amount,
                          'draft', 'none', 'none', 'none',
                          -- debtor.dunning.approval._state_for, set-based
                          CASE WHEN lvl.requires_approval THEN 'waiting'
                               ELSE 'none' END,
                          %(uid)s, %(uid)s,
                          now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                     FROM unnest(%(id)s::int[], %(partner)s::int[], %(policy)s::int[],
                                 %(level)s::int[], %(max_rank)s::int[],
                                 %(pay_by)s::date[], %(amount)s::numeric[])
                          AS v(id, partner, policy, level, max_rank, pay_by, amount)
                     JOIN debtor_dunning_level lvl ON lvl.id = v.level""",
                **meta,
                id=bulk.array(ids),
                partner=columns(notices, "partner_id"),
                policy=columns(notices, "policy_id"),
                level=columns(notices, "level_id"),
                max_rank=columns(notices, "max_rank"),
                pay_by=columns(notices, "pay_by_date"),
                amount=columns(notices, "amount_total"),
            )
        )
        # (notice id, line values): no copy of tens of thousands of dicts.
        pairs = [
            (notice_id, line)
            for notice_id, notice_lines in zip(ids, lines, strict=True)
            for line in notice_lines
        ]
        flat = [line for _notice_id, line in pairs]
        self.env.execute_query(
            SQL(
                """INSERT INTO debtor_dunning_notice_line
                       (notice_id, move_line_id, move_id, level_id, previous_level_id,
                        previous_date, previous_term_date, age_level_id, escalated,
                        date_maturity, days_overdue, currency_id,
                        amount_residual_currency, amount_residual)
                   SELECT v.notice, v.aml, v.move, v.level,
                          v.previous, v.previous_date, v.previous_term, v.age_level,
                          v.escalated, v.due, v.overdue, v.currency,
                          v.residual_currency, v.residual
                     FROM unnest(%(notice)s::int[], %(aml)s::int[], %(move)s::int[],
                                 %(level)s::int[], %(previous)s::int[],
                                 %(previous_date)s::date[], %(previous_term)s::date[],
                                 %(age_level)s::int[], %(escalated)s::bool[],
                                 %(due)s::date[], %(overdue)s::int[],
                                 %(currency)s::int[], %(residual_currency)s::numeric[],
                                 %(residual)s::numeric[])
                          AS v(notice, aml, move, level, previous, previous_date,
                               previous_term, age_level, escalated, due, overdue,
                               currency, residual_currency, residual)""",
                **meta,
                notice=bulk.array(notice_id for notice_id, _line in pairs),
                aml=columns(flat, "move_line_id"),
                move=columns(flat, "move_id"),
                level=columns(flat, "level_id"),
                previous=columns(flat, "previous_level_id"),
                previous_date=columns(flat, "previous_date"),
                previous_term=columns(flat, "previous_term_date"),
                age_level=bulk.array(line["age_level_id"] or None for line in flat),
                escalated=columns(flat, "escalated"),
                due=columns(flat, "date_maturity"),
                overdue=columns(flat, "days_overdue"),
                currency=columns(flat, "currency_id"),
                residual_currency=columns(flat, "amount_residual_currency"),
                residual=columns(flat, "amount_residual"),
            )
        )
        # Inserted in SQL: the caches of the inverse relations are stale.
        run.invalidate_recordset(["notice_ids"])
        self.env["account.move"].invalidate_model(["dunning_line_ids"])
        return Notice.browse(ids)

    @api.model
    def _insert_holds(self, run, holds):
        """The invoices a run holds back, with their reason, in one statement.

        Only the company's latest runs keep theirs: a run's held-back list is a
        snapshot of its day, and yesterday's is replaced, never piled up.
        """
        self.env.execute_query(
            SQL(
                """DELETE FROM debtor_dunning_run_hold h
                         USING debtor_dunning_run r
                   WHERE r.id = h.run_id AND r.company_id = %(company)s
                     AND r.id != %(run)s AND r.state != 'proposal'""",
                company=run.company_id.id,
                run=run.id,
            )
        )
        if holds:
            self.env.execute_query(
                SQL(
                    """INSERT INTO debtor_dunning_run_hold
                           (run_id, company_id, move_line_id, move_id, partner_id,
                            date_maturity, amount_residual, reason, level_id,
                            create_uid, write_uid, create_date, write_date)
                       SELECT %(run)s, %(company)s, v.aml, v.move, v.partner, v.due,
                              v.residual, v.reason, v.level, %(uid)s, %(uid)s,
                              now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                         FROM unnest(%(aml)s::int[], %(move)s::int[],
                                     %(partner)s::int[], %(due)s::date[],
                                     %(residual)s::numeric[], %(reason)s::varchar[],
                                     %(level)s::int[])
                              AS v(aml, move, partner, due, residual, reason, level)""",
                    run=run.id,
                    company=run.company_id.id,
                    uid=self.env.uid,
                    aml=bulk.array(hold["move_line_id"] for hold in holds),
                    move=bulk.array(hold["move_id"] for hold in holds),
                    partner=bulk.array(hold["partner_id"] for hold in holds),
                    due=bulk.array(hold["date_maturity"] for hold in holds),
                    residual=bulk.array(hold["amount_residual"] for hold in holds),
                    reason=bulk.array(hold["reason"] for hold in holds),
                    level=bulk.array(hold["level_id"] or None for hold in holds),
                )
            )
        self.env["debtor.dunning.run.hold"].invalidate_model()
        run.invalidate_recordset(["hold_ids"])

    # ------------------------------------------------------------------ hand-over
    @api.model
    def _hand_over_due(self, company, as_of):
        """Debts whose final notice's term passed unpaid go to the collection agency.

        Returns the invoices handed over. Not on the day the final notice goes out:
        that notice announces the hand-over for the day after its term.
        """
        book, _orphans = self.env["debtor.dunning.book"]._read(company, as_of)
        moves = set()
        for _policy, core, rows, items, _customers in book:
            moves.update(
                rows[item.key]["move_id"]
                for item in items
                if escalation.due_for_hand_over(core, item, as_of)
            )
        handed = self.env["account.move"].browse(sorted(moves))
        if handed:
            handed._dunning_hand_over(as_of)
            self.env["debtor.dunning.collection"]._open_cases(handed, as_of)
            self._hook_hand_over(handed)
        return handed

    @api.model
    def _hook_hand_over(self, moves):
        """Extension point: `moves` were just handed over to the collection agency."""

    # ------------------------------------------------------------------ scheduling
    @api.model
    def _cron_escalate(self, batch_size=1000):
        """Daily: per company, hand over and propose; issue the automatic part.

        Each company in a savepoint of its own: one company's error is logged on its
        run and to its dunning responsible, the others go on, and the failed one is
        tried again by a later trigger the same day.
        """
        today = fields.Date.context_today(self)
        failed = self.env["res.company"]
        for company in self._cron_companies():
            if not self._cron_company(company, today):
                failed |= company
        pending = self.env["debtor.dunning.notice"].search(
            self._auto_issue_domain() + [("company_id", "not in", failed.ids)],
            order="id",
        )
        batch = pending[:batch_size]
        issued = self.env["debtor.dunning.notice"]
        for run_notices in batch.grouped("run_id").values():
            try:
                with self.env.cr.savepoint():
                    issued |= self.env["debtor.dunning.issuing"]._validate(
                        run_notices.run_id, run_notices
                    )
            except pg_errors.SerializationFailure:
                # Another transaction issued some of them meanwhile: a later call,
                # with a fresh view of the book, drops what it issued.
                _logger.info(
                    "Dunning: concurrent issue, retrying %s", run_notices.run_id
                )
                self._cron_retry_later()
        compat.notify_progress(
            self.env, done=len(batch), remaining=len(pending) - len(batch)
        )
        Sending = self.env["debtor.dunning.sending"]
        # The background sender renders and e-mails them (_cron_send).
        Sending._queue_sending(issued | issued.search(Sending._email_retry_domain()))
        return issued

    @api.model
    def _cron_companies(self):
        """The companies with an active dunning policy."""
        return self.env["res.company"].concat(
            *(
                company
                for (company,) in self.env["debtor.dunning.policy"]._read_group(
                    [("active", "=", True)], ["company_id"]
                )
            )
        )

    @api.model
    def _auto_issue_domain(self):
        """Draft notices the scheduled action issues by itself."""
        return [
            ("state", "=", "draft"),
            ("run_id.automatic", "=", True),
            ("run_id.state", "=", "proposal"),
            ("policy_id.mode", "=", "auto"),
            ("level_id.needs_review", "=", False),
            *self.env["debtor.dunning.approval"]._issuable_domain(),
        ]

    @api.model
    def _cron_company(self, company, today):
        """Today's hand-overs and proposal of one company; False if it failed.

        A run that failed earlier today is made again (the same record).
        """
        Run = self.env["debtor.dunning.run"]
        service = self.with_company(company)
        today_runs = Run.search(
            [
                ("company_id", "=", company.id),
                ("date", "=", today),
                ("automatic", "=", True),
            ]
        )
        failed = today_runs.filtered(lambda run: run.state == "failed")[:1]
        try:
            with self.env.cr.savepoint():
                service._hand_over_due(company, today)
                self._hook_cron_company(company, today)
                if not today_runs - failed:
                    if failed:
                        failed.write({"state": "proposal", "error": False})
                    service._propose(company, today, automatic=True, run=failed or None)
        except Exception as error:  # noqa: BLE001 - one company never stops the others
            _logger.exception("Dunning: the run of %s failed", company.name)
            self._report_failure(company, today, error)
            self._cron_retry_later()
            return False
        return True

    @api.model
    def _hook_cron_company(self, company, today):
        """Extension point: the daily work of one company besides its run.

        The credit insurer's notification deadlines give their to-dos here.
        """
        self.env["debtor.dunning.insurance"].with_company(company)._remind_deadlines(
            company, today
        )

    @api.model
    def _report_failure(self, company, day, error):
        """A failed run: logged on a failed run record, a to-do for its responsible."""
        Run = self.env["debtor.dunning.run"]
        run = Run.search(
            [
                ("company_id", "=", company.id),
                ("date", "=", day),
                ("state", "=", "failed"),
            ],
            limit=1,
        ) or Run.create(
            {
                "company_id": company.id,
                "date": day,
                "automatic": True,
                "state": "failed",
            }
        )
        message = str(error) or error.__class__.__name__
        run.write({"error": message})
        run._message_log(
            body=self.env._(
                "The dunning run failed and will be tried again: %(error)s",
                error=message,
            )
        )
        policies = self.env["debtor.dunning.policy"].search(
            [("company_id", "=", company.id)]
        )
        users = policies.responsible_id or self.env.ref(
            "base.user_admin", raise_if_not_found=False
        )
        for user in users - run.activity_ids.user_id:
            run.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("The dunning run failed"),
                note=message,
                user_id=user.id,
            )

    @api.model
    def _cron_retry_later(self):
        """Ask the scheduled action to run again soon (a failed or raced company)."""
        cron = self.env.ref(
            "debtor_dunning.ir_cron_dunning_escalate", raise_if_not_found=False
        )
        if cron:
            cron._trigger(fields.Datetime.now() + _RETRY_AFTER)
