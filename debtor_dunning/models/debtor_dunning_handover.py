"""A debt handed over to a collection agency: one case per debtor, followed up to
its end (paid, partly paid, written off, or returned to our own dunning)."""

from odoo import api, fields, models
from odoo.exceptions import UserError

STATES = [
    ("handed_over", "Handed over"),
    ("in_collection", "In collection"),
    ("paid", "Paid"),
    ("partly_paid", "Partly paid"),
    ("written_off", "Written off"),
    ("returned", "Returned"),
]
# A case in these states is closed: nothing is registered on it any more.
CLOSED = ("paid", "written_off", "returned")


class DebtorDunningHandover(models.Model):
    _name = "debtor.dunning.handover"
    _description = "Debt handed over to a collection agency"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Debtor", required=True, index=True, readonly=True
    )
    agency_id = fields.Many2one(
        "res.partner",
        string="Collection Agency",
        required=True,
        readonly=True,
        domain="[('dunning_agency', '=', True)]",
    )
    date = fields.Date(string="Handed Over On", required=True, readonly=True)
    state = fields.Selection(
        STATES, required=True, default="handed_over", tracking=True, readonly=True
    )
    move_ids = fields.Many2many(
        "account.move",
        "debtor_dunning_handover_move_rel",
        "handover_id",
        "move_id",
        string="Invoices",
        readonly=True,
        check_company=True,
    )
    amount_handed_over = fields.Monetary(
        readonly=True,
        help="The open amount of the invoices on the day they were handed over, plus "
        "the costs and interest claimed.",
    )
    amount_collected = fields.Monetary(
        readonly=True, help="What the agency reported as paid by the debtor."
    )
    commission_percent = fields.Float(
        string="Commission (%)",
        readonly=True,
        help="The agency's commission on what it collects, when handed over.",
    )
    commission_amount = fields.Monetary(readonly=True)
    amount_open = fields.Monetary(
        compute="_compute_amount_open",
        store=True,
        help="Handed over and not collected.",
    )
    age_days = fields.Integer(
        string="Age (Days)",
        compute="_compute_age_days",
        help="Days since the hand-over.",
    )
    dossier_id = fields.Many2one("ir.attachment", readonly=True, copy=False)
    dossier_sent_date = fields.Datetime(string="Dossier Sent On", readonly=True)
    payment_ids = fields.Many2many(
        "account.payment",
        "debtor_dunning_handover_payment_rel",
        "handover_id",
        "payment_id",
        string="Payments",
        readonly=True,
        check_company=True,
    )
    commission_move_ids = fields.Many2many(
        "account.move",
        "debtor_dunning_handover_commission_rel",
        "handover_id",
        "move_id",
        string="Commission Entries",
        readonly=True,
        check_company=True,
    )
    closing_note = fields.Text(readonly=True)

    @api.depends("amount_handed_over", "amount_collected")
    def _compute_amount_open(self):
        for case in self:
            case.amount_open = case.amount_handed_over - case.amount_collected

    def _compute_age_days(self):
        today = fields.Date.context_today(self)
        for case in self:
            case.age_days = (today - case.date).days if case.date else 0

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("debtor.dunning.handover")
                    or "/"
                )
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        if self:
            raise UserError(
                self.env._(
                    "A case at a collection agency is history: close it as returned or "
                    "written off instead."
                )
            )

    def _check_open(self):
        closed = self.filtered(lambda case: case.state in CLOSED)
        if closed:
            raise UserError(
                self.env._(
                    "%(case)s is closed (%(state)s).",
                    case=closed[0].display_name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        closed[0].state
                    ],
                )
            )

    # ------------------------------------------------------------------ actions
    def action_in_collection(self):
        """The agency confirmed it took the case on."""
        self._check_open()
        self.env["debtor.dunning.collection"]._set_state(self, "in_collection")
        return True

    def action_send_dossier(self):
        """E-mail the dossier to the agency (again)."""
        self.env["debtor.dunning.collection"]._send_dossier(self)
        return True

    def action_download_dossier(self):
        self.ensure_one()
        if not self.dossier_id:
            raise UserError(self.env._("This case has no dossier yet."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.dossier_id.id}?download=true",
            "target": "self",
        }

    def action_open_register(self):
        """Register what the agency reports as collected."""
        self._check_open()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Register Collection"),
            "res_model": "debtor.dunning.handover.collect",
            "view_mode": "form",
            "target": "new",
            "context": {"default_handover_id": self.id},
        }

    def action_open_close(self):
        """Close the case: written off, or returned to our own dunning."""
        self._check_open()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Close Case"),
            "res_model": "debtor.dunning.handover.close",
            "view_mode": "form",
            "target": "new",
            "context": {"default_handover_id": self.id},
        }
