"""1.1: per-company credit hold; positions instead of journal item columns.

Before the update: the old global credit hold is kept aside (the field becomes
company-dependent, a jsonb column), and the new stored hold columns of account_move
are created empty, so that the update does not compute them for every journal entry
(post-migrate fills them where a hold applies).
"""

from odoo.tools.sql import column_exists, column_type, create_column, rename_column


def migrate(cr, version):
    if column_exists(cr, "res_partner", "dunning_credit_hold") and (
        column_type(cr, "res_partner", "dunning_credit_hold") == "bool"
    ):
        rename_column(
            cr, "res_partner", "dunning_credit_hold", "dunning_credit_hold_v10"
        )
    for column, kind in (("dunning_hold", "varchar"), ("dunning_hold_until", "date")):
        if not column_exists(cr, "account_move", column):
            create_column(cr, "account_move", column, kind)
