from odoo import api, fields, models


class ReportDebtorDunningStatement(models.AbstractModel):
    """The statement of account's values, from the cockpit service."""

    _name = "report.debtor_dunning.report_dunning_statement"
    _description = "Dunning statement of account"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        cockpit = self.env["debtor.dunning.cockpit"]
        company = self.env.company
        today = fields.Date.context_today(self)
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners,
            "statements": {
                partner.id: cockpit._prepare_statement_values(partner, company, today)
                for partner in partners
            },
        }
