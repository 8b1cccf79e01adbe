import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy

from markupsafe import Markup

import odoo
from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..compat import PRESENCE
from .common import TUESDAY, DemoCase, DunningCommon

MAX_ATTEMPTS = 3
SINK = os.path.join(os.path.dirname(__file__), "smtp_sink.py")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """A real SMTP server (smtp_sink.py, its own process): what it accepted, and the
    recipients it refuses."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="dunning-smtp-")
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603 - our own script
            [sys.executable, SINK, str(self.port), self.folder]
        )
        ready = os.path.join(self.folder, "ready")
        for _attempt in range(500):  # counted, not timed: the test clock is frozen
            if os.path.exists(ready) or self.process.poll() is not None:
                break
            time.sleep(0.02)  # freeze_time leaves sleep alone
        if not os.path.exists(ready):
            self.stop()
            raise RuntimeError(
                "the test SMTP server did not start (is aiosmtpd there?)"
            )

    def stop(self):
        self.process.terminate()
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def refuse(self, *addresses):
        with open(os.path.join(self.folder, "refused"), "w", encoding="utf-8") as file:
            file.write("".join(f"{address}\n" for address in addresses))

    @property
    def messages(self):
        names = sorted(n for n in os.listdir(self.folder) if n.endswith(".eml"))
        messages = []
        for name in names:
            with open(os.path.join(self.folder, name), "rb") as file:
                messages.append(
                    message_from_bytes(file.read(), policy=email_policy.default)
                )
        return messages

    def to(self, address):
        return [m for m in self.messages if address in str(m["To"])]


def _sending_company(case, email):
    """The test company as a sender: its e-mail address and a bank account (the
    letters' payment details)."""
    case.company.partner_id.email = email
    case.env["res.partner.bank"].create(
        {
            "acc_number": "NL91ABNA0417164300",
            "partner_id": case.company.partner_id.id,
            "company_id": case.company.id,
        }
    )


@tagged("post_install", "-at_install")
class TestChannels(DunningCommon):
    """E-mail through a real SMTP server, printed letters, the call log."""

    country_code = "NL"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _sending_company(cls, "debiteuren@channels.example")
        Partner = cls.env["res.partner"]
        # Businesses: the standard ladder of DunningCommon applies to them.
        cls.jan = Partner.create(
            {
                "name": "De Vries B.V.",
                "email": "jan@devries.example",
                "is_company": True,
            }
        )
        cls.sanne = Partner.create(
            {"name": "Bakker B.V.", "email": "sanne@bakker.example", "is_company": True}
        )
        cls.paper = Partner.create(
            {"name": "Paper Only B.V.", "street": "Dorpsstraat 1", "is_company": True}
        )
        cls.jan_invoice = cls._invoice(10, 500.0, partner=cls.jan)
        cls.sanne_invoice = cls._invoice(10, 700.0, partner=cls.sanne)
        cls.paper_invoice = cls._invoice(10, 900.0, partner=cls.paper)

    def setUp(self):
        super().setUp()
        self.inbox = Inbox()
        self.addCleanup(self.inbox.stop)
        self.env["ir.mail_server"].search([]).active = False
        self.mail_server = self.env["ir.mail_server"].create(
            {
                "name": "test SMTP",
                "smtp_host": "127.0.0.1",
                "smtp_port": self.inbox.port,
                "smtp_encryption": "none",
                "sequence": 1,
            }
        )
        # Odoo skips SMTP under tests; these tests talk to a real server.
        self.patch(odoo.modules.module, "current_test", None)
        # Without current_test 19.0 sends after a commit a test never makes: at
        # once, as the test mode of 18.0 (a testing thread) does.
        self.patch(
            type(self.env["mail.mail"]), "send_after_commit", lambda mails: mails.send()
        )

    def _issue(self):
        run = self._run()
        return {n.partner_id: n for n in run.notice_ids.filtered("id")}

    # ------------------------------------------------------------------ e-mail
    def test_notice_email_reaches_the_smtp_server_with_letter_and_invoice(self):
        # Real PDFs here; the other e-mail tests take Odoo's test-mode HTML copies.
        self.sending = self.sending.with_context(force_report_rendering=True)
        notice = self._issue()[self.jan]
        self.assertEqual(notice.email_state, "to_send")
        self.sending._send_notices(notice)
        self.assertEqual(notice.email_state, "sent")
        self.assertEqual(notice.mail_id.state, "sent")
        self.assertEqual(notice.email_attempt_count, 1)
        self.assertTrue(notice.email_date)
        [message] = self.inbox.to("jan@devries.example")
        self.assertIn(notice.name, message["Subject"])
        names = {part.get_filename() for part in message.iter_attachments()}
        self.assertIn(f"{notice._get_report_base_filename()}.pdf", names)
        self.assertIn(self.jan_invoice._get_invoice_report_filename(), names)
        for part in message.iter_attachments():
            self.assertTrue(part.get_content().startswith(b"%PDF"), part.get_filename())
        body = message.get_body(("html",)).get_content()
        self.assertIn(self.jan_invoice.name, body)
        self.assertIn(f"/my/dunning/{notice.id}?access_token=", body)
        # The history shows on the customer too.
        self.assertIn(notice.name, self.jan.message_ids[:1].body)

    def test_a_sent_notice_is_never_sent_again(self):
        notice = self._issue()[self.jan]
        self.sending._send_notices(notice)
        mail = notice.mail_id
        self.sending._send_notices(notice)
        self.assertEqual(len(self.inbox.to("jan@devries.example")), 1)
        # A crash after the server accepted the mail, before the notice knew it:
        # the notice reads its mail's state, and does not send a second one.
        notice._dunning_record_delivery({"email_state": "to_send"})
        self.sending._send_notices(notice)
        self.assertEqual(notice.email_state, "sent")
        self.assertEqual(notice.mail_id, mail)
        self.assertEqual(len(self.inbox.to("jan@devries.example")), 1)
        self.assertEqual(
            self.env["mail.mail"].search_count(
                [("model", "=", notice._name), ("res_id", "=", notice.id)]
            ),
            1,
        )

    def test_refused_email_fails_shows_and_is_retried_by_the_cron(self):
        self.inbox.refuse("sanne@bakker.example")
        notice = self._issue()[self.sanne]
        self.sending._send_notices(notice)
        self.assertEqual(notice.email_state, "failed")
        self.assertTrue(notice.email_error)
        self.assertFalse(self.inbox.to("sanne@bakker.example"))
        worklist = self.env.ref(
            "debtor_dunning.debtor_dunning_notice_action_email_failed"
        )
        self.assertIn(
            notice,
            self.env["debtor.dunning.notice"].search(
                [("email_state", "=", "failed")] + safe_eval(worklist.domain)
            ),
        )
        self.inbox.refuse()
        self.service._cron_escalate()
        self.assertEqual(notice.email_state, "queued", "the cron queues, never waits")
        self.sending._cron_send()
        self.assertEqual(notice.email_state, "sent")
        self.assertEqual(notice.email_attempt_count, 2)
        self.assertEqual(len(self.inbox.to("sanne@bakker.example")), 1)

    def test_unreachable_server_fails_and_retries_are_bounded(self):
        notice = self._issue()[self.sanne]
        self.mail_server.smtp_port = free_port()  # nobody listens there
        for _attempt in range(MAX_ATTEMPTS + 2):
            self.sending._send_notices(notice)
        self.assertEqual(notice.email_state, "failed")
        self.assertEqual(notice.email_attempt_count, MAX_ATTEMPTS)
        self.assertEqual(notice.letter_state, "to_print", "a letter goes instead")
        self.assertFalse(
            self.env["debtor.dunning.notice"].search(
                self.sending._email_retry_domain() + [("id", "=", notice.id)]
            )
        )
        # By hand it can go again, once the server is back.
        self.mail_server.smtp_port = self.inbox.port
        notice.action_send()
        self.assertEqual(notice.email_state, "queued")
        self.sending._cron_send()
        self.assertEqual(notice.email_state, "sent")
        self.assertEqual(len(self.inbox.to("sanne@bakker.example")), 1)

    def test_bounced_email_fails_and_goes_again(self):
        notice = self._issue()[self.jan]
        self.sending._send_notices(notice)
        notice._message_receive_bounce("jan@devries.example", self.jan)
        notice.mail_message_id.notification_ids.sudo().notification_status = "bounce"
        self.assertEqual(notice.email_state, "failed")
        self.sending._send_notices(notice)
        self.assertEqual(notice.email_state, "sent")
        self.assertEqual(notice.email_attempt_count, 2)
        self.assertEqual(len(self.inbox.to("jan@devries.example")), 2)

    def test_customer_without_email_gets_a_letter(self):
        notice = self._issue()[self.paper]
        self.assertEqual(notice.email_state, "none")
        self.assertEqual(notice.letter_state, "to_print")
        self.assertFalse(self.sending._send_notices(notice))

    # ------------------------------------------------------------------ background
    def _bus_messages(self, user):
        """The simple notifications sent to `user` in this transaction."""
        channel = json.dumps([self.env.cr.dbname, "res.partner", user.partner_id.id])
        return [
            json.loads(value["message"])["payload"]
            for value in self.env.cr.precommit.data.get("bus.bus.values", [])
            if value["channel"].replace(" ", "") == channel.replace(" ", "")
            and json.loads(value["message"])["type"] == "simple_notification"
        ]

    def test_send_returns_at_once_and_the_user_is_told_how_it_went(self):
        self.inbox.refuse("sanne@bakker.example")
        notices = self._issue()
        run = notices[self.jan].run_id
        self.env[PRESENCE].create({"user_id": self.env.user.id})
        self.env[PRESENCE].search(
            [("user_id", "=", self.env.user.id)]
        ).status = "online"
        action = run.action_send_notices()
        self.assertEqual(action["tag"], "display_notification")
        emailed = notices[self.jan] | notices[self.sanne]
        self.assertEqual(set(emailed.mapped("email_state")), {"queued"})
        self.assertFalse(self.inbox.messages, "nothing left while the user waited")
        self.assertFalse(emailed.mail_id, "nor was anything rendered")
        with self.assertRaisesRegex(UserError, "Nothing to send"):
            emailed.action_send()  # queued already: never twice
        self.sending._cron_send()
        self.assertEqual(notices[self.jan].email_state, "sent")
        self.assertEqual(notices[self.sanne].email_state, "failed")
        self.assertEqual(len(self.inbox.to("jan@devries.example")), 1)
        [payload] = self._bus_messages(self.env.user)
        self.assertEqual(payload["type"], "warning")
        self.assertIn("1 sent", payload["message"])
        self.assertIn("1 failed: ", payload["message"])
        self.assertIn(notices[self.sanne].email_error, payload["message"])
        self.assertFalse(emailed.send_user_id, "told once")
        # A second call finds nothing left: nothing sent again, nobody told again.
        self.assertFalse(self.sending._cron_send())
        self.assertEqual(len(self.inbox.to("jan@devries.example")), 1)
        self.assertEqual(len(self._bus_messages(self.env.user)), 1)

    def test_an_offline_user_finds_the_outcome_as_a_todo(self):
        self.mail_server.smtp_port = free_port()  # nobody listens there
        notice = self._issue()[self.jan]
        notice._dunning_record_delivery({"email_attempt_count": MAX_ATTEMPTS - 1})
        notice.action_send()
        self.sending._cron_send()
        self.assertEqual(notice.email_state, "failed")
        activity = notice.run_id.activity_ids.filtered(
            lambda a: a.user_id == self.env.user
        )
        self.assertEqual(len(activity), 1)
        self.assertIn("1 failed: ", activity.note)
        self.assertFalse(self._bus_messages(self.env.user))

    def test_the_sender_takes_a_batch_per_call(self):
        notices = self._issue()
        emailed = notices[self.jan] | notices[self.sanne]
        self.sending._queue_sending(emailed)
        first = self.sending._cron_send(batch_size=1)
        self.assertEqual(len(first), 1)
        self.assertEqual(first.email_state, "sent")
        rest = emailed - first
        self.assertEqual(rest.email_state, "queued", "the rest waits for the next")
        self.sending._cron_send()
        self.assertEqual(set(emailed.mapped("email_state")), {"sent"})
        self.assertEqual(len(self.inbox.messages), 2)

    # ------------------------------------------------------------------ post
    def test_letters_to_print_come_as_one_pdf_then_are_posted(self):
        notices = self._issue()
        run = notices[self.paper].run_id
        (notices[self.jan] | notices[self.sanne])._dunning_record_delivery(
            {"letter_state": "to_print"}
        )
        action = run.with_context(force_report_rendering=True).action_print_letters()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/web/content/")[1].split("?")[0])
        )
        self.assertEqual(attachment.mimetype, "application/pdf")
        text = subprocess.run(
            ["pdftotext", "-", "-"],
            input=attachment.raw,
            capture_output=True,
            check=True,
        ).stdout.decode()
        for notice in notices.values():
            self.assertIn(notice.name, text)
            self.assertEqual(notice.letter_state, "printed")
            self.assertEqual(notice.letter_date, fields.Date.context_today(notice))
        run.action_mark_letters_posted()
        self.assertEqual(set(run.notice_ids.mapped("letter_state")), {"posted"})

    def test_printing_a_run_without_letters_says_so(self):
        run = self._issue()[self.jan].run_id
        run.notice_ids._dunning_record_delivery({"letter_state": "none"})
        with self.assertRaises(odoo.exceptions.UserError):
            run.action_print_letters()

    # ------------------------------------------------------------------ phone
    def _call_notice(self):
        self.levels[0].create_call = True
        self.jan.phone = "+31 30 123 4567"
        notice = self._issue()[self.jan]
        self.assertEqual(notice.call_state, "to_do")
        self.assertTrue(notice.activity_ids)
        return notice

    def _log(self, notice, **values):
        wizard = (
            self.env["debtor.dunning.call.log"]
            .with_context(default_notice_id=notice.id)
            .create(values)
        )
        return wizard.action_confirm()

    def test_call_sheet_names_who_to_call_and_when(self):
        notice = self._call_notice()
        self.assertEqual(notice.call_contact_ids, self.jan)
        self.assertIn(notice.call_best_date.weekday(), (1, 2, 3))

    def test_promise_to_pay_pauses_the_invoices_and_closes_the_call(self):
        notice = self._call_notice()
        promised = fields.Date.today() + timedelta(days=4)
        self._log(
            notice, outcome="promise", promise_date=promised, promise_amount=200.0
        )
        self.assertRecordValues(
            self.jan_invoice,
            [{"dunning_promise_date": promised, "dunning_promise_amount": 200.0}],
        )
        self.assertEqual(notice.call_state, "done")
        self.assertFalse(notice.activity_ids)
        self.assertIn("Promised", notice.message_ids[:1].body)

    def test_dispute_from_a_call(self):
        notice = self._call_notice()
        action = self._log(
            notice,
            outcome="dispute",
            move_ids=[Command.set(self.jan_invoice.ids)],
            note="<p>The delivery was incomplete.</p>",
        )
        dispute = self.env["debtor.dunning.dispute"].search(
            [("move_id", "=", self.jan_invoice.id)]
        )
        self.assertEqual(len(dispute), 1)
        self.assertEqual(dispute.state, "open")
        self.assertIn("The delivery was incomplete.", dispute.note)
        self.assertTrue(self.jan_invoice.dunning_disputed)
        self.assertEqual(
            (action["res_model"], action["res_id"]),
            ("debtor.dunning.dispute", dispute.id),
        )
        self.assertEqual(notice.call_state, "done")
        # A paid invoice cannot be disputed: a clear error, nothing recorded.
        self._pay(self.sanne_invoice, self.sanne_invoice.amount_total, TUESDAY)
        with self.assertRaisesRegex(UserError, "cannot be disputed"):
            self._log(
                notice,
                outcome="dispute",
                move_ids=[Command.set(self.sanne_invoice.ids)],
            )

    def test_call_back_moves_the_call(self):
        notice = self._call_notice()
        later = TUESDAY.replace(day=30)
        self._log(notice, outcome="call_back", call_back_date=later)
        self.assertEqual(notice.call_state, "to_do")
        self.assertEqual(notice.activity_ids.date_deadline, later)

    def test_wrong_contact_asks_to_find_the_right_one(self):
        notice = self._call_notice()
        self._log(notice, outcome="wrong_contact")
        self.assertEqual(notice.call_state, "done")
        self.assertEqual(
            notice.activity_ids.activity_type_id,
            self.env.ref("mail.mail_activity_data_todo"),
        )


