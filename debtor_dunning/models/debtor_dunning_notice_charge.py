from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount, format_date

from ..core.law import Announcement, CostRule, GateReason
from . import bulk, guard

# The charge lines of notices go; their waivers are returned to keep them.
_DROP_SQL = """
    DELETE FROM debtor_dunning_notice_charge
     WHERE notice_id = ANY(%(notices)s::int[])
 RETURNING id, notice_id, move_id, kind, waived, waive_reason, waived_by_id,
           waived_date
"""

_INSERT_SQL = """
    INSERT INTO debtor_dunning_notice_charge
           (notice_id, company_id, kind, move_id, name, start_date, end_date, days,
            percent, base_amount, amount, origin_id, waived, waive_reason,
            waived_by_id, waived_date, create_uid, write_uid, create_date, write_date)
    SELECT v.notice_id, n.company_id, v.kind, v.move_id, v.name, v.start_date,
           v.end_date, v.days, v.percent, v.base_amount, v.amount, v.origin_id,
           COALESCE(v.waived, FALSE), v.waive_reason, v.waived_by_id, v.waived_date,
           %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
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
_COLUMNS = (
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
    "waived",
    "waive_reason",
    "waived_by_id",
    "waived_date",
)

# Costs claimed before, per invoice: the first claim (the origin) comes first.
_CLAIMED_SQL = """
    SELECT c.move_id, COALESCE(c.origin_id, c.id) AS origin_id, c.amount, c.waived,
           n.name AS notice_name
      FROM debtor_dunning_notice_charge c
      JOIN debtor_dunning_notice n ON n.id = c.notice_id
     WHERE c.kind = 'cost'
       AND c.amount > 0
       AND c.move_id = ANY(%(moves)s::int[])
       AND n.state = 'issued'
       AND n.id != ALL(%(notices)s::int[])
  ORDER BY n.date, n.id, c.id
"""

# Interest already on posted charge invoices, per invoice.
_INVOICED_SQL = """
    SELECT c.move_id, SUM(c.amount) AS amount
      FROM debtor_dunning_notice_charge c
      JOIN debtor_dunning_notice n ON n.id = c.notice_id
     WHERE c.kind = 'interest'
       AND c.waived IS NOT TRUE
       AND c.move_id = ANY(%(moves)s::int[])
       AND n.state = 'issued'
       AND n.charge_move_id IS NOT NULL
       AND n.id != ALL(%(notices)s::int[])
  GROUP BY c.move_id
