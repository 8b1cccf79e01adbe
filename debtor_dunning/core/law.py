"""Which law governs a customer's debts, and what it lets a creditor claim, and when.

Every legal condition of the costs and interest of a notice is decided here, as values
and enums; the models and services only turn them into text and records.
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum, StrEnum
from itertools import pairwise

from . import fees
from .calendar import add_working_days, be_public_holidays, nl_public_holidays
from .errors import DunningRuleError, require_amount, require_count, require_date
from .interest import Rate
from .money import split_pro_rata

_DAY = timedelta(days=1)
_ZERO = Decimal("0.00")


class Law(StrEnum):
    """The law a debt falls under (the values are the stored selection keys)."""

    NL = "nl"
    BE = "be"
    OTHER = "eu"  # another country: only what Directive 2011/7/EU gives businesses


class Debtor(StrEnum):
    CONSUMER = "consumer"
    BUSINESS = "business"


class RateKind(StrEnum):
    """The interest rate tables (debtor.dunning.rate.kind)."""

    NL_STATUTORY = "nl_statutory"  # art. 6:119 BW
    NL_COMMERCIAL = "nl_commercial"  # art. 6:119a BW
    BE_COMMERCIAL = "be_commercial"  # law of 2 August 2002, art. 5
    BE_LEGAL = "be_legal"  # law of 5 May 1865
    CONTRACTUAL = "contractual"


class CostRule(Enum):
    """How the collection costs of a debt are computed."""

    NL_SCALE = "nl_scale"  # art. 6:96 BW, Besluit Stb. 2012, 141: any debtor
    BE_CONSUMER_DAMAGES = "be_consumer_damages"  # Code of Economic Law, Book XIX
    FIXED_COMPENSATION = "fixed_compensation"  # 2011/7/EU art. 6: EUR 40 an invoice
    NONE = "none"  # no collection costs we know of


class GateReason(Enum):
    """Why costs (and for Belgian consumers, anything) wait on an invoice."""

    NL_NO_LETTER = "nl_none"  # no 14-day letter yet (art. 6:96 lid 6 BW)
    NL_LETTER_TERM = "nl_letter"  # the 14-day letter's term
    BE_FIRST_REMINDER = "be_first"  # this notice is the free first reminder
    BE_TERM = "be_term"  # the 14 days after the first reminder (art. XIX.2 CEL)


class Announcement(Enum):
    """The costs a letter must announce before they may be claimed."""

    NL_FOURTEEN_DAY_COSTS = "nl_fourteen_day"  # art. 6:96 lid 6 BW
    BE_FIRST_REMINDER_DAMAGES = "be_first_reminder"  # art. XIX.2 CEL


class TermLimit(Enum):
    """The legal maximum a business debt's payment term exceeds."""

    NL_LARGE_TO_SME = "nl_sme"  # art. 6:119a lid 6 BW: a longer term is void
    NL_COMMERCIAL = "nl"  # art. 6:119a lid 5 BW: only if agreed and not unfair
    BE_COMMERCIAL = "be"  # law of 2 August 2002, art. 4
    EU_COMMERCIAL = "eu"  # Directive 2011/7/EU, art. 3(5)


class Cadence(Enum):
    """How often a kind of rate is published: each period needs a row of its own."""

    HALF_YEAR = "half_year"  # 1 January and 1 July
    YEAR = "year"  # 1 January
    NONE = "none"  # a contract's rate stays until the table says otherwise


# Directive 2011/7/EU art. 3(5); NL art. 6:119a lid 5 BW; BE law of 2 August 2002 art.
# 4: a business debt's payment term; NL art. 6:119a lid 6 BW: large company -> SME.
TERM_LIMIT_DAYS = {
    TermLimit.NL_LARGE_TO_SME: 30,
    TermLimit.NL_COMMERCIAL: 60,
    TermLimit.BE_COMMERCIAL: 60,
    TermLimit.EU_COMMERCIAL: 60,
}

