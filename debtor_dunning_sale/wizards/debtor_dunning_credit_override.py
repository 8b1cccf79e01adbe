from odoo import models


class DebtorDunningCreditOverride(models.TransientModel):
    _inherit = "debtor.dunning.credit.override"

    def _overridable(self):
        return super()._overridable() | {"sale.order"}
