from datetime import timedelta

from odoo import Command, fields, http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestPortalDispute(DunningCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env,
            login="portal_anna",
            groups="base.group_portal",
            parent_id=cls.partner_a.id,
        )
        cls.Dispute = cls.env["debtor.dunning.dispute"]
        cls.Arrangement = cls.env["debtor.dunning.arrangement"]
        today = fields.Date.context_today(cls.env.user)
        cls.move = cls._overdue(cls.partner_a, today)
        cls.other_move = cls._overdue(cls.partner_a, today)
        cls.foreign_move = cls._overdue(cls.partner_b, today)

    @classmethod
    def _overdue(cls, partner, today):
        """A posted invoice 30 days overdue today (the portal works on today)."""
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": today - timedelta(days=30),
                "invoice_date_due": today - timedelta(days=30),
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "test", "price_unit": 1000.0, "tax_ids": []}
                    )
                ],
            }
        )
        move.action_post()
        return move

    def _post(self, url, data):
        return self.url_open(
            url, data={**data, "csrf_token": http.Request.csrf_token(self)}
        )

    def test_portal_user_disputes_an_invoice(self):
        self.authenticate("portal_anna", "portal_anna")
        url = f"/my/invoices/{self.move.id}/dispute"
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Open dispute", page.text)
        refused = self._post(url, {"reason": "quality", "note": ""})
        self.assertIn("Tell us what is wrong", refused.text)
        self.assertIn('value="quality" selected', refused.text, "the choice is kept")
        self.assertFalse(self.move.dunning_dispute_ids)
        response = self._post(url, {"reason": "quality", "note": "Scratched"})
        dispute = self.move.dunning_dispute_ids
        self.assertRecordValues(
            dispute,
            [
                {
                    "state": "open",
                    "source": "portal",
                    "reason": "quality",
                    "note": "Scratched",
                    "partner_id": self.partner_a.id,
                }
            ],
        )
        self.assertTrue(response.url.endswith(f"/my/disputes/{dispute.id}"))
        self.assertIn(dispute.name, response.text)
        self.assertTrue(self.move.dunning_disputed)
        self.assertFalse(self.other_move.dunning_disputed)
        self.assertFalse(dispute.user_id.share, "an accountant settles it")
        self.assertIn(self.portal_user.partner_id, dispute.message_partner_ids)

    def test_portal_user_proposes_an_arrangement(self):
        self.authenticate("portal_anna", "portal_anna")
        page = self.url_open("/my/arrangements/propose")
        self.assertIn(self.move.name, page.text)
        self.assertNotIn(self.foreign_move.name, page.text)
        first = fields.Date.context_today(self.env.user) + timedelta(days=10)
        response = self.url_open(
            "/my/arrangements/propose",
            data=[
                ("csrf_token", http.Request.csrf_token(self)),
                ("invoice_ids", str(self.move.id)),
                ("invoice_ids", str(self.other_move.id)),
                ("invoice_ids", str(self.foreign_move.id)),  # not his: ignored
                ("instalment_count", "4"),
                ("frequency", "monthly"),
                ("first_date", fields.Date.to_string(first)),
            ],
        )
        arrangement = self.Arrangement.search([("partner_id", "=", self.partner_a.id)])
        self.assertRecordValues(
            arrangement,
            [
                {
                    "state": "draft",
                    "source": "portal",
                    "instalment_count": 4,
                    "total_amount": 2000.0,
                    "first_date": first,
                }
            ],
        )
        self.assertEqual(arrangement.move_ids, self.move | self.other_move)
        self.assertEqual(len(arrangement.line_ids), 4)
        self.assertTrue(response.url.endswith(f"/my/arrangements/{arrangement.id}"))
        self.assertTrue(arrangement.activity_ids, "the accountant reviews it")
        arrangement.action_confirm()
        self.assertEqual(arrangement.state, "running")
        self.assertEqual(self.move.dunning_state, "arrangement")

    def test_bad_proposal_is_refused_and_nothing_is_lost(self):
        self.authenticate("portal_anna", "portal_anna")
        response = self._post(
            "/my/arrangements/propose",
            {
                "invoice_ids": str(self.move.id),
                "instalment_count": "99",
                "frequency": "weekly",
                "first_date": "2020-01-01",
            },
        )
        self.assertIn("Choose between 1 and 24 instalments", response.text)
        self.assertIn('value="99"', response.text)
        # A count that is no plain number, then a date the browser did not format.
        for count, refusal in (
            ("²", "Choose between 1 and 24 instalments"),
            ("3", "Enter the date of the first payment"),
        ):
            response = self._post(
                "/my/arrangements/propose",
                {
                    "invoice_ids": str(self.move.id),
                    "instalment_count": count,
                    "frequency": "weekly",
                    "first_date": "12/05/2099",
                },
            )
            self.assertEqual(response.status_code, 200)
            self.assertIn(refusal, response.text)
            self.assertIn('value="12/05/2099"', response.text)
        self.assertFalse(
            self.Arrangement.search([("partner_id", "=", self.partner_a.id)])
        )

    def test_portal_user_sees_only_his_own_records(self):
        own = self.Dispute.create({"move_id": self.move.id, "reason": "price"})
        foreign = self.Dispute.create(
            {"move_id": self.foreign_move.id, "reason": "price"}
        )
        own_arrangement = self.Arrangement.create(
            {
                "partner_id": self.partner_a.id,
                "move_ids": [Command.set(self.other_move.ids)],
            }
        )
        foreign_arrangement = self.Arrangement.create(
            {
                "partner_id": self.partner_b.id,
                "move_ids": [
                    Command.set(self._overdue(self.partner_b, fields.Date.today()).ids)
                ],
            }
        )
        own_arrangement.action_compute_schedule()
        foreign_arrangement.action_compute_schedule()
        as_portal = self.env(user=self.portal_user)
        self.assertEqual(as_portal["debtor.dunning.dispute"].search([]), own)
        self.assertEqual(
            as_portal["debtor.dunning.arrangement"].search([]), own_arrangement
        )
        self.assertEqual(
            as_portal["debtor.dunning.arrangement.line"].search([]),
            own_arrangement.line_ids,
        )
        with self.assertRaises(AccessError):
            foreign.with_user(self.portal_user).read(["reason"])
        with self.assertRaises(AccessError):
            foreign_arrangement.with_user(self.portal_user).read(["total_amount"])
        with self.assertRaises(AccessError):
            own.with_user(self.portal_user).write({"reason": "other"})
        self.authenticate("portal_anna", "portal_anna")
        listing = self.url_open("/my/disputes")
        self.assertIn(own.name, listing.text)
        self.assertNotIn(foreign.name, listing.text)
        self.assertIn(own_arrangement.name, self.url_open("/my/arrangements").text)
        response = self.url_open(f"/my/disputes/{foreign.id}")
        self.assertNotIn(foreign.name, response.text)
        response = self.url_open(f"/my/arrangements/{foreign_arrangement.id}")
        self.assertNotIn(foreign_arrangement.name, response.text)
        response = self.url_open(f"/my/invoices/{self.foreign_move.id}/dispute")
        self.assertNotIn("Open dispute", response.text)


