"""Payment references and the EPC QR code payload a dunning letter prints."""

import re
from decimal import Decimal

from .errors import DunningRuleError, require_count

# EPC069-12 (quick response code for SEPA credit transfers): field limits.
EPC_MAX_AMOUNT = Decimal("999999999.99")
_EPC_NAME = 70
_EPC_REFERENCE = 35
_EPC_TEXT = 140
_ALNUM = re.compile(r"[^0-9A-Za-z]")


def belgian_structured_reference(number: int) -> str:
    """Belgian structured communication (OGM/VCS) for a number of up to 10 digits.

    Ten digits and two check digits (the number modulo 97, 97 for 0), printed as
    +++123/4567/89012+++ (Febelfin standard).
    """
    require_count(number, "number", minimum=1)
    if number >= 10**10:
        raise DunningRuleError(f"number must have at most 10 digits, got {number}")
    digits = f"{number:010d}"
    check = number % 97 or 97
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}{check:02d}+++"


def creditor_reference(reference: str) -> str:
    """RF creditor reference (ISO 11649) for 1-21 letters and digits, in groups of 4.

    Check digits: 98 minus (reference + "RF00", letters as 10-35) modulo 97.
    """
    if not isinstance(reference, str):
        raise DunningRuleError(f"reference must be text, got {reference!r}")
    body = _ALNUM.sub("", reference).upper()
    if not 1 <= len(body) <= 21:
        raise DunningRuleError(
            f"reference must have 1 to 21 letters or digits, got {reference!r}"
        )
    check = 98 - int("".join(str(int(char, 36)) for char in body + "RF00")) % 97
    full = f"RF{check:02d}{body}"
    return " ".join(full[i : i + 4] for i in range(0, len(full), 4))


def is_creditor_reference(reference: str) -> bool:
    """True if `reference` is a well-formed RF creditor reference (spaces allowed)."""
    body = reference.replace(" ", "").upper()
    if not re.fullmatch(r"RF\d{2}[0-9A-Z]{1,21}", body):
        return False
    digits = "".join(str(int(char, 36)) for char in body[4:] + body[:4])
    return int(digits) % 97 == 1


def epc_qr_payload(
    *,
    name: str,
    iban: str,
    amount: Decimal,
    currency: str = "EUR",
    bic: str = "",
    reference: str = "",
    text: str = "",
) -> str:
    """The text of an EPC069-12 version 002 QR code (SEPA credit transfer).

    A structured `reference` (RF or Belgian, as printed) goes in the structured
    remittance field; otherwise `text` goes in the unstructured one (never both).
    """
    if currency != "EUR":
        raise DunningRuleError(f"an EPC QR code is for euros only, got {currency}")
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise DunningRuleError(f"amount must be a finite Decimal, got {amount!r}")
    if not Decimal("0.01") <= amount <= EPC_MAX_AMOUNT:
        raise DunningRuleError(f"amount must be 0.01 to {EPC_MAX_AMOUNT}, got {amount}")
    account = _ALNUM.sub("", iban or "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[0-9A-Z]{11,30}", account):
        raise DunningRuleError(f"not an IBAN: {iban!r}")
    beneficiary = " ".join((name or "").split())
    if not beneficiary:
        raise DunningRuleError("the beneficiary needs a name")
    structured = _ALNUM.sub("", reference or "").upper()
    if len(structured) > _EPC_REFERENCE:
        raise DunningRuleError(f"reference longer than 35 characters: {reference!r}")
    fields = [
        "BCD",
        "002",
        "1",  # UTF-8
        "SCT",
        (bic or "").replace(" ", "").upper(),
        beneficiary[:_EPC_NAME],
        account,
        f"EUR{amount.quantize(Decimal('0.01'))}",
        "",  # purpose
        structured,
        "" if structured else " ".join((text or "").split())[:_EPC_TEXT],
    ]
    # EPC069-12 lets trailing empty elements out.
    return "\n".join(fields).rstrip("\n")
