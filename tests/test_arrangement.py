"""Instalment schedules, payments per instalment and breaches of an arrangement."""

from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debtor_dunning.core.arrangement import (
    Frequency,
    Instalment,
    allocate_to_instalments,
    breached,
    instalment_schedule,
    last_due_date,
    months_after,
)
from debtor_dunning.core.errors import DunningRuleError

D = Decimal


def _rows(schedule):
    """A schedule as (number, due date, amount as text) tuples."""
    return [(item.number, item.due_date, str(item.amount)) for item in schedule]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # monthly from the 31st: February clamps to its end, March is the 31st again
        (
            (D(1000), 3, date(2024, 1, 31), Frequency.MONTHLY),
            [
                (1, date(2024, 1, 31), "333.33"),
                (2, date(2024, 2, 29), "333.33"),
                (3, date(2024, 3, 31), "333.34"),
            ],
        ),
        # a down payment is instalment 0 on the first date, the rest a period later
        (
            (D(1000), 3, date(2023, 1, 31), Frequency.MONTHLY, D(100)),
            [
                (0, date(2023, 1, 31), "100.00"),
                (1, date(2023, 2, 28), "300.00"),
                (2, date(2023, 3, 31), "300.00"),
                (3, date(2023, 4, 30), "300.00"),
            ],
        ),
        (
            (D(100), 3, date(2024, 1, 1), Frequency.WEEKLY),
            [
                (1, date(2024, 1, 1), "33.33"),
                (2, date(2024, 1, 8), "33.33"),
                (3, date(2024, 1, 15), "33.34"),
            ],
        ),
        (
            (D(100), 3, date(2024, 1, 1), Frequency.BIWEEKLY, D("0.01")),
            [
                (0, date(2024, 1, 1), "0.01"),
                (1, date(2024, 1, 15), "33.33"),
                (2, date(2024, 1, 29), "33.33"),
                (3, date(2024, 2, 12), "33.33"),
            ],
        ),
        (
            (D("100.01"), 4, date(2023, 11, 30), Frequency.QUARTERLY),
            [
                (1, date(2023, 11, 30), "25.00"),
                (2, date(2024, 2, 29), "25.00"),
                (3, date(2024, 5, 30), "25.00"),
                (4, date(2024, 8, 30), "25.01"),
            ],
        ),
        # the whole remainder goes on the last instalment, however large
        (
            (D("0.05"), 3, date(2024, 12, 15), Frequency.MONTHLY),
            [
                (1, date(2024, 12, 15), "0.01"),
                (2, date(2025, 1, 15), "0.01"),
                (3, date(2025, 2, 15), "0.03"),
            ],
        ),
        (
            (D(250), 1, date(2024, 5, 1), Frequency.MONTHLY),
            [(1, date(2024, 5, 1), "250.00")],
        ),
    ],
)
def test_schedule_floors_each_instalment_to_the_cent_and_the_last_takes_the_rest(
    args, expected
):
    assert _rows(instalment_schedule(*args)) == expected


@pytest.mark.parametrize(
    "args",
    [
        (D(1000), 0, date(2024, 1, 1), Frequency.MONTHLY),
        (D(1000), -1, date(2024, 1, 1), Frequency.MONTHLY),
        (D(1000), 2.0, date(2024, 1, 1), Frequency.MONTHLY),
        (D(-1000), 3, date(2024, 1, 1), Frequency.MONTHLY),
        (D(0), 3, date(2024, 1, 1), Frequency.MONTHLY),
        (1000.0, 3, date(2024, 1, 1), Frequency.MONTHLY),
        (D("100.005"), 3, date(2024, 1, 1), Frequency.MONTHLY),
        (D("0.02"), 3, date(2024, 1, 1), Frequency.MONTHLY),  # under a cent each
        (D(1000), 3, "2024-01-01", Frequency.MONTHLY),
        (D(1000), 3, date(2024, 1, 1), "monthly"),
        (D(1000), 3, date(2024, 1, 1), Frequency.MONTHLY, D(1000)),
        (D(1000), 3, date(2024, 1, 1), Frequency.MONTHLY, D(1500)),
        (D(1000), 3, date(2024, 1, 1), Frequency.MONTHLY, D(-100)),
    ],
)
def test_schedule_rejects_bad_input(args):
    with pytest.raises(DunningRuleError):
        instalment_schedule(*args)


SCHEDULE = instalment_schedule(D(1000), 3, date(2024, 1, 31), Frequency.MONTHLY)


@pytest.mark.parametrize(
    ("paid_total", "expected"),
    [
        ("0", ("0", "0", "0")),
        ("500", ("333.33", "166.67", "0")),
        ("1000", ("333.33", "333.33", "333.34")),
        ("2000", ("333.33", "333.33", "333.34")),  # a surplus is not allocated
    ],
)
def test_payments_cover_the_oldest_instalment_first(paid_total, expected):
    paid = allocate_to_instalments(SCHEDULE, D(paid_total))
    assert paid == tuple(map(D, expected))