@tagged("post_install", "-at_install")
class TestSendingBatch(DunningCommon):
    """The background sender's batch: a constant number of queries, full e-mails."""

    country_code = "NL"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _sending_company(cls, "debiteuren@batch.example")
        cls.customers = cls.env["res.partner"].create(
            [
                {
                    "name": f"Batch {index} B.V.",
                    "email": f"batch{index}@batch.example",
                    "is_company": True,
                    # Two languages in every batch: each renders its e-mails.
                    "lang": ("nl_NL", "fr_BE")[index % 2],
                }
                for index in range(10)
            ]
        )
        cls.invoices = {
            customer: cls._invoice(10, 100.0 + index, partner=customer)
            for index, customer in enumerate(cls.customers)
        }

    def setUp(self):
        super().setUp()
        self.inbox = Inbox()
        self.addCleanup(self.inbox.stop)
        self.env["ir.mail_server"].search([]).active = False
        self.env["ir.mail_server"].create(
            {
                "name": "test SMTP",
                "smtp_host": "127.0.0.1",
                "smtp_port": self.inbox.port,
                "smtp_encryption": "none",
            }
        )
        self.patch(odoo.modules.module, "current_test", None)
        # Real PDFs: the letters are kept when rendered, the e-mails attach them.
        self.sending = self.sending.with_context(force_report_rendering=True)
        run = self._run()
        self.notices = run.notice_ids.filtered(
            lambda n: n.partner_id in self.customers
        ).sorted(lambda n: self.customers.ids.index(n.partner_id.id))
        self.assertEqual(len(self.notices), 10)
        self.assertTrue(all(self.notices.level_id.mapped("attach_invoices")))

    def _send_batch(self, notices, post_only=False):
        """Queries of one call of the background sender that sends `notices`.

        `post_only`: the queries until the mails are handed to Odoo's mail.mail
        (which then sends each with a few statements of its own, committed per
        mail: never twice after a crash); they are sent afterwards, uncounted.
        """
        self.sending._queue_sending(notices)
        self.env.flush_all()
        self.env.invalidate_all()
        MailMail = type(self.env["mail.mail"])
        handed = []
        if post_only:
            real_send = MailMail.send
            self.patch(
                MailMail, "send", lambda mails, *a, **k: handed.append(mails) or True
            )
        before = self.env.cr.sql_log_count
        sent = self.sending._cron_send()
        self.env.flush_all()
        count = self.env.cr.sql_log_count - before
        if post_only:
            self.assertEqual(len(handed), 1, "one batch, handed over at once")
            self.patch(MailMail, "send", real_send)
            handed[0].send()
            self.env.flush_all()
        self.assertEqual(sent, notices)
        self.assertEqual(set(notices.mapped("email_state")), {"sent"})
        return count

    def test_a_batch_is_posted_with_as_many_queries_for_six_notices_as_two(self):
        # Invoices sent before keep their PDF, which the e-mails attach as it is
        # (an invoice never sent is rendered: Odoo's invoice report reads its
        # payments with a query per invoice).
        self.env["ir.attachment"].create(
            [
                {
                    "name": invoice._get_invoice_report_filename(),
                    "raw": b"%PDF-1.4 sent with the invoice",
                    "res_model": "account.move",
                    "res_id": invoice.id,
                    "res_field": "invoice_pdf_report_file",
                }
                for invoice in self.invoices.values()
            ]
        )
        self.env["account.move"].invalidate_model(["invoice_pdf_report_id"])
        # Customers may sign up from the e-mail: each access link prepares it.
        self.env["ir.config_parameter"].sudo().set_param(
            "auth_signup.invitation_scope", "b2c"
        )
        self._send_batch(self.notices[:2])  # the caches of a running server
        two = self._send_batch(self.notices[2:4], post_only=True)
        six = self._send_batch(self.notices[4:10], post_only=True)
        self.assertEqual(two, six, "queries of a batch of 2 and of 6 notices")
        self.assertEqual(len(self.inbox.messages), 10)

    def test_a_batch_e_mail_carries_the_letter_and_the_invoice(self):
        self._send_batch(self.notices[:3])
        for notice in self.notices[:3]:
            invoice = self.invoices[notice.partner_id]
            [message] = self.inbox.to(notice.partner_id.email)
            self.assertIn(notice.name, message["Subject"])
            parts = {p.get_filename(): p for p in message.iter_attachments()}
            self.assertEqual(
                set(parts),
                {
                    f"{notice._get_report_base_filename()}.pdf",
                    invoice._get_invoice_report_filename(),
                },
            )
            letter = parts[f"{notice._get_report_base_filename()}.pdf"]
            text = subprocess.run(
                ["pdftotext", "-", "-"],
                input=letter.get_content(),
                capture_output=True,
                check=True,
            ).stdout.decode()
            self.assertIn(notice.name, text)
            self.assertIn(invoice.name, text)
            self.assertTrue(
                parts[invoice._get_invoice_report_filename()]
                .get_content()
                .startswith(b"%PDF")
            )
            body = message.get_body(("html",)).get_content()
            self.assertIn(invoice.name, body)
            self.assertIn(f"/my/dunning/{notice.id}?access_token=", body)
            # The notice's chatter shows the e-mail, sent to the customer, with
            # its attachments; the customer's chatter says it was e-mailed.
            self.assertEqual(notice.mail_message_id.res_id, notice.id)
            self.assertEqual(notice.mail_message_id.message_type, "comment")
            self.assertEqual(notice.mail_message_id.partner_ids, notice.partner_id)
            self.assertEqual(
                set(notice.mail_message_id.attachment_ids.mapped("name")), set(parts)
            )
            self.assertEqual(
                notice.mail_message_id.notification_ids.mapped("notification_status"),
                ["sent"],
            )
            self.assertEqual(notice.mail_id.state, "sent")
            self.assertIn(notice.name, notice.partner_id.message_ids[:1].body)

    def test_a_batch_e_mail_is_the_one_message_post_makes(self):
        notice = self.notices[0]
        sending = self.sending.with_context(force_report_rendering=False)
        template = self.env.ref("debtor_dunning.mail_template_dunning_notice")
        fields_ = ["subject", "body_html", "email_from", "partner_to"]
        values = template._generate_template(notice.ids, fields_)[notice.id]
        author = (
            notice.policy_id.responsible_id.partner_id or notice.company_id.partner_id
        )
        # What the sender did before, one message_post per notice.
        posted = notice.with_context(
            mail_notify_force_send=False,
            mail_post_autofollow=False,
            mail_create_nosubscribe=True,
        ).message_post(
            body=Markup(values["body_html"]),
            subject=values["subject"],
            author_id=author.id,
            email_from=values["email_from"],
            reply_to=None,
            partner_ids=values["partner_ids"],
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_layout",
            mail_auto_delete=False,
            force_email_lang=notice.partner_id.lang,
        )
        [before] = self.env["mail.mail"].search([("mail_message_id", "=", posted.id)])
        entry = sending._email_values(
            notice, {**values, "attachments": []}, {notice.id: []}
        )
        message, mail = (
            self.env["debtor.dunning.mailing"]._post_emails([(notice, entry)])
        )[notice.id]
        for field in ("subject", "email_from", "reply_to", "author_id", "partner_ids"):
            self.assertEqual(message[field], posted[field], field)
        for field in ("subject", "email_from", "reply_to", "recipient_ids", "state"):
            self.assertEqual(mail[field], before[field], field)
        self.assertEqual(mail.body_html, before.body_html)
        self.assertEqual(
            message.notification_ids.mapped("res_partner_id"),
            posted.notification_ids.mapped("res_partner_id"),
        )


@tagged("post_install", "-at_install")
class TestSendingConcurrency(DemoCase):
    """Two senders share the queue: the demo's committed notices can be held."""

    def test_a_notice_another_sender_holds_is_skipped(self):
        sending = self.env["debtor.dunning.sending"].sudo()
        notices = (
            self.env["debtor.dunning.notice"]
            .sudo()
            .search([("state", "=", "issued")], order="id", limit=3)
        )
        self.assertEqual(len(notices), 3, "the demo has issued notices")
        held = notices[0]
        with self.registry.cursor() as other:
            other.execute("SET LOCAL lock_timeout = '10s'")  # fail, never hang
            # Another sender's claim: KEY SHARE lets us write the row, but a
            # claim (FOR UPDATE) must pass it by.
            other.execute(
                "SELECT id FROM debtor_dunning_notice WHERE id = %s FOR KEY SHARE",
                [held.id],
            )
            notices._dunning_record_delivery({"email_state": "queued"})
            claimed = sending._claim_queued(10)
            other.rollback()
        self.assertNotIn(held, claimed)
        self.assertEqual(claimed & notices, notices - held)
        self.assertIn(held, sending._claim_queued(10), "released: claimed next time")
