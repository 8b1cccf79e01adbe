from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, Query
from odoo.tools.sql import column_exists, create_column

from .. import compat
from ..core import law, limitation
from ..core.errors import DunningRuleError
from ..core.holds import Hold, HoldFacts, hold_on, resolve
from ..core.money import to_decimal
from ..core.promise import allocate_oldest_first
from . import bulk, guard, schema

HOLDS = [
    (Hold.HANDED_OVER.value, "Handed over"),
    (Hold.FACTORED.value, "Sold to a factor"),
    (Hold.DISPUTED.value, "Disputed"),
    (Hold.ARRANGEMENT.value, "Payment arrangement"),
    (Hold.PROMISE.value, "Promise to pay"),
    (Hold.EXCLUDED.value, "Excluded"),
]
DUNNING_STATES = [
    ("not_due", "Not due"),
    ("overdue", "Overdue"),
    ("in_dunning", "In dunning"),
    ("disputed", "Paused: disputed"),
    ("arrangement", "Paused: arrangement"),
    ("promise", "Paused: promise to pay"),
    ("excluded", "Paused: excluded"),
    ("handed_over", "Handed over"),
    ("factored", "Sold to a factor"),
    ("paid", "Paid"),
]
# What dunning is about: customer invoices and receipts, posted, not settled. "Open"
# is one definition, here: `_dunning_open_domain` for invoices and, for their
# receivable lines, `account.move.line._dunning_open_item_domain` (an invoice is open
# exactly while it has an open receivable line). Odoo 18's "blocked" payment state is
# open: the money is still owed.
DUNNED_TYPES = ("out_invoice", "out_receipt")
SETTLED = ("paid", "in_payment", "reversed", "invoicing_legacy")


