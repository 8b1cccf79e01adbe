from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .. import compat
from .common import TUESDAY, DunningCommon


@tagged("post_install", "-at_install")
class TestCreditHold(DunningCommon):
    """A customer on credit hold gets no new invoice posted without an override."""

    def _draft(self, partner=None, move_type="out_invoice"):
        return self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": (partner or self.partner_a).id,
                "invoice_date": TUESDAY,
                "invoice_line_ids": [
                    Command.create({"name": "test", "price_unit": 500, "tax_ids": []})
                ],
            }
        )

    def _hold(self, until=None, partner=None):
        self.env["debtor.dunning.credit"]._hold(
            partner or self.partner_a, "Notice of default unpaid", until, self.company
        )

    def test_invoice_of_customer_on_hold_is_not_posted(self):
        self._hold()
        move = self._draft()
        self.assertTrue(move.dunning_credit_held)
        with self.assertRaisesRegex(UserError, "credit hold"):
            move.action_post()
        self.assertEqual(move.state, "draft")

    def test_invoice_of_customer_without_hold_is_posted(self):
        self._hold(partner=self.partner_b)
        move = self._draft()
        self.assertFalse(move.dunning_credit_held)
        move.action_post()
        self.assertEqual(move.state, "posted")

    def test_credit_note_of_customer_on_hold_is_posted(self):
        self._hold()
        refund = self._draft(move_type="out_refund")
        refund.action_post()
        self.assertEqual(refund.state, "posted")

    def test_hold_ends_after_its_end_date(self):
        self._hold(until=TUESDAY + timedelta(days=2))
        self.assertTrue(self.partner_a.dunning_credit_held)
        move = self._draft()
        with self.assertRaises(UserError):
            move.action_post()
        partner = self.partner_a.with_company(self.company)
        self.assertFalse(
            partner._dunning_on_credit_hold(self.company, TUESDAY + timedelta(days=3))
        )

    def test_manager_override_posts_and_logs_the_reason(self):
        self._hold()
        move = self._draft()
        action = move.action_dunning_credit_override()
        form = Form(
            self.env["debtor.dunning.credit.override"]
            .with_user(self.dunning_manager)
            .with_context(**action["context"])
        )
        form.reason = "Cash on delivery agreed"
        form.save().action_confirm()
        self.assertEqual(move.state, "posted")
        self.assertIn("Cash on delivery agreed", move.message_ids[0].body)
        self.assertIn("overridden", move.message_ids[0].body)

    def test_a_dunning_user_cannot_override(self):
        self._hold()
        move = self._draft()
        with self.assertRaises(AccessError):
            self.env["debtor.dunning.credit"].with_user(self.dunning_user)._override(
                move, "Because"
            )
        self.assertEqual(move.state, "draft")

    def test_override_needs_a_reason(self):
        self._hold()
        with self.assertRaisesRegex(UserError, "Reason"):
            self.env["debtor.dunning.credit"]._override(self._draft(), "  ")

    def test_hold_by_hand_with_reason_and_end_date_logged(self):
        wizard = (
            self.env["debtor.dunning.credit.hold"]
            .with_user(self.dunning_user)
            .create(
                {
                    "partner_id": self.partner_a.id,
                    "reason": "Cheque bounced",
                    "until_date": TUESDAY + timedelta(days=30),
                }
            )
        )
        wizard.action_confirm()
        partner = self.partner_a.with_company(self.company)
        self.assertRecordValues(
            partner,
            [
                {
                    "dunning_credit_hold": True,
                    "dunning_credit_hold_reason": "Cheque bounced",
                    "dunning_credit_hold_until": TUESDAY + timedelta(days=30),
                    "dunning_credit_held": True,
                }
            ],
        )
        self.assertIn("Cheque bounced", partner.message_ids[0].body)
        partner.action_dunning_credit_release()
        self.assertFalse(partner.dunning_credit_held)
        self.assertFalse(partner.dunning_credit_hold_reason)

    def test_hold_is_per_company(self):
        self._hold()
        other = self.setup_other_company(name="Company B")["company"]
        self.assertFalse(self.partner_a._dunning_on_credit_hold(other, TUESDAY))

    def test_plain_invoicing_user_cannot_hold(self):
        clerk = self.env["res.users"].create(
            {
                "name": "Clerk",
                "login": "clerk_credit",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                compat.USER_GROUPS: [
                    Command.set(
                        [
                            self.env.ref("base.group_user").id,
                            self.env.ref("account.group_account_invoice").id,
                        ]
                    )
                ],
            }
        )
        with self.assertRaises(AccessError):
            self.partner_a.with_user(clerk).write(
                {"dunning_credit_hold": True, "dunning_credit_hold_reason": "x"}
            )

    def test_level_with_credit_hold_names_its_notice(self):
        self._climb_by_age()
        self.levels[-1].credit_hold = True
        self._invoice(70)
        run = self._run()
        notice = self._notice_of(run)
        partner = self.partner_a.with_company(self.company)
        self.assertTrue(partner.dunning_credit_held)
        self.assertIn(notice.name, partner.dunning_credit_hold_reason)

    def test_only_the_levels_that_ask_for_it_hold_credit_and_plan_calls(self):
        # One run, two levels: only the notice at the level with the actions gets them.
        self._climb_by_age()
        self.levels[-1].write({"credit_hold": True, "create_call": True})
        self._invoice(70)
        self._invoice(10, partner=self.partner_b)
        run = self._run()
        high, low = self._notice_of(run), self._notice_of(run, self.partner_b)
        self.assertEqual(high.level_id, self.levels[-1])
        self.assertEqual(low.level_id, self.levels[0])
        self.assertTrue(self.partner_a.with_company(self.company).dunning_credit_held)
        self.assertFalse(self.partner_b.with_company(self.company).dunning_credit_held)
        self.assertEqual(high.call_state, "to_do")
        self.assertTrue(high.activity_ids)
        self.assertFalse(low.activity_ids)

    def test_credit_figures_follow_odoos_credit_limit(self):
        self.company.account_use_credit_limit = True
        self.partner_a.with_company(self.company).credit_limit = 5000.0
        self._invoice(10, 1200.0)
        self._invoice(3, 300.0)
        figures = self.partner_a.with_company(self.company)._dunning_credit_figures()
        self.assertEqual(figures[self.partner_a.id], (5000.0, 1500.0, 3500.0))
        self.assertRecordValues(
            self.partner_a.with_company(self.company),
            [
                {
                    "dunning_credit_limit": 5000.0,
                    "dunning_credit_used": 1500.0,
                    "dunning_credit_free": 3500.0,
                }
            ],
        )

    def test_credit_figures_without_limit(self):
        self.company.account_use_credit_limit = False
        self._invoice(10, 800.0)
        figures = self.partner_a.with_company(self.company)._dunning_credit_figures()
        self.assertEqual(figures[self.partner_a.id], (None, 800.0, None))
