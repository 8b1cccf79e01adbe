from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import DunningCommon

APPROVER = "debtor_dunning.debtor_dunning_group_approver"


@tagged("post_install", "-at_install")
class TestApproval(DunningCommon):
    """Four eyes: a notice of default goes out only once a second user approved it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._climb_by_age()
        cls.default_level = cls.levels[2]
        cls.default_level.requires_approval = True
        users = {}
        for login, groups in (
            ("proposer", f"debtor_dunning.debtor_dunning_group_user,{APPROVER}"),
            ("approver", APPROVER),
            ("other_approver", APPROVER),
        ):
            users[login] = new_test_user(
                cls.env,
                login=login,
                groups=f"base.group_user,{groups}",
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )
        cls.proposer = users["proposer"]
        cls.approver = users["approver"]
        cls.other_approver = users["other_approver"]
        cls.move = cls._invoice(overdue=40)

    def _proposal(self):
        run = self.service.with_user(self.proposer)._propose(self.company, self.as_of)
        notice = self._notice_of(run)
        self.assertEqual(notice.level_id, self.default_level)
        return run, notice

    def test_new_levels_of_default_and_hand_over_require_approval(self):
        Level = self.env["debtor.dunning.level"]
        for ladder in (
            Level._default_ladder_vals(),
            Level._default_consumer_ladder_vals(),
            Level._default_be_consumer_ladder_vals(),
        ):
            self.assertEqual(
                [bool(vals.get("requires_approval")) for vals in ladder],
                [False, False, True, True],
            )

    def test_notice_waits_and_validate_does_not_issue_it(self):
        run, notice = self._proposal()
        self.assertEqual(notice.approval_state, "waiting")
        run.with_user(self.proposer).action_validate()
        self.assertEqual(notice.state, "draft")
        self.assertEqual(run.state, "proposal")
        self.assertFalse(self.move.dunning_level_id)
        # The approvers of the company are told, the proposer is not.
        requests = run.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("debtor_dunning.mail_activity_type_dunning_approval")
            )
        )
        self.assertIn(self.approver, requests.user_id)
        self.assertNotIn(self.proposer, requests.user_id)
        # One to-do per approver, counting the run's waiting notices.
        self.assertEqual(
            set(requests.mapped("summary")), {"1 dunning notices to approve"}
        )

    def test_the_proposer_cannot_approve(self):
        _run, notice = self._proposal()
        with self.assertRaisesRegex(AccessError, "four eyes"):
            notice.with_user(self.proposer).action_approve()
        self.assertEqual(notice.approval_state, "waiting")

    def test_a_non_approver_cannot_approve(self):
        _run, notice = self._proposal()
        with self.assertRaisesRegex(AccessError, "Dunning approver"):
            notice.with_user(self.dunning_user).action_approve()
        with self.assertRaises(AccessError):
            self.env["debtor.dunning.approval"].with_user(self.dunning_user)._approve(
                notice
            )
        self.assertEqual(notice.approval_state, "waiting")

    def test_approval_fields_are_not_written_directly(self):
        _run, notice = self._proposal()
        with self.assertRaises(UserError):
            notice.with_user(self.proposer).write({"approval_state": "approved"})

    def test_a_second_user_approves_and_the_notice_goes_out(self):
        run, notice = self._proposal()
        notice.with_user(self.approver).action_approve()
        self.assertRecordValues(
            notice, [{"approval_state": "approved", "approved_by_id": self.approver.id}]
        )
        self.assertTrue(
            any("Approved by" in body for body in notice.message_ids.mapped("body"))
        )
        run.with_user(self.proposer).action_validate()
        self.assertEqual(notice.state, "issued")
        self.assertEqual(self.move.dunning_level_id, self.default_level)
        self.assertFalse(
            run.activity_ids.filtered(
                lambda a: (
                    a.activity_type_id
                    == self.env.ref(
                        "debtor_dunning.mail_activity_type_dunning_approval"
                    )
                )
            ),
            "nothing is left to approve",
        )

    def test_who_changed_the_proposal_cannot_approve_and_a_change_asks_again(self):
        _run, notice = self._proposal()
        notice.with_user(self.approver).action_approve()
        # The other approver lowers and raises the level: the approval is gone, and
        # he changed the proposal, so he may not approve it himself.
        notice.with_user(self.other_approver).level_id = self.levels[1]
        self.assertEqual(notice.approval_state, "none")
        notice.with_user(self.other_approver).level_id = self.default_level
        self.assertEqual(notice.approval_state, "waiting")
        self.assertFalse(notice.approved_by_id)
        with self.assertRaisesRegex(AccessError, "four eyes"):
            notice.with_user(self.other_approver).action_approve()
        notice.with_user(self.approver).action_approve()
        self.assertEqual(notice.approval_state, "approved")

    def test_refusal_keeps_the_notice_home_with_its_reason(self):
        run, notice = self._proposal()
        wizard = (
            self.env["debtor.dunning.notice.refuse"]
            .with_user(self.approver)
            .create(
                {"notice_ids": [Command.set(notice.ids)], "reason": "He paid by phone"}
            )
        )
        wizard.action_confirm()
        self.assertRecordValues(
            notice,
            [{"approval_state": "refused", "refused_reason": "He paid by phone"}],
        )
        self.assertTrue(
            any("He paid by phone" in b for b in notice.message_ids.mapped("body"))
        )
        self.assertIn(self.proposer, notice.activity_ids.user_id)
        run.with_user(self.proposer).action_validate()
        self.assertEqual(notice.state, "draft")

    def test_scheduled_action_leaves_notices_waiting(self):
        self.default_level.needs_review = False
        cron_service = self.service.with_user(self.env.ref("base.user_root"))
        issued = cron_service._cron_escalate()
        waiting = self.env["debtor.dunning.notice"].search(
            [("partner_id", "=", self.partner_a.id), ("approval_state", "=", "waiting")]
        )
        self.assertTrue(waiting)
        self.assertFalse(waiting & issued)
        self.assertEqual(waiting.state, "draft")
        self.assertIn(self.approver, waiting.run_id.activity_ids.user_id)
        waiting.with_user(self.approver).action_approve()
        issued = cron_service._cron_escalate()
        self.assertEqual(waiting.state, "issued")
