from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from debtor_dunning.core.errors import DunningRuleError
from debtor_dunning.core.escalation import (
    Climb,
    Customer,
    Decision,
    Hold,
    Item,
    Level,
    NoticePlan,
    Policy,
    Reason,
    Stale,
    after_notice,
    ceiling,
    decide,
    due_for_hand_over,
    next_action_date,
    reviewed_ranks,
    stale,
)

MONDAY = date(2025, 3, 3)
TUESDAY = date(2025, 3, 4)
LADDER = (
    Level(1, 7),
    Level(2, 21),
    Level(3, 35, claims_costs=True, claims_interest=True),
    Level(4, 60, claims_costs=True, claims_interest=True, hands_over=True),
)
POLICY = Policy(levels=LADDER)
BY_AGE = Policy(levels=LADDER, climb=Climb.AGE)


def item(days_late, key="INV1", customer="C1", residual="100.00", **fields):
    """An open item `days_late` days past its due date on TUESDAY."""
    return Item(
        key=key,
        customer=customer,
        due_date=TUESDAY - timedelta(days=days_late),
        residual=Decimal(residual),
        **fields,
    )


def run(items, customers=(), as_of=TUESDAY, **policy_fields):
    """decide() with BY_AGE changed by `policy_fields`; unnamed customers are plain.

    Most tests here are about the level an item's age reaches: they climb by age.
    The path up the ladder (Climb.STEP, terms, predecessors) has its own section.
    """
    given_keys = {customer.key for customer in customers}
    plain = {i.customer for i in items} - given_keys
    customers = (*customers, *(Customer(key) for key in sorted(plain)))
    policy = replace(BY_AGE, **policy_fields)
    return decide(policy, items, customers, as_of)


def apply(items, customers, decisions, plans, as_of, term_days=14):
    """Items and customers once `plans` were issued on `as_of` (as production does):
    each notice gives `term_days` to pay."""
    target = {d.key: d.target_rank for d in decisions if d.reason is None}
    listed = {key for plan in plans for key in plan.keys}
    term_end = as_of + timedelta(days=term_days)
    items = [
        after_notice(item, target.get(item.key), as_of, term_end)
        if item.key in listed
        else item
        for item in items
    ]
    noticed = {plan.customer for plan in plans}
    customers = [
        replace(c, last_notice_date=as_of) if c.key in noticed else c for c in customers
    ]
    return items, customers


def by_key(decisions):
    return {d.key: d for d in decisions}


# -- the level an item's age reaches ------------------------------------------------


@pytest.mark.parametrize(
    ("days_late", "target", "reason"),
    [
        (-5, None, Reason.NOT_DUE),
        (0, None, Reason.NOT_DUE),
        (6, None, Reason.NOT_DUE),
        (7, 1, None),
        (20, 1, None),
        (21, 2, None),
        (35, 3, None),
        (59, 3, None),
        (60, 4, None),
        (400, 4, None),
    ],
)
def test_an_item_reaches_the_highest_level_whose_wait_has_passed(
    days_late, target, reason
):
    (decision,), plans = run([item(days_late)])
    assert decision == Decision("INV1", "C1", target, reason, target, 4)
    assert [plan.rank for plan in plans] == ([target] if target else [])


def test_by_age_an_invoice_180_days_late_jumps_to_the_level_its_age_reaches():
    (decision,), plans = run([item(180, residual="2500.00")])
    assert decision.target_rank == 4
    assert plans == (NoticePlan("C1", 4, ("INV1",), Decimal("2500.00")),)
    assert plans[0].ceiling == 4


@pytest.mark.parametrize(
    ("level_rank", "days_late", "reason", "rank"),
    [
        (1, 20, Reason.ALREADY_AT_LEVEL, None),
        (1, 21, None, 2),
        (1, 40, None, 3),  # a missed run does not cost a level
        (3, 40, Reason.ALREADY_AT_LEVEL, None),
        (3, 10, Reason.ALREADY_AT_LEVEL, None),  # never back down
        (4, 400, Reason.LAST_LEVEL_REACHED, None),
        (9, 400, Reason.LAST_LEVEL_REACHED, None),  # the ladder was shortened
    ],
)
def test_an_item_escalates_only_above_its_current_level(
    level_rank, days_late, reason, rank
):
    (decision,), plans = run([item(days_late, level_rank=level_rank)])
    assert decision.reason == reason
    assert [plan.rank for plan in plans] == ([rank] if rank else [])


