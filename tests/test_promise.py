"""A promise to pay spread over the invoices it covers, oldest first."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debtor_dunning.core.errors import DunningRuleError
from debtor_dunning.core.promise import allocate_oldest_first


@pytest.mark.parametrize(
    ("amount", "open_amounts", "expected"),
    [
        (D("150"), (D("100"), D("100")), (D("100"), D("50"))),
        (D("200"), (D("100"), D("100")), (D("100"), D("100"))),
        (D("500"), (D("100"), D("100")), (D("100"), D("100"))),
        (D("0"), (D("100"),), (D("0"),)),
        (D("60"), (), ()),
    ],
)
def test_promise_pays_the_oldest_invoice_first(amount, open_amounts, expected):
    assert allocate_oldest_first(amount, open_amounts) == expected


@pytest.mark.parametrize(
    ("amount", "open_amounts"), [(D("-1"), (D("5"),)), (D("1"), (D("-5"),)), (1, ())]
)
def test_promise_refuses_negative_or_float_amounts(amount, open_amounts):
    with pytest.raises(DunningRuleError):
        allocate_oldest_first(amount, open_amounts)


money = st.decimals(min_value=0, max_value=10**6, places=2)


@given(money, st.lists(money, max_size=8))
def test_promise_never_exceeds_the_promise_nor_an_invoice(amount, open_amounts):
    shares = allocate_oldest_first(amount, tuple(open_amounts))
    assert sum(shares, D(0)) == min(amount, sum(open_amounts, D(0)))
    assert all(0 <= s <= o for s, o in zip(shares, open_amounts, strict=True))
