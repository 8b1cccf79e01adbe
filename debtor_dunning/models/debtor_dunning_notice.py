from odoo import api, fields, models
from odoo.exceptions import UserError


class DebtorDunningNotice(models.Model):
    _name = "debtor.dunning.notice"
    _description = "Dunning notice"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(readonly=True, copy=False, default="/")
    run_id = fields.Many2one("debtor.dunning.run", ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True
    )
    policy_id = fields.Many2one("debtor.dunning.policy", required=True)
    level_id = fields.Many2one(
        "debtor.dunning.level",
        required=True,
        domain="[('policy_id', '=', policy_id)]",
        tracking=True,
    )
    rank = fields.Integer(related="level_id.rank", store=True)
    date = fields.Date(required=True)
    state = fields.Selection(
        [("draft", "Proposed"), ("issued", "Issued"), ("cancel", "Cancelled")],
        required=True,
        default="draft",
        index=True,
        tracking=True,
    )
    line_ids = fields.One2many("debtor.dunning.notice.line", "notice_id")
    amount_total = fields.Monetary(
        string="Total Due",
        currency_field="currency_id",
        help="Open amount of the listed invoices, in company currency, when issued.",
    )
    # Costs and interest: computed and frozen when the notice is issued.
    charge_ids = fields.One2many("debtor.dunning.notice.charge", "notice_id")
    cost_amount = fields.Monetary(
        string="Collection Costs", currency_field="currency_id"
    )
    interest_amount = fields.Monetary(string="Interest", currency_field="currency_id")
    amount_due = fields.Monetary(
        compute="_compute_amount_due",
        store=True,
        currency_field="currency_id",
        help="Open invoices plus the costs and interest this notice claims.",
    )
    pay_by_date = fields.Date(
        string="Pay By", help="The day by which the customer is asked to pay."
    )
    email_state = fields.Selection(
        [
            ("none", "No e-mail"),
            ("to_send", "To send"),
            ("sent", "Sent"),
            ("failed", "Failed"),
        ],
        string="E-mail",
        default="none",
        required=True,
    )
    letter_state = fields.Selection(
        [
            ("none", "No letter"),
            ("to_print", "To print"),
            ("printed", "Printed"),
            ("posted", "Posted"),
        ],
        string="Letter",
        default="none",
        required=True,
    )
    call_state = fields.Selection(
        [("none", "No call"), ("to_do", "To call"), ("done", "Called")],
        string="Call",
        default="none",
        required=True,
    )
    line_count = fields.Integer(compute="_compute_line_count")

    @api.depends("amount_total", "cost_amount", "interest_amount")
    def _compute_amount_due(self):
        for notice in self:
            notice.amount_due = (
                notice.amount_total + notice.cost_amount + notice.interest_amount
            )

    @api.depends("line_ids")
    def _compute_line_count(self):
        counts = dict(
            self.env["debtor.dunning.notice.line"]._read_group(
                [("notice_id", "in", self.ids)], ["notice_id"], ["__count"]
            )
        )
        for notice in self:
            notice.line_count = counts.get(notice, 0)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_proposed(self):
        if self.filtered(lambda notice: notice.state == "issued"):
            raise UserError(
                self.env._(
                    "An issued notice cannot be deleted: it was sent to the customer."
                )
            )

    def write(self, vals):
        if "level_id" in vals and self.filtered(lambda n: n.state != "draft"):
            raise UserError(self.env._("Only a proposed notice can change level."))
        return super().write(vals)

    def action_cancel(self):
        """Take a proposed notice out of its run."""
        if self.filtered(lambda notice: notice.state != "draft"):
            raise UserError(self.env._("Only a proposed notice can be cancelled."))
        self.state = "cancel"
        return True
