"""Statutory interest over rate periods with yearly compounding; payment allocation."""

from calendar import isleap
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debtor_dunning.core.errors import DunningRuleError
from debtor_dunning.core.interest import (
    Allocation,
    Rate,
    allocate_payment,
    statutory_interest,
)

D = Decimal

# Wettelijke handelsrente, art. 6:119a BW (NL commercial rate), from 2020.
NL_COMMERCIAL = (
    Rate(date(2020, 1, 1), D(8)),
    Rate(date(2023, 1, 1), D("10.5")),
    Rate(date(2023, 7, 1), D(12)),
    Rate(date(2024, 1, 1), D("12.5")),
    Rate(date(2024, 7, 1), D("12.25")),
    Rate(date(2025, 1, 1), D("11.15")),
    Rate(date(2025, 7, 1), D("10.15")),
)
# The commercial rate was 8 % from 2016 to mid-2022: a flat rate isolates the day
# count and compounding from rate changes.
FLAT_8 = (Rate(date(2016, 1, 1), D(8)),)


def _row(period):
    """A period as (start, end, days, percent, base and amount to 6 decimals)."""
    return (
        period.start,
        period.end,
        period.days,
        period.percent,
        period.base.quantize(D("0.000001")),
        period.amount.quantize(D("0.000001")),
    )


def test_interest_splits_at_a_rate_change():
    # 1,000 from 1 June to 1 August 2023 (excluded):
    #   1 Jun - 30 Jun: 30 days x 1,000 x 10.5 % / 365 = 315,000 / 36,500 =  8.630137
    #   1 Jul - 31 Jul: 31 days x 1,000 x 12   % / 365 = 372,000 / 36,500 = 10.191781
    #   total 18.821918 -> 18.82
    total, periods = statutory_interest(
        D(1000), date(2023, 6, 1), date(2023, 8, 1), NL_COMMERCIAL
    )
    assert total == D("18.82")
    assert [_row(period) for period in periods] == [
        (date(2023, 6, 1), date(2023, 7, 1), 30, D("10.5"), D(1000), D("8.630137")),
        (date(2023, 7, 1), date(2023, 8, 1), 31, D(12), D(1000), D("10.191781")),
    ]


@pytest.mark.parametrize(
    ("start", "end", "expected", "first_days"),
    [
        # into a leap year: December / 365, January / 366
        #   31 x 10,000 x 8 % / 365 = 67.945205; 31 x 10,000 x 8 % / 366 = 67.759563
        #   total 135.704768 -> 135.70 (all days / 365 would give 135.89)
        (date(2019, 12, 1), date(2020, 2, 1), D("135.70"), 31),
        # out of a leap year: the same two amounts the other way round
        (date(2020, 12, 1), date(2021, 2, 1), D("135.70"), 31),
        # between two common years nothing changes: 62 x 10,000 x 8 % / 365 = 135.89
        (date(2021, 12, 1), date(2022, 2, 1), D("135.89"), 62),
    ],
)
def test_interest_splits_at_new_year_when_the_year_length_changes(
    start, end, expected, first_days
):
    total, periods = statutory_interest(D(10000), start, end, FLAT_8)
    assert total == expected
    assert periods[0].days == first_days


def test_yearly_compounding_adds_each_full_years_interest_to_the_base():
    # 1,000 at 8 % from 1 January 2021 to 1 July 2023 (2.5 years):
    #   2021: 365 x 1,000.00 x 8 % / 365 = 80.00     -> base 1,080.00
    #   2022: 365 x 1,080.00 x 8 % / 365 = 86.40     -> base 1,166.40
    #   2023: 181 x 1,166.40 x 8 % / 365 = 46.272526
    #   total 212.672526 -> 212.67 (simple interest: 80 + 80 + 39.67 = 199.67)
    total, periods = statutory_interest(
        D(1000), date(2021, 1, 1), date(2023, 7, 1), FLAT_8, compound_yearly=True
    )
    assert total == D("212.67")
    assert [_row(period) for period in periods] == [
        (date(2021, 1, 1), date(2022, 1, 1), 365, D(8), D(1000), D(80)),
        (date(2022, 1, 1), date(2023, 1, 1), 365, D(8), D(1080), D("86.4")),
        (date(2023, 1, 1), date(2023, 7, 1), 181, D(8), D("1166.4"), D("46.272526")),
    ]
    simple, _periods = statutory_interest(
        D(1000), date(2021, 1, 1), date(2023, 7, 1), FLAT_8
    )
    assert simple == D("199.67")