def test_negative_wait_days_remind_before_due():
    ladder = (Level(1, -3), Level(2, 14))
    items = [item(-3, key="in 3 days"), item(-4, key="in 4 days")]
    decisions, plans = run(items, levels=ladder)
    assert by_key(decisions)["in 3 days"].target_rank == 1
    assert by_key(decisions)["in 4 days"].reason == Reason.NOT_DUE
    assert plans == (NoticePlan("C1", 1, ("in 3 days",), Decimal("100.00")),)


@pytest.mark.parametrize(
    ("grace_days", "tolerance_days", "days_late", "target", "reason"),
    [
        (0, 0, 7, 1, None),
        (5, 0, 11, None, Reason.GRACE),
        (5, 0, 12, 1, None),
        (0, 5, 11, None, Reason.GRACE),
        (3, 2, 12, 1, None),
        (3, 2, 26, 2, None),
        (3, 2, 25, 1, None),
        (5, 0, 6, None, Reason.NOT_DUE),  # not even reached without the grace
    ],
)
def test_grace_and_tolerance_delay_escalation(
    grace_days, tolerance_days, days_late, target, reason
):
    customer = Customer("C1", tolerance_days=tolerance_days)
    (decision,), _ = run([item(days_late)], [customer], grace_days=grace_days)
    assert (decision.target_rank, decision.reason) == (target, reason)


def test_grace_does_not_delay_a_reminder_before_due():
    ladder = (Level(1, -3), Level(2, 0), Level(3, 14))
    items = [item(-3, key="early"), item(0, key="on due"), item(14, key="late")]
    decisions, _ = run(items, levels=ladder, grace_days=10)
    assert [d.target_rank for d in decisions] == [1, 2, 2]


@pytest.mark.parametrize(
    ("habit_shift", "habit_days_late", "days_late", "target"),
    [
        (False, 10, 7, 1),
        (True, 10, 7, None),
        (True, 10, 17, 1),
        (True, 10, 31, 2),
        (True, -10, 0, None),  # paying early never advances the notice
        (True, 0, 7, 1),
    ],
)
def test_habit_shift_delays_escalation(habit_shift, habit_days_late, days_late, target):
    customer = Customer("C1", habit_days_late=habit_days_late)
    (decision,), _ = run([item(days_late)], [customer], habit_shift=habit_shift)
    assert decision.target_rank == target


# -- holds -------------------------------------------------------------------------


def test_no_notice_while_disputed():
    (decision,), plans = run([item(40, hold=Hold.DISPUTED)])
    assert (decision.target_rank, decision.reason) == (3, Reason.DISPUTED)
    assert plans == ()


@pytest.mark.parametrize(
    ("hold", "reason"),
    [
        (Hold.DISPUTED, Reason.DISPUTED),
        (Hold.ARRANGEMENT, Reason.ARRANGEMENT),
        (Hold.PROMISE, Reason.PROMISE),
        (Hold.EXCLUDED, Reason.EXCLUDED),
        (Hold.HANDED_OVER, Reason.HANDED_OVER),
        (Hold.FACTORED, Reason.FACTORED),
    ],
)
def test_no_notice_while_on_hold(hold, reason):
    (decision,), plans = run([item(40, hold=hold)])
    assert decision.reason == reason
    assert plans == ()


@pytest.mark.parametrize(
    ("hold_until", "reason", "notices"),
    [
        (TUESDAY + timedelta(days=30), Reason.EXCLUDED, 0),
        (TUESDAY, Reason.EXCLUDED, 0),  # the end date itself is still excluded
        (TUESDAY - timedelta(days=1), None, 1),
        (None, Reason.EXCLUDED, 0),  # no end date: until lifted by hand
    ],
)
def test_exclusion_end_date_resumes_dunning(hold_until, reason, notices):
    held = item(40, hold=Hold.EXCLUDED, hold_until=hold_until)
    (decision,), plans = run([held])
    assert decision.reason == reason
    assert len(plans) == notices


def test_held_items_neither_ride_along_nor_count_toward_the_total():
    items = [item(40, key="disputed", residual="1000.00", hold=Hold.DISPUTED)]
    items.append(item(10, key="small", residual="20.00"))
    decisions, plans = run(items, min_amount=Decimal(50))
    assert by_key(decisions)["small"].reason == Reason.BELOW_MIN_AMOUNT
    decisions, plans = run(items, min_amount=Decimal(10))
    assert plans == (NoticePlan("C1", 1, ("small",), Decimal("20.00")),)


def test_handed_over_items_do_not_ride_along():
    items = [item(90, key="agency", level_rank=4), item(25, key="fresh")]
    decisions, plans = run(items)
    assert by_key(decisions)["agency"].reason == Reason.LAST_LEVEL_REACHED
    assert plans == (NoticePlan("C1", 2, ("fresh",), Decimal("100.00")),)


