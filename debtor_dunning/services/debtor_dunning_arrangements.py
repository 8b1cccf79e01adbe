"""Payment arrangements: confirmed, watched every day, completed or broken.

The arrangement model keeps the agreement and reads what was paid (its adapters); this
service carries out what happens to it: confirmation (hold, acknowledgment, agenda,
written confirmation), the daily check (late, broken, completed, reminders), a
cancellation or refusal, and a customer's own proposal from the portal.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from .. import compat
from ..core import arrangement as core_arrangement
from ..core.errors import DunningRuleError
from ..core.money import to_decimal
from ..models import guard
from ..models.debtor_dunning_arrangement import (
    ACTIVE,
    FREQUENCIES,
    MAX_PORTAL_INSTALMENTS,
)

# A policy without the setting: two years, as the standard policy.
DEFAULT_MAX_MONTHS = 24


class DebtorDunningArrangements(models.AbstractModel):
    _name = "debtor.dunning.arrangements"
    _description = "Payment arrangements carried out"

    # ------------------------------------------------------------------ agreeing
    @api.model
    def _confirm(self, arrangements):
        """Agree: hold the invoices, plan the instalments, confirm in writing."""
        arrangements._check_state(("draft",))
        arrangements._check_moves()
        arrangements._make_schedule()
        today = fields.Date.context_today(self)
        for arrangement in arrangements:
            acknowledged = arrangement.acknowledged_date or today
            arrangement.write(
                {
                    "state": "running",
                    "confirmed_date": today,
                    "acknowledged_date": acknowledged,
                }
            )
            arrangement.move_ids.write({"dunning_arrangement_id": arrangement.id})
            # Acknowledging a debt interrupts its limitation (art. 3:318 BW); the
            # latest acknowledgment counts.
            arrangement.move_ids.filtered(
                lambda m, day=acknowledged: (
                    not m.dunning_acknowledged_date or m.dunning_acknowledged_date < day
                )
            ).write({"dunning_acknowledged_date": acknowledged})
        arrangements.sudo().activity_feedback(
            ["mail.mail_activity_data_todo"], feedback=self.env._("Confirmed")
        )
        self._schedule_instalments(arrangements)
        self._notify_customer(
            arrangements, "debtor_dunning.mail_template_dunning_arrangement_confirm"
        )

    @api.model
    def _cancel(self, arrangements):
        """Call arrangements off: their invoices are dunned again."""
        arrangements._check_state(("draft", *ACTIVE))
        guard.own(arrangements).write({"state": "cancel"})
        self._release(arrangements)
        self._drop_instalment_activities(arrangements)

    @api.model
    def _refuse(self, arrangements, reason):
        """Refuse customers' proposals; they get the reason by e-mail."""
        arrangements._check_state(("draft",))
        arrangements.write({"state": "cancel", "refusal_reason": reason})
        arrangements.sudo().activity_feedback(
            ["mail.mail_activity_data_todo"], feedback=self.env._("Refused")
        )
        self._notify_customer(
            arrangements, "debtor_dunning.mail_template_dunning_arrangement_refused"
        )

    # ------------------------------------------------------------------ watching
    @api.model
    def _cron_check(self):
        """Daily: close paid arrangements, break missed ones, remind the customers."""
        today = fields.Date.context_today(self)
        Arrangement = self.env["debtor.dunning.arrangement"]
        active = Arrangement.search([("state", "in", ACTIVE)])
        paid = active._paid_amounts()
        verdicts = defaultdict(lambda: Arrangement.browse())
        for arrangement in active:
            verdicts[arrangement._verdict(paid[arrangement.id], today)] |= arrangement
        self._complete(verdicts["completed"])
        self._break(verdicts["broken"], today)
        for state in ACTIVE:
            moved = verdicts[state].filtered(lambda a, s=state: a.state != s)
            if moved:
                guard.own(moved).state = state
        going = verdicts["running"] | verdicts["late"]
        self._close_paid_activities(going, paid)
        self._remind(going, today, paid)
        compat.notify_progress(self.env, done=len(active), remaining=0)
        return verdicts

    @api.model
    def _check_paid(self, arrangements):
        """Complete the running arrangements paid in full (called on reconciliation)."""
        active = arrangements.filtered(lambda a: a.state in ACTIVE)
        paid = active._paid_amounts()
        self._complete(
            active.filtered(
                lambda a: (
                    paid[a.id]
                    >= sum((i.amount for i in a._core_instalments()), Decimal(0))
                )
            )
        )

    @api.model
    def _complete(self, arrangements):
        """Paid in full: the arrangement closes itself."""
        if not arrangements:
            return
        guard.own(arrangements).write({"state": "completed"})
        self._release(arrangements)
        self._drop_instalment_activities(arrangements)
        arrangements._message_log_batch(
            dict.fromkeys(
                arrangements.ids,
                self.env._("Paid in full: the arrangement is completed."),
            )
        )

    @api.model
    def _break(self, arrangements, day):
        """An instalment was missed: the customer is told and dunning resumes."""
        if not arrangements:
            return
        guard.own(arrangements).write({"state": "broken", "broken_date": day})
        self._release(arrangements)
        self._drop_instalment_activities(arrangements)
        self._notify_customer(
            arrangements, "debtor_dunning.mail_template_dunning_arrangement_broken"
        )

    @api.model
    def _release(self, arrangements):
        """Lift the arrangement hold from the invoices: the engine duns them again."""
        held = arrangements.move_ids.filtered(
            lambda m: m.dunning_arrangement_id in arrangements
        )
        if held:
            held.write({"dunning_arrangement_id": False})

    @api.model
    def _schedule_instalments(self, arrangements):
        """A to-do per instalment in the responsible's agenda, on its due date."""
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(arrangements._name)
        lines = arrangements.line_ids.filtered(lambda line: line.arrangement_id.user_id)
        # Followers first: mail.activity subscribes once per activity, and several
        # activities on one record in a batch would insert the same follower twice.
        for arrangement in lines.arrangement_id:
            arrangement.message_subscribe(
                partner_ids=arrangement.user_id.partner_id.ids
            )
        # sudo: the to-dos notify their user; the author needs no e-mail address.
        activities = (
            self.env["mail.activity"]
            .sudo()
            .create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": line.arrangement_id.id,
                        "activity_type_id": activity_type.id,
                        "user_id": line.arrangement_id.user_id.id,
                        "date_deadline": line.due_date,
                        "summary": self.env._(
                            "Instalment %(number)s of %(arrangement)s: %(amount)s",
                            number=line.number,
                            arrangement=line.arrangement_id.name,
                            amount=format_amount(
                                self.env, line.amount, line.arrangement_id.currency_id
                            ),
                        ),
                        "automated": True,
                    }
                    for line in lines
                ]
            )
        )
        for line, activity in zip(lines, activities, strict=True):
            guard.own(line).activity_id = activity

    @api.model
    def _drop_instalment_activities(self, arrangements):
        arrangements.line_ids.activity_id.unlink()

    @api.model
    def _close_paid_activities(self, arrangements, paid):
        """The to-do of an instalment the customer paid is done."""
        done = self.env["debtor.dunning.arrangement.line"]
        for arrangement in arrangements:
            rounding = arrangement.currency_id.rounding
            lines = arrangement.line_ids.sorted("number")
            covered = arrangement._covered(paid[arrangement.id])
            for line, part in zip(lines, covered, strict=True):
                if line.activity_id and part >= to_decimal(line.amount, rounding):
                    done |= line
        if done:
            done.activity_id.action_feedback(feedback=self.env._("Paid"))
            # 19.0 keeps a done activity (archived), 18.0 deletes it.
            guard.own(done).activity_id = False

    @api.model
    def _remind(self, arrangements, today, paid):
        """Remind each customer once of his next instalment, `reminder_days` ahead."""
        template = "debtor_dunning.mail_template_dunning_arrangement_reminder"
        reminded = self.env["debtor.dunning.arrangement.line"]
        for arrangement in arrangements:
            rounding = arrangement.currency_id.rounding
            lines = arrangement.line_ids.sorted("number")
            covered = arrangement._covered(paid[arrangement.id])
            line = next(
                (
                    line
                    for line, part in zip(lines, covered, strict=True)
                    if part < to_decimal(line.amount, rounding)
                ),
                None,
            )
            if (
                line
                and not line.reminded_date
                and line.due_date - timedelta(days=arrangement.reminder_days)
                <= today
                <= line.due_date
            ):
                self._notify_customer(arrangement, template)
                reminded |= line
        guard.own(reminded).reminded_date = today

    @api.model
    def _notify_customer(self, arrangements, template_xmlid):
        """Mail the customer with a template; without an address, a note to print."""
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if not template:
            return
        for arrangement in arrangements.sudo():  # the author needs no e-mail address
            if arrangement.partner_id.email:
                arrangement.message_post_with_source(
                    template, subtype_xmlid="mail.mt_comment"
                )
            else:
                arrangement.message_post(
                    body=self.env._(
                        "%(customer)s has no e-mail address: print the letter and post "
                        "it.",
                        customer=arrangement.partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------ portal
    @api.model
    def _portal_proposal(self, user, invoices, count, frequency, first_date):
        """A customer's own proposal, as a draft the accountant confirms or refuses.

        `invoices` are the customer's overdue invoices he chose (the portal offers only
        those free for an arrangement); a bad choice raises a UserError that says what
        to change. The proposal acknowledges the debt on the day it is made.
        """
        error = self._portal_proposal_error(invoices, count, frequency, first_date)
        if error:
            raise UserError(error)
        today = fields.Date.context_today(user)
        responsible = self.env["debtor.dunning.dispute"]._default_responsible(
            invoices[0]
        )
        with self.env.cr.savepoint():
            Arrangement = self.env["debtor.dunning.arrangement"]
            arrangement = Arrangement.with_company(invoices.company_id).create(
                {
                    "company_id": invoices.company_id.id,
                    "partner_id": user.commercial_partner_id.id,
                    "user_id": responsible.id,
                    "move_ids": [fields.Command.set(invoices.ids)],
                    "instalment_count": count,
                    "frequency": frequency,
                    "first_date": first_date,
                    "source": "portal",
                    "acknowledged_date": today,
                }
            )
            arrangement._make_schedule()
        arrangement.message_subscribe(partner_ids=user.partner_id.ids)
        if responsible:
            arrangement.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Review the customer's payment proposal"),
                user_id=responsible.id,
            )
        return arrangement

    @api.model
    def _portal_proposal_error(self, invoices, count, frequency, first_date):
        """Why a customer's proposal cannot be accepted as it is, or None."""
        if not invoices:
            return self.env._("Choose the invoices you want to pay in instalments.")
        if len(invoices.company_id) > 1:
            return self.env._(
                "Invoices from %(companies)s need one proposal each.",
                companies=", ".join(invoices.company_id.mapped("name")),
            )
        if not count or not 1 <= count <= MAX_PORTAL_INSTALMENTS:
            return self.env._(
                "Choose between 1 and %(max)s instalments.",
                max=MAX_PORTAL_INSTALMENTS,
            )
        if frequency not in dict(FREQUENCIES):
            return self.env._("Choose how often you pay.")
        if not first_date:
            return self.env._("Enter the date of the first payment.")
        today = fields.Date.context_today(self)
        if first_date < today:
            return self.env._("The first payment cannot lie in the past.")
        return self._portal_horizon_error(
            invoices, count, frequency, first_date, today
        ) or self._portal_waiting_error(invoices)

    @api.model
    def _portal_horizon_error(self, invoices, count, frequency, first_date, today):
        """A proposal ends within the policy's longest arrangement (months)."""
        policy = invoices[0].commercial_partner_id._dunning_policy(invoices.company_id)
        months = policy.arrangement_max_months or DEFAULT_MAX_MONTHS
        horizon = core_arrangement.months_after(today, months)
        try:
            last = core_arrangement.last_due_date(
                count, first_date, core_arrangement.Frequency(frequency)
            )
        except DunningRuleError:
            last = date.max
        if first_date > horizon or last > horizon:
            return self.env._(
                "Your last payment would fall on %(last)s: a payment plan must end "
                "within %(months)s months, by %(horizon)s. Choose an earlier first "
                "payment, fewer instalments or more frequent payments.",
                last=format_date(self.env, last) if last < date.max else "-",
                months=months,
                horizon=format_date(self.env, horizon),
            )
        return None

    @api.model
    def _portal_waiting_error(self, invoices):
        """One waiting proposal per invoice: a second one is refused, saying why."""
        waiting = self.env["debtor.dunning.arrangement"].search(
            [("move_ids", "in", invoices.ids), ("state", "=", "draft")], limit=1
        )
        if waiting:
            return self.env._(
                "You already proposed a payment plan for %(invoices)s "
                "(%(proposal)s): we will answer it soon. Leave those invoices out "
                "of this proposal.",
                invoices=", ".join((waiting.move_ids & invoices).mapped("name")),
                proposal=waiting.name,
            )
        return None
