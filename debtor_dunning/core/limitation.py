"""When a Dutch payment claim becomes time-barred, counting its interruptions."""

from collections.abc import Iterable
from datetime import date, timedelta

from .errors import require_count, require_date

PAYMENT_CLAIM_YEARS = 5  # art. 3:307 lid 1 BW
CONSUMER_SALE_YEARS = 2  # art. 7:28 BW: price of a consumer sale
MAX_RENEWAL_YEARS = 5  # art. 3:319 lid 1 BW

_DAY = timedelta(days=1)


def years_after(day: date, years: int) -> date:
    """Start of the day `years` after `day`; from 29 Feb to a common year: 1 Mar."""
    # A period that begins on 29 February ends with 28 February when the year it ends
    # in has no 29 February, so the next period begins on 1 March.
    require_date(day, "day")
    require_count(years, "years")
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def limitation_date(
    due_date: date, consumer_sale: bool = False, interruptions: Iterable[date] = ()
) -> date:
    """First day the claim is time-barred (art. 3:307, 7:28, 3:317-3:319 BW)."""
    require_date(due_date, "due_date")
    years = CONSUMER_SALE_YEARS if consumer_sale else PAYMENT_CLAIM_YEARS
    # Art. 3:319: an interruption starts a new period on the next day, as long as the
    # original one but at most five years.
    renewal = min(years, MAX_RENEWAL_YEARS)
    deadline = years_after(due_date + _DAY, years)  # art. 3:307: from the next day
    for day in sorted(require_date(day, "interruption") for day in interruptions):
        # Art. 3:317/3:318 (written warning, acknowledgment, part payment): only an
        # interruption while the period still runs counts.
        if day < deadline:
            deadline = max(deadline, years_after(day + _DAY, renewal))
    return deadline
