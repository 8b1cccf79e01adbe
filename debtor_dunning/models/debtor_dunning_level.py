from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DebtorDunningLevel(models.Model):
    _name = "debtor.dunning.level"
    _description = "Dunning level"
    _order = "policy_id, sequence, id"

    policy_id = fields.Many2one(
        "debtor.dunning.policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    rank = fields.Integer(
        compute="_compute_rank", store=True, help="1 for the first level, and so on."
    )
    name = fields.Char(required=True, translate=True)
    wait_days = fields.Integer(
        string="Days After Due Date",
        required=True,
        help="Days after the due date at which this level is reached. Negative: a "
        "polite "
        "reminder before the due date.",
    )
    pay_days = fields.Integer(
        string="Days to Pay",
        default=14,
        help="The letter asks for payment within this many days of its date.",
    )
    send_email = fields.Boolean(string="E-mail", default=True)
    send_letter = fields.Boolean(string="Printed Letter")
    create_call = fields.Boolean(
        string="Phone Call", help="Schedule a call for the policy's responsible."
    )
    credit_hold = fields.Boolean(
        help="Put the customer on credit hold: new sales need approval."
    )
    hand_over = fields.Boolean(
        string="Hand Over to Collection Agency",
        help="The last level: the debt goes to a collection agency and our own dunning "
        "stops.",
    )
    requires_previous = fields.Boolean(
        string="Requires Previous Level",
        help="Only for a debt that was sent the level before this one, and only once "
        "that notice's term has passed: no notice of default without a reminder, no "
        "hand-over without a notice of default.",
    )
    needs_review = fields.Boolean(
        help="Notices of this level wait for an accountant even under an automatic "
        "policy."
    )
    claims_costs = fields.Boolean(help="The notice claims the collection costs.")
    claims_interest = fields.Boolean(
        help="The notice claims the late-payment interest."
    )
    attach_invoices = fields.Boolean(
        default=True, help="Attach a copy of every invoice the notice lists."
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        domain="[('model', '=', 'debtor.dunning.notice')]",
        help="The e-mail of this level; empty: the standard dunning e-mail.",
    )
    letter_text = fields.Html(
        translate=True, help="The text of the letter above the table of invoices."
    )
    letter_closing = fields.Html(
        translate=True, help="The text of the letter below the table of invoices."
    )
    color = fields.Integer()
    # What a level means in law: the Dutch 14-day letter, interrupting limitation.
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

    def _dunning_translate(self, fname, original, translated, lang):
        """Store `translated` as the `lang` value of a text shipped as `original`."""
        field = self._fields[fname]
        if not callable(field.translate):
            self.update_field_translations(fname, {lang: translated})
            return
        # Html texts are translated term by term (paragraph by paragraph).
        terms = field.get_trans_terms(original)
        translated_terms = field.get_trans_terms(translated)
        if len(terms) == len(translated_terms):
            self.update_field_translations(
                fname, {lang: dict(zip(terms, translated_terms, strict=True))}
            )

    @api.depends("policy_id.level_ids.sequence")
    def _compute_rank(self):
        for policy in self.policy_id:
            ordered = policy.level_ids.sorted(lambda level: (level.sequence, level.id))
            for rank, level in enumerate(ordered, start=1):
                if level in self:
                    level.rank = rank
        for level in self.filtered(lambda level: not level.policy_id):
            level.rank = 0

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
        """The four standard levels (reminder to collection agency).

        The letters claiming costs interrupt limitation.
        """
        ladder = [
            {
                "sequence": 10,
                "name": self.env._("Payment reminder"),
                "wait_days": 7,
                "letter_text": self.env._(
                    "<p>According to our records, the invoices below have passed their "
                    "due date. It may simply have slipped through; that happens. Would "
                    "you please pay the open amount by the date given below?</p>"
                ),
                "letter_closing": self.env._(
                    "<p>Has your payment crossed this reminder? Then please disregard "
                    "it, and thank you. If something is not right with an invoice, let "
                    "us know straight away so that we can sort it out together.</p>"
                ),
            },
            {
                "sequence": 20,
                "name": self.env._("Second reminder"),
                "wait_days": 21,
                "send_letter": True,
                "letter_text": self.env._(
                    "<p>We recently sent you a payment reminder, but we have not yet "
                    "received payment of the invoices below. We ask you to pay the "
                    "open "
                    "amount in full by the date given below at the latest.</p>"
                ),
                "letter_closing": self.env._(
                    "<p>If you cannot pay the full amount at once, please contact us "
                    "before that date to agree on a payment arrangement. Without "
                    "payment "
                    "or a reply from you we will take further steps, which may involve "
                    "costs for you.</p>"
                ),
            },
            {
                "sequence": 30,
                "name": self.env._("Notice of default"),
                "wait_days": 35,
                "letter_text": self.env._(
                    "<p>Despite our reminders, the invoices below are still unpaid. "
                    "With "
                    "this letter we give you formal notice of default.</p><p>We give "
                    "you "
                    "one last opportunity to pay: please pay the total amount due "
                    "within "
                    "fourteen days from the day after you receive this letter.</p>"
                ),
                "letter_closing": self.env._(
                    "<p>If we have not received full payment within that period, we "
                    "will "
                    "hand the claim over for collection without further notice, and "
                    "claim the collection costs and the statutory interest stated in "
                    "this "
                    "letter as the law allows.</p><p>Has your payment crossed this "
                    "letter, or do you disagree with an invoice? Please contact us "
                    "right "
                    "away.</p>"
                ),
                "send_letter": True,
                "create_call": True,
                "claims_costs": True,
                "claims_interest": True,
                "needs_review": True,
                "requires_previous": True,
            },
            {
                "sequence": 40,
                "name": self.env._("Collection agency"),
                "wait_days": 60,
                "letter_text": self.env._(
                    "<p>You have not responded to our notice of default: the invoices "
                    "below, with the costs and interest, are still unpaid.</p><p>This "
                    "is "
                    "our final notice. If the total amount due has not reached our "
                    "account by the date given below, we will hand the claim over to "
                    "our "
                    "collection agency without further notice. From then on you can "
                    "only "
                    "settle the debt with the agency, and its costs will be charged to "
                    "you as far as the law allows.</p>"
                ),
                "letter_closing": self.env._(
                    "<p>You can still prevent this: pay today, or call us to agree on "
                    "a "
                    "payment arrangement.</p>"
                ),
                "send_letter": True,
                "credit_hold": True,
                "hand_over": True,
                "claims_costs": True,
                "claims_interest": True,
                "needs_review": True,
                "requires_previous": True,
            },
        ]
        for vals in ladder:
            vals["interrupts_limitation"] = bool(vals.get("claims_costs"))
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
                "requires_previous": True,
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
                "requires_previous": True,
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
                "requires_previous": True,
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
