from datetime import date

import pytest

from debtor_dunning.core.errors import DunningRuleError
from debtor_dunning.core.insurance import (
    DeadlineStatus,
    deadline_status,
    notification_deadline,
    reminder_date,
)


@pytest.mark.parametrize(
    ("due", "term", "deadline"),
    [
        # counted by hand on a calendar
        (date(2026, 9, 30), 90, date(2026, 12, 29)),  # Oct 31 + Nov 30 + Dec 29
        (date(2026, 10, 31), 60, date(2026, 12, 30)),  # Nov 30 + Dec 30
        (date(2027, 1, 15), 60, date(2027, 3, 16)),  # Jan 16 + Feb 28 + Mar 16
        (date(2028, 1, 15), 60, date(2028, 3, 15)),  # leap year: Feb 29 counts
        (date(2026, 11, 24), 75, date(2027, 2, 7)),  # over the year's end
        (date(2026, 12, 31), 1, date(2027, 1, 1)),
    ],
)
def test_insurer_must_hear_of_a_default_within_its_term_after_the_due_date(
    due, term, deadline
):
    assert notification_deadline(due, term) == deadline


@pytest.mark.parametrize("term", [0, -5, 366, 90.0, True, None])
def test_notification_term_must_be_a_plausible_number_of_days(term):
    with pytest.raises(DunningRuleError):
        notification_deadline(date(2026, 9, 30), term)


def test_the_to_do_falls_due_the_warning_days_before_the_deadline():
    assert reminder_date(date(2026, 12, 29), 14) == date(2026, 12, 15)
    assert reminder_date(date(2026, 12, 29), 0) == date(2026, 12, 29)


@pytest.mark.parametrize(
    ("as_of", "status"),
    [
        (date(2026, 12, 14), DeadlineStatus.RUNNING),
        (date(2026, 12, 15), DeadlineStatus.APPROACHING),  # the reminder day
        (date(2026, 12, 29), DeadlineStatus.APPROACHING),  # the last day
        (date(2026, 12, 30), DeadlineStatus.PAST),
    ],
)
def test_deadline_status_around_the_reminder_and_the_deadline(as_of, status):
    assert deadline_status(date(2026, 12, 29), 14, as_of) is status
