from datetime import date, timedelta
from itertools import product

import pytest

from debtor_dunning.core.errors import DunningRuleError
from debtor_dunning.core.holds import Hold, HoldFacts, hold_on, resolve

TODAY = date(2026, 11, 24)
PAST = TODAY - timedelta(days=3)
FUTURE = TODAY + timedelta(days=10)
LATER = TODAY + timedelta(days=30)


@pytest.mark.parametrize(
    ("facts", "stored"),
    [
        ({}, (None, None)),
        ({"handed_over": True, "disputed": True}, (Hold.HANDED_OVER, None)),
        # sold to a factor that duns it: held for good, before any dispute
        ({"factored": True, "disputed": True}, (Hold.FACTORED, None)),
        ({"factored": True, "promise_until": LATER}, (Hold.FACTORED, None)),
        ({"handed_over": True, "factored": True}, (Hold.HANDED_OVER, None)),
        ({"disputed": True, "arrangement": True}, (Hold.DISPUTED, None)),
        ({"arrangement": True, "promise_until": FUTURE}, (Hold.ARRANGEMENT, None)),
        ({"promise_until": FUTURE}, (Hold.PROMISE, FUTURE)),
        ({"excluded": True}, (Hold.EXCLUDED, None)),
        ({"excluded": True, "excluded_until": FUTURE}, (Hold.EXCLUDED, FUTURE)),
        # the end date of an exclusion that is not set means nothing
        ({"excluded_until": FUTURE}, (None, None)),
        # an exclusion until lifted outlasts any promise
        ({"excluded": True, "promise_until": LATER}, (Hold.EXCLUDED, None)),
        # two dated holds: the one that lasts longest is stored
        (
            {"promise_until": PAST, "excluded": True, "excluded_until": FUTURE},
            (Hold.EXCLUDED, FUTURE),
        ),
        (
            {"promise_until": LATER, "excluded": True, "excluded_until": FUTURE},
            (Hold.PROMISE, LATER),
        ),
        (
            {"promise_until": FUTURE, "excluded": True, "excluded_until": FUTURE},
            (Hold.PROMISE, FUTURE),
        ),
    ],
)
def test_the_stored_hold(facts, stored):
    assert resolve(HoldFacts(**facts)) == stored


@pytest.mark.parametrize(
    ("hold", "until", "day", "expected"),
    [
        (None, None, TODAY, None),
        (Hold.DISPUTED, None, LATER, Hold.DISPUTED),
        (Hold.PROMISE, TODAY, TODAY, Hold.PROMISE),  # its last day still holds
        (Hold.PROMISE, TODAY, TODAY + timedelta(days=1), None),
        (Hold.EXCLUDED, FUTURE, TODAY, Hold.EXCLUDED),
    ],
)
def test_hold_on_a_day(hold, until, day, expected):
    assert hold_on(hold, until, day) is expected


DATES = (None, PAST, TODAY, FUTURE)


@pytest.mark.parametrize(
    ("handed_over", "disputed", "arrangement", "promise", "excluded", "until"),
    list(
        product(
            (False, True), (False, True), (False, True), DATES, (False, True), DATES
        )
    ),
)
def test_every_combination_holds_exactly_when_one_of_its_holds_applies(
    handed_over, disputed, arrangement, promise, excluded, until
):
    """Stored once, read on any day: held exactly when some raw hold applies."""
    facts = HoldFacts(handed_over, disputed, arrangement, promise, excluded, until)
    hold, last = resolve(facts)
    for day in (PAST, TODAY, FUTURE, LATER):
        applies = (
            handed_over
            or disputed
            or arrangement
            or (promise is not None and day <= promise)
            or (excluded and (until is None or day <= until))
        )
        assert (hold_on(hold, last, day) is not None) == applies, day


def test_hold_dates_must_be_dates():
    with pytest.raises(DunningRuleError):
        HoldFacts(promise_until="2026-12-01")
