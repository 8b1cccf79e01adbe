"""Portal bounds over HTTP: every bad input a clear message that keeps the form."""

from datetime import timedelta

from odoo import Command, fields, http
from odoo.tests import HttpCase, new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestPortalBounds(DunningCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env,
            login="portal_bounds",
            groups="base.group_portal",
            parent_id=cls.partner_a.id,
        )
        cls.Arrangement = cls.env["debtor.dunning.arrangement"]
        cls.today = fields.Date.context_today(cls.env.user)
        cls.move = cls._overdue()
        cls.other_move = cls._overdue()

    @classmethod
    def _overdue(cls):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.partner_a.id,
                "invoice_date": cls.today - timedelta(days=30),
                "invoice_date_due": cls.today - timedelta(days=30),
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create({"name": "test", "price_unit": 500.0, "tax_ids": []})
                ],
            }
        )
        move.action_post()
        return move

    def _propose(self, first_date, count="4", frequency="monthly", moves=None):
        return self.url_open(
            "/my/arrangements/propose",
            data=[
                ("csrf_token", http.Request.csrf_token(self)),
                *(("invoice_ids", str(move.id)) for move in (moves or self.move)),
                ("instalment_count", count),
                ("frequency", frequency),
                ("first_date", first_date),
            ],
        )

    def _proposals(self):
        return self.Arrangement.search([("partner_id", "=", self.partner_a.id)])

    def test_dates_past_the_horizon_or_the_calendar_get_a_message_never_a_500(self):
        self.authenticate("portal_bounds", "portal_bounds")
        for first_date, message in (
            ("9999-12-31", "a payment plan must end within 24 months"),
            ("10000-01-01", "Enter the date of the first payment"),
            ("2100-01-01", "a payment plan must end within 24 months"),
            ("31-12-9999", "Enter the date of the first payment"),
        ):
            response = self._propose(first_date, count="24")
            self.assertEqual(response.status_code, 200, first_date)
            self.assertIn(message, response.text, first_date)
            self.assertIn('name="instalment_count"', response.text, "the form stays")
            self.assertIn(f'value="{first_date}"', response.text, "as he typed it")
        # 24 monthly instalments from next month end past 24 months: too long.
        next_month = fields.Date.to_string(self.today + timedelta(days=31))
        response = self._propose(next_month, count="24")
        self.assertIn("must end within 24 months", response.text)
        self.assertFalse(self._proposals())
        # The policy's setting decides the horizon.
        self.policy.arrangement_max_months = 36
        response = self._propose(next_month, count="24")
        self.assertEqual(len(self._proposals()), 1, response.text[:300])

    def test_one_waiting_proposal_per_invoice(self):
        self.authenticate("portal_bounds", "portal_bounds")
        first = fields.Date.to_string(self.today + timedelta(days=10))
        self._propose(first)
        proposal = self._proposals()
        self.assertEqual(len(proposal), 1)
        again = self._propose(first, moves=self.move | self.other_move)
        self.assertEqual(again.status_code, 200)
        self.assertIn("You already proposed a payment plan for", again.text)
        self.assertIn(self.move.name, again.text)
        self.assertEqual(self._proposals(), proposal, "no second draft, no to-do")
        self.assertEqual(len(proposal.activity_ids), 1)
        # The other invoice alone is free for a proposal of its own.
        self._propose(first, moves=self.other_move)
        self.assertEqual(len(self._proposals()), 2)

    def test_a_one_megabyte_dispute_note_is_refused_and_the_form_kept(self):
        self.authenticate("portal_bounds", "portal_bounds")
        url = f"/my/invoices/{self.move.id}/dispute"
        response = self.url_open(
            url,
            data={
                "csrf_token": http.Request.csrf_token(self),
                "reason": "quality",
                "note": "x" * 1_000_000,
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("at most 5000 characters", response.text)
        self.assertIn('value="quality" selected', response.text, "the choice is kept")
        self.assertFalse(self.move.dunning_dispute_ids)
        self.assertFalse(self.move.dunning_disputed)
