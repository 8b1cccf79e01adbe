from odoo import api, fields, models
from odoo.exceptions import UserError


class DebtorDunningRun(models.Model):
    _name = "debtor.dunning.run"
    _description = "Dunning run"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="The day the run decides for: levels are reached by the days overdue on "
        "this day.",
    )
    state = fields.Selection(
        [("proposal", "Proposal"), ("done", "Done"), ("cancel", "Cancelled")],
        required=True,
        default="proposal",
        tracking=True,
    )
    automatic = fields.Boolean(readonly=True, help="Started by the scheduled action.")
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user)
    notice_ids = fields.One2many("debtor.dunning.notice", "run_id")
    hold_ids = fields.One2many("debtor.dunning.run.hold", "run_id", string="Held Back")
    notice_count = fields.Integer(compute="_compute_counts")
    hold_count = fields.Integer(compute="_compute_counts")
    amount_total = fields.Monetary(
        compute="_compute_counts", currency_field="currency_id"
    )

    @api.depends("date", "company_id")
    def _compute_name(self):
        for run in self:
            run.name = f"{run.company_id.name or ''} {run.date or ''}".strip()

    def _compute_counts(self):
        notices = self.env["debtor.dunning.notice"]._read_group(
            [("run_id", "in", self.ids), ("state", "!=", "cancel")],
            ["run_id"],
            ["__count", "amount_total:sum"],
        )
        holds = self.env["debtor.dunning.run.hold"]._read_group(
            [("run_id", "in", self.ids)], ["run_id"], ["__count"]
        )
        by_run = {run: (count, total) for run, count, total in notices}
        held = dict(holds)
        for run in self:
            run.notice_count, run.amount_total = by_run.get(run, (0, 0.0))
            run.hold_count = held.get(run, 0)

    def action_compute(self):
        """Fill an empty proposal with what would go out on its date."""
        for run in self:
            if run.state != "proposal" or run.notice_ids or run.hold_ids:
                raise UserError(
                    self.env._("%(run)s was computed already.", run=run.display_name)
                )
            self.env["debtor.dunning.escalation"]._propose(
                run.company_id, run.date, run=run
            )
        return True

    def action_validate(self):
        """Issue the proposal's notices (what the accountant kept of it)."""
        for run in self:
            if run.state != "proposal":
                raise UserError(
                    self.env._(
                        "Only a proposal can be validated: %(run)s is not one.",
                        run=run.display_name,
                    )
                )
        self.env["debtor.dunning.escalation"]._validate(self)
        return True

    def action_cancel(self):
        """Drop the proposal; nothing was issued."""
        if self.filtered(lambda run: run.state == "done"):
            raise UserError(
                self.env._("A run whose notices were issued cannot be cancelled.")
            )
        self.notice_ids.filtered(lambda n: n.state == "draft").state = "cancel"
        self.state = "cancel"
        return True

    def action_open_notices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debtor_dunning.debtor_dunning_notice_action"
        )
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_open_holds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debtor_dunning.debtor_dunning_run_hold_action"
        )
        action["domain"] = [("run_id", "=", self.id)]
        return action
