"""The credit controller's figures: the SQL they share, and DSO from the core.

The report models (`debtor.dunning.*.report`) are SQL views built in their `init()`
from the fragments below, so that "open at a date", "whose policy", "whose collector"
and "which bucket" are decided once for every figure.
"""

import calendar

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..core import figures
from ..core.money import to_decimal

# The session setting that moves the figures' today (see `_today_sql`).
_TODAY_SETTING = "debtor_dunning.today"


class DebtorDunningFigures(models.AbstractModel):
    _name = "debtor.dunning.figures"
    _description = "Figures of dunning: shared SQL, DSO by count-back, dashboard"

    # ------------------------------------------------------------ shared SQL
    @api.model
    def _today_sql(self):
        """The day the figures call today: the database's, or the session's own.

        `_set_today(day)` sets it for the rest of the transaction (the tests set it
        to their frozen day, so the figures never read the wall clock there).
        """
        return SQL(
            "COALESCE(NULLIF(current_setting(%s, true), '')::date, CURRENT_DATE)",
            _TODAY_SETTING,
        )

    @api.model
    def _set_today(self, day):
        """Let the figures of this transaction stand on `day` (None: the real day)."""
        self.env.cr.execute(
            SQL(
                "SELECT set_config(%s, %s, true)",
                _TODAY_SETTING,
                fields.Date.to_string(day) if day else "",
            )
        )

    @api.model
    def _open_at_sql(self, alias, day):
        """The open amount of the receivable line `alias` at the end of `day`.

        `alias` names an `account_move_line` row of the query. Exact reconstruction
        from the reconciliations: the line's balance (company currency, a debit
        positive) minus every partial reconciliation that settled it by `day`, plus
        those by which it settled another line (a credit line). A partial counts from
        its `max_date`, the later date of the two lines it matches: the day the
        payment and the invoice both stood in the books. Partials include the
        exchange-difference entries, so with no date limit this is exactly
        `amount_residual`; a partial removed later (unreconciled) no longer counts
        for any day.
        """
        line = SQL.identifier(alias)
        return SQL(
            """(%(line)s.balance
                - COALESCE((SELECT SUM(apr.amount)
                              FROM account_partial_reconcile apr
                             WHERE apr.debit_move_id = %(line)s.id
                               AND apr.max_date <= %(day)s), 0)
                + COALESCE((SELECT SUM(apr.amount)
                              FROM account_partial_reconcile apr
                             WHERE apr.credit_move_id = %(line)s.id
                               AND apr.max_date <= %(day)s), 0))""",
            line=line,
            day=day,
        )

    @api.model
    def _policy_sql(self, partner, company):
        """The policy a figure files a customer's debts under (`partner` commercial).

        The policy named on the customer's form for that company, else the policy of
        the last notice issued to him by it; empty for a customer never dunned who
        follows the company's default policy (`_dunning_policy_of` decides that one
        with the law of the customer, which SQL does not repeat).
        """
        return SQL(
            """COALESCE(
                   (SELECT (pp.dunning_policy_id ->> (%(company)s)::text)::int
                      FROM res_partner pp WHERE pp.id = %(partner)s),
                   (SELECT pn.policy_id FROM debtor_dunning_notice pn
                     WHERE pn.partner_id = %(partner)s AND pn.company_id = %(company)s
                       AND pn.state = 'issued'
                  ORDER BY pn.date DESC, pn.id DESC LIMIT 1))""",
            partner=partner,
            company=company,
        )

    @api.model
    def _create_view(self, report):
        """(Re)create the SQL view of a figure model (`_auto = False`) from its
        `_query()`: every figure's `init`."""
        tools.drop_view_if_exists(self.env.cr, report._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(report._table),
                report._query(),
            )
        )

    @api.model
    def _collector_sql(self, partner, company):
        """The customer's collector for that company (`res.partner`, per company), else
        the default collector of the policy its debts are filed under (`_policy_sql`):
        the cockpit's rule (`debtor.dunning.cockpit._collectors`) in SQL."""
        return SQL(
            """COALESCE(
                   (SELECT (cp.dunning_collector_id ->> (%(company)s)::text)::int
                      FROM res_partner cp WHERE cp.id = %(partner)s),
                   (SELECT cpol.collector_id FROM debtor_dunning_policy cpol
                     WHERE cpol.id = %(policy)s))""",
            partner=partner,
            company=company,
            policy=self._policy_sql(partner, company),
        )

    @api.model
    def _bucket_sql(self, days):
        """The aging bucket code of `days` past due, from `core.figures.BUCKETS`."""
        whens = []
        for bucket in figures.BUCKETS:
            conditions = []
            if bucket.first is not None:
                conditions.append(SQL("%s >= %s", days, bucket.first))
            if bucket.last is not None:
                conditions.append(SQL("%s <= %s", days, bucket.last))
            whens.append(
                SQL("WHEN %s THEN %s", SQL(" AND ").join(conditions), bucket.code)
            )
        return SQL("(CASE %s END)", SQL(" ").join(whens))

    # ------------------------------------------------------------ DSO
    @api.model
    def _month_ends(self, as_of, count):
        """The last `count` month ends before `as_of`, newest first."""
        first = as_of.replace(day=1)
        return [
            first - relativedelta(months=n) - relativedelta(days=1)
            for n in range(count)
        ]

    @api.model
    def _credit_sales(self, companies, since, until):
        """{(company id, first of month): credit sales} between two dates.

        Credit sales: what customer invoices put on the receivable accounts in the
        month (posted, by accounting date), less the customer credit notes.
        """
        rows = self.env.execute_query_dict(
            SQL(
                """SELECT aml.company_id AS company_id,
                          date_trunc('month', aml.date)::date AS month,
                          SUM(aml.balance) AS sales
                     FROM account_move_line aml
                     JOIN account_move m ON m.id = aml.move_id
                     JOIN account_account a ON a.id = aml.account_id
                    WHERE aml.parent_state = 'posted'
                      AND a.account_type = 'asset_receivable'
                      AND m.move_type IN ('out_invoice', 'out_refund')
                      AND aml.company_id = ANY(%(companies)s)
                      AND aml.date BETWEEN %(since)s AND %(until)s
                 GROUP BY 1, 2""",
                companies=companies.ids,
                since=since,
                until=until,
            )
        )
        return {(row["company_id"], row["month"]): row["sales"] for row in rows}

    @api.model
    def _balances(self, companies, month_ends):
        """{(company id, month end): open receivables} at the given month ends."""
        rows = self.env.execute_query_dict(
            SQL(
                """SELECT ends.day AS day, aml.company_id AS company_id,
                          SUM(%(open)s) AS balance
                     FROM unnest(%(ends)s::date[]) AS ends(day)
                     JOIN account_move_line aml ON aml.date <= ends.day
                     JOIN account_account a ON a.id = aml.account_id
                    WHERE aml.parent_state = 'posted'
                      AND a.account_type = 'asset_receivable'
                      AND aml.company_id = ANY(%(companies)s)
                 GROUP BY 1, 2""",
                open=self._open_at_sql("aml", SQL("ends.day")),
                ends=month_ends,
                companies=companies.ids,
            )
        )
        return {(row["company_id"], row["day"]): row["balance"] for row in rows}

    @api.model
    def _refresh_dso(self, companies=None, as_of=None, months=13, history=12):
        """Compute the DSO of the last `months` month ends before `as_of` again.

        Two queries for all companies and months (balances, sales); the count-back
        itself is `core.figures.dso_count_back` over up to `history` months.
        """
        companies = companies or self.env.companies
        as_of = as_of or fields.Date.context_today(self)
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        ends = self._month_ends(as_of, months)
        oldest = ends[-1].replace(day=1) - relativedelta(months=history)
        sales = self._credit_sales(companies, oldest, ends[0])
        balances = self._balances(companies, ends)
        Dso = self.env["debtor.dunning.dso"].sudo()
        Dso.search([("company_id", "in", companies.ids)]).unlink()
        vals = []
        for company in companies:
            rounding = company.currency_id.rounding
            for end in ends:
                first = end.replace(day=1)
                back = [first - relativedelta(months=n) for n in range(history)]
                history_months = tuple(
                    figures.Month(
                        calendar.monthrange(month.year, month.month)[1],
                        to_decimal(sales.get((company.id, month), 0.0), rounding),
                    )
                    for month in back
                )
                balance = balances.get((company.id, end), 0.0)
                vals.append(
                    {
                        "company_id": company.id,
                        "date": end,
                        "balance": balance,
                        "sales": sales.get((company.id, end.replace(day=1)), 0.0),
                        "dso_days": float(
                            figures.dso_count_back(
                                to_decimal(balance, rounding), history_months
                            )
                        ),
                    }
                )
        return Dso.create(vals)

    # ------------------------------------------------------------ dashboard
    @api.model
    def action_open_dashboard(self):
        """The credit manager's dashboard: the figures' cards, DSO up to date."""
        self._refresh_dso(self.env.companies)
        return self.env["ir.actions.act_window"]._for_xml_id(
            "debtor_dunning.debtor_dunning_kpi_action"
        )

    @api.model
    def action_open_dso(self):
        """The DSO per month, brought up to date first."""
        self._refresh_dso(self.env.companies)
        return self.env["ir.actions.act_window"]._for_xml_id(
            "debtor_dunning.debtor_dunning_dso_action"
        )