def test_last_level_without_hand_over_rides_along_at_its_own_level():
    ladder = LADDER[:3]
    items = [item(90, key="final", level_rank=3), item(25, key="fresh")]
    decisions, plans = run(items, levels=ladder)
    assert by_key(decisions)["final"].reason == Reason.LAST_LEVEL_REACHED
    # The notice takes the level of what escalates: the second reminder.
    assert plans == (NoticePlan("C1", 2, ("final", "fresh"), Decimal("200.00")),)


# -- customer gates ----------------------------------------------------------------


def test_do_not_dun():
    (decision,), plans = run([item(40)], [Customer("C1", do_not_dun=True)])
    assert decision.reason == Reason.DO_NOT_DUN
    assert plans == ()


@pytest.mark.parametrize(
    ("open_credit", "reason"),
    [
        ("0", None),
        ("149.99", None),
        ("150.00", Reason.COVERED_BY_CREDIT),
        ("500.00", Reason.COVERED_BY_CREDIT),
    ],
)
def test_credit_notes_covering_the_debt_stop_the_notice(open_credit, reason):
    customer = Customer("C1", open_credit=Decimal(open_credit))
    items = [item(40, key="a", residual="100.00"), item(8, key="b", residual="50.00")]
    decisions, plans = run(items, [customer])
    assert by_key(decisions)["a"].reason == reason
    assert len(plans) == (reason is None)


@pytest.mark.parametrize(
    ("residuals", "min_amount", "reason"),
    [
        (("49.99",), "50", Reason.BELOW_MIN_AMOUNT),
        (("50.00",), "50", None),
        (("30.00", "20.00"), "50", None),  # the customer's total counts
        (("30.00", "19.99"), "50", Reason.BELOW_MIN_AMOUNT),
        (("0.01",), "0", None),
    ],
)
def test_min_amount(residuals, min_amount, reason):
    items = [item(10, key=n, residual=r) for n, r in enumerate(residuals)]
    decisions, plans = run(items, min_amount=Decimal(min_amount))
    assert {d.reason for d in decisions} == {reason}
    assert len(plans) == (reason is None)


def test_partial_payment_uses_residual():
    partly_paid = item(10, residual="30.00")  # a 100.00 invoice of which 70.00 paid
    (decision,), _ = run([partly_paid], min_amount=Decimal(50))
    assert decision.reason == Reason.BELOW_MIN_AMOUNT
    _, (plan,) = run([partly_paid], min_amount=Decimal(25))
    assert plan.amount == Decimal("30.00")


@pytest.mark.parametrize(
    ("days_ago", "where", "reason"),
    [
        (13, "customer", Reason.MIN_INTERVAL),
        (14, "customer", None),
        (13, "item", Reason.MIN_INTERVAL),
        (14, "item", None),
        (0, "item", Reason.MIN_INTERVAL),
    ],
)
def test_min_interval(days_ago, where, reason):
    last = TUESDAY - timedelta(days=days_ago)
    noticed = item(25, key="noticed", level_rank=1)
    if where == "item":
        noticed = replace(noticed, last_notice_date=last)
        customers = [Customer("C1")]
    else:
        customers = [Customer("C1", last_notice_date=last)]
    decisions, plans = run([noticed], customers, min_interval_days=14)
    assert by_key(decisions)["noticed"].reason == reason
    assert len(plans) == (reason is None)


def test_min_interval_counts_the_latest_notice_to_the_customer():
    items = [
        item(25, key="old", level_rank=1, last_notice_date=TUESDAY - timedelta(40)),
        item(60, key="recent", level_rank=3, hold=Hold.DISPUTED),
    ]
    items[1] = replace(items[1], last_notice_date=TUESDAY - timedelta(days=3))
    decisions, plans = run(items, min_interval_days=14)
    assert by_key(decisions)["old"].reason == Reason.MIN_INTERVAL


@pytest.mark.parametrize(
    ("as_of", "reason"),
    [
        (MONDAY, Reason.NOT_A_SEND_DAY),
        (MONDAY + timedelta(days=1), None),
        (MONDAY + timedelta(days=2), None),
        (MONDAY + timedelta(days=3), None),
        (MONDAY + timedelta(days=4), Reason.NOT_A_SEND_DAY),
        (MONDAY + timedelta(days=5), Reason.NOT_A_SEND_DAY),
        (MONDAY + timedelta(days=6), Reason.NOT_A_SEND_DAY),
    ],
)
def test_no_notices_on_monday(as_of, reason):
    (decision,), plans = run([item(40)], as_of=as_of)
    assert decision.reason == reason
    assert len(plans) == (reason is None)