_STATUTORY_KIND = {
    (Law.NL, Debtor.CONSUMER): RateKind.NL_STATUTORY,
    (Law.NL, Debtor.BUSINESS): RateKind.NL_COMMERCIAL,
    (Law.BE, Debtor.BUSINESS): RateKind.BE_COMMERCIAL,
    (Law.BE, Debtor.CONSUMER): RateKind.BE_LEGAL,
}
# Art. 6:119 lid 2 and 6:119a lid 3 BW: statutory interest joins the principal at the
# end of each year.
_COMPOUNDING = frozenset({RateKind.NL_STATUTORY, RateKind.NL_COMMERCIAL})
# The Dutch statutory rates and the Belgian commercial rate are set per half-year
# (1 January, 1 July: art. 6:120 lid 2 BW, law of 2 August 2002 art. 5); the Belgian
# legal rate per calendar year (law of 5 May 1865, art. 2).
_CADENCE = {
    RateKind.NL_STATUTORY: Cadence.HALF_YEAR,
    RateKind.NL_COMMERCIAL: Cadence.HALF_YEAR,
    RateKind.BE_COMMERCIAL: Cadence.HALF_YEAR,
    RateKind.BE_LEGAL: Cadence.YEAR,
    RateKind.CONTRACTUAL: Cadence.NONE,
}
_HOLIDAYS = {Law.NL: nl_public_holidays, Law.BE: be_public_holidays}


@dataclass(frozen=True, slots=True)
class Sent:
    """An issued notice that listed the invoice: its date and how it went out."""

    day: date
    by_post: bool
    fourteen_day_letter: bool = False


@dataclass(frozen=True, slots=True)
class Gate:
    """Costs on an invoice wait for `reason`; from `opens` on (None: a later letter)."""

    reason: GateReason
    opens: date | None = None

    def is_open(self, day: date) -> bool:
        """Whether the costs the gate holds back may be claimed on `day`."""
        return self.opens is not None and require_date(day, "day") >= self.opens


# ---------------------------------------------------------------------- which law
def law_of_country(code: str | None) -> Law | None:
    """The law of a country by its ISO code: NL, BE, else OTHER; None if unknown."""
    if not code:
        return None
    return {"NL": Law.NL, "BE": Law.BE}.get(code.upper(), Law.OTHER)


def governing_law(
    debtor: Debtor, residence: Law | None, named: Law | None, company: Law
) -> Law:
    """The law of a customer's debts: a consumer's, that of the country he lives in.

    Rome I (Regulation 593/2008) art. 6: a consumer contract with a business that
    directs its activities to the consumer's country is governed by the law of his
    habitual residence, and a choice of law cannot take its protection away. A
    business: the law its contract names (`named`), else the company's.
    """
    if debtor == Debtor.CONSUMER and residence is not None:
        return Law(residence)
    return Law(named or company)


# ---------------------------------------------------------------------- costs
def cost_rule(law: Law, debtor: Debtor) -> CostRule:
    """How the collection costs of this debtor's debts are computed."""
    if law == Law.NL:
        return CostRule.NL_SCALE  # art. 6:96 BW, consumers and businesses alike
    if debtor == Debtor.BUSINESS:
        return CostRule.FIXED_COMPENSATION  # 2011/7/EU art. 6; BE law 2002, art. 6
    if law == Law.BE:
        return CostRule.BE_CONSUMER_DAMAGES
    return CostRule.NONE


