from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debtor_dunning.core.calendar import (
    add_working_days,
    be_public_holidays,
    easter_sunday,
    in_pause,
    is_send_day,
    next_send_day,
    nl_public_holidays,
)
from debtor_dunning.core.errors import DunningRuleError

TUE_WED_THU = frozenset({1, 2, 3})
MONDAY = date(2025, 3, 3)


def d(text):
    return date.fromisoformat(text)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (1818, "1818-03-22"),  # the earliest possible date
        (1943, "1943-04-25"),  # the latest possible date
        (2000, "2000-04-23"),
        (2019, "2019-04-21"),
        (2024, "2024-03-31"),
        (2025, "2025-04-20"),
        (2026, "2026-04-05"),
        (2038, "2038-04-25"),
        (2285, "2285-03-22"),
    ],
)
def test_easter_sunday_by_the_anonymous_gregorian_algorithm(year, easter):
    assert easter_sunday(year) == d(easter)


@pytest.mark.parametrize(
    ("year", "holidays"),
    [
        (
            2025,
            [
                "2025-01-01",
                "2025-04-21",  # Easter Monday
                "2025-04-26",  # King's Day: 27 April is a Sunday
                "2025-05-05",  # Liberation Day in a lustrum year
                "2025-05-29",  # Ascension Day
                "2025-06-09",  # Whit Monday
                "2025-12-25",
                "2025-12-26",
            ],
        ),
        (
            2026,
            [
                "2026-01-01",
                "2026-04-06",
                "2026-04-27",
                "2026-05-14",
                "2026-05-25",
                "2026-12-25",
                "2026-12-26",
            ],
        ),
    ],
)
def test_nl_public_holidays(year, holidays):
    assert nl_public_holidays(year) == frozenset(map(d, holidays))


@pytest.mark.parametrize(
    ("year", "kings_day"),
    [(2014, "2014-04-26"), (2025, "2025-04-26"), (2026, "2026-04-27")],
)
def test_kings_day_moves_to_saturday_when_27_april_is_a_sunday(year, kings_day):
    april = {day for day in nl_public_holidays(year) if day.month == 4}
    assert d(kings_day) in april
    assert len(april & {date(year, 4, 26), date(year, 4, 27)}) == 1


@pytest.mark.parametrize(
    ("year", "free"), [(2025, True), (2026, False), (2029, False), (2030, True)]
)
def test_liberation_day_only_in_lustrum_years(year, free):
    assert (date(year, 5, 5) in nl_public_holidays(year)) is free


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_good_friday_is_not_a_dutch_office_holiday(year):
    good_friday = easter_sunday(year) - timedelta(days=2)
    assert good_friday not in nl_public_holidays(year)


@pytest.mark.parametrize(
    ("year", "holidays"),
    [
        (
            2025,
            [
                "2025-01-01",
                "2025-04-21",
                "2025-05-01",
                "2025-05-29",
                "2025-06-09",
                "2025-07-21",
                "2025-08-15",
                "2025-11-01",
                "2025-11-11",
                "2025-12-25",
            ],
        ),
        (
            2024,
            [
                "2024-01-01",
                "2024-04-01",
                "2024-05-01",
                "2024-05-09",
                "2024-05-20",
                "2024-07-21",
                "2024-08-15",
                "2024-11-01",
                "2024-11-11",
                "2024-12-25",
            ],
        ),
    ],
)
def test_be_public_holidays(year, holidays):
    assert be_public_holidays(year) == frozenset(map(d, holidays))


