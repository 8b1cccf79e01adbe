"""Dutch WIK costs, Belgian consumer caps and the EU fixed compensation."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debtor_dunning.core.calendar import be_public_holidays
from debtor_dunning.core.errors import DunningRuleError
from debtor_dunning.core.fees import (
    be_consumer_damages,
    be_consumer_reminder_fee,
    be_reminder_term_end,
    eu_fixed_compensation,
    nl_collection_costs,
    nl_fourteen_day_term_end,
)

D = Decimal
amounts = st.decimals(min_value=D("0.01"), max_value=D(5_000_000), places=2)


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ("100", "40.00"),  # 15 % = 15.00, raised to the minimum
        ("266.66", "40.00"),  # 15 % = 39.999, still the minimum
        ("266.67", "40.00"),  # 15 % = 40.0005
        ("1000", "150.00"),  # 15 % of 1,000
        ("2500", "375.00"),  # 15 % of 2,500
        ("3000", "425.00"),  # 375 + 10 % of 500
        ("5000", "625.00"),  # 375 + 10 % of 2,500
        ("7000", "725.00"),  # 625 + 5 % of 2,000
        ("10000", "875.00"),  # 625 + 5 % of 5,000
        ("50000", "1275.00"),  # 875 + 1 % of 40,000
        ("200000", "2775.00"),  # 875 + 1 % of 190,000
        ("300000", "3275.00"),  # 2,775 + 0.5 % of 100,000
        ("1000000", "6775.00"),  # 2,775 + 0.5 % of 800,000: exactly the maximum
        ("2000000", "6775.00"),  # 7,275 on the scale, capped at the maximum
        ("1000.03", "150.00"),  # 150.0045 rounds down
        ("1000.05", "150.01"),  # 150.0075 rounds up
    ],
)
def test_wik_scale_per_band(principal, expected):
    assert str(nl_collection_costs(D(principal))) == expected


def test_wik_minimum_is_40():
    assert nl_collection_costs(D("0.01")) == D(40)


def test_wik_maximum_is_6775():
    assert nl_collection_costs(D(10**9)) == D(6775)


def test_wik_on_nothing_owed_is_nothing():
    assert nl_collection_costs(D(0)) == D(0)


@pytest.mark.parametrize(
    ("principal", "vat_rate", "expected"),
    [
        ("1000", "21", "181.50"),  # 150 + 31.50
        ("100", "21", "48.40"),  # minimum 40 + 8.40
        ("1000000", "21", "8197.75"),  # maximum 6,775 + 1,422.75
        ("1000", "9", "163.50"),  # 150 + 13.50
        ("1000.05", "21", "181.51"),  # VAT on the rounded fee: 150.01 + 31.5021
        ("1000", "0", "150.00"),  # VAT deductible: no VAT on the fee
    ],
)
def test_wik_vat_only_on_top_when_not_deductible(principal, vat_rate, expected):
    assert str(nl_collection_costs(D(principal), D(vat_rate))) == expected


@pytest.mark.parametrize(
    ("principal", "vat_rate"),
    [
        (D(-1), D(0)),
        (D(1000), D(-21)),
        (1000.0, D(0)),
        ("1000", D(0)),
        (D("NaN"), D(0)),
    ],
)
def test_wik_rejects_negative_or_non_decimal_input(principal, vat_rate):
    with pytest.raises(DunningRuleError):
        nl_collection_costs(principal, vat_rate)


@given(amounts, amounts)
def test_wik_never_falls_as_the_principal_grows_and_stays_within_40_and_6775(a, b):
    low, high = sorted((a, b))
    assert D(40) <= nl_collection_costs(low) <= nl_collection_costs(high) <= D(6775)


@pytest.mark.parametrize(
    ("balance", "expected"),
    [
        ("0.01", "20.00"),
        ("150", "20.00"),
        ("150.01", "30.00"),  # 30 + 10 % of 0.01
        ("150.05", "30.00"),  # 30.005 rounds down: never half a cent over the cap
        ("400", "55.00"),  # 30 + 10 % of 250
        ("500", "65.00"),  # 30 + 10 % of 350
        ("500.01", "65.00"),  # 65 + 5 % of 0.01
        ("1000", "90.00"),  # 65 + 5 % of 500
        ("39199.99", "1999.99"),  # 65 + 1,934.9995, rounded down
        ("39200", "2000.00"),  # 65 + 5 % of 38,700: exactly the cap
        ("40000", "2000.00"),  # 2,040 capped
    ],
)
def test_be_consumer_damages_per_band_and_cap(balance, expected):
    assert str(be_consumer_damages(D(balance))) == expected


def test_be_consumer_damages_on_nothing_owed_is_nothing():
    assert be_consumer_damages(D(0)) == D(0)


@pytest.mark.parametrize("balance", [D("-0.01"), 150, 150.0, None])
def test_be_consumer_damages_reject_negative_or_non_decimal_balance(balance):
    with pytest.raises(DunningRuleError):
        be_consumer_damages(balance)


@given(amounts, amounts)
def test_be_consumer_damages_never_fall_as_the_balance_grows_and_stay_capped(a, b):
    low, high = sorted((a, b))
    assert D(20) <= be_consumer_damages(low) <= be_consumer_damages(high) <= D(2000)


@pytest.mark.parametrize(
    ("reminder_number", "postage", "expected"),
    [
        (1, "0", "0.00"),
        (1, "1.65", "0.00"),  # the first reminder is free, postage included
        (2, "0", "7.50"),
        (2, "1.65", "9.15"),
        (5, "1.65", "9.15"),
    ],
)
def test_be_reminder_fee_first_free_then_7_50_plus_postage(
    reminder_number, postage, expected
):
    assert str(be_consumer_reminder_fee(reminder_number, D(postage))) == expected


@pytest.mark.parametrize(
    ("reminder_number", "postage"),
    [(0, D(0)), (-1, D(0)), (True, D(0)), (1.5, D(0)), (2, D("-0.01")), (2, 1.65)],
)
def test_be_reminder_fee_rejects_bad_input(reminder_number, postage):
    with pytest.raises(DunningRuleError):
        be_consumer_reminder_fee(reminder_number, postage)


@pytest.mark.parametrize(
    ("invoice_count", "contractual", "expected"),
    [
        (1, None, "40.00"),
        (3, None, "120.00"),  # 40 per invoice, even claimed together (C-585/20)
        (1, D(50), "50.00"),
        (2, D("62.50"), "125.00"),
    ],
)
def test_eu_fixed_compensation_is_40_or_the_contractual_amount_per_invoice(
    invoice_count, contractual, expected
):
    assert str(eu_fixed_compensation(invoice_count, contractual)) == expected


@pytest.mark.parametrize(
    ("invoice_count", "contractual"),
    [(0, None), (-1, None), (True, None), (1, D(-40)), (1, 40.0)],
)
def test_eu_fixed_compensation_rejects_bad_input(invoice_count, contractual):
    with pytest.raises(DunningRuleError):
        eu_fixed_compensation(invoice_count, contractual)


@pytest.mark.parametrize(
    ("letter_date", "by_post", "expected"),
    [
        # Tuesday letter by post: received Thursday 26th, 14 days from the 27th.
        ("2026-11-24", True, "2026-12-10"),
        # by e-mail: received the next day, 14 days from the 26th.
        ("2026-11-24", False, "2026-12-09"),
        # Friday letter by post: received Tuesday 1 December.
        ("2026-11-27", True, "2026-12-15"),
    ],
)
def test_nl_fourteen_day_term_runs_from_the_day_after_presumed_receipt(
    letter_date, by_post, expected
):
    end = nl_fourteen_day_term_end(date.fromisoformat(letter_date), by_post)
    assert end == date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("reminder_date", "by_post", "holidays", "expected"),
    [
        # paper: the term starts on the third working day (Friday 27th), 14 days.
        ("2026-11-24", True, frozenset(), "2026-12-10"),
        # e-mail: it starts on the next working day (Wednesday 25th).
        ("2026-11-24", False, frozenset(), "2026-12-08"),
        # Friday 10 November 2023 e-mail: Armistice Day on Saturday the 11th changes
        # nothing, the term starts Monday 13th.
        ("2023-11-10", False, be_public_holidays(2023), "2023-11-26"),
        # Tuesday 31 October 2023 paper: 1 November is a holiday, so the third
        # working day is Monday 6 November (2nd, 3rd, 6th).
        ("2023-10-31", True, be_public_holidays(2023), "2023-11-19"),
    ],
)
def test_be_reminder_term_counts_working_days_then_fourteen_days(
    reminder_date, by_post, holidays, expected
):
    end = be_reminder_term_end(date.fromisoformat(reminder_date), by_post, holidays)
    assert end == date.fromisoformat(expected)


def test_term_ends_reject_a_non_date():
    with pytest.raises(DunningRuleError):
        nl_fourteen_day_term_end("2026-11-24", True)
    with pytest.raises(DunningRuleError):
        be_reminder_term_end(None, False)
