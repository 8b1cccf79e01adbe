"""Sending: notices reach the customer by e-mail and by printed, posted letter."""

import base64
import threading
from collections import defaultdict

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models, modules
from odoo.exceptions import UserError
from odoo.tools import SQL, mute_logger

from .. import compat
from .debtor_dunning_rendering import LETTER_REPORT

# in all; then the customer gets a printed letter instead.
MAX_EMAIL_ATTEMPTS = 3
# Up to this many e-mails leave right after the commit; more wait for the mail queue.
_SEND_NOW_LIMIT = 50
# E-mails the background sender renders and sends per call (one wkhtmltopdf call).
_SEND_BATCH = 50
# An e-mail that waits to be queued: due, failed, or asked for ("queued").
WAITING = ("to_send", "failed", "queued")
_MAIL_FIELDS = (
    "subject",
    "body_html",
    "email_from",
    "reply_to",
    "partner_to",
    "email_cc",
    "attachment_ids",
    "mail_server_id",
)  # the reports (the letter) come as rendering kept them: _report_attachments


class DebtorDunningSending(models.AbstractModel):
    _name = "debtor.dunning.sending"
    _description = "Dunning notices sent by e-mail and post"

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
        """E-mail the issued notices that wait for it now; returns the notices queued.

        Idempotent: a notice goes out through one mail.mail only, and its state is
        read from that mail, so a crash between sending and writing the notice
        never sends it twice. A failed e-mail goes back into the queue (the same
        mail.mail, or a new one if it was deleted) until MAX_EMAIL_ATTEMPTS.
        """
        ready, mails = self._prepare_emails(notices)
        self._dispatch_mails(mails)
        return ready

    @api.model
    def _prepare_emails(self, notices):
        """The e-mails of the notices that wait for one, in the outgoing queue.

        Returns (the notices whose e-mail is queued, their mail.mail), not sent yet.
        """
        notices = notices.filtered(
            lambda n: n.state == "issued" and n.email_state in WAITING
        )
        self._sync_email_state(notices)
        waiting = notices.filtered(
            lambda n: (
                n.email_state in WAITING and n.email_attempt_count < MAX_EMAIL_ATTEMPTS
            )
        )
        # A mail still in the outgoing queue made its notice "sending": it leaves
        # by itself. What is left with a mail had it fail: it goes again.
        requeue = waiting.filtered("mail_id")
        fresh = waiting - requeue
        mails = requeue.mail_id.sudo()
        if not (requeue or fresh):
            return notices.browse(), mails
        mails.mark_outgoing()
        requeue._dunning_record_delivery(
            {"email_state": "sending", "email_error": False}
        )
        queued, new_mails = self._queue_emails(fresh)
        mails |= new_mails
        self._count_attempt(requeue | queued)
        return requeue | queued, mails

    @api.model
    def _count_attempt(self, notices):
        """One more attempt for each notice's e-mail (grouped by count)."""
        by_count = defaultdict(list)
        for notice in notices:
            by_count[notice.email_attempt_count + 1].append(notice.id)
        for count, ids in by_count.items():
            notices.browse(ids)._dunning_record_delivery({"email_attempt_count": count})

    @api.model
    def _queue_emails(self, notices):
        """Post each notice's e-mail on it, queued (not sent), for all at once.

        Returns the notices queued and their mail.mail, which each notice keeps.
        The letters are rendered in one call and attached as kept, the messages,
        attachments and mails of all notices made in one statement each
        (debtor.dunning.mailing). The customer's own chatter logs that the
        notice was e-mailed, so its history shows there too.
        """
        mails = self.env["mail.mail"].sudo()
        rendering = self.env["debtor.dunning.rendering"]
        broken = rendering._render_letters(notices)
        if broken:
            self._letters_not_rendered(broken)
            notices = notices.filtered(lambda notice: notice not in broken)
        if not notices:
            return notices, mails
        default = self.env.ref("debtor_dunning.mail_template_dunning_notice")
        by_template = defaultdict(lambda: notices.browse())
        for notice in notices:
            by_template[notice.level_id.mail_template_id or default] |= notice
        unreachable = notices.browse()
        entries = []
        # The invoice copies of all the batch's e-mails, in one rendering (the
        # template's hook would render them per language of the customers).
        copies = notices.with_context(**self.env.context)._dunning_invoice_copies()
        for template, group in by_template.items():
            rendered = template.with_context(
                dunning_no_invoice_copies=True
            )._generate_template(group.ids, _MAIL_FIELDS)
            reports = rendering._report_attachments(template, group)
            for notice in group:
                values = rendered[notice.id]
                if not values.get("partner_ids"):
                    unreachable |= notice
                    continue
                values["attachments"] = values.get("attachments", []) + copies.get(
                    notice.id, []
                )
                entries.append((notice, self._email_values(notice, values, reports)))
        posted = self.env["debtor.dunning.mailing"]._post_emails(entries)
        queued = notices.browse().concat(*(notice for notice, _values in entries))
        if queued:
            queued._dunning_record_delivery(
                {"email_state": "sending", "email_error": False}
            )
        for notice in queued:
            message, mail = posted[notice.id]
            notice._dunning_record_delivery(
                {"mail_id": mail.id, "mail_message_id": message.id}
            )
            mails |= mail
        self._log_on_customers(entries)
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
    def _email_values(self, notice, values, reports):
        """The e-mail of a notice from its template's rendered `values` and the
        template's reports (the letter): what debtor.dunning.mailing posts."""
        author = (
            notice.policy_id.responsible_id.partner_id or notice.company_id.partner_id
        )
        return {
            "author": author,
            "email_from": values.get("email_from") or author.email_formatted,
            "reply_to": values.get("reply_to"),
            "mail_server_id": values.get("mail_server_id") or False,
            "body": Markup(values.get("body_html") or ""),
            "subject": values.get("subject"),
            "partner_ids": values["partner_ids"],
            "attachment_ids": values.get("attachment_ids", []),
            "attachments": reports[notice.id]
            + [
                (name, base64.b64decode(data))
                for name, data in values.get("attachments", [])
            ],
            "lang": notice.partner_id.lang,
        }

    @api.model
    def _log_on_customers(self, entries):
        """One line per e-mailed notice in its customer's chatter, one log each."""
        logs = defaultdict(list)
        for notice, values in entries:
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

    @api.model
    def _letters_not_rendered(self, broken):
        """The letters of {notice: error} came out broken: their e-mails wait.

        The e-mail stays to send and counts no attempt: the next run (or Send)
        renders the letter again. The notice and its chatter say why it waits.
        """
        notices = self.env["debtor.dunning.notice"].concat(*broken)
        for error in set(broken.values()):
            group = notices.filtered(lambda n, e=error: broken[n] == e)
            message = self.env._(
                "The letter could not be rendered; the e-mail waits and is tried "
                "again: %(error)s",
                error=error,
            )
            group._dunning_record_delivery({"email_error": message})
            group._message_log_batch(dict.fromkeys(group.ids, message))

    @api.model
    def _dispatch_mails(self, mails):
        """Few mails leave right after the commit; many wait for the mail queue."""
        if not mails:
            return
        if len(mails) <= _SEND_NOW_LIMIT:
            mails.send_after_commit()
        else:
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()

    # ------------------------------------------------------------------ background
    @api.model
    def _queue_sending(self, notices, user=None):
        """Hand the e-mails of `notices` to the background sender; returns at once.

        `user` (who asked) is told the outcome once they are all done.
        """
        notices = notices.filtered(
            lambda n: n.state == "issued" and n.email_state in WAITING
        )
        if not notices:
            return notices
        vals = {"email_state": "queued", "email_error": False}
        if user:
            vals["send_user_id"] = user.id
        notices._dunning_record_delivery(vals)
        self.env.ref("debtor_dunning.ir_cron_dunning_send")._trigger()
        return notices

    @api.model
    def _cron_send(self, batch_size=_SEND_BATCH):
        """Background: e-mail a batch of queued notices, then tell who asked.

        The batch's rows are claimed with FOR UPDATE SKIP LOCKED: several cron
        workers share the queue and never take the same notice. Its letters are
        rendered in one wkhtmltopdf call, its e-mails sent in one SMTP session per
        server. Odoo's cron commits after each call and calls again while some
        remain (ir.cron progress).
        """
        claimed = self._claim_queued(batch_size)
        if claimed:
            self._send_claimed(claimed)
        self._notify_requesters(claimed.send_user_id)
        remaining = (
            self.env["debtor.dunning.notice"]
            .sudo()
            .search_count([("email_state", "=", "queued")])
        )
        compat.notify_progress(self.env, done=len(claimed), remaining=remaining)
        return claimed

    @api.model
    def _claim_queued(self, limit):
        """Up to `limit` queued notices no other transaction holds, locked."""
        self.env["debtor.dunning.notice"].flush_model(["email_state", "state"])
        rows = self.env.execute_query(
            SQL(
                """SELECT id FROM debtor_dunning_notice
                    WHERE email_state = 'queued' AND state = 'issued'
                    ORDER BY id
                    LIMIT %(limit)s
                      FOR UPDATE SKIP LOCKED""",
                limit=limit,
            )
        )
        return self.env["debtor.dunning.notice"].sudo().browse(r[0] for r in rows)

    @api.model
    def _send_claimed(self, notices):
        """E-mail claimed notices now: queue their mails and hand them to SMTP.

        The batch's messages and mails are made set-based (debtor.dunning.mailing),
        the notices marked as sending; then each mail leaves through Odoo's
        mail.mail, which writes its state before it talks to the server and
        commits after each mail (outside tests): a crash re-sends at most the mail
        in flight, as Odoo's own queue, and the mails not yet sent wait in the
        outgoing queue, marked, never made twice. That costs a few statements per
        mail; one SMTP session and one commit for the batch would widen the
        window of a crash to the whole batch. Each mail's outcome reaches its
        notice through mail.mail._postprocess_sent_message (models/mail_mail.py).
        """
        ready, mails = self._prepare_emails(notices)
        # Those that could not be queued (letter not rendered, no more
        # attempts) leave the queue with what they say.
        stuck = notices.filtered(lambda n: n.email_state == "queued")
        if stuck:
            stuck._dunning_record_delivery({"email_state": "to_send"})
        if mails:
            mails.send(auto_commit=self._can_commit())
        return ready

    @api.model
    def _can_commit(self):
        """Commit after each mail, as Odoo's mail queue does, except in tests."""
        return not (
            getattr(threading.current_thread(), "testing", False)
            or modules.module.current_test
        )

    @api.model
    def _notify_requesters(self, users):
        """Tell each user whose asked-for e-mails are all done how they went.

        Exactly one worker tells him: the one whose statement takes his notices
        (another worker's concurrent one fails to serialize and leaves it).
        """
        Notice = self.env["debtor.dunning.notice"].sudo()
        Notice.flush_model(["send_user_id", "email_state"])
        for user in users:
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    rows = self.env.execute_query(
                        SQL(
                            """UPDATE debtor_dunning_notice n SET send_user_id = NULL
                                WHERE n.send_user_id = %(user)s
                                  AND NOT EXISTS (
                                      SELECT 1 FROM debtor_dunning_notice q
                                       WHERE q.send_user_id = %(user)s
                                         AND q.email_state IN ('queued', 'sending'))
                            RETURNING n.id""",
                            user=user.id,
                        )
                    )
            except (
                pg_errors.SerializationFailure,
                pg_errors.LockNotAvailable,
            ):
                continue  # another worker tells him
            if not rows:
                continue
            mine = Notice.browse(row[0] for row in rows)
            mine.invalidate_recordset(["send_user_id"])
            message, failed = self._sending_summary(mine)
            self._notify_user(user, mine, message, failed)

    @api.model
    def _sending_summary(self, notices):
        """("6 sent, 1 failed: <why>; 2 queued for print", any failed) in the
        user's language."""
        env = self.with_context(lang=self.env.user.lang).env
        parts = []
        sent = notices.filtered(lambda n: n.email_state in ("sent", "sending"))
        if sent:
            parts.append(env._("%(count)s sent", count=len(sent)))
        failed = notices.filtered(lambda n: n.email_state in ("failed", "to_send"))
        for error, group in failed.grouped("email_error").items():
            parts.append(
                env._(
                    "%(count)s failed: %(error)s",
                    count=len(group),
                    error=error or env._("no reason given"),
                )
            )
        to_print = notices.filtered(lambda n: n.letter_state == "to_print")
        if to_print:
            parts.append(env._("%(count)s queued for print", count=len(to_print)))
        return "; ".join(parts), bool(failed)

    @api.model
    def _notify_user(self, user, notices, message, failed):
        """A notification in the user's browser; a to-do if he is not online."""
        title = self.env._("Dunning e-mails")
        if user.im_status in ("online", "away"):
            user.partner_id._bus_send(
                "simple_notification",
                {
                    "title": title,
                    "message": message,
                    "type": "warning" if failed else "success",
                    "sticky": failed,
                },
            )
            return
        record = notices.run_id[:1] if len(notices.run_id) == 1 else notices[:1]
        record.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            summary=title,
            note=message,
            user_id=user.id,
        )

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
        failed = defaultdict(lambda: notices.browse())
        for notice in notices:
            outcome, error = self._email_outcome(notice, bounced)
            if outcome == "sent" and notice.email_state != "sent":
                sent |= notice
            elif outcome == "failed" and notice.email_state not in ("failed", "queued"):
                # (a queued notice was asked to go again: it is, by the sender)
                failed[error] |= notice
            elif outcome == "queued" and notice.email_state != "sending":
                queued |= notice  # in the outgoing queue (again)
        for error, group in failed.items():
            self._email_failed(group, error)
        if sent:
            sent._dunning_record_delivery(
                {
                    "email_state": "sent",
                    "email_error": False,
                    "email_date": fields.Datetime.now(),
                }
            )
        if queued:
            queued._dunning_record_delivery(
                {"email_state": "sending", "email_error": False}
            )

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
        notices._dunning_record_delivery(
            {"email_state": "failed", "email_error": error}
        )
        last = (
            notices
            if final
            else notices.filtered(lambda n: n.email_attempt_count >= MAX_EMAIL_ATTEMPTS)
        )
        if final:
            last._dunning_record_delivery({"email_attempt_count": MAX_EMAIL_ATTEMPTS})
        last.filtered(lambda n: n.letter_state == "none")._dunning_record_delivery(
            {"letter_state": "to_print"}
        )
        text = self.env._("The e-mail could not be delivered: %(error)s", error=error)
        instead = self.env._("A printed letter goes out instead.")
        notices._message_log_batch(
            {
                notice.id: text + (Markup("<br/>") + instead if notice in last else "")
                for notice in notices
            }
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
            to_print._dunning_record_delivery(
                {"letter_state": "printed", "letter_date": today}
            )
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
        notices._dunning_record_delivery(
            {"letter_state": "posted", "letter_date": today}
        )
        notices._message_log_batch(
            dict.fromkeys(notices.ids, self.env._("The letter was posted."))
        )
        self._retime(notices.filtered("level_id.registered_mail"))

    # ------------------------------------------------------------------ receipt
    @api.model
    def _record_registered(self, entries):
        """Record registered letters' track and trace: [(notice, number, delivered
        day or None)]. The term of each runs from its receipt (`_retime`)."""
        notices = self.env["debtor.dunning.notice"]
        for notice, number, delivered in entries:
            if notice.state != "issued" or not notice.level_id.registered_mail:
                raise UserError(
                    self.env._(
                        "%(notice)s: only an issued notice sent by registered mail "
                        "takes a track-and-trace number.",
                        notice=notice.display_name,
                    )
                )
            vals = {"tracking_number": number}
            if delivered:
                vals["delivered_date"] = delivered
            notice._dunning_record_delivery(vals)
            notice._message_log(
                body=self.env._(
                    "Registered mail %(number)s%(delivered)s.",
                    number=number,
                    delivered=self.env._(", delivered on %(day)s", day=delivered)
                    if delivered
                    else "",
                )
            )
            notices |= notice
        self._retime(notices)
        return notices

    @api.model
    def _retime(self, notices):
        """New delivery facts of issued registered letters: their presumed receipt,
        their pay-by date (debtor.dunning.charges._pay_by_dates, the one place) and
        the term their debts' positions wait for follow; the chatter says so."""
        if not notices:
            return
        days = self.env["debtor.dunning.charges"]._pay_by_dates(notices)
        for notice in notices:
            receipt, day = notice._dunning_receipt(), days[notice]
            if (receipt, day) == (notice.presumed_receipt_date, notice.pay_by_date):
                continue
            notice._dunning_record_delivery(
                {"presumed_receipt_date": receipt, "pay_by_date": day}
            )
            notice._message_log(
                body=self.env._(
                    "Presumed received on %(receipt)s: the term ends on %(day)s.",
                    receipt=receipt,
                    day=day,
                )
            )
        notices.flush_recordset(["pay_by_date"])
        self.env.execute_query(
            SQL(
                """UPDATE debtor_dunning_position pos
                      SET term_date = n.pay_by_date
                     FROM debtor_dunning_notice n
                    WHERE n.id = pos.notice_id AND n.id IN %s""",
                tuple(notices.ids),
            )
        )
        self.env["debtor.dunning.position"].invalidate_model(["term_date"])