def test_yearly_compounding_on_the_anniversary_across_rates_and_a_leap_year():
    # 1,000 in default from 1 June 2023 to 1 September 2024 (NL commercial rates):
    #   1 Jun 23 - 30 Jun 23:  30 d x 1,000 x 10.5  % / 365 =  8.630137
    #   1 Jul 23 - 31 Dec 23: 184 d x 1,000 x 12    % / 365 = 60.493151
    #   1 Jan 24 - 31 May 24: 152 d x 1,000 x 12.5  % / 366 = 51.912568
    #   first year 121.035856 -> base from 1 June 2024: 1,121.035856
    #   1 Jun 24 - 30 Jun 24:  30 d x 1,121.035856 x 12.5  % / 366 = 11.486023
    #   1 Jul 24 - 31 Aug 24:  62 d x 1,121.035856 x 12.25 % / 366 = 23.263025
    #   total 155.784904 -> 155.78
    total, periods = statutory_interest(
        D(1000), date(2023, 6, 1), date(2024, 9, 1), NL_COMMERCIAL, True
    )
    assert total == D("155.78")
    base = D("1121.035856")
    assert [_row(period) for period in periods] == [
        (date(2023, 6, 1), date(2023, 7, 1), 30, D("10.5"), D(1000), D("8.630137")),
        (date(2023, 7, 1), date(2024, 1, 1), 184, D(12), D(1000), D("60.493151")),
        (date(2024, 1, 1), date(2024, 6, 1), 152, D("12.5"), D(1000), D("51.912568")),
        (date(2024, 6, 1), date(2024, 7, 1), 30, D("12.5"), base, D("11.486023")),
        (date(2024, 7, 1), date(2024, 9, 1), 62, D("12.25"), base, D("23.263025")),
    ]


def test_a_year_begun_on_29_february_compounds_on_1_march():
    _total, periods = statutory_interest(
        D(1000), date(2024, 2, 29), date(2026, 3, 15), FLAT_8, compound_yearly=True
    )
    assert [period.start for period in periods] == [
        date(2024, 2, 29),
        date(2025, 1, 1),  # 366 -> 365 days
        date(2025, 3, 1),  # first anniversary
        date(2026, 3, 1),  # second anniversary
    ]
    assert periods[0].base == periods[1].base < periods[2].base < periods[3].base


def test_interest_is_rounded_once_not_per_period():
    # 106: 30 x 106 x 10.5 % / 365 = 0.914795 and 31 x 106 x 12 % / 365 = 1.080329;
    # 1.995123 -> 2.00, where rounding each line would give 0.91 + 1.08 = 1.99.
    total, _periods = statutory_interest(
        D(106), date(2023, 6, 1), date(2023, 8, 1), NL_COMMERCIAL
    )
    assert total == D("2.00")


def test_a_repeated_rate_does_not_split_the_period():
    rates = (Rate(date(2020, 1, 1), D(8)), Rate(date(2020, 7, 1), D(8)))
    _total, periods = statutory_interest(
        D(1000), date(2020, 6, 1), date(2020, 8, 1), rates
    )
    assert [(period.start, period.days) for period in periods] == [
        (date(2020, 6, 1), 61)
    ]


def test_rates_need_not_be_sorted():
    args = (D(1000), date(2023, 6, 1), date(2024, 9, 1))
    assert statutory_interest(*args, NL_COMMERCIAL[::-1], True) == (
        statutory_interest(*args, NL_COMMERCIAL, True)
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2023, 6, 1), date(2023, 6, 1)), (date(2023, 6, 2), date(2023, 6, 1))],
)
def test_no_interest_when_end_is_not_after_start(start, end):
    assert statutory_interest(D(1000), start, end, NL_COMMERCIAL, True) == (
        D("0.00"),
        (),
    )


@pytest.mark.parametrize(
    ("principal", "start", "end", "rates"),
    [
        # no rate in force on 31 December 2019
        (D(1000), date(2019, 12, 31), date(2020, 2, 1), NL_COMMERCIAL),
        # two rates on one day
        (D(1000), date(2020, 1, 1), date(2020, 2, 1), FLAT_8 + FLAT_8),
        (D(-1), date(2020, 1, 1), date(2020, 2, 1), FLAT_8),
        (1000.0, date(2020, 1, 1), date(2020, 2, 1), FLAT_8),
        (D(1000), datetime(2020, 1, 1, tzinfo=UTC), date(2020, 2, 1), FLAT_8),
        (D(1000), date(2020, 1, 1), "2020-02-01", FLAT_8),
        (D(1000), date(2020, 1, 1), date(2020, 2, 1), ((date(2016, 1, 1), D(8)),)),
        (D(1000), date(2020, 1, 1), date(2020, 2, 1), (Rate(date(2016, 1, 1), 8.0),)),
        (D(1000), date(2020, 1, 1), date(2020, 2, 1), (Rate(date(2016, 1, 1), D(-1)),)),
    ],
)
def test_interest_rejects_bad_input(principal, start, end, rates):
    with pytest.raises(DunningRuleError):
        statutory_interest(principal, start, end, rates)


