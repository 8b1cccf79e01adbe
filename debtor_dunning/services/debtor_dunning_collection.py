"""Collection agency: hand a debtor's debts over as a dossier, follow the case.

`_open_cases` is called by the escalation service when debts reach the end of the
ladder (`_hand_over_due`): one case (`debtor.dunning.handover`) per debtor, with a
ZIP dossier (`dossier.json` per data/dossier.schema.json, the PDFs of the invoices
and of every letter sent, `dossier.csv`) e-mailed to the agency. What the agency
reports is registered against the invoices (`_register_collection`, its commission
as an expense); a case is closed as paid, written off or returned to our own dunning
(`_close`).
"""

import csv
import io
import json
import zipfile

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round

from .. import compat
from ..models import guard

DOSSIER_SCHEMA = "https://debtor-dunning.example/dossier.schema.json"
DOSSIER_VERSION = "1.0"


def _phone(partner):
    """The partner's first phone number (19.0 has no mobile: compat.py)."""
    return next((partner[f] for f in compat.PARTNER_PHONES if partner[f]), None)


class DebtorDunningCollection(models.AbstractModel):
    _name = "debtor.dunning.collection"
    _description = "Dunning hand-over to a collection agency"

    # ------------------------------------------------------------------ agency
    @api.model
    def _agency_for(self, company, policy=None):
        """The collection agency of `policy`, else the company's first one."""
        if policy and policy.agency_id:
            return policy.agency_id
        return self.env["res.partner"].search(
            [
                ("dunning_agency", "=", True),
                ("company_id", "in", [False, company.id]),
            ],
            order="id",
            limit=1,
        )

    # ------------------------------------------------------------------ opening
    @api.model
    def _open_cases(self, moves, day):
        """One case per debtor of `moves` (just handed over), its dossier sent."""
        cases = self.env["debtor.dunning.handover"]
        for (company, debtor), debtor_moves in moves.grouped(
            lambda m: (m.company_id, m.commercial_partner_id)
        ).items():
            policy = debtor._dunning_policy(company) if debtor else None
            agency = self._agency_for(company, policy)
            if not agency:
                debtor_moves._message_log_batch(
                    dict.fromkeys(
                        debtor_moves.ids,
                        self.env._(
                            "Handed over, but no collection agency is set up: mark a "
                            "partner as collection agency and hand the dossier over "
                            "by hand."
                        ),
                    )
                )
                continue
            cases |= self._create_case(company, debtor, agency, debtor_moves, day)
        for case in cases:
            self._make_dossier(case)
            self._send_dossier(case)
        return cases

    @api.model
    def _create_case(self, company, debtor, agency, moves, day):
        notices = self._notices_of(moves)
        charges = sum(
            n.cost_amount + n.interest_amount for n in notices.sorted("date")[-1:]
        )
        case = guard.own(self.env["debtor.dunning.handover"]).create(
            self._prepare_case_vals(company, debtor, agency, moves, day, charges)
        )
        moves._message_log_batch(
            dict.fromkeys(
                moves.ids,
                self.env._(
                    "Handed over to %(agency)s (case %(case)s).",
                    agency=agency.name,
                    case=case.name,
                ),
            )
        )
        return case

    @api.model
    def _prepare_case_vals(self, company, debtor, agency, moves, day, charges):
        return {
            "company_id": company.id,
            "partner_id": debtor.id,
            "agency_id": agency.id,
            "date": day,
            "move_ids": [fields.Command.set(moves.ids)],
            "amount_handed_over": sum(moves.mapped("amount_residual_signed")) + charges,
            "commission_percent": agency.dunning_agency_commission,
        }

    @api.model
    def _notices_of(self, moves):
        """The issued notices that listed `moves`, oldest first."""
        return (
            self.env["debtor.dunning.notice.line"]
            .sudo()
            .search([("move_id", "in", moves.ids), ("notice_id.state", "=", "issued")])
            .notice_id.sorted(lambda n: (n.date, n.id))
        )

    # ------------------------------------------------------------------ dossier
    @api.model
    def _dossier(self, case):
        """The dossier as a dict (data/dossier.schema.json)."""
        company, debtor = case.company_id, case.partner_id
        moves = case.move_ids.sorted(lambda m: (m.invoice_date_due, m.id))
        notices = self._notices_of(moves)
        return {
            "$schema": DOSSIER_SCHEMA,
            "version": DOSSIER_VERSION,
            "reference": case.name,
            "created": fields.Date.to_string(fields.Date.context_today(self)),
            "handed_over": fields.Date.to_string(case.date),
            "currency": company.currency_id.name,
            "creditor": self._dossier_party(company.partner_id, company),
            "debtor": {
                **self._dossier_party(debtor, company),
                "debtor_type": debtor.dunning_debtor_type or None,
                "contacts": [
                    {
                        "name": contact.name,
                        "function": contact.function or None,
                        "role": contact.dunning_role or None,
                        "email": contact.email or None,
                        "phone": _phone(contact),
                    }
                    for contact in debtor.child_ids
                ],
            },
            "agency": {
                "name": case.agency_id.name,
                "commission_percent": case.commission_percent,
            },
            "totals": self._dossier_totals(case, moves, notices),
            "invoices": [self._dossier_invoice(move) for move in moves],
            "notices": [self._dossier_notice(notice) for notice in notices],
            "charges": [
                self._dossier_charge(charge)
                for charge in notices.charge_ids
                if not charge.waived
            ],
            "calls": [
                {
                    "notice": notice.name,
                    "state": notice.call_state,
                }
                for notice in notices
                if notice.call_state != "none"
            ],
            "promises": [
                {
                    "invoice": move.name,
                    "date": fields.Date.to_string(move.dunning_promise_date),
                    "amount": self._amount(move.dunning_promise_amount),
                }
                for move in moves
                if move.dunning_promise_date
            ],
            "disputes": [
                {
                    "reference": dispute.name,
                    "invoice": dispute.move_id.name,
                    "reason": dispute.reason,
                    "state": dispute.state,
                    "opened": fields.Date.to_string(dispute.open_date),
                    "settled": fields.Date.to_string(dispute.resolved_date) or None,
                    "amount": self._amount(dispute.disputed_amount),
                    "note": dispute.note or None,
                    "outcome": dispute.resolution or None,
                }
                for dispute in self.env["debtor.dunning.dispute"]
                .sudo()
                .search([("move_id", "in", moves.ids)], order="open_date, id")
            ],
            "arrangements": [
                {
                    "reference": arrangement.name,
                    "state": arrangement.state,
                    "invoices": arrangement.move_ids.mapped("name"),
                    "confirmed": fields.Date.to_string(arrangement.confirmed_date)
                    or None,
                    "broken": fields.Date.to_string(arrangement.broken_date) or None,
                    "total": self._amount(arrangement.total_amount),
                    "paid": self._amount(arrangement.paid_amount),
                    "instalments": arrangement.instalment_count,
                }
                for arrangement in self.env["debtor.dunning.arrangement"]
                .sudo()
                .search([("move_ids", "in", moves.ids)], order="id")
            ],
        }

    @api.model
    def _amount(self, value):
        return float_round(value or 0.0, precision_digits=2)

    @api.model
    def _dossier_party(self, partner, company):
        return {
            "name": partner.name,
            "is_company": partner.is_company,
            "vat": partner.vat or None,
            "coc": partner.company_registry or None,
            "street": partner.street or None,
            "zip": partner.zip or None,
            "city": partner.city or None,
            "country": partner.country_id.code or None,
            "email": partner.email or None,
            "phone": _phone(partner),
            "lang": partner.lang or None,
        }

    @api.model
    def _dossier_totals(self, case, moves, notices):
        last = notices[-1:]
        principal = sum(moves.mapped("amount_residual_signed"))
        costs = sum(last.mapped("cost_amount"))
        interest = sum(last.mapped("interest_amount"))
        return {
            "principal": self._amount(principal),
            "costs": self._amount(costs),
            "interest": self._amount(interest),
            "total": self._amount(principal + costs + interest),
        }

    @api.model
    def _dossier_invoice(self, move):
        return {
            "number": move.name,
            "invoice_date": fields.Date.to_string(move.invoice_date),
            "due_date": fields.Date.to_string(move.invoice_date_due),
            "currency": move.currency_id.name,
            "amount_total": self._amount(move.amount_total),
            "amount_open": self._amount(move.amount_residual),
            "pdf": self._file_name("invoices", move.name),
        }

    @api.model
    def _dossier_notice(self, notice):
        channels = ["portal"]
        if notice.email_state != "none":
            channels.append("email")
        if notice.letter_state != "none":
            channels.append("letter")
        if notice.call_state != "none":
            channels.append("call")
        return {
            "number": notice.name,
            "date": fields.Date.to_string(notice.date),
            "level": notice.level_id.name,
            "pay_by_date": fields.Date.to_string(notice.pay_by_date) or None,
            "channels": channels,
            "email_state": notice.email_state,
            "emailed": fields.Datetime.to_string(notice.email_date) or None,
            "letter_state": notice.letter_state,
            "letter_date": fields.Date.to_string(notice.letter_date) or None,
            "amount_due": self._amount(notice.amount_due),
            "costs": self._amount(notice.cost_amount),
            "interest": self._amount(notice.interest_amount),
            "pdf": self._file_name("letters", notice.name),
            **self._hook_dossier_notice(notice),
        }

    @api.model
    def _hook_dossier_notice(self, notice):
        """The proof of delivery per channel and the presumed receipt."""
        delivery = []
        if notice.email_state != "none":
            delivery.append(
                {
                    "channel": "email",
                    "state": notice.email_state,
                    "accepted": fields.Datetime.to_string(notice.email_date) or None,
                    "bounced": (notice.email_error or None)
                    if notice.email_state == "failed"
                    else None,
                }
            )
        if notice.letter_state != "none":
            delivery.append(
                {
                    "channel": "letter",
                    "state": notice.letter_state,
                    "posted": fields.Date.to_string(notice.letter_date)
                    if notice.letter_state == "posted"
                    else None,
                    "registered": bool(notice.level_id.registered_mail),
                    "tracking_number": notice.tracking_number or None,
                    "delivered": fields.Date.to_string(notice.delivered_date) or None,
                }
            )
        return {
            "delivery": delivery,
            "presumed_receipt_date": fields.Date.to_string(notice.presumed_receipt_date)
            or None,
        }

    @api.model
    def _dossier_charge(self, charge):
        return {
            "notice": charge.notice_id.name,
            "invoice": charge.move_id.name or None,
            "kind": charge.kind,
            "description": charge.name,
            "from": fields.Date.to_string(charge.start_date) or None,
            "to": fields.Date.to_string(charge.end_date) or None,
            "percent": charge.percent or None,
            "amount": self._amount(charge.amount),
        }

    @api.model
    def _file_name(self, folder, name):
        return f"{folder}/{(name or 'document').replace('/', '-')}.pdf"

    @api.model
    def _dossier_csv(self, data):
        """One row per item of the dossier: invoices, notices, charges and the
        follow-up (calls, promises, disputes, arrangements)."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(
            ["type", "reference", "date", "due_date", "amount", "open", "detail"]
        )
        for inv in data["invoices"]:
            writer.writerow(
                [
                    "invoice",
                    inv["number"],
                    inv["invoice_date"],
                    inv["due_date"],
                    inv["amount_total"],
                    inv["amount_open"],
                    inv["currency"],
                ]
            )
        for notice in data["notices"]:
            writer.writerow(
                [
                    "notice",
                    notice["number"],
                    notice["date"],
                    notice["pay_by_date"],
                    notice["amount_due"],
                    "",
                    f"{notice['level']} ({', '.join(notice['channels'])})",
                ]
            )
        for charge in data["charges"]:
            writer.writerow(
                [
                    "charge",
                    charge["notice"],
                    charge["from"],
                    charge["to"],
                    charge["amount"],
                    "",
                    charge["description"],
                ]
            )
        for call in data["calls"]:
            writer.writerow(["call", call["notice"], "", "", "", "", call["state"]])
        for promise in data["promises"]:
            writer.writerow(
                [
                    "promise",
                    promise["invoice"],
                    promise["date"],
                    "",
                    promise["amount"],
                    "",
                    "",
                ]
            )
        for dispute in data["disputes"]:
            writer.writerow(
                [
                    "dispute",
                    dispute["reference"],
                    dispute["opened"],
                    dispute["settled"],
                    dispute["amount"],
                    "",
                    f"{dispute['reason']}: {dispute['state']}",
                ]
            )
        for arr in data["arrangements"]:
            writer.writerow(
                [
                    "arrangement",
                    arr["reference"],
                    arr["confirmed"],
                    arr["broken"],
                    arr["total"],
                    arr["paid"],
                    arr["state"],
                ]
            )
        return out.getvalue().encode("utf-8-sig")

    @api.model
    def _dossier_zip(self, case):
        """(file name, ZIP bytes) of a case's dossier."""
        data = self._dossier(case)
        moves = case.move_ids
        notices = self._notices_of(moves)
        # PDFs, also where Odoo's test mode would give HTML: the dossier holds PDFs.
        rendering = (
            self.env["debtor.dunning.rendering"]
            .sudo()
            .with_context(force_report_rendering=True)
        )
        rendering._render_letters(notices)
        letters = {
            a.res_id: a.raw
            for a in self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "debtor.dunning.notice"),
                    ("res_id", "in", notices.ids),
                    ("mimetype", "=", "application/pdf"),
                ],
                order="id",
            )
        }
        invoices = rendering._invoice_pdfs(moves)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            if case.agency_id.dunning_agency_format != "csv":
                archive.writestr(
                    "dossier.json", json.dumps(data, indent=2, ensure_ascii=False)
                )
            archive.writestr("dossier.csv", self._dossier_csv(data))
            for move in moves:
                archive.writestr(
                    self._file_name("invoices", move.name), invoices[move.id][1]
                )
            for notice in notices:
                if notice.id in letters:
                    archive.writestr(
                        self._file_name("letters", notice.name), letters[notice.id]
                    )
        return f"{case.name.replace('/', '-')}.zip", buffer.getvalue()

    @api.model
    def _make_dossier(self, case):
        name, content = self._dossier_zip(case)
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    "raw": content,
                    "mimetype": "application/zip",
                    "res_model": case._name,
                    "res_id": case.id,
                    "company_id": case.company_id.id,
                }
            )
        )
        guard.own(case).write({"dossier_id": attachment.id})
        return attachment

    @api.model
    def _send_dossier(self, cases):
        """E-mail each case's dossier to its agency (kept in the case's chatter)."""
        for case in cases:
            if not case.dossier_id:
                self._make_dossier(case)
            if not case.agency_id.email:
                case._message_log(
                    body=self.env._(
                        "%(agency)s has no e-mail address: download the dossier and "
                        "hand it over.",
                        agency=case.agency_id.name,
                    )
                )
                continue
            case.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Please find attached the dossier of %(debtor)s, handed over for "
                    "collection (case %(case)s).",
                    debtor=case.partner_id.name,
                    case=case.name,
                ),
                subject=self.env._("Collection dossier %(case)s", case=case.name),
                partner_ids=case.agency_id.ids,
                attachment_ids=case.dossier_id.ids,
                subtype_xmlid="mail.mt_comment",
                message_type="comment",
            )
            guard.own(case).write({"dossier_sent_date": fields.Datetime.now()})

    # ------------------------------------------------------------------ follow-up
    @api.model
    def _set_state(self, cases, state):
        guard.own(cases).write({"state": state})

    @api.model
    def _register_collection(self, case, amount, day, journal, commission_account):
        """The agency reports `amount` paid by the debtor on `day`: a payment against
        the case's open invoices, and its commission as an expense."""
        if amount <= 0:
            raise UserError(self.env._("Amount Collected: enter a positive amount."))
        case._check_open()
        open_moves = case.move_ids.filtered(lambda m: m.amount_residual > 0)
        if not open_moves:
            raise UserError(self.env._("The invoices of this case are paid already."))
        payments = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=open_moves.ids)
            .create(
                {
                    "amount": amount,
                    "payment_date": day,
                    "journal_id": journal.id,
                    "group_payment": True,
                    "communication": case.name,
                }
            )
            ._create_payments()
        )
        commission = case.currency_id.round(amount * case.commission_percent / 100)
        entries = self.env["account.move"]
        if commission:
            entries = self._book_commission(
                case, payments, commission, day, commission_account
            )
        collected = case.amount_collected + amount
        paid = all(m.payment_state in ("paid", "in_payment") for m in case.move_ids)
        guard.own(case).write(
            {
                "amount_collected": collected,
                "commission_amount": case.commission_amount + commission,
                "payment_ids": [fields.Command.link(p.id) for p in payments],
                "commission_move_ids": [fields.Command.link(e.id) for e in entries],
                "state": "paid" if paid else "partly_paid",
            }
        )
        case._message_log(
            body=self.env._(
                "%(agency)s collected %(amount)s on %(day)s; commission "
                "%(commission)s.",
                agency=case.agency_id.name,
                amount=amount,
                day=day,
                commission=commission,
            )
        )
        return payments

    @api.model
    def _book_commission(self, case, payments, commission, day, account):
        """The agency keeps its commission: expense against the payment's outstanding
        account, so that what reaches the bank (collected minus commission) matches."""
        payment = payments[:1]
        outstanding = payment.outstanding_account_id
        if not account or not outstanding:
            raise UserError(
                self.env._("Commission Account: choose the expense account to book it.")
            )
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": day,
                "journal_id": payment.journal_id.id,
                "ref": self.env._("Commission %(case)s", case=case.name),
                "company_id": case.company_id.id,
                "line_ids": [
                    fields.Command.create(
                        {
                            "name": self.env._(
                                "Commission %(agency)s", agency=case.agency_id.name
                            ),
                            "account_id": account.id,
                            "partner_id": case.agency_id.id,
                            "debit": commission,
                        }
                    ),
                    fields.Command.create(
                        {
                            "name": self.env._(
                                "Commission %(agency)s", agency=case.agency_id.name
                            ),
                            "account_id": outstanding.id,
                            "partner_id": case.agency_id.id,
                            "credit": commission,
                        }
                    ),
                ],
            }
        )
        move.action_post()
        return move

    @api.model
    def _close(self, case, outcome, note):
        """Close a case as written off, or returned to our own dunning."""
        if outcome not in ("written_off", "returned"):
            raise UserError(self.env._("Outcome: written off or returned."))
        if not (note or "").strip():
            raise UserError(self.env._("Note: say why the case is closed."))
        case._check_open()
        if outcome == "returned":
            self._resume_dunning(
                case.move_ids.filtered(lambda m: m.amount_residual > 0)
            )
        guard.own(case).write({"state": outcome, "closing_note": note})
        label = dict(case._fields["state"]._description_selection(self.env))[outcome]
        case._message_log(
            body=Markup("%s<br/>%s")
            % (self.env._("Closed: %(outcome)s.", outcome=label), note)
        )
        return case

    @api.model
    def _resume_dunning(self, moves):
        """A debt the agency returned: the hand-over is undone and it goes back to
        the level before the hand-over level, so our own dunning takes it up again
        (the next run proposes the final notice, which needs approval again)."""
        Position = self.env["debtor.dunning.position"].sudo()
        positions = Position.search(
            [("move_id", "in", moves.ids), ("level_id.hand_over", "=", True)]
        )
        values = {}
        for position in positions:
            ladder = position.level_id.policy_id.level_ids.sorted(
                lambda lvl: (lvl.sequence, lvl.id)
            )
            before = ladder.filtered(
                lambda lvl, p=position: lvl.rank == p.level_id.rank - 1
            )
            values[position.move_line_id.id] = {
                "level_id": before.id or None,
                "last_date": position.last_date,
                "term_date": position.term_date,
                "notice_id": position.notice_id.id or None,
            }
        Position._dunning_restore(values)
        guard.own(moves).write({"dunning_handed_over_date": False})
        moves._message_log_batch(
            dict.fromkeys(
                moves.ids,
                self.env._(
                    "Returned by the collection agency: our own dunning resumes."
                ),
            )
        )
