from odoo import fields, models


class DebtorDunningNoticeCharge(models.Model):
    """A cost or interest line of a notice, with its calculation, frozen at issue."""

    _name = "debtor.dunning.notice.charge"
    _description = "Dunning notice charge"
    _order = "notice_id, kind, move_id, start_date, id"
    _check_company_auto = True

    notice_id = fields.Many2one(
        "debtor.dunning.notice", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="notice_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="notice_id.currency_id")
    kind = fields.Selection(
        [("cost", "Collection costs"), ("interest", "Interest")], required=True
    )
    move_id = fields.Many2one(
        "account.move", string="Invoice", index="btree_not_null", check_company=True
    )
    name = fields.Char(string="Description", required=True)
    start_date = fields.Date()
    end_date = fields.Date(help="Last day of the period.")
    days = fields.Integer()
    percent = fields.Float(digits=(16, 4))
    base_amount = fields.Monetary(currency_field="currency_id")
    amount = fields.Monetary(currency_field="currency_id", required=True)
    origin_id = fields.Many2one(
        "debtor.dunning.notice.charge",
        string="Claimed First On",
        ondelete="set null",
        index="btree_not_null",
        help="Costs are claimed once per invoice: a later notice repeats them from "
        "the notice that claimed them first.",
    )
    waived = fields.Boolean(readonly=True, copy=False)
    waive_reason = fields.Char(readonly=True, copy=False)
    waived_by_id = fields.Many2one("res.users", readonly=True)
    waived_date = fields.Date(readonly=True, copy=False)
