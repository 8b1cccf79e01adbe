from odoo import api, fields, models


class DebtorDunningHandoverCollect(models.TransientModel):
    _name = "debtor.dunning.handover.collect"
    _description = "Register what a collection agency collected"
    _check_company_auto = True

    handover_id = fields.Many2one("debtor.dunning.handover", required=True)
    company_id = fields.Many2one(related="handover_id.company_id")
    currency_id = fields.Many2one(related="handover_id.currency_id")
    amount = fields.Monetary(
        string="Amount Collected",
        required=True,
        help="What the debtor paid to the agency, before its commission.",
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
        help="The journal the agency remits to.",
    )
    commission_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        domain="[('account_type', '=', 'expense')]",
        help="The expense account of the agency's commission.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        case = self.env["debtor.dunning.handover"].browse(values.get("handover_id"))
        if case:
            company = case.company_id
            values.setdefault("amount", case.amount_open)
            values.setdefault(
                "journal_id",
                self.env["account.journal"]
                .search(
                    [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
                )
                .id,
            )
            values.setdefault(
                "commission_account_id",
                self.env["account.account"]
                .search(
                    [
                        ("account_type", "=", "expense"),
                        ("company_ids", "in", company.ids),
                    ],
                    limit=1,
                )
                .id,
            )
        return values

    def action_confirm(self):
        self.ensure_one()
        self.env["debtor.dunning.collection"]._register_collection(
            self.handover_id,
            self.amount,
            self.date,
            self.journal_id,
            self.commission_account_id,
        )
        return {"type": "ir.actions.act_window_close"}