def test_a_holiday_is_not_a_send_day():
    (decision,), plans = run([item(40)], holidays=frozenset({TUESDAY}))
    assert decision.reason == Reason.NOT_A_SEND_DAY
    assert plans == ()


@pytest.mark.parametrize(
    ("pause", "reason"),
    [
        ((TUESDAY - timedelta(days=9), TUESDAY - timedelta(days=1)), None),
        ((TUESDAY, TUESDAY + timedelta(days=9)), Reason.PAUSE_PERIOD),
        ((TUESDAY - timedelta(days=9), TUESDAY), Reason.PAUSE_PERIOD),
        (
            (TUESDAY - timedelta(days=2), TUESDAY + timedelta(days=2)),
            Reason.PAUSE_PERIOD,
        ),
        ((TUESDAY + timedelta(days=1), TUESDAY + timedelta(days=9)), None),
    ],
)
def test_pause_period(pause, reason):
    (decision,), plans = run([item(40)], pauses=(pause,))
    assert decision.reason == reason
    assert len(plans) == (reason is None)


@pytest.mark.parametrize(
    ("customer", "fields", "reason"),
    [
        (Customer("C1", do_not_dun=True, open_credit=Decimal(500)), {}, "DO_NOT_DUN"),
        (
            Customer("C1", open_credit=Decimal(500)),
            {"min_amount": Decimal(1000)},
            "COVERED_BY_CREDIT",
        ),
        (
            Customer("C1", last_notice_date=TUESDAY),
            {"min_amount": Decimal(1000), "min_interval_days": 7},
            "BELOW_MIN_AMOUNT",
        ),
        (
            Customer("C1", last_notice_date=TUESDAY),
            {"min_interval_days": 7, "send_weekdays": frozenset()},
            "MIN_INTERVAL",
        ),
        (
            Customer("C1"),
            {"send_weekdays": frozenset(), "pauses": ((TUESDAY, TUESDAY),)},
            "PAUSE_PERIOD",
        ),
    ],
)
def test_the_most_lasting_reason_is_given_first(customer, fields, reason):
    (decision,), _ = run([item(40)], [customer], **fields)
    assert decision.reason == Reason[reason]


def test_gates_only_explain_escalating_items():
    items = [item(2, key="not due"), item(40, key="due")]
    decisions, _ = run(items, [Customer("C1", do_not_dun=True)])
    assert by_key(decisions)["not due"].reason == Reason.NOT_DUE
    assert by_key(decisions)["due"].reason == Reason.DO_NOT_DUN


# -- what a notice lists -----------------------------------------------------------


def test_lower_levels_ride_along_with_the_highest():
    items = [
        item(40, key="old", residual="300.00"),
        item(10, key="young", residual="20.00"),
        item(25, key="known", residual="5.00", level_rank=2),
        item(3, key="not due", residual="7.00"),
        item(10, key="other customer", customer="C2"),
    ]
    decisions, plans = run(items)
    assert plans[0] == NoticePlan("C1", 3, ("old", "young", "known"), Decimal("325.00"))
    reasons = {key: d.reason for key, d in by_key(decisions).items()}
    assert reasons["old"] is reasons["young"] is None  # both escalate: 3 and 1
    assert reasons["known"] == Reason.ALREADY_AT_LEVEL


def test_without_aggregation_one_notice_per_level_lists_only_escalating_items():
    items = [
        item(40, key="old", residual="300.00"),
        item(10, key="young", residual="20.00"),
        item(12, key="young too", residual="30.00"),
        item(25, key="known", residual="5.00", level_rank=2),
    ]
    _, plans = run(items, aggregate_to_max=False)
    assert plans == (
        NoticePlan("C1", 1, ("young", "young too"), Decimal("50.00")),
        NoticePlan("C1", 3, ("old",), Decimal("300.00")),
    )


def test_no_notice_without_an_item_above_its_level():
    items = [item(40, key="a", level_rank=3), item(10, key="b", level_rank=1)]
    decisions, plans = run(items)
    assert {d.reason for d in decisions} == {Reason.ALREADY_AT_LEVEL}
    assert plans == ()


def test_instalments_are_dunned_separately():
    instalments = [
        item(25, key=("INV1", 1), residual="100.00"),
        item(-5, key=("INV1", 2), residual="100.00"),
        item(-35, key=("INV1", 3), residual="100.00"),
    ]
    decisions, plans = run(instalments)
    assert [d.target_rank for d in decisions] == [2, None, None]
    assert plans == (NoticePlan("C1", 2, (("INV1", 1),), Decimal("100.00")),)


