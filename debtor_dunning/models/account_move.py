from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv.expression import AND, OR
from odoo.tools import split_every
from odoo.tools.sql import column_exists, create_column

from ..core import limitation

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

# Directive 2011/7/EU art. 3(5); NL art. 6:119a lid 5 BW; BE law of 2 August 2002 art.
# 4: a business debt's payment term; NL art. 6:119a lid 6 BW: large company -> SME.
_MAX_TERM_DAYS = 60
_MAX_TERM_DAYS_SME = 30


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
    # The law on an invoice: when its claim is time-barred, whether its term is legal.
    dunning_limitation_date = fields.Date(
        string="Time-Barred On",
        compute="_compute_dunning_limitation_date",
        store=True,
        copy=False,
        help="The first day the claim is time-barred under Dutch law (art. 3:307 BW: "
        "five years, two for a consumer sale), counting notices that interrupt it, "
        "part payments and acknowledgments. Empty: paid, or not under Dutch law.",
    )
    dunning_term_warning = fields.Char(compute="_compute_dunning_term_warning")

    def _auto_init(self):
        # A stored computed column would be computed for every journal entry at install;
        # created empty here, it is filled for open invoices only (data/account_move
        # _data.xml).
        if not column_exists(self.env.cr, "account_move", "dunning_limitation_date"):
            create_column(
                self.env.cr, "account_move", "dunning_limitation_date", "date"
            )
        return super()._auto_init()

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

    @api.depends(
        "state",
        "move_type",
        "payment_state",
        "amount_residual",
        "line_ids.date_maturity",
        "commercial_partner_id.dunning_law_country",
        "commercial_partner_id.dunning_debtor_type",
        "company_id.dunning_law_country",
        "dunning_acknowledged_date",
        "dunning_line_ids.state",
        "dunning_line_ids.notice_id.level_id.interrupts_limitation",
    )
    def _compute_dunning_limitation_date(self):
        open_ = self.filtered(
            lambda m: (
                m.move_type in _DUNNED_TYPES
                and m.state == "posted"
                and m.payment_state not in _SETTLED
                and m.commercial_partner_id
            )
        )
        tracked = open_.filtered(
            lambda m: m.commercial_partner_id._dunning_law(m.company_id)[0] == "nl"
        )
        (self - tracked).dunning_limitation_date = False
        for move in tracked:
            _law, debtor_type = move.commercial_partner_id._dunning_law(move.company_id)
            terms = move.line_ids.filtered(
                lambda line: line.display_type == "payment_term" and not line.reconciled
            )
            due = min(terms.mapped("date_maturity") or [move.invoice_date_due])
            # Art. 7:28 BW: two years for the price of a consumer sale. Every consumer
            # invoice counts as one: the earlier date is the safe one to watch.
            move.dunning_limitation_date = limitation.limitation_date(
                due,
                consumer_sale=debtor_type == "consumer",
                interruptions=move._dunning_interruptions(),
            )

    @api.depends(
        "move_type",
        "invoice_date",
        "invoice_date_due",
        "partner_id.commercial_partner_id.dunning_law_country",
        "partner_id.commercial_partner_id.dunning_debtor_type",
        "partner_id.commercial_partner_id.dunning_sme",
        "company_id.dunning_law_country",
        "company_id.dunning_large_company",
    )
    def _compute_dunning_term_warning(self):
        today = fields.Date.context_today(self)
        for move in self:
            move.dunning_term_warning = move._dunning_term_warning(today)

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

    def _dunning_interruptions(self):
        """Days that interrupted this invoice's limitation (art. 3:317, 3:318 BW)."""
        self.ensure_one()
        # Prefetching reads these for all invoices of a batch at once.
        days = [
            line.notice_date
            for line in self.dunning_line_ids
            if line.state == "issued" and line.notice_id.level_id.interrupts_limitation
        ]
        # A part payment acknowledges the debt; a credit note does not.
        days += [
            partial.max_date
            for partial in self.line_ids.matched_credit_ids
            if partial.credit_move_id.move_id.move_type
            not in ("out_refund", "in_refund")
        ]
        if self.dunning_acknowledged_date:
            days.append(self.dunning_acknowledged_date)
        return days

    def _dunning_term_warning(self, today):
        """Why this customer invoice's payment term exceeds the legal maximum, if so."""
        self.ensure_one()
        if self.move_type != "out_invoice" or not self.partner_id:
            return False
        commercial = self.partner_id.commercial_partner_id
        law, debtor_type = commercial._dunning_law(self.company_id)
        if debtor_type != "business" or not self.invoice_date_due:
            return False
        days = (self.invoice_date_due - (self.invoice_date or today)).days
        if (
            law == "nl"
            and self.company_id.dunning_large_company
            and commercial.dunning_sme
        ):
            if days > _MAX_TERM_DAYS_SME:
                return self.env._(
                    "This invoice gives %(days)s days to pay, but a large company may "
                    "give an SME at most %(max)s days (art. 6:119a lid 6 BW): a longer "
                    "term is void.",
                    days=days,
                    max=_MAX_TERM_DAYS_SME,
                )
            return False
        if days <= _MAX_TERM_DAYS:
            return False
        if law == "be":
            return self.env._(
                "This invoice gives %(days)s days to pay: Belgian law allows at most "
                "%(max)s days in commercial transactions (law of 2 August 2002, art. "
                "4).",
                days=days,
                max=_MAX_TERM_DAYS,
            )
        return self.env._(
            "This invoice gives %(days)s days to pay: more than %(max)s days for a "
            "business debt holds only when expressly agreed and not grossly unfair to "
            "the customer (%(article)s).",
            days=days,
            max=_MAX_TERM_DAYS,
            article=(
                "art. 6:119a lid 5 BW" if law == "nl" else "Directive 2011/7/EU, art. 3"
            ),
        )

    @api.model
    def _dunning_init_limitation_dates(self, batch_size=1000):
        """Compute the limitation dates of the open customer invoices (at install)."""
        moves = self.search(
            [
                ("move_type", "in", _DUNNED_TYPES),
                ("state", "=", "posted"),
                ("payment_state", "not in", _SETTLED),
            ]
        )
        for ids in split_every(batch_size, moves.ids):
            batch = self.browse(ids)
            batch._compute_dunning_limitation_date()
            batch.flush_recordset(["dunning_limitation_date"])
            batch.invalidate_recordset()
