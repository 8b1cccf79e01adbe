from odoo import api, fields, models
from odoo.tools import SQL, format_amount

KPIS = [
    ("open", "Open Receivables"),
    ("overdue_share", "Overdue Share"),
    ("over_90", "Over 90 Days"),
    ("dso", "DSO Last Month End"),
    ("cure_rate", "Cure Rate in 30 Days"),
    ("disputes", "Open Disputes"),
    ("promises", "Promises Kept"),
    ("arrangements", "Arrangements Kept"),
]
# The unit each card shows its value in.
_UNITS = {
    "open": "amount",
    "overdue_share": "percent",
    "over_90": "amount",
    "dso": "days",
    "cure_rate": "percent",
    "disputes": "count",
    "promises": "percent",
    "arrangements": "percent",
}
# The figure each card opens.
_ACTIONS = {
    "open": "debtor_dunning.debtor_dunning_aging_report_action",
    "overdue_share": "debtor_dunning.debtor_dunning_aging_report_action",
    "over_90": "debtor_dunning.debtor_dunning_aging_report_action",
    "dso": "debtor_dunning.debtor_dunning_dso_action",
    "cure_rate": "debtor_dunning.debtor_dunning_notice_report_action",
    "disputes": "debtor_dunning.debtor_dunning_dispute_report_action",
    "promises": "debtor_dunning.debtor_dunning_commitment_report_action",
    "arrangements": "debtor_dunning.debtor_dunning_commitment_report_action",
}


class DebtorDunningKpi(models.Model):
    """The dashboard's cards: the main figures per company, as of today.

    Read from the same SQL as the figures themselves (each report model's `_query`)
    and the stored DSO; the rates cover the last 365 days (notices, promises and
    arrangements agreed since).
    """

    _name = "debtor.dunning.kpi"
    _description = "Dunning Figures: Dashboard"
    _auto = False
    _order = "company_id, sequence"
    _rec_name = "kpi"

    kpi = fields.Selection(KPIS, string="Figure", readonly=True)
    sequence = fields.Integer(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    value = fields.Float(string="Figure Value", readonly=True)
    measured = fields.Boolean(
        readonly=True, help="False while nothing could be measured yet (no rate)."
    )
    display_value = fields.Char(string="Value", compute="_compute_display_value")

    @api.depends("kpi", "value", "measured")
    def _compute_display_value(self):
        for card in self:
            unit = _UNITS.get(card.kpi)
            if not card.measured or unit is None:
                card.display_value = "-"
            elif unit == "amount":
                card.display_value = format_amount(
                    self.env, card.value, card.currency_id
                )
            elif unit == "percent":
                card.display_value = f"{card.value:.0f} %"
            elif unit == "days":
                days = f"{card.value:.1f}"
                card.display_value = self.env._("%(days)s days", days=days)
            else:
                card.display_value = f"{card.value:.0f}"

    def action_open_figure(self):
        """The figure behind this card, for its company."""
        self.ensure_one()
        if self.kpi == "dso":
            self.env["debtor.dunning.figures"]._refresh_dso(self.env.companies)
        action = self.env["ir.actions.act_window"]._for_xml_id(_ACTIONS[self.kpi])
        action["domain"] = [("company_id", "=", self.company_id.id)]
        return action

    @api.model
    def _query(self):
        """The view's SELECT: one row per company and figure."""
        env = self.env
        aging = env["debtor.dunning.aging.report"]._query()
        notices = env["debtor.dunning.notice.report"]._query()
        disputes = env["debtor.dunning.dispute.report"]._query()
        commitments = env["debtor.dunning.commitment.report"]._query()
        sequence = {code: index for index, (code, _label) in enumerate(KPIS, 1)}
        return SQL(
            """WITH aging AS (SELECT * FROM (%(aging)s) AS all_days
                              WHERE all_days.snapshot = 'today'),
                    notices AS (%(notices)s),
                    disputes AS (%(disputes)s), commitments AS (%(commitments)s),
               cards AS (
                   SELECT c.id AS company_id, 'open' AS kpi,
                          (SELECT COALESCE(SUM(open_amount), 0) FROM aging
                            WHERE company_id = c.id) AS value
                     FROM res_company c
                   UNION ALL
                   SELECT c.id, 'overdue_share',
                          (SELECT 100.0 * SUM(overdue_amount)
                                  / NULLIF(SUM(open_amount), 0) FROM aging
                            WHERE company_id = c.id)
                     FROM res_company c
                   UNION ALL
                   SELECT c.id, 'over_90',
                          (SELECT COALESCE(SUM(open_amount), 0) FROM aging
                            WHERE company_id = c.id
                              AND bucket = %(last_bucket)s)
                     FROM res_company c
                   UNION ALL
                   SELECT c.id, 'dso',
                          (SELECT dso.dso_days FROM debtor_dunning_dso dso
                            WHERE dso.company_id = c.id
                         ORDER BY dso.date DESC LIMIT 1)
                     FROM res_company c
                   UNION ALL
                   SELECT c.id, 'cure_rate',
                          (SELECT AVG(cure_rate_30) FROM notices
                            WHERE company_id = c.id
                              AND date >= %(today)s - 365)
                     FROM res_company c
                   UNION ALL
                   SELECT c.id, 'disputes',
                          (SELECT COALESCE(SUM(open_count), 0) FROM disputes
                            WHERE company_id = c.id)
                     FROM res_company c
                   UNION ALL
                   SELECT c.id, 'promises',
                          (SELECT AVG(kept_rate) FROM commitments
                            WHERE company_id = c.id AND kind = 'promise'
                              AND date >= %(today)s - 365)
                     FROM res_company c
                   UNION ALL
                   SELECT c.id, 'arrangements',
                          (SELECT AVG(kept_rate) FROM commitments
                            WHERE company_id = c.id AND kind = 'arrangement'
                              AND date >= %(today)s - 365)
                     FROM res_company c
               )
               SELECT cards.company_id * 100 + %(sequence)s AS id,
                      cards.kpi AS kpi, %(sequence)s AS sequence,
                      cards.company_id AS company_id,
                      COALESCE(cards.value, 0) AS value,
                      cards.value IS NOT NULL AS measured
                 FROM cards""",
            today=env["debtor.dunning.figures"]._today_sql(),
            aging=aging,
            notices=notices,
            disputes=disputes,
            commitments=commitments,
            last_bucket="90_plus",
            sequence=SQL(
                "(CASE cards.kpi %s END)",
                SQL(" ").join(
                    SQL("WHEN %s THEN %s", code, index)
                    for code, index in sequence.items()
                ),
            ),
        )

    def init(self):
        self.env["debtor.dunning.figures"]._create_view(self)