def test_one_notice_per_customer_in_order_of_appearance():
    items = [item(10, "x", customer="B"), item(40, "y", customer="A")]
    items.append(item(25, "z", customer="B"))
    decisions, plans = run(items)
    assert [d.key for d in decisions] == ["x", "y", "z"]
    assert [(p.customer, p.rank, p.keys) for p in plans] == [
        ("B", 2, ("x", "z")),
        ("A", 3, ("y",)),
    ]


# -- running again -----------------------------------------------------------------


def test_second_run_same_day_issues_nothing():
    items = [item(40, "a"), item(10, "b"), item(25, "c", customer="C2")]
    customers = [Customer("C1"), Customer("C2")]
    decisions, plans = decide(POLICY, items, customers, TUESDAY)
    assert len(plans) == 2
    items, customers = apply(items, customers, decisions, plans, TUESDAY)
    decisions, plans = decide(POLICY, items, customers, TUESDAY)
    assert plans == ()
    assert {d.reason for d in decisions} == {
        Reason.TERM_RUNNING,  # a (40 days) and c (25 days) would climb further
        Reason.ALREADY_AT_LEVEL,  # b (10 days) is where its age puts it
    }


def test_apply_writes_levels_and_notice_dates():
    items = [item(40, "a"), item(10, "b", level_rank=1), item(10, "c", customer="C2")]
    customers = [Customer("C1"), Customer("C2", do_not_dun=True)]
    decisions, plans = decide(POLICY, items, customers, TUESDAY)
    items, customers = apply(items, customers, decisions, plans, TUESDAY)
    assert [(i.level_rank, i.last_notice_date, i.term_end) for i in items] == [
        (1, TUESDAY, TUESDAY + timedelta(days=14)),  # one level: the first
        (1, TUESDAY, TUESDAY + timedelta(days=14)),  # rode along at its own level
        (0, None, None),
    ]
    assert [c.last_notice_date for c in customers] == [TUESDAY, None]


def test_the_next_level_follows_on_a_later_run():
    items, customers = [item(10)], [Customer("C1")]
    # The first notice gives 14 days to pay: the next climbs the day after.
    for as_of, rank in [(TUESDAY, 1), (TUESDAY + timedelta(days=15), 2)]:
        decisions, plans = decide(POLICY, items, customers, as_of)
        assert [plan.rank for plan in plans] == [rank]
        items, customers = apply(items, customers, decisions, plans, as_of)


# -- the path up the ladder --------------------------------------------------------

LAWFUL = (
    Level(1, 7),
    Level(2, 21),
    Level(3, 35, claims_costs=True, requires_previous=True),
    Level(4, 60, hands_over=True, requires_previous=True),
)


@pytest.mark.parametrize(
    ("climb", "days_late", "level_rank", "term_end", "target", "reason"),
    [
        # Never dunned: the first level, whatever its age (going live on a book).
        (Climb.STEP, 180, 0, None, 1, None),
        (Climb.STEP, 10, 0, None, 1, None),
        # One level above its last notice, once that notice's term has passed.
        (Climb.STEP, 180, 1, TUESDAY - timedelta(days=1), 2, None),
        (Climb.STEP, 180, 2, TUESDAY - timedelta(days=1), 3, None),
        (Climb.STEP, 180, 1, TUESDAY, 1, Reason.TERM_RUNNING),  # last day of term
        (Climb.STEP, 180, 1, None, 2, None),  # a level without a term on record
        # Its age still decides how far: the term passed, but 15 days only reach 1.
        (Climb.STEP, 15, 1, TUESDAY - timedelta(days=1), 1, Reason.ALREADY_AT_LEVEL),
        # By age: straight up, but never past a level needing its predecessor.
        (Climb.AGE, 180, 0, None, 2, None),
        (Climb.AGE, 30, 0, None, 2, None),
        (Climb.AGE, 180, 2, TUESDAY - timedelta(days=1), 3, None),
        (Climb.AGE, 180, 3, TUESDAY - timedelta(days=1), 4, None),
        (Climb.AGE, 180, 2, TUESDAY + timedelta(days=3), 2, Reason.TERM_RUNNING),
    ],
)
def test_the_path_climbs_step_by_step_after_each_term(
    climb, days_late, level_rank, term_end, target, reason
):
    policy = Policy(levels=LAWFUL, climb=climb)
    debt = item(days_late, level_rank=level_rank, term_end=term_end)
    (decision,), plans = decide(policy, [debt], [Customer("C1")], TUESDAY)
    assert (decision.target_rank, decision.reason) == (target, reason)
    assert decision.age_rank == {180: 4, 30: 2, 15: 1, 10: 1}[days_late]
    assert [p.rank for p in plans] == ([] if reason else [target])


