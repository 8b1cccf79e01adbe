"""Four-eyes approval of legal steps: a second user approves before they go out.

A level with `requires_approval` (the notice of default and the hand-over by
default) gives its proposed notices `approval_state = 'waiting'`; they are issued
only once a Dunning approver approved them who neither made the proposal nor changed
it. Enforced here, whatever the client: the issuing service keeps waiting and refused
notices in the proposal (`_issuable`).
"""

from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError

from .. import compat
from ..models import guard

APPROVER = "debtor_dunning.debtor_dunning_group_approver"


class DebtorDunningApproval(models.AbstractModel):
    _name = "debtor.dunning.approval"
    _description = "Dunning four-eyes approval"

    # ------------------------------------------------------------------ state
    @api.model
    def _state_for(self, level):
        """The approval state a proposed notice of `level` starts in."""
        return "waiting" if level.requires_approval else "none"

    @api.model
    def _issuable(self, notices):
        """The notices that may be issued: no approval needed, or approved."""
        return notices.filtered(lambda n: n.approval_state in ("none", "approved"))

    @api.model
    def _issuable_domain(self):
        """`_issuable` as a domain (the scheduled action's search)."""
        return [("approval_state", "in", ("none", "approved"))]

    @api.model
    def _proposal_changed(self, notices):
        """A user changed these proposed notices: he may not approve them, and an
        approval given before the change no longer holds."""
        if not notices or self.env.su or self.env.uid == SUPERUSER_ID:
            return
        user = self.env.user
        for notice in self._own(notices):
            vals = {}
            if user not in notice.changed_by_ids:
                vals["changed_by_ids"] = [fields.Command.link(user.id)]
            if notice.approval_state != self._state_for(notice.level_id) or (
                notice.approval_state == "approved"
            ):
                vals.update(self._prepare_reset_vals(self._state_for(notice.level_id)))
            if vals:
                notice.write(vals)

    @api.model
    def _own(self, notices):
        """The approval service's writes: guarded fields, logged by its own chatter
        messages (no tracking, which would also report the issue's SQL writes)."""
        return guard.own(notices).with_context(tracking_disable=True)

    @api.model
    def _prepare_reset_vals(self, state):
        return {
            "approval_state": state,
            "approved_by_id": False,
            "approved_date": False,
            "refused_reason": False,
        }

    # ------------------------------------------------------------------ who
    @api.model
    def _check_approver(self, notices):
        """Raise unless the current user may approve or refuse `notices`."""
        user = self.env.user
        if not user.has_group(APPROVER):
            raise AccessError(
                self.env._(
                    "Only a Dunning approver can approve or refuse a notice of a legal "
                    "step."
                )
            )
        for notice in notices:
            if notice.state != "draft" or notice.approval_state not in (
                "waiting",
                "refused",
            ):
                raise UserError(
                    self.env._(
                        "%(notice)s does not wait for approval.",
                        notice=notice.display_name,
                    )
                )
            if user in self._proposers(notice):
                raise AccessError(
                    self.env._(
                        "%(notice)s: you made or changed this proposal; another "
                        "Dunning approver must approve it (four eyes).",
                        notice=notice.display_name,
                    )
                )

    @api.model
    def _proposers(self, notice):
        """Who made or changed the proposed notice: they may not approve it."""
        return notice.create_uid | notice.run_id.create_uid | notice.changed_by_ids

    @api.model
    def _approvers(self, company):
        """The Dunning approvers of `company`."""
        group = self.env.ref(APPROVER).sudo()
        return group[compat.GROUP_USERS].filtered(
            lambda u: company in u.company_ids and u.active
        )

    # ------------------------------------------------------------------ actions
    @api.model
    def _approve(self, notices):
        """Approve proposed notices: they may now be issued."""
        notices.check_access("write")
        self._check_approver(notices)
        self._own(notices).write(
            {
                "approval_state": "approved",
                "approved_by_id": self.env.uid,
                "approved_date": fields.Datetime.now(),
                "refused_reason": False,
            }
        )
        notices._message_log_batch(
            dict.fromkeys(
                notices.ids,
                self.env._("Approved by %(user)s.", user=self.env.user.name),
            )
        )
        self._hook_approved(notices)
        self._close_requests(notices.run_id)
        return notices

    @api.model
    def _refuse(self, notices, reason):
        """Refuse proposed notices with a reason: they stay in the proposal, are not
        issued, and their proposer gets a to-do."""
        if not (reason or "").strip():
            raise UserError(self.env._("Reason: say why the notice is refused."))
        notices.check_access("write")
        self._check_approver(notices)
        self._own(notices).write(
            {
                "approval_state": "refused",
                "approved_by_id": False,
                "approved_date": False,
                "refused_reason": reason,
            }
        )
        body = Markup("%s<br/>%s") % (
            self.env._("Refused by %(user)s:", user=self.env.user.name),
            reason,
        )
        notices._message_log_batch(dict.fromkeys(notices.ids, body))
        for notice in notices:
            proposer = notice.create_uid
            if proposer and proposer.has_group("base.group_user"):
                notice.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Notice refused: %(reason)s", reason=reason),
                    user_id=proposer.id,
                )
        self._close_requests(notices.run_id)
        return notices

    @api.model
    def _hook_approved(self, notices):
        """Extension point: `notices` were just approved."""

    # ------------------------------------------------------------------ requests
    @api.model
    def _request_approval(self, runs):
        """Tell the approvers of each run with notices waiting (one to-do per run and
        approver, not per notice)."""
        activity_type = self.env.ref(
            "debtor_dunning.mail_activity_type_dunning_approval",
            raise_if_not_found=False,
        )
        if not activity_type:
            return
        Notice = self.env["debtor.dunning.notice"]
        for run in runs:
            # Counted per proposer in one query: a run proposes thousands of notices.
            waiting = Notice._read_group(
                [
                    ("run_id", "=", run.id),
                    ("state", "=", "draft"),
                    ("approval_state", "=", "waiting"),
                ],
                ["create_uid"],
                ["__count"],
            )
            count = sum(group_count for _user, group_count in waiting)
            if not count:
                continue
            asked = run.activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type
            ).user_id
            proposers = run.create_uid.concat(*(user for user, _count in waiting))
            for user in self._approvers(run.company_id) - proposers - asked:
                run.activity_schedule(
                    activity_type_id=activity_type.id,
                    summary=self.env._(
                        "%(count)s dunning notices to approve", count=count
                    ),
                    user_id=user.id,
                )

    @api.model
    def _close_requests(self, runs):
        """Runs with nothing left to approve: their approval to-dos are done."""
        activity_type = self.env.ref(
            "debtor_dunning.mail_activity_type_dunning_approval",
            raise_if_not_found=False,
        )
        for run in runs:
            if any(
                n.state == "draft" and n.approval_state == "waiting"
                for n in run.notice_ids
            ):
                continue
            run.sudo().activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type
            ).action_feedback(feedback=self.env._("Nothing left to approve."))