@tagged("post_install", "-at_install")
class TestDisputeTour(DunningCommon, HttpCase):
    def test_accountant_disputes_and_arranges_from_the_invoice(self):
        customer = self.env["res.partner"].create(
            {"name": "Tour Customer", "email": "tour.customer@example.com"}
        )
        accountant = new_test_user(
            self.env,
            login="tour_accountant",
            groups="base.group_user,debtor_dunning.debtor_dunning_group_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        today = fields.Date.context_today(self.env.user)
        moves = self.env["account.move"]
        for days in (40, 30):
            moves |= self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "invoice_date": today - timedelta(days=days),
                    "invoice_date_due": today - timedelta(days=days),
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "test", "price_unit": 600.0, "tax_ids": []}
                        )
                    ],
                }
            )
        moves.action_post()
        self.start_tour(
            "/odoo/action-account.action_move_out_invoice_type",
            "dunning_dispute_tour",
            login=accountant.login,
        )
        disputed = moves.filtered("dunning_disputed")
        self.assertEqual(len(disputed), 1)
        self.assertEqual(disputed.dunning_dispute_ids.reason, "quality")
        arranged = moves - disputed
        self.assertEqual(arranged.dunning_arrangement_id.state, "running")
        self.assertEqual(arranged.dunning_arrangement_id.move_ids, arranged)