def test_by_age_without_predecessors_needed_is_the_old_jump():
    (decision,), plans = run([item(180)], levels=LADDER)
    assert (decision.target_rank, decision.age_rank) == (4, 4)


def test_a_fresh_customer_never_starts_above_the_first_level():
    """Going live: a book of old debts, none ever dunned."""
    items = [item(days, key=str(days)) for days in (10, 40, 70, 180, 400)]
    decisions, plans = decide(POLICY, items, [Customer("C1")], TUESDAY)
    assert {d.target_rank for d in decisions} == {1}
    assert [(p.rank, len(p.keys)) for p in plans] == [(1, 5)]


def test_each_later_run_climbs_one_level_after_the_term():
    policy = Policy(levels=LAWFUL)
    items, customers = [item(180)], [Customer("C1")]
    day, seen = TUESDAY, []
    for _run in range(8):
        decisions, plans = decide(policy, items, customers, day)
        seen.append([p.rank for p in plans])
        items, customers = apply(items, customers, decisions, plans, day)
        day += timedelta(days=7)
    # Weekly runs, 14 days to pay: a new level every third week, up to the last.
    assert seen == [[1], [], [], [2], [], [], [3], []]


def test_the_notice_takes_the_highest_lawful_level_of_its_escalating_items():
    items = [
        item(180, key="old", level_rank=1, term_end=TUESDAY - timedelta(days=1)),
        item(180, key="never dunned"),
        item(70, key="in term", level_rank=3, term_end=TUESDAY + timedelta(days=5)),
    ]
    policy = Policy(levels=LAWFUL)
    decisions, plans = decide(policy, items, [Customer("C1")], TUESDAY)
    assert [d.target_rank for d in decisions] == [2, 1, 3]
    assert [d.reason for d in decisions] == [None, None, Reason.TERM_RUNNING]
    # A second reminder; the debt at the notice of default rides along at its level.
    assert plans == (
        NoticePlan("C1", 2, ("old", "never dunned", "in term"), Decimal("300.00")),
    )
    assert plans[0].ceiling == 2


@pytest.mark.parametrize(
    ("climb", "level_rank", "term_end", "expected"),
    [
        (Climb.STEP, 0, None, 1),
        (Climb.STEP, 2, TUESDAY - timedelta(days=1), 3),
        (Climb.STEP, 2, TUESDAY, 2),
        (Climb.AGE, 0, None, 2),  # level 3 needs level 2 sent first
        (Climb.AGE, 2, None, 3),
        (Climb.AGE, 4, None, 4),
    ],
)
def test_ceiling(climb, level_rank, term_end, expected):
    policy = Policy(levels=LAWFUL, climb=climb)
    debt = item(10, level_rank=level_rank, term_end=term_end)
    assert ceiling(policy, debt, TUESDAY) == expected


@pytest.mark.parametrize(
    ("proposed", "notice_rank", "expected"),
    [
        ((2, 1), 2, (2, 1)),  # unchanged
        ((3, 2, 1), 2, (2, 2, 1)),  # lowered: nothing above the notice
        ((2, 1), 3, (3, 1)),  # raised: the lines that set its level follow
        ((), 1, ()),
    ],
)
def test_reviewed_ranks(proposed, notice_rank, expected):
    assert reviewed_ranks(proposed, notice_rank) == expected


def test_after_notice_never_lowers_a_level():
    debt = item(40, level_rank=3)
    assert after_notice(debt, None, TUESDAY, TUESDAY).level_rank == 3
    with pytest.raises(DunningRuleError):
        after_notice(debt, 2, TUESDAY, TUESDAY)


@pytest.mark.parametrize(
    ("level_rank", "term_end", "hold", "expected"),
    [
        (4, TUESDAY - timedelta(days=1), None, True),  # the final term passed
        (4, TUESDAY, None, False),  # its last day: not yet
        (4, None, None, False),  # no term on record: never by itself
        (3, TUESDAY - timedelta(days=1), None, False),  # not a hand-over level
        (4, TUESDAY - timedelta(days=1), Hold.DISPUTED, False),
        (0, None, None, False),
    ],
)
def test_due_for_hand_over_once_the_final_term_passed(
    level_rank, term_end, hold, expected
):
    debt = item(90, level_rank=level_rank, term_end=term_end, hold=hold)
    assert due_for_hand_over(Policy(levels=LAWFUL), debt, TUESDAY) is expected


