"""Charges: the collection costs and interest of notices (compute, book, waive)."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .. import compat
from ..core import interest
from ..core import law as core_law
from ..core.errors import DunningRuleError
from ..core.law import CostRule, GateReason
from ..core.money import cents, split_pro_rata, to_decimal, to_float
from ..models import bulk, guard
from ..models.debtor_dunning_notice import RECEIPT_FACTS

# Costs, interest and the terms of a notice, by the law of each customer. Every legal
# condition is decided in core/law.py; this service gathers the facts for all notices
# at once, asks the core per notice and writes the result:
#
# - when a notice is proposed (the reviewer sees what it claims), and again when it is
#   issued (the level or the lines may have changed, the channel is known), then the
#   charge lines are frozen on the notice;
# - costs are claimed once per invoice: a later letter repeats them as claimed before
#   (letter mode) or leaves them to the charge invoice already posted (invoice mode);
# - interest runs from the day after the due date (a due date is a fixed term: the
#   debtor is in default without notice, art. 6:83 a BW) to the notice date included,
#   a line per rate period; a later letter states it again to its own date;
# - `charge_note` tells the reviewer what was not claimed, and why.

_DAY = timedelta(days=1)
# What the charges read of a customer (its law: res.partner._dunning_law; the
# language of the letter; its own interest kind), and what the record rules on
# partners check: not the hundred other columns.
_PARTNER_FACTS = [
    "company_id",
    "partner_share",
    "commercial_partner_id",
    "is_company",
    "country_id",
    "lang",
    "dunning_debtor_type",
    "dunning_law_country",
    "dunning_interest_kind",
]
_ZERO = Decimal("0.00")
# What the charges read of a notice itself (_notice_facts), in this order.
_NOTICE_FACTS = (
    "company_id",
    "partner_id",
    "level_id",
    "policy_id",
    "state",
    *RECEIPT_FACTS,
)


class _Line(NamedTuple):
    """A notice line as the charges read it (debtor.dunning.charges._line_facts)."""

    move_id: models.Model  # the invoice, an account.move record
    date_maturity: date
    amount_residual: float
    currency_id: int | None


class _Notice(NamedTuple):
    """A notice as the charges read it (debtor.dunning.charges._notice_facts): its
    company, customer, level and policy as records, one per id, shared by all the
    notices that have it, and its own facts as plain values."""

    company: models.Model
    currency: models.Model  # the company's
    partner: models.Model
    level: models.Model
    policy: models.Model
    state: str
    receipt_facts: tuple  # RECEIPT_FACTS' values, in that order

    @property
    def date(self):
        return self.receipt_facts[0]

    @property
    def letter_state(self):
        return self.receipt_facts[1]

    @property
    def email_state(self):
        return self.receipt_facts[5]


class DebtorDunningCharges(models.AbstractModel):
    _name = "debtor.dunning.charges"
    _description = "Costs and interest of dunning notices"

    # ------------------------------------------------------------------ compute
    @api.model
    def _compute_charges(self, notices):
        """Costs, interest, pay-by date and letter currency of notices.

        Set-based: the facts are read in a few queries for all notices, the charge
        lines replaced in two statements and the totals written in one; the waivers
        of a notice survive the computation.
        """
        if not notices:
            return
        read = self._notice_facts(notices)
        notices = notices.browse(
            [id_ for id_ in notices.ids if id_ in read and read[id_].state != "cancel"]
        )
        if not notices:
            return
        facts = self._charge_facts(notices, read)
        vals_list, results = [], []
        for notice in notices:
            result = self._notice_charges(notice, facts)
            vals_list += [
                {**vals, "notice_id": notice.id} for vals in result["charges"]
            ]
            results.append(result)
        vals_list = self.env["debtor.dunning.notice.charge"]._dunning_replace(
            notices, vals_list
        )
        by_notice = defaultdict(list)
        for vals in vals_list:
            by_notice[vals["notice_id"]].append(vals)
        notices._dunning_write_charges(
            [
                self._prepare_notice_totals(notice, result, by_notice[notice.id])
                for notice, result in zip(notices, results, strict=True)
            ]
        )
        self._hook_missing_rates(notices, facts["missing_rates"])

    @api.model
    def _prefetch_notices(self, notices):
        """The notices and what the charges read of their customers, one query each."""
        self._prefetch(notices)
        self._prefetch(notices.partner_id, _PARTNER_FACTS)

    @api.model
    def _prefetch(self, records, fnames=None):
        """Fetch `fnames` of `records` (else what the ORM would prefetch) in one
        query, not one per 1,000 records: a run reads thousands of notices and
        customers.

        Nothing is fetched when all of it is in the cache already (issuing prefetches
        the notices before their charges are computed again): `fetch` would still
        check the record rules of every record in Python, as reading the cache
        doesn't.
        """
        fnames = fnames or [
            name
            for name, field in records._fields.items()
            if field.prefetch is True and compat.readable(records, field)
        ]
        if records._determine_fields_to_fetch(fnames, ignore_when_in_cache=True):
            records.fetch(fnames)

    @api.model
    def _notice_facts(self, notices):
        """{notice id: _Notice}: what the charges read of `notices`, in one query.

        A run computes the charges of thousands of notices, each read a dozen times:
        through the ORM, field by field, that was a third of the computation. The
        notices are the caller's (a run's, the issuing's), read by it under the
        record rules; their customers are fetched here under them (_PARTNER_FACTS).
        """
        self.env["debtor.dunning.notice"].flush_model(_NOTICE_FACTS)
        rows = self.env.execute_query(
            SQL(
                "SELECT id, %s FROM debtor_dunning_notice WHERE id = ANY(%s::int[])",
                SQL(", ").join(SQL.identifier(name) for name in _NOTICE_FACTS),
                bulk.array(notices.ids),
            )
        )

        def records(model, column):
            """{id: record} of a column's ids (None: no record), fetched together
            when one is read."""
            many = self.env[model].browse(
                sorted({row[column] for row in rows} - {None})
            )
            return dict(zip(many.ids, many, strict=True)) | {None: self.env[model]}

        companies = records("res.company", 1)
        partners = records("res.partner", 2)
        levels = records("debtor.dunning.level", 3)
        policies = records("debtor.dunning.policy", 4)
        customers = self.env["res.partner"].browse(sorted(set(partners) - {None}))
        self._prefetch(customers, _PARTNER_FACTS)
        currencies = {id_: company.currency_id for id_, company in companies.items()}
        return {
            row[0]: _Notice(
                company=companies[row[1]],
                currency=currencies[row[1]],
                partner=partners[row[2]],
                level=levels[row[3]],
                policy=policies[row[4]],
                state=row[5],
                receipt_facts=row[6:],
            )
            for row in rows
        }

    @api.model
    def _line_facts(self, notices):
        """{notice id: [_Line]}: the invoices the notices list, read in one query.

        Plain values instead of notice line records: a run's notices list tens of
        thousands of lines, which the ORM would fetch with all their columns.
        """
        self.env["debtor.dunning.notice.line"].flush_model(
            ["notice_id", "move_id", "date_maturity", "amount_residual", "currency_id"]
        )
        rows = self.env.execute_query(
            SQL(
                """SELECT notice_id, move_id, date_maturity, amount_residual,
                          currency_id
                     FROM debtor_dunning_notice_line
                    WHERE notice_id = ANY(%s::int[])
                 ORDER BY notice_id, date_maturity, id""",
                bulk.array(notices.ids),
            )
        )
        moves = self.env["account.move"].browse({row[1] for row in rows})
        move_of = {move.id: move for move in moves}  # prefetched together
        lines = defaultdict(list)
        for notice_id, move_id, due, residual, currency_id in rows:
            lines[notice_id].append(
                _Line(move_of[move_id], due, residual or 0.0, currency_id)
            )
        return lines, moves

    @api.model
    def _charge_facts(self, notices, read):
        """What the charges of `notices` depend on, read once for all of them
        (`read`: their _notice_facts)."""
        lines, moves = self._line_facts(notices)
        Charge = self.env["debtor.dunning.notice.charge"]
        Rate = self.env["debtor.dunning.rate"]
        companies = {notice.company for notice in read.values()}
        return {
            "notices": read,
            "lines": lines,
            "sent": defaultdict(
                list,
                self.env["debtor.dunning.notice.line"]._dunning_sent(moves, notices),
            ),
            "claimed": Charge._dunning_claimed_costs(moves, notices),
            "invoiced": Charge._dunning_invoiced_interest(moves, notices),
            "charge_moves": self._charge_moves(moves),
            "rates": {c.id: Rate._dunning_rate_table(c) for c in companies},
            "missing_rates": {},
            "fx": {},
            "partners": self._notice_partners(read),
        }

    @api.model
    def _notice_partners(self, read):
        """The customers of notices read by _notice_facts, as one recordset."""
        return self.env["res.partner"].browse(
            sorted({notice.partner.id for notice in read.values()})
        )

    @api.model
    def _charge_moves(self, moves):
        """The ids of `moves` that are charge invoices of notices: they bear no costs
        or interest themselves. Any notice's, whoever may read it (hence no record
        rules)."""
        self.env["debtor.dunning.notice"].flush_model(["charge_move_id"])
        rows = self.env.execute_query(
            SQL(
                """SELECT charge_move_id FROM debtor_dunning_notice
                    WHERE charge_move_id = ANY(%s::int[])""",
                bulk.array(moves.ids),
            )
        )
        return {row[0] for row in rows}

    @api.model
    def _notice_charges(self, notice, facts):
        """What one notice claims: charge values, notes, announced costs, pay-by."""
        terms = self._prepare_charge_terms(notice, facts)
        level = terms["level"]
        costs, fee = level.claims_costs, level.claims_reminder_fee
        interest = level.claims_interest
        charges, notes = [], []
        if costs or interest or fee:
            notes += self._gate_notes(notice, terms)
        announced, kind = self._prepare_announced_costs(notice, terms, facts, notes)
        if costs:
            charges += self._prepare_cost_charges(notice, terms, facts, notes)
        if fee:
            charges += self._prepare_fee_charges(notice, terms, facts)
        if interest:
            charges += self._prepare_interest_charges(notice, terms, facts, notes)
        return self._hook_notice_charges(
            notice,
            terms,
            {
                "charges": charges,
                "notes": notes,
                "announced": announced,
                "announced_kind": kind and kind.value,
                "pay_by": self._prepare_pay_by_date(notice, terms),
                "receipt": terms["receipt"],
                "currency": self._prepare_letter_currency(notice, terms, facts),
            },
        )

    @api.model
    def _hook_notice_charges(self, notice, terms, result):
        """Extension point: change what `notice` claims before it is written."""
        return result

    @api.model
    def _prepare_charge_terms(self, notice, facts):
        """The law's view of one notice: law, debtor, channel, invoices and gates."""
        # Read once for all notices (_notice_facts), taken from the terms by what
        # follows.
        read = facts["notices"][notice.id]
        company, partner, level = read.company, read.partner, read.level
        law, debtor = self._notice_law(read, facts)
        by_move = defaultdict(list)
        charge_moves = facts["charge_moves"]
        for line in facts["lines"][notice.id]:
            if line.move_id.id not in charge_moves:
                by_move[line.move_id].append(line)
        day, sent = read.date, facts["sent"]
        gates = {}
        for move in by_move:
            gate = core_law.charge_gate(law, debtor, sent[move.id], day)
            if gate:
                gates[move] = gate
        Charge = self.env["debtor.dunning.notice.charge"]
        return {
            "law": law,
            "debtor": debtor,
            "date": day,
            "company": company,
            "currency": read.currency,
            "partner": partner,
            "level": level,
            "policy": read.policy,
            "by_post": self._notice_by_post(read),
            "receipt": self.env["debtor.dunning.notice"]._dunning_presumed_receipt(
                law, level.send_letter, *read.receipt_facts
            ),
            "by_move": by_move,
            "rounding": read.currency.rounding,
            "gates": gates,
            "first_reminder": any(
                gate.reason is GateReason.BE_FIRST_REMINDER for gate in gates.values()
            ),
            # The descriptions are frozen on the letter: in the customer's language.
            "names": self._in_language(Charge, partner.lang, facts),
            "notes": Charge,  # the reviewer's notes: in the user's language
        }

    @api.model
    def _notice_law(self, read, facts):
        """(Law, Debtor) of the customer of a notice read by _notice_facts
        (res.partner._dunning_law): asked once per company for all the notices'
        customers."""
        laws = facts.setdefault("laws", {})
        company = read.company
        if company.id not in laws:
            laws[company.id] = facts["partners"]._dunning_laws(company)
        return laws[company.id][read.partner.id]

    @api.model
    def _principal(self, terms):
        """{invoice: what the notice claims of it}: the base of the collection costs,
        summed when a notice asks for it (a reminder that claims and announces no
        costs never does)."""
        if "principal" not in terms:
            rounding = terms["rounding"]
            terms["principal"] = {
                move: sum(
                    (to_decimal(ln.amount_residual, rounding) for ln in lines), _ZERO
                )
                for move, lines in terms["by_move"].items()
            }
        return terms["principal"]

    @api.model
    def _in_language(self, model, lang, facts):
        """`model` in the language `lang` (else the user's), one per language."""
        lang = lang or self.env.lang
        languages = facts.setdefault("languages", {})
        if lang not in languages:
            languages[lang] = model.with_context(lang=lang)
        return languages[lang]

    @api.model
    def _notice_by_post(self, read):
        """Whether the terms of a notice read by _notice_facts count from a posted
        letter (see core.law)."""
        if read.state == "issued":
            return core_law.presumed_by_post(
                read.letter_state != "none", read.email_state != "none"
            )
        level = read.level  # proposed: as its level will send it
        return core_law.presumed_by_post(level.send_letter, level.send_email)

    @api.model
    def _prepare_pay_by_date(self, notice, terms):
        """The level's days to pay, never before the statutory term of the letter."""
        level, day = terms["level"], terms["date"]
        end = core_law.statutory_term_end(
            terms["law"],
            terms["debtor"],
            level.fourteen_day_letter,
            terms["first_reminder"],
            day,
            terms["by_post"],
        )
        asked = day + timedelta(days=level.pay_days)
        if level.registered_mail:
            # A registered letter's term runs from its (presumed) receipt.
            asked = core_law.receipt_pay_by_date(
                asked, terms["receipt"], level.pay_days
            )
        return core_law.pay_by_date(asked, end)

    @api.model
    def _pay_by_dates(self, notices):
        """{notice: the day it asks payment by} (_prepare_pay_by_date), set-based."""
        Line = self.env["debtor.dunning.notice.line"]
        lines, moves = self._line_facts(notices)
        read = self._notice_facts(notices)
        facts = {
            "notices": read,
            "lines": lines,
            "sent": defaultdict(list, Line._dunning_sent(moves, notices)),
            "charge_moves": set(),
            "partners": self._notice_partners(read),
        }
        return {
            notice: self._prepare_pay_by_date(
                notice, self._prepare_charge_terms(notice, facts)
            )
            for notice in notices
        }

    @api.model
    def _prepare_letter_currency(self, notice, terms, facts):
        """(currency, rate from the company's): the invoices' own if they share one."""
        company, company_currency = terms["company"], terms["currency"]
        ids = {line.currency_id for line in facts["lines"][notice.id]} - {None}
        if len(ids) != 1 or company_currency.id in ids:
            return company_currency, 1.0
        currencies = self.env["res.currency"].browse(ids)
        day = terms["date"]
        key = (currencies.id, company.id, day)
        if key not in facts["fx"]:  # one rate query per currency and day
            facts["fx"][key] = company_currency._get_conversion_rate(
                company_currency, currencies, company, day
            )
        return currencies, facts["fx"][key]

    @api.model
    def _prepare_notice_totals(self, notice, result, charges):
        """What a notice claims in all (notice._dunning_write_charges)."""
        kept = [vals for vals in charges if not vals.get("waived")]
        currency, rate = result["currency"]
        return {
            "id": notice.id,
            "cost_amount": sum(
                (v["amount"] for v in kept if v["kind"] == "cost"), _ZERO
            ),
            "interest_amount": sum(
                (v["amount"] for v in kept if v["kind"] == "interest"), _ZERO
            ),
            "announced_cost_amount": result["announced"],
            "announced_cost_kind": result["announced_kind"] or None,
            "charge_note": "\n".join(result["notes"]) or None,
            "pay_by_date": result["pay_by"],
            "presumed_receipt_date": result["receipt"],
            "letter_currency_id": currency.id,
            "letter_rate": rate,
        }

    @api.model
    def _gate_open(self, notice, terms, move):
        """Whether `notice` may charge costs on `move` (BE consumers: anything)."""
        gate = terms["gates"].get(move)
        return gate is None or gate.is_open(terms["date"])

    @api.model
    def _gate_notes(self, notice, terms):
        """One line per reason why some invoices are charged nothing yet."""
        waiting = defaultdict(list)
        for move, gate in terms["gates"].items():
            if not gate.is_open(terms["date"]):
                waiting[gate].append(move.name)
        notes = [
            terms["notes"]._dunning_gate_note(
                gate, ", ".join(sorted(names)), terms["level"].claims_costs
            )
            for gate, names in sorted(
                waiting.items(), key=lambda kv: kv[0].reason.value
            )
        ]
        return [note for note in notes if note]

    # ------------------------------------------------------------------ costs
    @api.model
    def _prepare_announced_costs(self, notice, terms, facts, notes):
        """The costs a 14-day letter or a Belgian first reminder must state."""
        law, debtor = terms["law"], terms["debtor"]
        kind = core_law.announcement(
            law, debtor, terms["level"].fourteen_day_letter, terms["first_reminder"]
        )
        if not kind or not self._policy_claims_costs(terms["policy"], facts):
            return _ZERO, None  # a policy that never claims costs announces none
        unclaimed = [
            amount
            for move, amount in self._principal(terms).items()
            if move.id not in facts["claimed"]
        ]
        rule = core_law.cost_rule(law, debtor)
        vat = self._cost_vat_rate(terms["company"], rule)
        announced = sum(core_law.collection_costs(rule, unclaimed, vat), _ZERO)
        if announced:
            currency = terms["company"].currency_id
            notes.append(
                terms["notes"]._dunning_announcement_note(kind, announced, currency)
            )
        return announced, kind if announced else None

    @api.model
    def _policy_claims_costs(self, policy, facts):
        """Whether a level of `policy` claims costs: asked once per policy."""
        claims = facts.setdefault("policy_claims_costs", {})
        if policy.id not in claims:
            claims[policy.id] = bool(policy.level_ids.filtered("claims_costs"))
        return claims[policy.id]

    @api.model
    def _prepare_cost_charges(self, notice, terms, facts, notes):
        """Cost lines: new claims by the law, earlier claims repeated (letter mode)."""
        letter_mode = terms["company"].dunning_charge_mode == "letter"
        charges, new, waived = [], [], []
        for move, amount in self._principal(terms).items():
            claim = facts["claimed"].get(move.id)
            if claim and claim["waived"]:
                waived.append(move.name)
            elif claim and letter_mode:
                charges.append(
                    {
                        "kind": "cost",
                        "move_id": move.id,
                        "name": terms["names"]._dunning_claimed_name(
                            claim["notice_name"]
                        ),
                        "origin_id": claim["origin_id"],
                        "amount": to_decimal(claim["amount"]),
                    }
                )
            elif not claim and amount and self._gate_open(notice, terms, move):
                new.append((move, amount))
        if waived:
            notes.append(
                self.env._(
                    "Collection costs for %(invoices)s were waived.",
                    invoices=", ".join(sorted(waived)),
                )
            )
        return charges + self._prepare_new_cost_charges(notice, terms, new, notes)

    @api.model
    def _prepare_new_cost_charges(self, notice, terms, new, notes):
        """Cost lines of the invoices whose costs `notice` claims first."""
        rule = core_law.cost_rule(terms["law"], terms["debtor"])
        if new and rule is CostRule.NONE:
            notes.append(
                self.env._(
                    "This customer's law sets no collection costs for consumers: none "
                    "are claimed."
                )
            )
        if not new or rule is CostRule.NONE:
            return []
        amounts = [amount for _move, amount in new]
        vat = self._cost_vat_rate(terms["company"], rule)
        parts = core_law.collection_costs(rule, amounts, vat)
        name = terms["names"]._dunning_cost_name(
            rule, sum(amounts, _ZERO), vat, terms["company"].currency_id
        )
        return [
            {
                "kind": "cost",
                "move_id": move.id,
                "name": name,
                "base_amount": to_float(amount),
                "amount": part,
            }
            for (move, amount), part in zip(new, parts, strict=True)
            if part
        ]

    @api.model
    def _prepare_fee_charges(self, notice, terms, facts):
        """The Belgian consumer's reminder fee: one line per notice, no invoice."""
        if not any(self._gate_open(notice, terms, move) for move in terms["by_move"]):
            return []  # the free first reminder, or its term still runs
        earlier = [
            sum(1 for sent in facts["sent"][move.id] if sent.day <= terms["date"])
            for move in terms["by_move"]
        ]
        fee = core_law.reminder_fee(
            terms["law"],
            terms["debtor"],
            terms["level"].claims_reminder_fee,
            1 + max(earlier, default=0),
            terms["by_post"],
            to_decimal(terms["company"].dunning_reminder_postage),
        )
        if not fee:
            return []
        name = terms["names"]._dunning_fee_name()
        return [{"kind": "cost", "move_id": None, "name": name, "amount": fee}]

    @api.model
    def _cost_vat_rate(self, company, rule):
        """VAT percent added to Dutch costs: only when the company cannot deduct it."""
        if rule is not CostRule.NL_SCALE or not company.dunning_charge_vat_on_costs:
            return _ZERO
        return to_decimal(company.dunning_cost_vat_rate)

    # ------------------------------------------------------------------ interest
    @api.model
    def _prepare_interest_charges(self, notice, terms, facts, notes):
        """Interest lines, one per rate period and instalment, to the notice date."""
        law, debtor = terms["law"], terms["debtor"]
        kind = core_law.interest_rate_kind(
            law,
            debtor,
            terms["partner"].commercial_partner_id.dunning_interest_kind
            or terms["company"].dunning_interest_kind,
        )
        tables = facts["rates"][terms["company"].id]
        if not kind or not tables.get(kind):
            notes.append(self._no_interest_note(kind, terms))
            return []
        rates, kinds = tables[kind], [kind]
        cap = core_law.interest_cap_kind(law, debtor)
        if cap and cap != kind:  # never above the cap's rate of the same day
            rates, kinds = (
                core_law.capped_rates(rates, tables.get(cap, ())),
                [kind, cap],
            )
        context = {
            # Each table the rates come from must have a row for every period.
            "kinds": {
                k: [rate.effective_date for rate in tables.get(k, ())] for k in kinds
            },
            "rates": rates,
            "compound": core_law.compounds_yearly(law, kind),
            "label": terms["names"]._dunning_rate_label(kind),
            "end": terms["date"] + _DAY,  # the notice date included
            "rounding": terms["rounding"],
            "missing": set(),
        }
        waits = core_law.interest_waits(law, debtor)
        charges, no_rate = [], []
        for move, lines in terms["by_move"].items():
            gate = terms["gates"].get(move) if waits else None
            if gate and not gate.is_open(terms["date"]):
                continue
            move_charges = []
            for line in lines:
                start = line.date_maturity + _DAY
                if gate:  # a Belgian consumer's interest waits for the term
                    start = max(start, gate.opens)
                try:
                    move_charges += self._prepare_line_interest(line, start, context)
                except DunningRuleError:
                    no_rate.append(move.name)
            charges += move_charges
            charges += self._prepare_invoiced_interest(move, move_charges, facts, terms)
        notes += terms["notes"]._dunning_interest_notes(
            kind, no_rate, context["missing"]
        )
        for missing_kind, period in context["missing"]:
            key = (terms["company"], missing_kind)
            facts["missing_rates"][key] = min(
                period, facts["missing_rates"].get(key, period)
            )
        return charges

    @api.model
    def _no_interest_note(self, kind, terms):
        if not kind:
            return self.env._(
                "No statutory interest under this customer's law: name contractual "
                "interest rates on the customer or in the settings to claim it."
            )
        return self.env._(
            "No interest: there are no rates for %(kind)s (Dunning > Configuration > "
            "Interest Rates).",
            kind=terms["notes"]._dunning_rate_label(kind),
        )

    @api.model
    def _prepare_line_interest(self, line, start, context):
        """Interest lines of one due date from `start`, one per rate period.

        A period without an entered rate stops the interest (core.law).
        """
        end = context["end"]
        for kind, dates in context["kinds"].items():
            missing = core_law.first_missing_rate_period(kind, dates, start, end)
            if missing:
                context["missing"].add((kind, missing))
                end = max(start, min(end, missing))
        base = to_decimal(line.amount_residual, context["rounding"])
        total, periods = interest.statutory_interest(
            base, start, end, context["rates"], compound_yearly=context["compound"]
        )
        if not total:
            return []
        parts = split_pro_rata(total, [period.amount for period in periods])
        return [
            {
                "kind": "interest",
                "move_id": line.move_id.id,
                "name": context["label"],
                "start_date": period.start,
                "end_date": period.end - _DAY,
                "days": period.days,
                "percent": float(period.percent),
                "base_amount": to_float(cents(period.base)),
                "amount": part,
            }
            for period, part in zip(periods, parts, strict=True)
            if part
        ]

    @api.model
    def _prepare_invoiced_interest(self, move, move_charges, facts, terms):
        """Invoice mode: the interest booked for an earlier notice is deducted."""
        invoiced = to_decimal(facts["invoiced"].get(move.id) or 0)
        booked = sum((vals["amount"] for vals in move_charges), _ZERO)
        if invoiced <= 0 or booked <= 0:
            return []
        name = terms["names"]._dunning_invoiced_name()
        amount = -min(invoiced, booked)
        return [
            {"kind": "interest", "move_id": move.id, "name": name, "amount": amount}
        ]

    @api.model
    def _hook_missing_rates(self, notices, missing):
        """A period of a rate in use has no row: the runs say so, a manager's to-do."""
        self.env["debtor.dunning.rate"]._dunning_warn_missing(notices, missing)

    # ------------------------------------------------------------------ booking
    @api.model
    def _issue_law(self, notices):
        """At issue: charges checked again, frozen, booked; limitation interrupted."""
        self._post_charges(notices)
        self._interrupt_limitation(notices)

    @api.model
    def _post_charges(self, notices):
        """Compute the charges again, then post them where the company books them."""
        # The reviewer may have changed the level, lines may have been dropped, and
        # the channel is known now (the terms count from it).
        self._compute_charges(notices)
        # Decided per company first: thousands of notices, a company or two.
        booking = notices.company_id.filtered(
            lambda company: company.dunning_charge_mode == "invoice"
        )
        if booking:
            self._post_charge_moves(
                notices.filtered(
                    lambda n: n.company_id in booking and not n.charge_move_id
                )
            )

    @api.model
    def _interrupt_limitation(self, notices):
        """The invoices of notices that interrupt limitation get a new limitation date.

        Written set-based (account.move._dunning_write_limitation_dates): the
        service issues notices in SQL, and an ORM recompute of tens of thousands of
        invoices would take longer than the whole run.
        """
        moves = notices._dunning_level_says(
            "interrupts_limitation"
        )._dunning_listed_moves()
        if moves:
            self.env["account.move"]._dunning_write_limitation_dates(moves)

    @api.model
    def _post_charge_moves(self, notices):
        """One posted charge invoice per notice: a costs line and an interest line."""
        vals_list, booked, journals = [], [], {}
        for notice in notices:
            company = notice.company_id
            lines = [
                self._prepare_charge_line_vals(notice, name, amount)
                for name, amount in (
                    (self.env._("Collection costs"), notice.cost_amount),
                    (self.env._("Interest"), notice.interest_amount),
                )
                if company.currency_id.compare_amounts(amount, 0) > 0
            ]
            if not lines:
                continue
            if company not in journals:
                journals[company] = self._charge_journal(company)
            vals_list.append(
                self._prepare_charge_move_vals(notice, journals[company], lines)
            )
            booked.append(notice.id)
        if not vals_list:
            return self.env["account.move"]
        moves = self.env["account.move"].create(vals_list)
        # Costs of a notice are no new sale: a customer on credit hold gets them.
        self.env["debtor.dunning.credit"]._let_pass(moves).action_post()
        self.env["debtor.dunning.notice"].flush_model(["charge_move_id"])
        self.env.cr.execute(
            SQL(
                """UPDATE debtor_dunning_notice n SET charge_move_id = v.move_id
                     FROM unnest(%(ids)s::int[], %(moves)s::int[]) AS v(id, move_id)
                    WHERE n.id = v.id""",
                ids=bulk.array(booked),
                moves=bulk.array(moves.ids),
            )
        )
        notices.browse(booked).invalidate_recordset(["charge_move_id"])
        return moves

    @api.model
    def _charge_journal(self, company):
        """The sales journal charge invoices go to."""
        Journal = self.env["account.journal"]
        journal = Journal.search(
            [*Journal._check_company_domain(company), ("type", "=", "sale")], limit=1
        )
        if not journal:
            raise UserError(
                self.env._(
                    "%(company)s has no sales journal for the charge invoices of its "
                    "dunning notices.",
                    company=company.name,
                )
            )
        return journal

    @api.model
    def _prepare_charge_move_vals(self, notice, journal, lines):
        """Create values of the charge invoice of a notice."""
        return {
            "move_type": "out_invoice",
            "company_id": notice.company_id.id,
            "journal_id": journal.id,
            "partner_id": notice.partner_id.id,
            "currency_id": notice.currency_id.id,
            "invoice_date": notice.date,
            "invoice_date_due": notice.pay_by_date or notice.date,
            "invoice_payment_term_id": False,
            "invoice_origin": notice.name,
            "ref": notice.name,
            "invoice_line_ids": [Command.create(line) for line in lines],
        }

    @api.model
    def _prepare_charge_line_vals(self, notice, name, amount):
        """A charge invoice line; no VAT: costs and interest are damages, no supply."""
        company = notice.company_id
        vals = {
            "name": f"{name} ({notice.name})",
            "quantity": 1,
            "price_unit": amount,
            "tax_ids": [Command.clear()],
        }
        if company.dunning_charge_product_id:
            vals["product_id"] = company.dunning_charge_product_id.id
        if company.dunning_charge_account_id:
            vals["account_id"] = company.dunning_charge_account_id.id
        return vals

    # ------------------------------------------------------------------ waiving
    @api.model
    def _waive_message(self, kinds, reason):
        """The chatter line of a waiver."""
        if set(kinds) == {"cost"}:
            return self.env._("Collection costs waived: %(reason)s", reason=reason)
        if set(kinds) == {"interest"}:
            return self.env._("Interest waived: %(reason)s", reason=reason)
        return self.env._(
            "Collection costs and interest waived: %(reason)s", reason=reason
        )

    @api.model
    def _waive_charges(self, notices, kinds, reason):
        """Waive the costs and/or interest of notices, with the reason, in the chatter.

        A posted charge invoice is credited and, for what is not waived, posted again.
        """
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for waiving."))
        if notices.filtered(lambda notice: notice.state == "cancel"):
            raise UserError(self.env._("A cancelled notice claims nothing to waive."))
        charges = notices.charge_ids.filtered(
            lambda charge: charge.kind in kinds and not charge.waived
        )
        if not charges:
            raise UserError(self.env._("These notices have nothing left to waive."))
        rebooked = notices.filtered("charge_move_id")
        paid = rebooked.charge_move_id.filtered(
            lambda move: move.payment_state != "not_paid"
        )
        if paid:
            raise UserError(
                self.env._(
                    "The charge invoices %(moves)s have payments: credit them by hand.",
                    moves=", ".join(paid.mapped("name")),
                )
            )
        today = fields.Date.context_today(self)
        guard.own(charges).write(
            {
                "waived": True,
                "waive_reason": reason,
                "waived_by_id": self.env.uid,
                "waived_date": today,
            }
        )
        for notice in charges.notice_id:
            kept = notice.charge_ids.filtered(lambda charge: not charge.waived)
            guard.own(notice).write(
                {
                    "cost_amount": sum(
                        kept.filtered(lambda c: c.kind == "cost").mapped("amount")
                    ),
                    "interest_amount": sum(
                        kept.filtered(lambda c: c.kind == "interest").mapped("amount")
                    ),
                }
            )
            notice.sudo().message_post(body=self._waive_message(kinds, reason))
        if rebooked:
            credits = rebooked.charge_move_id._reverse_moves(
                [{"invoice_date": today, "ref": reason} for _move in rebooked],
                cancel=True,
            )
            guard.own(rebooked).charge_move_id = False
            self._post_charge_moves(rebooked)
            return credits
        return self.env["account.move"]
