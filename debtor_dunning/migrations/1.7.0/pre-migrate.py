"""1.7.0: notice lines and positions no longer copy what they can look up.

A notice line's company is its notice's, a position's its invoice's. Each copy was a
column with a foreign key that a run checked for every line it inserted and every
position it wrote (52,000 of each on a first run of the 100,000-invoice benchmark),
and an index to maintain. The columns go, and their indexes and keys with them.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists

_COPIES = {
    "debtor_dunning_notice_line": ["company_id"],
    "debtor_dunning_position": ["company_id"],
}


def migrate(cr, version):
    if not version:
        return
    for table, columns in _COPIES.items():
        for column in columns:
            if column_exists(cr, table, column):
                cr.execute(
                    SQL(
                        "ALTER TABLE %s DROP COLUMN %s",
                        SQL.identifier(table),
                        SQL.identifier(column),
                    )
                )
