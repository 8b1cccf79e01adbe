"""Limitation dates of Dutch payment claims and their interruptions."""

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debtor_dunning.core.errors import DunningRuleError
from debtor_dunning.core.limitation import limitation_date, years_after


@pytest.mark.parametrize(
    ("due_date", "consumer_sale", "interruptions", "expected"),
    [
        # art. 3:307: five years from the day after the due date
        (date(2020, 1, 31), False, (), date(2025, 2, 1)),
        (date(2020, 12, 31), False, (), date(2026, 1, 1)),
        # art. 7:28: two years for the price of a consumer sale
        (date(2020, 1, 31), True, (), date(2022, 2, 1)),
        # the period starts on 29 February 2024 and ends with 28 February 2029
        (date(2024, 2, 28), False, (), date(2029, 3, 1)),
        # art. 3:317/3:319: a new five years from the day after the interruption
        (date(2020, 1, 31), False, (date(2024, 6, 1),), date(2029, 6, 2)),
        # each interruption while the period runs renews it, in any order given
        (
            date(2020, 1, 31),
            False,
            (date(2027, 1, 1), date(2024, 6, 1)),
            date(2032, 1, 2),
        ),
        # an interruption after the deadline is too late, even on the day itself
        (date(2020, 1, 31), False, (date(2025, 2, 1),), date(2025, 2, 1)),
        (date(2020, 1, 31), False, (date(2025, 1, 31),), date(2030, 2, 1)),
        (date(2020, 1, 31), False, (date(2026, 1, 1),), date(2025, 2, 1)),
        # a consumer sale's new period is again two years
        (date(2020, 1, 31), True, (date(2021, 6, 30),), date(2023, 7, 1)),
        # an interruption never shortens the running period
        (date(2020, 1, 31), False, (date(2019, 12, 1),), date(2025, 2, 1)),
    ],
)
def test_limitation_date_is_the_first_day_the_claim_is_time_barred(
    due_date, consumer_sale, interruptions, expected
):
    assert limitation_date(due_date, consumer_sale, interruptions) == expected


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2024, 2, 29), 1, date(2025, 3, 1)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2023, 3, 1), 1, date(2024, 3, 1)),
        (date(2023, 1, 31), 0, date(2023, 1, 31)),
    ],
)
def test_years_after_moves_29_february_to_1_march(day, years, expected):
    assert years_after(day, years) == expected


@pytest.mark.parametrize(
    ("due_date", "interruptions"),
    [
        ("2020-01-31", ()),
        (datetime(2020, 1, 31, tzinfo=UTC), ()),
        (date(2020, 1, 31), ("2024-06-01",)),
    ],
)
def test_limitation_date_rejects_what_is_not_a_date(due_date, interruptions):
    with pytest.raises(DunningRuleError):
        limitation_date(due_date, interruptions=interruptions)


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2050, 12, 31))


@given(days, st.booleans(), st.lists(days, max_size=5), days)
def test_an_interruption_never_brings_the_limitation_date_forward(
    due_date, consumer_sale, interruptions, extra
):
    before = limitation_date(due_date, consumer_sale, interruptions)
    after = limitation_date(due_date, consumer_sale, [*interruptions, extra])
    assert after >= before
    assert after == before or extra < before
