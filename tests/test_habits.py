from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debtor_dunning.core.errors import DunningRuleError
from debtor_dunning.core.habits import (
    Habit,
    OpenItem,
    PaidItem,
    months_before,
    payment_habit,
)

AS_OF = date(2025, 3, 4)


def paid(days_late, amount="100.00", paid_days_ago=30):
    """An item paid `paid_days_ago` days before AS_OF, `days_late` days after due."""
    paid_date = AS_OF - timedelta(days=paid_days_ago)
    return PaidItem(paid_date - timedelta(days=days_late), paid_date, Decimal(amount))


@pytest.mark.parametrize(
    ("items", "avg_days_late", "on_time_share", "count"),
    [
        ([], "0.0", "1.00", 0),
        ([paid(0)], "0.0", "1.00", 1),
        ([paid(10)], "10.0", "0.00", 1),
        ([paid(-5)], "-5.0", "1.00", 1),  # early payers keep their sign
        ([paid(10, "100.00"), paid(0, "300.00")], "2.5", "0.75", 2),  # amount-weighted
        ([paid(10, "100.00"), paid(-2, "100.00")], "4.0", "0.50", 2),
        ([paid(1, "1.00"), paid(2, "1.00"), paid(2, "1.00")], "1.7", "0.00", 3),
        ([paid(1, "2.00"), paid(0, "1.00")], "0.7", "0.33", 2),
        ([paid(3, "1.00"), paid(0, "1.00"), paid(0, "1.00")], "1.0", "0.67", 3),
        ([paid(1, "1.00"), paid(0, "3.00")], "0.3", "0.75", 2),  # 0.25 half up
        ([paid(1, "7.00"), paid(0, "1.00")], "0.9", "0.13", 2),  # 0.125 half up
    ],
)
def test_payment_habit_is_weighted_by_amount(
    items, avg_days_late, on_time_share, count
):
    assert payment_habit(items, AS_OF) == Habit(
        Decimal(avg_days_late), Decimal(on_time_share), count
    )


def overdue(days, amount="100.00"):
    """An item still open on AS_OF, `days` days past its due date."""
    return OpenItem(AS_OF - timedelta(days=days), Decimal(amount))


@pytest.mark.parametrize(
    ("items", "open_items", "avg_days_late", "on_time_share", "count"),
    [
        # The customer: nothing paid, invoices 70 and 90 days overdue.
        ([], [overdue(70, "100.00"), overdue(90, "100.00")], "80.0", "0.00", 2),
        # Weighted by what is left to pay: (300 * 70 + 100 * 90) / 400 = 75.
        ([], [overdue(70, "300.00"), overdue(90, "100.00")], "75.0", "0.00", 2),
        # A punctual payment of 300 and 100 open 40 days: 40 * 100 / 400 = 10.
        ([paid(0, "300.00")], [overdue(40, "100.00")], "10.0", "0.75", 2),
        # Not yet due, or due today: says nothing yet.
        ([], [overdue(0), overdue(-10)], "0.0", "1.00", 0),
    ],
)
def test_open_overdue_items_count_as_late_by_their_days_overdue(
    items, open_items, avg_days_late, on_time_share, count
):
    assert payment_habit(items, AS_OF, open_items=open_items) == Habit(
        Decimal(avg_days_late), Decimal(on_time_share), count
    )


@pytest.mark.parametrize(
    ("paid_date", "months", "counted"),
    [
        (AS_OF, 12, True),
        (AS_OF + timedelta(days=1), 12, False),  # not yet paid on as_of
        (date(2024, 3, 5), 12, True),
        (date(2024, 3, 4), 12, False),  # exactly twelve months before: outside
        (date(2024, 12, 5), 3, True),
        (date(2024, 12, 4), 3, False),
    ],
)
def test_only_payments_of_the_last_months_count(paid_date, months, counted):
    item = PaidItem(paid_date - timedelta(days=20), paid_date, Decimal(50))
    habit = payment_habit([item], AS_OF, months=months)
    assert habit.count == int(counted)
    assert habit.avg_days_late == Decimal("20.0" if counted else "0.0")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 3, 31), 1, date(2025, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2023, 2, 28)),
        (date(2025, 1, 15), 1, date(2024, 12, 15)),
        (date(2025, 12, 31), 1, date(2025, 11, 30)),
        (date(2025, 1, 31), 11, date(2024, 2, 29)),
        (date(2025, 3, 4), 0, date(2025, 3, 4)),
        (date(2025, 3, 4), 26, date(2023, 1, 4)),
    ],
)
def test_months_before_clamps_to_the_end_of_a_shorter_month(day, months, expected):
    assert months_before(day, months) == expected


@pytest.mark.parametrize(
    ("avg_days_late", "shift_days"),
    [("-3.4", 0), ("0.0", 0), ("0.4", 0), ("0.5", 1), ("4.4", 4), ("4.5", 5)],
)
def test_the_shift_rounds_half_up_and_never_goes_below_zero(avg_days_late, shift_days):
    assert Habit(Decimal(avg_days_late), Decimal("0.50"), 2).shift_days == shift_days


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((date(2025, 1, 1), date(2025, 1, 2), Decimal(0)), {}),
        ((date(2025, 1, 1), date(2025, 1, 2), Decimal(-1)), {}),
        ((date(2025, 1, 1), date(2025, 1, 2), 100.0), {}),
    ],
)
def test_an_impossible_paid_item_is_refused(args, kwargs):
    with pytest.raises(DunningRuleError):
        PaidItem(*args, **kwargs)


def test_the_window_is_at_least_a_month():
    with pytest.raises(DunningRuleError):
        payment_habit([], AS_OF, months=0)


@given(
    st.lists(
        st.tuples(
            st.integers(-30, 120),
            st.integers(1, 100_000).map(lambda cents: Decimal(cents).scaleb(-2)),
            st.integers(0, 360),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_the_habit_lies_within_the_lateness_seen(rows):
    items = [paid(late, amount, ago) for late, amount, ago in rows]
    habit = payment_habit(items, AS_OF)
    lateness = [late for late, _, _ in rows]
    assert min(lateness) <= habit.avg_days_late <= max(lateness)
    assert Decimal(0) <= habit.on_time_share <= Decimal(1)
    assert habit.count == len(rows)
    if max(lateness) <= 0:
        assert habit.on_time_share == 1
    if min(lateness) > 0:
        assert habit.on_time_share == 0
