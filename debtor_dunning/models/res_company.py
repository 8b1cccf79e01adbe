from odoo import api, fields, models

from ..core import law
from .debtor_dunning_rate import RATE_KINDS

LAW_COUNTRIES = [("nl", "Netherlands"), ("be", "Belgium"), ("eu", "Other country")]


class ResCompany(models.Model):
    _inherit = "res.company"

    # Costs, interest and the law (see services/debtor_dunning_charges.py).
    dunning_law_country = fields.Selection(
        LAW_COUNTRIES,
        string="Dunning Law",
        compute="_compute_dunning_law_country",
        store=True,
        readonly=False,
        help="The law that sets the collection costs, the statutory interest and the "
        "legal steps for this company's customers, unless a customer names another.",
    )
    dunning_interest_kind = fields.Selection(
        RATE_KINDS,
        string="Contractual Interest Rates",
        help="Your terms stipulate another interest: the rates of this kind replace "
        "the statutory interest. Empty: statutory interest.",
    )
    dunning_charge_vat_on_costs = fields.Boolean(
        string="VAT on Collection Costs",
        help="Dutch collection costs may be raised by VAT only when the company cannot "
        "deduct that VAT (not VAT-registered or exempt): Besluit vergoeding voor "
        "buitengerechtelijke incassokosten, art. 2 lid 3.",
    )
    dunning_cost_vat_rate = fields.Float(
        string="VAT Rate on Collection Costs (%)", digits=(16, 2), default=21.0
    )
    dunning_charge_mode = fields.Selection(
        [("letter", "In the letters only"), ("invoice", "Charge invoice per notice")],
        string="Costs and Interest",
        default="letter",
        required=True,
        help="In the letters only: a notice states what it claims, nothing is booked. "
        "Charge invoice: issuing a notice posts an invoice for its costs and interest.",
    )
    dunning_charge_product_id = fields.Many2one(
        "product.product",
        string="Charge Product",
        check_company=True,
        help="Product on the lines of charge invoices (its income account is used "
        "unless an account is set here).",
    )
    dunning_charge_account_id = fields.Many2one(
        "account.account",
        string="Charge Income Account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
    )
    dunning_large_company = fields.Boolean(
        string="Large Company",
        help="Two of three: balance sheet over EUR 20 million, turnover over EUR 40 "
        "million, 250 employees or more. Under Dutch law a large company may give an "
        "SME at most 30 days to pay (art. 6:119a lid 6 BW).",
    )

    dunning_reminder_postage = fields.Monetary(
        string="Postage per Reminder",
        currency_field="currency_id",
        help="The postage tariff in force for a letter: a Belgian consumer's second "
        "and later reminders may cost EUR 7.50 plus the postage of a posted one, "
        "when their level claims the reminder fee (Code of Economic Law, Book XIX).",
    )

    @api.depends("country_id")
    def _compute_dunning_law_country(self):
        for company in self:
            code = company.country_id.code
            company.dunning_law_country = law.law_of_country(code) or law.Law.OTHER

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        Policy = self.env["debtor.dunning.policy"].sudo()
        for company in companies:
            Policy._create_default(company)
        return companies
