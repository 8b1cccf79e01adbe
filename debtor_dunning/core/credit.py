"""A customer's credit: whether he is on credit hold on a day, and what is left.

Credit hold stops new sales and new invoices to a customer (a sale order is not
confirmed, an invoice is not posted) until it is lifted or its end date has passed;
a manager may override it for one document, with a reason. The credit limit is
Odoo's own (`res.partner.credit_limit`); this module only says what is free of it.
"""

from datetime import date
from decimal import Decimal

from .errors import DunningRuleError, require_date


def held_on(held: bool, until: date | None, day: date) -> bool:
    """Whether a customer on credit hold `held` (up to `until`, included) is held
    on `day`. No end date: held until lifted by hand."""
    require_date(day, "day")
    if until is not None:
        require_date(until, "until")
    return bool(held) and (until is None or day <= until)


def free_credit(limit: Decimal | None, used: Decimal) -> Decimal | None:
    """What is left of `limit` after `used` (negative: over the limit).

    None without a limit (no limit is not a limit of zero).
    """
    if not isinstance(used, Decimal) or not used.is_finite():
        raise DunningRuleError(f"used must be a finite Decimal, got {used!r}")
    if limit is None:
        return None
    if not isinstance(limit, Decimal) or not limit.is_finite() or limit < 0:
        raise DunningRuleError(f"limit must be a Decimal >= 0, got {limit!r}")
    return limit - used
