from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError

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
