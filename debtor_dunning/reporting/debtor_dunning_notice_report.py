from odoo import api, fields, models
from odoo.tools import SQL

from ..core.figures import CURE_DAYS


class DebtorDunningNoticeReport(models.Model):
    """What each level's notices achieved: one row per issued notice.

    The amounts are the notice's receivable lines, open at a day reconstructed from
    the reconciliation dates (`debtor.dunning.figures._open_at_sql`):

    - *Open at Notice*: open at the end of the notice date.
    - *Paid in 14 / 30 Days*: 1 when every line was paid in full by the end of the
      14th / 30th day after the notice date (`core.figures.CURE_DAYS`), else 0;
      empty while those days have not passed yet. The *Cure Rate* is their average
      in percent over the notices whose days have passed.
    - *Collected in 30 Days*: how much of the open amount was paid in those 30 days.
    """

    _name = "debtor.dunning.notice.report"
    _description = "Dunning Figures: Notices and Cure Rate"
    _auto = False
    _order = "date desc"
    _rec_name = "notice_id"

    notice_id = fields.Many2one("debtor.dunning.notice", readonly=True)
    date = fields.Date(string="Notice Date", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    policy_id = fields.Many2one("debtor.dunning.policy", readonly=True)
    level_id = fields.Many2one("debtor.dunning.level", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    notice_count = fields.Integer(string="Notices Issued", readonly=True)
    open_amount = fields.Monetary(string="Open at Notice", readonly=True)
    paid_14 = fields.Integer(string="Paid in 14 Days", readonly=True)
    paid_30 = fields.Integer(string="Paid in 30 Days", readonly=True)
    cure_rate_14 = fields.Float(
        string="Cure Rate 14 Days (%)", readonly=True, aggregator="avg"
    )
    cure_rate_30 = fields.Float(
        string="Cure Rate 30 Days (%)", readonly=True, aggregator="avg"
    )
    collected_amount = fields.Monetary(string="Collected in 30 Days", readonly=True)

    @api.model
    def _query(self):
        """The view's SELECT (see the class docstring)."""
        Figures = self.env["debtor.dunning.figures"]
        short, long = CURE_DAYS

        def open_after(days):
            return Figures._open_at_sql("aml", SQL("n.date + %s", days))

        return SQL(
            """WITH amounts AS (
                   SELECT n.id AS notice_id,
                          SUM(%(at_notice)s) AS at_notice,
                          SUM(%(after_short)s) AS after_short,
                          SUM(%(after_long)s) AS after_long
                     FROM debtor_dunning_notice n
                     JOIN debtor_dunning_notice_line nl ON nl.notice_id = n.id
                     JOIN account_move_line aml ON aml.id = nl.move_line_id
                    WHERE n.state = 'issued'
                 GROUP BY n.id
               )
               SELECT n.id AS id, n.id AS notice_id, n.date AS date,
                      n.company_id AS company_id, n.partner_id AS partner_id,
                      n.policy_id AS policy_id, n.level_id AS level_id,
                      %(collector)s AS collector_id,
                      1 AS notice_count,
                      a.at_notice AS open_amount,
                      CASE WHEN n.date + %(short)s >= %(today)s THEN NULL
                           WHEN a.after_short <= 0 THEN 1 ELSE 0 END AS paid_14,
                      CASE WHEN n.date + %(long)s >= %(today)s THEN NULL
                           WHEN a.after_long <= 0 THEN 1 ELSE 0 END AS paid_30,
                      CASE WHEN n.date + %(short)s >= %(today)s THEN NULL
                           WHEN a.after_short <= 0 THEN 100.0 ELSE 0.0 END
                          AS cure_rate_14,
                      CASE WHEN n.date + %(long)s >= %(today)s THEN NULL
                           WHEN a.after_long <= 0 THEN 100.0 ELSE 0.0 END
                          AS cure_rate_30,
                      GREATEST(a.at_notice, 0) - GREATEST(a.after_long, 0)
                          AS collected_amount
                 FROM debtor_dunning_notice n
                 JOIN amounts a ON a.notice_id = n.id""",
            today=Figures._today_sql(),
            at_notice=Figures._open_at_sql("aml", SQL("n.date")),
            after_short=open_after(short),
            after_long=open_after(long),
            short=short,
            long=long,
            collector=Figures._collector_sql(SQL("n.partner_id"), SQL("n.company_id")),
        )

    def init(self):
        self.env["debtor.dunning.figures"]._create_view(self)
