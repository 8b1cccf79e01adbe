"""Charges: the collection costs and interest of notices (compute, book, waive)."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..core import calendar as core_calendar
from ..core import fees, interest
from ..core.errors import DunningRuleError
from ..core.money import cents, split_pro_rata, to_decimal, to_float

# Collection costs and interest of notices, by the law of each customer.
#
# Computed when a notice is proposed (the reviewer sees them), checked again when it is
# issued, then frozen on the notice as charge lines:
#
# - costs: Dutch law, any debtor: the WIK scale on the joint principal of the invoices
#   whose costs the notice claims first (art. 6:96 BW); Belgian consumers: the Book XIX
#   damages on their joint balance; other businesses: EUR 40 per invoice (2011/7/EU).
#   Costs are claimed once per invoice: a later letter repeats them as claimed before
#   (letter mode) or leaves them to the charge invoice already posted (invoice mode);
# - interest: from the day after the due date (every invoice with a due date counts as a
#   debt with a fixed term, so the debtor is in default without notice, art. 6:83 a BW)
#   to the notice date included; yearly compounding under Dutch law; a later letter
#   states the interest to its own date: it replaces the earlier figure, never adds;
# - gates: Dutch consumers pay costs only after a 14-day letter's term has passed (art.
#   6:96 lid 6 BW); Belgian consumers pay nothing before 14 days after the free first
#   reminder (Code of Economic Law, art. XIX.2). The notice says why on `charge_note`.

_DAY = timedelta(days=1)
_ZERO = Decimal("0.00")
# Art. 6:119 lid 2 and 6:119a lid 3 BW: statutory interest is added to the principal
# at the end of each year.
_COMPOUNDING = frozenset({"nl_statutory", "nl_commercial"})
_STATUTORY = {
    ("nl", "consumer"): "nl_statutory",
    ("nl", "business"): "nl_commercial",
    ("be", "business"): "be_commercial",
    ("be", "consumer"): "be_legal",
}

# Issued notices that listed the invoices before: first reminders, 14-day letters.
_EARLIER_SQL = """
    SELECT l.move_id, n.date, n.email_state, n.letter_state, lvl.fourteen_day_letter
      FROM debtor_dunning_notice_line l
      JOIN debtor_dunning_notice n ON n.id = l.notice_id
      JOIN debtor_dunning_level lvl ON lvl.id = n.level_id
     WHERE l.move_id = ANY(%(moves)s)
       AND n.state = 'issued'
       AND n.id != ALL(%(notices)s)
  ORDER BY n.date, n.id
"""

# Costs claimed before, per invoice: the first claim (the origin) comes first.
_CLAIMED_SQL = """
    SELECT c.move_id, COALESCE(c.origin_id, c.id), c.amount, c.waived, n.name
      FROM debtor_dunning_notice_charge c
      JOIN debtor_dunning_notice n ON n.id = c.notice_id
     WHERE c.kind = 'cost'
       AND c.amount > 0
       AND c.move_id = ANY(%(moves)s)
       AND n.state = 'issued'
       AND n.id != ALL(%(notices)s)
  ORDER BY n.date, n.id, c.id
"""

# Interest already on posted charge invoices, per invoice.
_INVOICED_SQL = """
    SELECT c.move_id, SUM(c.amount)
      FROM debtor_dunning_notice_charge c
      JOIN debtor_dunning_notice n ON n.id = c.notice_id
     WHERE c.kind = 'interest'
       AND c.waived IS NOT TRUE
       AND c.move_id = ANY(%(moves)s)
       AND n.state = 'issued'
       AND n.charge_move_id IS NOT NULL
       AND n.id != ALL(%(notices)s)
  GROUP BY 1
"""

# Charge invoices bear no costs or interest themselves.
_CHARGE_MOVES_SQL = """
    SELECT charge_move_id FROM debtor_dunning_notice
     WHERE charge_move_id = ANY(%(moves)s)
"""

# The charge lines of notices go, their waivers are returned to keep them.
_DROP_CHARGES_SQL = """
    DELETE FROM debtor_dunning_notice_charge
     WHERE notice_id = ANY(%s)
 RETURNING notice_id, move_id, kind, waived, waive_reason, waived_by_id, waived_date
