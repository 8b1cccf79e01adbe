"""Demo data: a Dutch company with customers and invoices at every dunning stage."""

from datetime import timedelta

from odoo import Command, api, fields, models

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


class DebtorDunningDemo(models.AbstractModel):
    _name = "debtor.dunning.demo"
    _description = "Dunning demo data"

    @api.model
    def _load_demo(self):
        """Create the demo company, its users, customers and invoices (once)."""
        if self.env.ref("debtor_dunning.company_demo", raise_if_not_found=False):
            return
        company = self._demo_company()
        env = self.with_company(company).env
        customers = self._demo_customers(company)
        accountant = self._demo_users(company)
        # The demo ladder runs by itself; notices of default and hand-overs still
        # wait for the accountant's review (their levels need review).
        self.env["debtor.dunning.policy"].search(
            [("company_id", "=", company.id)]
        ).write({"mode": "auto", "responsible_id": accountant.id})
        self._demo_invoices(env, company, customers)

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
        self.env.user.company_ids = [Command.link(company.id)]
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
                        "groups_id": [
                            Command.link(self.env.ref("base.group_user").id),
                            Command.link(self.env.ref(f"debtor_dunning.{group}").id),
                        ],
                    }
                )
            )
            self._demo_xmlid(f"res_users_{key}_demo", user)
            users |= user
        return users[:1]

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
