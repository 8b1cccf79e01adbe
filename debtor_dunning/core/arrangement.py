"""Instalment schedules of payment arrangements, and when an arrangement is breached."""

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from enum import Enum

from .errors import DunningRuleError, require_amount, require_count, require_date
from .money import CENT


class Frequency(Enum):
    """How often instalments fall due."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


# (days, months) between two instalments
_STEP = {
    Frequency.WEEKLY: (7, 0),
    Frequency.BIWEEKLY: (14, 0),
    Frequency.MONTHLY: (0, 1),
    Frequency.QUARTERLY: (0, 3),
}


@dataclass(frozen=True, slots=True)
class Instalment:
    """Instalment `number` (0 is the down payment) of `amount`, due on `due_date`."""

    number: int
    due_date: date
    amount: Decimal


def instalment_schedule(
    total: Decimal,
    count: int,
    first_date: date,
    frequency: Frequency,
    down_payment: Decimal = Decimal(0),
) -> tuple[Instalment, ...]:
    """`count` equal instalments after any down payment; the last takes the rest."""
    total = _require_cents(total, "total")
    down_payment = _require_cents(down_payment, "down_payment")
    require_count(count, "count", minimum=1)
    require_date(first_date, "first_date")
    if not isinstance(frequency, Frequency):
        raise DunningRuleError(f"frequency must be a Frequency, got {frequency!r}")
    if not total:
        raise DunningRuleError("total must be positive")
    if down_payment >= total:
        raise DunningRuleError(
            f"down payment {down_payment} must be less than the total {total}"
        )
    rest = total - down_payment
    each = (rest / count).quantize(CENT, rounding=ROUND_DOWN)
    if not each:
        raise DunningRuleError(f"{rest} cannot be split into {count} instalments")
    schedule = [Instalment(0, first_date, down_payment)] if down_payment else []
    offset = len(schedule)  # with a down payment, instalment 1 is one period later
    for number in range(1, count + 1):
        amount = each if number < count else rest - each * (count - 1)
        due = _step_date(first_date, frequency, number - 1 + offset)
        schedule.append(Instalment(number, due, amount))
    return tuple(schedule)


def allocate_to_instalments(
    instalments: Iterable[Instalment], paid_total: Decimal
) -> tuple[Decimal, ...]:
    """What `paid_total` covers of each instalment, oldest first; no surplus shown."""
    left = require_amount(paid_total, "paid_total")
    paid = []
    for instalment in instalments:
        part = min(left, instalment.amount)
        paid.append(part)
        left -= part
    return tuple(paid)


def breached(
    instalments: Iterable[Instalment], paid_total: Decimal, as_of: date, grace_days: int
) -> Instalment | None:
    """First instalment unpaid on `as_of` and more than `grace_days` past due."""
    require_date(as_of, "as_of")
    grace = timedelta(days=require_count(grace_days, "grace_days"))
    instalments = tuple(instalments)
    paid = allocate_to_instalments(instalments, paid_total)
    for instalment, covered in zip(instalments, paid, strict=True):
        if covered < instalment.amount and instalment.due_date + grace < as_of:
            return instalment
    return None


def _require_cents(value: object, name: str) -> Decimal:
    """`value` to 2 decimals if it is a Decimal >= 0 in whole cents, else an error."""
    rounded = require_amount(value, name).quantize(CENT)
    if rounded != value:
        raise DunningRuleError(f"{name} must be in whole cents, got {value}")
    return rounded


def last_due_date(
    count: int, first_date: date, frequency: Frequency, down_payment: bool = False
) -> date:
    """The due date of the last of `count` instalments (after a down payment, one
    period later); an error, never an overflow, past the calendar's end."""
    require_count(count, "count", minimum=1)
    require_date(first_date, "first_date")
    return _step_date(first_date, frequency, count - 1 + int(down_payment))


def months_after(day: date, months: int) -> date:
    """The same day `months` months later (clamped to the month's end)."""
    require_date(day, "day")
    return _step_date(day, Frequency.MONTHLY, require_count(months, "months"))


def _step_date(first_date: date, frequency: Frequency, steps: int) -> date:
    """Due date `steps` periods after `first_date`; months clamp to the month's end."""
    days, months = _STEP[frequency]
    try:
        if not months:
            return first_date + timedelta(days=days * steps)
        # Counted from first_date each time: 31 Jan -> 29 Feb -> 31 Mar keeps the 31st.
        year, month = divmod(first_date.month - 1 + months * steps, 12)
        year, month = first_date.year + year, month + 1
        return date(year, month, min(first_date.day, monthrange(year, month)[1]))
    except (OverflowError, ValueError) as error:
        raise DunningRuleError(
            f"{steps} {frequency.value} steps after {first_date} lie past the year "
            f"{date.max.year}"
        ) from error