@pytest.mark.parametrize("paid_total", [D(-1), 500.0])
def test_payments_per_instalment_reject_negative_or_non_decimal_total(paid_total):
    with pytest.raises(DunningRuleError):
        allocate_to_instalments(SCHEDULE, paid_total)


@pytest.mark.parametrize(
    ("paid_total", "as_of", "grace_days", "expected"),
    [
        ("0", date(2024, 1, 31), 0, None),  # due today: not late yet
        ("0", date(2024, 2, 1), 0, 1),  # a day late, no grace
        ("0", date(2024, 2, 5), 5, None),  # 31 Jan + 5 days is not before 5 Feb
        ("0", date(2024, 2, 6), 5, 1),
        ("333.33", date(2024, 2, 6), 5, None),  # the first is paid, the second not due
        ("333.33", date(2024, 3, 5), 5, None),  # 29 Feb + 5 days = 5 March
        ("333.33", date(2024, 3, 6), 5, 2),
        ("400", date(2024, 3, 6), 5, 2),  # partly paid is not paid
        ("666.66", date(2024, 4, 30), 30, None),  # 31 March + 30 days = 30 April
        ("666.66", date(2024, 5, 1), 30, 3),
        ("1000", date(2030, 1, 1), 0, None),  # all paid
    ],
)
def test_arrangement_breached_by_the_first_unpaid_instalment_after_grace(
    paid_total, as_of, grace_days, expected
):
    if expected is None:
        assert breached(SCHEDULE, D(paid_total), as_of, grace_days) is None
    else:
        instalment = breached(SCHEDULE, D(paid_total), as_of, grace_days)
        assert instalment == SCHEDULE[expected - 1]


@pytest.mark.parametrize(
    ("as_of", "grace_days"),
    [("2024-02-01", 0), (date(2024, 2, 1), -1), (date(2024, 2, 1), 1.5)],
)
def test_breach_check_rejects_bad_input(as_of, grace_days):
    with pytest.raises(DunningRuleError):
        breached(SCHEDULE, D(0), as_of, grace_days)


def test_instalment_is_a_value():
    assert SCHEDULE[0] == Instalment(1, date(2024, 1, 31), D("333.33"))


@st.composite
def schedules(draw):
    """Arguments of a valid schedule, and a payment."""
    total = draw(st.decimals(min_value=D("0.01"), max_value=D(10**7), places=2))
    count = draw(st.integers(min_value=1, max_value=min(60, int(total * 100))))
    down = draw(st.decimals(min_value=0, max_value=total - D("0.01"), places=2))
    if (total - down) * 100 < count:
        down = D(0)
    first = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)))
    frequency = draw(st.sampled_from(Frequency))
    paid = draw(st.decimals(min_value=0, max_value=total * 2, places=2))
    return (total, count, first, frequency, down), paid


@given(schedules())
def test_schedule_sums_to_the_total_with_dates_in_order(case):
    args, paid_total = case
    total, count, _first, _frequency, down = args
    schedule = instalment_schedule(*args)
    amounts = [item.amount for item in schedule]
    assert sum(amounts) == total
    assert len(schedule) == count + (1 if down else 0)
    assert all(a.due_date < b.due_date for a, b in pairwise(schedule))
    regular = amounts[1:] if down else amounts
    assert len(set(regular[:-1])) <= 1
    assert min(regular) >= D("0.01")
    assert 0 <= regular[-1] - regular[0] < count * D("0.01")
    paid = allocate_to_instalments(schedule, paid_total)
    assert sum(paid) == min(paid_total, total)


def test_last_due_date_counts_periods_after_the_first_and_a_down_payment():
    first = date(2026, 1, 31)
    assert last_due_date(1, first, Frequency.MONTHLY) == first
    assert last_due_date(3, first, Frequency.MONTHLY) == date(2026, 3, 31)
    assert last_due_date(3, first, Frequency.MONTHLY, down_payment=True) == date(
        2026, 4, 30
    )
    assert last_due_date(2, first, Frequency.WEEKLY) == date(2026, 2, 7)


def test_months_after_clamps_to_the_end_of_the_month():
    assert months_after(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert months_after(date(2026, 11, 24), 24) == date(2028, 11, 24)


@pytest.mark.parametrize(
    ("first", "frequency", "count"),
    [
        (date(9999, 12, 31), Frequency.MONTHLY, 2),
        (date(9999, 12, 31), Frequency.WEEKLY, 2),
        (date(9990, 1, 1), Frequency.QUARTERLY, 9999),
    ],
)
def test_dates_past_the_calendar_are_an_error_not_an_overflow(first, frequency, count):
    with pytest.raises(DunningRuleError, match="past the year 9999"):
        last_due_date(count, first, frequency)
    with pytest.raises(DunningRuleError, match="past the year 9999"):
        instalment_schedule(Decimal("100.00"), count, first, frequency)
