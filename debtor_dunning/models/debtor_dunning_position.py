from odoo import api, fields, models
from odoo.tools import SQL

from . import bulk, schema


class DebtorDunningPosition(models.Model):
    """Where one open receivable line stands on the ladder.

    A narrow table of its own, written set-based when notices are issued: the run
    reads it beside the journal items instead of rewriting the wide, busy
    account_move_line. An invoice with several due dates has a position per
    instalment; the invoice shows the highest, read from here (account.move.
    dunning_level_id: never stored on account_move).
    """

    _name = "debtor.dunning.position"
    _description = "Dunning position of a receivable line"
    _order = "move_id, move_line_id"
    _check_company_auto = True
    # Written set-based for tens of thousands of debts at once: no who/when columns
    # (and their foreign keys); the notice it points to says who and when.
    _log_access = False

    move_line_id = fields.Many2one(
        "account.move.line", string="Journal Item", required=True, ondelete="cascade"
    )
    # The journal item's invoice: no foreign key of its own (see
    # schema.DerivedMany2one); the journal item's cascades.
    move_id = schema.DerivedMany2one(
        "account.move", string="Invoice", required=True, index=True, ondelete="cascade"
    )
    # Not stored: the invoice's. A copy cost a foreign key check per position
    # written; the record rules find a position's company through its invoice.
    company_id = fields.Many2one(related="move_id.company_id")
    level_id = fields.Many2one(
        "debtor.dunning.level", help="The level its last escalating notice reached."
    )
    last_date = fields.Date(
        string="Last Notice", help="The date of the last notice that listed it."
    )
    term_date = fields.Date(
        string="Term Ends",
        help="The last day of the term its last notice gave: it climbs no further "
        "before.",
    )
    notice_id = fields.Many2one(
        "debtor.dunning.notice", string="Last Notice Sent", ondelete="set null"
    )

    def init(self):
        # One position per journal item: issuing upserts on it.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (move_line_id)",
                SQL.identifier("debtor_dunning_position_move_line_id_uniq"),
                SQL.identifier(self._table),
            )
        )

    @api.model
    def _dunning_invalidate(self):
        """After positions were written in SQL: what the ORM holds of them goes, with
        the invoices' level and last date that are read from them."""
        self.invalidate_model()
        self.env["account.move"].invalidate_model(
            ["dunning_position_ids", "dunning_level_id", "dunning_last_date"]
        )

    @api.model
    def _dunning_upsert(self, values):
        """Insert or update positions, one statement: {move line id: values}.

        values: move_id (of the journal item), level_id (None keeps the current
        level), last_date, term_date, notice_id. An upsert that meets a
        position another transaction wrote since this one started raises a
        serialization failure: the caller retries later.
        """
        if not values:
            return
        ids = list(values)
        self.env.execute_query(
            SQL(
                """INSERT INTO debtor_dunning_position AS pos
                       (move_line_id, move_id, level_id, last_date, term_date,
                        notice_id)
                   SELECT v.line_id, v.move_id, v.level_id, v.last_date, v.term_date,
                          v.notice_id
                     FROM unnest(%(line)s::int[], %(move)s::int[], %(level)s::int[],
                                 %(last)s::date[], %(term)s::date[], %(notice)s::int[])
                          AS v(line_id, move_id, level_id, last_date, term_date,
                               notice_id)
              ON CONFLICT (move_line_id) DO UPDATE
                      SET level_id = COALESCE(EXCLUDED.level_id, pos.level_id),
                          last_date = EXCLUDED.last_date,
                          term_date = EXCLUDED.term_date,
                          notice_id = EXCLUDED.notice_id""",
                line=bulk.array(ids),
                move=bulk.array(values[i]["move_id"] for i in ids),
                level=bulk.array(values[i]["level_id"] for i in ids),
                last=bulk.array(values[i]["last_date"] for i in ids),
                term=bulk.array(values[i]["term_date"] for i in ids),
                notice=bulk.array(values[i]["notice_id"] for i in ids),
            )
        )
        self._dunning_invalidate()

    @api.model
    def _dunning_restore(self, values):
        """Put positions back as they were before a cancelled notice, one statement
        each: {move line id: level_id, last_date, term_date, notice_id}. A debt no
        notice listed before loses its position: it was never dunned.
        """
        if not values:
            return
        self.flush_model()
        ids = list(values)
        never = [i for i in ids if not any(values[i].values())]
        if never:
            self.env.execute_query(
                SQL(
                    "DELETE FROM debtor_dunning_position WHERE move_line_id IN %s",
                    tuple(never),
                )
            )
        kept = [i for i in ids if i not in set(never)]
        if kept:
            self.env.execute_query(
                SQL(
                    """UPDATE debtor_dunning_position pos
                          SET level_id = v.level_id,
                              last_date = v.last_date,
                              term_date = v.term_date,
                              notice_id = v.notice_id
                         FROM unnest(%(line)s::int[], %(level)s::int[],
                                     %(last)s::date[], %(term)s::date[],
                                     %(notice)s::int[])
                              AS v(line_id, level_id, last_date, term_date, notice_id)
                        WHERE pos.move_line_id = v.line_id""",
                    line=bulk.array(kept),
                    level=bulk.array(values[i]["level_id"] for i in kept),
                    last=bulk.array(values[i]["last_date"] for i in kept),
                    term=bulk.array(values[i]["term_date"] for i in kept),
                    notice=bulk.array(values[i]["notice_id"] for i in kept),
                )
            )
        self._dunning_invalidate()
