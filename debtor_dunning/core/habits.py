"""How late a customer usually pays: what was paid in the last months, and what is
still open past its due date (late by its days overdue so far)."""

from calendar import monthrange  # the standard library's, not core/calendar.py
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .errors import DunningRuleError, require_amount, require_count, require_date

_TENTH = Decimal("0.1")
_HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class PaidItem:
    """A settled receivable: when it was due, when it was paid, for how much."""

    due_date: date
    paid_date: date
    amount: Decimal

    def __post_init__(self):
        require_date(self.due_date, "due_date")
        require_date(self.paid_date, "paid_date")
        if require_amount(self.amount, "amount") == 0:
            raise DunningRuleError("amount must be positive, got 0")


@dataclass(frozen=True, slots=True)
class OpenItem:
    """A receivable still open: when it was due and how much is left to pay."""

    due_date: date
    amount: Decimal

    def __post_init__(self):
        require_date(self.due_date, "due_date")
        if require_amount(self.amount, "amount") == 0:
            raise DunningRuleError("amount must be positive, got 0")


@dataclass(frozen=True, slots=True)
class Habit:
    """Amount-weighted lateness (signed days, early < 0) and on-time share."""

    avg_days_late: Decimal
    on_time_share: Decimal
    count: int

    @property
    def shift_days(self) -> int:
        """Whole days escalation waits for this payer; early payers get no advance."""
        return max(0, int(self.avg_days_late.to_integral_value(ROUND_HALF_UP)))


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, clamped to that month's end."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month0 + 1, min(day.day, monthrange(year, month0 + 1)[1]))


def payment_habit(
    paid_items: Iterable[PaidItem],
    as_of: date,
    months: int = 12,
    open_items: Iterable[OpenItem] = (),
) -> Habit:
    """The habit over the items paid after `months` months before `as_of`, up to it,
    and the `open_items` overdue on `as_of`: each is late by its days overdue so far
    (a customer who does not pay is no punctual payer). Open items not yet due say
    nothing yet.

    Without such items: no lateness and everything on time (count 0 tells).
    """
    require_count(months, "months", minimum=1)
    require_date(as_of, "as_of")
    start = months_before(as_of, months)
    total = weighted_days = on_time = Decimal(0)
    count = 0
    for paid in paid_items:
        if not start < paid.paid_date <= as_of:
            continue
        late = (paid.paid_date - paid.due_date).days
        total += paid.amount
        weighted_days += paid.amount * late
        if late <= 0:
            on_time += paid.amount
        count += 1
    for item in open_items:
        late = (as_of - item.due_date).days
        if late <= 0:
            continue
        total += item.amount
        weighted_days += item.amount * late
        count += 1
    if not count:
        return Habit(Decimal("0.0"), Decimal("1.00"), 0)
    return Habit(
        avg_days_late=(weighted_days / total).quantize(_TENTH, ROUND_HALF_UP),
        on_time_share=(on_time / total).quantize(_HUNDREDTH, ROUND_HALF_UP),
        count=count,
    )
