from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TUESDAY, DunningCommon


@tagged("post_install", "-at_install")
class TestRegisteredMail(DunningCommon):
    """A registered notice of default: its term runs from its proven receipt."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._climb_by_age()
        cls.default_level = cls.levels[2]
        cls.default_level.write(
            {"registered_mail": True, "send_letter": True, "pay_days": 14}
        )
        cls.move = cls._invoice(overdue=40)
        run = cls.service._propose(cls.company, TUESDAY)
        run.action_validate()
        cls.notice = run.notice_ids.filtered(lambda n: n.state == "issued")

    def _position(self):
        return self.env["debtor.dunning.position"].search(
            [("move_id", "=", self.move.id)]
        )

    def test_notice_of_default_ships_as_registered_mail(self):
        vals = self.env["debtor.dunning.level"]._default_ladder_vals()
        self.assertEqual(
            [bool(v.get("registered_mail")) for v in vals], [False, False, True, False]
        )

    def test_receipt_presumed_from_the_letter_date_at_issue(self):
        self.assertEqual(self.notice.level_id, self.default_level)
        # Tuesday 24 November + two working days; 14 days from then.
        self.assertEqual(self.notice.presumed_receipt_date, date(2026, 11, 26))
        self.assertEqual(self.notice.pay_by_date, date(2026, 12, 10))
        self.assertEqual(self._position().term_date, date(2026, 12, 10))

    def test_track_and_trace_delivery_drives_the_term(self):
        wizard = self.env["debtor.dunning.notice.registered"].create(
            {
                "notice_ids": [Command.set(self.notice.ids)],
                "pasted": f"{self.notice.name}\t3SDEMO123456789\t2026-12-01\n",
            }
        )
        wizard.action_confirm()
        self.assertRecordValues(
            self.notice,
            [
                {
                    "tracking_number": "3SDEMO123456789",
                    "delivered_date": date(2026, 12, 1),
                    "presumed_receipt_date": date(2026, 12, 1),
                    "pay_by_date": date(2026, 12, 15),
                }
            ],
        )
        self.assertEqual(self._position().term_date, date(2026, 12, 15))
        self.assertTrue(
            any("3SDEMO123456789" in b for b in self.notice.message_ids.mapped("body"))
        )

    def test_an_unknown_reference_in_the_pasted_list_is_named(self):
        wizard = self.env["debtor.dunning.notice.registered"].create(
            {"pasted": "DUN/1999/999999 3SX"}
        )
        with self.assertRaisesRegex(UserError, "DUN/1999/999999"):
            wizard.action_confirm()
