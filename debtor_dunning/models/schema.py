"""New columns on the big tables of an existing book, made without a row-by-row write.

Installing the add-on on a database that already has its journal entries and
customers adds columns to account_move and res_partner. The ORM would fill a new
column row by row: an UPDATE of the whole table per column with a default
(`_init_column`), the compute of every record for a stored computed one. Both
models' `_auto_init` call `create_defaulted_columns` first; account.move creates
its stored computed columns empty and fills them where they apply
(data/account_move_data.xml).
"""

from odoo.tools import SQL
from odoo.tools.sql import table_columns


def create_defaulted_columns(model):
    """Create the missing columns of `model`'s fields that have a default, with it.

    One ALTER TABLE per column and no rewrite of the table: PostgreSQL keeps the
    value for the existing rows in its catalogue ("fast default", PostgreSQL 11 and
    later). The column's default is dropped right after, as the ORM's columns have
    none. The ORM then finds the column there and leaves it as it is.
    """
    cr = model.env.cr
    columns = table_columns(cr, model._table)
    for field in model._fields.values():
        if (
            field.name in columns
            or not field.store
            or field.manual
            or not field.column_type
            or field.compute
            or field.company_dependent
            or field.translate
            or not field.default
        ):
            continue
        value = field.convert_to_column_insert(
            field.convert_to_write(field.default(model), model), model
        )
        # As the ORM: NULL needs no value, and neither does False for a boolean.
        if value is None or (field.type == "boolean" and not value):
            continue
        table, column = SQL.identifier(model._table), SQL.identifier(field.name)
        cr.execute(
            SQL(
                """ALTER TABLE %(table)s ADD COLUMN %(column)s %(type)s
                       DEFAULT %(value)s;
                   ALTER TABLE %(table)s ALTER COLUMN %(column)s DROP DEFAULT;
                   COMMENT ON COLUMN %(table)s.%(column)s IS %(comment)s""",
                table=table,
                column=column,
                type=SQL(field.column_type[1]),
                value=value,
                comment=field.string,
            )
        )
