"""Statutory interest over changing rates, yearly compounding; payment allocation."""

from bisect import bisect_right
from calendar import isleap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from itertools import pairwise

from .errors import DunningRuleError, require_amount, require_date
from .limitation import years_after
from .money import cents

# Unrounded day interest keeps 34 significant digits (decimal128), whatever the
# caller's decimal context; the total is rounded to the cent once, at the end.
_PRECISION = 34


@dataclass(frozen=True, slots=True)
class Rate:
    """Yearly interest `percent`, in force from `effective_date` to the next rate."""

    effective_date: date
    percent: Decimal


@dataclass(frozen=True, slots=True)
class InterestPeriod:
    """One line of the interest table: `start` to `end` (excluded), amount unrounded."""

    start: date
    end: date
    days: int
    percent: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Allocation:
    """How a payment settles a debt; `remainder` is what was paid too much."""

    costs: Decimal
    interest: Decimal
    principal: Decimal
    remainder: Decimal


def statutory_interest(
    principal: Decimal,
    start: date,
    end: date,
    rates: Iterable[Rate],
    compound_yearly: bool = False,
) -> tuple[Decimal, tuple[InterestPeriod, ...]]:
    """Interest on `principal` from `start` to `end` (excluded), and its periods."""
    # NL art. 6:119 / 6:119a BW; compound_yearly: art. 6:119 lid 2, 6:119a lid 3 BW.
    require_amount(principal, "principal")
    require_date(start, "start")
    require_date(end, "end")
    if end <= start:
        return Decimal("0.00"), ()
    changes = _rate_changes(rates)
    anniversaries = _anniversaries(start, end) if compound_yearly else frozenset()
    bounds = sorted(
        {start, end}
        | {rate.effective_date for rate in changes if start < rate.effective_date < end}
        | _year_length_changes(start, end)
        | anniversaries
    )
    periods, base, year_interest = [], principal, Decimal(0)
    with localcontext(prec=_PRECISION, rounding=ROUND_HALF_EVEN):
        for period_start, period_end in pairwise(bounds):
            if period_start in anniversaries:
                base, year_interest = base + year_interest, Decimal(0)
            percent = _percent_on(changes, period_start)
            days = (period_end - period_start).days
            year_days = 366 if isleap(period_start.year) else 365
            amount = base * percent * days / (100 * year_days)
            year_interest += amount
            periods.append(
                InterestPeriod(period_start, period_end, days, percent, base, amount)
            )
        total = sum((period.amount for period in periods), Decimal(0))
    return cents(total), tuple(periods)


def allocate_payment(
    amount: Decimal, costs: Decimal, interest: Decimal, principal: Decimal
) -> Allocation:
    """Split a payment: costs first, then interest, then principal (art. 6:44 BW)."""
    left = require_amount(amount, "amount")
    paid = []
    owed_parts = ((costs, "costs"), (interest, "interest"), (principal, "principal"))
    for owed, name in owed_parts:
        part = min(left, require_amount(owed, name))
        paid.append(part)
        left -= part
    return Allocation(*paid, remainder=left)


def _rate_changes(rates: Iterable[Rate]) -> tuple[Rate, ...]:
    """Rates by effective date, keeping only those that change the percent."""
    ordered = sorted(rates, key=_checked_date)
    for before, after in pairwise(ordered):
        if before.effective_date == after.effective_date:
            raise DunningRuleError(f"two rates take effect on {after.effective_date}")
    return tuple(
        rate
        for index, rate in enumerate(ordered)
        if not index or rate.percent != ordered[index - 1].percent
    )


def _checked_date(rate: Rate) -> date:
    """Effective date of a well-formed `rate` (the sort key of the rate table)."""
    if not isinstance(rate, Rate):
        raise DunningRuleError(f"rates must be Rate values, got {rate!r}")
    require_amount(rate.percent, "rate percent")
    return require_date(rate.effective_date, "rate effective_date")


def _percent_on(changes: tuple[Rate, ...], day: date) -> Decimal:
    """Percent of the last rate taking effect on or before `day`."""
    index = bisect_right([rate.effective_date for rate in changes], day)
    if not index:
        raise DunningRuleError(f"no interest rate is in force on {day}")
    return changes[index - 1].percent


def _year_length_changes(start: date, end: date) -> set[date]:
    """Each 1 January in (start, end) where the day divisor switches 365 <-> 366."""
    return {
        date(year, 1, 1)
        for year in range(start.year + 1, end.year + 1)
        if isleap(year) != isleap(year - 1) and date(year, 1, 1) < end
    }


def _anniversaries(start: date, end: date) -> frozenset[date]:
    """Each day in (start, end) that ends a full year of interest from `start`."""
    days, years = set(), 1
    while (day := years_after(start, years)) < end:
        days.add(day)
        years += 1
    return frozenset(days)
