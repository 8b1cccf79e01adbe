"""Which dunning notice an overdue debt has reached, or why it is on hold.

The path up the ladder is the one a careful credit controller takes: a debt never
dunned starts at the first level; it climbs only after the term its last notice gave
has passed; by default one level per notice (`Climb.STEP`), or straight to the level
its age reaches (`Climb.AGE`) for companies that want that; and never past a level that
requires its predecessor to have been sent for the same debt (the notice of default,
the Dutch 14-day letter, the hand-over).
"""

from bisect import bisect_right
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from .calendar import Pause, in_pause, is_send_day, next_send_day
from .errors import DunningRuleError, require_amount, require_count, require_date
from .holds import Hold, hold_on

__all__ = ["Hold"]  # re-exported: the hold kinds are part of this module's input


class Climb(Enum):
    """How far one notice may take a debt up the ladder."""

    STEP = "step"  # one level above its last notice (the first level if none)
    AGE = "age"  # straight to the level its age reaches


class Reason(Enum):
    """Why an item does not escalate today."""

    NOT_DUE = "not_due"
    GRACE = "grace"
    DISPUTED = "disputed"
    ARRANGEMENT = "arrangement"
    PROMISE = "promise"
    EXCLUDED = "excluded"
    HANDED_OVER = "handed_over"
    FACTORED = "factored"
    DO_NOT_DUN = "do_not_dun"
    BELOW_MIN_AMOUNT = "below_min_amount"
    COVERED_BY_CREDIT = "covered_by_credit"
    MIN_INTERVAL = "min_interval"
    NOT_A_SEND_DAY = "not_a_send_day"
    PAUSE_PERIOD = "pause_period"
    LAST_LEVEL_REACHED = "last_level_reached"
    ALREADY_AT_LEVEL = "already_at_level"
    TERM_RUNNING = "term_running"  # the term its last notice gave has not passed


_HOLD_REASON = {hold: Reason[hold.name] for hold in Hold}


@dataclass(frozen=True, slots=True)
class Level:
    """One step of the ladder; wait_days counts from the due date (negative: before)."""

    rank: int
    wait_days: int
    claims_costs: bool = False
    claims_interest: bool = False
    hands_over: bool = False
    requires_previous: bool = False  # the level before it was sent for this debt


@dataclass(frozen=True, slots=True)
class Policy:
    """A company's dunning ladder and when notices may go out."""

    levels: tuple[Level, ...]
    grace_days: int = 0
    min_amount: Decimal = Decimal(0)
    min_interval_days: int = 0
    send_weekdays: frozenset[int] = frozenset({1, 2, 3})  # Tue, Wed, Thu
    pauses: tuple[Pause, ...] = ()
    habit_shift: bool = False
    aggregate_to_max: bool = True
    holidays: frozenset[date] = frozenset()
    climb: Climb = Climb.STEP

    def __post_init__(self):
        _check_levels(self.levels)
        require_count(self.grace_days, "grace_days")
        require_count(self.min_interval_days, "min_interval_days")
        require_amount(self.min_amount, "min_amount")
        if not set(self.send_weekdays) <= set(range(7)):
            raise DunningRuleError("send_weekdays must be numbers 0 (Monday) to 6")
        if any(start > end for start, end in self.pauses):
            raise DunningRuleError("a pause must not end before it starts")


def _check_levels(levels: tuple[Level, ...]) -> None:
    """A ladder is ranked 1..n, waits never shrink and only its end hands over."""
    if not levels:
        raise DunningRuleError("a dunning ladder needs at least one level")
    if [level.rank for level in levels] != list(range(1, len(levels) + 1)):
        raise DunningRuleError("level ranks must be 1..n in order")
    waits = [level.wait_days for level in levels]
    if waits != sorted(waits):
        raise DunningRuleError("wait_days must not decrease from one level to the next")
    if any(level.hands_over for level in levels[:-1]):
        raise DunningRuleError("only the last level may hand over to collection")


@dataclass(frozen=True, slots=True)
class Item:
    """One open receivable line: an invoice, or one instalment of it."""

    key: Hashable
    customer: Hashable
    due_date: date
    residual: Decimal  # company currency; credits belong in Customer.open_credit
    level_rank: int = 0
    last_notice_date: date | None = None
    hold: Hold | None = None
    hold_until: date | None = None  # last day of the hold; None: until lifted
    term_end: date | None = None  # last day of the term its last notice gave

    def __post_init__(self):
        # A run builds an item per open invoice: what is exactly of the expected type
        # and in range is checked here at once; anything else goes to the full checks,
        # which accept subclasses and say what is wrong.
        residual, level_rank = self.residual, self.level_rank
        if not (type(residual) is Decimal and residual.is_finite() and residual > 0):
            require_amount(residual, "residual")
            if residual == 0:
                raise DunningRuleError("residual must be positive, got 0")
        if type(level_rank) is not int or level_rank < 0:
            require_count(level_rank, "level_rank")
        if type(self.due_date) is not date:
            require_date(self.due_date, "due_date")
        last, until, term = self.last_notice_date, self.hold_until, self.term_end
        if last is not None and type(last) is not date:
            require_date(last, "last_notice_date")
        if until is not None and type(until) is not date:
            require_date(until, "hold_until")
        if term is not None and type(term) is not date:
            require_date(term, "term_end")

    def hold_on(self, day: date) -> Hold | None:
        """The hold that applies on `day`, if any."""
        return hold_on(self.hold, self.hold_until, day)


