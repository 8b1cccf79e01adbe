"""Credit insurance: by when the insurer must hear of a payment default.

A credit insurer covers an insured customer's debts only when it is notified of a
payment default within its term after the due date (commonly 60 to 90 days, set per
insurer). The credit manager gets a to-do some days before that deadline.
"""

from datetime import date, timedelta
from enum import Enum

from .errors import DunningRuleError, require_count, require_date

# A notification term outside this range is a typing error, not a policy.
MIN_TERM_DAYS = 1
MAX_TERM_DAYS = 365


class DeadlineStatus(Enum):
    """Where an insured debt stands against its notification deadline."""

    RUNNING = "running"  # more than the warning days left
    APPROACHING = "approaching"  # within the warning days, deadline not passed
    PAST = "past"  # the deadline has passed without notification


def notification_deadline(due_date: date, term_days: int) -> date:
    """The last day the insurer must be notified of a debt due on `due_date`.

    `term_days` counts calendar days after the due date: due 30 September 2026 with
    a 90-day term gives 29 December 2026.
    """
    require_date(due_date, "due_date")
    require_count(term_days, "term_days", MIN_TERM_DAYS)
    if term_days > MAX_TERM_DAYS:
        raise DunningRuleError(
            f"term_days must be at most {MAX_TERM_DAYS}, got {term_days}"
        )
    return due_date + timedelta(days=term_days)


def reminder_date(deadline: date, warn_days: int) -> date:
    """The day the credit manager's to-do falls due: `warn_days` before `deadline`."""
    require_date(deadline, "deadline")
    require_count(warn_days, "warn_days")
    return deadline - timedelta(days=warn_days)


def deadline_status(deadline: date, warn_days: int, as_of: date) -> DeadlineStatus:
    """RUNNING, APPROACHING (from `reminder_date` on) or PAST (after `deadline`)."""
    require_date(as_of, "as_of")
    if as_of > deadline:
        return DeadlineStatus.PAST
    if as_of >= reminder_date(deadline, warn_days):
        return DeadlineStatus.APPROACHING
    return DeadlineStatus.RUNNING
