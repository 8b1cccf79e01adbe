from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    dunning_law_country = fields.Selection(
        related="company_id.dunning_law_country", readonly=False
    )
    dunning_interest_kind = fields.Selection(
        related="company_id.dunning_interest_kind", readonly=False
    )
    dunning_charge_vat_on_costs = fields.Boolean(
        related="company_id.dunning_charge_vat_on_costs", readonly=False
    )
    dunning_cost_vat_rate = fields.Float(
        related="company_id.dunning_cost_vat_rate", readonly=False
    )
    dunning_charge_mode = fields.Selection(
        related="company_id.dunning_charge_mode", readonly=False
    )
    dunning_charge_product_id = fields.Many2one(
        related="company_id.dunning_charge_product_id", readonly=False
    )
    dunning_charge_account_id = fields.Many2one(
        related="company_id.dunning_charge_account_id", readonly=False
    )
    dunning_large_company = fields.Boolean(
        related="company_id.dunning_large_company", readonly=False
    )
    dunning_reminder_postage = fields.Monetary(
        related="company_id.dunning_reminder_postage", readonly=False
    )
