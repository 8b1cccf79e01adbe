import socket
from datetime import timedelta
from decimal import Decimal

from odoo import Command
from odoo.tests import tagged
from odoo.tools import format_amount, format_date

from odoo.addons.debtor_dunning.core import fees, law
from odoo.addons.debtor_dunning.core.calendar import (
    be_public_holidays,
    nl_public_holidays,
)
from odoo.addons.debtor_dunning.models.debtor_dunning_policy import WEEKDAYS

from .common import TUESDAY, DunningCommon
from .test_letters import LETTER_REPORT, pdf_text, plain

DAY = timedelta(days=1)
# What the shipped texts once claimed whatever the customer had received.
FALSE_CLAIMS = (
    "You have not responded to our notice of default",
    "We recently sent you a payment reminder",
    "Despite our reminder",
)


@tagged("post_install", "-at_install")
class TestLawLetters(DunningCommon):
    """What the customer reads: the law of his country, his language and currency,
    the letters he really received, the terms the law gives him."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("nl_NL", "nl_BE", "fr_BE"):
            cls.env["res.lang"]._activate_lang(lang)
        cls.company.dunning_law_country = "nl"
        cls.company.partner_id.country_id = cls.env.ref("base.nl")
        cls.env["res.partner.bank"].create(
            {
                "acc_number": "NL91ABNA0417164300",
                "partner_id": cls.company.partner_id.id,
                "company_id": cls.company.id,
            }
        )
        Policy, Level = (
            cls.env["debtor.dunning.policy"],
            cls.env["debtor.dunning.level"],
        )
        every_day = {
            "mode": "auto",
            "min_interval_days": 0,
            **dict.fromkeys(WEEKDAYS, True),
        }
        cls.nl_policy, cls.be_policy = Policy.create(
            [
                {
                    "name": "Consumers (NL)",
                    "company_id": cls.company.id,
                    "sequence": 30,
                    "default_for": "consumer",
                    "level_ids": [
                        Command.create(vals)
                        for vals in Level._default_consumer_ladder_vals()
                    ],
                    **every_day,
                },
                {
                    "name": "Consumers (BE)",
                    "company_id": cls.company.id,
                    "sequence": 20,
                    "default_for": "consumer",
                    "default_law": "be",
                    "level_ids": [
                        Command.create(vals)
                        for vals in Level._default_be_consumer_ladder_vals()
                    ],
                    **every_day,
                },
            ]
        )
        (cls.nl_policy | cls.be_policy).level_ids.write(
            {
                "needs_review": False,
                "requires_approval": False,
                "registered_mail": False,
            }
        )
        # What a level says and claims, not the path up the ladder: by age.
        cls._climb_by_age(cls.policy | cls.nl_policy | cls.be_policy)
        Partner = cls.env["res.partner"]
        cls.nl_business = Partner.create(
            {
                "name": "Bakkerij Van Dijk B.V.",
                "is_company": True,
                "lang": "en_US",
                "country_id": cls.env.ref("base.nl").id,
                "email": "info@vandijk.example",
            }
        )
        cls.nl_consumer = Partner.create(
            {
                "name": "Jan de Vries",
                "lang": "nl_NL",
                "country_id": cls.env.ref("base.nl").id,
                "email": "jan@devries.example",
            }
        )
        cls.be_consumer = Partner.create(
            {
                "name": "Marie Lambert",
                "lang": "fr_BE",
                "country_id": cls.env.ref("base.be").id,
                "city": "Liège",
                "email": "marie@lambert.example",
            }
        )
        cls.be_business = Partner.create(
            {
                "name": "Boulangerie Dupont SRL",
                "is_company": True,
                "lang": "fr_BE",
                "country_id": cls.env.ref("base.be").id,
                "email": "compta@dupont.example",
            }
        )
        cls.us_business = Partner.create(
            {
                "name": "Atlantic Trading Inc.",
                "is_company": True,
                "lang": "en_US",
                "country_id": cls.env.ref("base.us").id,
                "email": "accounts@atlantic.example",
            }
        )
        cls.eur = cls.company.currency_id
        cls.usd = cls.env.ref("base.USD")
        if cls.eur == cls.usd:  # the letter's currency must be a foreign one
            cls.usd = cls.env.ref("base.GBP")
        cls.usd.active = True
        cls.env["res.currency.rate"].create(
            {
                "currency_id": cls.usd.id,
                "company_id": cls.company.id,
                "name": TUESDAY - 400 * DAY,
                "rate": 1.08,
            }
        )

    # ------------------------------------------------------------------ helpers
    def _letter(self, notice):
        """The text of the letter of `notice`, as the customer reads it."""
        pdf = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True, report_pdf_no_attachment=True)
            ._render_qweb_pdf(LETTER_REPORT, notice.ids)[0]
        )
        return " ".join(pdf_text(pdf).split())

    def _issue(self, partner, day, level=None):
        """The notice a run on `day` issues to `partner` (at `level` if given)."""
        run = self.service._propose(self.company, day)
        notice = self._notice_of(run, partner)
        self.assertEqual(len(notice), 1, f"one notice for {partner.name} on {day}")
        (run.notice_ids - notice).action_cancel()
        if level:
            notice.level_id = level  # as the reviewer may
        run.action_validate()
        self.assertEqual(notice.state, "issued")
        return notice

    def _amount(self, amount, currency, partner):
        env = self.env(context=dict(self.env.context, lang=partner.lang))
        return plain(format_amount(env, amount, currency))

    def _date(self, day, partner):
        return format_date(self.env, day, lang_code=partner.lang)

    # ------------------------------------------------------------------ texts
    def test_every_shipped_level_has_its_text_and_closing_in_four_languages(self):
        company = self.env["res.company"].create(
            {"name": "Dutch B.V.", "country_id": self.env.ref("base.nl").id}
        )
        policies = (
            self.env["debtor.dunning.policy"]
            .sudo()
            .search([("company_id", "=", company.id)])
        )
        self.assertEqual(len(policies), 3, "standard, NL and BE consumers")
        self.assertEqual(len(policies.level_ids), 12)
        for level in policies.level_ids:
            for fname in ("letter_text", "letter_closing"):
                english = str(level.with_context(lang="en_US")[fname] or "")
                self.assertGreater(len(english), 60, f"{level.name} {fname}")
                for claim in FALSE_CLAIMS:
                    self.assertNotIn(claim, english)
                for lang in ("nl_NL", "nl_BE", "fr_BE"):
                    with self.subTest(level=level.name, field=fname, lang=lang):
                        text = str(level.with_context(lang=lang)[fname] or "")
                        self.assertGreater(len(text), 60)
                        self.assertNotEqual(text, english, "translated")

    # ------------------------------------------------------------------ history
    def test_a_first_letter_at_the_last_level_claims_no_earlier_letter(self):
        self._invoice(70, partner=self.nl_business)
        notice = self._issue(self.nl_business, TUESDAY, level=self.levels[3])
        text = self._letter(notice)
        self.assertIn("This is our final notice", text)
        self.assertNotIn("Our earlier letters", text)
        for claim in FALSE_CLAIMS:
            self.assertNotIn(claim, text)

    def test_a_letter_names_the_notices_the_customer_really_received(self):
        move = self._invoice(40, partner=self.nl_business)
        due = move.invoice_date_due
        first = self._issue(self.nl_business, due + 7 * DAY)
        # Once the first notice's term (its pay-by date) has passed.
        failed = self._issue(self.nl_business, first.pay_by_date + DAY)
        # The second reminder's e-mail never arrived and it went out on no paper:
        # the customer did not receive it.
        failed._dunning_record_delivery(
            {"email_state": "failed", "letter_state": "none"}
        )
        proposed = self._notice_of(
            self.service._propose(self.company, TUESDAY), self.nl_business
        )
        proposed.run_id.action_cancel()  # proposed, never issued
        third = self._issue(self.nl_business, TUESDAY)
        self.assertEqual(third.rank, 3)
        text = self._letter(third)
        self.assertIn(
            f"Our earlier letters about these invoices: Payment reminder of "
            f"{self._date(first.date, self.nl_business)} ({first.name}).",
            text,
        )
        self.assertNotIn(failed.name, text)
        self.assertNotIn(proposed.name, text)
        for claim in FALSE_CLAIMS:
            self.assertNotIn(claim, text)

    # ------------------------------------------------------------------ terms
    def test_the_14_day_letters_pay_by_date_is_the_end_of_its_term(self):
        move = self._invoice(14, partner=self.nl_consumer)
        letter_level = self.nl_policy.level_ids.filtered("fourteen_day_letter")
        for by_post, day in ((True, TUESDAY), (False, TUESDAY + 21 * DAY)):
            with self.subTest(by_post=by_post):
                letter_level.send_letter = by_post
                if not by_post:  # another invoice, its own 14-day letter
                    move = self._invoice(-7, partner=self.nl_consumer)
                notice = self._issue(self.nl_consumer, day, level=letter_level)
                self.assertEqual(notice.letter_state != "none", by_post)
                holidays = nl_public_holidays(day.year) | nl_public_holidays(
                    day.year + 1
                )
                end = fees.nl_fourteen_day_term_end(notice.date, by_post, holidays)
                # Received two working days after posting, or the day after the
                # e-mail; then fourteen days: never the notice date + 14.
                self.assertEqual(notice.pay_by_date, end)
                self.assertGreater(end, notice.date + 14 * DAY)
                text = self._letter(notice)
                self.assertIn(self._date(end, self.nl_consumer), text)
                self.assertIn(move.name, text)

    def test_the_laws_of_many_customers_are_those_of_each(self):
        """A run asks the law of thousands of customers at once (_dunning_laws): each
        gets what it gets alone, whoever's facts it shares."""
        Partner = self.env["res.partner"]
        named = Partner.create(
            {
                "name": "Handel Oost B.V.",
                "is_company": True,
                "dunning_law_country": "be",
            }
        )
        contact = Partner.create(
            {"name": "Inkoop Oost", "parent_id": named.id, "type": "invoice"}
        )
        homeless = Partner.create({"name": "Piet Zonder Land"})
        unset = Partner.create({"name": "Vergeten Type B.V.", "is_company": True})
        # Nobody set its type, and no computation filled it in: the default decides.
        unset.flush_recordset()
        self.env.cr.execute(
            "UPDATE res_partner SET dunning_debtor_type = NULL WHERE id = %s",
            [unset.id],
        )
        unset.invalidate_recordset(["dunning_debtor_type"])
        customers = (
            self.nl_business
            | self.nl_consumer
            | self.be_consumer
            | self.be_business
            | self.us_business
            | named
            | contact
            | homeless
            | unset
        )
        other = self.env["res.company"].create(
            {"name": "Dunning BE Co", "dunning_law_country": "be"}
        )
        for company in (self.company, other):
            with self.subTest(company=company.name):
                laws = customers._dunning_laws(company)
                self.assertEqual(
                    laws,
                    {c.id: c._dunning_law(company) for c in customers},
                )
                self.assertEqual(laws[contact.id], (law.Law.BE, law.Debtor.BUSINESS))
                self.assertEqual(laws[unset.id][1], law.Debtor.BUSINESS)
                self.assertEqual(laws[self.be_consumer.id][0], law.Law.BE)
        self.assertEqual(
            customers._dunning_laws(self.company)[self.us_business.id][0],
            law.Law.NL,
            "a business that names no law: the company's",
        )
        self.assertEqual(
            customers._dunning_laws(other)[self.nl_business.id][0], law.Law.BE
        )
        # Those without a type are read together: no query per customer.
        more = Partner.create([{"name": f"Zonder Type {n}"} for n in range(3)])
        more.flush_recordset()
        self.env.cr.execute(
            "UPDATE res_partner SET dunning_debtor_type = NULL WHERE id = ANY(%s)",
            [more.ids],
        )

        def queries(partners):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            laws = partners._dunning_laws(self.company)
            return self.env.cr.sql_log_count - before, laws

        count, laws = queries(customers | more)
        self.assertEqual(count, queries(customers)[0])
        self.assertEqual({laws[p.id][1] for p in more}, {law.Debtor.CONSUMER})

    # ------------------------------------------------------------------ BE consumer
    def test_a_belgian_consumer_of_a_dutch_company_gets_book_xix(self):
        self.assertEqual(
            self.be_consumer._dunning_law(self.company),
            (law.Law.BE, law.Debtor.CONSUMER),
        )
        # The default policy for consumers under Belgian law, Dutch consumers keep
        # theirs; the run asks the same question (debtor.dunning.policy).
        self.assertEqual(self.be_consumer._dunning_policy(self.company), self.be_policy)
        self.assertEqual(self.nl_consumer._dunning_policy(self.company), self.nl_policy)
        move = self._invoice(7, 990.0, partner=self.be_consumer)
        first = self._issue(self.be_consumer, TUESDAY)
        self.assertEqual(first.level_id, self.be_policy.level_ids[:1])
        self.assertFalse(first.charge_ids, "the first reminder is free")
        # Posted or e-mailed: at least 14 days from the 3rd / next working day.
        holidays = be_public_holidays(2026) | be_public_holidays(2027)
        by_post = first.letter_state != "none"
        end = fees.be_reminder_term_end(first.date, by_post, holidays)
        self.assertEqual(first.pay_by_date, end)
        damages = fees.be_consumer_damages(Decimal("990.00"))  # 65 + 5 % of 490
        self.assertEqual(damages, Decimal("89.50"))
        self.assertEqual(first.announced_cost_amount, 89.5)
        text = self._letter(first)
        self.assertIn(self._amount(89.5, self.eur, self.be_consumer), text)
        self.assertIn(self._date(end, self.be_consumer), text)
        # After the term: the second reminder claims the Book XIX damages.
        second = self._issue(self.be_consumer, end + 20 * DAY)
        self.assertEqual(second.rank, 2)
        costs = second.charge_ids.filtered(lambda c: c.kind == "cost")
        self.assertEqual(costs.mapped("amount"), [89.5])
        self.assertEqual(costs.move_id, move)
        interest = second.charge_ids.filtered(lambda c: c.kind == "interest")
        self.assertEqual(min(interest.mapped("start_date")), end + DAY)
        self.assertTrue(all(c.percent <= 10.5 for c in interest), "BE legal rate")
        text = self._letter(second)
        self.assertIn("XIX", text)
        self.assertIn(self._amount(89.5, self.eur, self.be_consumer), text)
        self.assertNotIn("6:96", text)
        self.assertNotIn("6:119", text)

    def test_a_run_gives_each_customer_the_policy_it_has_alone(self):
        # The run asks for all its customers at once (and decides each combination
        # of facts once): own policy, debtor type, country and named law all count.
        Policy = self.env["debtor.dunning.policy"]
        be_business_policy = self.be_policy.copy(
            {"name": "Businesses (BE)", "default_for": "business", "default_law": "be"}
        )
        self.be_business.dunning_law_country = "be"
        self.us_business.with_company(self.company).dunning_policy_id = self.nl_policy
        customers = (
            self.nl_consumer
            | self.be_consumer
            | self.nl_business
            | self.be_business
            | self.us_business
        )
        # What the run flushes before it reads the customers in SQL.
        self.env["debtor.dunning.book"]._flush_reads()
        facts = self.env["debtor.dunning.book"]._customers(
            self.company, customers.ids, TUESDAY
        )
        together = Policy._dunning_policy_of(self.company, facts)
        alone = [customer._dunning_policy(self.company) for customer in customers]
        self.assertEqual([together.get(c.id, Policy) for c in customers], alone)
        self.assertEqual(
            alone[:2] + alone[3:],
            [self.nl_policy, self.be_policy, be_business_policy, self.nl_policy],
        )
        self.assertNotIn(alone[2], (self.nl_policy, self.be_policy, be_business_policy))

    def test_belgian_reminder_fee_and_interest_cap(self):
        self.company.dunning_reminder_postage = 1.35
        self.be_consumer.dunning_interest_kind = "contractual"
        self.env["debtor.dunning.rate"].create(
            {
                "kind": "contractual",
                "effective_date": "2020-01-01",
                "percent": 18.0,
                "company_id": self.company.id,
            }
        )
        second_level = self.be_policy.level_ids.sorted("sequence")[1]
        second_level.write({"claims_reminder_fee": True, "send_letter": True})
        self._invoice(7, 400.0, partner=self.be_consumer)
        self._issue(self.be_consumer, TUESDAY)
        second = self._issue(self.be_consumer, TUESDAY + 30 * DAY)
        self.assertEqual(second.level_id, second_level)
        fee = second.charge_ids.filtered(lambda c: c.kind == "cost" and not c.move_id)
        self.assertEqual(fee.amount, 8.85, "EUR 7.50 plus the postage of a letter")
        interest = second.charge_ids.filtered(lambda c: c.kind == "interest")
        self.assertTrue(interest)
        # 18 % agreed, but never above the commercial rate (10.5 % in 2026).
        self.assertEqual(set(interest.mapped("percent")), {10.5})

    # ------------------------------------------------------------------ currency
    def test_a_customer_billed_in_dollars_gets_a_letter_in_dollars(self):
        moves = self._invoice(40, 2000.0, self.us_business, currency_id=self.usd.id)
        moves |= self._invoice(20, 500.0, self.us_business, currency_id=self.usd.id)
        notice = self._issue(self.us_business, TUESDAY, level=self.levels[2])
        self.assertEqual(notice.letter_currency_id, self.usd)
        self.assertAlmostEqual(notice.letter_rate, 1.08)
        self.assertTrue(notice.cost_amount and notice.interest_amount)
        self.assertAlmostEqual(notice.letter_amount_total, 2500.0)
        self.assertAlmostEqual(
            notice.letter_cost_amount, self.usd.round(notice.cost_amount * 1.08)
        )
        self.assertAlmostEqual(
            notice.letter_amount_due,
            2500.0 + notice.letter_cost_amount + notice.letter_interest_amount,
        )
        text = self._letter(notice)
        partner = self.us_business
        for amount in (2000.0, 500.0, 2500.0, notice.letter_amount_due):
            self.assertIn(self._amount(amount, self.usd, partner), text)
        # The total is not in euros, and the costs say how they were converted.
        self.assertNotIn(self._amount(notice.amount_due, self.eur, partner), text)
        self.assertNotIn(f"Open in {self.eur.name}", text)
        self.assertIn(f"1 {self.eur.name} = 1.080000 {self.usd.name}", text)
        self.assertIn(moves[0].name, text)

    # ------------------------------------------------------------------ language
    def test_amounts_and_labels_follow_the_customers_language(self):
        self._invoice(40, 1597.2, partner=self.be_business)
        notice = self._issue(self.be_business, TUESDAY, level=self.levels[2])
        fr = self.env(context=dict(self.env.context, lang="fr_BE"))
        Rate = self.env["debtor.dunning.rate"]
        label = dict(Rate._fields["kind"]._description_selection(fr))["nl_commercial"]
        english = dict(Rate._fields["kind"]._description_selection(self.env))[
            "nl_commercial"
        ]
        self.assertNotEqual(label, english)
        text = self._letter(notice)
        self.assertIn(label, text)
        self.assertNotIn(english, text)
        # "principal of 1.597,20 €", not "1,597.20 €".
        self.assertIn(self._amount(1597.2, self.eur, self.be_business), text)
        self.assertNotIn("1,597.20", text)

    # ------------------------------------------------------------------ rates
    def test_interest_stops_where_no_rate_was_entered_and_a_manager_is_told(self):
        Rate = self.env["debtor.dunning.rate"]
        # The company's own table of the kind: no row for the half-year from July.
        Rate.create(
            [
                {
                    "kind": "nl_commercial",
                    "effective_date": day,
                    "percent": 10.15,
                    "company_id": self.company.id,
                }
                for day in ("2025-07-01", "2026-01-01")
            ]
        )
        self._invoice(200, partner=self.nl_business)
        run = self.service._propose(self.company, TUESDAY)
        notice = self._notice_of(run, self.nl_business)
        notice.level_id = self.levels[2]
        notice.action_compute_charges()
        interest = notice.charge_ids.filtered(lambda c: c.kind == "interest")
        self.assertTrue(interest)
        june_30 = TUESDAY.replace(month=6, day=30)
        self.assertEqual(max(interest.mapped("end_date")), june_30)
        self.assertIn(format_date(self.env, june_30), notice.charge_note)
        self.assertTrue(run.rate_warning)
        todo = self.env["mail.activity"].search(
            [("res_model", "=", run._name), ("res_id", "=", run.id)]
        )
        self.assertEqual(len(todo), 1)
        self.assertTrue(
            todo.user_id.has_group("debtor_dunning.debtor_dunning_group_manager")
        )
        # Again the next day: the to-do is not repeated.
        self.service._propose(self.company, TUESDAY + DAY)
        self.assertEqual(
            self.env["mail.activity"].search_count(
                [("res_model", "=", run._name), ("summary", "=", todo.summary)]
            ),
            1,
        )
        # The rate entered: interest runs to the notice date, the warning goes.
        Rate.create(
            {
                "kind": "nl_commercial",
                "effective_date": "2026-07-01",
                "percent": 10.4,
                "company_id": self.company.id,
            }
        )
        self.env["debtor.dunning.charges"]._compute_charges(run.notice_ids)
        interest = notice.charge_ids.filtered(lambda c: c.kind == "interest")
        self.assertEqual(max(interest.mapped("end_date")), TUESDAY)
        self.assertIn(10.4, interest.mapped("percent"))
        self.assertFalse(run.rate_warning)

    # ------------------------------------------------------------------ set-based
    def test_charges_of_nine_notices_take_no_more_queries_than_of_three(self):
        customers = self.env["res.partner"].create(
            [
                {
                    "name": f"Customer {index}",
                    "is_company": True,
                    "country_id": self.env.ref("base.nl").id,
                }
                for index in range(12)
            ]
        )
        for customer in customers:
            self._invoice(40, partner=customer)
            self._invoice(20, partner=customer, currency_id=self.usd.id)
        run = self.service._propose(self.company, TUESDAY)
        notices = run.notice_ids.filtered(lambda n: n.partner_id in customers)
        notices.level_id = self.levels[2]  # costs and interest
        Charges = self.env["debtor.dunning.charges"]
        Charges._compute_charges(notices[:1])  # caches of the rate tables etc.

        def queries(batch):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            Charges._compute_charges(batch)
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        three, nine = queries(notices[:3]), queries(notices[3:12])
        self.assertTrue(all(notices.mapped("cost_amount")))
        self.assertLessEqual(nine, three, f"{three} queries for 3, {nine} for 9")

    # ------------------------------------------------------------------ broken PDF
    def test_a_letter_rendered_with_errors_is_refused_and_its_email_waits(self):
        self._invoice(10, partner=self.nl_business)
        notice = self._issue(self.nl_business, TUESDAY)
        self.assertEqual(notice.email_state, "to_send")
        ICP = self.env["ir.config_parameter"].sudo()
        good = ICP.get_param("report.url")
        with socket.socket() as free:  # a port nobody answers on
            free.bind(("127.0.0.1", 0))
            port = free.getsockname()[1]
        ICP.set_param("report.url", f"http://127.0.0.1:{port}")
        sending = self.sending.with_context(force_report_rendering=True)
        self.assertFalse(sending._send_notices(notice))
        self.assertEqual(notice.email_state, "to_send")
        self.assertEqual(notice.email_attempt_count, 0)
        self.assertIn("could not be rendered", notice.email_error)
        self.assertIn("could not be rendered", notice.message_ids[0].body)
        letter = [
            ("res_model", "=", notice._name),
            ("res_id", "=", notice.id),
            ("name", "=", notice.name.replace("/", "-") + ".pdf"),
        ]
        self.assertFalse(self.env["ir.attachment"].search(letter), "nothing kept")
        ICP.set_param("report.url", good)
        self.assertEqual(sending._send_notices(notice), notice, "queued now")
        self.assertEqual(notice.email_attempt_count, 1)
        self.assertNotIn("could not be rendered", notice.email_error or "")
        kept = self.env["ir.attachment"].search(letter)
        self.assertEqual(len(kept), 1)
        self.assertIn(notice.name, pdf_text(kept.raw))
