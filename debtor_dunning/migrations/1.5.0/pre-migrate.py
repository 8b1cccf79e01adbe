"""1.5.0: notice lines and positions keep no who/when columns.

A first run on a large book inserts tens of thousands of each; their create/write
user and date (with two foreign keys to res_users per row) told nothing the notice
does not. Dropped with their constraints.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists

_LOG_COLUMNS = ("create_uid", "write_uid", "create_date", "write_date")


def migrate(cr, version):
    if not version:
        return
    for table in ("debtor_dunning_notice_line", "debtor_dunning_position"):
        for column in _LOG_COLUMNS:
            if column_exists(cr, table, column):
                cr.execute(
                    SQL(
                        "ALTER TABLE %s DROP COLUMN %s",
                        SQL.identifier(table),
                        SQL.identifier(column),
                    )
                )
