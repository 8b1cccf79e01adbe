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
    if type(value) is float and -_EXACT_BELOW < value < _EXACT_BELOW:
        # The Odoo boundary (a Monetary field, a SQL numeric) in a currency rounding to
        # a power of ten: one quantize gives the same digits as the general formula.
        step, power = _steps(rounding)
        if power is not None:
            number = Decimal(repr(value)).quantize(power, ROUND_HALF_UP)
            return number if power is step else number.quantize(step)
    number, (step, _power) = _parse(value, "value"), _steps(rounding)
    return (number / step).quantize(_ONE, rounding=ROUND_HALF_UP) * step


# Below this a float's shortest repr (17 digits at most) and its multiples of a step
# of 1E-13 or more keep within 28 digits (the default context's precision, which
# nothing here lowers): no operation of to_decimal rounds but its ROUND_HALF_UP, and
# both of its ways give the same Decimal, exponent and sign of a zero included.
_EXACT_BELOW = 1e15
_ONE = Decimal(1)


def _steps(rounding: float | str | Decimal) -> tuple[Decimal, Decimal | None]:
    """(step, power): a currency's rounding as a positive Decimal, and that step as
    a power of ten without trailing zeros (1E-2 for 0.01 and for 0.010), or None
    when the step is not a power of ten or is below 1E-13."""
    if isinstance(rounding, Decimal):  # Decimal("1") and Decimal("1.0") hash alike
        return _parse_steps(rounding)
    return _cached_steps(rounding)


def _parse_steps(rounding: float | str | Decimal) -> tuple[Decimal, Decimal | None]:
    step = _parse(rounding, "rounding")
    if step <= 0:
        raise DunningRuleError(f"rounding must be positive, got {rounding!r}")
    _sign, digits, exponent = step.as_tuple()
    if digits[0] != 1 or any(digits[1:]) or exponent < -13:
        return step, None
    if len(digits) == 1:
        return step, step
    return step, Decimal((0, (1,), exponent + len(digits) - 1))


# A run converts thousands of amounts in the same few currencies. Typed: the rounding
# 1.0 (a step of 1.0) and 1 (a step of 1) are not one entry.
_cached_steps = functools.lru_cache(maxsize=64, typed=True)(_parse_steps)


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
