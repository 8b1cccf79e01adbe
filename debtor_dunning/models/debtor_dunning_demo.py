"""Demo data: a Dutch company with customers and invoices at every dunning stage."""

from datetime import timedelta

from odoo import Command, api, fields, models

from .. import compat
from ..core.calendar import is_send_day

# (key, name, country, lang, company?, email, city)
_CUSTOMERS = (
    ("nl_hotel", "Hotel De Zon B.V.", "nl", "nl_NL", True, "", "Den Haag"),
    (
        "nl_consumer_jan",
        "Jan de Vries",
        "nl",
        "nl_NL",
        False,
        "jan@devries.example",
        "Utrecht",
    ),
    ("nl_consumer_sanne", "Sanne Bakker", "nl", "nl_NL", False, "", "Haarlem"),
    (
        "nl_bakery",
        "Bakkerij Van Dijk B.V.",
        "nl",
        "nl_NL",
        True,
        "administratie@vandijk.example",
        "Zwolle",
    ),
    (
        "nl_installer",
        "Installatiebedrijf Smit",
        "nl",
        "nl_NL",
        True,
        "info@smit.example",
        "Amersfoort",
    ),
    (
        "nl_wholesale",
        "Groothandel Jansen B.V.",
        "nl",
        "nl_NL",
        True,
        "crediteuren@jansen.example",
        "Rotterdam",
    ),
    (
        "be_brewery",
        "Brouwerij De Kroon BV",
        "be",
        "nl_BE",
        True,
        "boekhouding@dekroon.example",
        "Leuven",
    ),
    (
        "be_bakery",
        "Boulangerie Dupont SRL",
        "be",
        "fr_BE",
        True,
        "compta@dupont.example",
        "Namur",
    ),
    (
        "be_consumer",
        "Marie Lambert",
        "be",
        "fr_BE",
        False,
        "marie.lambert@mail.example",
        "Liège",
    ),
    (
        "gb_trader",
        "Atlantic Trading Ltd",
        "uk",
        "en_US",
        True,
        "accounts@atlantic.example",
        "Bristol",
    ),
)

# (customer, days overdue (negative: not yet due), amount excl. VAT, stage)
# The stage says what happens after posting: paid, part (partly paid), credit
# (reversed by a credit note), open_credit (an unreconciled credit note of the
# customer), usd (foreign currency), split (two instalments).
_INVOICES = (
    ("nl_consumer_jan", -20, 145.00, ""),
    ("nl_bakery", -10, 1250.00, ""),
    ("be_brewery", -5, 3400.00, ""),
    ("nl_installer", -1, 780.00, ""),
    ("nl_wholesale", 0, 2150.00, ""),
    ("nl_bakery", 2, 410.00, ""),
    ("nl_consumer_sanne", 4, 89.95, ""),
    ("be_bakery", 6, 615.00, ""),
    ("nl_installer", 9, 1980.00, ""),
    ("nl_wholesale", 12, 5400.00, ""),
    ("be_brewery", 16, 720.00, ""),
    ("nl_consumer_jan", 23, 312.50, ""),
    ("nl_bakery", 31, 860.00, ""),
    ("be_consumer", 35, 240.00, ""),
    ("nl_installer", 44, 2600.00, ""),
    ("nl_wholesale", 52, 12500.00, ""),
    ("be_bakery", 61, 1320.00, ""),
    ("nl_consumer_sanne", 75, 465.00, ""),
    ("be_brewery", 90, 2890.00, ""),
    ("nl_bakery", 121, 1750.00, ""),
    ("nl_installer", 150, 640.00, ""),
    ("be_consumer", 180, 990.00, ""),
    ("nl_wholesale", 240, 8300.00, ""),
    ("nl_bakery", 40, 2400.00, "part"),
    ("be_brewery", 70, 5100.00, "part"),
    ("nl_consumer_jan", 15, 275.00, "part"),
    ("nl_installer", 30, 1100.00, "paid"),
    ("be_bakery", 20, 450.00, "paid"),
    ("nl_wholesale", -3, 990.00, "paid"),
    ("nl_installer", 25, 380.00, "credit"),
    ("nl_hotel", 45, 150.00, "open_credit"),
    ("gb_trader", 10, 4200.00, "usd"),
    ("gb_trader", 55, 1800.00, "usd"),
    ("gb_trader", 100, 950.00, "usd"),
    ("nl_wholesale", 20, 3000.00, "split"),
    ("be_brewery", 45, 1600.00, "split"),
)

