from datetime import date
from decimal import Decimal

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestRates(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rate = cls.env["debtor.dunning.rate"]

    def test_statutory_rates_ship_from_2020_with_how_they_were_checked(self):
        shipped = self.Rate.search([("company_id", "=", False)])
        for kind in ("nl_statutory", "nl_commercial", "be_commercial", "be_legal"):
            rates = shipped.filtered(lambda rate, kind=kind: rate.kind == kind)
            self.assertEqual(
                min(rates.mapped("effective_date")), date(2020, 1, 1), kind
            )
        self.assertTrue(
            all(shipped.mapped("note")), "every rate says how it was checked"
        )
        july_2024 = shipped.filtered(
            lambda r: r.kind == "nl_commercial" and r.effective_date == date(2024, 7, 1)
        )
        self.assertEqual(july_2024.percent, 12.25)
        self.assertIn("metaalunie.nl", july_2024.source)

    def test_a_company_table_of_a_kind_replaces_the_shared_one(self):
        self.Rate.create(
            {
                "kind": "nl_commercial",
                "effective_date": date(2000, 1, 1),
                "percent": 9.5,
                "company_id": self.company.id,
            }
        )
        table = self.Rate._dunning_rate_table(self.company)
        self.assertEqual(
            [(r.effective_date, r.percent) for r in table["nl_commercial"]],
            [(date(2000, 1, 1), Decimal("9.5000"))],
        )
        self.assertGreater(len(table["nl_statutory"]), 1, "other kinds stay shared")
        other = self.setup_other_company()["company"]
        self.assertNotIn(
            (date(2000, 1, 1), Decimal("9.5000")),
            [
                (r.effective_date, r.percent)
                for r in self.Rate._dunning_rate_table(other)["nl_commercial"]
            ],
        )

    def test_one_rate_per_kind_and_day_and_no_negative_rate(self):
        values = {
            "kind": "contractual",
            "effective_date": date(2026, 1, 1),
            "percent": 12.0,
            "company_id": self.company.id,
        }
        self.Rate.create(values)
        with self.assertRaises(ValidationError):
            self.Rate.create(values)
        with self.assertRaises(ValidationError):
            self.Rate.create(
                {**values, "effective_date": date(2026, 2, 1), "percent": -1}
            )

    def test_users_see_shared_rates_and_their_own_company_rates_only(self):
        other = self.setup_other_company()["company"]
        theirs = self.Rate.create(
            {
                "kind": "contractual",
                "effective_date": date(2026, 1, 1),
                "percent": 18.0,
                "company_id": other.id,
            }
        )
        user = new_test_user(
            self.env,
            login="rates_reader",
            groups="base.group_user,debtor_dunning.debtor_dunning_group_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        seen = self.Rate.with_user(user).search([])
        self.assertNotIn(theirs, seen)
        self.assertTrue(seen.filtered(lambda rate: not rate.company_id))
        with self.assertRaises(AccessError):
            self.Rate.with_user(user).create(
                {
                    "kind": "contractual",
                    "effective_date": date(2026, 3, 1),
                    "percent": 1,
                }
            )
