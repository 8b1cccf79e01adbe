from odoo import api, models


class ReportInsurerNotification(models.AbstractModel):
    _name = "report.debtor_dunning.report_insurer_notification"
    _description = "Payment default notification to a credit insurer"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        Insurance = self.env["debtor.dunning.insurance"]
        company = self.env.company
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners,
            "notifications": {
                partner.id: Insurance._notification_values(partner, company)
                for partner in partners
            },
        }
