from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        Policy = self.env["debtor.dunning.policy"].sudo()
        for company in companies:
            Policy._create_default(company)
        return companies
