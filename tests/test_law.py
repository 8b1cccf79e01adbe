"""Which law governs a debt, and what it lets a creditor claim and when."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debtor_dunning.core.interest import Rate
from debtor_dunning.core.law import (
    Announcement,
    CostRule,
    Debtor,
    Gate,
    GateReason,
    Law,
    RateKind,
    Sent,
    TermLimit,
    announcement,
    capped_rates,
    charge_gate,
    collection_costs,
    compounds_yearly,
    cost_rule,
    first_missing_rate_period,
    governing_law,
    interest_cap_kind,
    interest_rate_kind,
    interest_waits,
    law_of_country,
    pay_by_date,
    payment_term_exceeds,
    presumed_by_post,
    rate_period_start,
    reminder_fee,
    statutory_rate_kind,
    statutory_term_end,
    tracks_limitation,
)

D = Decimal
NL, BE, OTHER = Law.NL, Law.BE, Law.OTHER
CONSUMER, BUSINESS = Debtor.CONSUMER, Debtor.BUSINESS


# ---------------------------------------------------------------------- which law
@pytest.mark.parametrize(
    ("code", "law"),
    [("NL", NL), ("nl", NL), ("BE", BE), ("DE", OTHER), ("US", OTHER), ("", None)],
)
def test_law_of_a_country(code, law):
    assert law_of_country(code) == law


@pytest.mark.parametrize(
    ("debtor", "residence", "named", "company", "law"),
    [
        # Rome I art. 6: a consumer keeps the law of the country he lives in.
        (CONSUMER, BE, None, NL, BE),  # a Belgian consumer of a Dutch company
        (CONSUMER, BE, NL, NL, BE),  # a contract naming Dutch law changes nothing
        (CONSUMER, NL, None, BE, NL),
        (CONSUMER, OTHER, None, NL, OTHER),  # a German consumer: not Dutch law
        (CONSUMER, None, BE, NL, BE),  # no known country: the law named
        (CONSUMER, None, None, NL, NL),  # else the company's
        # A business: the law its contract names, else the company's.
        (BUSINESS, BE, None, NL, NL),
        (BUSINESS, BE, BE, NL, BE),
        (BUSINESS, None, None, BE, BE),
    ],
)
def test_governing_law(debtor, residence, named, company, law):
    assert governing_law(debtor, residence, named, company) == law


def test_governing_law_takes_the_stored_selection_values():
    assert governing_law("consumer", "be", None, "nl") == Law.BE


# ---------------------------------------------------------------------- costs
@pytest.mark.parametrize(
    ("law", "debtor", "rule"),
    [
        (NL, CONSUMER, CostRule.NL_SCALE),
        (NL, BUSINESS, CostRule.NL_SCALE),
        (BE, CONSUMER, CostRule.BE_CONSUMER_DAMAGES),
        (BE, BUSINESS, CostRule.FIXED_COMPENSATION),
        (OTHER, BUSINESS, CostRule.FIXED_COMPENSATION),
        (OTHER, CONSUMER, CostRule.NONE),
    ],
)
def test_cost_rule(law, debtor, rule):
    assert cost_rule(law, debtor) is rule


@pytest.mark.parametrize(
    ("rule", "principals", "costs"),
    [
        # WIK on the joint principal of 3,000: 375 + 10 % of 500 = 425, split 1:2.
        (CostRule.NL_SCALE, ("1000", "2000"), ("141.67", "283.33")),
        (CostRule.NL_SCALE, ("1000",), ("150.00",)),  # 15 % of 1,000
        # Book XIX on a balance of 990: 65 + 5 % of 490 = 89.50.
        (CostRule.BE_CONSUMER_DAMAGES, ("990",), ("89.50",)),
        # Book XIX on 240: 30 + 10 % of 90 = 39, split 1:1.
        (CostRule.BE_CONSUMER_DAMAGES, ("120", "120"), ("19.50", "19.50")),
        (CostRule.BE_CONSUMER_DAMAGES, ("100",), ("20.00",)),
        # 2011/7/EU art. 6: 40 per invoice, however small (C-585/20).
        (CostRule.FIXED_COMPENSATION, ("10", "5000"), ("40.00", "40.00")),
        (CostRule.NONE, ("1000",), ("0.00",)),
    ],
)
def test_collection_costs_per_invoice(rule, principals, costs):
    parts = collection_costs(rule, [D(p) for p in principals])
    assert parts == tuple(D(c) for c in costs)


def test_dutch_costs_with_vat_when_the_company_cannot_deduct_it():
    # Besluit art. 2 lid 3: 150 + 21 % = 181.50.
    assert collection_costs(CostRule.NL_SCALE, [D(1000)], D(21)) == (D("181.50"),)


@given(st.lists(st.decimals(0, 100000, places=2), min_size=1, max_size=6))
def test_costs_per_invoice_add_up_to_the_joint_costs(principals):
    for rule in (CostRule.NL_SCALE, CostRule.BE_CONSUMER_DAMAGES):
        parts = collection_costs(rule, principals)
        joint = collection_costs(rule, [sum(principals, D(0))])[0]
        assert sum(parts, D(0)) == joint
        assert all(part >= 0 for part in parts)


@pytest.mark.parametrize(
    ("law", "debtor", "claims", "number", "by_post", "fee"),
    [
        (BE, CONSUMER, True, 1, True, "0.00"),  # the first reminder is free
        (BE, CONSUMER, True, 2, True, "8.85"),  # 7.50 + postage 1.35
        (BE, CONSUMER, True, 3, False, "7.50"),  # e-mailed: no postage
        (BE, CONSUMER, False, 2, True, "0.00"),  # the level does not claim it
        (NL, CONSUMER, True, 2, True, "0.00"),  # Belgian law only
        (BE, BUSINESS, True, 2, True, "0.00"),  # consumers only
    ],
)
def test_belgian_reminder_fee(law, debtor, claims, number, by_post, fee):
    assert reminder_fee(law, debtor, claims, number, by_post, D("1.35")) == D(fee)


# ---------------------------------------------------------------------- interest
@pytest.mark.parametrize(
    ("law", "debtor", "contractual", "kind"),
    [
        (NL, CONSUMER, None, RateKind.NL_STATUTORY),
        (NL, BUSINESS, None, RateKind.NL_COMMERCIAL),
        (BE, CONSUMER, None, RateKind.BE_LEGAL),
        (BE, BUSINESS, None, RateKind.BE_COMMERCIAL),
        (OTHER, BUSINESS, None, None),
        (OTHER, CONSUMER, None, None),
        (NL, BUSINESS, RateKind.CONTRACTUAL, RateKind.CONTRACTUAL),
        (OTHER, BUSINESS, "contractual", RateKind.CONTRACTUAL),
    ],
)
def test_interest_rate_kind(law, debtor, contractual, kind):
    assert interest_rate_kind(law, debtor, contractual) == kind
    if not contractual:
        assert statutory_rate_kind(law, debtor) == kind


@pytest.mark.parametrize(
    ("law", "kind", "compounds"),
    [
        (NL, RateKind.NL_STATUTORY, True),  # art. 6:119 lid 2 BW
        (NL, RateKind.NL_COMMERCIAL, True),  # art. 6:119a lid 3 BW
        (NL, RateKind.CONTRACTUAL, False),
        (BE, RateKind.BE_COMMERCIAL, False),
        (BE, RateKind.NL_COMMERCIAL, False),
    ],
)
def test_yearly_compounding_is_dutch_statutory_interest_only(law, kind, compounds):
    assert compounds_yearly(law, kind) is compounds


def test_only_belgian_consumers_interest_is_capped():
    assert interest_cap_kind(BE, CONSUMER) is RateKind.BE_COMMERCIAL
    for law, debtor in ((BE, BUSINESS), (NL, CONSUMER), (OTHER, CONSUMER)):
        assert interest_cap_kind(law, debtor) is None


def test_a_consumers_contractual_rate_never_exceeds_the_commercial_rate():
    contract = [Rate(date(2023, 1, 1), D(12))]
    commercial = [
        Rate(date(2023, 1, 1), D("10.5")),
        Rate(date(2023, 7, 1), D(12)),
        Rate(date(2024, 1, 1), D("12.5")),
        Rate(date(2025, 7, 1), D("10.5")),
    ]
    assert capped_rates(contract, commercial) == (
        Rate(date(2023, 1, 1), D("10.5")),
        Rate(date(2023, 7, 1), D(12)),
        Rate(date(2024, 1, 1), D(12)),  # the contract's 12 % is below 12.5 %
        Rate(date(2025, 7, 1), D("10.5")),
    )


def test_a_capped_table_starts_once_both_rates_are_known():
    capped = capped_rates(
        [Rate(date(2020, 1, 1), D(4))], [Rate(date(2021, 1, 1), D(8))]
    )
    assert capped == (Rate(date(2021, 1, 1), D(4)),)
    assert capped_rates([], [Rate(date(2021, 1, 1), D(8))]) == ()


@pytest.mark.parametrize(
    ("kind", "day", "start"),
    [
        (RateKind.NL_COMMERCIAL, date(2026, 6, 30), date(2026, 1, 1)),
        (RateKind.NL_COMMERCIAL, date(2026, 7, 1), date(2026, 7, 1)),
        (RateKind.BE_COMMERCIAL, date(2026, 11, 24), date(2026, 7, 1)),
        (RateKind.BE_LEGAL, date(2026, 11, 24), date(2026, 1, 1)),  # yearly
        (RateKind.CONTRACTUAL, date(2026, 11, 24), None),
    ],
)
def test_rate_publication_periods(kind, day, start):
    assert rate_period_start(kind, day) == start


HALF_YEARS_TO_2026_01 = [date(y, m, 1) for y in range(2024, 2027) for m in (1, 7)][:-1]


@pytest.mark.parametrize(
    ("kind", "dates", "start", "end", "missing"),
    [
        # No row for 1 July 2026 yet: interest stops at the end of June.
        (
            RateKind.NL_COMMERCIAL,
            HALF_YEARS_TO_2026_01,
            date(2025, 3, 2),
            date(2026, 11, 25),
            date(2026, 7, 1),
        ),
        # The 2026-07 row published: every half-year has its row.
        (
            RateKind.NL_COMMERCIAL,
            [*HALF_YEARS_TO_2026_01, date(2026, 7, 1)],
            date(2025, 3, 2),
            date(2026, 11, 25),
            None,
        ),
        # A period before the table's first row has none either.
        (
            RateKind.NL_STATUTORY,
            [date(2025, 1, 1), date(2025, 7, 1)],
            date(2024, 12, 1),
            date(2025, 8, 1),
            date(2024, 7, 1),
        ),
        # The Belgian legal rate is set per year: one row covers both halves.
        (
            RateKind.BE_LEGAL,
            [date(2025, 1, 1), date(2026, 1, 1)],
            date(2025, 3, 1),
            date(2026, 11, 25),
            None,
        ),
        (
            RateKind.BE_LEGAL,
            [date(2025, 1, 1)],
            date(2025, 3, 1),
            date(2026, 11, 25),
            date(2026, 1, 1),
        ),
        # A contractual rate holds until the table says otherwise.
        (
            RateKind.CONTRACTUAL,
            [date(2020, 1, 1)],
            date(2025, 1, 1),
            date(2027, 1, 1),
            None,
        ),
        # Nothing to compute, nothing missing.
        (RateKind.NL_COMMERCIAL, [], date(2026, 1, 1), date(2026, 1, 1), None),
    ],
)
def test_first_period_without_a_rate(kind, dates, start, end, missing):
    assert first_missing_rate_period(kind, dates, start, end) == missing


# ---------------------------------------------------------------------- gates
THU_19_NOV = date(2026, 11, 19)
TUE_24_NOV = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("law", "debtor", "sent", "as_of", "gate"),
    [
        # Businesses: nothing waits.
        (NL, BUSINESS, [], TUE_24_NOV, None),
        (BE, BUSINESS, [], TUE_24_NOV, None),
        (OTHER, CONSUMER, [], TUE_24_NOV, None),
        # NL consumer without a 14-day letter: no costs, whatever the date.
        (
            NL,
            CONSUMER,
            [Sent(THU_19_NOV, True)],
            TUE_24_NOV,
            Gate(GateReason.NL_NO_LETTER),
        ),
        # 14-day letter posted Thursday 19 November: received Monday 23 (two working
        # days), the 14 days run from Tuesday 24 to Monday 7 December (HR 25-11-2016).
        (
            NL,
            CONSUMER,
            [Sent(THU_19_NOV, True, fourteen_day_letter=True)],
            TUE_24_NOV,
            Gate(GateReason.NL_LETTER_TERM, date(2026, 12, 8)),
        ),
        # E-mailed: received Friday 20, the term ends Friday 4 December.
        (
            NL,
            CONSUMER,
            [Sent(THU_19_NOV, False, fourteen_day_letter=True)],
            TUE_24_NOV,
            Gate(GateReason.NL_LETTER_TERM, date(2026, 12, 5)),
        ),
        # A letter dated after the notice does not count.
        (
            NL,
            CONSUMER,
            [Sent(date(2026, 11, 25), True, fourteen_day_letter=True)],
            TUE_24_NOV,
            Gate(GateReason.NL_NO_LETTER),
        ),
        # BE consumer: this notice is the free first reminder.
        (BE, CONSUMER, [], TUE_24_NOV, Gate(GateReason.BE_FIRST_REMINDER)),
        # First reminder posted Tuesday 24 November: the 14 days count from the third
        # working day, Friday 27, to Thursday 10 December (art. XIX.2 CEL).
        (
            BE,
            CONSUMER,
            [Sent(TUE_24_NOV, True), Sent(date(2026, 12, 1), False)],
            date(2026, 12, 19),
            Gate(GateReason.BE_TERM, date(2026, 12, 11)),
        ),
        # E-mailed: from the next working day, Wednesday 25, to Tuesday 8 December.
        (
            BE,
            CONSUMER,
            [Sent(TUE_24_NOV, False)],
            date(2026, 12, 19),
            Gate(GateReason.BE_TERM, date(2026, 12, 9)),
        ),
    ],
)
def test_charge_gate(law, debtor, sent, as_of, gate):
    assert charge_gate(law, debtor, sent, as_of) == gate


def test_gate_opens_on_its_day():
    gate = Gate(GateReason.NL_LETTER_TERM, date(2026, 12, 8))
    assert not gate.is_open(date(2026, 12, 7))
    assert gate.is_open(date(2026, 12, 8))
    assert not Gate(GateReason.NL_NO_LETTER).is_open(date(2099, 1, 1))


def test_only_belgian_consumers_interest_waits_for_the_gate():
    assert interest_waits(BE, CONSUMER)
    assert not interest_waits(NL, CONSUMER)
    assert not interest_waits(BE, BUSINESS)


@pytest.mark.parametrize(
    ("letter", "email", "by_post"),
    [
        (True, False, True),
        (True, True, True),
        (False, True, False),
        (False, False, True),
    ],
)
def test_terms_count_from_the_slower_channel(letter, email, by_post):
    assert presumed_by_post(letter, email) is by_post


@pytest.mark.parametrize(
    ("law", "debtor", "fourteen", "first", "expected"),
    [
        (NL, CONSUMER, True, False, Announcement.NL_FOURTEEN_DAY_COSTS),
        (NL, CONSUMER, False, True, None),
        (BE, CONSUMER, False, True, Announcement.BE_FIRST_REMINDER_DAMAGES),
        (BE, CONSUMER, True, False, None),
        (NL, BUSINESS, True, True, None),
    ],
)
def test_what_a_letter_must_announce(law, debtor, fourteen, first, expected):
    assert announcement(law, debtor, fourteen, first) is expected


@pytest.mark.parametrize(
    ("law", "debtor", "fourteen", "first", "by_post", "end"),
    [
        # The Dutch 14-day letter: notice date + 14 is a day short.
        (NL, CONSUMER, True, False, False, date(2026, 12, 9)),  # e-mail: 25 Nov + 14
        (NL, CONSUMER, True, False, True, date(2026, 12, 10)),  # post: Thu 26 + 14
        # The Belgian first reminder: 14 days from the 3rd / 1st working day.
        (BE, CONSUMER, False, True, True, date(2026, 12, 10)),
        (BE, CONSUMER, False, True, False, date(2026, 12, 8)),
        (NL, CONSUMER, False, False, True, None),
        (BE, BUSINESS, False, True, True, None),
    ],
)
def test_statutory_term_end(law, debtor, fourteen, first, by_post, end):
    assert statutory_term_end(law, debtor, fourteen, first, TUE_24_NOV, by_post) == end


def test_pay_by_date_is_never_before_the_statutory_term():
    asked = date(2026, 12, 8)  # the level's 14 days
    assert pay_by_date(asked, date(2026, 12, 9)) == date(2026, 12, 9)
    assert pay_by_date(asked, date(2026, 12, 1)) == asked
    assert pay_by_date(asked, None) == asked


# ---------------------------------------------------------------------- terms
def test_limitation_dates_are_kept_under_dutch_law_only():
    assert tracks_limitation(NL)
    assert not tracks_limitation(BE)
    assert not tracks_limitation(OTHER)


@pytest.mark.parametrize(
    ("law", "debtor", "large", "sme", "days", "limit"),
    [
        (NL, BUSINESS, False, False, 60, None),
        (NL, BUSINESS, False, False, 61, TermLimit.NL_COMMERCIAL),
        (NL, BUSINESS, True, True, 30, None),
        (NL, BUSINESS, True, True, 31, TermLimit.NL_LARGE_TO_SME),
        (NL, BUSINESS, True, False, 45, None),  # a large company's customer
        (BE, BUSINESS, True, True, 45, None),  # the SME rule is Dutch
        (BE, BUSINESS, False, False, 75, TermLimit.BE_COMMERCIAL),
        (OTHER, BUSINESS, False, False, 90, TermLimit.EU_COMMERCIAL),
        (NL, CONSUMER, False, False, 120, None),  # consumers: no maximum here
    ],
)
def test_payment_term_maxima(law, debtor, large, sme, days, limit):
    assert payment_term_exceeds(law, debtor, large, sme, days) is limit
