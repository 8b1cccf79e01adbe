"""The open book: a company's open receivables and customers, read set-based.

Everything the escalation decides on is read here, in a few statements whatever the
size of the book, and turned into the core's input by one conversion each
(`_core_items`, `_core_customer`): the run, the next dunning date on an invoice and the
lock check at issue all see the same debt the same way.
"""

from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta
from operator import itemgetter

from odoo import api, models
from odoo.tools import SQL

from ..core import escalation, habits
from ..core.holds import Hold
from ..core.money import to_decimal
from ..models import bulk

# The receivable lines' facts the run reads (flushed before reading them in SQL).
_READS = {
    "account.move.line": [
        "move_id",
        "partner_id",
        "account_id",
        "date_maturity",
        "amount_residual",
        "amount_residual_currency",
        "currency_id",
        "reconciled",
        "parent_state",
        "company_id",
        "balance",
    ],
    "account.move": ["dunning_hold", "dunning_hold_until", "move_type"],
    "res.partner": [
        "commercial_partner_id",
        "dunning_debtor_type",
        "dunning_blocked",
        "dunning_tolerance_days",
        "dunning_policy_id",
        "dunning_law_country",
        "country_id",
    ],
    "debtor.dunning.position": ["move_line_id", "level_id", "last_date", "term_date"],
    "debtor.dunning.level": ["rank"],
    "debtor.dunning.notice": ["partner_id", "company_id", "state", "date"],
    "account.partial.reconcile": ["debit_move_id", "max_date"],
}


# The columns of `_items_sql` an escalation.Item is made of, in its fields' order
# (its open amount aside).
_ITEM_FACTS = (
    "line_id",
    "partner_id",
    "due_date",
    "level_rank",
    "last_date",
    "hold",
    "hold_until",
    "term_date",
)


def _row_dict(names, row):
    """A row of the cursor as {column name: value}."""
    # as many values as names: zip's strict= would parse a keyword per row
    return dict(zip(names, row))  # noqa: B905


class BookRows(Mapping):
    """The book's rows by journal item id, kept as the cursor gave them and made a
    dict (`_items`' keys) when looked up: a run decides on every open item and
    writes only the items of its notices and holds (a same-day rerun: none)."""

    __slots__ = ("_names", "_rows")

    def __init__(self, names, rows):
        self._names, self._rows = names, rows

    def __getitem__(self, key):
        return _row_dict(self._names, self._rows[key])

    def __iter__(self):
        return iter(self._rows)

    def __len__(self):
        return len(self._rows)


