"""Issuing: proposed notices checked again under lock, then issued, set-based.

A notice is issued once: the invoices' receivable lines are locked (a concurrent run
skips them), every line is checked again (core.escalation.stale), and what is kept
moves the debts' positions (core.escalation.after_notice) and the invoices' levels.
"""

import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..core import escalation
from ..core.holds import Hold
from ..models import bulk, guard

_logger = logging.getLogger(__name__)


class DebtorDunningIssuing(models.AbstractModel):
    _name = "debtor.dunning.issuing"
    _description = "Dunning notices issued"

    @api.model
    def _validate(self, runs, notices=None):
        """Issue the draft notices of `runs` (or only `notices`): levels move up.

        Row locks on the invoices' receivable lines: a concurrent run skips what this
        one is issuing; every line is checked again (core.escalation.stale) and a
        stale one dropped, so no notice goes out twice or to a paid or held debt.
        """
        Notice = self.env["debtor.dunning.notice"]
        drafts = Notice.search(
            [
                ("state", "=", "draft"),
                ("id", "in", notices.ids)
                if notices is not None
                else ("run_id", "in", runs.ids),
            ],
            order="id",
        )
        # Thousands of notices and their customers: fetched once, not per 1,000.
        self.env["debtor.dunning.charges"]._prefetch_notices(drafts)
        # Four eyes: notices waiting for approval, or refused, stay in the proposal.
        drafts = self.env["debtor.dunning.approval"]._issuable(drafts)
        kept = Notice
        if drafts:
            with bulk.collector_paused():  # a row, a record or two per debt
                kept, cancelled = self._check_again(drafts)
                if cancelled:
                    self._cancel_stale(cancelled)
                if kept:
                    self._issue(kept)
        waiting = {
            run
            for (run,) in Notice._read_group(
                [("run_id", "in", runs.ids), ("state", "=", "draft")], ["run_id"]
            )
        }
        runs.filtered(lambda run: run.state == "proposal" and run not in waiting).write(
            {"state": "done"}
        )
        return kept

    @api.model
    def _check_again(self, notices):
        """Lock the notices' invoice lines and drop those stale since the proposal.

        Returns (notices to issue, {notice: [stale reasons]} of those left with
        nothing to escalate). What is kept claims what is open now.
        """
        self.env["debtor.dunning.book"]._flush_reads()
        notices.flush_recordset()
        self.env["debtor.dunning.notice.line"].flush_model()
        rows = self.env.execute_query(
            SQL(
                """SELECT l.id, l.notice_id, l.move_line_id, n.date, l.escalated,
                          l.amount_residual, l.amount_residual_currency
                     FROM debtor_dunning_notice_line l
                     JOIN debtor_dunning_notice n ON n.id = l.notice_id
                    WHERE n.id = ANY(%s::int[])""",
                bulk.array(notices.ids),
            )
        )
        # {journal item id: (settled, hold, hold until, last notice date), (open
        # amount, in its currency)}, as they are now that they are locked.
        locked = {
            aml_id: (tuple(facts), (residual, residual_currency))
            for aml_id, residual, residual_currency, *facts in self.env.execute_query(
                SQL(
                    """SELECT aml.id, aml.amount_residual, aml.amount_residual_currency,
                              aml.reconciled OR aml.amount_residual <= 0,
                              m.dunning_hold, m.dunning_hold_until, pos.last_date
                         FROM account_move_line aml
                         JOIN account_move m ON m.id = aml.move_id
                    LEFT JOIN debtor_dunning_position pos
                           ON pos.move_line_id = aml.id
                        WHERE aml.id = ANY(%s::int[])
                     ORDER BY aml.id
                          FOR NO KEY UPDATE OF aml SKIP LOCKED""",
                    bulk.array({row[2] for row in rows}),
                )
            )
        }
        # The core is asked once per combination of facts: most lines share one.
        verdicts, stale, fresh, escalating = {}, {}, {}, set()
        for line_id, notice_id, aml_id, day, escalated, *amounts in rows:
            facts, now = locked.get(aml_id, (None, None))
            key = (day, facts)
            if key not in verdicts:
                settled, hold, until, last = facts or (False, None, None, None)
                verdicts[key] = escalation.stale(
                    facts is not None,
                    bool(settled),
                    hold and Hold(hold),
                    until,
                    last,
                    day,
                )
            if verdicts[key]:
                stale[line_id] = verdicts[key]
                continue
            if escalated:
                escalating.add(notice_id)
            if tuple(amounts) != now:  # a part-payment since the proposal
                fresh[line_id] = notice_id
        Line = self.env["debtor.dunning.notice.line"]
        dropped = Line.browse(list(stale))
        reasons = defaultdict(list)
        for line in dropped:
            reasons[line.notice_id].append(stale[line.id])
        if dropped:
            self.env.execute_query(
                SQL(
                    "DELETE FROM debtor_dunning_notice_line WHERE id IN %s",
                    tuple(dropped.ids),
                )
            )
            Line.invalidate_model()
            notices.invalidate_recordset(["line_ids"])
            self.env["account.move"].invalidate_model(["dunning_line_ids"])
        self._refresh_amounts(notices, fresh, shrunk=list(reasons))
        empty = notices.filtered(lambda n: n.id not in escalating)
        return notices - empty, {notice: reasons[notice] for notice in empty}

    @api.model
    def _refresh_amounts(self, notices, fresh, shrunk=()):
        """A part-payment since the proposal: the notice claims what is open now.

        `fresh`: {line id: notice id} of the lines whose journal item's open amount
        changed, the only lines written; the totals of their notices, and of the
        notices that lost lines (`shrunk`), are summed again.
        """
        if fresh:
            self.env.execute_query(
                SQL(
                    """UPDATE debtor_dunning_notice_line l
                          SET amount_residual = aml.amount_residual,
                              amount_residual_currency = aml.amount_residual_currency
                         FROM account_move_line aml
                        WHERE l.id = ANY(%s::int[]) AND aml.id = l.move_line_id""",
                    bulk.array(fresh),
                )
            )
        changed = set(fresh.values())
        changed.update(notice.id for notice in shrunk)
        if changed:
            self.env.execute_query(
                SQL(
                    """UPDATE debtor_dunning_notice n
                          SET amount_total = s.total,
                              amount_due = s.total + COALESCE(n.cost_amount, 0)
                                           + COALESCE(n.interest_amount, 0)
                         FROM (-- the journal items' open amounts, as written above
                               SELECT l.notice_id, SUM(aml.amount_residual) AS total
                                 FROM debtor_dunning_notice_line l
                                 JOIN account_move_line aml
                                   ON aml.id = l.move_line_id
                                WHERE l.notice_id = ANY(%s::int[])
                             GROUP BY l.notice_id) s
                        WHERE n.id = s.notice_id""",
                    bulk.array(changed),
                )
            )
        self.env["debtor.dunning.notice.line"].invalidate_model(
            ["amount_residual", "amount_residual_currency"]
        )
        notices.invalidate_recordset(["amount_total", "amount_due"])

    @api.model
    def _cancel_stale(self, cancelled):
        """Notices left with nothing to escalate at issue are cancelled, saying why."""
        notices = self.env["debtor.dunning.notice"].concat(*cancelled)
        notices.with_context(tracking_disable=True).write({"state": "cancel"})
        labels = {
            escalation.Stale.LOCKED: self.env._(
                "another run was issuing them at the same moment"
            ),
            escalation.Stale.PAID: self.env._("they were paid"),
            escalation.Stale.HELD: self.env._(
                "they were disputed, arranged, promised or excluded"
            ),
            escalation.Stale.NOTICED: self.env._(
                "another notice listed them on this date already"
            ),
        }
        notices._message_log_batch(
            {
                notice.id: self.env._(
                    "Cancelled when issued: since the proposal, %(why)s.",
                    why="; ".join(
                        labels[reason]
                        for reason in sorted(set(reasons), key=lambda r: r.value)
                    )
                    or self.env._("its invoices no longer need a notice"),
                )
                for notice, reasons in cancelled.items()
            }
        )
        _logger.info("Dunning: %s notices cancelled at issue", len(notices))

    @api.model
    def _issue(self, notices):
        """Issue `notices`: lines' levels, channels, charges, the debts' positions.

        The charges (and the pay-by date they end with) are computed once, after the
        channels are known, and before the positions take the term they give.
        """
        self._follow_review(notices)
        self._set_channels(notices)
        self.env["debtor.dunning.charges"]._issue_law(notices)
        self._write_positions(notices)
        self._apply_actions(notices)
        self._log_issued(notices)
        self._hook_issued(notices)

    @api.model
    def _hook_issued(self, notices):
        """Extension point: `notices` were just issued (their state is 'issued')."""

    @api.model
    def _follow_review(self, notices):
        """The reviewer may have moved a notice's level: its escalating lines follow
        (core.escalation.reviewed_ranks). Read and written in one statement each."""
        notices.flush_recordset(["level_id"])
        rows = self.env.execute_query(
            SQL(
                """SELECT l.notice_id, l.id, ll.rank, nl.rank, n.policy_id
                     FROM debtor_dunning_notice_line l
                     JOIN debtor_dunning_notice n ON n.id = l.notice_id
                     JOIN debtor_dunning_level nl ON nl.id = n.level_id
                     JOIN debtor_dunning_level ll ON ll.id = l.level_id
                    WHERE l.notice_id = ANY(%s::int[]) AND l.escalated
                 ORDER BY l.notice_id, l.id""",
                bulk.array(notices.ids),
            )
        )
        # {notice id: ([line id], [line rank], notice rank, policy id)}
        by_notice = {}
        for notice_id, line_id, line_rank, notice_rank, policy_id in rows:
            if notice_id not in by_notice:
                by_notice[notice_id] = ([], [], notice_rank, policy_id)
            by_notice[notice_id][0].append(line_id)
            by_notice[notice_id][1].append(line_rank)
        level_of = {
            (level.policy_id.id, level.rank): level.id
            for level in notices.policy_id.level_ids
        }
        # The core is asked once per combination: most notices share a handful.
        reviewed, changes = {}, {}
        for line_ids, line_ranks, notice_rank, policy_id in by_notice.values():
            key = (tuple(line_ranks), notice_rank)
            if key not in reviewed:
                reviewed[key] = escalation.reviewed_ranks(*key)
            for line_id, before, rank in zip(
                line_ids, line_ranks, reviewed[key], strict=True
            ):
                if rank != before:
                    changes[line_id] = level_of[policy_id, rank]
        if changes:
            self.env.execute_query(
                SQL(
                    """UPDATE debtor_dunning_notice_line l SET level_id = v.level_id
                         FROM unnest(%s::int[], %s::int[]) AS v(id, level_id)
                        WHERE l.id = v.id""",
                    bulk.array(changes),
                    bulk.array(changes.values()),
                )
            )
            self.env["debtor.dunning.notice.line"].invalidate_model(["level_id"])

    @api.model
    def _set_channels(self, notices):
        """Issued, with each notice's channels as its level says.

        E-mail falls back to a letter for a customer nobody can be e-mailed at
        (res.partner._dunning_mailable). Read and written in one statement each: an
        ORM write would recompute every listed invoice's limitation date one by one
        (issuing writes them set-based, debtor.dunning.charges._interrupt_limitation).
        """
        notices.flush_recordset(["level_id", "partner_id"])
        self.env["debtor.dunning.level"].flush_model(
            ["send_email", "send_letter", "create_call"]
        )
        rows = self.env.execute_query_dict(
            SQL(
                """SELECT n.id, n.partner_id, lvl.send_email, lvl.send_letter,
                          lvl.create_call
                     FROM debtor_dunning_notice n
                     JOIN debtor_dunning_level lvl ON lvl.id = n.level_id
                    WHERE n.id = ANY(%s::int[])""",
                bulk.array(notices.ids),
            )
        )
        mailable = notices.partner_id._dunning_mailable()
        channels = {"email": [], "letter": [], "call": []}
        for row in rows:
            email = row["send_email"] and row["partner_id"] in mailable
            channels["email"].append("to_send" if email else "none")
            channels["letter"].append(
                "to_print"
                if row["send_letter"] or (row["send_email"] and not email)
                else "none"
            )
            channels["call"].append("to_do" if row["create_call"] else "none")
        self.env.execute_query(
            SQL(
                """UPDATE debtor_dunning_notice n
                      SET state = 'issued', email_state = v.email,
                          letter_state = v.letter, call_state = v.call,
                          write_uid = %(uid)s, write_date = %(now)s
                     FROM unnest(%(ids)s::int[], %(email)s::varchar[],
                                 %(letter)s::varchar[], %(call)s::varchar[])
                          AS v(id, email, letter, call)
                    WHERE n.id = v.id""",
                uid=self.env.uid,
                now=fields.Datetime.now(),
                ids=bulk.array(row["id"] for row in rows),
                **{channel: bulk.array(states) for channel, states in channels.items()},
            )
        )
        notices.invalidate_recordset(
            [
                "state",
                "email_state",
                "letter_state",
                "call_state",
                "write_uid",
                "write_date",
            ]
        )

    @api.model
    def _write_positions(self, notices):
        """Each listed debt's new position (core.escalation.after_notice)."""
        notices.flush_recordset(["date", "pay_by_date"])
        rows = self.env.execute_query(
            SQL(
                """SELECT l.move_line_id, l.move_id, l.escalated, l.level_id,
                          lvl.rank, COALESCE(prev.rank, 0), n.id, n.date,
                          n.pay_by_date
                     FROM debtor_dunning_notice_line l
                     JOIN debtor_dunning_notice n ON n.id = l.notice_id
                LEFT JOIN debtor_dunning_level lvl ON lvl.id = l.level_id
                LEFT JOIN debtor_dunning_level prev ON prev.id = l.previous_level_id
                    WHERE l.notice_id = ANY(%s::int[])""",
                bulk.array(notices.ids),
            )
        )
        # The core is asked once per combination of its inputs: a run's tens of
        # thousands of lines share a handful (level, date and term of their notice).
        after = {}
        values = {}
        for (
            aml_id,
            move_id,
            escalated,
            level_id,
            rank,
            previous,
            notice,
            day,
            term,
        ) in rows:
            key = (previous, rank if escalated else None, day, term)
            if key not in after:
                after[key] = escalation.after_notice(
                    escalation.Position(level_rank=previous), *key[1:]
                )
            position = after[key]
            values[aml_id] = {
                "move_id": move_id,
                "level_id": level_id if escalated else None,
                "last_date": position.last_notice_date,
                "term_date": position.term_end,
                "notice_id": notice,
            }
        self.env["debtor.dunning.position"]._dunning_upsert(values)

    @api.model
    def _apply_actions(self, notices):
        """Credit hold and the call to-dos that a level asks for."""
        Credit = self.env["debtor.dunning.credit"]
        held = notices._dunning_level_says("credit_hold")
        for company, company_notices in held.grouped("company_id").items():
            reasons = {
                notice.partner_id.commercial_partner_id: self.env._(
                    "%(level)s, notice %(notice)s",
                    level=notice.level_id.name,
                    notice=notice.name,
                )
                for notice in company_notices.with_company(company)
                if not notice.partner_id.commercial_partner_id.dunning_credit_hold
            }
            if reasons:
                Credit._hold_each(reasons, company=company)
        calls = notices._dunning_level_says("create_call")
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
    def _log_issued(self, notices):
        """One chatter note per notice, logged in one batch."""
        counts = {
            notice.id: count
            for notice, count in self.env["debtor.dunning.notice.line"]._read_group(
                [("notice_id", "in", notices.ids)], ["notice_id"], ["__count"]
            )
        }
        # Translated once, filled in per notice: thousands of notes per run.
        text = self.env._("Issued at level %(level)s for %(count)s invoice(s).")
        names = {level: level.name for level in notices.level_id}
        notices._dunning_log_batch(
            {
                notice.id: Markup("<p>%s</p>")
                % (
                    text
                    % {
                        "level": names[notice.level_id],
                        "count": counts.get(notice.id, 0),
                    }
                )
                for notice in notices
            }
        )

    # ------------------------------------------------------------------ cancel
    @api.model
    def _cancel_issued(self, notices, reason):
        """Cancel issued notices: the levels they raised go back, the record stays.

        Each listed debt returns to where it stood before the notice (the previous
        level, date and term its line recorded); the invoices' levels and limitation
        dates follow; an unpaid charge invoice is credited; e-mails not yet sent
        stay home and the call is dropped. Who and why go to the chatter of the
        notice and of its invoices. A notice whose debts a later notice listed
        cannot be cancelled before that later one.
        """
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Reason: say why the notice is cancelled."))
        if not notices or notices.filtered(lambda n: n.state != "issued"):
            raise UserError(self.env._("Only an issued notice can be cancelled."))
        self._check_cancel_order(notices)
        paid = notices.charge_move_id.filtered(
            lambda move: move.state == "posted" and move.payment_state != "not_paid"
        )
        if paid:
            raise UserError(
                self.env._(
                    "The charge invoices %(moves)s have payments: settle them first.",
                    moves=", ".join(paid.mapped("name")),
                )
            )
        moves = notices.line_ids.move_id
        self._restore_positions(notices)
        guard.own(notices).write(
            {
                "state": "cancel",
                "cancel_reason": reason,
                "cancelled_by_id": self.env.uid,
                "cancelled_date": fields.Datetime.now(),
            }
        )
        self.env.add_to_compute(
            self.env["account.move"]._fields["dunning_limitation_date"], moves
        )
        self._withdraw_delivery(notices, reason)
        self._log_cancelled(notices, moves, reason)
        self._hook_cancelled(notices)
        return notices

    @api.model
    def _hook_cancelled(self, notices):
        """Extension point: issued `notices` were just cancelled."""

    @api.model
    def _check_cancel_order(self, notices):
        """Refuse when a later issued notice listed the same debts (cancel it first)."""
        self.env["debtor.dunning.position"].flush_model()
        notices.flush_recordset()
        later = self.env.execute_query_dict(
            SQL(
                """SELECT DISTINCT pos.notice_id
                     FROM debtor_dunning_notice_line l
                     JOIN debtor_dunning_position pos
                       ON pos.move_line_id = l.move_line_id
                    WHERE l.notice_id IN %(ids)s
                      AND pos.notice_id IS NOT NULL
                      AND pos.notice_id NOT IN %(ids)s""",
                ids=tuple(notices.ids),
            )
        )
        if later:
            blocking = notices.browse([row["notice_id"] for row in later])
            raise UserError(
                self.env._(
                    "%(later)s listed the same invoices after this notice: cancel "
                    "it first.",
                    later=", ".join(blocking.sudo().mapped("display_name")),
                )
            )

    @api.model
    def _restore_positions(self, notices):
        """Each debt back where the earliest cancelled notice found it.

        The previous notice that listed it (if any) becomes its last one again.
        """
        first = {}
        for line in notices.line_ids.sorted(
            lambda line: (line.notice_id.date, line.notice_id.id)
        ):
            first.setdefault(line.move_line_id.id, line)
        if not first:
            return
        earlier = self.env["debtor.dunning.notice.line"].search(
            [
                ("move_line_id", "in", list(first)),
                ("state", "=", "issued"),
                ("notice_id", "not in", notices.ids),
            ],
            order="notice_date desc, id desc",
        )
        previous_notice = {}
        for line in earlier:
            previous_notice.setdefault(line.move_line_id.id, line.notice_id.id)
        self.env["debtor.dunning.position"]._dunning_restore(
            {
                line_id: {
                    "level_id": line.previous_level_id.id or None,
                    "last_date": line.previous_date or None,
                    "term_date": line.previous_term_date or None,
                    "notice_id": previous_notice.get(line_id),
                }
                for line_id, line in first.items()
            }
        )

    @api.model
    def _withdraw_delivery(self, notices, reason):
        """E-mails still in the queue stay home, calls are dropped, charges credited."""
        outgoing = notices.mail_id.sudo().filtered(lambda m: m.state == "outgoing")
        if outgoing:
            outgoing.cancel()
        notices.activity_ids.sudo().unlink()
        booked = notices.filtered(
            lambda n: n.charge_move_id and n.charge_move_id.state == "posted"
        )
        if booked:
            today = fields.Date.context_today(self)
            booked.charge_move_id._reverse_moves(
                [{"invoice_date": today, "ref": reason} for _notice in booked],
                cancel=True,
            )

    @api.model
    def _log_cancelled(self, notices, moves, reason):
        """Who cancelled and why, on each notice and on its invoices."""
        user = self.env.user.name
        notices._message_log_batch(
            {
                notice.id: self.env._(
                    "Notice cancelled by %(user)s: %(reason)s. Its invoices went back "
                    "to the dunning level they had before it.",
                    user=user,
                    reason=reason,
                )
                for notice in notices
            }
        )
        by_move = defaultdict(list)
        for line in notices.line_ids:
            by_move[line.move_id.id].append(line.notice_id.name)
        moves._message_log_batch(
            {
                move.id: self.env._(
                    "Dunning notice %(notices)s cancelled by %(user)s: %(reason)s.",
                    notices=", ".join(sorted(set(by_move[move.id]))),
                    user=user,
                    reason=reason,
                )
                for move in moves
            }
        )