def collection_costs(
    rule: CostRule, principals: Sequence[Decimal], vat_rate: Decimal = _ZERO
) -> tuple[Decimal, ...]:
    """The costs of invoices claimed together, per invoice (adding up to the total).

    The Dutch scale and the Belgian damages are computed on the joint principal and
    split in proportion; the fixed compensation is due per invoice (CJEU 20 October
    2022, C-585/20). `vat_rate`: Dutch costs only (Besluit art. 2 lid 3).
    """
    for principal in principals:
        require_amount(principal, "principal")
    total = sum(principals, _ZERO)
    if rule is CostRule.NL_SCALE:
        return split_pro_rata(fees.nl_collection_costs(total, vat_rate), principals)
    if rule is CostRule.BE_CONSUMER_DAMAGES:
        return split_pro_rata(fees.be_consumer_damages(total), principals)
    if rule is CostRule.FIXED_COMPENSATION:
        return tuple(
            fees.eu_fixed_compensation() if principal else _ZERO
            for principal in principals
        )
    return tuple(_ZERO for _principal in principals)


def reminder_fee(
    law: Law,
    debtor: Debtor,
    claims_fee: bool,
    reminder_number: int,
    by_post: bool,
    postage: Decimal = _ZERO,
) -> Decimal:
    """The Belgian consumer's fee for reminder n: none, or EUR 7.50 plus postage.

    Code of Economic Law, Book XIX: the first reminder is free; each further one may
    cost EUR 7.50 plus the postage in force when it is posted (nothing for postage on
    an e-mail). Only when the level claims it (the contract must provide for it).
    """
    require_count(reminder_number, "reminder_number", minimum=1)
    require_amount(postage, "postage")
    if not claims_fee or law != Law.BE or debtor != Debtor.CONSUMER:
        return _ZERO
    return fees.be_consumer_reminder_fee(reminder_number, postage if by_post else _ZERO)


# ---------------------------------------------------------------------- interest
def statutory_rate_kind(law: Law, debtor: Debtor) -> RateKind | None:
    """The statutory interest of this debtor's debts; None under another law."""
    return _STATUTORY_KIND.get((law, debtor))


def interest_rate_kind(
    law: Law, debtor: Debtor, contractual: RateKind | None = None
) -> RateKind | None:
    """The rates a debt's interest follows: the contract's, else the statutory."""
    return RateKind(contractual) if contractual else statutory_rate_kind(law, debtor)


def compounds_yearly(law: Law, kind: RateKind) -> bool:
    """Whether the interest joins the principal each year (art. 6:119(a) BW)."""
    return law == Law.NL and kind in _COMPOUNDING


def interest_cap_kind(law: Law, debtor: Debtor) -> RateKind | None:
    """The rates a debtor's interest may never exceed; None: no cap."""
    # Code of Economic Law, Book XIX: a consumer's late-payment interest may not
    # exceed the rate of the law of 2 August 2002 on commercial transactions.
    if law == Law.BE and debtor == Debtor.CONSUMER:
        return RateKind.BE_COMMERCIAL
    return None


def capped_rates(rates: Iterable[Rate], cap: Iterable[Rate]) -> tuple[Rate, ...]:
    """The table `rates` where each day's percent is at most the `cap` table's.

    The capped table starts once both are known: before, no rate is in force.
    """
    rates, cap = _ordered(rates), _ordered(cap)
    if not rates or not cap:
        return ()
    first = max(rates[0].effective_date, cap[0].effective_date)
    days = sorted(
        {first}
        | {
            rate.effective_date
            for rate in (*rates, *cap)
            if rate.effective_date > first
        }
    )
    return tuple(
        Rate(day, min(_percent_on(rates, day), _percent_on(cap, day))) for day in days
    )


def rate_cadence(kind: RateKind) -> Cadence:
    """How often rates of `kind` are published."""
    return _CADENCE[RateKind(kind)]


def rate_period_start(kind: RateKind, day: date) -> date | None:
    """First day of the publication period of `kind` that contains `day`."""
    require_date(day, "day")
    cadence = rate_cadence(kind)
    if cadence is Cadence.HALF_YEAR:
        return date(day.year, 1 if day.month < 7 else 7, 1)
    if cadence is Cadence.YEAR:
        return date(day.year, 1, 1)
    return None


