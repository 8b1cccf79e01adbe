"""Mailing: the e-mails of a batch of notices, posted in a few statements.

What `message_post` does for one e-mail, done here for a batch: the batch's
attachments, messages, mails and notifications are each created in one statement,
whatever its size; what the customer receives, and the trace in the notice's
chatter, are those of `message_post`. The mails then leave through Odoo's
`mail.mail.send`, a few statements and a commit per mail (debtor.dunning.sending.
_send_claimed): a crash never sends one twice.
"""

from collections import defaultdict

from odoo import Command, api, models
from odoo.tools import clean_context

from .. import compat


class DebtorDunningMailing(models.AbstractModel):
    _name = "debtor.dunning.mailing"
    _description = "Dunning e-mails posted by batch"

    # ------------------------------------------------------------------ post
    @api.model
    def _post_emails(self, entries):
        """Post each notice's e-mail on it, queued: {notice id: (message, mail)}.

        `entries`: [(notice, {"author", "body", "subject", "email_from", "reply_to",
        "mail_server_id", "partner_ids", "attachment_ids", "attachments": [(name,
        bytes)], "lang"})]. Each notice gets what `notice.message_post(...)` gives
        it (a comment to its customer's contacts, the letter and invoice copies
        attached, followers notified), the e-mails wait in the outgoing queue.
        """
        if not entries:
            return {}
        notices = self.env["debtor.dunning.notice"].concat(*(n for n, _v in entries))
        notices = notices.with_context(
            mail_notify_force_send=False,
            mail_post_autofollow=False,
            mail_create_nosubscribe=True,
        )._fallback_lang()
        history = self._thread_history(notices)
        values_list = self._message_values(notices, entries, history)
        messages = notices._message_create(values_list)
        by_notice = dict(
            zip(notices.ids, zip(messages, values_list, strict=True), strict=True)
        )
        for notice in notices:
            message, msg_vals = by_notice[notice.id]
            notice._message_post_after_hook(message, msg_vals)
        recipients = self._recipients(notices, values_list)
        self._notify_inbox(notices, by_notice, recipients)
        mails = self._notify_by_email(notices, by_notice, recipients, history, entries)
        no_mail = self.env["mail.mail"].sudo()
        return {
            notice.id: (by_notice[notice.id][0], mails.get(notice.id, no_mail))
            for notice in notices
        }

    @api.model
    def _thread_history(self, notices):
        """The messages already on `notices`, newest first: {notice id: messages}."""
        older = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", notices._name),
                    ("res_id", "in", notices.ids),
                    ("message_type", "!=", "user_notification"),
                ],
                order="id DESC",
            )
        )
        history = defaultdict(lambda: older.browse())
        for message in older:
            history[message.res_id] |= message
        return history

    @api.model
    def _message_values(self, notices, entries, history):
        """The mail.message values of each e-mail, as message_post makes them."""
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        alias_domains = notices.sudo()._mail_get_alias_domains(
            default_company=self.env.company
        )
        companies = notices._mail_get_companies(default=self.env.company)
        authors = {}
        values_list, attachments, owners = [], [], []
        for index, (notice, values) in enumerate(entries):
            key = (values["author"].id, values["email_from"])
            if key not in authors:
                authors[key] = notice._message_compute_author(*key)
            author_id, email_from = authors[key]
            values_list.append(
                {
                    **compat.message_post_values(notice),
                    "email_add_signature": True,
                    "reply_to": values.get("reply_to") or None,
                    "mail_server_id": values.get("mail_server_id") or False,
                    "email_layout_xmlid": "mail.mail_notification_layout",
                    "author_id": author_id,
                    "author_guest_id": False,
                    "email_from": email_from,
                    "model": notice._name,
                    "res_id": notice.id,
                    "body": values["body"],
                    "message_type": "comment",
                    "parent_id": compat.thread_parent(history[notice.id]),
                    "subject": values.get("subject") or False,
                    "subtype_id": subtype_id,
                    "partner_ids": list(values["partner_ids"]),
                    "record_alias_domain_id": alias_domains[notice.id].id,
                    "record_company_id": companies[notice.id].id,
                    "attachment_ids": [
                        Command.link(aid) for aid in values.get("attachment_ids", [])
                    ],
                }
            )
            for name, content in values.get("attachments", []):
                attachments.append(
                    {
                        "name": name,
                        "raw": content,
                        "type": "binary",
                        "description": name,
                        "res_model": notice._name,
                        "res_id": notice.id,
                    }
                )
                owners.append(index)
        if attachments:
            created = (
                self.env["ir.attachment"]
                .sudo()
                .with_context(clean_context(self.env.context))
                .create(attachments)
            )
            for index, attachment in zip(owners, created, strict=True):
                values_list[index]["attachment_ids"].append(Command.link(attachment.id))
        return values_list

    # ------------------------------------------------------------------ notify
    @api.model
    def _recipients(self, notices, values_list):
        """{notice id: recipients data} as _notify_get_recipients gives them: the
        e-mail's partners and the notice's followers of comments, one query."""
        subtype_id = values_list[0]["subtype_id"]
        pids = sorted({pid for values in values_list for pid in values["partner_ids"]})
        data = self.env["mail.followers"]._get_recipient_data(
            notices, "comment", subtype_id, pids
        )
        user = self.env.user
        result = {}
        for notice, values in zip(notices, values_list, strict=True):
            own = set(values["partner_ids"])
            author = user.partner_id.id if user.active else values["author_id"]
            result[notice.id] = [
                row
                for pid, row in data.get(notice.id, {}).items()
                if pid
                and (pid in own or row.get("is_follower"))
                and pid != author
                and row["active"] is not False
            ]
        return result

    @api.model
    def _notify_inbox(self, notices, by_notice, recipients):
        """Followers who read their messages in Odoo: as message_post tells them
        (rare on a notice: one call per notice that has any)."""
        for notice in notices:
            rows = recipients[notice.id]
            if any(row["notif"] == "inbox" for row in rows):
                message, msg_vals = by_notice[notice.id]
                notice._notify_thread_by_inbox(message, rows, msg_vals=msg_vals)
                notice._notify_thread_by_web_push(message, rows, msg_vals=msg_vals)

    @api.model
    def _notify_by_email(self, notices, by_notice, recipients, history, entries):
        """The notification e-mails and their notifications, one create each:
        {notice id: its (first) mail}."""
        langs = {notice.id: values.get("lang") for notice, values in entries}
        note = self.env.ref("mail.mt_note")
        self._prepare_access_links(recipients)
        mail_values, notification_rows = [], []
        for notice in notices:
            message, msg_vals = by_notice[notice.id]
            rows = [row for row in recipients[notice.id] if row["notif"] == "email"]
            if not rows:
                continue
            base = self._base_mail_values(
                notice, message, rows, history[notice.id], note
            )
            render_vals = dict(msg_vals, tracking_value_ids=[])  # a new message
            groups = notice._notify_get_classified_recipients_iterator(
                message,
                rows,
                msg_vals=render_vals,
                force_email_lang=langs[notice.id],
            )
            for _lang, render_values, group in groups:
                body = notice._notify_by_email_render_layout(
                    message, group, msg_vals=render_vals, render_values=render_values
                )
                pids = group.get("recipients_ids", group.get("recipients")) or []
                if not pids:
                    continue
                mail_values.append(
                    notice._notify_by_email_get_final_mail_values(
                        pids, base, additional_values={"body_html": body}
                    )
                )
                notification_rows.append((notice, message, pids))
        mails = (
            self.env["mail.mail"]
            .sudo()
            .with_context(clean_context(self.env.context))
            .create(mail_values)
        )
        notifications = []
        first = {}
        for mail, (notice, message, pids) in zip(mails, notification_rows, strict=True):
            first.setdefault(notice.id, mail)
            base = self._notification_values(notice, message)
            notifications += [
                {**base, "mail_mail_id": mail.id, "res_partner_id": pid} for pid in pids
            ]
        if notifications:
            self.env["mail.notification"].sudo().with_context(
                clean_context(self.env.context)
            ).create(notifications)
        return first

    @api.model
    def _prepare_access_links(self, recipients):
        """What the e-mails' access links read of their recipients, for all at once.

        Their users' logins, and, where customers may sign up, the sign-up of
        those without a user (auth_signup's signup_get_auth_param prepares it
        partner by partner: a write each).
        """
        partners = (
            self.env["res.partner"]
            .sudo()
            .browse({row["id"] for rows in recipients.values() for row in rows})
        )
        partners.mapped("user_ids.login")
        if self.env["res.users"]._get_signup_invitation_scope() == "b2c":
            partners.filtered(lambda partner: not partner.user_ids).signup_prepare()

    @api.model
    def _base_mail_values(self, notice, message, rows, history, note):
        """What the e-mails of a message share.

        As _notify_by_email_get_base_mail_values, for a message of a batch.
        """
        subject = message.subject or notice._message_compute_subject()
        subject = " ".join((subject or message.record_name or "").splitlines())
        base = {
            "mail_message_id": message.id,
            "references": compat.mail_references(history, message, note),
            "auto_delete": False,
        }
        if subject != message.subject:
            base["subject"] = subject
        headers = compat.recipient_headers(notice, rows)
        bounce = message.sudo().record_alias_domain_id.bounce_email
        if bounce:
            headers["Return-Path"] = bounce
        headers = notice._notify_by_email_get_headers(headers=headers)
        if headers:
            base["headers"] = repr(headers)
        return base

    @api.model
    def _notification_values(self, notice, message):
        """A notification e-mail's mail.notification values but mail and partner."""
        if compat.NOTIFICATION_VALUES:
            return getattr(notice, compat.NOTIFICATION_VALUES)(message)
        return {
            "author_id": message.author_id.id,
            "is_read": True,
            "mail_message_id": message.id,
            "notification_status": "ready",
            "notification_type": "email",
        }
