from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..core import calendar as core_calendar
from ..core import escalation
from ..core.errors import DunningRuleError
from ..core.money import to_decimal
from .res_company import LAW_COUNTRIES

# Beyond these a policy is a typo that would stop the daily run.
MAX_POLICY_DAYS = 365
MAX_MIN_AMOUNT = 1_000_000_000
MAX_ARRANGEMENT_MONTHS = 120

WEEKDAYS = (
    "send_monday",
    "send_tuesday",
    "send_wednesday",
    "send_thursday",
    "send_friday",
    "send_saturday",
    "send_sunday",
)


class DebtorDunningPolicy(models.Model):
    _name = "debtor.dunning.policy"
    _description = "Dunning policy"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    default_for = fields.Selection(
        [
            ("all", "All customers"),
            ("consumer", "Consumers"),
            ("business", "Businesses"),
        ],
        help="The customers this policy applies to unless their own form names another "
        "one. Consumers and businesses may each have a default of their own; "
        "'All customers' covers the rest.",
    )
    default_law = fields.Selection(
        LAW_COUNTRIES,
        string="For Customers Under",
        help="Only for customers whose debts fall under this law: a consumer, the law "
        "of the country he lives in. Empty: whatever their law. A default for one law "
        "comes before a default for any law.",
    )
    level_ids = fields.One2many("debtor.dunning.level", "policy_id", copy=True)
    level_count = fields.Integer(compute="_compute_level_count")
    mode = fields.Selection(
        [("auto", "Automatic"), ("review", "Reviewed")],
        required=True,
        default="review",
        help="Automatic: the daily scheduled action issues the notices. Reviewed: it "
        "prepares a proposal that an accountant checks and validates.",
    )
    agency_id = fields.Many2one(
        "res.partner",
        string="Collection Agency",
        domain="[('dunning_agency', '=', True)]",
        help="Where the hand-over level sends the debts. Empty: the company's first "
        "collection agency.",
    )
    responsible_id = fields.Many2one(
        "res.users",
        domain="[('share', '=', False)]",
        help="Gets a to-do when a proposal waits for review, and the phone calls.",
    )
    collector_id = fields.Many2one(
        "res.users",
        string="Default Collector",
        domain="[('share', '=', False)]",
        help="Follows up the customers of this policy who have no collector of their "
        "own (the worklist My Dunning).",
    )
    grace_days = fields.Integer(
        help="Days after a level's own delay before it is reached: a little slack for "
        "payments on their way."
    )
    min_amount = fields.Monetary(
        string="Minimum Amount",
        currency_field="currency_id",
        help="A customer whose overdue total (in company currency) is below this "
        "amount "
        "gets no notice.",
    )
    min_interval_days = fields.Integer(
        string="Minimum Days Between Notices",
        default=7,
        help="No customer gets two notices within this many days.",
    )
    send_monday = fields.Boolean()
    send_tuesday = fields.Boolean(default=True)
    send_wednesday = fields.Boolean(default=True)
    send_thursday = fields.Boolean(default=True)
    send_friday = fields.Boolean()
    send_saturday = fields.Boolean()
    send_sunday = fields.Boolean()
    holiday_country = fields.Selection(
        [("nl", "Netherlands"), ("be", "Belgium")],
        string="Skip Public Holidays Of",
        help="No notice goes out on this country's public holidays.",
    )
    pause_ids = fields.One2many("debtor.dunning.pause", "policy_id", copy=True)
    account_ids = fields.Many2many(
        "account.account",
        string="Receivable Accounts",
        check_company=True,
        domain="[('account_type', '=', 'asset_receivable')]",
        help="Only open items on these accounts are dunned. Empty: every receivable "
        "account.",
    )
    habit_shift = fields.Boolean(
        string="Follow Payment Habits",
        help="Delay each customer's escalation by the days it usually pays late "
        "(its average over the last 12 months).",
    )
    climb = fields.Selection(
        [
            ("step", "One level per notice"),
            ("age", "Straight to the level its age reaches"),
        ],
        string="Escalation Path",
        required=True,
        default="step",
        help="One level per notice: a debt never dunned starts at the first level and "
        "climbs one level once the term of its last notice has passed, as a careful "
        "credit controller does (and as a company going live on an old book needs). "
        "By age: it goes to the level its days overdue reach, still never past a level "
        "that needs its predecessor sent first.",
    )
    arrangement_max_months = fields.Integer(
        string="Longest Arrangement (Months)",
        default=24,
        help="A customer's own payment proposal in the portal ends within this many "
        "months: its first payment and its last instalment (1 to 120).",
    )
    aggregate_to_max = fields.Boolean(
        string="One Notice Per Customer",
        default=True,
        help="A customer gets one notice at the highest level reached; the other "
        "overdue "
        "invoices ride along. Off: one notice per level reached today.",
    )

    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)

    @api.constrains("default_for", "default_law", "company_id", "active")
    def _check_one_default(self):
        for policy in self.filtered("default_for"):
            clash = self.search_count(
                [
                    ("id", "!=", policy.id),
                    ("company_id", "=", policy.company_id.id),
                    ("default_for", "=", policy.default_for),
                    ("default_law", "=", policy.default_law),
                ]
            )
            if clash:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s already has a default policy for this "
                        "kind "
                        "of customer.",
                        company=policy.company_id.name,
                    )
                )

    def _dunning_ranges(self):
        """{field: (lowest, highest, what it is in the user's words)}."""
        return {
            "grace_days": (0, MAX_POLICY_DAYS, self.env._("the grace days")),
            "min_interval_days": (
                0,
                MAX_POLICY_DAYS,
                self.env._("the minimum days between notices"),
            ),
            "min_amount": (0, MAX_MIN_AMOUNT, self.env._("the minimum amount")),
            "arrangement_max_months": (
                1,
                MAX_ARRANGEMENT_MONTHS,
                self.env._("the longest payment arrangement in months"),
            ),
        }

    @api.constrains(
        "grace_days", "min_interval_days", "min_amount", "arrangement_max_months"
    )
    def _check_positive(self):
        ranges = self._dunning_ranges()
        for policy in self:
            for name, (low, high, what) in ranges.items():
                if not low <= policy[name] <= high:
                    raise ValidationError(
                        self.env._(
                            "%(policy)s: %(what)s must lie between %(low)s and "
                            "%(high)s, not %(value)s.",
                            policy=policy.name,
                            what=what,
                            low=low,
                            high=high,
                            value=policy[name],
                        )
                    )

    @api.constrains("level_ids")
    def _check_ladder(self):
        for policy in self.filtered("level_ids"):
            policy._core_policy()

    @api.model
    def _dunning_policy_of(self, company, customers):
        """{partner id: policy}: which policy governs each customer's debts.

        customers: {partner id: {"policy_id", "debtor_type", "country_code",
        "law_country"}}. The customer's own policy (company-dependent), else the
        company's default for its debtor type and the law its debts fall under
        (core.law.governing_law: a consumer, the law of the country he lives in),
        else the default for its debtor type under any law, else the default for
        all customers (under its law, then any). The one place this is decided: the
        run, disputes and the customer's form all ask here.
        """
        policies = self.search([("company_id", "=", company.id)])
        by_id = {policy.id: policy for policy in policies}
        defaults = {
            (policy.default_for, policy.default_law or False): policy
            for policy in policies
            if policy.default_for
        }
        Partner = self.env["res.partner"]

        def policy_for(policy_id, debtor_type, country_code, law_country):
            governing = Partner._dunning_governing_law(
                debtor_type, country_code, law_country, company
            )
            keys = (
                (debtor_type, governing),
                (debtor_type, False),
                ("all", governing),
                ("all", False),
            )
            return by_id.get(policy_id) or next(
                (defaults[key] for key in keys if key in defaults), None
            )

        # Thousands of customers share a few combinations of these facts: each
        # combination is decided once.
        decided, result = {}, {}
        for partner_id, facts in customers.items():
            key = (
                facts.get("policy_id"),
                facts.get("debtor_type"),
                facts.get("country_code"),
                facts.get("law_country"),
            )
            if key not in decided:
                decided[key] = policy_for(*key)
            if decided[key]:
                result[partner_id] = decided[key]
        return result

    def _dunning_covers_account(self, account_id):
        """Whether this policy duns the open items of that receivable account."""
        accounts = self._dunning_covered_accounts()
        return accounts is None or account_id in accounts

    def _dunning_covered_accounts(self):
        """The receivable account ids this policy duns; None: all of them."""
        self.ensure_one()
        return set(self.account_ids.ids) if self.account_ids else None

    def _send_weekdays(self):
        """Python weekday numbers (Monday 0) on which notices may go out."""
        self.ensure_one()
        return frozenset(day for day, name in enumerate(WEEKDAYS) if self[name])

    def _holidays(self, years):
        """Public holidays of the policy's country in the given years."""
        self.ensure_one()
        if not self.holiday_country:
            return frozenset()
        days = getattr(core_calendar, f"{self.holiday_country}_public_holidays")
        return frozenset(day for year in years for day in days(year))

    def _core_policy(self, as_of=None):
        """This policy as the core sees it (translated error if the ladder is wrong)."""
        self.ensure_one()
        as_of = as_of or fields.Date.context_today(self)
        levels = self.level_ids.sorted(lambda level: (level.sequence, level.id))
        try:
            return escalation.Policy(
                levels=tuple(
                    escalation.Level(
                        rank=rank,
                        wait_days=level.wait_days,
                        claims_costs=level.claims_costs,
                        claims_interest=level.claims_interest,
                        hands_over=level.hand_over,
                        requires_previous=level.requires_previous,
                    )
                    for rank, level in enumerate(levels, start=1)
                ),
                grace_days=self.grace_days,
                min_amount=to_decimal(self.min_amount, self.currency_id.rounding),
                min_interval_days=self.min_interval_days,
                send_weekdays=self._send_weekdays(),
                pauses=tuple((p.start_date, p.end_date) for p in self.pause_ids),
                habit_shift=self.habit_shift,
                aggregate_to_max=self.aggregate_to_max,
                holidays=self._holidays((as_of.year, as_of.year + 1)),
                climb=escalation.Climb(self.climb),
            )
        except DunningRuleError as error:
            raise UserError(
                self.env._(
                    "The dunning policy %(policy)s is not valid: %(error)s",
                    policy=self.display_name,
                    error=str(error),
                )
            ) from error

    @api.model
    def _create_default(self, company):
        """The standard four-level policy for a company that has none (returned).

        A company under Dutch or Belgian law also gets the consumer policies of both
        countries.
        """
        if self.with_context(active_test=False).search_count(
            [("company_id", "=", company.id)]
        ):
            return self.browse()
        Level = self.env["debtor.dunning.level"]
        standard = self.create(
            {
                "name": self.env._("Standard dunning"),
                "company_id": company.id,
                "default_for": "all",
                "level_ids": [
                    fields.Command.create(vals) for vals in Level._default_ladder_vals()
                ],
            }
        )
        standard._translate_default_ladder("_default_ladder_vals")
        self._create_consumer_policies(company)
        return standard

    @api.model
    def _create_consumer_policies(self, company):
        """The consumer policies of a company under Dutch or Belgian law that lacks
        them (returned).

        A consumer keeps the protection of the law of the country he lives in: a
        ladder for Dutch consumers (the 14-day letter before any costs, art. 6:96
        lid 6 BW) and one for Belgian consumers (the free first reminder and its 14
        days, Book XIX). The company's own country's ladder also serves consumers
        elsewhere; the other is the default for consumers under its law.
        """
        home = company.dunning_law_country
        if home not in ("nl", "be"):
            return self.browse()
        existing = self.with_context(active_test=False).search(
            [("company_id", "=", company.id), ("default_for", "=", "consumer")]
        )
        Level = self.env["debtor.dunning.level"]
        created = self.browse()
        for country, name, vals_method in (
            (
                "nl",
                self.env._("Consumer dunning (NL)"),
                "_default_consumer_ladder_vals",
            ),
            (
                "be",
                self.env._("Consumer dunning (BE)"),
                "_default_be_consumer_ladder_vals",
            ),
        ):
            default_law = False if country == home else country
            if existing.filtered(
                lambda p, w=default_law: (p.default_law or False) == w
            ):
                continue
            consumer = self.create(
                {
                    "name": name,
                    "company_id": company.id,
                    "sequence": 20 if country == "nl" else 30,
                    "default_for": "consumer",
                    "default_law": default_law,
                    "level_ids": [
                        fields.Command.create(vals)
                        for vals in getattr(Level, vals_method)()
                    ],
                }
            )
            consumer._translate_default_ladder(vals_method)
            created |= consumer
        return created

    def _translate_default_ladder(self, vals_method):
        """Store the shipped level names and letter texts in every active language.

        The defaults are created in one language; letters are rendered in the
        customer's, so each installed language gets its own translated values.
        """
        self.ensure_one()
        levels = self.level_ids.sorted(lambda level: (level.sequence, level.id))
        texts = ("name", "letter_text", "letter_closing")
        source = self.env.lang or "en_US"  # the values were created in this language
        Level = self.env["debtor.dunning.level"]
        originals = getattr(Level.with_context(lang=source), vals_method)()
        for lang, _name in self.env["res.lang"].get_installed():
            if lang == source:
                continue
            translated = getattr(Level.with_context(lang=lang), vals_method)()
            for level, original, vals in zip(
                levels, originals, translated, strict=False
            ):
                for key in texts:
                    if key in vals and key in original:
                        level._dunning_translate(key, original[key], vals[key], lang)