# -- next dunning date -------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_late", "fields", "policy_fields", "expected"),
    [
        (0, {}, {}, date(2025, 3, 11)),  # reaches level 1 on Tuesday 11 March
        (-6, {}, {}, date(2025, 3, 18)),  # Monday 17 March: next Tuesday
        (40, {}, {}, TUESDAY),  # due now
        (40, {}, {"send_weekdays": frozenset({4})}, date(2025, 3, 7)),
        (40, {"level_rank": 3}, {}, date(2025, 3, 25)),
        (
            0,
            {},
            {"pauses": ((date(2025, 3, 10), date(2025, 3, 16)),)},
            date(2025, 3, 18),
        ),
        (0, {}, {"holidays": frozenset({date(2025, 3, 11)})}, date(2025, 3, 12)),
        (0, {}, {"grace_days": 5}, date(2025, 3, 18)),
        (
            40,
            {"hold": Hold.PROMISE, "hold_until": date(2025, 3, 10)},
            {},
            date(2025, 3, 11),
        ),
        (
            40,
            {"last_notice_date": MONDAY},
            {"min_interval_days": 14},
            date(2025, 3, 18),
        ),
        (40, {"hold": Hold.DISPUTED}, {}, None),
        (400, {"level_rank": 4}, {}, None),
        (40, {}, {"send_weekdays": frozenset()}, None),
    ],
)
def test_next_action_date(days_late, fields, policy_fields, expected):
    policy = replace(POLICY, **policy_fields)
    assert next_action_date(
        policy, item(days_late, **fields), Customer("C1"), TUESDAY
    ) == (expected)


def test_no_next_action_date_for_a_customer_not_to_dun():
    customer = Customer("C1", do_not_dun=True)
    assert next_action_date(POLICY, item(0), customer, TUESDAY) is None


# -- input checks ------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"levels": ()},
        {"levels": (Level(2, 7),)},
        {"levels": (Level(1, 21), Level(2, 7))},
        {"levels": (Level(1, 7, hands_over=True), Level(2, 21))},
        {"grace_days": -1},
        {"min_interval_days": -1},
        {"min_amount": Decimal(-1)},
        {"min_amount": 50.0},
        {"send_weekdays": frozenset({7})},
        {"pauses": ((TUESDAY, MONDAY),)},
    ],
)
def test_an_impossible_policy_is_refused(fields):
    with pytest.raises(DunningRuleError):
        replace(POLICY, **fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"residual": Decimal(0)},
        {"residual": Decimal(-5)},
        {"residual": 100.0},
        {"residual": Decimal("NaN")},
        {"residual": Decimal("Infinity")},
        {"residual": 100},
        {"level_rank": -1},
        {"level_rank": True},
        {"level_rank": 1.0},
        {"due_date": datetime(2025, 3, 4, 12, 0)},  # noqa: DTZ001 - a wrong input
        {"due_date": "2025-03-04"},
        {"last_notice_date": datetime(2025, 3, 4, 12, 0)},  # noqa: DTZ001
        {"hold": Hold.PROMISE, "hold_until": "2025-03-04"},
        {"term_end": 20250304},
    ],
)
def test_an_impossible_item_is_refused(fields):
    with pytest.raises(DunningRuleError):
        replace(item(10), **fields)


class _Date(date):
    """A date of another class (as a frozen clock's): still a date."""


class _Decimal(Decimal):
    pass


def test_an_item_of_subclassed_dates_and_amounts_is_accepted():
    day = _Date(2025, 3, 4)
    fields = {"residual": _Decimal("10.00"), "due_date": day, "term_end": day}
    assert replace(item(10), last_notice_date=day, **fields).term_end == day
    assert Customer("C1", open_credit=_Decimal(0), last_notice_date=day)


@pytest.mark.parametrize(
    "fields",
    [
        {"tolerance_days": -1},
        {"tolerance_days": True},
        {"tolerance_days": 1.5},
        {"open_credit": Decimal(-1)},
        {"open_credit": Decimal("NaN")},
        {"open_credit": 5.0},
        {"last_notice_date": datetime(2025, 3, 4, 12, 0)},  # noqa: DTZ001
        {"last_notice_date": "2025-03-04"},
    ],
)
def test_an_impossible_customer_is_refused(fields):
    with pytest.raises(DunningRuleError):
        Customer("C1", **fields)


def test_an_item_of_an_unknown_customer_is_refused():
    with pytest.raises(DunningRuleError):
        decide(POLICY, [item(10)], [Customer("C2")], TUESDAY)


# -- invariants --------------------------------------------------------------------