@dataclass(frozen=True, slots=True)
class Customer:
    """What the rules need to know about the debtor of some items."""

    key: Hashable
    tolerance_days: int = 0
    habit_days_late: int = 0  # signed; only the lateness (> 0) shifts, see shift_days
    do_not_dun: bool = False
    open_credit: Decimal = Decimal(0)  # open credit notes + unreconciled payments
    last_notice_date: date | None = None

    def __post_init__(self):
        # As Item's: exact types at once, anything else through the full checks.
        tolerance, credit, last = (
            self.tolerance_days,
            self.open_credit,
            self.last_notice_date,
        )
        if type(tolerance) is not int or tolerance < 0:
            require_count(tolerance, "tolerance_days")
        if not (type(credit) is Decimal and credit.is_finite() and credit >= 0):
            require_amount(credit, "open_credit")
        if last is not None and type(last) is not date:
            require_date(last, "last_notice_date")


@dataclass(frozen=True, slots=True)
class Decision:
    """Level an item may lawfully reach on `as_of` and why it does not escalate to it.

    reason is None exactly when the item escalates today to target_rank. age_rank is
    the level its age alone reaches: above target_rank when the path holds it back.
    ceiling_rank is the highest level the path allows it now, whatever its age: what a
    reviewer may raise its notice to.
    """

    key: Hashable
    customer: Hashable
    target_rank: int | None
    reason: Reason | None
    age_rank: int | None = None
    ceiling_rank: int | None = None


@dataclass(frozen=True, slots=True)
class NoticePlan:
    """One notice to issue: its level, the items it lists and their total residual.

    ceiling is the highest level a reviewer may raise the notice to.
    """

    customer: Hashable
    rank: int
    keys: tuple[Hashable, ...]
    amount: Decimal
    ceiling: int = field(default=0, compare=False)


def shift_days(policy: Policy, customer: Customer) -> int:
    """Days by which this customer's escalation is delayed past the ladder's waits."""
    shift = policy.grace_days + customer.tolerance_days
    if policy.habit_shift:
        shift += max(0, customer.habit_days_late)
    return shift


def thresholds(policy: Policy, shift: int) -> tuple[int, ...]:
    """Days overdue at which each level is reached, in rank order."""
    # A level on or before the due date is a courtesy reminder, not a claim: grace,
    # tolerance and habit delay only the claims, or a reminder would come after all.
    return tuple(
        level.wait_days + shift if level.wait_days > 0 else level.wait_days
        for level in policy.levels
    )


def _run_block(policy: Policy, as_of: date) -> Reason | None:
    """Why no notice at all may go out on `as_of`."""
    if in_pause(as_of, policy.pauses):
        return Reason.PAUSE_PERIOD
    if not is_send_day(as_of, policy.send_weekdays, (), policy.holidays):
        return Reason.NOT_A_SEND_DAY
    return None


class _Account:
    """What one run gathers about one customer's items."""

    __slots__ = ("customer", "dunnable", "escalating", "last_notice", "steps", "total")

    def __init__(self, customer: Customer, steps: tuple[int, ...]):
        self.customer = customer
        self.steps = steps
        self.dunnable: list[int] = []  # indexes of the items a notice may list
        self.escalating = False
        self.total = Decimal(0)
        self.last_notice = customer.last_notice_date

    def note(self, notice_date: date) -> None:
        """Remember an item's last notice: the customer's latest counts."""
        if self.last_notice is None or notice_date > self.last_notice:
            self.last_notice = notice_date

    def gate(self, policy: Policy, as_of: date, run_block: Reason | None):
        """Why this customer gets no notice although an item escalates."""
        if self.customer.do_not_dun:
            return Reason.DO_NOT_DUN
        if self.customer.open_credit >= self.total:
            return Reason.COVERED_BY_CREDIT
        if self.total < policy.min_amount:
            return Reason.BELOW_MIN_AMOUNT
        last = self.last_notice
        if last is not None and (as_of - last).days < policy.min_interval_days:
            return Reason.MIN_INTERVAL
        return run_block