def first_missing_rate_period(
    kind: RateKind, effective_dates: Collection[date], start: date, end: date
) -> date | None:
    """First period from `start` to `end` (excluded) without a row of its own.

    A published rate is never assumed to carry on: interest for a period without
    a row is not computed with the rate of an earlier one.
    """
    require_date(start, "start")
    require_date(end, "end")
    period = rate_period_start(kind, start)
    if period is None or end <= start:
        return None
    while period < end:
        following = _next_period(kind, period)
        if not any(period <= day < following for day in effective_dates):
            return period
        period = following
    return None


# ---------------------------------------------------------------------- gates
def presumed_by_post(letter: bool, email: bool) -> bool:
    """Whether a notice's terms count from a posted letter (the slower channel).

    The creditor must prove receipt: with a letter, or without a trace of an
    e-mail, the later receipt of the post is presumed.
    """
    return bool(letter) or not email


def presumed_receipt(
    law: Law,
    notice_date: date,
    letter: bool,
    posted: date | None = None,
    delivered: date | None = None,
    email_accepted: date | None = None,
    email_bounced: bool = False,
) -> date | None:
    """The day the customer is presumed to have received a notice, from the facts
    that prove its delivery; None when nothing proves it reached him.

    Registered mail delivered according to its track and trace: that day. A letter:
    two working days after it was posted (before it is posted: after its date), as
    the Dutch courts presume for ordinary mail (the same presumption as the 14-day
    letter, fees.nl_fourteen_day_term_end). An e-mail the server accepted and that
    did not bounce: the next day.
    """
    require_date(notice_date, "notice_date")
    if delivered is not None:
        return require_date(delivered, "delivered")
    if letter:
        start = posted or notice_date
        return add_working_days(start, 2, _holidays(law, start))
    if email_accepted is not None and not email_bounced:
        return require_date(email_accepted, "email_accepted") + timedelta(days=1)
    return None


def receipt_pay_by_date(asked: date, receipt: date | None, pay_days: int) -> date:
    """The pay-by date of a notice whose term runs from its receipt (registered
    mail): `pay_days` after the presumed receipt, never before `asked`."""
    require_date(asked, "asked")
    if receipt is None:
        return asked
    return max(asked, require_date(receipt, "receipt") + timedelta(days=pay_days))


def charge_gate(
    law: Law, debtor: Debtor, sent: Iterable[Sent], as_of: date
) -> Gate | None:
    """Why the costs on an invoice wait on `as_of` (None: nothing waits).

    `sent`: the issued notices that listed the invoice before. Dutch consumers pay
    collection costs only once a 14-day letter's term has passed (art. 6:96 lid 6
    BW); Belgian consumers get the first reminder free and owe nothing at all
    before 14 days after it (Code of Economic Law, art. XIX.2).
    """
    require_date(as_of, "as_of")
    if debtor != Debtor.CONSUMER or law not in (Law.NL, Law.BE):
        return None
    earlier = sorted((s for s in sent if s.day <= as_of), key=lambda s: s.day)
    if law == Law.NL:
        ends = [
            fees.nl_fourteen_day_term_end(s.day, s.by_post, _holidays(law, s.day))
            for s in earlier
            if s.fourteen_day_letter
        ]
        if not ends:
            return Gate(GateReason.NL_NO_LETTER)
        return Gate(GateReason.NL_LETTER_TERM, min(ends) + _DAY)
    if not earlier:
        return Gate(GateReason.BE_FIRST_REMINDER)
    first = earlier[0]
    end = fees.be_reminder_term_end(first.day, first.by_post, _holidays(law, first.day))
    return Gate(GateReason.BE_TERM, end + _DAY)


def interest_waits(law: Law, debtor: Debtor) -> bool:
    """Whether the gate holds back interest too (else only the costs)."""
    # Book XIX: no interest before the term after the free reminder has passed. A
    # Dutch consumer owes interest from default; the 14-day letter gates costs only.
    return law == Law.BE and debtor == Debtor.CONSUMER


