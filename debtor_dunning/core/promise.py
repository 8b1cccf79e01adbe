"""A promise to pay spread over the invoices it covers."""

from decimal import Decimal

from .errors import require_amount


def allocate_oldest_first(
    amount: Decimal, open_amounts: tuple[Decimal, ...]
) -> tuple[Decimal, ...]:
    """`amount` spread over `open_amounts` (oldest first), none above its open amount.

    What is promised pays the oldest debt first, as a payment without a designation
    does (art. 6:43 lid 2 BW); a promise above the total leaves the surplus out.
    """
    remaining = require_amount(amount, "amount")
    shares = []
    for index, open_amount in enumerate(open_amounts):
        share = min(remaining, require_amount(open_amount, f"open_amounts[{index}]"))
        shares.append(share)
        remaining -= share
    return tuple(shares)