def _exact(period):
    """The period's interest as an exact fraction: base x percent x days / year."""
    year_days = 366 if isleap(period.start.year) else 365
    return (
        Fraction(period.base)
        * Fraction(period.percent)
        * period.days
        / (100 * year_days)
    )


principals = st.decimals(min_value=0, max_value=10_000_000, places=2)
days_2020_2026 = st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31))


@given(principals, st.tuples(days_2020_2026, days_2020_2026, days_2020_2026))
def test_simple_interest_over_a_to_c_is_a_to_b_plus_b_to_c(principal, days):
    a, b, c = sorted(days)
    whole, whole_periods = statutory_interest(principal, a, c, NL_COMMERCIAL)
    first, first_periods = statutory_interest(principal, a, b, NL_COMMERCIAL)
    second, second_periods = statutory_interest(principal, b, c, NL_COMMERCIAL)
    parts = first_periods + second_periods
    # the periods tile the range and each amount is its exact day interest
    assert sum(period.days for period in whole_periods) == (c - a).days
    for period in whole_periods + parts:
        assert abs(Fraction(period.amount) - _exact(period)) < Fraction(1, 10**20)
    # unrounded: exactly equal; rounded once per call: at most a cent apart
    assert sum(map(_exact, whole_periods)) == sum(map(_exact, parts))
    assert abs(whole - (first + second)) <= D("0.01")


@given(principals, st.tuples(days_2020_2026, days_2020_2026))
def test_compounding_never_gives_less_and_changes_nothing_within_a_year(
    principal, days
):
    start, end = sorted(days)
    simple, _ = statutory_interest(principal, start, end, NL_COMMERCIAL)
    compound, _ = statutory_interest(principal, start, end, NL_COMMERCIAL, True)
    assert compound >= simple
    if (end - start).days <= 365:
        assert compound == simple


@pytest.mark.parametrize(
    ("amount", "owed", "expected"),
    [
        # owed: (costs, interest, principal); expected: (..., remainder)
        ("100", ("40", "30", "500"), ("40", "30", "30", "0")),
        ("50", ("40", "30", "500"), ("40", "10", "0", "0")),
        ("30", ("40", "30", "500"), ("30", "0", "0", "0")),
        ("570", ("40", "30", "500"), ("40", "30", "500", "0")),
        ("600", ("40", "30", "500"), ("40", "30", "500", "30")),
        ("0", ("40", "30", "500"), ("0", "0", "0", "0")),
        ("100", ("0", "0", "500"), ("0", "0", "100", "0")),
    ],
)
def test_payment_goes_to_costs_then_interest_then_principal(amount, owed, expected):
    allocation = allocate_payment(D(amount), *map(D, owed))
    assert allocation == Allocation(*map(D, expected))


@pytest.mark.parametrize(
    ("amount", "costs", "interest", "principal"),
    [
        (D(-1), D(0), D(0), D(0)),
        (D(1), D(-1), D(0), D(0)),
        (D(1), D(0), D(-1), D(0)),
        (D(1), D(0), D(0), D(-1)),
        (1.0, D(0), D(0), D(0)),
    ],
)
def test_payment_allocation_rejects_negative_or_non_decimal_input(
    amount, costs, interest, principal
):
    with pytest.raises(DunningRuleError):
        allocate_payment(amount, costs, interest, principal)


money = st.decimals(min_value=0, max_value=1_000_000, places=2)


@given(money, money, money, money)
def test_allocation_parts_sum_to_the_payment(amount, costs, interest, principal):
    allocation = allocate_payment(amount, costs, interest, principal)
    parts = (allocation.costs, allocation.interest, allocation.principal)
    assert sum(parts) + allocation.remainder == amount
    assert allocation.costs <= costs
    assert allocation.interest <= interest
    assert allocation.principal <= principal
    # a later part only gets money once the earlier ones are paid in full
    assert not allocation.interest or allocation.costs == costs
    assert not allocation.principal or allocation.interest == interest
    assert not allocation.remainder or allocation.principal == principal