def announcement(
    law: Law, debtor: Debtor, fourteen_day_letter: bool, first_reminder: bool
) -> Announcement | None:
    """The costs this letter must announce, or None."""
    if debtor != Debtor.CONSUMER:
        return None
    if law == Law.NL and fourteen_day_letter:
        # Art. 6:96 lid 6 BW: the letter states the costs claimed if unpaid.
        return Announcement.NL_FOURTEEN_DAY_COSTS
    if law == Law.BE and first_reminder:
        # Art. XIX.2 CEL: the first reminder states the damages that will follow.
        return Announcement.BE_FIRST_REMINDER_DAMAGES
    return None


def statutory_term_end(
    law: Law,
    debtor: Debtor,
    fourteen_day_letter: bool,
    first_reminder: bool,
    notice_date: date,
    by_post: bool,
) -> date | None:
    """Last day of the term the law makes this letter give, or None."""
    require_date(notice_date, "notice_date")
    holidays = _holidays(law, notice_date)
    if debtor != Debtor.CONSUMER:
        return None
    if law == Law.NL and fourteen_day_letter:
        return fees.nl_fourteen_day_term_end(notice_date, by_post, holidays)
    if law == Law.BE and first_reminder:
        return fees.be_reminder_term_end(notice_date, by_post, holidays)
    return None


def pay_by_date(asked: date, term_end: date | None) -> date:
    """The day a letter asks payment by: never before its statutory term ends."""
    require_date(asked, "asked")
    return asked if term_end is None else max(asked, require_date(term_end, "end"))


# ---------------------------------------------------------------------- terms
def tracks_limitation(law: Law) -> bool:
    """Whether a debt's limitation date is kept: Dutch law (art. 3:307 BW) only."""
    return law == Law.NL


def payment_term_limit(
    law: Law, debtor: Debtor, large_creditor: bool, sme_debtor: bool
) -> TermLimit | None:
    """The legal maximum of a business debt's payment term; None for consumers."""
    if debtor != Debtor.BUSINESS:
        return None
    if law == Law.NL and large_creditor and sme_debtor:
        return TermLimit.NL_LARGE_TO_SME
    return {Law.NL: TermLimit.NL_COMMERCIAL, Law.BE: TermLimit.BE_COMMERCIAL}.get(
        law, TermLimit.EU_COMMERCIAL
    )


def payment_term_exceeds(
    law: Law, debtor: Debtor, large_creditor: bool, sme_debtor: bool, days: int
) -> TermLimit | None:
    """The limit a payment term of `days` days exceeds, or None."""
    limit = payment_term_limit(law, debtor, large_creditor, sme_debtor)
    if limit is None or days <= TERM_LIMIT_DAYS[limit]:
        return None
    return limit


# ---------------------------------------------------------------------- helpers
def _holidays(law: Law, day: date) -> frozenset[date]:
    """Public holidays of the law's country in the year of `day` and the next."""
    days = _HOLIDAYS.get(law)
    return days(day.year) | days(day.year + 1) if days else frozenset()


def _next_period(kind: RateKind, period: date) -> date:
    if rate_cadence(kind) is Cadence.YEAR or period.month == 7:
        return date(period.year + 1, 1, 1)
    return date(period.year, 7, 1)


def _ordered(rates: Iterable[Rate]) -> tuple[Rate, ...]:
    ordered = tuple(sorted(rates, key=lambda rate: rate.effective_date))
    for before, after in pairwise(ordered):
        if before.effective_date == after.effective_date:
            raise DunningRuleError(f"two rates take effect on {after.effective_date}")
    return ordered


def _percent_on(rates: tuple[Rate, ...], day: date) -> Decimal:
    """Percent of the last rate in force on `day` (the tables are ordered)."""
    return [rate for rate in rates if rate.effective_date <= day][-1].percent
