"""The credit controller's figures: aging buckets, DSO by the count-back method."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True, slots=True)
class Bucket:
    """Debts `first` to `last` days past their due date (None: no bound)."""

    code: str
    first: int | None
    last: int | None


# The aging buckets of open receivables, by days past the due date on the day looked
# at: a debt due that day is not due yet (0 days), one due the day before is 1 day late.
BUCKETS = (
    Bucket("not_due", None, 0),
    Bucket("1_30", 1, 30),
    Bucket("31_60", 31, 60),
    Bucket("61_90", 61, 90),
    Bucket("90_plus", 91, None),
)

# A notice cures its debts when they are paid in full within these days after it.
CURE_DAYS = (14, 30)


def bucket(days_overdue: int) -> str:
    """The code of the aging bucket a debt `days_overdue` days late falls in."""
    for candidate in BUCKETS:
        if (candidate.first is None or days_overdue >= candidate.first) and (
            candidate.last is None or days_overdue <= candidate.last
        ):
            return candidate.code
    raise AssertionError(days_overdue)  # pragma: no cover - BUCKETS cover all ints


@dataclass(frozen=True, slots=True)
class Month:
    """One month of credit sales: its number of days and what was invoiced on credit."""

    days: int
    sales: Decimal


def dso_count_back(balance: Decimal, months: tuple[Month, ...]) -> Decimal:
    """Days sales outstanding at a month end, by the count-back method.

    `balance` is the open receivables at the month end, `months` the credit sales of
    that month and the ones before it, newest first. The balance is matched against
    the sales going back month by month: each month it covers in full counts all its
    days, the month it ends in counts the covered share of its days. A month without
    sales counts in full. A balance older than all `months` counts them all (a lower
    bound). No balance: 0 days. Rounded to one decimal.
    """
    remaining, days = balance, Decimal(0)
    for month in months:
        if remaining <= 0:
            break
        if month.sales <= 0 or remaining >= month.sales:
            days += month.days
            remaining -= max(month.sales, Decimal(0))
        else:
            days += remaining / month.sales * month.days
            remaining = Decimal(0)
    return days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
