"""Credit control: credit hold on a customer, and a manager's override of it.

A customer on credit hold (core.credit.held_on: set by a dunning level or by hand,
per company, with a reason and an optional end date) gets no new invoice posted here
and, with debtor_dunning_sale, no sale order confirmed. A dunning manager overrides
the hold for one document with a reason (`debtor.dunning.credit.override`), logged
in its chatter. The add-on's own charge invoices are not new sales: never held.
"""

from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models import guard

# The context value that lets a document through: a Python object, which no client
# can send over RPC or HTTP (as guard.own).
_PASS = object()
_KEY = "debtor_dunning_credit_pass"
DUNNING_MANAGER = "debtor_dunning.debtor_dunning_group_manager"


class DebtorDunningCredit(models.AbstractModel):
    _name = "debtor.dunning.credit"
    _description = "Credit hold and its override"

    # ------------------------------------------------------------------ hold
    @api.model
    def _check_dunning_user(self):
        """Only dunning users (or the add-on's own code) set or lift a credit hold:
        the same right as for any dunning field (guard.check_dunning_rights)."""
        env = self.env
        if env.su or guard.is_own(env) or env.user.has_group(guard.DUNNING_USER):
            return
        raise AccessError(
            env._("Only dunning users put customers on credit hold or lift it.")
        )

    @api.model
    def _hold(self, partners, reason, until=None, company=None):
        """Put `partners` on credit hold with `company` (default: the current one)."""
        self._hold_each(
            {partner: reason for partner in partners.commercial_partner_id},
            until,
            company,
        )

    @api.model
    def _hold_each(self, reasons, until=None, company=None):
        """Put each partner of `reasons` ({partner: reason}) on credit hold with
        `company`: one write per reason, one batch of chatter notes."""
        self._check_dunning_user()
        if not all((reason or "").strip() for reason in reasons.values()):
            raise UserError(self.env._("Reason: say why the customer is on hold."))
        if until and until < fields.Date.context_today(self):
            raise UserError(
                self.env._("Until: the end of a credit hold cannot lie in the past.")
            )
        company = company or self.env.company
        Partner = self.env["res.partner"].with_company(company).sudo()
        by_reason = defaultdict(lambda: Partner)
        for partner, reason in reasons.items():
            by_reason[reason.strip()] |= partner.commercial_partner_id.sudo()
        bodies = {}
        # A dunning user may lack the right to edit contacts: checked above.
        for reason, partners in by_reason.items():
            partners.with_company(company).write(
                {
                    "dunning_credit_hold": True,
                    "dunning_credit_hold_reason": reason,
                    "dunning_credit_hold_until": until or False,
                }
            )
            body = self._hold_message(company, reason, until)
            bodies.update(dict.fromkeys(partners.ids, body))
        Partner.browse(list(bodies))._message_log_batch(bodies=bodies)

    @api.model
    def _hold_message(self, company, reason, until):
        if until:
            return self.env._(
                "Credit hold with %(company)s until %(until)s: %(reason)s",
                company=company.name,
                until=fields.Date.to_string(until),
                reason=reason,
            )
        return self.env._(
            "Credit hold with %(company)s: %(reason)s",
            company=company.name,
            reason=reason,
        )

    @api.model
    def _release(self, partners, company=None):
        """Lift the credit hold of `partners` with `company`."""
        self._check_dunning_user()
        company = company or self.env.company
        partners = partners.commercial_partner_id.with_company(company).sudo()
        held = partners.filtered("dunning_credit_hold")
        held.write(
            {
                "dunning_credit_hold": False,
                "dunning_credit_hold_reason": False,
                "dunning_credit_hold_until": False,
            }
        )
        body = self.env._("Credit hold with %(company)s lifted.", company=company.name)
        held._message_log_batch(bodies=dict.fromkeys(held.ids, body))

    # ------------------------------------------------------------------ check
    @api.model
    def _held(self, records):
        """The documents among `records` whose customer is on credit hold today.

        `records` implement `_dunning_credit_customer()` -> (partner, company).
        """
        if self.env.context.get(_KEY) is _PASS:
            return records.browse()
        today = fields.Date.context_today(self)
        return records.filtered(
            lambda record: (
                record._dunning_credit_customer()[0]
                and record._dunning_credit_customer()[0]._dunning_on_credit_hold(
                    record._dunning_credit_customer()[1], today
                )
            )
        )

    @api.model
    def _check(self, records):
        """Refuse `records` (to post, to confirm) whose customer is on credit hold."""
        held = self._held(records)
        if held:
            raise UserError(self._hold_error(held))

    @api.model
    def _hold_error(self, records):
        """Why the first of `records` is stopped by its customer's credit hold."""
        record = records[0]
        partner, company = record._dunning_credit_customer()
        commercial = partner.commercial_partner_id.with_company(company)
        return self.env._(
            "%(customer)s is on credit hold (%(reason)s): %(document)s needs a "
            "dunning manager's override with a reason (Override Credit Hold).",
            customer=commercial.display_name,
            reason=commercial.dunning_credit_hold_reason or self.env._("no reason"),
            document=record.display_name,
        )

    @api.model
    def _let_pass(self, records):
        """`records` for the add-on's own documents (charge invoices): not held."""
        return records.with_context(**{_KEY: _PASS})

    # ------------------------------------------------------------------ override
    @api.model
    def _override(self, records, reason):
        """A dunning manager lets `records` through despite the credit hold.

        Logged in each document's chatter, then the document goes on
        (`_dunning_credit_proceed`: post the invoice, confirm the order).
        """
        if not self.env.user.has_group(DUNNING_MANAGER):
            raise AccessError(
                self.env._("Only a dunning manager can override a credit hold.")
            )
        if not (reason or "").strip():
            raise UserError(
                self.env._("Reason: say why the credit hold is overridden.")
            )
        for record in records:
            partner, _company = record._dunning_credit_customer()
            record.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Credit hold of %(customer)s overridden by %(user)s: %(reason)s",
                    customer=partner.commercial_partner_id.display_name,
                    user=self.env.user.name,
                    reason=reason.strip(),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return self._let_pass(records)._dunning_credit_proceed()

    @api.model
    def _override_action(self, records):
        """The override form for `records` (a button's action)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override Credit Hold"),
            "res_model": "debtor.dunning.credit.override",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_res_model": records._name,
                "default_res_ids": ",".join(str(i) for i in records.ids),
            },
        }
