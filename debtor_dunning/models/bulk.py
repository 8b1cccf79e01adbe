"""Lists as PostgreSQL array literals, for the set-based statements.

A run passes tens of thousands of values per column to `unnest(...)`. psycopg2
sends a Python list as ``ARRAY[1, 2, ...]``: an expression with a node per element
that PostgreSQL parses and evaluates, ~0.06 s per column of 50,000. The same values
as the text of an array literal (``'{1,2,...}'``, cast in the statement:
``%s::int[]``) cost a sixth of that. `array` makes that text.

`planner`: planner settings for one statement, where PostgreSQL's estimate is known
to be wrong for a whole book (see debtor.dunning.book._items).
"""

from contextlib import contextmanager

from odoo.tools import SQL


def _element(value):
    if value is None:
        return "NULL"
    if isinstance(value, str):
        # Plain str methods: Markup's would HTML-escape the backslashes.
        text = str.replace(str.__str__(value), "\\", "\\\\")
        return '"' + str.replace(text, '"', '\\"') + '"'
    # int, float (its shortest repr), Decimal, bool (True/False), date (ISO) and
    # datetime: their text is what PostgreSQL reads.
    return str(value)


def array(values):
    """The literal of a one-dimensional PostgreSQL array of `values` (None: NULL),
    to pass as a parameter and cast in the SQL (``%s::numeric[]``)."""
    return "{" + ",".join(map(_element, values)) + "}"


@contextmanager
def planner(cr, **settings):
    """PostgreSQL planner settings for the statements of the block only, e.g.
    ``planner(cr, enable_nestloop="off")``: set with `set_config(..., true)` (this
    transaction only) and put back as they were after the block."""
    names = sorted(settings)
    cr.execute(
        SQL(
            "SELECT %s",
            SQL(", ").join(
                SQL(
                    "current_setting(%s), set_config(%s, %s, true)",
                    name,
                    name,
                    str(settings[name]),
                )
                for name in names
            ),
        )
    )
    row = cr.fetchone()
    before = dict(zip(names, row[::2], strict=True))
    try:
        yield
    finally:
        cr.execute(
            SQL(
                "SELECT %s",
                SQL(", ").join(
                    SQL("set_config(%s, %s, true)", name, before[name])
                    for name in names
                ),
            )
        )
