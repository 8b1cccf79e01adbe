"""Errors of the dunning rules, and the input checks that raise them."""

from datetime import date, datetime
from decimal import Decimal


class DunningRuleError(ValueError):
    """Input the dunning rules cannot apply to; models turn it into a UserError."""


def require_amount(value: object, name: str) -> Decimal:
    """`value` itself if it is a finite Decimal >= 0, else DunningRuleError."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise DunningRuleError(f"{name} must be a finite Decimal, got {value!r}")
    if value < 0:
        raise DunningRuleError(f"{name} must not be negative, got {value}")
    return value


def require_count(value: object, name: str, minimum: int = 0) -> int:
    """`value` itself if it is an int >= `minimum` (no bool), else DunningRuleError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise DunningRuleError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def require_date(value: object, name: str) -> date:
    """`value` itself if it is a date (not a datetime), else DunningRuleError."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise DunningRuleError(f"{name} must be a date, got {value!r}")
    return value