class AccountMove(models.Model):
    _inherit = "account.move"

    # Where an invoice stands is its positions' (debtor.dunning.position, one per due
    # date), read from them and never stored on the wide, busy account_move: a run
    # would rewrite every dunned invoice's row and its 30-odd indexes. Reading,
    # searching, grouping and sorting share one SQL (`_dunning_position_summary_sql`).
    dunning_level_id = fields.Many2one(
        "debtor.dunning.level",
        compute="_compute_dunning_position_summary",
        search="_search_dunning_level_id",
        help="The highest level any due date of this invoice has reached.",
    )
    dunning_last_date = fields.Date(
        string="Last Dunning",
        compute="_compute_dunning_position_summary",
        search="_search_dunning_last_date",
        help="The date of the last notice that listed this invoice.",
    )
    dunning_state = fields.Selection(
        DUNNING_STATES,
        compute="_compute_dunning_state",
        search="_search_dunning_state",
    )
    dunning_next_date = fields.Date(
        string="Next Dunning",
        compute="_compute_dunning_next_date",
        compute_sudo=True,
        help="The day this invoice reaches its next level if nothing changes.",
    )
    dunning_days_overdue = fields.Integer(
        string="Days Overdue",
        compute="_compute_dunning_days_overdue",
        help="Days since the due date of an open invoice, today.",
    )
    dunning_excluded = fields.Boolean(
        string="Excluded from Dunning", copy=False, tracking=True
    )
    dunning_exclusion_reason = fields.Char(copy=False, tracking=True)
    dunning_excluded_until = fields.Date(
        copy=False,
        tracking=True,
        help="Dunning resumes by itself after this day. Empty: until lifted by hand.",
    )
    dunning_disputed = fields.Boolean(
        string="Disputed",
        copy=False,
        tracking=True,
        help="Set while a dispute on this invoice is open (debtor.dunning.dispute "
        "writes it): a column, so that the run reads holds set-based.",
    )
    dunning_dispute_ids = fields.One2many(
        "debtor.dunning.dispute", "move_id", string="Disputes"
    )
    dunning_arrangement_id = fields.Many2one(
        "debtor.dunning.arrangement",
        string="Payment Arrangement",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The running arrangement that pays this invoice: no dunning meanwhile.",
    )
    dunning_acknowledged_date = fields.Date(
        string="Debt Acknowledged On",
        copy=False,
        readonly=True,
        help="Last acknowledgment of the debt by the customer (a payment arrangement): "
        "it interrupts limitation.",
    )
    dunning_promise_date = fields.Date(
        string="Promised Payment Date",
        copy=False,
        tracking=True,
        help="Dunning pauses until this day; a promise not kept escalates.",
    )
    dunning_promise_amount = fields.Monetary(string="Promised Amount", copy=False)
    dunning_handed_over_date = fields.Date(
        string="Handed Over On",
        copy=False,
        readonly=True,
        help="The day the debt went to the collection agency: our own dunning stops.",
    )
    # The one definition of "on hold": kind and last day, stored (see core/holds.py).
    dunning_hold = fields.Selection(
        HOLDS,
        compute="_compute_dunning_hold",
        store=True,
        copy=False,
        help="Why dunning of this invoice pauses (until Hold Until, if set).",
    )
    dunning_hold_until = fields.Date(
        string="Hold Until",
        compute="_compute_dunning_hold",
        store=True,
        copy=False,
        help="The last day of the hold; empty: until it is lifted.",
    )
    dunning_line_ids = fields.One2many(
        "debtor.dunning.notice.line", "move_id", string="Dunning History"
    )
    dunning_position_ids = fields.One2many(
        "debtor.dunning.position", "move_id", string="Dunning Positions"
    )
    # The law on an invoice: when its claim is time-barred, whether its term is legal.
    dunning_limitation_date = fields.Date(
        string="Time-Barred On",
        compute="_compute_dunning_limitation_date",
        store=True,
        copy=False,
        help="The first day the claim is time-barred under Dutch law (art. 3:307 BW: "
        "five years, two for a consumer sale), counting notices that interrupt it, "
        "part payments and acknowledgments. Empty: paid, or not under Dutch law.",
    )
    dunning_term_warning = fields.Char(compute="_compute_dunning_term_warning")
    # Credit hold of the customer: a new invoice is not posted without an override.
    dunning_credit_held = fields.Boolean(
        string="Customer on Credit Hold", compute="_compute_dunning_credit_held"
    )
    # Factoring: an invoice sold to a factor is paid to the factor.
    dunning_factor_id = fields.Many2one(
        "res.partner",
        string="Factor",
        copy=False,
        tracking=True,
        index="btree_not_null",
        help="The factor this invoice was sold to: the customer pays the factor. "
        "The factor's form says whether we still dun it.",
    )
    dunning_factored_date = fields.Date(string="Sold to Factor On", copy=False)
    dunning_factor_reference = fields.Char(
        string="Factor Reference",
        copy=False,
        help="The payment reference the factor asks the customer to quote. Empty: "
        "the invoice number.",
    )
    # Credit insurance: by when the insurer must hear of a payment default.
    dunning_insurance_deadline = fields.Date(
        string="Insurer Notification Deadline",
        compute="_compute_dunning_insurance",
        help="The last day the customer's credit insurer must be notified of this "
        "overdue invoice.",
    )
    dunning_insurance_status = fields.Selection(
        [
            ("running", "Running"),
            ("approaching", "Approaching"),
            ("past", "Past"),
            ("notified", "Notified"),
        ],
        string="Insurer Notification",
        compute="_compute_dunning_insurance",
        search="_search_dunning_insurance_status",
    )
    dunning_insurer_notified_date = fields.Date(
        string="Insurer Notified On", copy=False, tracking=True
    )

    def _auto_init(self):
        schema.create_defaulted_columns(self)
        # A stored computed column would be computed for every journal entry at install;
        # created empty here, they are filled where they apply only (data/account_move
        # _data.xml): the open invoices' limitation dates, the holds of invoices with a
        # draft credit note (nothing else holds an invoice before the add-on is there).
        for column, kind in (
            ("dunning_limitation_date", "date"),
            ("dunning_hold", "varchar"),
            ("dunning_hold_until", "date"),
        ):
            if not column_exists(self.env.cr, "account_move", column):
                create_column(self.env.cr, "account_move", column, kind)
        return super()._auto_init()

    # ------------------------------------------------------------------ rights
    @api.model_create_multi
    def create(self, vals_list):
        guard.check_dunning_rights(self.browse(), vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if derived := [name for name in self._POSITION_COLUMNS if name in vals]:
            raise UserError(
                self.env._(
                    "%(fields)s of an invoice follow the notices that listed it: "
                    "issue or cancel a notice to change them.",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env)
                        for name in derived
                    ),
                )
            )
        guard.check_dunning_rights(self, [vals])
        return super().write(vals)

    # ------------------------------------------------------------------ position
    _POSITION_COLUMNS = {
        "dunning_level_id": "level_id",
        "dunning_last_date": "last_date",
    }

    @api.model
    def _dunning_position_summary_sql(self, fname, move_id=None):
        """dunning_level_id (the highest level of an invoice's positions) or
        dunning_last_date (the latest date a notice listed it), the one definition
        of both: (move_id, value) rows of the invoices that have one, or, given the
        SQL of an invoice id `move_id`, a scalar subquery of its value."""
        Position = self.env["debtor.dunning.position"]
        column = self._POSITION_COLUMNS[fname]
        value = SQL.identifier("pos", column, to_flush=Position._fields[column])
        moved = SQL.identifier("pos", "move_id", to_flush=Position._fields["move_id"])
        where = SQL("%s = %s", moved, move_id) if move_id is not None else SQL("TRUE")
        if fname == "dunning_last_date":
            sql = SQL(
                """SELECT %(moved)s AS move_id, MAX(%(value)s) AS value
                     FROM debtor_dunning_position pos
                    WHERE %(value)s IS NOT NULL AND %(where)s
                 GROUP BY %(moved)s""",
                value=value,
                moved=moved,
                where=where,
            )
        else:
            sql = SQL(
                """SELECT DISTINCT ON (%(moved)s) %(moved)s AS move_id,
                          %(value)s AS value
                     FROM debtor_dunning_position pos
                     JOIN debtor_dunning_level lvl ON lvl.id = %(value)s
                    WHERE %(where)s
                 ORDER BY %(moved)s, lvl.rank DESC, lvl.id DESC""",
                value=value,
                moved=moved,
                where=where,
            )
        if move_id is None:
            return sql
        return SQL("(SELECT s.value FROM (%s) s)", sql)

    def _field_to_sql(self, alias, fname, query=None, *args, **kwargs):
        # 18.0 passes a `flush` flag, 19.0 does not: the rest goes through as given.
        if fname in self._POSITION_COLUMNS:
            return self._dunning_position_summary_sql(
                fname, SQL.identifier(alias, "id")
            )
        return super()._field_to_sql(alias, fname, query, *args, **kwargs)

    @api.depends("dunning_position_ids.level_id.rank", "dunning_position_ids.last_date")
    def _compute_dunning_position_summary(self):
        ids = tuple(self._origin.ids)
        found = {
            fname: dict(
                self.env.execute_query(
                    SQL(
                        "SELECT s.move_id, s.value FROM (%s) s WHERE s.move_id IN %s",
                        self._dunning_position_summary_sql(fname),
                        ids,
                    )
                )
                if ids
                else {}
            )
            for fname in self._POSITION_COLUMNS
        }
        Level = self.env["debtor.dunning.level"]
        for move in self:
            move.dunning_level_id = Level.browse(
                found["dunning_level_id"].get(move._origin.id)
            )
            move.dunning_last_date = found["dunning_last_date"].get(
                move._origin.id, False
            )

    def _search_dunning_level_id(self, operator, value):
        return self._search_dunning_position("dunning_level_id", operator, value)

    def _search_dunning_last_date(self, operator, value):
        return self._search_dunning_position("dunning_last_date", operator, value)

    def _search_dunning_position(self, fname, operator, value):
        """Invoices whose dunning_level_id / dunning_last_date meet the condition, as
        `id in (SQL)` domains; an invoice without positions has neither value."""
        summary = self._dunning_position_summary_sql(fname)

        def among(condition):
            return (
                "id",
                "in",
                SQL("(SELECT s.move_id FROM (%s) s WHERE %s)", summary, condition),
            )

        if operator in ("<", "<=", ">", ">="):
            return [among(SQL(f"s.value {operator} %s", value))]
        levels = self.env["debtor.dunning.level"].with_context(active_test=False)
        if fname == "dunning_level_id" and (
            operator in ("any", "not any") or isinstance(value, Query)
        ):
            # A condition on the level itself (dunning_level_id.rank > 2).
            query = value if isinstance(value, Query) else levels._search(value)
            domain = [among(SQL("s.value IN %s", query.subselect()))]
            return ["!", *domain] if operator in ("not any", "not in") else domain
        if fname == "dunning_level_id" and operator not in ("=", "!=", "in", "not in"):
            # A name or a pattern: the levels it names.
            query = levels._search([("name", operator, value)])
            return [among(SQL("s.value IN %s", query.subselect()))]
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(
                self.env._(
                    "This search on %(field)s is not supported.",
                    field=self._fields[fname]._description_string(self.env),
                )
            )
        wanted, empty = self._dunning_position_values(fname, value)
        domain = [among(SQL("s.value IN %s", tuple(wanted)))] if wanted else []
        if empty:  # and the invoices without a value
            domain = ["|", *domain] if domain else []
            domain += ["!", among(SQL("TRUE"))]
        domain = domain or [("id", "=", False)]
        return ["!", *domain] if operator in ("!=", "not in") else domain

    def _dunning_position_values(self, fname, value):
        """(the values asked for, whether "none" is asked for too) of an = / in
        search: ids, records or names of levels, dates."""
        # 19.0 passes an OrderedSet, 18.0 a list or a single value.
        values = [value] if isinstance(value, str | date) else value
        values = list(values) if isinstance(values, Iterable) else [values]
        levels = self.env["debtor.dunning.level"].with_context(active_test=False)
        wanted, empty = [], False
        for one in values:
            if one is False or one is None:
                empty = True
            elif isinstance(one, models.BaseModel):
                wanted += one.ids
            elif fname == "dunning_level_id" and isinstance(one, str):
                wanted += levels.search([("name", "=", one)]).ids  # a level's name
            else:
                wanted.append(one)
        return wanted, empty

    # ------------------------------------------------------------------ open, holds
    @api.model
    def _dunning_open_domain(self):
        """Customer invoices that dunning is about: posted and not settled."""
        return [
            ("move_type", "in", DUNNED_TYPES),
            ("state", "=", "posted"),
            ("payment_state", "not in", SETTLED),
        ]

    def _dunning_is_open(self):
        """Whether this invoice is open in the sense of `_dunning_open_domain`."""
        self.ensure_one()
        return (
            self.move_type in DUNNED_TYPES
            and self.state == "posted"
            and self.payment_state not in SETTLED
        )

    @api.model
    def _dunning_held_domain(self, today, holds=None):
        """Invoices on hold on `today` (of the given hold kinds, else any).

        One prefix expression, so that a "!" in front negates all of it.
        """
        return [
            "&",
            ("dunning_hold", "in", holds or [hold for hold, _label in HOLDS]),
            "|",
            ("dunning_hold_until", "=", False),
            ("dunning_hold_until", ">=", today),
        ]

    @api.model
    def _dunning_arrangeable_domain(self, partner=None, arrangement=None):
        """Open invoices that may go into a payment arrangement (of `partner`).

        Not handed over, not disputed (holds without an end, core/holds.py), not under
        another arrangement than `arrangement`. Whether only overdue ones are offered
        is the caller's choice.
        """
        domain = self._dunning_open_domain() + [
            ("dunning_hold", "not in", [Hold.HANDED_OVER.value, Hold.DISPUTED.value]),
            (
                "dunning_arrangement_id",
                "in",
                [False, arrangement.id if arrangement else False],
            ),
        ]
        if partner is not None:
            domain.append(("commercial_partner_id", "=", partner.id))
        return domain

    def _dunning_arrangement_problem(self, partner, arrangement=None):
        """Why this invoice cannot go into an arrangement of `partner`, or None.

        The rule is `_dunning_arrangeable_domain`; this only explains a refusal.
        """
        self.ensure_one()
        if self.filtered_domain(self._dunning_arrangeable_domain(partner, arrangement)):
            return None
        if not self._dunning_is_open() or self.commercial_partner_id != partner:
            if self.payment_state in SETTLED:
                return self.env._("%(invoice)s is paid already.", invoice=self.name)
            return self.env._(
                "%(invoice)s is not an open invoice of %(customer)s.",
                invoice=self.display_name,
                customer=partner.display_name,
            )
        if self.dunning_arrangement_id:
            return self.env._(
                "%(invoice)s is in payment arrangement %(other)s already.",
                invoice=self.display_name,
                other=self.dunning_arrangement_id.display_name,
            )
        if self.dunning_hold == Hold.HANDED_OVER.value:
            return self.env._(
                "%(invoice)s was handed over to a collection agency.",
                invoice=self.display_name,
            )
        return self.env._(
            "%(invoice)s is disputed: settle the dispute first.",
            invoice=self.display_name,
        )

    def _dunning_hold_facts(self):
        """What holds this invoice, as the core reads it."""
        self.ensure_one()
        return HoldFacts(
            handed_over=bool(self.dunning_handed_over_date),
            factored=self._dunning_factor_duns(),
            disputed=self.dunning_disputed or bool(self._dunning_draft_credit_notes()),
            arrangement=bool(self.dunning_arrangement_id),
            promise_until=self.dunning_promise_date or None,
            excluded=self.dunning_excluded,
            excluded_until=self.dunning_excluded_until or None,
        )

    @api.depends(
        "dunning_handed_over_date",
        "dunning_factor_id.dunning_factor_mode",
        "dunning_disputed",
        "reversal_move_ids.state",
        "reversal_move_ids.move_type",
        "dunning_arrangement_id",
        "dunning_promise_date",
        "dunning_excluded",
        "dunning_excluded_until",
    )
    def _compute_dunning_hold(self):
        for move in self:
            hold, until = resolve(move._dunning_hold_facts())
            move.dunning_hold = hold and hold.value
            move.dunning_hold_until = until

    def _dunning_factor_duns(self):
        """Whether the factor this invoice was sold to duns it (we do not)."""
        self.ensure_one()
        return (
            bool(self.dunning_factor_id)
            and (self.dunning_factor_id.dunning_factor_mode or "factor") == "factor"
        )

    def _dunning_hold(self, today):
        """The hold that applies on `today`, as a dunning_state value (or False)."""
        self.ensure_one()
        hold = hold_on(
            self.dunning_hold and Hold(self.dunning_hold),
            self.dunning_hold_until or None,
            today,
        )
        return hold.value if hold else False

    @api.model
    def _dunning_init_holds(self):
        """At install: invoices with a draft credit note are held as disputed."""
        self.env.execute_query(
            SQL(
                """UPDATE account_move m SET dunning_hold = 'disputed'
                     FROM account_move r
                    WHERE r.reversed_entry_id = m.id AND r.state = 'draft'
                      AND r.move_type = 'out_refund'
                      AND m.move_type IN %(types)s AND m.dunning_hold IS NULL""",
                types=DUNNED_TYPES,
            )
        )
        self.invalidate_model(["dunning_hold", "dunning_hold_until"])

    @api.depends(
        "move_type",
        "state",
        "payment_state",
        "invoice_date_due",
        "dunning_level_id",
        "dunning_hold",
        "dunning_hold_until",
    )
    def _compute_dunning_state(self):
        today = fields.Date.context_today(self)
        for move in self:
            if move.move_type not in DUNNED_TYPES or move.state != "posted":
                move.dunning_state = False
            elif move.payment_state in SETTLED:
                move.dunning_state = "paid"
            else:
                move.dunning_state = (
                    move._dunning_hold(today)
                    or (move.dunning_level_id and "in_dunning")
                    or (
                        "overdue"
                        if move.invoice_date_due and move.invoice_date_due < today
                        else "not_due"
                    )
                )

    def _search_dunning_state(self, operator, value):
        if operator not in ("=", "in"):
            raise UserError(self.env._("Unsupported search on the dunning state."))
        today = fields.Date.context_today(self)
        open_ = self._dunning_open_domain()
        held = self._dunning_held_domain(today)
        not_held = ["!", *held]
        domains = {
            "paid": [
                ("move_type", "in", DUNNED_TYPES),
                ("state", "=", "posted"),
                ("payment_state", "in", SETTLED),
            ],
            "in_dunning": compat.AND(
                [open_, not_held, [("dunning_level_id", "!=", False)]]
            ),
            "overdue": compat.AND(
                [
                    open_,
                    not_held,
                    [
                        ("dunning_level_id", "=", False),
                        ("invoice_date_due", "<", today),
                    ],
                ]
            ),
            "not_due": compat.AND(
                [
                    open_,
                    not_held,
                    [
                        ("dunning_level_id", "=", False),
                        ("invoice_date_due", ">=", today),
                    ],
                ]
            ),
        }
        for hold, _label in HOLDS:
            domains[hold] = compat.AND(
                [open_, self._dunning_held_domain(today, [hold])]
            )
        values = [value] if operator == "=" else list(value)
        return compat.OR([domains[state] for state in values if state in domains]) or [
            ("id", "=", False)
        ]

    @api.depends("invoice_date_due", "payment_state", "state", "move_type")
    def _compute_dunning_days_overdue(self):
        today = fields.Date.context_today(self)
        for move in self:
            due = move.invoice_date_due
            move.dunning_days_overdue = (
                max((today - due).days, 0) if due and move._dunning_is_open() else 0
            )

    def action_open_dunning_statement(self):
        """The statement of this invoice's customer."""
        self.ensure_one()
        return self.commercial_partner_id.action_open_dunning_statement()

    @api.depends("dunning_state", "dunning_level_id", "invoice_date_due")
    def _compute_dunning_next_date(self):
        active = self.filtered(
            lambda m: (
                m.dunning_state
                in ("overdue", "in_dunning", "not_due", "promise", "excluded")
            )
        )
        (self - active).dunning_next_date = False
        if active:
            dates = self.env["debtor.dunning.escalation"]._next_dates(active)
            for move in active:
                move.dunning_next_date = dates.get(move.id, False)

    @api.depends(
        "state",
        "move_type",
        "payment_state",
        "amount_residual",
        "line_ids.date_maturity",
        "commercial_partner_id.dunning_law_country",
        "commercial_partner_id.dunning_debtor_type",
        "commercial_partner_id.country_id",
        "company_id.dunning_law_country",
        "dunning_acknowledged_date",
        "dunning_line_ids.state",
        "dunning_line_ids.notice_id.level_id.interrupts_limitation",
    )
    def _compute_dunning_limitation_date(self):
        open_ = self.filtered(
            lambda m: (
                m.move_type in DUNNED_TYPES
                and m.state == "posted"
                and m.payment_state not in SETTLED
                and m.commercial_partner_id
            )
        )
        tracked = open_.filtered(
            lambda m: law.tracks_limitation(
                m.commercial_partner_id._dunning_law(m.company_id)[0]
            )
        )
        (self - tracked).dunning_limitation_date = False
        for move in tracked:
            _law, debtor_type = move.commercial_partner_id._dunning_law(move.company_id)
            terms = move.line_ids.filtered(
                lambda line: line.display_type == "payment_term" and not line.reconciled
            )
            due = min(terms.mapped("date_maturity") or [move.invoice_date_due])
            # Art. 7:28 BW: two years for the price of a consumer sale. Every consumer
            # invoice counts as one: the earlier date is the safe one to watch.
            move.dunning_limitation_date = limitation.limitation_date(
                due,
                consumer_sale=debtor_type == "consumer",
                interruptions=move._dunning_interruptions(),
            )

    @api.depends(
        "move_type",
        "invoice_date",
        "invoice_date_due",
        "partner_id.commercial_partner_id.dunning_law_country",
        "partner_id.commercial_partner_id.dunning_debtor_type",
        "partner_id.commercial_partner_id.dunning_sme",
        "partner_id.commercial_partner_id.country_id",
        "company_id.dunning_law_country",
        "company_id.dunning_large_company",
    )
    def _compute_dunning_term_warning(self):
        today = fields.Date.context_today(self)
        for move in self:
            move.dunning_term_warning = move._dunning_term_warning(today)

    # ------------------------------------------------------------------ credit
    @api.depends("partner_id", "company_id", "move_type", "state")
    def _compute_dunning_credit_held(self):
        held = self.env["debtor.dunning.credit"]._held(
            self.filtered(lambda m: m.state == "draft")
        )
        for move in self:
            move.dunning_credit_held = move in held

    def _dunning_credit_customer(self):
        """(customer, company) whose credit hold stops this document, if any.

        New customer invoices only: credit notes and other entries are never held.
        """
        self.ensure_one()
        if self.move_type not in DUNNED_TYPES or not self.partner_id:
            return self.env["res.partner"], self.company_id
        return self.commercial_partner_id, self.company_id

    def _dunning_credit_proceed(self):
        """Go on after a credit hold override: post."""
        return self.action_post()

    def _post(self, soft=True):
        self.env["debtor.dunning.credit"]._check(
            self.filtered(lambda m: m.move_type in DUNNED_TYPES)
        )
        return super()._post(soft=soft)

    def action_dunning_credit_override(self):
        """Post despite the customer's credit hold: a manager gives the reason."""
        return self.env["debtor.dunning.credit"]._override_action(self)

    # ------------------------------------------------------------------ insurance
    @api.depends_context("company")
    @api.depends("invoice_date_due", "payment_state", "dunning_insurer_notified_date")
    def _compute_dunning_insurance(self):
        facts = self.env["debtor.dunning.insurance"]._deadlines(self)
        for move in self:
            deadline, status = facts.get(move.id, (False, False))
            move.dunning_insurance_deadline = deadline
            move.dunning_insurance_status = status

    def _search_dunning_insurance_status(self, operator, value):
        if operator not in ("=", "in"):
            raise UserError(
                self.env._("Unsupported search on the insurer notification.")
            )
        values = [value] if operator == "=" else list(value)
        moves = self.env["debtor.dunning.insurance"]._insured_moves()
        facts = self.env["debtor.dunning.insurance"]._deadlines(moves)
        return [
            (
                "id",
                "in",
                [key for key, (_d, status) in facts.items() if status in values],
            )
        ]

    # ------------------------------------------------------------------ factoring
    @api.constrains("dunning_factor_id", "partner_id")
    def _check_dunning_factor(self):
        for move in self.filtered("dunning_factor_id"):
            if move.dunning_factor_id.commercial_partner_id == (
                move.commercial_partner_id
            ):
                raise UserError(
                    self.env._(
                        "Factor: %(invoice)s cannot be sold to its own customer.",
                        invoice=move.display_name,
                    )
                )

    def _dunning_sell_to_factor(self, factor, day):
        """These invoices are sold to `factor` on `day` (logged on each)."""
        if not factor:
            raise UserError(self.env._("Factor: say to whom the invoices are sold."))
        if not day:
            raise UserError(self.env._("Sold On: say when the invoices were sold."))
        self.write({"dunning_factor_id": factor.id, "dunning_factored_date": day})
        body = self.env._(
            "Sold to factor %(factor)s on %(date)s.",
            factor=factor.display_name,
            date=fields.Date.to_string(day),
        )
        self._message_log_batch(bodies=dict.fromkeys(self.ids, body))

    def _dunning_payee(self):
        """(factor, its bank account, the reference to quote) of a factored invoice;
        empty records and False when this invoice is paid to us."""
        self.ensure_one()
        factor = self.dunning_factor_id
        if not factor:
            return factor, self.env["res.partner.bank"], False
        bank = factor.bank_ids.sorted("sequence")[:1]
        return factor, bank, self.dunning_factor_reference or self.name

    def action_dunning_exclude(self):
        """Open the exclusion wizard for these invoices."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Exclude from Dunning"),
            "res_model": "debtor.dunning.exclude",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": "account.move", "active_ids": self.ids},
        }

    def action_dunning_resume(self):
        """Lift an exclusion by hand: dunning goes on where it stood."""
        self.write(
            {
                "dunning_excluded": False,
                "dunning_exclusion_reason": False,
                "dunning_excluded_until": False,
            }
        )
        return True

    def _dunning_hand_over(self, day):
        """These invoices go to the collection agency on `day`: our dunning stops."""
        self.filtered(lambda m: not m.dunning_handed_over_date).write(
            {"dunning_handed_over_date": day}
        )

    def _dunning_exclude(self, reason, until=None):
        """Keep these invoices out of dunning (until `until`, included, if given)."""
        if not (reason or "").strip():
            raise UserError(self.env._("Reason: say why these invoices are excluded."))
        if until and until < fields.Date.context_today(self):
            raise UserError(
                self.env._("Until: the end of an exclusion cannot lie in the past.")
            )
        self.write(
            {
                "dunning_excluded": True,
                "dunning_exclusion_reason": reason.strip(),
                "dunning_excluded_until": until or False,
            }
        )

    def _dunning_record_promise(self, day, amount):
        """The customer promised to pay `amount` on `day` for these invoices.

        Dunning pauses until that day; the amount is spread over the invoices, oldest
        first (core.promise), none above its open amount.
        """
        if not self or not day or amount <= 0:
            raise UserError(
                self.env._("A promise needs the invoices, a date and an amount.")
            )
        if day < fields.Date.context_today(self):
            raise UserError(
                self.env._("The promised day %(date)s lies in the past.", date=day)
            )
        moves = self.sorted(lambda m: (m.invoice_date_due, m.id))
        rounding = moves.company_id.currency_id[:1].rounding or 0.01
        try:
            shares = allocate_oldest_first(
                to_decimal(amount, rounding),
                tuple(
                    to_decimal(max(m.amount_residual_signed, 0), rounding)
                    for m in moves
                ),
            )
        except DunningRuleError as error:
            raise UserError(
                self.env._(
                    "The promise cannot be recorded: %(error)s", error=str(error)
                )
            ) from error
        moves.write({"dunning_promise_date": day})
        by_share = defaultdict(lambda: moves.browse())
        for move, share in zip(moves, shares, strict=True):
            by_share[float(share)] |= move
        for share, group in by_share.items():
            group.write({"dunning_promise_amount": share})
        # The history the figures read (promises kept or broken).
        self.env["debtor.dunning.promise"].create(
            [
                {"move_id": move.id, "promised_date": day, "amount": float(share)}
                for move, share in zip(moves, shares, strict=True)
                if share > 0
            ]
        )

    def action_dunning_dispute(self):
        """Open a new dispute on this invoice (its dunning pauses once saved)."""
        self.ensure_one()
        self._check_dunning_disputable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispute"),
            "res_model": "debtor.dunning.dispute",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_id": self.id},
        }

    def action_dunning_arrangement(self):
        """A draft payment arrangement over the customer's overdue invoices."""
        self.ensure_one()
        customer = self.commercial_partner_id
        today = fields.Date.context_today(self)
        overdue = self.search(
            self._dunning_arrangeable_domain(customer)
            + [
                ("company_id", "=", self.company_id.id),
                ("invoice_date_due", "<", today),
            ]
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Payment Arrangement"),
            "res_model": "debtor.dunning.arrangement",
            "view_mode": "form",
            "context": {
                "default_partner_id": customer.id,
                "default_company_id": self.company_id.id,
                "default_move_ids": [fields.Command.set((overdue | self).ids)],
            },
        }

    def action_open_dunning_arrangement(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "debtor.dunning.arrangement",
            "view_mode": "form",
            "res_id": self.dunning_arrangement_id.id,
        }

    def _check_dunning_disputable(self):
        """Only open, posted customer invoices can be disputed."""
        for move in self:
            if not move._dunning_is_open():
                raise UserError(
                    self.env._(
                        "%(invoice)s cannot be disputed: only open, posted customer "
                        "invoices can.",
                        invoice=move.display_name,
                    )
                )

    def _dunning_draft_credit_notes(self):
        """Draft credit notes of this invoice: they hold its dunning like a dispute."""
        self.ensure_one()
        return self.reversal_move_ids.filtered(
            lambda r: r.state == "draft" and r.move_type == "out_refund"
        )

    def _dunning_sync_disputed(self):
        """dunning_disputed follows the open disputes of these invoices."""
        if not self:
            return
        groups = (
            self.env["debtor.dunning.dispute"]
            .sudo()
            ._read_group(
                [("move_id", "in", self.ids), ("state", "=", "open")], ["move_id"]
            )
        )
        disputed = self.browse([move.id for (move,) in groups])
        to_set = disputed.filtered(lambda m: not m.dunning_disputed)
        to_clear = (self - disputed).filtered("dunning_disputed")
        if to_set:
            to_set.sudo().write({"dunning_disputed": True})
        if to_clear:
            to_clear.sudo().write({"dunning_disputed": False})

    def _invoice_paid_hook(self):
        """A payment arrangement whose invoices are all paid closes itself now."""
        result = super()._invoice_paid_hook()
        arrangements = self.sudo().dunning_arrangement_id
        if arrangements:
            arrangements._check_paid()
        return result

    def _dunning_interruptions(self):
        """Days that interrupted this invoice's limitation (art. 3:317, 3:318 BW)."""
        self.ensure_one()
        # Prefetching reads these for all invoices of a batch at once.
        days = [
            line.notice_date
            for line in self.dunning_line_ids
            if line.state == "issued" and line.notice_id.level_id.interrupts_limitation
        ]
        # A part payment acknowledges the debt; a credit note does not.
        days += [
            partial.max_date
            for partial in self.line_ids.matched_credit_ids
            if partial.credit_move_id.move_id.move_type
            not in ("out_refund", "in_refund")
        ]
        if self.dunning_acknowledged_date:
            days.append(self.dunning_acknowledged_date)
        return days

    def _dunning_term_warning(self, today):
        """Why this customer invoice's payment term exceeds the legal maximum, if so."""
        self.ensure_one()
        if self.move_type != "out_invoice" or not self.partner_id:
            return False
        commercial = self.partner_id.commercial_partner_id
        governing, debtor = commercial._dunning_law(self.company_id)
        if not self.invoice_date_due:
            return False
        days = (self.invoice_date_due - (self.invoice_date or today)).days
        limit = law.payment_term_exceeds(
            governing,
            debtor,
            self.company_id.dunning_large_company,
            commercial.dunning_sme,
            days,
        )
        values = {"days": days, "max": law.TERM_LIMIT_DAYS.get(limit)}
        if limit is law.TermLimit.NL_LARGE_TO_SME:
            return self.env._(
                "This invoice gives %(days)s days to pay, but a large company may "
                "give an SME at most %(max)s days (art. 6:119a lid 6 BW): a longer "
                "term is void.",
                **values,
            )
        if limit is law.TermLimit.BE_COMMERCIAL:
            return self.env._(
                "This invoice gives %(days)s days to pay: Belgian law allows at most "
                "%(max)s days in commercial transactions (law of 2 August 2002, art. "
                "4).",
                **values,
            )
        if limit:
            return self.env._(
                "This invoice gives %(days)s days to pay: more than %(max)s days for a "
                "business debt holds only when expressly agreed and not grossly unfair "
                "to the customer (%(article)s).",
                **values,
                article=(
                    "art. 6:119a lid 5 BW"
                    if limit is law.TermLimit.NL_COMMERCIAL
                    else "Directive 2011/7/EU, art. 3"
                ),
            )
        return False

    @api.model
    def _dunning_init_limitation_dates(self):
        """Fill the limitation dates of the open customer invoices (at install)."""
        self._dunning_write_limitation_dates()

    @api.model
    def _dunning_write_limitation_dates(self, moves=None):
        """Write the limitation dates of `moves` (all open customer invoices if None).

        Set-based, as _compute_dunning_limitation_date decides: first the law of
        each customer and company of an open invoice (a few thousand pairs; under
        another law than the Dutch there is nothing more to read), then, for the
        pairs under Dutch law, each invoice's earliest open due date and its
        interruptions (notices that interrupt, part payments, an acknowledgement) in
        one grouped query, the date from core.limitation, written in one statement.
        No ORM recompute of a big book: used at install and when a run issues its
        notices.
        """
        self.env.flush_all()
        ids = tuple(moves.ids) if moves else None
        open_ = SQL(
            """m.move_type IN %(types)s AND m.state = 'posted'
               AND m.payment_state NOT IN %(settled)s
               AND m.commercial_partner_id IS NOT NULL AND %(moves)s""",
            types=DUNNED_TYPES,
            settled=SETTLED,
            moves=SQL("m.id IN %s", ids) if ids else SQL("TRUE"),
        )
        pairs = self.env.execute_query(
            SQL(
                "SELECT DISTINCT m.commercial_partner_id, m.company_id"
                " FROM account_move m WHERE %s",
                open_,
            )
        )
        # Iterated as recordsets, so that the law of every pair is read in batches.
        partners = {
            partner.id: partner
            for partner in self.env["res.partner"].browse({p for p, _c in pairs})
        }
        companies = {
            company.id: company
            for company in self.env["res.company"].browse({c for _p, c in pairs})
        }
        consumer = {}
        for partner_id, company_id in pairs:
            governing, debtor_type = partners[partner_id]._dunning_law(
                companies[company_id]
            )
            if law.tracks_limitation(governing):
                consumer[partner_id, company_id] = debtor_type == "consumer"
        if not consumer:
            rows = []
        else:
            rows = self.env.execute_query(
                SQL(
                    """SELECT g.id, g.commercial_partner_id, g.company_id, g.due,
                          g.part_payments, g.acknowledged,
                          COALESCE(nt.days, '{}') AS notices
                     FROM (SELECT m.id, m.commercial_partner_id, m.company_id,
                                  COALESCE(MIN(l.date_maturity) FILTER (
                                               WHERE l.display_type = 'payment_term'
                                                 AND NOT l.reconciled),
                                           m.invoice_date_due) AS due,
                                  COALESCE(array_agg(p.max_date) FILTER (
                                      WHERE cm.move_type
                                            NOT IN ('out_refund', 'in_refund')),
                                      '{}') AS part_payments,
                                  m.dunning_acknowledged_date AS acknowledged
                             FROM account_move m
                             JOIN unnest(%(partners)s::int[], %(companies)s::int[])
                                  AS t(partner_id, company_id)
                               ON t.partner_id = m.commercial_partner_id
                              AND t.company_id = m.company_id
                        LEFT JOIN account_move_line l ON l.move_id = m.id
                        LEFT JOIN account_partial_reconcile p
                               ON p.debit_move_id = l.id
                        LEFT JOIN account_move_line cl ON cl.id = p.credit_move_id
                        LEFT JOIN account_move cm ON cm.id = cl.move_id
                            WHERE %(open)s
                         GROUP BY m.id) g
                LEFT JOIN (SELECT nl.move_id, array_agg(n.date) AS days
                             FROM debtor_dunning_notice_line nl
                             JOIN debtor_dunning_notice n ON n.id = nl.notice_id
                             JOIN debtor_dunning_level lvl ON lvl.id = n.level_id
                            WHERE n.state = 'issued' AND lvl.interrupts_limitation
                              AND %(notice_moves)s
                         GROUP BY nl.move_id) nt ON nt.move_id = g.id""",
                    partners=bulk.array(p for p, _c in consumer),
                    companies=bulk.array(c for _p, c in consumer),
                    open=open_,
                    notice_moves=SQL("nl.move_id IN %s", ids) if ids else SQL("TRUE"),
                )
            )
        # Invoices no longer open, or under a law that does not track it: none.
        dates = dict.fromkeys(ids or (), None)
        for move_id, partner, company, due, part_payments, ack, notices in rows:
            if not due:
                continue
            days = [day for day in part_payments + notices if day]
            if ack:
                days.append(ack)
            # Art. 7:28 BW: the earlier date of a consumer sale is the safe one.
            dates[move_id] = limitation.limitation_date(
                due, consumer_sale=consumer[partner, company], interruptions=days
            )
        if dates:
            self.env.cr.execute(
                SQL(
                    """UPDATE account_move m SET dunning_limitation_date = v.day
                         FROM unnest(%(ids)s::int[], %(days)s::date[]) AS v(id, day)
                        WHERE m.id = v.id
                          AND m.dunning_limitation_date IS DISTINCT FROM v.day""",
                    ids=bulk.array(dates),
                    days=bulk.array(dates.values()),
                )
            )
        self.invalidate_model(["dunning_limitation_date"])
