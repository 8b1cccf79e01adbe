from datetime import date
from decimal import Decimal

import pytest

from debtor_dunning.core.credit import free_credit, held_on
from debtor_dunning.core.errors import DunningRuleError

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("held", "until", "day", "expected"),
    [
        (False, None, TODAY, False),
        # the end date of a hold that is not set means nothing
        (False, date(2026, 12, 31), TODAY, False),
        (True, None, TODAY, True),
        (True, None, date(2099, 1, 1), True),
        # the end date is the last day held
        (True, date(2026, 12, 7), TODAY, True),
        (True, date(2026, 12, 6), TODAY, False),
        (True, date(2026, 12, 31), TODAY, True),
    ],
)
def test_credit_hold_lasts_until_its_end_date_included(held, until, day, expected):
    assert held_on(held, until, day) is expected


def test_credit_hold_dates_must_be_dates():
    with pytest.raises(DunningRuleError):
        held_on(True, "2026-12-31", TODAY)
    with pytest.raises(DunningRuleError):
        held_on(True, None, None)


@pytest.mark.parametrize(
    ("limit", "used", "free"),
    [
        (Decimal("10000.00"), Decimal("2500.50"), Decimal("7499.50")),
        (Decimal("10000.00"), Decimal("12000.00"), Decimal("-2000.00")),
        (Decimal("0.00"), Decimal("0.00"), Decimal("0.00")),
        # no limit is not a limit of zero: nothing to say about what is free
        (None, Decimal("12000.00"), None),
    ],
)
def test_free_credit_is_limit_minus_used(limit, used, free):
    assert free_credit(limit, used) == free


@pytest.mark.parametrize(
    ("limit", "used"),
    [(Decimal("-1"), Decimal("0")), (Decimal("1"), 1.0), (1000, Decimal("0"))],
)
def test_free_credit_refuses_bad_input(limit, used):
    with pytest.raises(DunningRuleError):
        free_credit(limit, used)