def _accounts(policy: Policy, items: tuple[Item, ...], customers: Iterable[Customer]):
    """One _Account per customer with items, in order of first appearance."""
    known = {customer.key: customer for customer in customers}
    steps_by_shift: dict[int, tuple[int, ...]] = {}
    accounts: dict[Hashable, _Account] = {}
    for item in items:
        if item.customer in accounts:
            continue
        customer = known.get(item.customer)
        if customer is None:
            raise DunningRuleError("an item's customer is missing from customers")
        shift = shift_days(policy, customer)
        if shift not in steps_by_shift:
            steps_by_shift[shift] = thresholds(policy, shift)
        accounts[item.customer] = _Account(customer, steps_by_shift[shift])
    return accounts


def ceiling(policy: Policy, item: Item, as_of: date) -> int:
    """The highest level the path allows `item` on `as_of`, whatever its age."""
    levels = policy.levels
    rank = min(item.level_rank, len(levels))
    if item.term_end is not None and as_of <= item.term_end:
        return rank  # the debtor still has the term its last notice gave
    top = rank + 1
    if policy.climb is Climb.AGE:
        # Up to the level before the next one that needs its predecessor sent.
        while top < len(levels) and not levels[top].requires_previous:
            top += 1
    return min(top, len(levels))


def _own_reason(item: Item, hold, age: int, top: int, overdue: int, ladder):
    """Why the item, seen alone, does not escalate today; None if it does."""
    last_rank, first_wait = ladder
    if hold is not None:
        return _HOLD_REASON[hold]
    if item.level_rank >= last_rank:
        return Reason.LAST_LEVEL_REACHED
    if not age:
        # Reached without grace, tolerance and habit, it is only held by them.
        return Reason.GRACE if overdue >= first_wait else Reason.NOT_DUE
    if age <= item.level_rank:
        return Reason.ALREADY_AT_LEVEL
    if top <= item.level_rank:
        return Reason.TERM_RUNNING
    return None


def _assess(policy: Policy, items: tuple[Item, ...], accounts, as_of: date):
    """Per item: its Decision (without the customer's gates)."""
    ladder = len(policy.levels), policy.levels[0].wait_days
    # at a level that hands over, the debt is the collection agency's
    handed_over = {level.rank for level in policy.levels if level.hands_over}
    decisions: list[Decision] = []
    for index, item in enumerate(items):
        account = accounts[item.customer]
        if item.last_notice_date is not None:
            account.note(item.last_notice_date)
        overdue = (as_of - item.due_date).days
        age = bisect_right(account.steps, overdue)
        top = ceiling(policy, item, as_of)
        target = min(age, top) or None
        hold = item.hold_on(as_of)
        reason = _own_reason(item, hold, age, top, overdue, ladder)
        if reason is None:
            account.escalating = True
        if hold is None and age and item.level_rank not in handed_over:
            account.dunnable.append(index)
            account.total += item.residual
        decisions.append(
            Decision(item.key, item.customer, target, reason, age or None, top)
        )
    return decisions


def _plans(policy, items, accounts, decisions):
    """The notices of the customers left with an escalating item after the gates.

    A notice takes the highest level its escalating items may lawfully reach; the
    other items not on hold ride along at their own level.
    """
    plans = []
    for account in accounts.values():
        if not account.escalating:
            continue
        escalating = [i for i in account.dunnable if decisions[i].reason is None]
        if policy.aggregate_to_max:
            top = max(decisions[i].target_rank for i in escalating)
            groups = {top: account.dunnable}
        else:
            groups = {}
            for i in escalating:
                groups.setdefault(decisions[i].target_rank, []).append(i)
        for rank in sorted(groups):
            indexes = groups[rank]
            plans.append(
                NoticePlan(
                    customer=account.customer.key,
                    rank=rank,
                    keys=tuple(items[i].key for i in indexes),
                    amount=sum((items[i].residual for i in indexes), Decimal(0)),
                    ceiling=max(
                        rank,
                        *(
                            decisions[i].ceiling_rank
                            for i in indexes
                            if decisions[i].reason is None
                        ),
                    ),
                )
            )
    return tuple(plans)


