"""Payment references (OGM/VCS, RF creditor reference) and the EPC QR payload."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debtor_dunning.core.errors import DunningRuleError
from debtor_dunning.core.reference import (
    belgian_structured_reference,
    creditor_reference,
    epc_qr_payload,
    is_creditor_reference,
)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        # Worked example of Odoo's l10n_be (_get_invoice_reference_be_invoice).
        (654, "+++000/0000/65472+++"),
        # 97 divides the number: the check digits are 97, never 00.
        (97, "+++000/0000/09797+++"),
        (1234567890, "+++123/4567/89002+++"),
        (9999999999, "+++999/9999/99948+++"),
    ],
)
def test_belgian_reference_has_ten_digits_and_modulo_97_check(number, expected):
    assert belgian_structured_reference(number) == expected


@pytest.mark.parametrize("number", [0, -5, 10**10, 1.5, True, "12"])
def test_belgian_reference_refuses_what_does_not_fit_ten_digits(number):
    with pytest.raises(DunningRuleError):
        belgian_structured_reference(number)


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        # ISO 11649's own example.
        ("539007547034", "RF18 5390 0754 7034"),
        # Odoo's format_structured_reference_iso example (checked with python-stdnum).
        ("123456789", "RF18 1234 5678 9"),
        ("DUN/2026/000042", "RF98 DUN2 0260 0004 2"),
        ("a", "RF25 A"),
    ],
)
def test_creditor_reference_follows_iso_11649(reference, expected):
    assert creditor_reference(reference) == expected


@pytest.mark.parametrize("reference", ["", "///", "1" * 22, None])
def test_creditor_reference_needs_1_to_21_letters_or_digits(reference):
    with pytest.raises(DunningRuleError):
        creditor_reference(reference)


@given(
    st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=21)
)
def test_every_creditor_reference_validates(reference):
    assert is_creditor_reference(creditor_reference(reference))


def test_a_mistyped_creditor_reference_does_not_validate():
    assert not is_creditor_reference("RF19 5390 0754 7034")
    assert not is_creditor_reference("RF18 5390 0754 7035")


def test_epc_payload_carries_the_transfer_line_by_line():
    payload = epc_qr_payload(
        name="Debiteur  Demo B.V.",
        iban="NL91 ABNA 0417 1643 00",
        bic="abnanl2a",
        amount=Decimal("1210.5"),
        reference="RF18 5390 0754 7034",
    )
    assert payload.split("\n") == [
        "BCD",
        "002",
        "1",
        "SCT",
        "ABNANL2A",
        "Debiteur Demo B.V.",
        "NL91ABNA0417164300",
        "EUR1210.50",
        "",
        "RF18539007547034",
    ]


def test_epc_payload_uses_the_text_only_without_a_structured_reference():
    payload = epc_qr_payload(
        name="Demo", iban="BE68539007547034", amount=Decimal("5"), text="DUN/2026/7"
    )
    assert payload.endswith("EUR5.00\n\n\nDUN/2026/7")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"currency": "USD"}, "euros only"),
        ({"amount": Decimal("0")}, "0.01"),
        ({"amount": Decimal("1000000000")}, "0.01"),
        ({"amount": 12.5}, "Decimal"),
        ({"iban": "12345"}, "IBAN"),
        ({"name": "  "}, "name"),
        ({"reference": "R" * 36}, "35"),
    ],
)
def test_epc_payload_refuses_what_a_banking_app_cannot_pay(changes, message):
    values = {"name": "Demo", "iban": "BE68539007547034", "amount": Decimal("5")}
    with pytest.raises(DunningRuleError, match=message):
        epc_qr_payload(**(values | changes))