_TERM_DAYS = 30

# What the accountant has done about some overdue invoices, each named by its customer
# and its days overdue as in _INVOICES.
# Disputes: (customer, days overdue, reason, opened days ago, the customer's words,
# resolution: empty while the dispute is open, else why it was rejected).
_DISPUTES = (
    (
        "nl_bakery",
        31,
        "quality",
        3,
        "Two of the five proofing cabinets arrived damaged: dented doors, one does "
        "not close. We pay once they are repaired or replaced.",
        "",
    ),
    (
        "be_brewery",
        16,
        "price",
        9,
        "The price per crate is higher than in your quotation.",
        "The invoice follows the quotation the customer signed; the lower price he "
        "quotes was for a larger order. The invoice stands.",
    ),
)
# A promise to pay made in the call that a notice of default asked for: customer, days
# overdue of the invoice on the notice, days until the promised payment, the phone
# number called.
_PROMISE = ("be_bakery", 61, 14, "+32 81 24 68 10")


class DebtorDunningDemo(models.AbstractModel):
    _name = "debtor.dunning.demo"
    _description = "Dunning demo data"

    @api.model
    def _load_demo(self):
        """Create the demo company, its users, customers and invoices (once)."""
        if self.env.ref("debtor_dunning.company_demo", raise_if_not_found=False):
            return
        # The letters issued below print labels of selections (kinds of interest) in
        # the customer's language: this add-on's translations are loaded first, as
        # Odoo would only load them after the install.
        langs = self.env["res.lang"].search([("code", "!=", "en_US")]).mapped("code")
        self.env["ir.module.module"]._load_module_terms(["debtor_dunning"], langs)
        company = self._demo_company()
        # Everything below is dated relative to this day; tests on the demo run on it.
        self.env["ir.config_parameter"].sudo().set_param(
            "debtor_dunning.demo_date",
            fields.Date.to_string(fields.Date.context_today(self)),
        )
        env = self.with_company(company).env
        customers = self._demo_customers(company)
        self._demo_agency(company)
        accountant = self._demo_users(company)
        self._demo_portal_user(company, customers["be_bakery"])
        # The demo ladder runs by itself; notices of default and hand-overs still
        # wait for the accountant's review (their levels need review).
        self.env["debtor.dunning.policy"].search(
            [("company_id", "=", company.id)]
        ).write(
            {
                "mode": "auto",
                "responsible_id": accountant.id,
                "collector_id": accountant.id,
            }
        )
        invoices = self._demo_invoices(env, company, customers)
        self._demo_payment_provider(company)
        # What a credit controller does about them, through the add-on's own actions.
        env = env(user=accountant)
        self._demo_promise(env, company, customers, invoices)
        self._demo_disputes(env, invoices)
        self._demo_arrangements(env, customers, invoices)

    def _demo_payment_provider(self, company):
        """Odoo's Demo payment provider, in test mode, for the demo company.

        A customer pays an overdue invoice from his notice's portal page (*Pay
        online*) with a made-up card; the transaction posts the payment and the
        notice shows the invoice paid.
        """
        demo = self.env.ref("payment.payment_provider_demo", raise_if_not_found=False)
        if not demo or demo.code != "demo":
            return
        provider = demo.sudo().copy({"company_id": company.id})
        provider.write({"state": "test", "is_published": True})

    def _demo_xmlid(self, name, record):
        self.env["ir.model.data"]._update_xmlids(
            [{"xml_id": f"debtor_dunning.{name}", "record": record, "noupdate": True}]
        )

    def _demo_company(self):
        nl = self.env.ref("base.nl")
        company = self.env["res.company"].create(
            {
                "name": "Debiteur Demo B.V.",
                "street": "Keizersgracht 123",
                "zip": "1015 CJ",
                "city": "Amsterdam",
                "country_id": nl.id,
                "currency_id": self.env.ref("base.EUR").id,
                "vat": "NL004495445B01",
                "company_registry": "12345678",
                "email": "debiteuren@debiteurdemo.example",
                "phone": "+31 20 123 4567",
            }
        )
        self._demo_xmlid("company_demo", company)
        module = self.env["ir.module.module"]._get("l10n_nl")
        chart = "nl" if module.state == "installed" else "generic_coa"
        self.env["account.chart.template"].try_loading(
            chart, company, install_demo=False
        )
        self.env["res.partner.bank"].create(
            {
                "acc_number": "NL91ABNA0417164300",
                "partner_id": company.partner_id.id,
                "company_id": company.id,
            }
        )
        # The administrator (and whoever loads the demo) works in the demo company
        # too: a portal access he grants lands in it.
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        (self.env.user | (admin or self.env.user)).company_ids = [
            Command.link(company.id)
        ]
        return company

    def _demo_customers(self, company):
        Partner = self.env["res.partner"]
        for lang in {c[3] for c in _CUSTOMERS}:
            self.env["res.lang"]._activate_lang(lang)
        customers = {}
        for key, name, country, lang, is_company, email, city in _CUSTOMERS:
            partner = Partner.create(
                {
                    "name": name,
                    "is_company": is_company,
                    "country_id": self.env.ref(f"base.{country}").id,
                    "lang": lang,
                    "email": email or False,
                    "city": city,
                    "street": "Marktplein 1",
                    "zip": "1000",
                }
            )
            self._demo_xmlid(f"res_partner_{key}_demo", partner)
            customers[key] = partner
        return customers

    def _demo_agency(self, company):
        """The collection agency the hand-over level sends its dossiers to."""
        agency = self.env["res.partner"].create(
            {
                "name": "Incasso Noord B.V.",
                "is_company": True,
                "company_id": company.id,
                "country_id": self.env.ref("base.nl").id,
                "city": "Groningen",
                "street": "Herestraat 10",
                "zip": "9711 LM",
                "email": "dossiers@incassonoord.example",
                "vat": "NL123456782B90",
                "company_registry": "87654321",
                "dunning_agency": True,
                "dunning_agency_commission": 15.0,
                "dunning_agency_format": "json_pdf",
            }
        )
        self._demo_xmlid("res_partner_agency_demo", agency)
        return agency

    def _demo_users(self, company):
        """The demo accountant (Dunning user) and credit manager; returns the first."""
        users = self.env["res.users"]
        for key, login, name, group in (
            ("accountant", "accountant", "Eva de Boer", "debtor_dunning_group_user"),
            (
                "manager",
                "creditmanager",
                "Pieter Visser",
                "debtor_dunning_group_manager",
            ),
        ):
            user = (
                self.env["res.users"]
                .with_context(no_reset_password=True)
                .create(
                    {
                        "name": name,
                        "login": login,
                        "password": login,
                        "email": f"{login}@debiteurdemo.example",
                        "company_id": company.id,
                        "company_ids": [Command.set(company.ids)],
                        compat.USER_GROUPS: [
                            Command.link(self.env.ref("base.group_user").id),
                            Command.link(self.env.ref(f"debtor_dunning.{group}").id),
                        ],
                    }
                )
            )
            self._demo_xmlid(f"res_users_{key}_demo", user)
            users |= user
        # The credit manager approves what the accountant proposes (four eyes).
        self.env.ref("debtor_dunning.debtor_dunning_group_approver").write(
            {compat.GROUP_USERS: [Command.link(users[1:].id)]}
        )
        return users[:1]

    def _demo_portal_user(self, company, customer):
        """dupont/dupont: the customer's own portal login, to see its reminders.

        (Odoo's own demo data has a user `portal` already.)
        """
        # A copy of the portal template user, as the portal access wizard makes.
        user = (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            ._create_user_from_template(
                {
                    "login": "dupont",
                    "password": "dupont",
                    "partner_id": customer.id,
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                }
            )
        )
        self._demo_xmlid("res_users_portal_demo", user)
        return user

    def _demo_invoices(self, env, company, customers):
        today = fields.Date.context_today(self)
        usd = env.ref("base.USD")
        usd.active = True
        env["res.currency.rate"].create(
            {
                "currency_id": usd.id,
                "company_id": company.id,
                "name": today - timedelta(days=400),
                "rate": 1.08,
            }
        )
        term = env["account.payment.term"].create(
            {
                "name": "30 days (demo)",
                "company_id": company.id,
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 100, "nb_days": 30}
                    )
                ],
            }
        )
        split_term = env["account.payment.term"].create(
            {
                "name": "50% at 30 days, 50% at 60 days (demo)",
                "company_id": company.id,
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 50, "nb_days": 30}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 50, "nb_days": 60}
                    ),
                ],
            }
        )
        tax = company.account_sale_tax_id
        rows = sorted(_INVOICES, key=lambda row: -row[1])
        Move = env["account.move"].with_context(
            mail_create_nolog=True, tracking_disable=True
        )
        invoices = {}
        for index, (key, overdue, amount, stage) in enumerate(rows, start=1):
            days = 60 if stage == "split" else _TERM_DAYS
            invoice_date = today - timedelta(days=overdue + days)
            move = Move.create(
                {
                    "move_type": "out_invoice",
                    "partner_id": customers[key].id,
                    "invoice_date": invoice_date,
                    "invoice_payment_term_id": (
                        split_term if stage == "split" else term
                    ).id,
                    "currency_id": (usd if stage == "usd" else company.currency_id).id,
                    "ref": f"PO-{4200 + index}",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Goods and services as agreed",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.set(tax.ids)],
                            }
                        )
                    ],
                }
            )
            move.action_post()
            self._demo_settle(env, move, stage, invoice_date, today)
            invoices[key, overdue] = move
        return invoices

    def _demo_settle(self, env, move, stage, invoice_date, today):
        """Pay, part-pay or credit a posted demo invoice as its stage says."""
        if stage in ("paid", "part"):
            share = 1 if stage == "paid" else 0.4
            env["account.payment.register"].with_context(
                active_model="account.move", active_ids=move.ids
            ).create(
                {
                    "payment_date": min(today, invoice_date + timedelta(days=20)),
                    "amount": move.currency_id.round(move.amount_total * share),
                }
            )._create_payments()
        elif stage == "credit":
            move._reverse_moves(
                [
                    {
                        "invoice_date": invoice_date + timedelta(days=10),
                        "ref": "Returned goods",
                    }
                ],
                cancel=True,
            )
        elif stage == "open_credit":
            # A credit note the customer has not used yet, worth more than its debt.
            credit = env["account.move"].create(
                {
                    "move_type": "out_refund",
                    "partner_id": move.partner_id.id,
                    "invoice_date": invoice_date + timedelta(days=5),
                    "ref": "Price discount",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Discount on damaged goods",
                                "quantity": 1,
                                "price_unit": move.invoice_line_ids.price_unit * 1.2,
                                "tax_ids": [
                                    Command.set(move.invoice_line_ids.tax_ids.ids)
                                ],
                            }
                        )
                    ],
                }
            )
            credit.action_post()

    def _demo_promise(self, env, company, customers, invoices):
        """A notice of default issued over a week ago, and its call: a promise.

        The accountant dunned this customer step by step: a reminder, a second
        reminder once its term had passed, then the notice of default, the last at
        least eight days ago (past the policy's 7 days between notices, so today's
        run is not held back by it). Each time she kept only this customer's notice
        of the proposal: she deleted the others, as a proposal allows. The notice of
        default asked for a call; the "Log Call" wizard records the promise, which
        pauses dunning of the invoice until then.
        """
        key, overdue, days, phone = _PROMISE
        customer = customers[key]
        customer.phone = phone
        policy = env["debtor.dunning.policy"].search(
            [("company_id", "=", company.id), ("default_for", "=", "all")]
        )
        today = fields.Date.context_today(self)
        holidays = policy._holidays((today.year - 1, today.year))
        days_back, notice = [8, 16, 16], None
        day = today
        run_days = []
        for back in days_back:
            day -= timedelta(days=back)
            while not is_send_day(day, policy._send_weekdays(), (), holidays):
                day -= timedelta(days=1)
            run_days.insert(0, day)
        for day in run_days:
            run = env["debtor.dunning.escalation"]._propose(company, day)
            notice = run.notice_ids.filtered(lambda n: n.partner_id == customer)
            (run.notice_ids - notice).unlink()
            # The notice of default is a legal step: the credit manager approves it.
            notice.filtered(lambda n: n.approval_state == "waiting").with_user(
                self.env.ref("debtor_dunning.res_users_manager_demo")
            ).action_approve()
            run.action_validate()
        wizard = (
            env["debtor.dunning.call.log"]
            .with_context(default_notice_id=notice.id)
            .create(
                {
                    "contact_id": customer.id,
                    "outcome": "promise",
                    "move_ids": [Command.set(invoices[key, overdue].ids)],
                    "promise_date": today + timedelta(days=days),
                    "note": "<p>Cash is tight this month; the owner promises to "
                    "pay the invoice in full.</p>",
                }
            )
        )
        wizard.action_confirm()

    def _demo_disputes(self, env, invoices):
        """An open dispute (the responsible's to-do waits) and a rejected one."""
        today = fields.Date.context_today(self)
        Dispute = env["debtor.dunning.dispute"]
        for key, overdue, reason, age, note, resolution in _DISPUTES:
            dispute = Dispute.create(
                {
                    "move_id": invoices[key, overdue].id,
                    "reason": reason,
                    "note": note,
                    "open_date": today - timedelta(days=age),
                }
            )
            if resolution:
                dispute.resolution = resolution
                dispute.action_reject()

    def _demo_arrangements(self, env, customers, invoices):
        """Two consumers pay their overdue invoices in instalments.

        Sanne Bakker's arrangement is confirmed (she has no e-mail address: the
        written confirmation is to be printed and posted) and she paid the first
        instalment; Marie Lambert's is a draft with its schedule, waiting for her
        agreement.
        """
        today = fields.Date.context_today(self)
        running = self._demo_arrangement(
            env,
            invoices["nl_consumer_sanne", 75],
            {"instalment_count": 3, "frequency": "monthly", "first_date": today},
        )
        running.action_confirm()
        first = running.line_ids.sorted("number")[:1]
        oldest = running.move_ids.sorted(lambda m: (m.invoice_date_due, m.id))[:1]
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=oldest.ids
        ).create({"payment_date": today, "amount": first.amount})._create_payments()
        # The daily check closes the paid instalment's to-do.
        env["debtor.dunning.arrangement"].sudo()._cron_check_arrangements()
        draft = self._demo_arrangement(
            env,
            invoices["be_consumer", 35],
            {"instalment_count": 6, "frequency": "monthly"},
        )
        draft.action_compute_schedule()

    def _demo_arrangement(self, env, invoice, vals):
        """A payment arrangement as the invoice's button proposes it (a draft)."""
        action = invoice.with_env(env).action_dunning_arrangement()
        return (
            env["debtor.dunning.arrangement"]
            .with_context(**action["context"])
            .create(vals)
        )