def decide(
    policy: Policy, items: Iterable[Item], customers: Iterable[Customer], as_of: date
) -> tuple[tuple[Decision, ...], tuple[NoticePlan, ...]]:
    """Per item the level it may lawfully reach on `as_of`; per customer what to send.

    Decisions follow the order of `items`; plans the order in which customers first
    appear. An item reaches the lower of the level its age reaches and the level its
    path allows (`ceiling`). With aggregate_to_max a customer gets one notice at the
    highest level its escalating items reach, listing every overdue item not on hold;
    without it one notice per level reached today, listing only the items escalating
    to it. A customer's escalating items carry the first gate that stops the notice:
    do_not_dun, credit, minimum amount, minimum interval, then pause and send day
    (which stop the whole run). Once a plan is issued, each item it lists is
    `after_notice` (its escalating items at target_rank, the others at their own).
    """
    require_date(as_of, "as_of")
    items = tuple(items)
    accounts = _accounts(policy, items, customers)
    decisions = _assess(policy, items, accounts, as_of)
    run_block = _run_block(policy, as_of)
    for account in accounts.values():
        if not account.escalating:
            continue
        gate = account.gate(policy, as_of, run_block)
        if gate is not None:
            account.escalating = False
            for i in account.dunnable:
                if decisions[i].reason is None:
                    decisions[i] = replace(decisions[i], reason=gate)
    return tuple(decisions), _plans(policy, items, accounts, decisions)


@dataclass(frozen=True, slots=True)
class Position:
    """Where a debt stands on the ladder: what `after_notice` changes of an Item."""

    level_rank: int = 0
    last_notice_date: date | None = None
    term_end: date | None = None


def after_notice(item, rank: int | None, notice_date: date, term_end: date | None):
    """`item` (an Item or a Position) once a notice dated `notice_date` listed it.

    rank is the level the notice raised it to (None: it rode along at its own level);
    term_end the last day of the term the notice gave: it climbs no further before.
    """
    require_date(notice_date, "notice_date")
    if rank is not None and rank < item.level_rank:
        raise DunningRuleError("a notice never lowers a debt's level")
    return replace(
        item,
        level_rank=item.level_rank if rank is None else rank,
        last_notice_date=notice_date,
        term_end=term_end,
    )


def reviewed_ranks(proposed: tuple[int, ...], notice_rank: int) -> tuple[int, ...]:
    """The levels of a notice's escalating lines once a reviewer set its level.

    Lowered: no line goes above the notice's level. Raised: the lines that set the
    notice's level go up with it; the others keep their own.
    """
    require_count(notice_rank, "notice_rank", minimum=1)
    if not proposed:
        return ()
    top = max(proposed)
    if notice_rank < top:
        return tuple(min(rank, notice_rank) for rank in proposed)
    return tuple(notice_rank if rank == top else rank for rank in proposed)


class Stale(Enum):
    """Why a proposed notice line must not go out after all (checked at issue)."""

    LOCKED = "locked"  # another run is issuing it right now
    PAID = "paid"
    HELD = "held"
    NOTICED = "noticed"  # another notice listed it on or after this notice's date


def stale(
    locked: bool,
    settled: bool,
    hold: Hold | None,
    hold_until: date | None,
    last_notice_date: date | None,
    notice_date: date,
) -> Stale | None:
    """Why a line proposed for a notice dated `notice_date` is stale now, or None.

    Read again at issue, after the lock: the proposal may be days old.
    """
    if not locked:
        return Stale.LOCKED
    if settled:
        return Stale.PAID
    if hold_on(hold, hold_until, notice_date) is not None:
        return Stale.HELD
    if last_notice_date is not None and last_notice_date >= notice_date:
        return Stale.NOTICED
    return None


def due_for_hand_over(policy: Policy, item: Item, as_of: date) -> bool:
    """Whether the debt goes to the collection agency on `as_of`.

    Its last notice was of a level that hands over and the term it gave passed
    without payment (the item is still open) and without a hold.
    """
    if not 0 < item.level_rank <= len(policy.levels):
        return False
    level = policy.levels[item.level_rank - 1]
    return (
        level.hands_over
        and item.term_end is not None
        and as_of > item.term_end
        and item.hold_on(as_of) is None
    )


def next_action_date(
    policy: Policy, item: Item, customer: Customer, as_of: date
) -> date | None:
    """First day from `as_of` on which the item escalates past its current level.

    Assumes nothing changes meanwhile; the amount gates (min_amount, credit) cannot be
    foreseen and are ignored. None when the item never escalates by itself.
    """
    hold = item.hold_on(as_of)
    if customer.do_not_dun or item.level_rank >= len(policy.levels):
        return None
    if hold is not None and item.hold_until is None:
        return None
    steps = thresholds(policy, shift_days(policy, customer))
    day = max(as_of, item.due_date + timedelta(days=steps[item.level_rank]))
    if hold is not None:
        day = max(day, item.hold_until + timedelta(days=1))
    if item.term_end is not None:
        day = max(day, item.term_end + timedelta(days=1))
    last_dates = [
        d for d in (customer.last_notice_date, item.last_notice_date) if d is not None
    ]
    if last_dates and policy.min_interval_days:
        day = max(day, max(last_dates) + timedelta(days=policy.min_interval_days))
    return next_send_day(day, policy.send_weekdays, policy.pauses, policy.holidays)
