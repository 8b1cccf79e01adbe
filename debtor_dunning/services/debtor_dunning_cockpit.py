"""The credit controller's cockpit: a customer's statement and the worklist.

A statement is what one customer owes the current company today: the open items at
their open amounts in the company's currency (never invoice totals, never a dollar
amount in a euro sum), the level reached, the last and next dunning date. The
worklist names the customers with something to do today, per collector. Both read
set-based: a few queries whatever the number of customers shown.
"""

from collections import defaultdict
from datetime import date

from odoo import api, fields, models

# What can be to do about a customer today, in the order the worklist names them.
WORK = (
    "call",
    "promise_broken",
    "promise_today",
    "dispute",
    "arrangement_late",
    "arrangement_proposal",
    "review",
)


class DebtorDunningCockpit(models.AbstractModel):
    _name = "debtor.dunning.cockpit"
    _description = "Dunning cockpit: customer statements and the worklist"

    # ------------------------------------------------------------------ statement
    @api.model
    def _open_moves(self, company, partners):
        """The customers' open invoices of `company`, oldest due date first."""
        return self.env["account.move"].search(
            self.env["account.move"]._dunning_open_domain()
            + [
                ("company_id", "=", company.id),
                ("commercial_partner_id", "in", partners.commercial_partner_id.ids),
            ],
            order="invoice_date_due, id",
        )

    @api.model
    def _figures(self, company, partners, as_of):
        """{commercial partner id: figures} of what the customers owe on `as_of`.

        figures: "due" and "overdue" (the open receivable lines' open amounts, in the
        company's currency: an instalment is overdue by its own due date), "credit"
        (open credit notes and payments), "level_id" (the highest level reached).
        """
        book = self.env["debtor.dunning.book"]
        currency = company.currency_id
        figures = defaultdict(
            lambda: {"due": 0.0, "overdue": 0.0, "credit": 0.0, "level_id": False}
        )
        ranks = defaultdict(int)
        for row in book._items(company, date.max, partners.commercial_partner_id):
            partner_figures = figures[row["partner_id"]]
            partner_figures["due"] += row["residual"]
            if row["due_date"] < as_of:
                partner_figures["overdue"] += row["residual"]
            if row["level_id"] and row["level_rank"] > ranks[row["partner_id"]]:
                ranks[row["partner_id"]] = row["level_rank"]
                partner_figures["level_id"] = row["level_id"]
        commercial_ids = partners.commercial_partner_id.ids
        for partner_id, credit in book._credits(company, commercial_ids).items():
            figures[partner_id]["credit"] = credit
        for partner_figures in figures.values():
            for key in ("due", "overdue", "credit"):
                partner_figures[key] = currency.round(partner_figures[key])
        return figures

    @api.model
    def _next_date(self, company, partners):
        """{commercial partner id: the next dunning date of its open invoices}."""
        result = {}
        for move in self._open_moves(company, partners):  # computed in one batch
            day = move.dunning_next_date
            partner_id = move.commercial_partner_id.id
            if day and (partner_id not in result or day < result[partner_id]):
                result[partner_id] = day
        return result

    @api.model
    def _prepare_statement_values(self, partner, company, as_of):
        """What a statement of account prints: one customer's open items today."""
        partner = partner.commercial_partner_id
        currency = company.currency_id
        figures = self._figures(company, partner, as_of)[partner.id]
        lines = [
            {
                "move": move,
                "date": move.invoice_date,
                "due_date": move.invoice_date_due,
                "days_overdue": max((as_of - move.invoice_date_due).days, 0),
                "total": move.amount_total_signed,
                "residual": move.amount_residual_signed,
                "level": move.dunning_level_id,
            }
            for move in self._open_moves(company, partner)
        ]
        return {
            "partner": partner,
            "company": company,
            "currency": currency,
            "as_of": as_of,
            "lines": lines,
            "due": figures["due"],
            "overdue": figures["overdue"],
            "credit": figures["credit"],
            "balance": currency.round(figures["due"] - figures["credit"]),
        }

    # ------------------------------------------------------------------ dun now
    @api.model
    def _dun_now(self, partner, company=None):
        """A proposal for this one customer today (the escalation's own run)."""
        return self.env["debtor.dunning.escalation"]._propose(
            company or self.env.company, partners=partner.commercial_partner_id
        )

    # ------------------------------------------------------------------ worklist
    @api.model
    def _work(self, company, as_of, partners=None):
        """{commercial partner id: set of WORK codes}: what is to do on `as_of`."""
        work = defaultdict(set)
        restrict = (
            [("partner_id", "in", partners.commercial_partner_id.ids)]
            if partners is not None
            else []
        )
        for code, partner_ids in self._work_sources(company, as_of, restrict):
            for partner_id in partner_ids:
                work[partner_id].add(code)
        return work

    @api.model
    def _work_sources(self, company, as_of, restrict):
        """(code, commercial partner ids) of each kind of work; `_hook_work` adds."""
        env = self.env
        Notice = env["debtor.dunning.notice"]
        in_company = [("company_id", "=", company.id)]
        # Calls due: the call activities of the company's notices, due by today.
        call_type = env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
        calls = []
        if call_type:
            notice_ids = [
                res_id
                for (res_id,) in env["mail.activity"]._read_group(
                    [
                        ("res_model", "=", "debtor.dunning.notice"),
                        ("activity_type_id", "=", call_type.id),
                        ("date_deadline", "<=", as_of),
                    ],
                    ["res_id"],
                )
            ]
            calls = Notice.search(
                [("id", "in", notice_ids), *in_company, *restrict]
            ).partner_id.ids
        yield "call", calls
        # Promises: due today, or broken (its day passed and the invoice is open).
        promises = env["account.move"]._read_group(
            env["account.move"]._dunning_open_domain()
            + [
                *in_company,
                ("dunning_promise_date", "!=", False),
                ("dunning_promise_date", "<=", as_of),
                *[("commercial_partner_id", *leaf[1:]) for leaf in restrict],
            ],
            ["commercial_partner_id"],
            ["dunning_promise_date:min"],
        )
        yield "promise_broken", [p.id for p, day in promises if day < as_of]
        yield "promise_today", [p.id for p, day in promises if day == as_of]
        yield (
            "dispute",
            self._partners_of(
                "debtor.dunning.dispute",
                [("state", "=", "open"), *in_company, *restrict],
            ),
        )
        Arrangement = "debtor.dunning.arrangement"
        yield (
            "arrangement_late",
            self._partners_of(
                Arrangement, [("state", "=", "late"), *in_company, *restrict]
            ),
        )
        yield (
            "arrangement_proposal",
            self._partners_of(
                Arrangement,
                [
                    ("state", "=", "draft"),
                    ("source", "=", "portal"),
                    *in_company,
                    *restrict,
                ],
            ),
        )
        yield (
            "review",
            self._partners_of(
                "debtor.dunning.notice",
                [
                    ("state", "=", "draft"),
                    ("run_id.state", "=", "proposal"),
                    *in_company,
                    *restrict,
                ],
            ),
        )
        yield from self._hook_work(company, as_of, restrict)

    @api.model
    def _hook_work(self, company, as_of, restrict):
        """Extension point: more (code, commercial partner ids) of work."""
        return []

    @api.model
    def _partners_of(self, model, domain):
        """The commercial partners of the records of `model` that `domain` finds."""
        groups = self.env[model]._read_group(domain, ["partner_id"])
        return [partner.commercial_partner_id.id for (partner,) in groups]

    @api.model
    def _collectors(self, company, partners):
        """{commercial partner id: user}: each customer's own collector, else its
        policy's default collector (`debtor.dunning.policy._dunning_policy_of`)."""
        commercial = partners.commercial_partner_id.with_company(company)
        customers = self.env["debtor.dunning.book"]._customers(
            company, commercial.ids, fields.Date.context_today(self)
        )
        policy_of = self.env["debtor.dunning.policy"]._dunning_policy_of(
            company, customers
        )
        result = {}
        for partner in commercial:
            policy = policy_of.get(partner.id)
            result[partner.id] = partner.dunning_collector_id or (
                policy.collector_id if policy else self.env["res.users"]
            )
        return result
