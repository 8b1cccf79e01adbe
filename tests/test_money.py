"""Decimal rounding of money and the float boundary."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debtor_dunning.core.errors import DunningRuleError
from debtor_dunning.core.money import cents, split_pro_rata, to_decimal, to_float


@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [
        (12.5, 0.01, "12.50"),
        (7, 0.01, "7.00"),
        ("19.999", 0.01, "20.00"),
        (Decimal("3.14159"), 0.01, "3.14"),
        # 2.675 is stored as 2.67499999..., but its shortest repr is what Odoo shows
        (2.675, 0.01, "2.68"),
        (0.1 + 0.2, 0.01, "0.30"),
        ("1.005", 0.01, "1.01"),
        ("-1.005", 0.01, "-1.01"),
        (1.03, 0.05, "1.05"),
        (1.02, 0.05, "1.00"),
        (1234.5, 1.0, "1235.0"),
        (1234.5678, "0.001", "1234.568"),
    ],
)
def test_to_decimal_rounds_half_up_to_the_currency_rounding(value, rounding, expected):
    assert str(to_decimal(value, rounding)) == expected


@pytest.mark.parametrize(
    ("value", "rounding"),
    [
        ("abc", 0.01),
        (float("nan"), 0.01),
        (float("inf"), 0.01),
        (None, 0.01),
        (True, 0.01),
        (1.0, 0),
        (1.0, -0.01),
    ],
)
def test_to_decimal_rejects_what_is_not_a_finite_number(value, rounding):
    with pytest.raises(DunningRuleError):
        to_decimal(value, rounding)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.005", "0.01"),
        ("0.0049", "0.00"),
        ("-0.005", "-0.01"),
        ("2.345", "2.35"),
        ("1", "1.00"),
    ],
)
def test_cents_rounds_half_up(amount, expected):
    assert str(cents(Decimal(amount))) == expected


@pytest.mark.parametrize("amount", [0.1, "0.10", 1, Decimal("NaN")])
def test_cents_accepts_only_a_finite_decimal(amount):
    with pytest.raises(DunningRuleError):
        cents(amount)


def test_to_float_gives_the_monetary_field_value():
    assert to_float(Decimal("12.34")) == 12.34


def test_to_float_accepts_only_a_decimal():
    with pytest.raises(DunningRuleError):
        to_float("12.34")


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2))
def test_cent_amounts_survive_the_float_round_trip(amount):
    assert to_decimal(to_float(amount)) == amount


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        ("100.00", ["1", "1"], ["50.00", "50.00"]),
        ("100.00", ["1", "1", "1"], ["33.33", "33.34", "33.33"]),  # running total
        ("0.02", ["1", "1", "1", "1"], ["0.01", "0.00", "0.01", "0.00"]),
        ("425.00", ["1000", "2000"], ["141.67", "283.33"]),
        ("40.00", ["5"], ["40.00"]),
        ("0.00", ["0", "0"], ["0.00", "0.00"]),
    ],
)
def test_split_pro_rata_adds_up_to_the_total(total, weights, expected):
    parts = split_pro_rata(Decimal(total), [Decimal(w) for w in weights])
    assert [str(part) for part in parts] == expected


@pytest.mark.parametrize(
    ("total", "weights"),
    [
        (Decimal(10), []),
        (Decimal(10), [Decimal(0)]),
        (Decimal(-1), [Decimal(1)]),
        (Decimal(10), [Decimal(-1), Decimal(2)]),
        (10, [Decimal(1)]),
    ],
)
def test_split_pro_rata_rejects_what_cannot_be_split(total, weights):
    with pytest.raises(DunningRuleError):
        split_pro_rata(total, weights)


@given(
    st.decimals(min_value=0, max_value=100_000, places=2),
    st.lists(
        st.decimals(min_value="0.01", max_value=100_000, places=2),
        min_size=1,
        max_size=8,
    ),
)
def test_split_pro_rata_parts_sum_to_the_total(total, weights):
    parts = split_pro_rata(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    assert all(part >= 0 for part in parts)
