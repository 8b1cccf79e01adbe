"""Lists as PostgreSQL array literals, for the set-based statements.

A run passes tens of thousands of values per column to `unnest(...)`. psycopg2
sends a Python list as ``ARRAY[1, 2, ...]``: an expression with a node per element
that PostgreSQL parses and evaluates, ~0.06 s per column of 50,000. The same values
as the text of an array literal (``'{1,2,...}'``, cast in the statement:
``%s::int[]``) cost a sixth of that. `array` makes that text.

`planner`: planner settings for one statement, where PostgreSQL's estimate is known
to be wrong for a whole book (see debtor.dunning.book._items).

`collector_paused`: a run makes a few objects per open item (a row, an amount, an
item, a decision): hundreds of thousands, each allocation counted towards Python's
cyclic garbage collector, which then scans the whole process (Odoo's registry
included) again and again. Paused for the run's steps, they are freed by reference
counting as before; the few cycles made meanwhile wait for the collector's next
pass after the step.
"""

import datetime
import gc
from contextlib import contextmanager
from decimal import Decimal

from odoo.tools import SQL

# Types whose text is what PostgreSQL reads in an array literal: int, float (its
# shortest repr), Decimal, bool (True/False), date (ISO) and datetime.
_AS_TEXT = frozenset({int, float, Decimal, bool, datetime.date, datetime.datetime})


def _element(value):
    if value is None:
        return "NULL"
    if isinstance(value, str):
        # Plain str methods: Markup's would HTML-escape the backslashes.
        text = str.replace(str.__str__(value), "\\", "\\\\")
        return '"' + str.replace(text, '"', '\\"') + '"'
    return str(value)  # a subclass of one of _AS_TEXT


def array(values):
    """The literal of a one-dimensional PostgreSQL array of `values` (None: NULL),
    to pass as a parameter and cast in the SQL (``%s::numeric[]``).

    The values of a column are of one type (None aside). Each distinct value is
    written once: a run's columns repeat theirs (a few due dates, levels and
    currencies for 50,000 lines), and a date's text costs ten times a look-up.
    """
    texts = {}
    parts = []
    append = parts.append
    for value in values:
        text = texts.get(value)
        if text is None:
            # The common types inline: a call per element costs more than the rest.
            text = str(value) if type(value) in _AS_TEXT else _element(value)
            texts[value] = text
        append(text)
    return "{" + ",".join(parts) + "}"


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


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector paused for the block (it is process-wide:
    turned on again after it only if it was on before)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
