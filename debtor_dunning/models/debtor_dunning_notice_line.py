from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..core import law
from . import bulk, guard, schema

# Issued notices that listed the invoices before: the legal terms count from them, and
# the letters name them.
_EARLIER_SQL = """
    SELECT l.move_id, n.id AS notice_id, n.date, n.email_state, n.letter_state,
           lvl.fourteen_day_letter
      FROM debtor_dunning_notice_line l
      JOIN debtor_dunning_notice n ON n.id = l.notice_id
      JOIN debtor_dunning_level lvl ON lvl.id = n.level_id
     WHERE l.move_id = ANY(%(moves)s::int[])
       AND n.state = 'issued'
       AND n.id != ALL(%(notices)s::int[])
  ORDER BY n.date, n.id
"""


class DebtorDunningNoticeLine(models.Model):
    _name = "debtor.dunning.notice.line"
    _description = "Invoice on a dunning notice"
    _order = "notice_id, date_maturity, id"
    # A first run inserts tens of thousands of lines: no who/when columns (and their
    # foreign keys to res_users) on each; the notice and its chatter say who and when.
    _log_access = False

    notice_id = fields.Many2one(
        "debtor.dunning.notice", required=True, ondelete="cascade", index=True
    )
    # Not stored: the notice's. A copy on every line cost a foreign key check per
    # line inserted; the record rules find a line's company through its notice.
    company_id = fields.Many2one(related="notice_id.company_id")
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    # Not stored: issuing thousands of notices would rewrite every line's copy.
    state = fields.Selection(related="notice_id.state")
    partner_id = fields.Many2one(related="notice_id.partner_id")
    notice_date = fields.Date(related="notice_id.date", string="Notice Date")
    move_line_id = fields.Many2one(
        "account.move.line", string="Journal Item", required=True, index=True
    )
    # The journal item's invoice and currency: no foreign keys of their own (see
    # schema.DerivedMany2one), a run inserts tens of thousands of lines.
    move_id = schema.DerivedMany2one(
        "account.move", string="Invoice", required=True, index=True
    )
    level_id = fields.Many2one("debtor.dunning.level")
    previous_level_id = fields.Many2one("debtor.dunning.level")
    previous_date = fields.Date(
        string="Previous Notice", help="The date of the last notice that listed it."
    )
    previous_term_date = fields.Date(
        string="Previous Term Ended",
        help="The last day of the term its previous notice gave.",
    )
    age_level_id = fields.Many2one(
        "debtor.dunning.level",
        string="Level By Age",
        help="The level its days overdue alone reach: higher than its level when the "
        "path up the ladder holds it back.",
    )
    escalated = fields.Boolean(
        help="The invoice reached a new level with this notice; otherwise it rode "
        "along."
    )
    date_maturity = fields.Date(string="Due Date")
    days_overdue = fields.Integer()
    currency_id = schema.DerivedMany2one("res.currency", string="Invoice Currency")
    amount_residual_currency = fields.Monetary(
        string="Open Amount", currency_field="currency_id"
    )
    amount_residual = fields.Monetary(
        string="Open Amount (Company Currency)", currency_field="company_currency_id"
    )
    # For the letter: "your dispute of this invoice was rejected" (dispute model).
    dispute_rejected = fields.Boolean(
        compute="_compute_dispute_rejected",
        help="A dispute on this invoice was rejected since its previous notice: the "
        "letter says so.",
    )

    # ------------------------------------------------------------------ guard
    def _check_notice_not_frozen(self, notices):
        """Lines of an issued notice are what the customer was sent: frozen."""
        frozen = notices._dunning_frozen()
        if frozen and not guard.is_own(self.env):
            raise UserError(frozen._dunning_frozen_message())
        if not guard.is_own(self.env):
            self.env["debtor.dunning.approval"]._proposal_changed(
                notices.filtered(lambda n: n.state == "draft")
            )

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

    def _compute_dispute_rejected(self):
        rejected = defaultdict(list)
        for dispute in (
            self.env["debtor.dunning.dispute"]
            .sudo()
            .search([("move_id", "in", self.move_id.ids), ("state", "=", "rejected")])
        ):
            rejected[dispute.move_id.id].append(dispute.resolved_date)
        noticed = defaultdict(list)
        for line in self.sudo().search(
            [("move_id", "in", list(rejected)), ("state", "=", "issued")]
        ):
            noticed[line.move_id.id].append((line.notice_date, line.notice_id.id))
        for line in self:
            day = line.notice_date
            line.dispute_rejected = bool(day) and any(
                resolved
                and resolved <= day
                and not any(
                    resolved <= other < day
                    for other, notice_id in noticed[line.move_id.id]
                    if notice_id != line.notice_id.id
                )
                for resolved in rejected[line.move_id.id]
            )

    @api.model
    def _dunning_earlier(self, moves, notices):
        """{invoice id: [row]}: the issued notices other than `notices` that listed
        each invoice, oldest first (notice_id, date, email_state, letter_state,
        fourteen_day_letter)."""
        for model in ("debtor.dunning.notice", "debtor.dunning.notice.line"):
            self.env[model].flush_model()
        self.env["debtor.dunning.level"].flush_model(["fourteen_day_letter"])
        earlier = defaultdict(list)
        query = SQL(
            _EARLIER_SQL, moves=bulk.array(moves.ids), notices=bulk.array(notices.ids)
        )
        for row in self.env.execute_query_dict(query):
            earlier[row["move_id"]].append(row)
        return earlier

    @api.model
    def _dunning_sent(self, moves, notices):
        """{invoice id: [core.law.Sent]} of the earlier notices (_dunning_earlier)."""
        return {
            move_id: [
                law.Sent(
                    row["date"],
                    law.presumed_by_post(
                        row["letter_state"] != "none", row["email_state"] != "none"
                    ),
                    bool(row["fourteen_day_letter"]),
                )
                for row in rows
            ]
            for move_id, rows in self._dunning_earlier(moves, notices).items()
        }
