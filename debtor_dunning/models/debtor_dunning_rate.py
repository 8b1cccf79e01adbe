from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from .. import compat
from ..core import interest
from ..core.money import to_decimal

RATE_KINDS = [
    ("nl_statutory", "NL statutory interest (art. 6:119 BW)"),
    ("nl_commercial", "NL commercial interest (art. 6:119a BW)"),
    ("be_commercial", "BE late-payment interest (law of 2 Aug 2002)"),
    ("be_legal", "BE legal interest (law of 5 May 1865)"),
    ("contractual", "Contractual interest"),
]


class DebtorDunningRate(models.Model):
    """A yearly interest percentage of one kind, in force from its effective date."""

    _name = "debtor.dunning.rate"
    _description = "Interest rate"
    _order = "kind, effective_date desc, id"
    _check_company_auto = True

    kind = fields.Selection(RATE_KINDS, required=True, index=True)
    effective_date = fields.Date(
        required=True, help="The rate applies from this day until the next rate."
    )
    percent = fields.Float(string="Rate (% per year)", digits=(16, 4), required=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Empty: shared by every company. A company's own rates of a kind replace "
        "the shared rates of that kind for that company.",
    )
    source = fields.Char(help="Where the rate was published (a URL or a reference).")
    note = fields.Text()

    @api.constrains("percent")
    def _check_percent(self):
        if self.filtered(lambda rate: rate.percent < 0):
            raise ValidationError(self.env._("An interest rate cannot be negative."))

    @api.constrains("kind", "effective_date", "company_id")
    def _check_one_rate_per_day(self):
        for rate in self:
            clash = self.search_count(
                [
                    ("id", "!=", rate.id),
                    ("kind", "=", rate.kind),
                    ("effective_date", "=", rate.effective_date),
                    ("company_id", "=", rate.company_id.id),
                ]
            )
            if clash:
                raise ValidationError(
                    self.env._(
                        "There is already a %(kind)s rate from %(date)s.",
                        kind=dict(
                            self._fields["kind"]._description_selection(self.env)
                        )[rate.kind],
                        date=rate.effective_date,
                    )
                )

    @api.model
    def _dunning_rate_table(self, company):
        """The core's rate table per kind for `company`, read in one query."""
        rows = self.sudo().search(
            ["|", ("company_id", "=", False), ("company_id", "=", company.id)]
        )
        own, shared = defaultdict(list), defaultdict(list)
        for rate in rows:
            table = own if rate.company_id else shared
            table[rate.kind].append(
                interest.Rate(rate.effective_date, to_decimal(rate.percent, "0.0001"))
            )
        return {kind: tuple(own.get(kind) or shared[kind]) for kind in own | shared}

    @api.model
    def _dunning_warn_missing(self, notices, missing):
        """Rates in use lack a period: the proposals say so, a manager gets a to-do.

        `missing`: {(company, kind): first period without a rate} (see core.law).
        """
        # Searched, not read from each notice: thousands of notices, a run or two.
        runs = self.env["debtor.dunning.run"].search(
            [("notice_ids", "in", notices.ids), ("state", "=", "proposal")]
        )
        # A whole proposal computed again says afresh what is missing.
        # (The run's other notices first: thousands of them are `notices` itself.)
        runs.filtered(
            lambda run: (
                not (run.notice_ids - notices).filtered(lambda n: n.state != "cancel")
            )
        ).rate_warning = False
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for (company, kind), period in sorted(missing.items(), key=lambda kv: kv[1]):
            summary = self.env._(
                "Enter the %(kind)s rate from %(period)s",
                kind=labels[kind],
                period=format_date(self.env, period),
            )
            company_runs = runs.filtered(lambda run, c=company: run.company_id == c)
            for run in company_runs:
                lines = (run.rate_warning or "").splitlines()
                if summary not in lines:
                    run.rate_warning = "\n".join([*lines, summary])
            self._dunning_rate_todo(company, company_runs[:1], summary)

    @api.model
    def _dunning_rate_todo(self, company, run, summary):
        """One open to-do per missing rate, for the company's credit manager."""
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        Activity = self.env["mail.activity"].sudo()
        if not run or not todo:
            return
        if Activity.search_count(
            [
                ("res_model", "=", run._name),
                ("summary", "=", summary),
                ("res_id", "in", run.search([("company_id", "=", company.id)]).ids),
            ],
            limit=1,
        ):
            return
        run.sudo().activity_schedule(
            activity_type_id=todo.id,
            summary=summary,
            note=Markup("<p>%s</p>")
            % self.env._(
                "Interest for a period without a rate is not claimed. Enter the rate "
                "under Dunning > Configuration > Interest Rates, then compute the "
                "charges of the proposed notices again."
            ),
            user_id=self._dunning_credit_manager(company).id,
            date_deadline=fields.Date.context_today(self),
        )

    @api.model
    def _dunning_credit_manager(self, company):
        """Who keeps the rates of `company`: a dunning manager, not the admin."""
        group = self.env.ref("debtor_dunning.debtor_dunning_group_manager").sudo()
        managers = (
            group[compat.GROUP_USERS]
            .filtered(lambda user: company in user.company_ids and not user.share)
            .sorted("id")
        )
        admins = self.env.ref("base.user_root") | self.env.ref("base.user_admin")
        return (managers - admins)[:1] or managers[:1] or self.env.user
