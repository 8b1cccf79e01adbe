"""1.7.0: notice lines and positions find their company through notice and invoice.

Both copied it in a column of their own, with a foreign key that a run checked for
every line it inserted and every position it wrote (52,000 of each on a first run of
the 100,000-invoice benchmark). The columns, their indexes and keys go.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists


def migrate(cr, version):
    if not version:
        return
    for table in ("debtor_dunning_notice_line", "debtor_dunning_position"):
        if column_exists(cr, table, "company_id"):
            cr.execute(
                SQL(
                    "ALTER TABLE %s DROP COLUMN company_id",
                    SQL.identifier(table),
                )
            )
