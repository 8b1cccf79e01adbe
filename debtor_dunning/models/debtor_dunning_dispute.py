from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from . import guard

REASONS = [
    ("price", "Price"),
    ("quality", "Quality"),
    ("not_delivered", "Not delivered"),
    ("not_received", "Invoice not received"),
    ("already_paid", "Already paid"),
    ("other", "Other"),
]
STATES = [
    ("open", "Open"),
    ("justified", "Justified"),
    ("rejected", "Rejected"),
    ("withdrawn", "Withdrawn"),
]
# Days the responsible gets to settle a dispute (the deadline of his activity).
DEADLINE_DAYS = 14
# A note or resolution longer than this is no note (the portal's too).
MAX_TEXT_LENGTH = 5000


class DebtorDunningDispute(models.Model):
    """A customer contests an invoice: its dunning pauses until the dispute is over."""

    _name = "debtor.dunning.dispute"
    _description = "Dunning dispute"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "open_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_receipt')), "
        "('state', '=', 'posted')]",
        tracking=True,
    )
    company_id = fields.Many2one(
        related="move_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        related="move_id.commercial_partner_id",
        string="Customer",
        store=True,
        index=True,
        precompute=True,
    )
    currency_id = fields.Many2one(related="move_id.currency_id")
    reason = fields.Selection(REASONS, required=True, tracking=True)
    note = fields.Text(help="What the customer objects to, in his own words.")
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        domain="[('share', '=', False)]",
        tracking=True,
        help="Settles the dispute; gets a to-do with the deadline.",
    )
    deadline_date = fields.Date(
        string="Deadline", help="The responsible settles the dispute by this day."
    )
    state = fields.Selection(
        STATES, required=True, default="open", index=True, tracking=True, copy=False
    )
    source = fields.Selection(
        [("internal", "Accountant"), ("portal", "Customer portal")],
        required=True,
        default="internal",
        readonly=True,
    )
    open_date = fields.Date(
        string="Opened On",
        required=True,
        readonly=True,
        default=fields.Date.context_today,
        copy=False,
    )
    resolved_date = fields.Date(string="Settled On", readonly=True, copy=False)
    age_days = fields.Integer(
        string="Age (Days)",
        compute="_compute_age_days",
        help="Days since the dispute was opened, until it was settled.",
    )
    disputed_amount = fields.Monetary(
        currency_field="currency_id",
        help="The part of the invoice the customer contests (default: its open "
        "amount). A justified dispute credits this amount.",
    )
    amount_residual = fields.Monetary(
        related="move_id.amount_residual", string="Open Amount"
    )
    resolution = fields.Text(
        help="Why the dispute was settled this way; the customer's next letter refers "
        "to a rejection."
    )
    credit_note_id = fields.Many2one(
        "account.move", readonly=True, copy=False, check_company=True
    )

    @api.depends("open_date", "resolved_date")
    def _compute_age_days(self):
        today = fields.Date.context_today(self)
        for dispute in self:
            end = dispute.resolved_date or today
            dispute.age_days = (
                (end - dispute.open_date).days if dispute.open_date else 0
            )

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for dispute in self:
            dispute.access_url = f"/my/disputes/{dispute.id}"
        return result

    @api.constrains("disputed_amount", "move_id")
    def _check_disputed_amount(self):
        for dispute in self:
            total = dispute.move_id.amount_total
            if dispute.currency_id.compare_amounts(dispute.disputed_amount, 0) <= 0 or (
                dispute.currency_id.compare_amounts(dispute.disputed_amount, total) > 0
            ):
                raise ValidationError(
                    self.env._(
                        "The disputed amount of %(dispute)s must be more than zero and "
                        "at most the invoice total %(total)s.",
                        dispute=dispute.display_name,
                        total=total,
                    )
                )

    @api.constrains("note", "resolution")
    def _check_text_length(self):
        for dispute in self:
            for text, what in (
                (dispute.note, self.env._("Note")),
                (dispute.resolution, self.env._("Resolution")),
            ):
                if text and len(text) > MAX_TEXT_LENGTH:
                    raise ValidationError(
                        self.env._(
                            "%(what)s: at most %(max)s characters, please (this one "
                            "has %(length)s).",
                            what=what,
                            max=MAX_TEXT_LENGTH,
                            length=len(text),
                        )
                    )

    @api.constrains("move_id", "state")
    def _check_one_open_per_invoice(self):
        moves = self.filtered(lambda d: d.state == "open").move_id
        if not moves:
            return
        doubled = self._read_group(
            [("move_id", "in", moves.ids), ("state", "=", "open")],
            ["move_id"],
            having=[("__count", ">", 1)],
        )
        if doubled:
            raise ValidationError(
                self.env._(
                    "Invoice %(invoice)s already has an open dispute.",
                    invoice=doubled[0][0].display_name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        moves = self.env["account.move"].browse(
            [vals["move_id"] for vals in vals_list if vals.get("move_id")]
        )
        moves._check_dunning_disputable()
        today = fields.Date.context_today(self)
        for vals in vals_list:
            move = self.env["account.move"].browse(vals.get("move_id"))
            vals.update(self._prepare_defaults_vals(move, vals, today))
        disputes = super().create(vals_list)
        disputes.move_id._dunning_sync_disputed()
        disputes._schedule_settlement()
        return disputes

    def _dunning_settled(self):
        return self.filtered(lambda d: d.state != "open")

    def _dunning_settled_message(self):
        return self.env._(
            "Dispute %(dispute)s is settled: its history stays as it is.",
            dispute=self[:1].display_name,
        )

    def write(self, vals):
        settled = self._dunning_settled()
        guard.refuse_frozen(settled, vals, settled._dunning_settled_message())
        moves = self.move_id
        result = super().write(vals)
        if {"state", "move_id"} & set(vals):
            (moves | self.move_id)._dunning_sync_disputed()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_only_open(self):
        settled = self._dunning_settled()
        if settled:
            raise UserError(settled._dunning_settled_message())

    def unlink(self):
        moves = self.move_id
        result = super().unlink()
        moves.exists()._dunning_sync_disputed()
        return result

    # ------------------------------------------------------------------ actions
    def action_justify(self):
        """The customer is right: a draft credit note for the disputed amount."""
        self._check_open()
        credit_notes = self._create_credit_notes()
        self._settle("justified")
        if len(credit_notes) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": "account.move",
                "view_mode": "form",
                "res_id": credit_notes.id,
            }
        return True

    def action_reject(self):
        """The customer is wrong: dunning resumes at the level it stood."""
        self._check_open()
        self._settle("rejected")
        return True

    def action_withdraw(self):
        """The customer takes it back: dunning resumes at the level it stood."""
        self._check_open()
        self._settle("withdrawn")
        return True

    def action_open_credit_note(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "view_mode": "form",
            "res_id": self.credit_note_id.id,
        }

    # ------------------------------------------------------------------ business
    @api.model
    def _prepare_defaults_vals(self, move, vals, today):
        """Reference, responsible, deadline and amount a new dispute starts with."""
        company = move.company_id or self.env.company
        sequence = self.env["ir.sequence"].sudo().with_company(company)
        open_date = fields.Date.to_date(vals.get("open_date")) or today
        return {
            "name": sequence.next_by_code("debtor.dunning.dispute") or "/",
            "user_id": vals.get("user_id") or self._default_responsible(move).id,
            "deadline_date": vals.get("deadline_date")
            or open_date + timedelta(days=DEADLINE_DAYS),
            "disputed_amount": vals.get("disputed_amount") or move.amount_residual,
        }

    @api.model
    def _default_responsible(self, move):
        """Who settles a dispute on `move`: the customer's policy's responsible, else
        the salesperson, else whoever made the invoice (never a portal user)."""
        policy = move.commercial_partner_id.sudo()._dunning_policy(move.company_id)
        candidates = (
            policy.responsible_id,
            move.invoice_user_id,
            self.env.user,
            move.create_uid,
        )
        return next(
            (user for user in candidates if user and not user.share),
            self.env["res.users"],
        )

    def _schedule_settlement(self):
        """The responsible gets a to-do to settle each dispute by its deadline."""
        for dispute in self.filtered("user_id"):
            dispute.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=dispute.deadline_date,
                summary=self.env._(
                    "Settle dispute on %(invoice)s", invoice=dispute.move_id.name
                ),
                note=dispute.note or "",
                user_id=dispute.user_id.id,
            )

    def _check_open(self):
        settled = self.filtered(lambda d: d.state != "open")
        if settled:
            raise UserError(
                self.env._(
                    "Dispute %(dispute)s is settled already.",
                    dispute=settled[0].display_name,
                )
            )

    def _settle(self, state):
        """Close the disputes: dunning of their invoices resumes unless held else."""
        self.write({"state": state, "resolved_date": fields.Date.context_today(self)})
        label = dict(self._fields["state"]._description_selection(self.env))[state]
        self.sudo().activity_feedback(["mail.mail_activity_data_todo"], feedback=label)
        # Followers hear the outcome: the customer too when he opened it in the portal.
        for dispute in self.sudo():  # the author needs no e-mail address
            dispute.message_post(
                body=self.env._(
                    "Dispute settled: %(outcome)s. %(resolution)s",
                    outcome=label,
                    resolution=dispute.resolution or "",
                ),
                subtype_xmlid="mail.mt_comment",
            )

    def _create_credit_notes(self):
        """One draft credit note per dispute for its disputed amount.

        The reversal copies the invoice lines; for a part of the invoice, each line's
        unit price shrinks by the same factor (taxes follow; cents may round).
        Posting it reconciles it with the invoice (Odoo does, for a reversal).
        """
        today = fields.Date.context_today(self)
        credit_notes = self.env["account.move"]
        for dispute in self:
            move = dispute.move_id
            credit_note = move._reverse_moves(
                [
                    {
                        "ref": self.env._(
                            "Dispute %(dispute)s on %(invoice)s",
                            dispute=dispute.name,
                            invoice=move.name,
                        ),
                        "date": today,
                        "invoice_date": today,
                        "invoice_date_due": today,
                        "invoice_payment_term_id": False,
                        "invoice_user_id": move.invoice_user_id.id,
                    }
                ]
            )
            if dispute.currency_id.compare_amounts(
                dispute.disputed_amount, move.amount_total
            ):
                factor = dispute.disputed_amount / move.amount_total
                credit_note.write(
                    {
                        "invoice_line_ids": [
                            fields.Command.update(
                                line.id, {"price_unit": line.price_unit * factor}
                            )
                            for line in credit_note.invoice_line_ids
                            if line.display_type == "product"
                        ]
                    }
                )
            dispute.credit_note_id = credit_note
            credit_notes |= credit_note
        return credit_notes
