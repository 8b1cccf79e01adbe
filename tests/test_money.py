"""Decimal rounding of money and the float boundary."""

import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import pytest
from hypothesis import given, settings
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


# Roundings of every shape: powers of ten (as floats, strings, Decimals, with
# trailing zeros), other steps, and the smallest power of ten of the float fast path.
ROUNDINGS = [
    0.01,
    0.001,
    0.1,
    1.0,
    1,
    10,
    "0.01",
    "0.010",
    "1E+1",
    Decimal("0.01"),
    Decimal("1.00"),
    1e-13,
    0.05,
    0.25,
    0.5,
    "0.02",
    Decimal("0.0001"),
]


def _step_of(rounding) -> Decimal:
    return Decimal(repr(rounding)) if type(rounding) is float else Decimal(rounding)


def _half_up(value: Decimal, rounding) -> Fraction:
    """`value` rounded half-up (away from zero) to a multiple of `rounding`, exactly."""
    step = Fraction(_step_of(rounding))
    quotient = Fraction(value) / step
    whole = math.floor(abs(quotient) + Fraction(1, 2))
    return (whole if quotient >= 0 else -whole) * step


@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [
        (0.005, 0.01, "0.01"),
        (-0.005, 0.01, "-0.01"),
        (0.015, 0.01, "0.02"),  # 0.01499999... in binary, 0.015 by its repr
        (2.675, 0.01, "2.68"),
        (-2.675, 0.01, "-2.68"),
        (1.005, "0.010", "1.010"),
        (-0.004, 0.01, "-0.00"),
        (0.125, 0.05, "0.15"),
        (-0.025, 0.05, "-0.05"),
        (0.0005, 0.001, "0.001"),
        (2.5, 1, "3"),
        (-2.5, 1.0, "-3.0"),
        (15.0, 10, "20"),
        (15.0, "1E+1", "2E+1"),
        (999999999999999.9, 1, "1000000000000000"),
        (999999999999999.9, 1e-13, "999999999999999.9000000000000"),
        (123456789012.345, 0.01, "123456789012.35"),
        (1e15 + 0.5, 0.01, "1000000000000000.50"),  # beyond the fast path
        (1e-07, 1e-13, "1.000000E-7"),
    ],
)
def test_to_decimal_of_a_float_rounds_its_repr_half_up(value, rounding, expected):
    assert str(to_decimal(value, rounding)) == expected


@settings(max_examples=1000)
@given(
    st.one_of(
        st.floats(min_value=-2e15, max_value=2e15),
        # halves of the last place: where half-up differs from the binary value
        st.builds(
            lambda whole, places: float(
                Decimal(whole).scaleb(-places) + Decimal(5).scaleb(-places - 1)
            ),
            st.integers(-(10**12), 10**12),
            st.integers(0, 3),
        ),
    ),
    st.sampled_from(ROUNDINGS),
)
def test_to_decimal_of_a_float_is_its_decimal_repr_rounded(value, rounding):
    try:
        general = to_decimal(Decimal(repr(value)), rounding)
    except InvalidOperation:  # more digits than the context's 28
        with pytest.raises(InvalidOperation):
            to_decimal(value, rounding)
        return
    result = to_decimal(value, rounding)
    # the same Decimal as the general formula's: value, exponent and sign of a zero
    assert result.as_tuple() == general.as_tuple()
    assert result == _half_up(Decimal(repr(value)), rounding)
    assert result.as_tuple().exponent == _step_of(rounding).as_tuple().exponent


@pytest.mark.parametrize("rounding", [0.01, 0.05, 1, 0.001, "0.010", 0.1])
def test_to_decimal_of_every_thousandth_is_that_of_its_decimal(rounding):
    for thousandths in range(-20_000, 20_001):
        value = thousandths / 1000  # 0.005, 2.675, -0.125, ...: halves included
        general = to_decimal(Decimal(repr(value)), rounding)
        assert to_decimal(value, rounding).as_tuple() == general.as_tuple(), value


def test_to_decimal_does_not_mix_up_equal_roundings_of_other_exponents():
    assert str(to_decimal(1234.5, 1.0)) == "1235.0"
    assert str(to_decimal(1234.5, Decimal("1.00"))) == "1235.00"
    assert str(to_decimal(1234.5, Decimal(1))) == "1235"
    assert str(to_decimal(1234.5, 1)) == "1235"
    assert str(to_decimal(1234.5, 1.0)) == "1235.0"


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