waits = st.lists(st.integers(-10, 90), min_size=1, max_size=4).map(sorted)
policies = st.builds(
    lambda waits, grace, interval, minimum, aggregate, habit, monday: Policy(
        levels=tuple(
            Level(rank, wait, hands_over=rank == len(waits) and wait > 40)
            for rank, wait in enumerate(waits, 1)
        ),
        grace_days=grace,
        min_interval_days=interval,
        min_amount=Decimal(minimum),
        aggregate_to_max=aggregate,
        habit_shift=habit,
        send_weekdays=frozenset({0, 1, 2, 3}) if monday else frozenset({1, 2, 3}),
    ),
    waits,
    st.integers(0, 10),
    st.integers(0, 20),
    st.sampled_from([0, 0, 25, 300]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
customer_keys = st.sampled_from(["A", "B", "C"])
customers_st = st.tuples(
    *(
        st.builds(
            Customer,
            key=st.just(key),
            tolerance_days=st.integers(0, 10),
            habit_days_late=st.integers(-10, 20),
            do_not_dun=st.sampled_from([False] * 5 + [True]),
            open_credit=st.sampled_from([Decimal(0), Decimal(0), Decimal(150)]),
            last_notice_date=st.none() | st.dates(date(2024, 12, 1), TUESDAY),
        )
        for key in "ABC"
    )
)
items_st = st.lists(
    st.tuples(
        customer_keys,
        st.dates(date(2024, 6, 1), date(2025, 4, 1)),
        st.integers(1, 50_000).map(lambda cents: Decimal(cents).scaleb(-2)),
        st.sampled_from([0, 0, 0, 1, 2, 5]),
        st.none() | st.dates(date(2024, 12, 1), TUESDAY),
        st.none() | st.none() | st.none() | st.sampled_from(Hold),
        st.none() | st.dates(date(2025, 1, 1), date(2025, 6, 1)),
    ),
    min_size=1,
    max_size=25,
).map(lambda rows: [Item(n, *row) for n, row in enumerate(rows)])
# mostly send days (Tuesday to Thursday of a 2025 week), sometimes any day
days = st.builds(
    lambda week, weekday: date(2025, 1, 6) + timedelta(weeks=week, days=weekday),
    st.integers(0, 51),
    st.sampled_from([1, 1, 2, 2, 3, 3, 0, 4, 5, 6]),
)


@settings(max_examples=150, deadline=None)
@given(policies, customers_st, items_st, days, st.integers(0, 400))
def test_target_rank_never_decreases_as_time_passes(
    policy, customers, items, as_of, later
):
    earlier, _ = decide(policy, items, customers, as_of)
    after, _ = decide(policy, items, customers, as_of + timedelta(days=later))
    for before, now in zip(earlier, after, strict=True):
        assert (before.target_rank or 0) <= (now.target_rank or 0)


@settings(max_examples=150, deadline=None)
@given(policies, customers_st, items_st, days)
def test_a_second_run_after_applying_the_plans_issues_nothing(
    policy, customers, items, as_of
):
    decisions, plans = decide(policy, items, customers, as_of)
    items, customers = apply(items, customers, decisions, plans, as_of)
    assert decide(policy, items, customers, as_of)[1] == ()


@settings(max_examples=150, deadline=None)
@given(policies, customers_st, items_st, days)
def test_held_items_never_appear_in_a_plan(policy, customers, items, as_of):
    decisions, plans = decide(policy, items, customers, as_of)
    held = {i.key for i in items if i.hold_on(as_of) is not None}
    listed = [key for plan in plans for key in plan.keys]
    assert not held.intersection(listed)
    assert len(listed) == len(set(listed))  # and no item is on two notices
    residual = {i.key: i.residual for i in items}
    for plan in plans:
        assert plan.amount == sum(residual[key] for key in plan.keys)
        # the notice's level is the highest its escalating items lawfully reach
        escalating = [d for d in decisions if d.key in plan.keys and d.reason is None]
        assert plan.rank == max(d.target_rank for d in escalating)
        assert all(d.target_rank <= d.ceiling_rank for d in escalating)


@pytest.mark.parametrize(
    ("locked", "settled", "hold", "until", "last", "expected"),
    [
        (True, False, None, None, None, None),
        (False, False, None, None, None, Stale.LOCKED),
        (True, True, None, None, None, Stale.PAID),
        (True, False, Hold.DISPUTED, None, None, Stale.HELD),
        (True, False, Hold.PROMISE, TUESDAY, None, Stale.HELD),
        (True, False, Hold.PROMISE, MONDAY, None, None),  # the promise was broken
        (True, False, None, None, TUESDAY, Stale.NOTICED),
        (True, False, None, None, MONDAY, None),
    ],
)
def test_a_proposed_line_is_checked_again_at_issue(
    locked, settled, hold, until, last, expected
):
    assert stale(locked, settled, hold, until, last, TUESDAY) is expected
