"""The figures against a small book computed by hand."""

from datetime import date

from odoo.tests import freeze_time, tagged

from .common import TUESDAY, DunningCommon, noon

NOTICE_DAY = date(2026, 11, 2)
MONTH_END = date(2026, 10, 31)


@tagged("post_install", "-at_install")
class TestFigures(DunningCommon):
    """Six invoices, one customer each (the clock: TUESDAY, 24 November 2026).

    | inv | amount | invoiced   | due        | paid                                |
    | A   | 1000   | 2026-09-15 | 2026-09-15 | 400 on 20 Oct, 600 on 10 Nov        |
    | B   |  500   | 2026-10-25 | 2026-10-25 | -                                   |
    | C   |  300   | 2026-11-04 | 2026-12-04 | -                                   |
    | D   | 2000   | 2026-06-30 | 2026-06-30 | -                                   |
    | E   |  700   | 2026-09-20 | 2026-09-20 | 200 on 20 Nov                       |
    | F   |  400   | 2026-10-01 | 2026-10-01 | 400 on 22 Nov                       |

    A, B, D, E and F got a first notice on 2 November (C was not due).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.customers = Partner.create(
            [{"name": f"Customer {letter}"} for letter in "ABCDEF"]
        )
        a, b, c, d, e, f = cls.customers

        def invoice(partner, amount, invoiced, due):
            return cls._invoice(
                0,
                amount,
                partner=partner,
                invoice_date=invoiced,
                invoice_date_due=due,
            )

        cls.a = invoice(a, 1000, date(2026, 9, 15), date(2026, 9, 15))
        cls.b = invoice(b, 500, date(2026, 10, 25), date(2026, 10, 25))
        cls.c = invoice(c, 300, date(2026, 11, 4), date(2026, 12, 4))
        cls.d = invoice(d, 2000, date(2026, 6, 30), date(2026, 6, 30))
        cls.e = invoice(e, 700, date(2026, 9, 20), date(2026, 9, 20))
        cls.f = invoice(f, 400, date(2026, 10, 1), date(2026, 10, 1))
        cls._pay(cls.a, 400, date(2026, 10, 20))
        with freeze_time(noon(NOTICE_DAY)):
            run = cls.service._propose(cls.company, NOTICE_DAY)
            run.action_validate()
        cls.notices = run.notice_ids
        cls._pay(cls.a, 600, date(2026, 11, 10))
        cls._pay(cls.e, 200, date(2026, 11, 20))
        cls._pay(cls.f, 400, date(2026, 11, 22))
        cls.figures = cls.env["debtor.dunning.figures"]
        cls.env.flush_all()

    def setUp(self):
        super().setUp()
        self.figures._set_today(TUESDAY)

    def _aging(self, snapshot, as_of=None):
        """{bucket: open amount} of the test company on one day looked at."""
        domain = [("company_id", "=", self.company.id), ("snapshot", "=", snapshot)]
        if as_of:
            domain.append(("as_of", "=", as_of))
        groups = self.env["debtor.dunning.aging.report"]._read_group(
            domain, ["bucket"], ["open_amount:sum"]
        )
        return {bucket: amount for bucket, amount in groups}

    def test_the_run_dunned_five_customers(self):
        self.assertEqual(len(self.notices), 5)
        self.assertEqual(
            self.notices.line_ids.move_id, self.a | self.b | self.d | self.e | self.f
        )

    def test_aging_today(self):
        # B 30 days late, C due in 10 days, D 147 days, E 65 days with 500 left;
        # A and F are paid.
        self.assertEqual(
            self._aging("today"),
            {"1_30": 500.0, "not_due": 300.0, "61_90": 500.0, "90_plus": 2000.0},
        )

    def test_aging_at_a_month_end_as_it_stood(self):
        # 31 October: A 600 left (46 days), B 6 days, D 123 days, E 700 (41 days),
        # F 30 days; C not yet invoiced. The later payments do not count.
        self.assertEqual(
            self._aging("month_end", MONTH_END),
            {"1_30": 900.0, "31_60": 1300.0, "90_plus": 2000.0},
        )
        # 30 September: A 1000 (15 days), E 700 (10 days), D 92 days.
        self.assertEqual(
            self._aging("month_end", date(2026, 9, 30)),
            {"1_30": 1700.0, "90_plus": 2000.0},
        )

    def test_aging_filters_by_collector_and_policy(self):
        collector = self.dunning_user
        self.customers[3].with_company(self.company).dunning_collector_id = collector
        self.env.flush_all()
        rows = self.env["debtor.dunning.aging.report"].search(
            [("company_id", "=", self.company.id), ("snapshot", "=", "today")]
        )
        self.assertEqual(
            rows.filtered(lambda r: r.collector_id == collector).move_id, self.d
        )
        self.assertEqual(
            set(rows.filtered(lambda r: r.move_id != self.c).mapped("policy_id")),
            {self.policy},
            "a dunned customer's debts fall under the policy of his last notice",
        )
        self.assertFalse(rows.filtered(lambda r: r.move_id == self.c).policy_id)

    def test_dso_count_back(self):
        # Credit sales by month: June 2000 (D), September 1700 (A, E), October 900
        # (B, F); C was invoiced in November.
        self.assertEqual(
            self.figures._credit_sales(self.company, date(2026, 1, 1), MONTH_END),
            {
                (self.company.id, date(2026, 6, 1)): 2000.0,
                (self.company.id, date(2026, 9, 1)): 1700.0,
                (self.company.id, date(2026, 10, 1)): 900.0,
            },
        )
        dso = self.figures._refresh_dso(self.company, TUESDAY)
        by_month = {row.date: row for row in dso}
        # 31 October: 4200 open; October's sales 900 (31 days), September's 1700
        # (30), nothing in August and July (31 + 31), 1600 of June's 2000:
        # 31 + 30 + 31 + 31 + 1600 / 2000 * 30 = 147.
        self.assertRecordValues(
            by_month[MONTH_END],
            [{"balance": 4200.0, "sales": 900.0, "dso_days": 147.0}],
        )
        # 30 September: 3700 = September's 1700 (30), August, July, June's 2000 (30).
        self.assertRecordValues(
            by_month[date(2026, 9, 30)],
            [{"balance": 3700.0, "sales": 1700.0, "dso_days": 122.0}],
        )
        self.assertEqual(len(dso), 13)

    def _cure(self):
        Report = self.env["debtor.dunning.notice.report"]
        domain = [("company_id", "=", self.company.id)]
        [row] = Report._read_group(
            domain,
            ["level_id"],
            [
                "notice_count:sum",
                "paid_14:sum",
                "paid_30:sum",
                "cure_rate_14:avg",
                "cure_rate_30:avg",
                "open_amount:sum",
                "collected_amount:sum",
            ],
        )
        return row

    def test_cure_rate_per_level(self):
        self.figures._set_today(date(2026, 12, 31))
        level, count, paid_14, paid_30, rate_14, rate_30, open_, collected = (
            self._cure()
        )
        self.assertEqual(level, self.levels[0])
        # A paid in full 8 days after the notice, F 20 days after; E partly.
        self.assertEqual((count, paid_14, paid_30), (5, 1, 2))
        self.assertEqual((rate_14, rate_30), (20.0, 40.0))
        # Open at the notice: A 600 + B 500 + D 2000 + E 700 + F 400.
        self.assertEqual(open_, 4200.0)
        # Collected in 30 days: A 600, E 200, F 400.
        self.assertEqual(collected, 1200.0)

    def test_cure_rate_waits_until_its_days_have_passed(self):
        # On 24 November the 14 days after 2 November have passed, the 30 not.
        _level, count, paid_14, paid_30, rate_14, rate_30, *_rest = self._cure()
        self.assertEqual((count, paid_14, rate_14), (5, 1, 20.0))
        self.assertFalse(paid_30)
        self.assertFalse(rate_30)

    def test_dashboard_cards(self):
        self.figures._refresh_dso(self.company, TUESDAY)
        self.figures._set_today(date(2026, 12, 31))
        cards = self.env["debtor.dunning.kpi"].search(
            [("company_id", "=", self.company.id)]
        )
        values = {card.kpi: card.value for card in cards}
        # On 31 December: B 500 (67 days), C 300 (27), D 2000 (184), E 500 (102).
        self.assertEqual(values["open"], 3300.0)
        self.assertEqual(values["overdue_share"], 100.0)
        self.assertEqual(values["over_90"], 2500.0)
        self.assertEqual(values["dso"], 147.0)
        self.assertEqual(values["cure_rate"], 40.0)
        self.assertEqual(values["disputes"], 0.0)
        # No promise was made: nothing measured, not 0 %.
        promises = cards.filtered(lambda c: c.kpi == "promises")
        self.assertRecordValues(promises, [{"measured": False, "display_value": "-"}])
        card = cards.filtered(lambda c: c.kpi == "dso")
        self.assertEqual(card.display_value, "147.0 days")
        action = card.action_open_figure()
        self.assertEqual(action["res_model"], "debtor.dunning.dso")

    def test_dunning_user_opens_the_dashboard_and_the_dso(self):
        for xmlid, model in (
            ("debtor_dunning_kpi_action_open", "debtor.dunning.kpi"),
            ("debtor_dunning_dso_action_refresh", "debtor.dunning.dso"),
        ):
            action = (
                self.env.ref(f"debtor_dunning.{xmlid}")
                .with_user(self.dunning_user)
                .with_context(allowed_company_ids=self.company.ids)
                .run()
            )
            self.assertEqual(action["res_model"], model)
        dso = self.env["debtor.dunning.dso"]
        self.assertTrue(dso.search([("company_id", "=", self.company.id)]))

    def test_figures_show_the_users_companies_only(self):
        Report = self.env["debtor.dunning.aging.report"]
        others = Report.sudo().search([("company_id", "!=", self.company.id)])
        self.assertTrue(others, "the demo company's book is there")
        self.assertEqual(
            Report.with_user(self.dunning_user).search([]).company_id, self.company
        )
        self.assertEqual(
            self.env["debtor.dunning.kpi"]
            .with_user(self.dunning_user)
            .search([])
            .company_id,
            self.company,
        )


@tagged("post_install", "-at_install")
class TestCommitmentFigures(DunningCommon):
    """Disputes, promises and arrangements, kept and broken, counted by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.figures = cls.env["debtor.dunning.figures"]
        Partner = cls.env["res.partner"]
        cls.customers = Partner.create(
            [{"name": f"Debtor {n}", "email": f"d{n}@example.com"} for n in range(6)]
        )

    def setUp(self):
        super().setUp()
        self.figures._set_today(TUESDAY)

    def _commitments(self, kind):
        groups = self.env["debtor.dunning.commitment.report"]._read_group(
            [("company_id", "=", self.company.id), ("kind", "=", kind)],
            ["outcome"],
            ["__count", "amount:sum"],
        )
        return {outcome: (count, amount) for outcome, count, amount in groups}

    def test_disputes_by_reason_and_days_to_settle(self):
        Dispute = self.env["debtor.dunning.dispute"]
        moves = [self._invoice(40, partner=p) for p in self.customers[:4]]
        with freeze_time(noon(date(2026, 11, 1))):
            price_1 = Dispute.create({"move_id": moves[0].id, "reason": "price"})
            price_2 = Dispute.create({"move_id": moves[1].id, "reason": "price"})
            quality = Dispute.create({"move_id": moves[2].id, "reason": "quality"})
        with freeze_time(noon(date(2026, 11, 10))):
            Dispute.create({"move_id": moves[3].id, "reason": "quality"})
            price_1.action_withdraw()  # 9 days
        with freeze_time(noon(date(2026, 11, 20))):
            price_2.action_reject()  # 19 days
            quality.action_reject()  # 19 days
        self.env.flush_all()
        groups = self.env["debtor.dunning.dispute.report"]._read_group(
            [("company_id", "=", self.company.id)],
            ["reason"],
            ["dispute_count:sum", "open_count:sum", "settle_days:avg"],
        )
        self.assertEqual(
            {reason: rest for reason, *rest in groups},
            {"price": [2, 0, 14.0], "quality": [2, 1, 19.0]},
        )

    def test_promises_kept_broken_and_open(self):
        kept, broken, waiting, late_payer = (
            self._invoice(20, 300, partner=p) for p in self.customers[:4]
        )
        with freeze_time(noon(date(2026, 11, 2))):
            kept._dunning_record_promise(date(2026, 11, 9), 300)
            broken._dunning_record_promise(date(2026, 11, 10), 100)
            late_payer._dunning_record_promise(date(2026, 11, 12), 300)
        waiting._dunning_record_promise(date(2026, 12, 1), 300)
        self._pay(kept, 300, date(2026, 11, 5))
        self._pay(broken, 50, date(2026, 11, 6))  # half of what was promised
        self._pay(late_payer, 300, date(2026, 11, 13))  # a day late
        self.env.flush_all()
        self.assertEqual(
            len(self.env["debtor.dunning.promise"].search([("move_id", "=", kept.id)])),
            1,
        )
        self.assertEqual(
            self._commitments("promise"),
            {"kept": (1, 300.0), "broken": (2, 400.0), "open": (1, 300.0)},
        )

    def test_arrangements_kept_and_broken(self):
        Arrangement = self.env["debtor.dunning.arrangement"]
        first = date(2026, 12, 1)
        arrangements = Arrangement
        moves = []
        for partner in self.customers[:3]:
            move = self._invoice(30, partner=partner)
            arrangement = Arrangement.create(
                {
                    "partner_id": partner.id,
                    "move_ids": [(6, 0, move.ids)],
                    "instalment_count": 2,
                    "frequency": "monthly",
                    "first_date": first,
                    "grace_days": 5,
                }
            )
            arrangement.action_confirm()
            arrangements |= arrangement
            moves.append(move)
        self._pay(moves[0], 1000, TUESDAY)  # paid off: completed
        self._pay(moves[2], 500, first)  # the first instalment on time
        with freeze_time(noon(date(2026, 12, 7))):
            # The second missed its first instalment and the 5 grace days.
            Arrangement._cron_check_arrangements()
        self.assertEqual(
            arrangements.mapped("state"), ["completed", "broken", "running"]
        )
        self.env.flush_all()
        self.assertEqual(
            self._commitments("arrangement"),
            {"kept": (1, 1000.0), "broken": (1, 1000.0), "open": (1, 1000.0)},
        )