"""

_CHARGE_COLUMNS = (
    "notice_id",
    "kind",
    "move_id",
    "name",
    "start_date",
    "end_date",
    "days",
    "percent",
    "base_amount",
    "amount",
    "origin_id",
    "waive_reason",
    "waived_by_id",
    "waived_date",
)
_INSERT_CHARGES_SQL = """
    INSERT INTO debtor_dunning_notice_charge
           (notice_id, company_id, kind, move_id, name, start_date, end_date, days,
            percent, base_amount, amount, origin_id, waived, waive_reason,
            waived_by_id, waived_date, create_uid, write_uid, create_date, write_date)
    SELECT v.notice_id, n.company_id, v.kind, v.move_id, v.name, v.start_date,
           v.end_date, v.days, v.percent, v.base_amount, v.amount, v.origin_id,
           v.waived, v.waive_reason, v.waived_by_id, v.waived_date, %(uid)s, %(uid)s,
           now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
      FROM unnest(%(notice_id)s::int[], %(kind)s::varchar[], %(move_id)s::int[],
                  %(name)s::varchar[], %(start_date)s::date[], %(end_date)s::date[],
                  %(days)s::int[], %(percent)s::numeric[], %(base_amount)s::numeric[],
                  %(amount)s::numeric[], %(origin_id)s::int[], %(waived)s::bool[],
                  %(waive_reason)s::varchar[], %(waived_by_id)s::int[],
                  %(waived_date)s::date[])
           AS v(notice_id, kind, move_id, name, start_date, end_date, days, percent,
                base_amount, amount, origin_id, waived, waive_reason, waived_by_id,
                waived_date)
      JOIN debtor_dunning_notice n ON n.id = v.notice_id
"""

_TOTALS_SQL = """
    UPDATE debtor_dunning_notice n
       SET cost_amount = v.cost,
           interest_amount = v.interest,
           amount_due = COALESCE(n.amount_total, 0) + v.cost + v.interest,
           announced_cost_amount = v.announced,
           charge_note = v.note
      FROM unnest(%s::int[], %s::numeric[], %s::numeric[], %s::numeric[], %s::text[])
           AS v(id, cost, interest, announced, note)
     WHERE n.id = v.id
