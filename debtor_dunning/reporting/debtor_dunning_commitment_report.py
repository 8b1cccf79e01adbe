from odoo import api, fields, models
from odoo.tools import SQL


class DebtorDunningCommitmentReport(models.Model):
    """Payment arrangements and promises to pay: kept, broken or still running.

    - An *arrangement* (confirmed) is kept when completed, broken when broken (its
      state, set by the daily check, `core.arrangement.breached`), else running.
      Cancelled and draft ones are left out.
    - A *promise* (`debtor.dunning.promise`, one per invoice share) is kept when the
      invoice's receivable lines were paid at least the promised amount between the
      day it was recorded and the promised day included (partial reconciliations
      dated in those days), broken when that day has passed without it, else open.
    """

    _name = "debtor.dunning.commitment.report"
    _description = "Dunning Figures: Arrangements and Promises Kept"
    _auto = False
    _order = "date desc"

    kind = fields.Selection(
        [("arrangement", "Payment Arrangement"), ("promise", "Promise to Pay")],
        readonly=True,
    )
    outcome = fields.Selection(
        [("open", "Running"), ("kept", "Kept"), ("broken", "Broken")], readonly=True
    )
    name = fields.Char(string="Reference", readonly=True)
    date = fields.Date(string="Agreed On", readonly=True)
    due_date = fields.Date(string="Due By", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    policy_id = fields.Many2one("debtor.dunning.policy", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    amount = fields.Monetary(readonly=True)
    commitment_count = fields.Integer(string="Count", readonly=True)
    kept_count = fields.Integer(string="Kept", readonly=True)
    broken_count = fields.Integer(string="Broken", readonly=True)
    kept_rate = fields.Float(string="Kept (%)", readonly=True, aggregator="avg")

    @api.model
    def _query(self):
        """The view's SELECT (see the class docstring)."""
        Figures = self.env["debtor.dunning.figures"]
        return SQL(
            """WITH commitments AS (
                   SELECT 2 * a.id AS id, 'arrangement' AS kind, a.name AS name,
                          a.confirmed_date AS date, a.end_date AS due_date,
                          a.company_id AS company_id, a.partner_id AS partner_id,
                          a.total_amount AS amount,
                          CASE a.state WHEN 'completed' THEN 'kept'
                                       WHEN 'broken' THEN 'broken'
                                       ELSE 'open' END AS outcome
                     FROM debtor_dunning_arrangement a
                    WHERE a.state IN ('running', 'late', 'broken', 'completed')
                   UNION ALL
                   SELECT 2 * pr.id + 1, 'promise', m.name, pr.recorded_date,
                          pr.promised_date, pr.company_id, pr.partner_id, pr.amount,
                          CASE WHEN (
                              SELECT COALESCE(SUM(apr.amount), 0)
                                FROM account_move_line aml
                                JOIN account_partial_reconcile apr
                                  ON apr.debit_move_id = aml.id
                               WHERE aml.move_id = pr.move_id
                                 AND aml.display_type = 'payment_term'
                                 AND apr.max_date BETWEEN pr.recorded_date
                                                      AND pr.promised_date
                          ) >= pr.amount THEN 'kept'
                          WHEN pr.promised_date < %(today)s THEN 'broken'
                          ELSE 'open' END
                     FROM debtor_dunning_promise pr
                     JOIN account_move m ON m.id = pr.move_id
               )
               SELECT c.id AS id, c.kind AS kind, c.name AS name, c.date AS date,
                      c.due_date AS due_date, c.company_id AS company_id,
                      c.partner_id AS partner_id, %(policy)s AS policy_id,
                      %(collector)s AS collector_id, c.amount AS amount,
                      c.outcome AS outcome, 1 AS commitment_count,
                      CASE WHEN c.outcome = 'kept' THEN 1 ELSE 0 END AS kept_count,
                      CASE WHEN c.outcome = 'broken' THEN 1 ELSE 0 END AS broken_count,
                      CASE c.outcome WHEN 'kept' THEN 100.0 WHEN 'broken' THEN 0.0
                      END AS kept_rate
                 FROM commitments c""",
            today=Figures._today_sql(),
            policy=Figures._policy_sql(SQL("c.partner_id"), SQL("c.company_id")),
            collector=Figures._collector_sql(SQL("c.partner_id"), SQL("c.company_id")),
        )

    def init(self):
        self.env["debtor.dunning.figures"]._create_view(self)
