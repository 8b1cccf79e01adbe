"""Decimal rounding of money; float <-> Decimal only at the Odoo boundary."""

import functools
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import DunningRuleError, require_amount

CENT = Decimal("0.01")


def to_decimal(
    value: float | int | str | Decimal, rounding: float | str | Decimal = 0.01
) -> Decimal:
    """`value` rounded half-up to a multiple of the currency `rounding`."""
    number, step = _parse(value, "value"), _step(rounding)
    return (number / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


@functools.lru_cache(maxsize=64)
def _step(rounding: float | str | Decimal) -> Decimal:
    """A currency's rounding as a positive Decimal (a run converts thousands of
    amounts in the same few currencies)."""
    step = _parse(rounding, "rounding")
    if step <= 0:
        raise DunningRuleError(f"rounding must be positive, got {rounding!r}")
    return step


def cents(amount: Decimal) -> Decimal:
    """`amount` rounded half-up to the cent."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise DunningRuleError(f"amount must be a finite Decimal, got {amount!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_float(amount: Decimal) -> float:
    """`amount` as the float an Odoo Monetary field stores."""
    if not isinstance(amount, Decimal):
        raise DunningRuleError(f"amount must be a Decimal, got {amount!r}")
    return float(amount)


def split_pro_rata(total: Decimal, weights: Sequence[Decimal]) -> tuple[Decimal, ...]:
    """`total` in cents over `weights` in proportion, the parts adding up to it."""
    # One fee on several invoices (e.g. the Dutch scale on their joint principal) is
    # shown per invoice: the parts must add up to the fee to the cent.
    require_amount(total, "total")
    for weight in weights:
        require_amount(weight, "weight")
    whole = sum(weights, Decimal(0))
    if not weights or (total and not whole):
        raise DunningRuleError(f"cannot split {total} over weights {list(weights)}")
    if not whole:
        return tuple(Decimal("0.00") for _weight in weights)
    # Rounding the running total (not each part) keeps every part >= 0.
    parts, done, running = [], Decimal("0.00"), Decimal(0)
    for weight in weights:
        running += weight
        upto = cents(total * running / whole)
        parts.append(upto - done)
        done = upto
    return tuple(parts)


def _parse(value: object, name: str) -> Decimal:
    """`value` as an exact finite Decimal; a float by its shortest repr (0.1 -> 0.1)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise DunningRuleError(f"{name} must be a number, got {value!r}")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise DunningRuleError(f"{name} must be a number, got {value!r}") from None
    if not number.is_finite():
        raise DunningRuleError(f"{name} must be finite, got {value!r}")
    return number
