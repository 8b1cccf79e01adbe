from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from ..core import law
from . import guard
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
        help="Set by a dunning level: new sales need approval.",
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
        help="Amount-weighted days paid after the due date over the last 12 months.",
    )
    dunning_on_time_share = fields.Float(
        string="Paid On Time",
        compute="_compute_dunning_habit",
        help="Share of the amounts paid by the due date over the last 12 months.",
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

    # ------------------------------------------------------------------ rights
    @api.model_create_multi
    def create(self, vals_list):
        guard.check_dunning_rights(self.browse(), vals_list)
        return super().create(vals_list)

    def write(self, vals):
        guard.check_dunning_rights(self, [vals])
        return super().write(vals)

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
                self.env.company, commercial.ids, fields.Date.context_today(self)
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
        (core.law.governing_law).
        """
        self.ensure_one()
        commercial = self.commercial_partner_id
        debtor = law.Debtor(
            commercial.dunning_debtor_type or commercial._dunning_default_debtor_type()
        )
        governing = law.governing_law(
            debtor,
            law.law_of_country(commercial.country_id.code),
            commercial.dunning_law_country or None,
            company.dunning_law_country or law.Law.OTHER,
        )
        return governing, debtor

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
