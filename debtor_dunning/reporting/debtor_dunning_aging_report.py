from odoo import api, fields, models
from odoo.tools import SQL

from ..core.figures import BUCKETS

BUCKET_LABELS = {
    "not_due": "Not Due",
    "1_30": "1-30 Days",
    "31_60": "31-60 Days",
    "61_90": "61-90 Days",
    "90_plus": "Over 90 Days",
}


class DebtorDunningAgingReport(models.Model):
    """Open receivables by aging bucket, today and as they stood at each month end.

    One row per receivable line and day looked at (`as_of`): today, and every month
    end since the line was posted while it was open. The open amount at a past month
    end is reconstructed exactly from the reconciliation dates
    (`debtor.dunning.figures._open_at_sql`); the bucket is `core.figures.BUCKETS` by
    the days past the line's due date on that day.
    """

    _name = "debtor.dunning.aging.report"
    _description = "Dunning Figures: Aging of Receivables"
    _auto = False
    _order = "as_of desc, days_overdue desc"
    _rec_name = "move_id"

    snapshot = fields.Selection(
        [("today", "Today"), ("month_end", "Month End")], readonly=True
    )
    as_of = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    policy_id = fields.Many2one("debtor.dunning.policy", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    move_id = fields.Many2one("account.move", string="Entry", readonly=True)
    move_line_id = fields.Many2one("account.move.line", readonly=True)
    due_date = fields.Date(readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(
        [(b.code, BUCKET_LABELS[b.code]) for b in BUCKETS], readonly=True
    )
    open_amount = fields.Monetary(readonly=True)
    overdue_amount = fields.Monetary(readonly=True)

    @api.model
    def _query(self):
        """The view's SELECT (see the class docstring)."""
        Figures = self.env["debtor.dunning.figures"]
        return SQL(
            """WITH lines AS (
                   SELECT aml.id AS id, aml.company_id AS company_id,
                          COALESCE(p.commercial_partner_id, p.id) AS partner_id,
                          aml.move_id AS move_id, aml.date AS date,
                          COALESCE(aml.date_maturity, aml.date) AS due_date,
                          CASE WHEN aml.reconciled THEN (
                              SELECT MAX(apr.max_date)
                                FROM account_partial_reconcile apr
                               WHERE aml.id IN (apr.debit_move_id, apr.credit_move_id)
                          ) END AS closed_date
                     FROM account_move_line aml
                     JOIN account_account a ON a.id = aml.account_id
                LEFT JOIN res_partner p ON p.id = aml.partner_id
                    WHERE aml.parent_state = 'posted'
                      AND a.account_type = 'asset_receivable'
               ),
               days AS (
                   SELECT l.id AS line_id, 'month_end' AS snapshot,
                          (month + INTERVAL '1 month - 1 day')::date AS as_of
                     FROM lines l,
                          generate_series(
                              date_trunc('month', l.date),
                              date_trunc('month', COALESCE(l.closed_date, %(today)s)),
                              INTERVAL '1 month') AS month
                   UNION ALL
                   SELECT l.id, 'today', %(today)s
                     FROM lines l
                    WHERE l.date <= %(today)s
                      AND (l.closed_date IS NULL OR l.closed_date > %(today)s)
               ),
               open AS (
                   SELECT d.line_id AS line_id, d.snapshot AS snapshot,
                          d.as_of AS as_of, %(open)s AS open_amount
                     FROM days d
                     JOIN account_move_line aml ON aml.id = d.line_id
                    WHERE d.as_of >= aml.date
                      AND (d.snapshot = 'today' OR d.as_of < %(today)s)
               )
               SELECT ROW_NUMBER() OVER (ORDER BY o.as_of, o.line_id) AS id,
                      o.snapshot AS snapshot, o.as_of AS as_of,
                      l.company_id AS company_id, l.partner_id AS partner_id,
                      %(policy)s AS policy_id, %(collector)s AS collector_id,
                      l.move_id AS move_id, l.id AS move_line_id,
                      l.due_date AS due_date,
                      o.as_of - l.due_date AS days_overdue,
                      %(bucket)s AS bucket,
                      o.open_amount AS open_amount,
                      CASE WHEN o.as_of > l.due_date THEN o.open_amount ELSE 0 END
                          AS overdue_amount
                 FROM open o
                 JOIN lines l ON l.id = o.line_id
                WHERE o.open_amount != 0""",
            today=Figures._today_sql(),
            open=Figures._open_at_sql("aml", SQL("d.as_of")),
            policy=Figures._policy_sql(SQL("l.partner_id"), SQL("l.company_id")),
            collector=Figures._collector_sql(SQL("l.partner_id"), SQL("l.company_id")),
            bucket=Figures._bucket_sql(SQL("(o.as_of - l.due_date)")),
        )

    def init(self):
        self.env["debtor.dunning.figures"]._create_view(self)
