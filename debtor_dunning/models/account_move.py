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
        string="Dunning Level",
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
    dunning_disputed = fields.Boolean(string="Disputed", copy=False, tracking=True)
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
        if self.dunning_disputed:
            return "disputed"
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
        not_disputed = not_handed + [("dunning_disputed", "=", False)]
        no_promise = OR(
            [[("dunning_promise_date", "=", False)], [("dunning_promise_date", "<", today)]]
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
            "disputed": open_ + not_handed + [("dunning_disputed", "=", True)],
            "promise": open_ + not_disputed + [("dunning_promise_date", ">=", today)],
            "excluded": AND([open_, not_disputed, no_promise, excluded]),
            "in_dunning": AND([open_, not_held, [("dunning_level_id", "!=", False)]]),
            "overdue": AND(
                [
                    open_,
                    not_held,
                    [("dunning_level_id", "=", False), ("invoice_date_due", "<", today)],
                ]
            ),
            "not_due": AND(
                [
                    open_,
                    not_held,
                    [("dunning_level_id", "=", False), ("invoice_date_due", ">=", today)],
                ]
            ),
        }
        values = [value] if operator == "=" else list(value)
        return OR([domains[state] for state in values if state in domains]) or [
            ("id", "=", False)
        ]

    @api.depends("dunning_state", "dunning_level_id", "invoice_date_due")
    def _compute_dunning_next_date(self):
        active = self.filtered(lambda m: m.dunning_state in ("overdue", "in_dunning", "not_due", "promise", "excluded"))
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
