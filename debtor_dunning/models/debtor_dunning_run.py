from odoo import api, fields, models
from odoo.exceptions import UserError


class DebtorDunningRun(models.Model):
    _name = "debtor.dunning.run"
    _description = "Dunning run"
    _inherit = ["mail.thread", "mail.activity.mixin"]
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
        [
            ("proposal", "Proposal"),
            ("done", "Done"),
            ("cancel", "Cancelled"),
            ("failed", "Failed"),
        ],
        required=True,
        default="proposal",
        tracking=True,
    )
    automatic = fields.Boolean(readonly=True, help="Started by the scheduled action.")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        readonly=True,
        index="btree_not_null",
        help="A proposal for this customer only (Dun now on the customer).",
    )
    error = fields.Text(
        readonly=True,
        help="Why the scheduled action could not make this run; it tries again.",
    )
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user)
    notice_ids = fields.One2many("debtor.dunning.notice", "run_id")
    hold_ids = fields.One2many("debtor.dunning.run.hold", "run_id", string="Held Back")
    notice_count = fields.Integer(compute="_compute_counts")
    hold_count = fields.Integer(compute="_compute_counts")
    amount_total = fields.Monetary(
        compute="_compute_counts", currency_field="currency_id"
    )
    rate_warning = fields.Text(
        readonly=True,
        help="Kinds of interest rate in use without a rate for a period: the interest "
        "of that period is not claimed, and the credit manager has a to-do.",
    )
    # A run's channels: send its e-mails, print and post its letters.
    email_to_send_count = fields.Integer(compute="_compute_channel_counts")
    email_failed_count = fields.Integer(compute="_compute_channel_counts")
    letter_to_print_count = fields.Integer(compute="_compute_channel_counts")
    letter_printed_count = fields.Integer(compute="_compute_channel_counts")

    @api.depends("date", "company_id", "partner_id")
    def _compute_name(self):
        for run in self:
            who = run.partner_id.name or run.company_id.name or ""
            run.name = f"{who} {run.date or ''}".strip()

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

    def _compute_channel_counts(self):
        Notice = self.env["debtor.dunning.notice"]
        issued = [("run_id", "in", self.ids), ("state", "=", "issued")]
        emails = {
            (run.id, state): count
            for run, state, count in Notice._read_group(
                issued, ["run_id", "email_state"], ["__count"]
            )
        }
        letters = {
            (run.id, state): count
            for run, state, count in Notice._read_group(
                issued, ["run_id", "letter_state"], ["__count"]
            )
        }
        for run in self:
            run.email_to_send_count = emails.get((run.id, "to_send"), 0)
            run.email_failed_count = emails.get((run.id, "failed"), 0)
            run.letter_to_print_count = letters.get((run.id, "to_print"), 0)
            run.letter_printed_count = letters.get((run.id, "printed"), 0)

    def unlink(self):
        """A run goes with its proposals; one with issued notices stays."""
        self.notice_ids.unlink()  # refused for issued notices (their guard)
        return super().unlink()

    def action_compute(self):
        """Fill an empty proposal with what would go out on its date."""
        for run in self:
            if run.state != "proposal" or run.notice_ids or run.hold_ids:
                raise UserError(
                    self.env._("%(run)s was computed already.", run=run.display_name)
                )
            self.env["debtor.dunning.escalation"]._propose(
                run.company_id, run.date, run=run, partners=run.partner_id or None
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
        self.env["debtor.dunning.issuing"]._validate(self)
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

    def _issued_notices(self):
        return self.notice_ids.filtered(lambda n: n.state == "issued")

    def action_send_notices(self):
        """E-mail the run's issued notices that wait for it (failed ones again)."""
        return self._issued_notices().action_send()

    def action_print_letters(self):
        """The run's letters to print, as one PDF."""
        letters = self._issued_notices().filtered(
            lambda n: n.letter_state == "to_print"
        )
        if not letters:
            raise UserError(self.env._("This run has no letter left to print."))
        return letters.action_print_letters()

    def action_mark_letters_posted(self):
        """The run's printed letters went in the post today."""
        return self._issued_notices().action_mark_posted()
