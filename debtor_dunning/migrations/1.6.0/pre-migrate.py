"""1.6.0: an invoice's dunning level and last date are read from its positions.

They were columns of account_move, rewritten for every invoice a run dunned (a new
row version in each of the table's 30-odd indexes). The positions
(debtor_dunning_position) hold the same facts; the columns and their index go.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists


def migrate(cr, version):
    if not version:
        return
    for column in ("dunning_level_id", "dunning_last_date"):
        if column_exists(cr, "account_move", column):
            cr.execute(
                SQL(
                    "ALTER TABLE account_move DROP COLUMN %s",
                    SQL.identifier(column),
                )
            )
