from odoo import api, fields, models
from odoo.tools import SQL

from ..models.debtor_dunning_dispute import REASONS, STATES


class DebtorDunningDisputeReport(models.Model):
    """Disputes by reason, and the days from opening to settling them.

    *Days to Settle* is the settling date minus the opening date, for settled
    disputes (justified, rejected, withdrawn); open ones count in *Open* only.
    """

    _name = "debtor.dunning.dispute.report"
    _description = "Dunning Figures: Disputes"
    _auto = False
    _order = "open_date desc"
    _rec_name = "dispute_id"

    dispute_id = fields.Many2one("debtor.dunning.dispute", readonly=True)
    reason = fields.Selection(REASONS, readonly=True)
    state = fields.Selection(STATES, readonly=True)
    open_date = fields.Date(string="Opened On", readonly=True)
    resolved_date = fields.Date(string="Settled On", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    policy_id = fields.Many2one("debtor.dunning.policy", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    dispute_count = fields.Integer(string="Disputes", readonly=True)
    open_count = fields.Integer(string="Open", readonly=True)
    settled_count = fields.Integer(string="Settled", readonly=True)
    settle_days = fields.Float(string="Days to Settle", readonly=True, aggregator="avg")
    disputed_amount = fields.Monetary(readonly=True)

    @api.model
    def _query(self):
        """The view's SELECT (see the class docstring)."""
        Figures = self.env["debtor.dunning.figures"]
        return SQL(
            """SELECT d.id AS id, d.id AS dispute_id, d.reason AS reason,
                      d.state AS state, d.open_date AS open_date,
                      d.resolved_date AS resolved_date, d.company_id AS company_id,
                      d.partner_id AS partner_id, %(policy)s AS policy_id,
                      %(collector)s AS collector_id,
                      1 AS dispute_count,
                      CASE WHEN d.state = 'open' THEN 1 ELSE 0 END AS open_count,
                      CASE WHEN d.state != 'open' THEN 1 ELSE 0 END AS settled_count,
                      CASE WHEN d.state != 'open'
                           THEN d.resolved_date - d.open_date END AS settle_days,
                      d.disputed_amount AS disputed_amount
                 FROM debtor_dunning_dispute d""",
            policy=Figures._policy_sql(SQL("d.partner_id"), SQL("d.company_id")),
            collector=Figures._collector_sql(SQL("d.partner_id"), SQL("d.company_id")),
        )

    def init(self):
        self.env["debtor.dunning.figures"]._create_view(self)
