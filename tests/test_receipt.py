"""Presumed receipt of a notice and the term that runs from it (core.law)."""

from datetime import date

import pytest

from debtor_dunning.core import law

THU = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # registered mail delivered: the track-and-trace day wins
        (
            {"letter": True, "posted": THU, "delivered": date(2026, 11, 27)},
            date(2026, 11, 27),
        ),
        # a letter posted on Thursday: two working days, over the weekend
        ({"letter": True, "posted": THU}, date(2026, 11, 30)),
        # a letter not posted yet: from its date (Tuesday)
        ({"letter": True}, date(2026, 11, 26)),
        # an e-mail accepted by the server: the next day
        ({"letter": False, "email_accepted": THU}, date(2026, 11, 27)),
        # a bounced e-mail proves nothing
        ({"letter": False, "email_accepted": THU, "email_bounced": True}, None),
    ],
)
def test_presumed_receipt(facts, expected):
    notice_date = date(2026, 11, 24)  # a Tuesday
    assert law.presumed_receipt(law.Law.NL, notice_date, **facts) == expected


def test_pay_by_runs_from_receipt_never_before_asked():
    asked = date(2026, 12, 8)
    assert law.receipt_pay_by_date(asked, date(2026, 11, 30), 14) == date(2026, 12, 14)
    assert law.receipt_pay_by_date(asked, date(2026, 11, 20), 14) == asked
    assert law.receipt_pay_by_date(asked, None, 14) == asked
