from odoo import api, models

from .account_move import DUNNED_TYPES


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # Where a receivable line stands on the ladder is kept in debtor.dunning.position
    # (a narrow table of the add-on's own), not here: every dunning write would
    # otherwise rewrite a row of this wide, busy table and its many indexes.

    @api.model
    def _dunning_open_item_domain(self, company, horizon, partners=None):
        """Open receivable lines of customer invoices of `company` due by `horizon`.

        The receivable side of account.move._dunning_open_domain: what the run
        duns, an instalment at a time.
        """
        domain = [
            ("company_id", "=", company.id),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("reconciled", "=", False),
            ("amount_residual", ">", 0),
            ("move_id.move_type", "in", DUNNED_TYPES),
            ("date_maturity", "<=", horizon),
        ]
        if partners is not None:
            domain.append(
                (
                    "partner_id.commercial_partner_id",
                    "in",
                    partners.commercial_partner_id.ids,
                )
            )
        return domain
