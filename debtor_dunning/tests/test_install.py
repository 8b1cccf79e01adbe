from unittest.mock import patch

from odoo.tests import TransactionCase, tagged

from ..models import schema


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