"""


class DebtorDunningNoticeCharge(models.Model):
    """A cost or interest line of a notice, with its calculation, frozen at issue."""

    _name = "debtor.dunning.notice.charge"
    _description = "Dunning notice charge"
    _order = "notice_id, kind, move_id, start_date, id"
    _check_company_auto = True

    notice_id = fields.Many2one(
        "debtor.dunning.notice", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="notice_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="notice_id.currency_id")
    kind = fields.Selection(
        [("cost", "Collection costs"), ("interest", "Interest")], required=True
    )
    move_id = fields.Many2one(
        "account.move", string="Invoice", index="btree_not_null", check_company=True
    )
    name = fields.Char(string="Description", required=True)
    start_date = fields.Date()
    end_date = fields.Date(help="Last day of the period.")
    days = fields.Integer()
    percent = fields.Float(digits=(16, 4))
    base_amount = fields.Monetary(currency_field="currency_id")
    amount = fields.Monetary(currency_field="currency_id", required=True)
    origin_id = fields.Many2one(
        "debtor.dunning.notice.charge",
        string="Claimed First On",
        ondelete="set null",
        index="btree_not_null",
        help="Costs are claimed once per invoice: a later notice repeats them from "
        "the notice that claimed them first.",
    )
    waived = fields.Boolean(readonly=True, copy=False)
    waive_reason = fields.Char(readonly=True, copy=False)
    waived_by_id = fields.Many2one("res.users", readonly=True)
    waived_date = fields.Date(readonly=True, copy=False)
    # What the letter prints: the amounts in the letter's currency (see the notice).
    letter_currency_id = fields.Many2one(related="notice_id.letter_currency_id")
    letter_amount = fields.Monetary(
        compute="_compute_letter_amounts", currency_field="letter_currency_id"
    )
    letter_base_amount = fields.Monetary(
        compute="_compute_letter_amounts", currency_field="letter_currency_id"
    )

    @api.depends("amount", "base_amount", "notice_id.letter_rate")
    def _compute_letter_amounts(self):
        for charge in self:
            rate = charge.notice_id.letter_rate or 1.0
            currency = charge.letter_currency_id or charge.currency_id
            charge.letter_amount = currency.round(charge.amount * rate)
            charge.letter_base_amount = currency.round(charge.base_amount * rate)

    @api.model
    def _dunning_replace(self, notices, vals_list):
        """The charge lines of `notices` replaced by `vals_list` in two statements.

        A line waived before stays waived (same notice, invoice and kind): a
        computation never takes back a waiver.
        """
        self.flush_model()
        rows = self.env.execute_query_dict(
            SQL(_DROP_SQL, notices=bulk.array(notices.ids))
        )
        self.browse([row["id"] for row in rows]).invalidate_recordset()
        kept = {
            (row["notice_id"], row["move_id"], row["kind"]): {
                "waived": True,
                "waive_reason": row["waive_reason"],
                "waived_by_id": row["waived_by_id"],
                "waived_date": row["waived_date"],
            }
            for row in rows
            if row["waived"]
        }
        for vals in vals_list:
            vals.update(
                kept.get((vals["notice_id"], vals.get("move_id"), vals["kind"]), {})
            )
        if vals_list:
            params = {
                col: bulk.array(vals.get(col) for vals in vals_list) for col in _COLUMNS
            }
            self.env.cr.execute(SQL(_INSERT_SQL, uid=self.env.uid, **params))
        notices.invalidate_recordset(["charge_ids"])
        return vals_list

    @api.model
    def _dunning_claimed_costs(self, moves, notices):
        """{invoice id: its first cost claim} on issued notices other than `notices`.

        A claim is a dict: origin_id, amount, notice_name, waived (on any notice).
        """
        self.flush_model()
        claimed = {}
        query = SQL(
            _CLAIMED_SQL, moves=bulk.array(moves.ids), notices=bulk.array(notices.ids)
        )
        for row in self.env.execute_query_dict(query):
            claim = claimed.setdefault(row["move_id"], row)
            claim["waived"] = claim["waived"] or row["waived"]
        return claimed

    @api.model
    def _dunning_invoiced_interest(self, moves, notices):
        """{invoice id: interest on posted charge invoices of other notices}."""
        self.flush_model()
        query = SQL(
            _INVOICED_SQL, moves=bulk.array(moves.ids), notices=bulk.array(notices.ids)
        )
        return {
            row["move_id"]: row["amount"] for row in self.env.execute_query_dict(query)
        }

    # ------------------------------------------------------------------ texts
    # The charges service decides with core.law; these turn its values into the
    # words of the letter (in the language of `self.env`) and of the reviewer's note.
    @api.model
    def _dunning_rate_label(self, kind):
        """The name of a kind of interest rate."""
        Rate = self.env["debtor.dunning.rate"]
        return dict(Rate._fields["kind"]._description_selection(self.env))[kind]

    @api.model
    def _dunning_amount(self, amount, currency):
        """`amount` in `currency` as this language writes it (1.597,20 €)."""
        return format_amount(self.env, float(amount), currency)

    @api.model
    def _dunning_cost_name(self, rule, total, vat, currency):
        """The description of new collection costs by `rule`."""
        if rule is CostRule.NL_SCALE:
            name = self.env._(
                "Collection costs, Dutch scale on a principal of %(principal)s "
                "(art. 6:96 BW)",
                principal=self._dunning_amount(total, currency),
            )
            if vat:
                percent = f"{vat:g}"  # a plain name: babel cannot read an f-string here
                return self.env._(
                    "%(name)s, with %(vat)s%% VAT", name=name, vat=percent
                )
            return name
        if rule is CostRule.BE_CONSUMER_DAMAGES:
            return self.env._(
                "Damages on a balance of %(balance)s (Code of Economic Law, Book XIX)",
                balance=self._dunning_amount(total, currency),
            )
        return self.env._("Fixed recovery compensation (Directive 2011/7/EU art. 6)")

    @api.model
    def _dunning_claimed_name(self, notice_name):
        return self.env._("Collection costs claimed on %(notice)s", notice=notice_name)

    @api.model
    def _dunning_fee_name(self):
        return self.env._("Reminder fee (Code of Economic Law, Book XIX)")

    @api.model
    def _dunning_invoiced_name(self):
        return self.env._("Interest already invoiced")

    @api.model
    def _dunning_gate_note(self, gate, invoices, claims_costs):
        """Why the invoices `invoices` are charged nothing yet (empty: no note)."""
        day = gate.opens and format_date(self.env, gate.opens)
        if gate.reason is GateReason.NL_NO_LETTER and claims_costs:
            return self.env._(
                "No collection costs for %(invoices)s: no 14-day letter was sent for "
                "them yet (art. 6:96 lid 6 BW).",
                invoices=invoices,
            )
        if gate.reason is GateReason.NL_LETTER_TERM and claims_costs:
            return self.env._(
                "No collection costs for %(invoices)s before %(date)s: the 14-day "
                "letter's term has not passed (art. 6:96 lid 6 BW).",
                invoices=invoices,
                date=day,
            )
        if gate.reason is GateReason.BE_FIRST_REMINDER:
            return self.env._(
                "First reminder for %(invoices)s: it is free, without costs, damages "
                "or interest (Code of Economic Law, art. XIX.2).",
                invoices=invoices,
            )
        if gate.reason is GateReason.BE_TERM:
            return self.env._(
                "No costs, damages or interest for %(invoices)s before %(date)s: 14 "
                "days after the free first reminder (Code of Economic Law, art. "
                "XIX.2).",
                invoices=invoices,
                date=day,
            )
        return ""

    @api.model
    def _dunning_announcement_note(self, kind, amount, currency):
        """The costs a letter announces, as the reviewer's note says it."""
        if kind is Announcement.NL_FOURTEEN_DAY_COSTS:
            return self.env._(
                "14-day letter: unless the customer pays within fourteen days from the "
                "day after receiving it, collection costs of %(amount)s will be "
                "claimed (art. 6:96 lid 6 BW).",
                amount=self._dunning_amount(amount, currency),
            )
        return self.env._(
            "Free first reminder: unless the customer pays within its term, damages of "
            "up to %(amount)s may be claimed (Code of Economic Law, art. XIX.2).",
            amount=self._dunning_amount(amount, currency),
        )

    @api.model
    def _dunning_interest_notes(self, kind, no_rate, missing):
        """Why some interest is not claimed: no rate in force, or none entered.

        `missing`: (kind of rate, first period without a row of it).
        """
        notes = []
        if no_rate:
            notes.append(
                self.env._(
                    "No interest for %(invoices)s: no %(kind)s rate is in force on "
                    "their due date.",
                    invoices=", ".join(sorted(set(no_rate))),
                    kind=self._dunning_rate_label(kind),
                )
            )
        notes += [
            self.env._(
                "Interest only up to %(day)s: no %(kind)s rate was entered for the "
                "period from %(period)s (Dunning > Configuration > Interest Rates).",
                day=format_date(self.env, period - timedelta(days=1)),
                kind=self._dunning_rate_label(missing_kind),
                period=format_date(self.env, period),
            )
            for missing_kind, period in sorted(missing)
        ]
        return notes

    # ------------------------------------------------------------------ guard
    def _check_notice_not_frozen(self, notices):
        """Lines of an issued notice are what the customer was sent: frozen."""
        frozen = notices._dunning_frozen()
        if frozen and not guard.is_own(self.env):
            raise UserError(frozen._dunning_frozen_message())

    @api.model_create_multi
    def create(self, vals_list):
        self._check_notice_not_frozen(
            self.env["debtor.dunning.notice"].browse(
                [vals["notice_id"] for vals in vals_list if vals.get("notice_id")]
            )
        )
        return super().create(vals_list)

    def write(self, vals):
        notices = self.notice_id
        if vals.get("notice_id"):
            notices |= notices.browse(vals["notice_id"])
        self._check_notice_not_frozen(notices)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_not_issued(self):
        self._check_notice_not_frozen(self.notice_id)
