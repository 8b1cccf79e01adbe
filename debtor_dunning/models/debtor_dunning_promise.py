from odoo import fields, models


class DebtorDunningPromise(models.Model):
    """A promise to pay, as recorded: the history behind `dunning_promise_date`.

    `account.move._dunning_record_promise` writes one per invoice with a share; the
    figures tell from the reconciliations whether it was kept
    (`debtor.dunning.commitment.report`).
    """

    _name = "debtor.dunning.promise"
    _description = "Promise to pay"
    _order = "recorded_date desc, id desc"
    _check_company_auto = True
    _rec_name = "move_id"

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    company_id = fields.Many2one(
        related="move_id.company_id", store=True, index=True, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        related="move_id.commercial_partner_id",
        string="Customer",
        store=True,
        readonly=True,
    )
    recorded_date = fields.Date(
        string="Recorded On",
        required=True,
        readonly=True,
        default=fields.Date.context_today,
    )
    promised_date = fields.Date(string="Promised For", required=True, readonly=True)
    amount = fields.Monetary(string="Promised Amount", required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Recorded By",
        readonly=True,
        default=lambda self: self.env.user,
    )