"""


class DebtorDunningCharges(models.AbstractModel):
    _name = "debtor.dunning.charges"
    _description = "Costs and interest of dunning notices"

    # ------------------------------------------------------------------ charges
    @api.model
    def _compute_charges(self, notices):
        """Costs and interest of notices as charge lines, totals and a note.

        Set-based: the facts are read in a few queries, the charge lines replaced in
        two statements; waivers of a notice survive the computation.
        """
        notices = notices.filtered(lambda notice: notice.state != "cancel")
        if not notices:
            return
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(_DROP_CHARGES_SQL, [notices.ids])
        kept = {
            (notice_id, move_id, kind): {
                "waived": True,
                "waive_reason": reason,
                "waived_by_id": user_id,
                "waived_date": day,
            }
            for notice_id, move_id, kind, waived, reason, user_id, day in cr.fetchall()
            if waived
        }
        facts = self._charge_facts(notices)
        vals_list, totals = [], []
        for notice in notices:
            # The descriptions are frozen on the letter: in the customer's language.
            lang = notice.partner_id.lang or self.env.lang
            charges, notes, announced = self.with_context(lang=lang)._notice_charges(
                notice, facts
            )
            cost = interest_ = _ZERO
            for vals in charges:
                vals["notice_id"] = notice.id
                vals.update(kept.get((notice.id, vals["move_id"], vals["kind"]), {}))
                if not vals.get("waived"):
                    if vals["kind"] == "cost":
                        cost += vals["amount"]
                    else:
                        interest_ += vals["amount"]
            vals_list += charges
            totals.append((notice.id, cost, interest_, announced, "\n".join(notes)))
        self._insert_charges(vals_list)
        cr.execute(
            _TOTALS_SQL,
            [
                [row[0] for row in totals],
                [row[1] for row in totals],
                [row[2] for row in totals],
                [row[3] for row in totals],
                [row[4] or None for row in totals],
            ],
        )
        self.env["debtor.dunning.notice.charge"].invalidate_model()
        notices.invalidate_recordset(
            [
                "charge_ids",
                "cost_amount",
                "interest_amount",
                "amount_due",
                "announced_cost_amount",
                "charge_note",
            ]
        )

    @api.model
    def _insert_charges(self, vals_list):
        """Charge lines in one INSERT: a first run on a big book makes many."""
        if vals_list:
            params = {
                column: [vals.get(column) for vals in vals_list]
                for column in _CHARGE_COLUMNS
            }
            params["waived"] = [bool(vals.get("waived")) for vals in vals_list]
            self.env.cr.execute(_INSERT_CHARGES_SQL, {"uid": self.env.uid, **params})

    @api.model
    def _charge_facts(self, notices):
        """What the charges of `notices` depend on, read once for all of them."""
        moves = notices.line_ids.move_id
        params = {"moves": moves.ids, "notices": notices.ids}
        cr = self.env.cr
        cr.execute(_EARLIER_SQL, params)
        earlier = defaultdict(list)
        for move_id, day, email_state, letter_state, fourteen_day in cr.fetchall():
            # Without a trace of the e-mail, presume the slower post.
            by_post = letter_state != "none" or email_state == "none"
            earlier[move_id].append((day, by_post, bool(fourteen_day)))
        cr.execute(_CLAIMED_SQL, params)
        claimed = {}
        for move_id, origin_id, amount, waived, notice_name in cr.fetchall():
            claim = claimed.setdefault(
                move_id,
                {"origin": origin_id, "amount": amount, "notice": notice_name},
            )
            claim["waived"] = claim.get("waived") or bool(waived)
        cr.execute(_INVOICED_SQL, params)
        invoiced = dict(cr.fetchall())
        cr.execute(_CHARGE_MOVES_SQL, params)
        charge_moves = {row[0] for row in cr.fetchall()}
        Rate = self.env["debtor.dunning.rate"]
        return {
            "earlier": earlier,
            "claimed": claimed,
            "invoiced": invoiced,
            "charge_moves": charge_moves,
            "rates": {c.id: Rate._dunning_rate_table(c) for c in notices.company_id},
            "holidays": {},
        }

    @api.model
    def _notice_charges(self, notice, facts):
        """(charge values, note lines, announced costs) of one notice."""
        company = notice.company_id
        law, debtor_type = notice.partner_id._dunning_law(company)
        level = notice.level_id
        rounding = company.currency_id.rounding
        by_move = defaultdict(list)
        for line in notice.line_ids:
            if line.move_id.id not in facts["charge_moves"]:
                by_move[line.move_id].append(line)
        principal = {
            move: sum(
                (to_decimal(line.amount_residual, rounding) for line in lines), _ZERO
            )
            for move, lines in by_move.items()
        }
        gates = self._charge_gates(notice, law, debtor_type, by_move, facts)
        charges, notes = [], []
        if level.claims_costs or level.claims_interest:
            notes += self._gate_notes(notice, gates, level)
        announced = _ZERO
        if level.fourteen_day_letter and (law, debtor_type) == ("nl", "consumer"):
            unclaimed = [m for m in by_move if m.id not in facts["claimed"]]
            base = sum((principal[m] for m in unclaimed), _ZERO)
            if base:
                announced = fees.nl_collection_costs(base, self._cost_vat_rate(company))
                notes.append(
                    self.env._(
                        "14-day letter: unless the customer pays within fourteen days "
                        "from the day after receiving it, collection costs of "
                        "%(amount)s will be claimed (art. 6:96 lid 6 BW).",
                        amount=self._format(announced, company),
                    )
                )
        if level.claims_costs:
            charges += self._cost_charges(
                notice, law, debtor_type, principal, gates, facts, notes
            )
        if level.claims_interest:
            charges += self._interest_charges(
                notice, law, debtor_type, by_move, gates, facts, notes
            )
        return charges, notes, announced

    @api.model
    def _charge_gates(self, notice, law, debtor_type, by_move, facts):
        """Per invoice: None (no gate), or (reason, first day costs may be charged)."""
        if debtor_type != "consumer" or law not in ("nl", "be"):
            return {}
        gates = {}
        for move in by_move:
            sent = [row for row in facts["earlier"][move.id] if row[0] <= notice.date]
            if law == "nl":
                # Art. 6:96 lid 6 BW: costs only after a 14-day letter's term passed.
                ends = [
                    fees.nl_fourteen_day_term_end(
                        day, by_post, self._holidays("nl", day, facts)
                    )
                    for day, by_post, fourteen_day in sent
                    if fourteen_day
                ]
                gates[move] = (
                    ("nl_letter", min(ends) + _DAY) if ends else ("nl_none", None)
                )
            else:
                # Art. XIX.2 CEL: the first reminder is free; nothing before 14 days.
                if not sent:
                    gates[move] = ("be_first", None)
                else:
                    day, by_post, _fourteen_day = sent[0]
                    end = fees.be_reminder_term_end(
                        day, by_post, self._holidays("be", day, facts)
                    )
                    gates[move] = ("be_term", end + _DAY)
        return gates

    @api.model
    def _gate_open(self, notice, gates, move):
        """Whether `notice` may charge costs on `move` (BE consumers: anything)."""
        gate = gates.get(move)
        return gate is None or (gate[1] is not None and notice.date >= gate[1])

    @api.model
    def _gate_notes(self, notice, gates, level):
        """One line per reason why some invoices are charged nothing yet."""
        waiting = defaultdict(list)
        for move, (reason, day) in gates.items():
            if not self._gate_open(notice, gates, move):
                waiting[reason, day].append(move.name)
        notes = []
        for (reason, day), names in sorted(waiting.items(), key=lambda kv: kv[0][0]):
            invoices = ", ".join(sorted(names))
            if reason == "nl_none" and level.claims_costs:
                notes.append(
                    self.env._(
                        "No collection costs for %(invoices)s: no 14-day letter was "
                        "sent for them yet (art. 6:96 lid 6 BW).",
                        invoices=invoices,
                    )
                )
            elif reason == "nl_letter" and level.claims_costs:
                notes.append(
                    self.env._(
                        "No collection costs for %(invoices)s before %(date)s: the "
                        "14-day letter's term has not passed (art. 6:96 lid 6 BW).",
                        invoices=invoices,
                        date=format_date(self.env, day),
                    )
                )
            elif reason == "be_first":
                notes.append(
                    self.env._(
                        "First reminder for %(invoices)s: it is free, without costs, "
                        "damages or interest (Code of Economic Law, art. XIX.2).",
                        invoices=invoices,
                    )
                )
            elif reason == "be_term":
                notes.append(
                    self.env._(
                        "No costs, damages or interest for %(invoices)s before "
                        "%(date)s: 14 days after the free first reminder (Code of "
                        "Economic Law, art. XIX.2).",
                        invoices=invoices,
                        date=format_date(self.env, day),
                    )
                )
        return notes

    @api.model
    def _cost_charges(self, notice, law, debtor_type, principal, gates, facts, notes):
        """Cost lines: new claims by the law, earlier claims repeated (letter mode)."""
        letter_mode = notice.company_id.dunning_charge_mode == "letter"
        charges, new, waived = [], [], []
        for move, amount in principal.items():
            claim = facts["claimed"].get(move.id)
            if claim and claim["waived"]:
                waived.append(move.name)
            elif claim and letter_mode:
                charges.append(
                    {
                        "kind": "cost",
                        "move_id": move.id,
                        "name": self.env._(
                            "Collection costs claimed on %(notice)s",
                            notice=claim["notice"],
                        ),
                        "origin_id": claim["origin"],
                        "amount": to_decimal(claim["amount"]),
                    }
                )
            elif not claim and amount and self._gate_open(notice, gates, move):
                new.append((move, amount))
        if waived:
            notes.append(
                self.env._(
                    "Collection costs for %(invoices)s were waived.",
                    invoices=", ".join(sorted(waived)),
                )
            )
        if new:
            charges += self._new_cost_charges(notice, law, debtor_type, new, notes)
        return charges

    @api.model
    def _new_cost_charges(self, notice, law, debtor_type, new, notes):
        """Cost lines of the invoices whose costs `notice` claims first."""
        company = notice.company_id
        amounts = [amount for _move, amount in new]
        total = sum(amounts, _ZERO)
        if law == "nl":
            vat = self._cost_vat_rate(company)
            parts = split_pro_rata(fees.nl_collection_costs(total, vat), amounts)
            name = self.env._(
                "Collection costs, Dutch scale on a principal of %(principal)s "
                "(art. 6:96 BW)",
                principal=self._format(total, company),
            )
            if vat:
                percent = f"{vat:g}"  # a plain name: babel cannot read an f-string here
                name = self.env._(
                    "%(name)s, with %(vat)s%% VAT", name=name, vat=percent
                )
        elif debtor_type == "consumer" and law == "be":
            parts = split_pro_rata(fees.be_consumer_damages(total), amounts)
            name = self.env._(
                "Damages on a balance of %(balance)s (Code of Economic Law, Book XIX)",
                balance=self._format(total, company),
            )
        elif debtor_type == "business":
            # 2011/7/EU art. 6; BE law of 2 August 2002 art. 6: EUR 40 per invoice.
            parts = [fees.eu_fixed_compensation() for _amount in amounts]
            name = self.env._(
                "Fixed recovery compensation (Directive 2011/7/EU art. 6)"
            )
        else:
            notes.append(
                self.env._(
                    "This customer's law sets no collection costs for consumers: none "
                    "are claimed."
                )
            )
            return []
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
    def _interest_kind(self, notice, law, debtor_type):
        """The rates a notice's interest follows: contractual, else statutory."""
        return (
            notice.partner_id.dunning_interest_kind
            or notice.company_id.dunning_interest_kind
            or _STATUTORY.get((law, debtor_type))
        )

    @api.model
    def _interest_charges(self, notice, law, debtor_type, by_move, gates, facts, notes):
        """Interest lines, one per rate period and instalment, to the notice date."""
        company = notice.company_id
        kind = self._interest_kind(notice, law, debtor_type)
        if not kind:
            notes.append(
                self.env._(
                    "No statutory interest under this customer's law: name contractual "
                    "interest rates on the customer or in the settings to claim it."
                )
            )
            return []
        label = dict(
            self.env["debtor.dunning.rate"]
            ._fields["kind"]
            ._description_selection(self.env)
        )[kind]
        rates = facts["rates"][company.id].get(kind)
        if not rates:
            notes.append(
                self.env._(
                    "No interest: there are no rates for %(kind)s (Dunning > "
                    "Configuration > Interest Rates).",
                    kind=label,
                )
            )
            return []
        terms = {
            "rates": rates,
            "compound": law == "nl" and kind in _COMPOUNDING,
            "label": label,
            "end": notice.date + _DAY,  # the notice date included
            "rounding": company.currency_id.rounding,
        }
        charges, missing = [], []
        for move, lines in by_move.items():
            # Only Belgian consumers' interest waits (Book XIX); Dutch consumers owe
            # interest from the due date, the 14-day letter gates the costs only.
            gate = gates.get(move) if law == "be" else None
            if gate and not self._gate_open(notice, gates, move):
                continue
            move_charges = []
            for line in lines:
                start = line.date_maturity + _DAY
                try:
                    move_charges += self._line_interest_charges(
                        line, max(start, gate[1]) if gate else start, terms
                    )
                except DunningRuleError:
                    missing.append(move.name)
            charges += move_charges
            invoiced = to_decimal(facts["invoiced"].get(move.id) or 0)
            booked = sum((vals["amount"] for vals in move_charges), _ZERO)
            if invoiced > 0 and booked > 0:
                # Invoice mode: the interest to an earlier notice's date is booked
                # already; this notice books the rest.
                charges.append(
                    {
                        "kind": "interest",
                        "move_id": move.id,
                        "name": self.env._("Interest already invoiced"),
                        "amount": -min(invoiced, booked),
                    }
                )
        if missing:
            notes.append(
                self.env._(
                    "No interest for %(invoices)s: no %(kind)s rate is in force on "
                    "their due date.",
                    invoices=", ".join(sorted(set(missing))),
                    kind=label,
                )
            )
        return charges

    @api.model
    def _line_interest_charges(self, line, start, terms):
        """Interest lines of one due date from `start`, one per rate period."""
        base = to_decimal(line.amount_residual, terms["rounding"])
        total, periods = interest.statutory_interest(
            base, start, terms["end"], terms["rates"], compound_yearly=terms["compound"]
        )
        if not total:
            return []
        parts = split_pro_rata(total, [period.amount for period in periods])
        return [
            {
                "kind": "interest",
                "move_id": line.move_id.id,
                "name": terms["label"],
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
    def _cost_vat_rate(self, company):
        """VAT percent added to Dutch costs: only when the company cannot deduct it."""
        if not company.dunning_charge_vat_on_costs:
            return _ZERO
        return to_decimal(company.dunning_cost_vat_rate)

    @api.model
    def _holidays(self, country, day, facts):
        """Public holidays of `country` around `day` (cached in `facts`)."""
        key = (country, day.year)
        if key not in facts["holidays"]:
            days = getattr(core_calendar, f"{country}_public_holidays")
            facts["holidays"][key] = days(day.year) | days(day.year + 1)
        return facts["holidays"][key]

    @api.model
    def _format(self, amount, company):
        """`amount` in the company's currency, as a user reads it."""
        return company.currency_id.format(float(amount))

    # ------------------------------------------------------------------ booking
    @api.model
    def _issue_law(self, notices):
        """At issue: charges checked again, frozen, booked; limitation interrupted."""
        self._post_charges(notices)
        self._interrupt_limitation(notices)

    @api.model
    def _post_charges(self, notices):
        """Compute the charges again, then post them where the company books them."""
        # The reviewer may have changed the level, lines may have been dropped.
        self._compute_charges(notices)
        self._post_charge_moves(
            notices.filtered(
                lambda n: (
                    n.company_id.dunning_charge_mode == "invoice"
                    and not n.charge_move_id
                )
            )
        )

    @api.model
    def _interrupt_limitation(self, notices):
        """The invoices of notices that interrupt limitation get a new limitation date.

        The service issues notices in SQL, so the ORM does not see the dependency.
        """
        moves = notices.filtered("level_id.interrupts_limitation").line_ids.move_id
        if moves:
            field = self.env["account.move"]._fields["dunning_limitation_date"]
            self.env.add_to_compute(field, moves)

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
        moves.action_post()
        self.env["debtor.dunning.notice"].flush_model(["charge_move_id"])
        self.env.cr.execute(
            """UPDATE debtor_dunning_notice n SET charge_move_id = v.move_id
                 FROM unnest(%s::int[], %s::int[]) AS v(id, move_id)
                WHERE n.id = v.id""",
            [booked, moves.ids],
        )
        notices.invalidate_recordset(["charge_move_id"])
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
        charges.write(
            {
                "waived": True,
                "waive_reason": reason,
                "waived_by_id": self.env.uid,
                "waived_date": today,
            }
        )
        for notice in charges.notice_id:
            kept = notice.charge_ids.filtered(lambda charge: not charge.waived)
            notice.write(
                {
                    "cost_amount": sum(
                        kept.filtered(lambda c: c.kind == "cost").mapped("amount")
                    ),
                    "interest_amount": sum(
                        kept.filtered(lambda c: c.kind == "interest").mapped("amount")
                    ),
                }
            )
            notice.message_post(body=self._waive_message(kinds, reason))
        if rebooked:
            credits = rebooked.charge_move_id._reverse_moves(
                [{"invoice_date": today, "ref": reason} for _move in rebooked],
                cancel=True,
            )
            rebooked.charge_move_id = False
            self._post_charge_moves(rebooked)
            return credits
        return self.env["account.move"]
