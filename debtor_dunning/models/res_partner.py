from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .. import compat
from ..core import credit, law
from ..core.money import to_decimal
from . import bulk, guard, schema
from .debtor_dunning_rate import RATE_KINDS
from .res_company import LAW_COUNTRIES


class ResPartner(models.Model):
    _inherit = "res.partner"

    dunning_policy_id = fields.Many2one(
        "debtor.dunning.policy",
        company_dependent=True,
        domain="[('company_id', '=', current_company_id)]",
        help="Overrides the company's default policy for this customer.",
    )
    dunning_debtor_type = fields.Selection(
        [("consumer", "Consumer"), ("business", "Business")],
        string="Debtor Type",
        compute="_compute_dunning_debtor_type",
        store=True,
        readonly=False,
        recursive=True,
        help="Consumers and businesses get different policies, costs and interest.",
    )
    # The law a customer's debts fall under: country, SME status, contractual interest.
    dunning_law_country = fields.Selection(
        LAW_COUNTRIES,
        string="Dunning Law",
        help="The law of this customer's contracts when it is not the company's own "
        "(collection costs, statutory interest, legal steps). Empty: the company's. "
        "A consumer always keeps the protection of the law of the country he lives "
        "in.",
    )
    dunning_sme = fields.Boolean(
        string="SME",
        help="A small or medium-sized business: under Dutch law a large company may "
        "give it at most 30 days to pay (art. 6:119a lid 6 BW).",
    )
    dunning_interest_kind = fields.Selection(
        RATE_KINDS,
        string="Interest Rates",
        help="The rates this customer's late payments bear when the contract names "
        "them. Empty: the company's contractual rates, else statutory interest.",
    )

    # A collection agency the company hands debts over to (debtor.dunning.handover).
    dunning_agency = fields.Boolean(
        string="Collection Agency",
        help="This partner collects debts for us: the hand-over level sends it a "
        "dossier per debtor.",
    )
    dunning_agency_commission = fields.Float(
        string="Agency Commission (%)",
        help="The share of what it collects that the agency keeps.",
    )
    dunning_agency_format = fields.Selection(
        [("json_pdf", "JSON and PDFs (ZIP)"), ("csv", "CSV and PDFs (ZIP)")],
        string="Dossier Format",
        help="What the agency reads: dossier.json (data/dossier.schema.json) or "
        "dossier.csv, each with the PDFs of the invoices and letters (empty: JSON). "
        "A CSV is always included.",
    )

    dunning_role = fields.Selection(
        [
            ("finance", "Finance"),
            ("purchasing", "Purchasing"),
            ("management", "Management"),
        ],
        help="This contact receives the company's dunning notices. Purchasing or "
        "management often answers faster than finance.",
    )
    dunning_contact_ids = fields.One2many(
        "res.partner",
        compute="_compute_dunning_contact_ids",
        string="Dunning Contacts",
    )
    dunning_phone = fields.Char(
        string="Phone Numbers",
        compute="_compute_dunning_phone",
        help="The numbers a credit controller calls: phone and mobile.",
    )
    dunning_blocked = fields.Boolean(
        string="Do Not Dun", help="No notice goes to this customer."
    )
    dunning_block_reason = fields.Char(string="Reason Not Dunned")
    dunning_tolerance_days = fields.Integer(
        string="Tolerance Days",
        help="Extra days this customer gets before each level (set by hand).",
    )
    # Per company: a notice of company A says nothing about the customer's debts to B.
    dunning_credit_hold = fields.Boolean(
        string="Credit Hold",
        company_dependent=True,
        help="Set by a dunning level or by hand: no sale order of this customer is "
        "confirmed and no invoice posted without a manager's override.",
    )
    dunning_credit_hold_reason = fields.Char(
        string="Credit Hold Reason", company_dependent=True
    )
    dunning_credit_hold_until = fields.Date(
        string="Credit Hold Until",
        company_dependent=True,
        help="The hold lapses by itself after this day. Empty: until lifted by hand.",
    )
    dunning_credit_held = fields.Boolean(
        string="On Credit Hold",
        compute="_compute_dunning_credit_held",
        help="On credit hold today (the hold is set and its end date not passed).",
    )
    # Odoo's own credit limit (credit_limit), what is used of it and what is free: the
    # figures the customer statement shows (`_dunning_credit_figures`).
    dunning_credit_limit = fields.Monetary(
        string="Credit Limit Amount",
        compute="_compute_dunning_credit_figures",
        currency_field="currency_id",
    )
    dunning_credit_used = fields.Monetary(
        string="Credit Used",
        compute="_compute_dunning_credit_figures",
        currency_field="currency_id",
        help="Open receivables plus what is ordered and not invoiced yet.",
    )
    dunning_credit_free = fields.Monetary(
        string="Credit Free",
        compute="_compute_dunning_credit_figures",
        currency_field="currency_id",
        help="The credit limit minus what is used; negative: over the limit.",
    )
    # Credit insurance, per company: each company has its own policy.
    dunning_insurer_id = fields.Many2one(
        "res.partner",
        string="Credit Insurer",
        company_dependent=True,
        help="The credit insurer that covers this customer's debts.",
    )
    dunning_insured_limit = fields.Float(
        string="Insured Limit",
        company_dependent=True,
        digits="Account",
        help="The amount the insurer covers for this customer (company currency).",
    )
    dunning_insurance_policy = fields.Char(
        string="Insurance Policy Number", company_dependent=True
    )
    # On an insurer's form: its terms.
    dunning_insurer_notify_days = fields.Integer(
        string="Default Notification Term",
        default=90,
        help="As an insurer: the days after the due date within which a payment "
        "default must be notified (usually 60 to 90).",
    )
    dunning_insurer_warn_days = fields.Integer(
        string="Notification Warning Days",
        default=14,
        help="As an insurer: the credit manager gets a to-do this many days before "
        "a notification deadline.",
    )
    # On a factor's form: who duns the invoices sold to it.
    dunning_factor_mode = fields.Selection(
        [
            ("factor", "The factor duns them"),
            ("us", "We dun them, payable to the factor"),
        ],
        string="Factored Invoices",
        default="factor",
        help="As a factor: whether we stop dunning the invoices sold to it, or dun "
        "them with its bank account and reference on the letters.",
    )
    dunning_last_date = fields.Date(
        string="Last Dunning",
        compute="_compute_dunning_last_date",
        help="The date of the last notice this customer received from the current "
        "company.",
    )
    dunning_avg_days_late = fields.Float(
        string="Average Days Late",
        compute="_compute_dunning_habit",
        digits=(16, 1),
        help="Amount-weighted days paid after the due date over the last 12 months; "
        "invoices still open count as late by their days overdue today.",
    )
    dunning_on_time_share = fields.Float(
        string="Paid On Time",
        compute="_compute_dunning_habit",
        help="Share of the amounts paid by the due date over the last 12 months; "
        "invoices still open past their due date count as not on time.",
    )
    dunning_notice_ids = fields.One2many("debtor.dunning.notice", "partner_id")
    dunning_notice_count = fields.Integer(compute="_compute_dunning_notice_count")
    dunning_dispute_count = fields.Integer(
        string="Disputes", compute="_compute_dunning_dispute_count"
    )
    dunning_open_dispute_count = fields.Integer(
        string="Open Disputes", compute="_compute_dunning_dispute_count"
    )
    dunning_arrangement_count = fields.Integer(
        string="Payment Arrangements", compute="_compute_dunning_arrangement_count"
    )
    dunning_arrangement_id = fields.Many2one(
        "debtor.dunning.arrangement",
        string="Running Arrangement",
        compute="_compute_dunning_arrangement_count",
    )

    # The cockpit (services/debtor_dunning_cockpit.py): statement and worklist.
    dunning_collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        company_dependent=True,
        tracking=True,
        help="The credit controller who follows this customer up.",
    )
    dunning_followed_by_id = fields.Many2one(
        "res.users",
        string="Followed Up By",
        compute="_compute_dunning_followed_by_id",
        search="_search_dunning_followed_by_id",
        help="The customer's collector, else its policy's default collector. A "
        "search on it looks among the customers with work today (My Dunning).",
    )
    dunning_work = fields.Char(
        string="To Do Today",
        compute="_compute_dunning_work",
        search="_search_dunning_work",
        help="Calls due, promises due today or broken, open disputes, late "
        "arrangements and proposals to review for this customer.",
    )
    dunning_currency_id = fields.Many2one(
        "res.currency",
        string="Statement Currency",
        compute="_compute_dunning_statement",
    )
    dunning_amount_due = fields.Monetary(
        string="Total Due",
        compute="_compute_dunning_statement",
        currency_field="dunning_currency_id",
        help="What is left to pay of the customer's open invoices, in the company's "
        "currency.",
    )
    dunning_amount_overdue = fields.Monetary(
        string="Overdue",
        compute="_compute_dunning_statement",
        currency_field="dunning_currency_id",
        help="The part of the total due whose due date has passed.",
    )
    dunning_credit_amount = fields.Monetary(
        string="Open Credits",
        compute="_compute_dunning_statement",
        currency_field="dunning_currency_id",
        help="Open credit notes and payments not yet matched with an invoice.",
    )
    dunning_balance = fields.Monetary(
        string="Balance",
        compute="_compute_dunning_statement",
        currency_field="dunning_currency_id",
        help="Total due less the open credits.",
    )
    dunning_current_level_id = fields.Many2one(
        "debtor.dunning.level",
        string="Current Level",
        compute="_compute_dunning_statement",
        help="The highest level the customer's open invoices reached.",
    )
    dunning_next_date = fields.Date(
        string="Next Dunning",
        compute="_compute_dunning_next_date",
        help="The earliest next dunning date of the customer's open invoices.",
    )
    dunning_open_move_ids = fields.Many2many(
        "account.move",
        string="Open Items",
        compute="_compute_dunning_open_move_ids",
    )
    dunning_dispute_ids = fields.One2many(
        "debtor.dunning.dispute", "partner_id", string="Dispute Cases"
    )
    dunning_arrangement_ids = fields.One2many(
        "debtor.dunning.arrangement", "partner_id", string="Arrangements"
    )

    def _auto_init(self):
        # The insurer's and factor's terms have defaults: on a book with many
        # customers, set in the catalogue, not by an UPDATE of every partner.
        schema.create_defaulted_columns(self)
        return super()._auto_init()

    # ------------------------------------------------------------------ rights
    @api.model_create_multi
    def create(self, vals_list):
        guard.check_dunning_rights(self.browse(), vals_list)
        return super().create(vals_list)

    def write(self, vals):
        guard.check_dunning_rights(self, [vals])
        return super().write(vals)

    @api.constrains("dunning_insurer_notify_days", "dunning_insurer_warn_days")
    def _check_dunning_insurer_days(self):
        for partner in self:
            if not 1 <= partner.dunning_insurer_notify_days <= 365:
                raise ValidationError(
                    self.env._(
                        "Default Notification Term: between 1 and 365 days after the "
                        "due date (%(name)s).",
                        name=partner.display_name,
                    )
                )
            if not 0 <= partner.dunning_insurer_warn_days <= 365:
                raise ValidationError(
                    self.env._(
                        "Notification Warning Days: between 0 and 365 (%(name)s).",
                        name=partner.display_name,
                    )
                )

    @api.constrains("dunning_insured_limit")
    def _check_dunning_insured_limit(self):
        for partner in self:
            if partner.dunning_insured_limit < 0:
                raise ValidationError(
                    self.env._(
                        "Insured Limit: cannot be negative (%(name)s).",
                        name=partner.display_name,
                    )
                )

    @api.depends_context("company")
    @api.depends("dunning_credit_hold", "dunning_credit_hold_until")
    def _compute_dunning_credit_held(self):
        today = fields.Date.context_today(self)
        for partner in self:
            partner.dunning_credit_held = partner._dunning_on_credit_hold(
                self.env.company, today
            )

    def _dunning_on_credit_hold(self, company, day):
        """Whether this customer is on credit hold with `company` on `day`.

        The one rule (core.credit.held_on), read by invoice posting and sale
        confirmation alike.
        """
        self.ensure_one()
        commercial = self.commercial_partner_id.with_company(company)
        return credit.held_on(
            commercial.dunning_credit_hold,
            commercial.dunning_credit_hold_until or None,
            day,
        )

    @api.depends_context("company")
    def _compute_dunning_credit_figures(self):
        figures = self._dunning_credit_figures()
        for partner in self:
            limit, used, free = figures[partner.id]
            partner.dunning_credit_limit = limit or 0.0
            partner.dunning_credit_used = used
            partner.dunning_credit_free = free or 0.0

    def _dunning_credit_figures(self, company=None):
        """{partner id: (limit, used, free)} in `company`'s currency (floats).

        Odoo's own credit limit (`credit_limit`, used when the company turns credit
        limits on); used is what Odoo's credit warning counts: open receivables
        (`credit`) plus ordered and not invoiced (`credit_to_invoice`). Limit and
        free are None without a limit.
        """
        company = company or self.env.company
        rounding = company.currency_id.rounding
        result = {}
        for partner in self:
            commercial = partner.commercial_partner_id.with_company(company)
            used = to_decimal(
                commercial.credit + commercial.credit_to_invoice, rounding
            )
            limit = (
                to_decimal(commercial.credit_limit, rounding)
                if company.account_use_credit_limit and commercial.credit_limit
                else None
            )
            free = credit.free_credit(limit, used)
            result[partner.id] = (
                limit if limit is None else float(limit),
                float(used),
                free if free is None else float(free),
            )
        return result

    def action_dunning_credit_hold(self):
        """Open the form that puts this customer on credit hold, with a reason."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Hold"),
            "res_model": "debtor.dunning.credit.hold",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_dunning_credit_release(self):
        """Lift this customer's credit hold with the current company."""
        self.env["debtor.dunning.credit"]._release(self.commercial_partner_id)
        return True

    def action_dunning_factor_assign(self):
        """Open the form that sells this customer's open invoices to a factor."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Sell Invoices to a Factor"),
            "res_model": "debtor.dunning.factor.assign",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_dunning_insurer_notify(self):
        """Notify the insurer of this customer's overdue insured invoices."""
        self.ensure_one()
        return self.env["debtor.dunning.insurance"]._notify_insurer(
            self.commercial_partner_id, self.env.company
        )

    @api.depends(*compat.PARTNER_PHONES)
    def _compute_dunning_phone(self):
        for partner in self:
            numbers = (partner[name] for name in compat.PARTNER_PHONES)
            partner.dunning_phone = " / ".join(filter(None, numbers)) or False

    @api.depends("is_company", "parent_id.is_company", "parent_id.dunning_debtor_type")
    def _compute_dunning_debtor_type(self):
        for partner in self:
            commercial = partner.commercial_partner_id
            if commercial != partner and commercial.dunning_debtor_type:
                partner.dunning_debtor_type = commercial.dunning_debtor_type
            else:
                partner.dunning_debtor_type = commercial._dunning_default_debtor_type()

    def _dunning_default_debtor_type(self):
        """The debtor type of a customer nobody set one for: a company is a business.

        The one default (also hooks.pre_init_hook's SQL at install, which must agree).
        """
        self.ensure_one()
        return "business" if self.is_company else "consumer"

    def _dunning_policy(self, company):
        """The dunning policy that governs this customer's debts to `company`."""
        self.ensure_one()
        commercial = self.commercial_partner_id.with_company(company)
        facts = {
            "policy_id": commercial.dunning_policy_id.id,
            "debtor_type": commercial.dunning_debtor_type,
            "country_code": commercial.country_id.code,
            "law_country": commercial.dunning_law_country,
        }
        return (
            self.env["debtor.dunning.policy"]
            ._dunning_policy_of(company, {commercial.id: facts})
            .get(commercial.id, self.env["debtor.dunning.policy"])
        )

    @api.depends("child_ids.dunning_role")
    def _compute_dunning_contact_ids(self):
        for partner in self:
            partner.dunning_contact_ids = partner.child_ids.filtered("dunning_role")

    def _compute_dunning_habit(self):
        commercial = self.commercial_partner_id
        habits = (
            self.env["debtor.dunning.book"]._habits(
                self.env.company,
                commercial.ids,
                fields.Date.context_today(self),
                with_open=True,
            )
            if commercial.ids
            else {}
        )
        for partner in self:
            habit = habits.get(partner.commercial_partner_id.id)
            partner.dunning_avg_days_late = float(habit.avg_days_late) if habit else 0.0
            partner.dunning_on_time_share = float(habit.on_time_share) if habit else 1.0

    def _compute_dunning_last_date(self):
        last = dict(
            self.env["debtor.dunning.notice"]._read_group(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", self.env.company.id),
                    ("state", "=", "issued"),
                ],
                ["partner_id"],
                ["date:max"],
            )
        )
        for partner in self:
            partner.dunning_last_date = last.get(partner.commercial_partner_id, False)

    def _compute_dunning_notice_count(self):
        counts = dict(
            self.env["debtor.dunning.notice"]._read_group(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("state", "=", "issued"),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.dunning_notice_count = counts.get(partner.commercial_partner_id, 0)

    def _compute_dunning_dispute_count(self):
        groups = self.env["debtor.dunning.dispute"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)],
            ["partner_id", "state"],
            ["__count"],
        )
        total, open_ = defaultdict(int), defaultdict(int)
        for partner, state, count in groups:
            total[partner] += count
            if state == "open":
                open_[partner] += count
        for partner in self:
            partner.dunning_dispute_count = total[partner.commercial_partner_id]
            partner.dunning_open_dispute_count = open_[partner.commercial_partner_id]

    def _compute_dunning_arrangement_count(self):
        Arrangement = self.env["debtor.dunning.arrangement"]
        groups = Arrangement._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)],
            ["partner_id"],
            ["__count"],
        )
        counts = dict(groups)
        running = {
            arrangement.partner_id: arrangement
            for arrangement in Arrangement.search(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("state", "in", ("running", "late")),
                ],
                order="id",
            )
        }
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.dunning_arrangement_count = counts.get(commercial, 0)
            partner.dunning_arrangement_id = running.get(commercial, Arrangement)

    def action_open_dunning_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debtor_dunning.debtor_dunning_dispute_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    def action_open_dunning_arrangements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debtor_dunning.debtor_dunning_arrangement_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def _dunning_law(self, company):
        """(core.law.Law, core.law.Debtor) of this customer's debts to `company`.

        The one adapter for "which law governs this customer": a consumer the law of
        the country he lives in, a business the law it names, else the company's
        (core.law.governing_law). `_dunning_laws` asks the same of thousands.
        """
        self.ensure_one()
        commercial = self.commercial_partner_id
        return self._dunning_law_of(
            commercial.dunning_debtor_type or commercial._dunning_default_debtor_type(),
            commercial.country_id.code,
            commercial.dunning_law_country,
            company,
        )

    @api.model
    def _dunning_law_of(self, debtor_type, country_code, named, company):
        """(Law, Debtor) of a customer's debts to `company` from its commercial
        partner's facts: its debtor type, country code and named law."""
        debtor = law.Debtor(debtor_type)
        return self._dunning_governing_law(debtor, country_code, named, company), debtor

    @api.model
    def _dunning_governing_law(self, debtor_type, country_code, named, company):
        """core.law.governing_law from a customer's stored facts: the one place they
        meet the rule (the law of a customer, and the policy the run picks for it,
        debtor.dunning.policy._dunning_policy_of)."""
        return law.governing_law(
            debtor_type,
            law.law_of_country(country_code),
            named or None,
            company.dunning_law_country or law.Law.OTHER,
        )

    def _dunning_laws(self, company):
        """{partner id: (Law, Debtor)}: `_dunning_law` of these customers at once.

        A run's notices have thousands of customers: their facts are read in one
        query and the law decided once per combination of them. Read in SQL like
        the run's book (debtor.dunning.book._customers), not through the record
        rules: the caller reads these customers' notices.
        """
        self.flush_model(
            [
                "commercial_partner_id",
                "dunning_debtor_type",
                "country_id",
                "dunning_law_country",
            ]
        )
        self.env["res.country"].flush_model(["code"])
        rows = self.env.execute_query(
            SQL(
                """SELECT p.id, c.id, c.dunning_debtor_type, country.code,
                          c.dunning_law_country
                     FROM res_partner p
                     JOIN res_partner c
                       ON c.id = COALESCE(p.commercial_partner_id, p.id)
                LEFT JOIN res_country country ON country.id = c.country_id
                    WHERE p.id = ANY(%s::int[])""",
                bulk.array(self.ids),
            )
        )
        # The default debtor type of those nobody set one for: fetched together.
        untyped = self.browse({row[1] for row in rows if not row[2]})
        defaults = {
            partner.id: partner._dunning_default_debtor_type() for partner in untyped
        }
        decided, laws = {}, {}
        for partner_id, commercial_id, debtor_type, code, named in rows:
            key = (debtor_type or defaults[commercial_id], code, named)
            if key not in decided:
                decided[key] = self._dunning_law_of(*key, company)
            laws[partner_id] = decided[key]
        return laws

    def _dunning_mailable(self):
        """Ids of these customers that can be e-mailed: they or one of their dunning
        contacts have an address (the rule of `_dunning_recipients`, set-based)."""
        commercial = self.commercial_partner_id
        if not commercial:
            return set()
        self.flush_model(["email", "dunning_role", "parent_id", "active"])
        rows = self.env.execute_query(
            SQL(
                """SELECT p.id FROM res_partner p
                    WHERE p.id IN %(ids)s AND (COALESCE(p.email, '') <> '' OR EXISTS (
                          SELECT 1 FROM res_partner c
                           WHERE c.parent_id = p.id AND c.active
                             AND c.dunning_role IS NOT NULL
                             AND COALESCE(c.email, '') <> ''))""",
                ids=tuple(commercial.ids),
            )
        )
        return {row[0] for row in rows}

    def _dunning_recipients(self):
        """Who receives this customer's notices: its dunning contacts, else itself."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        return (
            commercial.child_ids.filtered(lambda c: c.dunning_role and c.email)
            or commercial
        )

    def action_open_dunning_notices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debtor_dunning.debtor_dunning_notice_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action

    # ------------------------------------------------------------------ cockpit
    def _compute_dunning_statement(self):
        company = self.env.company
        figures = self.env["debtor.dunning.cockpit"]._figures(
            company, self, fields.Date.context_today(self)
        )
        Level = self.env["debtor.dunning.level"]
        for partner in self:
            facts = figures.get(partner.commercial_partner_id.id, {})
            partner.dunning_currency_id = company.currency_id
            partner.dunning_amount_due = facts.get("due", 0.0)
            partner.dunning_amount_overdue = facts.get("overdue", 0.0)
            partner.dunning_credit_amount = facts.get("credit", 0.0)
            partner.dunning_balance = company.currency_id.round(
                partner.dunning_amount_due - partner.dunning_credit_amount
            )
            partner.dunning_current_level_id = Level.browse(facts.get("level_id"))

    def _compute_dunning_next_date(self):
        next_dates = self.env["debtor.dunning.cockpit"]._next_date(
            self.env.company, self
        )
        for partner in self:
            partner.dunning_next_date = next_dates.get(
                partner.commercial_partner_id.id, False
            )

    def _compute_dunning_open_move_ids(self):
        moves = self.env["debtor.dunning.cockpit"]._open_moves(self.env.company, self)
        for partner in self:
            partner.dunning_open_move_ids = moves.filtered(
                lambda m, p=partner: m.commercial_partner_id == p.commercial_partner_id
            )

    def _dunning_work_labels(self):
        """The worklist's words for services/debtor_dunning_cockpit.WORK."""
        env = self.env
        return {
            "call": env._("Call due"),
            "promise_broken": env._("Promise broken"),
            "promise_today": env._("Promise due today"),
            "dispute": env._("Dispute waiting"),
            "arrangement_late": env._("Arrangement late"),
            "arrangement_proposal": env._("Arrangement proposed"),
            "review": env._("Notice to review"),
        }

    def _compute_dunning_work(self):
        work = self.env["debtor.dunning.cockpit"]._work(
            self.env.company, fields.Date.context_today(self), self
        )
        labels = self._dunning_work_labels()
        for partner in self:
            codes = work.get(partner.commercial_partner_id.id, set())
            partner.dunning_work = ", ".join(
                labels[code] for code in labels if code in codes
            )

    def _search_dunning_work(self, operator, value):
        if operator not in ("!=", "=") or value not in (False, True):
            return NotImplemented
        work = self.env["debtor.dunning.cockpit"]._work(
            self.env.company, fields.Date.context_today(self)
        )
        wanted = (operator == "!=") != bool(value)  # "!= False" or "= True": some
        return [("id", "in" if wanted else "not in", list(work))]

    def _compute_dunning_followed_by_id(self):
        collectors = self.env["debtor.dunning.cockpit"]._collectors(
            self.env.company, self
        )
        for partner in self:
            partner.dunning_followed_by_id = collectors.get(
                partner.commercial_partner_id.id, self.env["res.users"]
            )

    def _search_dunning_followed_by_id(self, operator, value):
        if operator not in ("=", "in"):
            return NotImplemented
        # "in" takes a list on 18.0, any collection on 19.0 (an OrderedSet).
        users = {value} if operator == "=" else set(value)
        cockpit = self.env["debtor.dunning.cockpit"]
        company = self.env.company
        work = cockpit._work(company, fields.Date.context_today(self))
        collectors = cockpit._collectors(company, self.browse(list(work)))
        found = [pid for pid, user in collectors.items() if (user.id or False) in users]
        return [("id", "in", found)]

    def _dunning_statement_action(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debtor_dunning.res_partner_action_dunning_statement"
        )
        view = self.env.ref("debtor_dunning.res_partner_view_form_dunning_statement")
        action.update(
            res_id=self.commercial_partner_id.id,
            view_mode="form",
            views=[(view.id, "form")],
        )
        return action

    def action_open_dunning_statement(self):
        """The customer's statement: everything the credit controller needs."""
        self.ensure_one()
        return self._dunning_statement_action()

    def action_dunning_dun_now(self):
        """A proposal for this customer only, today: review it, then validate."""
        self.ensure_one()
        run = self.env["debtor.dunning.cockpit"]._dun_now(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debtor_dunning.debtor_dunning_run_action"
        )
        action.update(res_id=run.id, view_mode="form", views=[(False, "form")])
        return action

    def action_dunning_print_statement(self):
        self.ensure_one()
        return self.env.ref(
            "debtor_dunning.debtor_dunning_statement_action_report"
        ).report_action(self.commercial_partner_id)

    def action_dunning_send_statement(self):
        """Mail the statement of account (the composer, with its PDF attached)."""
        self.ensure_one()
        template = self.env.ref("debtor_dunning.mail_template_dunning_statement")
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "res.partner",
                "default_res_ids": self.commercial_partner_id.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "force_email": True,
            },
        }