@pytest.mark.parametrize(
    ("day", "pauses", "holidays", "expected"),
    [
        (MONDAY, (), (), False),
        (MONDAY + timedelta(days=1), (), (), True),
        (MONDAY + timedelta(days=3), (), (), True),
        (MONDAY + timedelta(days=4), (), (), False),
        (MONDAY + timedelta(days=6), (), (), False),
        (
            MONDAY + timedelta(days=1),
            ((MONDAY, MONDAY + timedelta(days=1)),),
            (),
            False,
        ),
        (MONDAY + timedelta(days=1), (), (MONDAY + timedelta(days=1),), False),
    ],
)
def test_is_send_day(day, pauses, holidays, expected):
    assert is_send_day(day, TUE_WED_THU, pauses, frozenset(holidays)) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2025-07-31", False),
        ("2025-08-01", True),
        ("2025-08-31", True),
        ("2025-09-01", False),
    ],
)
def test_a_pause_includes_both_ends(day, expected):
    assert in_pause(d(day), ((d("2025-08-01"), d("2025-08-31")),)) is expected


@pytest.mark.parametrize(
    ("day", "pauses", "holidays", "expected"),
    [
        ("2025-03-03", (), (), "2025-03-04"),  # Monday: the next Tuesday
        ("2025-03-04", (), (), "2025-03-04"),  # a send day itself
        ("2025-03-06", (), (), "2025-03-06"),
        ("2025-03-07", (), (), "2025-03-11"),  # Friday: the next Tuesday
        ("2025-03-04", (), ("2025-03-04", "2025-03-05"), "2025-03-06"),
        ("2025-07-15", (("2025-07-14", "2025-08-15"),), (), "2025-08-19"),
        (
            "2025-07-15",
            (("2025-07-14", "2025-07-31"), ("2025-07-25", "2025-08-15")),
            (),
            "2025-08-19",
        ),
        ("2025-12-23", (("2025-12-24", "2026-01-02"),), (), "2025-12-23"),
    ],
)
def test_next_send_day(day, pauses, holidays, expected):
    pauses = tuple((d(start), d(end)) for start, end in pauses)
    holidays = frozenset(map(d, holidays))
    assert next_send_day(d(day), TUE_WED_THU, pauses, holidays) == d(expected)


def test_no_next_send_day_without_send_weekdays():
    assert next_send_day(MONDAY, frozenset(), (), frozenset()) is None


@given(
    st.dates(date(2024, 1, 1), date(2027, 12, 31)),
    st.sets(st.integers(0, 6), min_size=1),
    st.lists(
        st.tuples(st.dates(date(2024, 1, 1), date(2027, 12, 31)), st.integers(0, 40)),
        max_size=4,
    ),
)
def test_next_send_day_is_the_first_send_day_from_the_given_day(day, weekdays, spans):
    pauses = tuple((start, start + timedelta(days=length)) for start, length in spans)
    holidays = nl_public_holidays(day.year) | nl_public_holidays(day.year + 1)
    found = next_send_day(day, weekdays, pauses, holidays)
    assert is_send_day(found, weekdays, pauses, holidays)
    between = (day + timedelta(days=n) for n in range((found - day).days))
    assert not any(is_send_day(other, weekdays, pauses, holidays) for other in between)


@pytest.mark.parametrize(
    ("day", "count", "holidays", "expected"),
    [
        ("2025-03-03", 0, (), "2025-03-03"),  # no working day to add: the day itself
        ("2025-03-03", 1, (), "2025-03-04"),
        ("2025-03-07", 2, (), "2025-03-11"),  # Friday + 2 skips the weekend
        ("2025-03-08", 1, (), "2025-03-10"),  # from a Saturday: Monday
        ("2025-04-17", 2, nl_public_holidays(2025), "2025-04-22"),  # Easter Monday
    ],
)
def test_add_working_days_skips_weekends_and_holidays(day, count, holidays, expected):
    assert add_working_days(d(day), count, frozenset(holidays)) == d(expected)


@pytest.mark.parametrize(("day", "count"), [(date(2025, 3, 3), -1), ("2025-03-03", 1)])
def test_add_working_days_rejects_bad_input(day, count):
    with pytest.raises(DunningRuleError):
        add_working_days(day, count)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=1, max_value=30),
)
def test_add_working_days_lands_on_the_counted_working_day(day, count):
    result = add_working_days(day, count)
    assert result.weekday() < 5
    between = (day + timedelta(days=n) for n in range(1, (result - day).days + 1))
    assert sum(1 for other in between if other.weekday() < 5) == count
