from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

OUTCOMES = [
    ("promise", "Promise to pay"),
    ("dispute", "Dispute"),
    ("wrong_contact", "Wrong contact"),
    ("call_back", "Call back later"),
    ("no_answer", "No answer"),
]


class DebtorDunningCallLog(models.TransientModel):
    _name = "debtor.dunning.call.log"
    _description = "Log a dunning call"

    notice_id = fields.Many2one("debtor.dunning.notice", required=True, readonly=True)
    partner_id = fields.Many2one(related="notice_id.partner_id")
    currency_id = fields.Many2one(related="notice_id.currency_id")
    contact_id = fields.Many2one(
        "res.partner",
        string="Spoke With",
        domain="['|', ('id', '=', partner_id), ('parent_id', '=', partner_id)]",
    )
    outcome = fields.Selection(OUTCOMES, required=True, default="promise")
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        help="The invoices the promise or the dispute is about.",
    )
    promise_date = fields.Date(string="Pays On")
    promise_amount = fields.Monetary(
        string="Promised Amount",
        currency_field="currency_id",
        help="Spread over the chosen invoices, oldest first.",
    )
    call_back_date = fields.Date(string="Call Back On")
    note = fields.Html()

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        notice = self.env["debtor.dunning.notice"].browse(values.get("notice_id"))
        if notice:
            moves = notice.line_ids.move_id.filtered(lambda m: m._dunning_is_open())
            values.setdefault("move_ids", [fields.Command.set(moves.ids)])
            values.setdefault(
                "promise_amount", sum(notice.line_ids.mapped("amount_residual"))
            )
            values.setdefault("contact_id", notice.call_contact_ids[:1].id)
        return values

    def action_confirm(self):
        """Record the outcome: it pauses, disputes or reschedules, and is logged."""
        self.ensure_one()
        handler = getattr(self, f"_log_{self.outcome}")
        action = handler()
        notice = self.notice_id
        outcome = dict(self._fields["outcome"]._description_selection(self.env))[
            self.outcome
        ]
        if self.contact_id:
            summary = self.env._(
                "Call with %(contact)s: %(outcome)s.",
                contact=self.contact_id.name,
                outcome=outcome,
            )
        else:
            summary = self.env._("Call: %(outcome)s.", outcome=outcome)
        body = Markup("<p>%s</p>") % summary
        details = self._outcome_details()
        if details:
            body += Markup("<p>%s</p>") % details
        if self.note:
            body += self.note
        calls = notice.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_call")
        )
        if self.outcome in ("call_back", "no_answer"):
            notice.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
            return action or True
        if calls:
            calls.sudo().action_feedback(feedback=body)
        else:
            notice.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        notice._dunning_record_delivery({"call_state": "done"})
        return action or True

    def _outcome_details(self):
        if self.outcome == "promise":
            return self.env._(
                "Promised %(amount)s by %(date)s for %(invoices)s.",
                amount=self.currency_id.format(self.promise_amount),
                date=self.promise_date,
                invoices=", ".join(self.move_ids.mapped("name")),
            )
        if self.outcome == "dispute":
            return self.env._(
                "Disputed: %(invoices)s.",
                invoices=", ".join(self.move_ids.mapped("name")),
            )
        if self.outcome == "call_back":
            return self.env._("Call back on %(date)s.", date=self.call_back_date)
        return ""

    def _log_promise(self):
        """Dunning of the chosen invoices pauses until the promised day."""
        self.move_ids._dunning_record_promise(self.promise_date, self.promise_amount)
        return False

    def _log_dispute(self):
        """A dispute case per chosen invoice, in the customer's words: it holds the
        invoice from dunning. The accountant then sees them to set the reason."""
        if not self.move_ids:
            raise UserError(self.env._("Choose the invoices the customer disputes."))
        self.move_ids._check_dunning_disputable()
        disputes = self.env["debtor.dunning.dispute"].create(
            [
                {
                    "move_id": move.id,
                    "reason": "other",
                    "note": html2plaintext(self.note or "") or False,
                }
                for move in self.move_ids
            ]
        )
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Disputes"),
            "res_model": "debtor.dunning.dispute",
            "target": "current",
        }
        if len(disputes) == 1:
            return {**action, "view_mode": "form", "res_id": disputes.id}
        return {
            **action,
            "view_mode": "list,form",
            "domain": [("id", "in", disputes.ids)],
        }

    def _log_wrong_contact(self):
        """Nobody to talk to: a to-do to find the right contact."""
        notice = self.notice_id
        notice.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._(
                "Find the right contact for %(customer)s",
                customer=notice.partner_id.name,
            ),
            user_id=(notice.policy_id.responsible_id or self.env.user).id,
        )
        return False

    def _log_call_back(self):
        """The call moves to the agreed day."""
        if not self.call_back_date:
            raise UserError(self.env._("On which day should we call back?"))
        self._reschedule(self.call_back_date)
        return False

    def _log_no_answer(self):
        """Nobody answered: try again on the next good day."""
        self._reschedule(self.notice_id.call_best_date)
        return False

    def _reschedule(self, day):
        notice = self.notice_id
        call_type = self.env.ref("mail.mail_activity_data_call")
        calls = notice.activity_ids.filtered(lambda a: a.activity_type_id == call_type)
        if calls:
            calls.date_deadline = day
        else:
            notice.sudo().activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=day,
                summary=self.env._("Dunning call"),
                user_id=(notice.policy_id.responsible_id or self.env.user).id,
            )
        notice._dunning_record_delivery({"call_state": "to_do"})