class DebtorDunningBook(models.AbstractModel):
    _name = "debtor.dunning.book"
    _description = "Open receivables and customers, as the dunning run reads them"

    @api.model
    def _flush_reads(self):
        """Write pending ORM changes of what the run reads in SQL (and nothing else)."""
        for model, fnames in _READS.items():
            self.env[model].flush_model(fnames)

    # ------------------------------------------------------------------ items
    @api.model
    def _items_sql(self, company, horizon, partners=None):
        """The open receivable lines of `company` due by `horizon`, one row each.

        The lines are those `account.move.line._dunning_open_item_domain` names, found
        with the current user's record rules; the scheduled action runs as superuser.
        """
        Line = self.env["account.move.line"]
        domain = Line._dunning_open_item_domain(company, horizon, partners)
        # The domain's query itself, its columns joined to it: the journal items
        # are scanned once, not once for the domain and again for the columns.
        query = Line._search(domain)
        aml = query.table
        # The invoice's join is the domain's own (Odoo names the join of a many2one
        # path after its field, a LEFT JOIN): account_move is joined once, for the
        # invoice type and the hold.
        move = query.left_join(aml, "move_id", "account_move", "id", "move_id")
        partner = query.join(aml, "partner_id", "res_partner", "id", "dunning_partner")
        pos = query.left_join(
            aml, "id", "debtor_dunning_position", "move_line_id", "dunning_position"
        )
        level = query.left_join(pos, "level_id", "debtor_dunning_level", "id", "level")
        query.order = SQL.identifier(aml, "id")

        def col(alias, name):
            return SQL.identifier(alias, name)

        return query.select(
            SQL("%s AS line_id", col(aml, "id")),
            SQL("%s AS move_id", col(aml, "move_id")),
            SQL(
                "COALESCE(%s, %s) AS partner_id",
                col(partner, "commercial_partner_id"),
                col(partner, "id"),
            ),
            SQL("%s AS account_id", col(aml, "account_id")),
            SQL("%s AS due_date", col(aml, "date_maturity")),
            # float8: the float Odoo's cursor makes of a numeric (both parse its
            # text), without a call to Python per value of 54,000 rows.
            SQL("%s::float8 AS residual", col(aml, "amount_residual")),
            SQL(
                "%s::float8 AS residual_currency",
                col(aml, "amount_residual_currency"),
            ),
            SQL("%s AS currency_id", col(aml, "currency_id")),
            SQL("%s AS level_id", col(pos, "level_id")),
            SQL("COALESCE(%s, 0) AS level_rank", col(level, "rank")),
            SQL("%s AS last_date", col(pos, "last_date")),
            SQL("%s AS term_date", col(pos, "term_date")),
            SQL("%s AS hold", col(move, "dunning_hold")),
            SQL("%s AS hold_until", col(move, "dunning_hold_until")),
        )

    @api.model
    def _items(self, company, horizon, partners=None):
        """The open receivable lines as dicts (see `_items_sql` for the keys)."""
        names, rows = self._item_rows(company, horizon, partners)
        return [_row_dict(names, row) for row in rows]

    @api.model
    def _item_rows(self, company, horizon, partners=None):
        """(column names, rows as tuples) of the open receivable lines."""
        self._flush_reads()
        query = self._items_sql(company, horizon, partners)
        if partners is not None:  # a few customers: the index lookups are right
            return self._tuples(query)
        # A whole book: PostgreSQL takes a receivable account's share of the lines
        # for that of an average account (88 lines expected, 18,000 found per worker
        # on the 100,000-invoice benchmark) and looks 54,000 lines up one by one in
        # five indexes: 0.84 s, against 0.32 s with hash joins and the sort in memory.
        with bulk.planner(self.env.cr, enable_nestloop="off", work_mem="32MB"):
            return self._tuples(query)

    @api.model
    def _tuples(self, query):
        """(column names, rows) of `query`."""
        rows = self.env.execute_query(query)
        return tuple(column.name for column in self.env.cr.description or ()), rows

    @api.model
    def _dicts(self, query):
        """The rows of `query` as {column name: value}, as `env.execute_query_dict`
        gives them, without reading each column's name again for every row."""
        names, rows = self._tuples(query)
        return [_row_dict(names, row) for row in rows]

    @api.model
    def _core_items(self, names, rows, ladder_length):
        """Rows of `_item_rows` as the core sees them: `rows` are (row, its open
        amount as a Decimal)."""
        facts = itemgetter(*map(names.index, _ITEM_FACTS))
        item = escalation.Item
        items = []
        for row, residual in rows:
            key, customer, due, rank, last, hold, until, term = facts(row)
            items.append(
                item(
                    key,
                    customer,
                    due,
                    residual,
                    min(rank, ladder_length),
                    last,
                    hold and Hold(hold),
                    until,
                    term,
                )
            )
        return items

    # ------------------------------------------------------------------ customers
    @api.model
    def _customers(self, company, partner_ids, as_of, with_habits=False):
        """{commercial partner id: facts} for the customers of some items."""
        rows = self._dicts(
            SQL(
                """SELECT p.id AS partner_id,
                          p.dunning_debtor_type AS debtor_type,
                          COALESCE(p.dunning_blocked, FALSE) AS blocked,
                          COALESCE(p.dunning_tolerance_days, 0) AS tolerance,
                          (p.dunning_policy_id ->> %(company_key)s)::int AS policy_id,
                          country.code AS country_code,
                          p.dunning_law_country AS law_country,
                          last.day AS last_date
                     FROM res_partner p
                LEFT JOIN res_country country ON country.id = p.country_id
                LEFT JOIN (SELECT n.partner_id, MAX(n.date) AS day
                             FROM debtor_dunning_notice n
                            WHERE n.company_id = %(company)s AND n.state = 'issued'
                              AND n.partner_id = ANY(%(partners)s::int[])
                         GROUP BY n.partner_id) last ON last.partner_id = p.id
                    WHERE p.id = ANY(%(partners)s::int[])""",
                company_key=str(company.id),
                company=company.id,
                partners=bulk.array(partner_ids),
            )
        )
        customers = {row["partner_id"]: dict(row, credit=0.0, habit=0) for row in rows}
        for partner_id, credit in self._credits(company, partner_ids).items():
            customers[partner_id]["credit"] = credit
        if with_habits:
            for partner_id, habit in self._habits(company, partner_ids, as_of).items():
                customers[partner_id]["habit"] = habit.shift_days
        return customers

    @api.model
    def _core_customer(self, facts, rounding):
        """The facts of `_customers` as the core sees them."""
        return escalation.Customer(
            key=facts["partner_id"],
            tolerance_days=max(0, facts["tolerance"]),
            habit_days_late=facts["habit"],
            do_not_dun=facts["blocked"],
            open_credit=max(to_decimal(facts["credit"], rounding), 0),
            last_notice_date=facts["last_date"],
        )

    @api.model
    def _credits(self, company, partner_ids):
        """Each customer's credit: open credit notes and unreconciled payments."""
        rows = self.env.execute_query_dict(
            SQL(
                """SELECT COALESCE(p.commercial_partner_id, p.id) AS partner_id,
                          -SUM(aml.amount_residual) AS credit
                     FROM account_move_line aml
                     JOIN account_account acc ON acc.id = aml.account_id
                     JOIN res_partner p ON p.id = aml.partner_id
                    WHERE aml.company_id = %(company)s
                      AND aml.parent_state = 'posted'
                      AND acc.account_type = 'asset_receivable'
                      AND NOT aml.reconciled
                      AND aml.amount_residual < 0
                      AND COALESCE(p.commercial_partner_id, p.id)
                          = ANY(%(partners)s::int[])
                 GROUP BY 1""",
                company=company.id,
                partners=bulk.array(partner_ids),
            )
        )
        return {row["partner_id"]: row["credit"] for row in rows}

    @api.model
    def _habits(self, company, partner_ids, as_of, months=12, with_open=False):
        """Payment habit per commercial partner over the last `months` months.

        `with_open`: the open items overdue on `as_of` count too, late by their days
        overdue (what the customer form shows). The escalation's habit shift leaves
        them out: a debt must not delay its own dunning by being late.
        """
        since = habits.months_before(as_of, months)
        self._flush_reads()
        rows = self.env.execute_query_dict(
            SQL(
                """SELECT COALESCE(p.commercial_partner_id, p.id) AS partner_id,
                          aml.date_maturity AS due_date,
                          MAX(apr.max_date) AS paid_date,
                          aml.balance AS amount
                     FROM account_move_line aml
                     JOIN account_move m ON m.id = aml.move_id
                     JOIN account_account acc ON acc.id = aml.account_id
                     JOIN res_partner p ON p.id = aml.partner_id
                     JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                    WHERE aml.company_id = %(company)s
                      AND aml.parent_state = 'posted'
                      AND acc.account_type = 'asset_receivable'
                      AND aml.reconciled
                      AND aml.balance > 0
                      AND m.move_type IN ('out_invoice', 'out_receipt')
                      AND COALESCE(p.commercial_partner_id, p.id)
                          = ANY(%(partners)s::int[])
                 GROUP BY aml.id, 1
                   HAVING MAX(apr.max_date) > %(since)s
                      AND MAX(apr.max_date) <= %(as_of)s""",
                company=company.id,
                partners=bulk.array(partner_ids),
                since=since,
                as_of=as_of,
            )
        )
        paid = defaultdict(list)
        rounding = company.currency_id.rounding
        for row in rows:
            paid[row["partner_id"]].append(
                habits.PaidItem(
                    row["due_date"],
                    row["paid_date"],
                    to_decimal(row["amount"], rounding),
                )
            )
        still_open = defaultdict(list)
        if with_open:
            for row in self._items(
                company,
                as_of - timedelta(days=1),
                self.env["res.partner"].browse(partner_ids),
            ):
                residual = to_decimal(row["residual"], rounding)
                if residual > 0:
                    still_open[row["partner_id"]].append(
                        habits.OpenItem(row["due_date"], residual)
                    )
        return {
            partner_id: habits.payment_habit(
                paid[partner_id], as_of, months, still_open[partner_id]
            )
            for partner_id in set(paid) | set(still_open)
        }

    # ------------------------------------------------------------------ the book
    @api.model
    def _read(self, company, as_of, partners=None, horizon=None):
        """What the core decides on for `company` on `as_of`, grouped by policy.

        Returns ([(policy, core policy, rows by key, core items, core customers)],
        rows of customers without a policy).
        """
        policies = self.env["debtor.dunning.policy"].search(
            [("company_id", "=", company.id)]
        )
        ahead = max([0] + [-wait for wait in policies.level_ids.mapped("wait_days")])
        names, rows = self._item_rows(
            company, horizon or as_of + timedelta(days=ahead), partners
        )
        line_at, partner_at, account_at, residual_at = map(
            names.index, ("line_id", "partner_id", "account_id", "residual")
        )
        partner_ids = sorted({row[partner_at] for row in rows})
        customers = self._customers(
            company, partner_ids, as_of, with_habits=any(policies.mapped("habit_shift"))
        )
        policy_of = policies._dunning_policy_of(company, customers)
        rounding = company.currency_id.rounding
        # Rows find their policy by its id: an int hashes faster than a record.
        by_id, policy_ids = {}, {}
        for partner_id, policy in policy_of.items():
            policy_ids[partner_id] = policy_id = policy.id
            by_id[policy_id] = policy
        # Per policy, not per row: whether it has a ladder, which accounts it duns.
        ladders = {
            policy_id: (bool(policy.level_ids), policy._dunning_covered_accounts())
            for policy_id, policy in by_id.items()
        }
        grouped, orphans = defaultdict(list), []
        for row in rows:
            policy_id = policy_ids.get(row[partner_at])
            has_levels, accounts = ladders.get(policy_id, (False, None))
            if not has_levels:
                orphans.append(_row_dict(names, row))
            elif accounts is None or row[account_at] in accounts:
                residual = to_decimal(row[residual_at], rounding)
                if residual > 0:  # not a rounding remainder
                    grouped[policy_id].append((row, residual))
        book = []
        core_customer = self._core_customer
        for policy_id, policy_rows in grouped.items():
            policy = by_id[policy_id]
            core_policy = policy._core_policy(as_of)
            book.append(
                (
                    policy,
                    core_policy,
                    BookRows(names, {row[line_at]: row for row, _ in policy_rows}),
                    self._core_items(names, policy_rows, len(core_policy.levels)),
                    {
                        pid: core_customer(customers[pid], rounding)
                        for pid in {row[partner_at] for row, _ in policy_rows}
                    },
                )
            )
        return book, orphans
