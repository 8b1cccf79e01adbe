"""Credit insurance: notification deadlines, the credit manager's to-dos and the
notification of a payment default to the insurer (PDF and CSV).

The deadline of each overdue insured invoice is the core's
(`core.insurance.notification_deadline`: the insurer's term after the due date); the
daily scheduled action gives the credit manager a to-do `dunning_insurer_warn_days`
before it (`_remind_deadlines`, called by the escalation's `_cron_company`).
"""

import csv
import io

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..core import insurance
from ..core.errors import DunningRuleError

NOTIFICATION_REPORT = "debtor_dunning.res_partner_action_report_insurer_notification"
ACTIVITY_TYPE = "debtor_dunning.mail_activity_type_insurer_notification"


class DebtorDunningInsurance(models.AbstractModel):
    _name = "debtor.dunning.insurance"
    _description = "Credit insurance: notification deadlines and notifications"

    # ------------------------------------------------------------------ deadlines
    @api.model
    def _insured_moves(self, company=None, partners=None):
        """Open overdue invoices of customers insured with `company` (default: the
        companies the user works in)."""
        companies = company or self.env.companies
        today = fields.Date.context_today(self)
        Move = self.env["account.move"]
        insured = self.env["res.partner"]
        for each in companies:
            insured |= (
                self.env["res.partner"]
                .with_company(each)
                .search([("dunning_insurer_id", "!=", False)])
            )
        if partners is not None:
            insured &= partners.commercial_partner_id
        if not insured:
            return Move
        return Move.search(
            Move._dunning_open_domain()
            + [
                ("company_id", "in", companies.ids),
                ("commercial_partner_id", "in", insured.ids),
                ("invoice_date_due", "<", today),
            ],
            order="invoice_date_due, id",
        )

    @api.model
    def _deadlines(self, moves):
        """{move id: (deadline, status)} for the overdue insured ones among `moves`.

        status: a core.insurance.DeadlineStatus value, or "notified".
        """
        today = fields.Date.context_today(self)
        result = {}
        for move in moves.filtered(
            lambda m: m.id and m._dunning_is_open() and m.invoice_date_due
        ):
            if move.invoice_date_due >= today:
                continue
            insurer = self._insurer_of(move.commercial_partner_id, move.company_id)
            if not insurer:
                continue
            try:
                deadline = insurance.notification_deadline(
                    move.invoice_date_due, insurer.dunning_insurer_notify_days
                )
                status = insurance.deadline_status(
                    deadline, insurer.dunning_insurer_warn_days, today
                ).value
            except DunningRuleError:
                continue  # refused at save (res.partner._check_dunning_insurer_days)
            if move.dunning_insurer_notified_date:
                status = "notified"
            result[move.id] = (deadline, status)
        return result

    @api.model
    def _insurer_of(self, partner, company):
        """The credit insurer of `partner`'s debts to `company` (maybe empty)."""
        return partner.commercial_partner_id.with_company(company).dunning_insurer_id

    # ------------------------------------------------------------------ to-dos
    @api.model
    def _remind_deadlines(self, company, today):
        """To-dos for the credit manager: insured debts whose notification deadline
        is near or past, not notified yet, without such a to-do. One per invoice."""
        activity_type = self.env.ref(ACTIVITY_TYPE, raise_if_not_found=False)
        moves = self.with_context(company_id=company.id)._insured_moves(company)
        if not moves or not activity_type:
            return self.env["mail.activity"]
        deadlines = self._deadlines(moves)
        due = moves.filtered(
            lambda m: (
                deadlines.get(m.id, (None, None))[1]
                in (
                    insurance.DeadlineStatus.APPROACHING.value,
                    insurance.DeadlineStatus.PAST.value,
                )
            )
        )
        if not due:
            return self.env["mail.activity"]
        existing = self.env["mail.activity"].search(
            [
                ("res_model", "=", "account.move"),
                ("res_id", "in", due.ids),
                ("activity_type_id", "=", activity_type.id),
            ]
        )
        due = due.filtered(lambda m: m.id not in existing.mapped("res_id"))
        model_id = self.env["ir.model"]._get_id("account.move")
        return (
            self.env["mail.activity"]
            .with_context(mail_activity_quick_update=True)
            .create(
                [
                    self._prepare_activity_vals(
                        move, model_id, activity_type, deadlines
                    )
                    for move in due
                ]
            )
        )

    @api.model
    def _prepare_activity_vals(self, move, model_id, activity_type, deadlines):
        deadline = deadlines[move.id][0]
        insurer = self._insurer_of(move.commercial_partner_id, move.company_id)
        return {
            "res_model_id": model_id,
            "res_id": move.id,
            "activity_type_id": activity_type.id,
            "summary": self.env._(
                "Notify %(insurer)s of the default by %(deadline)s",
                insurer=insurer.name,
                deadline=fields.Date.to_string(deadline),
            ),
            "user_id": self._credit_manager(move).id,
            "date_deadline": deadline,
        }

    @api.model
    def _credit_manager(self, move):
        """Who notifies the insurer: the customer's policy's responsible, else a
        dunning manager of the company, else the current user."""
        policy = move.commercial_partner_id._dunning_policy(move.company_id)
        if policy.responsible_id:
            return policy.responsible_id
        group = self.env.ref("debtor_dunning.debtor_dunning_group_manager")
        # Odoo 18 names a group's users `users`, 19 `user_ids`.
        users = group["users" if "users" in group._fields else "user_ids"]
        managers = users.filtered(
            lambda u: move.company_id in u.company_ids and not u.share
        )
        return managers.sorted("id")[:1] or self.env.user

    # ------------------------------------------------------------------ notification
    @api.model
    def _notification_moves(self, partner, company):
        """The overdue insured invoices of `partner` a notification lists."""
        return self.with_company(company)._insured_moves(company, partner)

    @api.model
    def _notification_values(self, partner, company):
        """What the notification of `partner`'s default says (PDF and CSV alike)."""
        commercial = partner.commercial_partner_id.with_company(company)
        moves = self._notification_moves(commercial, company)
        deadlines = self._deadlines(moves)
        today = fields.Date.context_today(self)
        lines = [
            {
                "move": move,
                "name": move.name,
                "invoice_date": move.invoice_date,
                "due_date": move.invoice_date_due,
                "amount_total": move.amount_total_signed,
                "amount_open": move.amount_residual_signed,
                "days_overdue": (today - move.invoice_date_due).days,
                "deadline": deadlines.get(move.id, (False, False))[0],
            }
            for move in moves
        ]
        return {
            "company": company,
            "partner": commercial,
            "insurer": commercial.dunning_insurer_id,
            "policy_number": commercial.dunning_insurance_policy or "",
            "insured_limit": commercial.dunning_insured_limit,
            "currency": company.currency_id,
            "date": today,
            "lines": lines,
            "total_open": sum(line["amount_open"] for line in lines),
        }

    @api.model
    def _notification_csv(self, values):
        """The notification as CSV: one row per invoice, the debtor on each row."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        partner = values["partner"]
        writer.writerow(
            [
                "insurer",
                "policy_number",
                "debtor",
                "debtor_vat",
                "debtor_country",
                "invoice",
                "invoice_date",
                "due_date",
                "amount_total",
                "amount_open",
                "currency",
                "days_overdue",
                "notification_deadline",
            ]
        )
        for line in values["lines"]:
            writer.writerow(
                [
                    values["insurer"].name,
                    values["policy_number"],
                    partner.name,
                    partner.vat or "",
                    partner.country_id.code or "",
                    line["name"],
                    fields.Date.to_string(line["invoice_date"]) or "",
                    fields.Date.to_string(line["due_date"]),
                    f"{line['amount_total']:.2f}",
                    f"{line['amount_open']:.2f}",
                    values["currency"].name,
                    line["days_overdue"],
                    fields.Date.to_string(line["deadline"]) or "",
                ]
            )
        return buffer.getvalue().encode()

    @api.model
    def _notify_insurer(self, partner, company):
        """Make the notification of `partner`'s default (PDF and CSV), keep both on
        the customer's chatter, mark the invoices notified and close their to-dos.

        Returns the action downloading the PDF.
        """
        values = self._notification_values(partner, company)
        commercial = values["partner"]
        if not values["insurer"]:
            raise UserError(
                self.env._(
                    "Credit Insurer: %(customer)s is not insured.",
                    customer=commercial.display_name,
                )
            )
        moves = self.env["account.move"].concat(
            *(line["move"] for line in values["lines"])
        )
        moves = moves.filtered(lambda m: not m.dunning_insurer_notified_date)
        if not moves:
            raise UserError(
                self.env._(
                    "%(customer)s has no overdue insured invoice to notify.",
                    customer=commercial.display_name,
                )
            )
        pdf, _kind = (
            self.env["ir.actions.report"]
            .with_company(company)
            ._render_qweb_pdf(NOTIFICATION_REPORT, res_ids=commercial.ids)
        )
        stem = self.env._(
            "Insurer notification %(customer)s %(date)s",
            customer=commercial.name,
            date=fields.Date.to_string(values["date"]),
        )
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": f"{stem}.pdf",
                    "raw": pdf,
                    "mimetype": "application/pdf",
                    "res_model": "res.partner",
                    "res_id": commercial.id,
                },
                {
                    "name": f"{stem}.csv",
                    "raw": self._notification_csv(values),
                    "mimetype": "text/csv",
                    "res_model": "res.partner",
                    "res_id": commercial.id,
                },
            ]
        )
        commercial.message_post(
            body=self.env._(
                "Payment default notified to %(insurer)s (policy %(policy)s): "
                "%(invoices)s.",
                insurer=values["insurer"].name,
                policy=values["policy_number"] or "-",
                invoices=", ".join(moves.mapped("name")),
            ),
            attachment_ids=attachments.ids,
            subtype_xmlid="mail.mt_note",
        )
        moves.write({"dunning_insurer_notified_date": values["date"]})
        activity_type = self.env.ref(ACTIVITY_TYPE, raise_if_not_found=False)
        if activity_type:
            self.env["mail.activity"].search(
                [
                    ("res_model", "=", "account.move"),
                    ("res_id", "in", moves.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            ).action_feedback(feedback=self.env._("Insurer notified."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachments[0].id}?download=true",
            "target": "self",
        }
