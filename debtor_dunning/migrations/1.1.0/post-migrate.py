"""1.1: fill the positions, the per-company credit hold and the stored holds."""

from odoo import SUPERUSER_ID, api
from odoo.tools.sql import column_exists


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    if column_exists(cr, "account_move_line", "dunning_level_id"):
        # Each dunned journal item's position; its term is its last notice's pay-by.
        cr.execute(
            """INSERT INTO debtor_dunning_position
                   (move_line_id, move_id, level_id, last_date, term_date, notice_id)
               SELECT aml.id, aml.move_id, aml.dunning_level_id,
                      aml.dunning_last_date, last.pay_by_date, last.id
                 FROM account_move_line aml
            LEFT JOIN LATERAL (
                      SELECT n.id, n.pay_by_date
                        FROM debtor_dunning_notice_line l
                        JOIN debtor_dunning_notice n ON n.id = l.notice_id
                       WHERE l.move_line_id = aml.id AND n.state = 'issued'
                    ORDER BY n.date DESC, n.id DESC LIMIT 1) last ON TRUE
                WHERE aml.dunning_level_id IS NOT NULL
                   OR aml.dunning_last_date IS NOT NULL
          ON CONFLICT (move_line_id) DO NOTHING"""
        )
        cr.execute(
            "ALTER TABLE account_move_line DROP COLUMN dunning_level_id,"
            " DROP COLUMN dunning_last_date"
        )
    if column_exists(cr, "debtor_dunning_notice_line", "state"):
        # A line's state is its notice's, no longer copied on every line.
        cr.execute("ALTER TABLE debtor_dunning_notice_line DROP COLUMN state")
    if column_exists(cr, "res_partner", "dunning_credit_hold_v10"):
        cr.execute("SELECT id FROM res_partner WHERE dunning_credit_hold_v10")
        held = env["res.partner"].browse([row[0] for row in cr.fetchall()])
        for company in env["res.company"].search([]):
            held.with_company(company).write({"dunning_credit_hold": True})
        cr.execute("ALTER TABLE res_partner DROP COLUMN dunning_credit_hold_v10")
    # The stored holds of invoices that something holds (few), computed by the ORM.
    Move = env["account.move"]
    moves = Move.search(
        [
            "|",
            "|",
            "|",
            "|",
            ("dunning_handed_over_date", "!=", False),
            ("dunning_disputed", "=", True),
            ("dunning_arrangement_id", "!=", False),
            ("dunning_promise_date", "!=", False),
            ("dunning_excluded", "=", True),
        ]
    )
    moves |= Move.search(
        [("reversal_move_ids.state", "=", "draft"), ("move_type", "=", "out_invoice")]
    )
    env.add_to_compute(Move._fields["dunning_hold"], moves)
    moves.flush_recordset(["dunning_hold", "dunning_hold_until"])
