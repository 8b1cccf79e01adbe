"""Aging buckets and DSO by the count-back method."""

from decimal import Decimal as D

import pytest

from debtor_dunning.core.figures import BUCKETS, Month, bucket, dso_count_back


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (-400, "not_due"),
        (0, "not_due"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "90_plus"),
        (5000, "90_plus"),
    ],
)
def test_bucket_boundaries(days, expected):
    assert bucket(days) == expected


def test_buckets_follow_each_other_without_gap():
    for before, after in zip(BUCKETS, BUCKETS[1:], strict=False):
        assert after.first == before.last + 1


@pytest.mark.parametrize(
    ("balance", "months", "expected"),
    [
        # Half of October's sales still open on top of all of November's:
        # 30 + 500/1000 * 31 = 45.5 days.
        (D("1500"), (Month(30, D("1000")), Month(31, D("1000"))), D("45.5")),
        # Less than the month's own sales: 300/1200 * 30 = 7.5 days.
        (D("300"), (Month(30, D("1200")),), D("7.5")),
        # Exactly the month's sales: the whole month.
        (D("1000"), (Month(30, D("1000")), Month(31, D("1000"))), D("30.0")),
        # A month without sales counts in full.
        (D("500"), (Month(30, D("0")), Month(31, D("1000"))), D("45.5")),
        # Older than the history: all its days, a lower bound.
        (D("5000"), (Month(30, D("1000")), Month(31, D("1000"))), D("61.0")),
        (D("0"), (Month(30, D("1000")),), D("0.0")),
        (D("-20"), (Month(30, D("1000")),), D("0.0")),
        # 1/3 of 31 days = 10.333.. -> 10.3
        (D("100"), (Month(31, D("300")),), D("10.3")),
    ],
)
def test_dso_count_back(balance, months, expected):
    assert dso_count_back(balance, months) == expected
