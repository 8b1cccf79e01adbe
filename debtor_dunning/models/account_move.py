from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv.expression import AND, OR

DUNNING_STATES = [
    ("not_due", "Not due"),
    ("overdue", "Overdue"),
    ("in_dunning", "In dunning"),
    ("disputed", "Paused: disputed"),
    ("arrangement", "Paused: arrangement"),
    ("promise", "Paused: promise to pay"),
    ("excluded", "Paused: excluded"),
    ("handed_over", "Handed over"),
    ("paid", "Paid"),
]
_DUNNED_TYPES = ("out_invoice", "out_receipt")
_SETTLED = ("paid", "in_payment", "reversed", "invoicing_legacy")


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_level_id = fields.Many2one(
        "debtor.dunning.level",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The highest level any due date of this invoice has reached.",
    )
    dunning_last_date = fields.Date(string="Last Dunning", copy=False, readonly=True)
    dunning_state = fields.Selection(
        DUNNING_STATES,
        compute="_compute_dunning_state",
        search="_search_dunning_state",
    )
    dunning_next_date = fields.Date(
        string="Next Dunning",
        compute="_compute_dunning_next_date",
        compute_sudo=True,
        help="The day this invoice reaches its next level if nothing changes.",
    )
    dunning_excluded = fields.Boolean(
        string="Excluded from Dunning", copy=False, tracking=True
    )
    dunning_exclusion_reason = fields.Char(copy=False, tracking=True)
    dunning_excluded_until = fields.Date(
        copy=False,
        tracking=True,
        help="Dunning resumes by itself after this day. Empty: until lifted by hand.",
    )
    dunning_disputed = fields.Boolean(
        string="Disputed",
        copy=False,
        tracking=True,
        help="Set while a dispute on this invoice is open (debtor.dunning.dispute "
        "writes it): a column, so that the run reads holds set-based.",
    )
    dunning_dispute_ids = fields.One2many(
        "debtor.dunning.dispute", "move_id", string="Disputes"
    )
    dunning_arrangement_id = fields.Many2one(
        "debtor.dunning.arrangement",
        string="Payment Arrangement",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The running arrangement that pays this invoice: no dunning meanwhile.",
    )
    dunning_acknowledged_date = fields.Date(
        string="Debt Acknowledged On",
        copy=False,
        readonly=True,
        help="Last acknowledgment of the debt by the customer (a payment arrangement): "
        "it interrupts limitation.",
    )
    dunning_promise_date = fields.Date(
        string="Promised Payment Date",
        copy=False,
        tracking=True,
        help="Dunning pauses until this day; a promise not kept escalates.",
    )
    dunning_promise_amount = fields.Monetary(string="Promised Amount", copy=False)
    dunning_handed_over_date = fields.Date(
        string="Handed Over On",
        copy=False,
        readonly=True,
        help="The day the debt went to the collection agency: our own dunning stops.",
    )
    dunning_line_ids = fields.One2many(
        "debtor.dunning.notice.line", "move_id", string="Dunning History"
    )

    def _dunning_hold(self, today):
        """Why dunning of this invoice pauses on `today`, as a dunning_state value."""
        self.ensure_one()
        if self.dunning_handed_over_date:
            return "handed_over"
        if self.dunning_disputed or self._dunning_draft_credit_notes():
            return "disputed"
        if self.dunning_arrangement_id:
            return "arrangement"
        if self.dunning_promise_date and self.dunning_promise_date >= today:
            return "promise"
        if self.dunning_excluded and (
            not self.dunning_excluded_until or self.dunning_excluded_until >= today
        ):
            return "excluded"
        return False

    @api.depends(
        "move_type",
        "state",
        "payment_state",
        "invoice_date_due",
        "dunning_level_id",
        "dunning_disputed",
        "dunning_arrangement_id",
        "reversal_move_ids.state",
        "dunning_promise_date",
        "dunning_excluded",
        "dunning_excluded_until",
        "dunning_handed_over_date",
    )
    def _compute_dunning_state(self):
        today = fields.Date.context_today(self)
        for move in self:
            if move.move_type not in _DUNNED_TYPES or move.state != "posted":
                move.dunning_state = False
            elif move.payment_state in _SETTLED:
                move.dunning_state = "paid"
            else:
                move.dunning_state = (
                    move._dunning_hold(today)
                    or (move.dunning_level_id and "in_dunning")
                    or (
                        "overdue"
                        if move.invoice_date_due and move.invoice_date_due < today
                        else "not_due"
                    )
                )

    def _search_dunning_state(self, operator, value):
        if operator not in ("=", "in"):
            raise UserError(self.env._("Unsupported search on the dunning state."))
        today = fields.Date.context_today(self)
        dunned = [("move_type", "in", _DUNNED_TYPES), ("state", "=", "posted")]
        open_ = dunned + [("payment_state", "not in", _SETTLED)]
        not_handed = [("dunning_handed_over_date", "=", False)]
        # A draft credit note of the invoice holds it like a dispute (as in the run);
        # an arrangement ranks next, so "not disputed" also means "not arranged".
        draft_refund = [("state", "=", "draft"), ("move_type", "=", "out_refund")]
        not_disputed = not_handed + [
            ("dunning_disputed", "=", False),
            ("reversal_move_ids", "not any", draft_refund),
            ("dunning_arrangement_id", "=", False),
        ]
        no_promise = OR(
            [
                [("dunning_promise_date", "=", False)],
                [("dunning_promise_date", "<", today)],
            ]
        )
        excluded = [  # one prefix expression, so that "!" negates all of it
            "&",
            ("dunning_excluded", "=", True),
            "|",
            ("dunning_excluded_until", "=", False),
            ("dunning_excluded_until", ">=", today),
        ]
        not_held = AND([not_disputed, no_promise, ["!", *excluded]])
        domains = {
            "paid": dunned + [("payment_state", "in", _SETTLED)],
            "handed_over": open_ + [("dunning_handed_over_date", "!=", False)],
            "disputed": AND(
                [
                    open_,
                    not_handed,
                    OR(
                        [
                            [("dunning_disputed", "=", True)],
                            [("reversal_move_ids", "any", draft_refund)],
                        ]
                    ),
                ]
            ),
            "arrangement": open_
            + not_handed
            + [
                ("dunning_disputed", "=", False),
                ("reversal_move_ids", "not any", draft_refund),
                ("dunning_arrangement_id", "!=", False),
            ],
            "promise": open_ + not_disputed + [("dunning_promise_date", ">=", today)],
            "excluded": AND([open_, not_disputed, no_promise, excluded]),
            "in_dunning": AND([open_, not_held, [("dunning_level_id", "!=", False)]]),
            "overdue": AND(
                [
                    open_,
                    not_held,
                    [
                        ("dunning_level_id", "=", False),
                        ("invoice_date_due", "<", today),
                    ],
                ]
            ),
            "not_due": AND(
                [
                    open_,
                    not_held,
                    [
                        ("dunning_level_id", "=", False),
                        ("invoice_date_due", ">=", today),
                    ],
                ]
            ),
        }
        values = [value] if operator == "=" else list(value)
        return OR([domains[state] for state in values if state in domains]) or [
            ("id", "=", False)
        ]

    @api.depends("dunning_state", "dunning_level_id", "invoice_date_due")
    def _compute_dunning_next_date(self):
        active = self.filtered(
            lambda m: (
                m.dunning_state
                in ("overdue", "in_dunning", "not_due", "promise", "excluded")
            )
        )
        (self - active).dunning_next_date = False
        if active:
            dates = self.env["debtor.dunning.escalation"]._next_dates(active)
            for move in active:
                move.dunning_next_date = dates.get(move.id, False)

    def action_dunning_exclude(self):
        """Open the exclusion wizard for these invoices."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Exclude from Dunning"),
            "res_model": "debtor.dunning.exclude",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": "account.move", "active_ids": self.ids},
        }

    def action_dunning_resume(self):
        """Lift an exclusion by hand: dunning goes on where it stood."""
        self.write(
            {
                "dunning_excluded": False,
                "dunning_exclusion_reason": False,
                "dunning_excluded_until": False,
            }
        )
        return True

    def action_dunning_dispute(self):
        """Open a new dispute on this invoice (its dunning pauses once saved)."""
        self.ensure_one()
        self._check_dunning_disputable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispute"),
            "res_model": "debtor.dunning.dispute",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_id": self.id},
        }

    def action_dunning_arrangement(self):
        """A draft payment arrangement over the customer's overdue invoices."""
        self.ensure_one()
        customer = self.commercial_partner_id
        today = fields.Date.context_today(self)
        overdue = self.search(
            [
                ("commercial_partner_id", "=", customer.id),
                ("company_id", "=", self.company_id.id),
                ("move_type", "in", _DUNNED_TYPES),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", today),
                ("dunning_disputed", "=", False),
                ("dunning_arrangement_id", "=", False),
            ]
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Payment Arrangement"),
            "res_model": "debtor.dunning.arrangement",
            "view_mode": "form",
            "context": {
                "default_partner_id": customer.id,
                "default_company_id": self.company_id.id,
                "default_move_ids": [fields.Command.set((overdue | self).ids)],
            },
        }

    def action_open_dunning_arrangement(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "debtor.dunning.arrangement",
            "view_mode": "form",
            "res_id": self.dunning_arrangement_id.id,
        }

    def _check_dunning_disputable(self):
        """Only open, posted customer invoices can be disputed."""
        for move in self:
            if (
                move.move_type not in _DUNNED_TYPES
                or move.state != "posted"
                or move.payment_state in _SETTLED
            ):
                raise UserError(
                    self.env._(
                        "%(invoice)s cannot be disputed: only open, posted customer "
                        "invoices can.",
                        invoice=move.display_name,
                    )
                )

    def _dunning_draft_credit_notes(self):
        """Draft credit notes of this invoice: they hold its dunning like a dispute."""
        self.ensure_one()
        return self.reversal_move_ids.filtered(
            lambda r: r.state == "draft" and r.move_type == "out_refund"
        )

    def _dunning_sync_disputed(self):
        """dunning_disputed follows the open disputes of these invoices."""
        if not self:
            return
        groups = (
            self.env["debtor.dunning.dispute"]
            .sudo()
            ._read_group(
                [("move_id", "in", self.ids), ("state", "=", "open")], ["move_id"]
            )
        )
        disputed = self.browse([move.id for (move,) in groups])
        to_set = disputed.filtered(lambda m: not m.dunning_disputed)
        to_clear = (self - disputed).filtered("dunning_disputed")
        if to_set:
            to_set.sudo().write({"dunning_disputed": True})
        if to_clear:
            to_clear.sudo().write({"dunning_disputed": False})

    def _invoice_paid_hook(self):
        """A payment arrangement whose invoices are all paid closes itself now."""
        result = super()._invoice_paid_hook()
        arrangements = self.sudo().dunning_arrangement_id
        if arrangements:
            arrangements._check_paid()
        return result
