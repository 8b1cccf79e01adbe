import base64
import csv
import io
from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import TUESDAY, DunningCommon
from .test_letters import pdf_text


@tagged("post_install", "-at_install")
class TestInsurance(DunningCommon):
    """Insurer notification deadlines on hand-computed cases (TUESDAY = 2026-11-24)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.insurer = cls.env["res.partner"].create(
            {
                "name": "Atradius Test",
                "is_company": True,
                "dunning_insurer_notify_days": 60,
                "dunning_insurer_warn_days": 14,
            }
        )
        cls.partner_a.with_company(cls.company).write(
            {
                "dunning_insurer_id": cls.insurer.id,
                "dunning_insured_limit": 25000.0,
                "dunning_insurance_policy": "POL-4711",
            }
        )
        # Due 2026-09-30: + 60 days = 2026-11-29, warned from 2026-11-15: approaching.
        cls.approaching = cls._invoice((TUESDAY - date(2026, 9, 30)).days, 1000.0)
        # Due 2026-09-01: deadline 2026-10-31, passed.
        cls.past = cls._invoice((TUESDAY - date(2026, 9, 1)).days, 400.0)
        # Due 2026-11-10: deadline 2027-01-09, warned from 2026-12-26: running.
        cls.running = cls._invoice((TUESDAY - date(2026, 11, 10)).days, 250.0)
        # Not insured: partner_b.
        cls.uninsured = cls._invoice(80, 700.0, partner=cls.partner_b)
        cls.activity_type = cls.env.ref(
            "debtor_dunning.mail_activity_type_insurer_notification"
        )

    def test_deadlines_of_overdue_insured_invoices(self):
        moves = self.approaching | self.past | self.running | self.uninsured
        self.assertRecordValues(
            moves,
            [
                {
                    "dunning_insurance_deadline": date(2026, 11, 29),
                    "dunning_insurance_status": "approaching",
                },
                {
                    "dunning_insurance_deadline": date(2026, 10, 31),
                    "dunning_insurance_status": "past",
                },
                {
                    "dunning_insurance_deadline": date(2027, 1, 9),
                    "dunning_insurance_status": "running",
                },
                {
                    "dunning_insurance_deadline": False,
                    "dunning_insurance_status": False,
                },
            ],
        )

    def test_list_finds_debts_near_or_past_their_deadline(self):
        found = self.env["account.move"].search(
            [("dunning_insurance_status", "in", ["approaching", "past"])]
        )
        self.assertEqual(found, self.approaching | self.past)

    def test_insurer_term_is_per_insurer(self):
        self.insurer.dunning_insurer_notify_days = 90
        self.approaching.invalidate_recordset()
        self.assertEqual(
            self.approaching.dunning_insurance_deadline, date(2026, 12, 29)
        )
        self.assertEqual(self.approaching.dunning_insurance_status, "running")

    def test_insurer_term_out_of_range_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "Notification Term"):
            self.insurer.dunning_insurer_notify_days = 0

    def test_daily_run_gives_the_credit_manager_one_to_do_per_debt(self):
        self.policy.responsible_id = self.dunning_manager
        self.service._cron_company(self.company, TUESDAY)
        activities = self.env["mail.activity"].search(
            [("activity_type_id", "=", self.activity_type.id)]
        )
        self.assertEqual(
            sorted(activities.mapped("res_id")),
            sorted((self.approaching | self.past).ids),
        )
        self.assertEqual(activities.user_id, self.dunning_manager)
        todo = activities.filtered(lambda a: a.res_id == self.approaching.id)
        self.assertEqual(todo.date_deadline, date(2026, 11, 29))
        self.assertIn("Atradius Test", todo.summary)
        # The next day's run adds none.
        self.service._cron_company(self.company, TUESDAY)
        self.assertEqual(
            self.env["mail.activity"].search_count(
                [("activity_type_id", "=", self.activity_type.id)]
            ),
            2,
        )

    def test_notification_pdf_and_csv_name_the_debtor_and_invoices(self):
        self.service._cron_company(self.company, TUESDAY)
        Insurance = self.env["debtor.dunning.insurance"]
        values = Insurance._notification_values(self.partner_a, self.company)
        rows = list(
            csv.DictReader(
                io.StringIO(Insurance._notification_csv(values).decode()),
                delimiter=";",
            )
        )
        self.assertEqual(
            [
                (r["invoice"], r["notification_deadline"], r["amount_open"])
                for r in rows
            ],
            [
                (self.past.name, "2026-10-31", "400.00"),
                (self.approaching.name, "2026-11-29", "1000.00"),
                (self.running.name, "2027-01-09", "250.00"),
            ],
        )
        self.assertEqual({r["policy_number"] for r in rows}, {"POL-4711"})
        self.assertEqual({r["debtor"] for r in rows}, {self.partner_a.name})
        action = (
            self.partner_a.with_company(self.company)
            .with_context(force_report_rendering=True)
            .action_dunning_insurer_notify()
        )
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.partner_a.id)]
        )
        pdf = attachments.filtered(lambda a: a.mimetype == "application/pdf")
        text = pdf_text(base64.b64decode(pdf.datas))
        for expected in (
            "Notification of payment default",
            "POL-4711",
            self.partner_a.name,
            self.past.name,
            self.approaching.name,
        ):
            self.assertIn(expected, text)
        self.assertNotIn(self.uninsured.name, text)
        self.assertTrue(attachments.filtered(lambda a: a.mimetype == "text/csv"))
        self.assertEqual(
            (self.past | self.approaching | self.running).mapped(
                "dunning_insurer_notified_date"
            ),
            [TUESDAY] * 3,
        )
        self.assertFalse(
            self.env["mail.activity"].search(
                [("activity_type_id", "=", self.activity_type.id)]
            ),
            "the to-dos are done",
        )
        with self.assertRaisesRegex(UserError, "no overdue insured invoice"):
            self.partner_a.with_company(self.company).action_dunning_insurer_notify()
