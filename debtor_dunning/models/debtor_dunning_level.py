from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# About ten years after the due date, a year to pay: beyond is a typo, and would
# take dates past the calendar's end.
MAX_WAIT_DAYS = 3650
# A polite reminder may go out this many days before the due date, not earlier.
MIN_WAIT_DAYS = -14
MAX_PAY_DAYS = 365


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
        help="Days after the due date at which this level is reached (0 to 3650; "
        "each level more than the one before).",
    )
    pay_days = fields.Integer(
        string="Days to Pay",
        default=14,
        help="The letter asks for payment within this many days of its date (0 to "
        "365).",
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
    requires_approval = fields.Boolean(
        string="Four-Eyes Approval",
        help="A legal step: its proposed notices wait until a second user, a Dunning "
        "approver who did not make or change the proposal, approves them.",
    )
    registered_mail = fields.Boolean(
        help="The letter goes by registered mail (aangetekend): its track-and-trace "
        "number is recorded, and its term runs from the day it was delivered.",
    )
    claims_costs = fields.Boolean(help="The notice claims the collection costs.")
    claims_interest = fields.Boolean(
        help="The notice claims the late-payment interest."
    )
    claims_reminder_fee = fields.Boolean(
        string="Reminder Fee (BE Consumers)",
        help="A Belgian consumer's second and later reminders cost EUR 7.50 plus the "
        "postage of a posted letter (Code of Economic Law, Book XIX), once the 14 days "
        "after the free first reminder have passed. Only when your terms provide for "
        "it; the postage is set in the settings.",
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

    def _dunning_ranges(self):
        """{field: (lowest, highest, what it is in the user's words)}: a level outside
        these would break the daily run (dates beyond the calendar) or dun invoices
        before they are due."""
        return {
            "wait_days": (
                MIN_WAIT_DAYS,
                MAX_WAIT_DAYS,
                self.env._("the days after the due date"),
            ),
            "pay_days": (0, MAX_PAY_DAYS, self.env._("the days to pay")),
        }

    @api.constrains("wait_days", "pay_days")
    def _check_ranges(self):
        ranges = self._dunning_ranges()
        for level in self:
            for name, (low, high, what) in ranges.items():
                if not low <= level[name] <= high:
                    raise ValidationError(
                        self.env._(
                            "%(level)s: %(what)s must lie between %(low)s and "
                            "%(high)s, not %(value)s.",
                            level=level.name,
                            what=what,
                            low=low,
                            high=high,
                            value=level[name],
                        )
                    )

    @api.constrains("wait_days", "sequence", "policy_id")
    def _check_order_by_days(self):
        """Levels follow each other by their days after the due date, never equal."""
        self._check_ranges()  # a day count out of range is named as such first
        for policy in self.policy_id:
            levels = policy.level_ids.sorted(lambda level: (level.sequence, level.id))
            for before, after in zip(levels, levels[1:], strict=False):
                if after.wait_days <= before.wait_days:
                    raise ValidationError(
                        self.env._(
                            "%(level)s: the days after the due date (%(days)s) must "
                            "be more than those of %(before)s (%(before_days)s), the "
                            "level before it.",
                            level=after.name,
                            days=after.wait_days,
                            before=before.name,
                            before_days=before.wait_days,
                        )
                    )

    @api.constrains(
        "wait_days", "claims_costs", "claims_interest", "hand_over", "credit_hold"
    )
    def _check_polite_reminder_claims_nothing(self):
        """A level on or before the due date is a courtesy: the debt is not late yet,
        so it claims no costs or interest and takes no action against the customer."""
        for level in self.filtered(lambda lvl: lvl.wait_days <= 0):
            if (
                level.claims_costs
                or level.claims_interest
                or level.hand_over
                or level.credit_hold
            ):
                raise ValidationError(
                    self.env._(
                        "%(level)s goes out before the invoices are overdue: a polite "
                        "reminder cannot claim costs or interest, put the customer on "
                        "credit hold or hand the debt over.",
                        level=level.name,
                    )
                )

    @api.constrains("fourteen_day_letter", "wait_days")
    def _check_fourteen_day_letter_after_due_date(self):
        # The letter may only be sent once the debtor is in default (art. 6:96 lid 6
        # BW), i.e. after the due date.
        if self.filtered(lambda lvl: lvl.fourteen_day_letter and lvl.wait_days < 1):
            raise ValidationError(
                self.env._("A 14-day letter can only go out after the due date.")
            )

    # The shipped levels by their English name: (text, closing) in _default_texts.
    _SHIPPED_TEXTS = {
        "Payment reminder": ("reminder", "reminder_closing"),
        "Second reminder": ("second", "second_closing"),
        "14-day letter": ("fourteen_day", "fourteen_day_closing"),
        "Notice of default": ("default", "default_closing"),
        "Collection agency": ("agency", "agency_closing"),
    }

    def _dunning_refresh_shipped_texts(self, retired):
        """Shipped levels whose text is empty, or a `retired` shipped text, get the
        current shipped text in every installed language (an update).

        A text the company wrote itself is never touched.
        """
        current = self.with_context(lang="en_US")._default_texts()
        for level in self.with_context(lang="en_US"):
            keys = self._SHIPPED_TEXTS.get(level.name)
            if not keys:
                continue
            for fname, key in zip(("letter_text", "letter_closing"), keys, strict=True):
                text = str(level[fname] or "")
                if text and text not in retired:
                    continue
                level[fname] = current[key]
                for lang, _name in self.env["res.lang"].get_installed():
                    if lang != "en_US":
                        translated = level.with_context(lang=lang)._default_texts()
                        level._dunning_translate(
                            fname, current[key], translated[key], lang
                        )

    # The shipped ladders. Their texts claim nothing about earlier letters: the letter
    # itself names the notices the customer really received (notice._letter_values).
    @api.model
    def _default_texts(self):
        """The shipped letter texts by name, in the language of the context."""
        return {
            "reminder": self.env._(
                "<p>According to our records, the invoices below have passed their due "
                "date. It may simply have slipped through; that happens. Would you "
                "please pay the open amount by the date given below?</p>"
            ),
            "reminder_closing": self.env._(
                "<p>Has your payment crossed this reminder? Then please disregard it, "
                "and thank you. If something is not right with an invoice, let us know "
                "straight away so that we can sort it out together.</p>"
            ),
            "second": self.env._(
                "<p>The invoices below are still unpaid, although their due date has "
                "passed. We ask you to pay the open amount in full by the date given "
                "below at the latest.</p>"
            ),
            "second_closing": self.env._(
                "<p>If you cannot pay the full amount at once, please contact us "
                "before that date to agree on a payment arrangement. Without payment "
                "or a reply from you we will take further steps, which may involve "
                "costs for you.</p>"
            ),
            "default": self.env._(
                "<p>The invoices below are still unpaid. With this letter we give you "
                "formal notice of default.</p><p>We give you one last opportunity to "
                "pay: please pay the total amount due by the date given below at the "
                "latest.</p>"
            ),
            "default_closing": self.env._(
                "<p>If we have not received full payment within that period, we will "
                "hand the claim over for collection without further notice, and claim "
                "the collection costs and the statutory interest stated in this letter "
                "as the law allows.</p><p>Has your payment crossed this letter, or do "
                "you disagree with an invoice? Please contact us right away.</p>"
            ),
            "agency": self.env._(
                "<p>The invoices below are still unpaid.</p><p>This is our final "
                "notice. If the total amount due has not reached our account by the "
                "date given below, we will hand the claim over to our collection "
                "agency without further notice. From then on you can only settle the "
                "debt with the agency, and its costs will be charged to you as far as "
                "the law allows.</p>"
            ),
            "agency_closing": self.env._(
                "<p>You can still prevent this: pay today, or call us to agree on a "
                "payment arrangement.</p>"
            ),
            # Art. 6:96 lid 6 BW (HR 25 November 2016): fourteen days from the day
            # after receipt, the consequences and the costs (printed below the text).
            "fourteen_day": Markup("<p>%s</p><p>%s</p>")
            % (
                self.env._(
                    "We have not yet received payment of the invoices listed below, "
                    "although their due date has passed. We ask you to pay the amount "
                    "due within fourteen days, counting from the day after you "
                    "received this letter."
                ),
                self.env._(
                    "If you do not pay within that term, we will charge you the "
                    "collection costs stated in this letter, as the law allows "
                    "(article 6:96 of the Dutch Civil Code), together with the "
                    "statutory interest."
                ),
            ),
            "fourteen_day_closing": self.env._(
                "<p>Can you not pay the full amount within that term? Please contact "
                "us before it ends to agree on a payment arrangement. Has your payment "
                "crossed this letter? Then please disregard it.</p>"
            ),
            # Code of Economic Law art. XIX.2: a free first reminder that states the
            # balance, the invoices and their due dates, the damages that may follow
            # and a term of at least fourteen days.
            "be_reminder": self.env._(
                "<p>According to our records, the invoices below have passed their due "
                "date and are still unpaid. This first reminder is free of charge.</p>"
                "<p>Please pay the amount due by the date given below. That gives you "
                "at least fourteen days, counted from the third working day after we "
                "posted this letter, or from the working day after we e-mailed it.</p>"
            ),
            "be_reminder_closing": self.env._(
                "<p>If you have not paid by that date, we may charge you the damages "
                "stated in this letter and late-payment interest, within the limits of "
                "Book XIX of the Code of Economic Law. Has your payment crossed this "
                "reminder? Then please disregard it. If something is not right with an "
                "invoice, let us know straight away.</p>"
            ),
            "be_second": self.env._(
                "<p>The invoices below are still unpaid, although their due date has "
                "passed. We ask you to pay the total amount due stated in this letter "
                "by the date given below at the latest.</p>"
            ),
        }

    @api.model
    def _default_ladder_vals(self):
        """The four standard levels (reminder to collection agency).

        The letters claiming costs interrupt limitation.
        """
        texts = self._default_texts()
        return [
            {
                "sequence": 10,
                "name": self.env._("Payment reminder"),
                "wait_days": 7,
                "letter_text": texts["reminder"],
                "letter_closing": texts["reminder_closing"],
            },
            {
                "sequence": 20,
                "name": self.env._("Second reminder"),
                "wait_days": 21,
                "send_letter": True,
                "letter_text": texts["second"],
                "letter_closing": texts["second_closing"],
            },
            {**self._default_notice_of_default_vals(texts), "wait_days": 35},
            {**self._default_hand_over_vals(texts), "wait_days": 60},
        ]

    @api.model
    def _default_notice_of_default_vals(self, texts):
        """The notice of default: costs and interest, a call, reviewed."""
        return {
            "sequence": 30,
            "name": self.env._("Notice of default"),
            "letter_text": texts["default"],
            "letter_closing": texts["default_closing"],
            "send_letter": True,
            "registered_mail": True,
            "create_call": True,
            "claims_costs": True,
            "claims_interest": True,
            "needs_review": True,
            "requires_approval": True,
            "requires_previous": True,
            "interrupts_limitation": True,
        }

    @api.model
    def _default_hand_over_vals(self, texts):
        """The last letter: the debt goes to the collection agency."""
        return {
            "sequence": 40,
            "name": self.env._("Collection agency"),
            "letter_text": texts["agency"],
            "letter_closing": texts["agency_closing"],
            "send_letter": True,
            "credit_hold": True,
            "hand_over": True,
            "claims_costs": True,
            "claims_interest": True,
            "needs_review": True,
            "requires_approval": True,
            "requires_previous": True,
            "interrupts_limitation": True,
        }

    @api.model
    def _default_consumer_ladder_vals(self):
        """The Dutch consumer ladder: reminder, 14-day letter, default, agency."""
        texts = self._default_texts()
        return [
            {
                "sequence": 10,
                "name": self.env._("Payment reminder"),
                "wait_days": 7,
                "letter_text": texts["reminder"],
                "letter_closing": texts["reminder_closing"],
            },
            {
                "sequence": 20,
                "name": self.env._("14-day letter"),
                "wait_days": 14,
                "send_letter": True,
                "fourteen_day_letter": True,
                "requires_previous": True,
                "letter_text": texts["fourteen_day"],
                "letter_closing": texts["fourteen_day_closing"],
            },
            {**self._default_notice_of_default_vals(texts), "wait_days": 35},
            {**self._default_hand_over_vals(texts), "wait_days": 60},
        ]

    @api.model
    def _default_be_consumer_ladder_vals(self):
        """The Belgian consumer ladder (Book XIX): a free first reminder with its 14
        days, then a second reminder with damages and interest, default, agency."""
        texts = self._default_texts()
        return [
            {
                "sequence": 10,
                "name": self.env._("Payment reminder"),
                "wait_days": 7,
                "letter_text": texts["be_reminder"],
                "letter_closing": texts["be_reminder_closing"],
            },
            {
                "sequence": 20,
                "name": self.env._("Second reminder"),
                "wait_days": 30,
                "send_letter": True,
                "claims_costs": True,
                "claims_interest": True,
                "letter_text": texts["be_second"],
                "letter_closing": texts["second_closing"],
            },
            {**self._default_notice_of_default_vals(texts), "wait_days": 45},
            {**self._default_hand_over_vals(texts), "wait_days": 60},
        ]
