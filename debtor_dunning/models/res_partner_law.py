"""The law a customer's debts fall under: country, SME status, contractual interest."""

from odoo import fields, models

from .debtor_dunning_rate import RATE_KINDS


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    dunning_law_country = fields.Selection(
        [("nl", "Netherlands"), ("be", "Belgium"), ("eu", "Other EU country")],
        string="Dunning Law",
        help="The law of this customer's contracts when it is not the company's own "
        "(collection costs, statutory interest, legal steps). Empty: the company's.",
    )
    dunning_sme = fields.Boolean(
        string="SME",
        help="A small or medium-sized business: under Dutch law a large company may "
        "give it at most 30 days to pay (art. 6:119a lid 6 BW).",
    )
    dunning_interest_kind = fields.Selection(
        RATE_KINDS,
        string="Interest Rates",
        help="The rates this customer's late payments bear when the contract names "
        "them. Empty: the company's contractual rates, else statutory interest.",
    )

    def _dunning_law(self, company):
        """(law country, debtor type) of this customer's debts to `company`."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        debtor_type = commercial.dunning_debtor_type or (
            "business" if commercial.is_company else "consumer"
        )
        law = commercial.dunning_law_country or company.dunning_law_country
        return law, debtor_type
