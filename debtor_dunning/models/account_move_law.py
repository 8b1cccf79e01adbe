"""The law on an invoice: when its claim is time-barred, whether its term is legal."""

from odoo import api, fields, models
from odoo.tools import split_every
from odoo.tools.sql import column_exists, create_column

from ..core import limitation
from .account_move import _DUNNED_TYPES, _SETTLED

# Directive 2011/7/EU art. 3(5); NL art. 6:119a lid 5 BW; BE law of 2 August 2002 art.
# 4: a business debt's payment term; NL art. 6:119a lid 6 BW: large company -> SME.
_MAX_TERM_DAYS = 60
_MAX_TERM_DAYS_SME = 30


class AccountMove(models.Model):
    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

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
