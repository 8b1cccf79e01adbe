"""New columns on the big tables of an existing book, made without a row-by-row write.

Installing the add-on on a database that already has its journal entries and
customers adds columns to account_move and res_partner. The ORM would fill a new
column row by row: an UPDATE of the whole table per column with a default
(`_init_column`), the compute of every record for a stored computed one. Both
models' `_auto_init` call `create_defaulted_columns` first; account.move creates
its stored computed columns empty and fills them where they apply
(data/account_move_data.xml).

`DerivedMany2one`: a stored many2one without a foreign key, for a column a run
fills tens of thousands of times and whose value follows from another key of the
same row.
"""

from odoo import fields
from odoo.tools import SQL
from odoo.tools.sql import table_columns


class DerivedMany2one(fields.Many2one):
    """A many2one whose value follows from another many2one of the same row, which
    has its foreign key: the invoice and the currency of a journal item, which a
    posted journal item never changes. Stored and indexed as any many2one (search,
    group, join), without a foreign key of its own.

    PostgreSQL checks a foreign key row by row: 0.3-0.45 s for the 52,000 notice
    lines or positions of a run on the 100,000-invoice benchmark, per key. The key
    of the field the value follows from keeps the row whole (a journal item does
    not go without its invoice). The key an earlier version made is dropped when
    the add-on is updated.
    """

    def update_db_foreign_key(self, model, column):
        drop_foreign_keys(model, self.name)


def drop_foreign_keys(model, fname):
    """Drop the foreign keys on the column `fname` of `model`'s table, and their
    reflection in ir.model.constraint."""
    cr = model.env.cr
    cr.execute(
        SQL(
            """SELECT con.conname
                 FROM pg_constraint con
                 JOIN pg_class tbl ON tbl.oid = con.conrelid
                 JOIN pg_attribute att ON att.attrelid = tbl.oid
                                      AND att.attnum = con.conkey[1]
                WHERE con.contype = 'f' AND tbl.relname = %s AND att.attname = %s""",
            model._table,
            fname,
        )
    )
    for (name,) in cr.fetchall():
        cr.execute(
            SQL(
                "ALTER TABLE %s DROP CONSTRAINT %s",
                SQL.identifier(model._table),
                SQL.identifier(name),
            )
        )
        cr.execute(
            SQL("DELETE FROM ir_model_constraint WHERE name = %s AND type = 'f'", name)
        )


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
