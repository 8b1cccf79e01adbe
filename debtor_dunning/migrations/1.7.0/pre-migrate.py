"""1.7.0: notice lines and positions no longer copy their company.

A notice line's company is its notice's, a position's its invoice's. Each copy was a
column with a foreign key that a run checked for every line it inserted and every
position it wrote (52,000 of each on a first run of the 100,000-invoice benchmark),
and an index to maintain. The columns go, and their indexes and keys with them.
"""

from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    for table in ("debtor_dunning_notice_line", "debtor_dunning_position"):
        cr.execute(
            SQL(
                "ALTER TABLE IF EXISTS %s DROP COLUMN IF EXISTS company_id",
                SQL.identifier(table),
            )
        )
