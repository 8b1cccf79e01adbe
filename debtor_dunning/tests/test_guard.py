"""Guarded records: what was sent stays as sent, only the right people change dunning.

Each test acts as the user the issue names (a dunning user, a plain invoicing user, a
dunning manager) through the ORM with that user's rights.
"""

from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .. import compat
from ..core import limitation
from ..models import guard
from .common import TUESDAY, DunningCommon

DAY = timedelta(days=1)


@tagged("post_install", "-at_install")
class TestIssuedIsFrozen(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.move = cls._invoice(overdue=30)

    def _issued(self):
        run = self._run()
        notice = self._notice_of(run)
        self.assertEqual(notice.state, "issued")
        return run, notice

    def test_nobody_edits_or_deletes_an_issued_notice_its_lines_or_charges(self):
        run, notice = self._issued()
        as_user = notice.with_user(self.dunning_user)
        for env_notice in (as_user, notice):  # the dunning user, then the superuser
            for vals in (
                {"state": "draft"},
                {"amount_total": 0.01},
                {"date": TUESDAY + DAY},
                {"level_id": self.levels[1].id},
                {"pay_by_date": TUESDAY},
            ):
                with self.assertRaisesRegex(UserError, "was issued"):
                    env_notice.write(vals)
            with self.assertRaisesRegex(UserError, "was issued"):
                env_notice.unlink()
            line = env_notice.line_ids[:1]
            with self.assertRaisesRegex(UserError, "was issued"):
                line.amount_residual = 0.01
            with self.assertRaisesRegex(UserError, "was issued"):
                line.unlink()
            with self.assertRaisesRegex(UserError, "was issued"):
                line.copy({"notice_id": notice.id})
            with self.assertRaisesRegex(UserError, "was issued"):
                env_notice.env["debtor.dunning.notice.charge"].create(
                    {
                        "notice_id": notice.id,
                        "kind": "cost",
                        "name": "More",
                        "amount": 100.0,
                    }
                )
        self.assertRecordValues(
            notice,
            [{"state": "issued", "date": TUESDAY, "amount_total": 1000.0}],
        )
        self.assertEqual(notice.line_ids.amount_residual, 1000.0)
        # Issued notices are never created as such, and their run stays.
        with self.assertRaisesRegex(UserError, "created as a proposal"):
            self.env["debtor.dunning.notice"].with_user(self.dunning_user).create(
                {
                    "company_id": self.company.id,
                    "partner_id": self.partner_b.id,
                    "policy_id": self.policy.id,
                    "level_id": self.levels[0].id,
                    "date": TUESDAY,
                    "state": "issued",
                }
            )
        with self.assertRaisesRegex(UserError, "was issued"):
            run.with_user(self.dunning_manager).unlink()
        self.assertTrue(run.exists() and notice.exists())

    def test_delivery_facts_are_recorded_only_by_the_sending_code(self):
        _run, notice = self._issued()
        with self.assertRaisesRegex(UserError, "was issued"):
            notice.with_user(self.dunning_user).email_state = "sent"
        notice.with_user(self.dunning_user)._dunning_record_delivery(
            {"letter_state": "to_print"}
        )
        self.assertEqual(notice.letter_state, "to_print")
        with self.assertRaisesRegex(UserError, "Only delivery facts"):
            notice._dunning_record_delivery({"amount_total": 1.0})
        # The chatter stays open: a note on an issued notice is no change to it.
        notice.with_user(self.dunning_user).message_post(body="Customer called")

    def test_a_run_of_proposals_only_can_be_deleted(self):
        run = self._run(validate=False)
        self.assertEqual(self._notice_of(run).state, "draft")
        run.with_user(self.dunning_manager).unlink()
        self.assertFalse(run.exists())

    def test_a_cascade_cannot_skip_the_guard(self):
        """The run's foreign key restricts: SQL cannot drop an issued notice."""
        field = self.env["debtor.dunning.notice"]._fields["run_id"]
        self.assertEqual(field.ondelete, "restrict")


@tagged("post_install", "-at_install")
class TestCancelNotice(DunningCommon):
    """Cancel notice: the levels it raised go back, the record stays, says who, why."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.move = cls._invoice(overdue=30)
        cls.first_day = TUESDAY - timedelta(days=21)

    def _cancel(self, notice, reason, user=None):
        wizard = (
            self.env["debtor.dunning.notice.cancel"]
            .with_user(user or self.dunning_user)
            .create({"notice_ids": [Command.set(notice.ids)], "reason": reason})
        )
        return wizard.action_confirm()

    def _two_notices(self):
        first = self._notice_of(self._run(self.first_day))
        second = self._notice_of(self._run())
        self.assertEqual(
            (first.level_id, second.level_id), (self.levels[0], self.levels[1])
        )
        self.assertEqual(self.move.dunning_level_id, self.levels[1])
        return first, second

    def test_cancel_puts_the_debt_back_where_the_notice_found_it(self):
        first, second = self._two_notices()
        self._cancel(second, "Sent to the wrong address")
        self.assertRecordValues(
            second,
            [
                {
                    "state": "cancel",
                    "cancel_reason": "Sent to the wrong address",
                    "cancelled_by_id": self.dunning_user.id,
                    "amount_total": 1000.0,
                    "level_id": self.levels[1].id,
                }
            ],
        )
        self.assertTrue(second.line_ids, "the record of what was sent stays")
        position = self.move.dunning_position_ids
        self.assertRecordValues(
            position,
            [
                {
                    "level_id": self.levels[0].id,
                    "last_date": self.first_day,
                    "term_date": second.line_ids.previous_term_date,
                    "notice_id": first.id,
                }
            ],
        )
        self.assertTrue(position.term_date)
        self.assertRecordValues(
            self.move,
            [
                {
                    "dunning_level_id": self.levels[0].id,
                    "dunning_last_date": self.first_day,
                }
            ],
        )
        said = second.message_ids.mapped("body")
        self.assertTrue(
            any(
                "Sent to the wrong address" in body and self.dunning_user.name in body
                for body in said
            ),
            said,
        )
        self.assertTrue(
            any(
                "Sent to the wrong address" in body
                for body in self.move.message_ids.mapped("body")
            )
        )
        # Frozen as it was: a cancelled notice is no more editable than an issued one.
        with self.assertRaisesRegex(UserError, "was issued"):
            second.with_user(self.dunning_user).write({"state": "issued"})
        with self.assertRaisesRegex(UserError, "was issued"):
            second.unlink()
        # The next run climbs from the restored position again.
        self.assertEqual(self._notice_of(self._run()).level_id, self.levels[1])

    def test_the_later_notice_is_cancelled_first_then_the_debt_was_never_dunned(self):
        first, second = self._two_notices()
        with self.assertRaisesRegex(UserError, "cancel it first"):
            self._cancel(first, "Too early")
        self._cancel(second, "Wrong level")
        self._cancel(first, "Paid before the reminder")
        self.assertFalse(self.move.dunning_position_ids)
        self.assertRecordValues(
            self.move,
            [{"dunning_level_id": False, "dunning_last_date": False}],
        )

    def test_cancel_needs_a_reason_a_dunning_user_and_an_issued_notice(self):
        first, _second = self._two_notices()
        with self.assertRaisesRegex(UserError, "Reason"):
            self._cancel(first, " ")
        with self.assertRaisesRegex(UserError, "Reason"):
            first._dunning_cancel_issued("  ")
        plain = new_test_user(
            self.env, login="plain_cancel", groups="account.group_account_invoice"
        )
        with self.assertRaises(AccessError):
            first.with_user(plain)._dunning_cancel_issued("Because")
        proposal = self._notice_of(self._run(TUESDAY + timedelta(days=30), False))
        with self.assertRaisesRegex(UserError, "Only an issued notice"):
            proposal._dunning_cancel_issued("Because")


@tagged("post_install", "-at_install")
class TestCancelNoticeOfDefault(DunningCommon):
    """A notice of default interrupted limitation and booked its charges."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.dunning_law_country = "nl"
        cls._climb_by_age()
        cls.customer = cls.env["res.partner"].create({"name": "Jan de Vries"})
        cls.move = cls._invoice(overdue=40, partner=cls.customer)

    def test_cancel_restores_the_limitation_date_and_credits_the_charges(self):
        due = self.move.invoice_date_due
        before = self.move.dunning_limitation_date
        self.assertEqual(before, limitation.years_after(due + DAY, 2))
        notice = self._notice_of(self._run(), self.customer)
        self.assertTrue(notice.level_id.interrupts_limitation)
        self.assertEqual(
            self.move.dunning_limitation_date, limitation.years_after(TUESDAY + DAY, 2)
        )
        charge_move = notice.charge_move_id
        notice.with_user(self.dunning_user)._dunning_cancel_issued("Agreed by phone")
        self.assertEqual(self.move.dunning_limitation_date, before)
        if charge_move:
            self.assertEqual(charge_move.payment_state, "reversed")
        self.assertFalse(self.move.dunning_level_id)
        self.assertFalse(notice.activity_ids, "the call is dropped")


@tagged("post_install", "-at_install")
class TestHistoryStays(DunningCommon):
    """Confirmed arrangements and settled disputes: named actions only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.move = cls._invoice(overdue=30)

    def test_a_confirmed_arrangement_is_changed_only_by_its_actions(self):
        Arrangement = self.env["debtor.dunning.arrangement"].with_user(
            self.dunning_user
        )
        arrangement = Arrangement.create(
            {
                "partner_id": self.partner_a.id,
                "move_ids": [Command.set(self.move.ids)],
                "instalment_count": 2,
                "first_date": TUESDAY + timedelta(days=7),
            }
        )
        arrangement.action_confirm()
        self.assertEqual(arrangement.state, "running")
        for vals in (
            {"instalment_count": 10},
            {"state": "draft"},
            {"first_date": TUESDAY + timedelta(days=300)},
        ):
            with self.assertRaisesRegex(UserError, "was confirmed"):
                arrangement.write(vals)
        with self.assertRaisesRegex(UserError, "was confirmed"):
            arrangement.line_ids[:1].amount = 1.0
        with self.assertRaisesRegex(UserError, "was confirmed"):
            arrangement.line_ids[:1].unlink()
        arrangement.action_cancel()
        self.assertEqual(arrangement.state, "cancel")
        self.assertEqual(len(arrangement.line_ids), 2, "its history stays")
        with self.assertRaisesRegex(UserError, "was confirmed"):
            arrangement.with_user(self.dunning_manager).unlink()
        with self.assertRaisesRegex(UserError, "was confirmed"):
            arrangement.action_draft()

    def test_a_settled_dispute_keeps_its_history(self):
        dispute = (
            self.env["debtor.dunning.dispute"]
            .with_user(self.dunning_user)
            .create({"move_id": self.move.id, "reason": "price", "note": "Too dear"})
        )
        dispute.note = "Much too dear"  # open: still the customer's words to take
        dispute.action_reject()
        with self.assertRaisesRegex(UserError, "is settled"):
            dispute.write({"state": "open"})
        with self.assertRaisesRegex(UserError, "is settled"):
            dispute.note = "Never mind"
        with self.assertRaisesRegex(UserError, "is settled"):
            dispute.with_user(self.dunning_manager).unlink()
        self.assertEqual(dispute.state, "rejected")

    def test_a_dunning_user_without_email_opens_and_settles_a_dispute(self):
        user = new_test_user(
            self.env,
            login="no_mail_user",
            groups="base.group_user,debtor_dunning.debtor_dunning_group_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        user.partner_id.email = False
        self.policy.responsible_id = user
        dispute = (
            self.env["debtor.dunning.dispute"]
            .with_user(user)
            .create({"move_id": self.move.id, "reason": "quality", "note": "Broken"})
        )
        self.assertTrue(dispute.activity_ids, "the settlement to-do")
        dispute.action_withdraw()
        self.assertEqual(dispute.state, "withdrawn")
        # An arrangement she confirms plans the instalments in another's agenda.
        arrangement = (
            self.env["debtor.dunning.arrangement"]
            .with_user(user)
            .create(
                {
                    "partner_id": self.partner_a.id,
                    "user_id": self.dunning_user.id,
                    "move_ids": [Command.set(self.move.ids)],
                    "instalment_count": 2,
                    "first_date": TUESDAY + timedelta(days=7),
                }
            )
        )
        arrangement.action_confirm()
        self.assertEqual(len(arrangement.activity_ids), 2)
        self.assertIn("Dispute settled", " ".join(dispute.message_ids.mapped("body")))


@tagged("post_install", "-at_install")
class TestFieldRights(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoicing_user = new_test_user(
            cls.env,
            login="invoicing_only",
            groups="base.group_user,base.group_partner_manager,"
            "account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.dunning_user.write(
            {
                compat.USER_GROUPS: [
                    Command.link(cls.env.ref("base.group_partner_manager").id)
                ]
            }
        )
        cls.move = cls._invoice(overdue=30)

    def test_a_plain_invoicing_user_reads_but_never_writes_dunning_fields(self):
        self._run()
        move = self.move.with_user(self.invoicing_user)
        self.assertEqual(move.dunning_level_id, self.levels[0], "read stays open")
        self.assertEqual(move.dunning_state, "in_dunning")
        for vals in (
            {"dunning_excluded": True},
            {"dunning_promise_date": TUESDAY + timedelta(days=5)},
            {"dunning_handed_over_date": TUESDAY},
        ):
            with self.assertRaisesRegex(AccessError, "Only dunning users"):
                move.write(vals)
        # The level and last date follow the notices: no one writes them.
        for user in (self.invoicing_user, self.dunning_user):
            for vals in (
                {"dunning_level_id": self.levels[3].id},
                {"dunning_last_date": TUESDAY + timedelta(days=1)},
            ):
                with self.assertRaisesRegex(UserError, "follow the notices"):
                    self.move.with_user(user).write(vals)
        customer = self.partner_a.with_user(self.invoicing_user)
        for vals in (
            {"dunning_blocked": True},
            {"dunning_credit_hold": True},
            {"dunning_tolerance_days": 30},
        ):
            with self.assertRaisesRegex(AccessError, "Only dunning users"):
                customer.write(vals)
        with self.assertRaisesRegex(AccessError, "Only dunning users"):
            customer.create({"name": "New", "dunning_blocked": True})
        # Their own fields, and a value that changes nothing, stay theirs.
        move.write({"ref": "PO 42", "dunning_excluded": False})
        customer.write({"phone": "+31 20 123 4567"})
        customer.create({"name": "Plain new customer", "is_company": True})
        self.assertRecordValues(
            self.move,
            [{"dunning_level_id": self.levels[0].id, "dunning_excluded": False}],
        )

    def test_dunning_users_and_the_add_ons_actions_do(self):
        move = self.move.with_user(self.dunning_user)
        move._dunning_exclude("Court case")
        self.assertTrue(self.move.dunning_excluded)
        move.action_dunning_resume()
        self.partner_a.with_user(self.dunning_user).dunning_tolerance_days = 5
        # A portal customer opens a dispute: the add-on sets the hold for him.
        guarded = guard.dunning_fields(self.env["account.move"])
        self.assertIn("dunning_disputed", guarded)
        self.assertNotIn("dunning_state", guarded)


@tagged("post_install", "-at_install")
class TestConfigRanges(DunningCommon):
    def _refused(self, record, vals, message):
        """`vals` refused at save with `message` (Odoo's assertRaises rolls back)."""
        with self.assertRaises(ValidationError) as refusal:
            record.write(vals)
        self.assertRegex(str(refusal.exception), message)
        record.invalidate_recordset()

    def test_levels_refuse_day_counts_that_would_break_the_run(self):
        notice_of_default = self.levels[2].with_user(self.dunning_manager)
        for vals, message in (
            (
                {"pay_days": 999999999},
                "Notice of default: the days to pay must lie between 0 and 365",
            ),
            ({"pay_days": -1}, "Notice of default: the days to pay"),
            (
                {"wait_days": -30},
                "Notice of default: the days after the due date must lie between -14 "
                "and 3650",
            ),
            ({"wait_days": 4000}, "the days after the due date must lie between"),
        ):
            self._refused(notice_of_default, vals, message)
        self.assertEqual(self.levels[2].pay_days, 14)

    def test_levels_follow_their_days_and_equal_days_are_refused(self):
        self._refused(
            self.levels[1].with_user(self.dunning_manager),
            {"wait_days": 7},
            r"Second reminder: the days after the due date \(7\) must be more than "
            r"those of Payment reminder \(7\)",
        )
        self._refused(
            self.levels[2].with_user(self.dunning_manager),
            {"sequence": 1},
            r"Payment reminder: the days after the due date \(7\) must be more than "
            r"those of Notice of default \(35\)",
        )

    def test_policies_refuse_day_counts_and_amounts_out_of_range(self):
        policy = self.policy.with_user(self.dunning_manager)
        for vals, message in (
            ({"grace_days": -1}, "the grace days must lie between 0 and 365"),
            ({"grace_days": 999999999}, "the grace days"),
            ({"min_interval_days": 100000}, "the minimum days between notices"),
            ({"min_amount": -5}, "the minimum amount must lie between"),
            ({"min_amount": 1e12}, "the minimum amount"),
            ({"arrangement_max_months": 0}, "the longest payment arrangement"),
            ({"arrangement_max_months": 1000}, "the longest payment arrangement"),
        ):
            self._refused(policy, vals, message)
