"""What a level means in law: the Dutch 14-day letter, interrupting limitation."""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DebtorDunningLevel(models.Model):
    _inherit = "debtor.dunning.level"

    fourteen_day_letter = fields.Boolean(
        string="14-Day Letter",
        help="This letter is the Dutch 14-day letter (art. 6:96 lid 6 BW): it gives a "
        "consumer fourteen days from the day after receipt to pay and states the "
        "collection costs claimed otherwise. Costs are claimed from Dutch consumers "
        "only after such a letter's term has passed.",
    )
    interrupts_limitation = fields.Boolean(
        help="This letter is a written demand that interrupts the limitation period "
        "(art. 3:317 BW): a new period starts the day after it.",
    )

    @api.constrains("fourteen_day_letter", "wait_days")
    def _check_fourteen_day_letter_after_due_date(self):
        # The letter may only be sent once the debtor is in default (art. 6:96 lid 6
        # BW), i.e. after the due date.
        if self.filtered(lambda lvl: lvl.fourteen_day_letter and lvl.wait_days < 1):
            raise ValidationError(
                self.env._("A 14-day letter can only go out after the due date.")
            )

    @api.model
    def _default_ladder_vals(self):
        """The standard ladder: the letters claiming costs interrupt limitation."""
        ladder = super()._default_ladder_vals()
        for vals in ladder:
            vals.setdefault("interrupts_limitation", bool(vals.get("claims_costs")))
        return ladder

    @api.model
    def _default_consumer_ladder_vals(self):
        """The Dutch consumer ladder: reminder, 14-day letter, default, agency."""
        return [
            {"sequence": 10, "name": self.env._("Payment reminder"), "wait_days": 7},
            {
                "sequence": 20,
                "name": self.env._("14-day letter"),
                "wait_days": 14,
                "send_letter": True,
                "fourteen_day_letter": True,
                "letter_text": self._default_fourteen_day_text(),
            },
            {
                "sequence": 30,
                "name": self.env._("Notice of default"),
                "wait_days": 35,
                "send_letter": True,
                "create_call": True,
                "claims_costs": True,
                "claims_interest": True,
                "needs_review": True,
                "interrupts_limitation": True,
            },
            {
                "sequence": 40,
                "name": self.env._("Collection agency"),
                "wait_days": 60,
                "send_letter": True,
                "credit_hold": True,
                "hand_over": True,
                "claims_costs": True,
                "claims_interest": True,
                "needs_review": True,
                "interrupts_limitation": True,
            },
        ]

    @api.model
    def _default_fourteen_day_text(self):
        """The wording art. 6:96 lid 6 BW requires (HR 25 November 2016)."""
        return Markup("<p>%s</p><p>%s</p>") % (
            self.env._(
                "Despite our reminder we have not yet received payment of the "
                "invoices listed below. We ask you to pay the amount due within "
                "fourteen days, counting from the day after you received this letter."
            ),
            self.env._(
                "If you do not pay within that term, we will charge you the collection "
                "costs stated in this letter, as the law allows (article 6:96 of the "
                "Dutch Civil Code), together with the statutory interest."
            ),
        )
