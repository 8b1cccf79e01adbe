"""Recovery costs and fixed compensation a creditor may claim on an overdue debt."""

from collections.abc import Collection
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from .calendar import add_working_days
from .errors import require_amount, require_count, require_date
from .money import CENT, cents

_ZERO = Decimal("0.00")

# Besluit vergoeding voor buitengerechtelijke incassokosten (Stb. 2012, 141), art. 2
# lid 1: (upper end of the band or None for the rest, percent of the principal in it).
WIK_BANDS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal(2500), Decimal(15)),
    (Decimal(5000), Decimal(10)),
    (Decimal(10000), Decimal(5)),
    (Decimal(200000), Decimal(1)),
    (None, Decimal("0.5")),
)
WIK_MINIMUM = Decimal(40)
WIK_MAXIMUM = Decimal(6775)

# Code of Economic Law, Book XIX "Debts of the consumer" (law of 4 May 2023, in force
# 1 September 2023): the most a contract may stipulate as damages and reminder fee.
BE_DAMAGES_MAXIMUM = Decimal(2000)
BE_REMINDER_FEE = Decimal("7.50")

# Directive 2011/7/EU art. 6(1), due per invoice even when claimed together (CJEU
# 20 October 2022, C-585/20); NL art. 6:96 lid 4 BW; BE law of 2 August 2002 art. 6.
EU_FIXED_COMPENSATION = Decimal(40)


def nl_collection_costs(principal: Decimal, vat_rate: Decimal = Decimal(0)) -> Decimal:
    """Dutch WIK costs on `principal` (art. 6:96 BW; Besluit Stb. 2012, 141, art. 2)."""
    require_amount(principal, "principal")
    require_amount(vat_rate, "vat_rate")
    if not principal:
        return _ZERO  # nothing owed, nothing to collect: the minimum does not apply
    fee = cents(min(max(_banded(principal), WIK_MINIMUM), WIK_MAXIMUM))
    # Besluit art. 2 lid 3: the fee may be raised by the VAT percentage (vat_rate, e.g.
    # 21) only when the creditor cannot deduct that VAT; VAT goes on the rounded fee,
    # so the letter's "fee + VAT = total" adds up.
    return cents(fee + fee * vat_rate / 100)


def be_consumer_damages(balance: Decimal) -> Decimal:
    """Most damages on a Belgian consumer's `balance` (Code of Econ. Law, Book XIX)."""
    require_amount(balance, "balance")
    if not balance:
        return _ZERO
    if balance <= 150:
        damages = Decimal(20)
    elif balance <= 500:
        damages = 30 + (balance - 150) * Decimal("0.10")
    else:
        damages = 65 + (balance - 500) * Decimal("0.05")
    # A clause above the cap is void and then nothing at all may be claimed, so round
    # down: half a cent over the cap must never happen.
    return min(damages, BE_DAMAGES_MAXIMUM).quantize(CENT, rounding=ROUND_DOWN)


def be_consumer_reminder_fee(reminder_number: int, postage: Decimal = _ZERO) -> Decimal:
    """Most a Belgian consumer pays for reminder n: first free, then 7.50 + postage."""
    # Code of Economic Law, Book XIX (law of 4 May 2023): the first reminder is free;
    # postage is the tariff in force when the reminder is sent.
    require_count(reminder_number, "reminder_number", minimum=1)
    require_amount(postage, "postage")
    if reminder_number == 1:
        return _ZERO
    return cents(BE_REMINDER_FEE + postage)


def eu_fixed_compensation(
    invoice_count: int = 1, contractual: Decimal | None = None
) -> Decimal:
    """B2B fixed compensation: 40 or `contractual` per invoice (2011/7/EU art. 6)."""
    require_count(invoice_count, "invoice_count", minimum=1)
    if contractual is None:
        per_invoice = EU_FIXED_COMPENSATION
    else:
        per_invoice = require_amount(contractual, "contractual")
    return cents(per_invoice * invoice_count)


def nl_fourteen_day_term_end(
    letter_date: date, by_post: bool, holidays: Collection[date] = frozenset()
) -> date:
    """Last day of the term a Dutch 14-day letter gives (art. 6:96 lid 6 BW)."""
    # The 14 days start the day after the consumer received the letter (HR 25-11-2016,
    # ECLI:NL:HR:2016:2704) and the creditor must prove receipt, so we presume it late:
    # a posted letter two working days after its date, an e-mail the next day.
    require_date(letter_date, "letter_date")
    if by_post:
        received = add_working_days(letter_date, 2, holidays)
    else:
        received = letter_date + timedelta(days=1)
    return received + timedelta(days=14)


def be_reminder_term_end(
    reminder_date: date, by_post: bool, holidays: Collection[date] = frozenset()
) -> date:
    """Last day of the 14 days a Belgian consumer has after the free first reminder."""
    # Code of Economic Law art. XIX.2: at least 14 calendar days, counted from the
    # third working day after a paper reminder is sent or the working day after an
    # electronic one; no costs, interest or damages before that term has passed.
    require_date(reminder_date, "reminder_date")
    start = add_working_days(reminder_date, 3 if by_post else 1, holidays)
    return start + timedelta(days=13)


def _banded(principal: Decimal) -> Decimal:
    """WIK scale before minimum and maximum: each band's percent of its part."""
    fee, lower = Decimal(0), Decimal(0)
    for upper, percent in WIK_BANDS:
        top = principal if upper is None else min(principal, upper)
        if top <= lower:
            break
        fee += (top - lower) * percent / 100
        lower = top
    return fee
