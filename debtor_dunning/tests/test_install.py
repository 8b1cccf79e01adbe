import gc
from datetime import date
from decimal import Decimal
from unittest.mock import patch

from markupsafe import Markup

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..models import bulk, schema


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    """Installing on an existing book: new columns made without rewriting its rows."""

    def test_install_gives_existing_rows_the_defaults_without_writing_them(self):
        # A partner table as the add-on finds it (a temporary one: the real
        # res_partner stays as it is), with a customer in it.
        cr = self.env.cr
        cr.execute("CREATE TEMPORARY TABLE dunning_install_partner (id int)")
        cr.execute("INSERT INTO dunning_install_partner VALUES (1) RETURNING xmin")
        version = cr.fetchone()[0]
        Partner = self.env["res.partner"]
        with patch.object(type(Partner), "_table", "dunning_install_partner"):
            schema.create_defaulted_columns(Partner)
        cr.execute(
            """SELECT xmin, dunning_insurer_notify_days, dunning_insurer_warn_days,
                      dunning_factor_mode
                 FROM dunning_install_partner"""
        )
        self.assertEqual(
            cr.fetchone(),
            (version, 90, 14, "factor"),
            "the fields' defaults, and the row not rewritten",
        )
        cr.execute(
            """SELECT column_name FROM information_schema.columns
                WHERE table_name = 'dunning_install_partner'
                  AND column_default IS NOT NULL"""
        )
        self.assertFalse(cr.fetchall(), "no column keeps a database default")
        cr.execute(
            """SELECT column_name FROM information_schema.columns
                WHERE table_name = 'dunning_install_partner'
                  AND column_name IN ('dunning_sme', 'dunning_law_country')"""
        )
        self.assertFalse(cr.fetchall(), "no default: left to the ORM")


@tagged("post_install", "-at_install")
class TestBulkArrays(TransactionCase):
    """Columns passed to set-based statements as array literals come back as sent."""

    def _round_trip(self, values, kind, as_text=False):
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM unnest(%s::%s[]) WITH ORDINALITY AS t(v, n) ORDER BY n",
                SQL("v::text" if as_text else "v"),
                bulk.array(values),
                SQL(kind),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def test_values_of_every_kind_survive_the_literal(self):
        # Repeated values too: each distinct one is written once, then reused.
        ints = [1, None, -7, 2**31 - 1, -7, None, 1]
        self.assertEqual(self._round_trip(ints, "int"), ints)
        days = [date(2026, 12, 7), None, date(1999, 1, 31), date(2026, 12, 7)]
        self.assertEqual(self._round_trip(days, "date"), days)
        amounts = [Decimal("1234.56"), None, 0.1, -3, Decimal("0.005")]
        self.assertEqual(
            self._round_trip(amounts, "numeric", as_text=True),
            ["1234.56", None, "0.1", "-3", "0.005"],
        )
        self.assertEqual(
            self._round_trip([True, None, False], "bool"), [True, None, False]
        )
        texts = [
            'say "hi", {twice}',
            "back\\slash \\\\ and 'quote'",
            "NULL",
            "",
            None,
            "line\nbreak, €",
            Markup('<p class="x">%s</p>') % "a & \\ b",
        ]
        self.assertEqual(
            self._round_trip(texts, "text"),
            [None if text is None else str(text) for text in texts],
        )
        self.assertEqual(self._round_trip([], "int"), [])

    def test_planner_settings_hold_for_the_block_only(self):
        cr = self.env.cr

        def current():
            cr.execute(
                "SELECT current_setting('enable_nestloop'), current_setting('work_mem')"
            )
            return cr.fetchone()

        before = current()
        with bulk.planner(cr, enable_nestloop="off", work_mem="32MB"):
            self.assertEqual(current(), ("off", "32MB"))
        self.assertEqual(current(), before)
        with (
            self.assertRaises(ZeroDivisionError),
            bulk.planner(cr, enable_nestloop="off"),
        ):
            1 / 0  # noqa: B018
        self.assertEqual(current(), before, "put back after an error too")

    def test_the_collector_is_paused_for_the_block_only(self):
        was_on = gc.isenabled()
        try:
            gc.enable()
            with bulk.collector_paused():
                self.assertFalse(gc.isenabled())
            self.assertTrue(gc.isenabled())
            with self.assertRaises(ZeroDivisionError), bulk.collector_paused():
                1 / 0  # noqa: B018
            self.assertTrue(gc.isenabled(), "on again after an error too")
            gc.disable()
            with bulk.collector_paused():
                pass
            self.assertFalse(gc.isenabled(), "left off when it was off")
        finally:
            (gc.enable if was_on else gc.disable)()


@tagged("post_install", "-at_install")
class TestDerivedKeys(TransactionCase):
    """The invoice and currency a run copies from a journal item have no foreign key
    of their own (schema.DerivedMany2one); the journal item's key is there."""

    def _foreign_keys(self, table, column):
        self.env.cr.execute(
            """SELECT con.conname
                 FROM pg_constraint con
                 JOIN pg_class tbl ON tbl.oid = con.conrelid
                 JOIN pg_attribute att ON att.attrelid = tbl.oid
                                      AND att.attnum = con.conkey[1]
                WHERE con.contype = 'f' AND tbl.relname = %s AND att.attname = %s""",
            [table, column],
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def test_the_copied_columns_have_no_key_the_journal_item_has(self):
        for table, column in (
            ("debtor_dunning_notice_line", "move_id"),
            ("debtor_dunning_notice_line", "currency_id"),
            ("debtor_dunning_position", "move_id"),
        ):
            self.assertFalse(self._foreign_keys(table, column), f"{table}.{column}")
        for table in ("debtor_dunning_notice_line", "debtor_dunning_position"):
            self.assertTrue(self._foreign_keys(table, "move_line_id"), table)

    def test_an_update_drops_the_key_an_earlier_version_made(self):
        self.env.cr.execute(
            """ALTER TABLE debtor_dunning_position
                 ADD CONSTRAINT debtor_dunning_position_move_id_fkey
                     FOREIGN KEY (move_id) REFERENCES account_move (id)
                     ON DELETE CASCADE"""
        )
        self.assertTrue(self._foreign_keys("debtor_dunning_position", "move_id"))
        Position = self.env["debtor.dunning.position"]
        Position._fields["move_id"].update_db_foreign_key(Position, None)
        self.assertFalse(self._foreign_keys("debtor_dunning_position", "move_id"))
