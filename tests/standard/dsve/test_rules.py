"""DSVE's flow rules (rules), e-tinglysing's decisions (tinglysing) and the share-capital check (selskap)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from opendsop.standard.dsve import rules, selskap, tinglysing
from opendsop.standard.dsve.catalogue import Role
from opendsop.standard.dsve.errors import DsveError
from opendsop.standard.dsve.model import ROOTS
from opendsop.standard.dsve.schema import El, ModelError, validate
from opendsop.standard.dsve.shipment import parse_xml, to_bytes
from opendsop.standard.dsve.values import Matrikkel, Pantedokumentreferanse

from .sample import BANK, BUYER, CO_BORROWER, MEGLER, REF, SELLER, SELLER_BANK, UNIT

CASE = rules.Case("OPPDRAG-7", MEGLER.id, None, UNIT, (SELLER,), (BUYER,), date(2026, 10, 1))


@pytest.mark.parametrize(
    ("reference", "ok"),
    [
        ("BANKCASE1-DOC1-1234", True),
        ("6f1c2a54-7e0d-4b8e-9a51-0c3f2d9b7e11", True),
        ("0", False),
        ("0_pantedokumnet", False),
        ("1_1234", False),
        ("", False),
        ("case-doc-12", False),  # the bank's register number has 4 digits
    ],
)
def test_dokumentreferanse_is_unique_across_banks(reference: str, ok: bool) -> None:
    if ok:
        assert rules.check_dokumentreferanse(reference) == reference
    else:
        with pytest.raises(DsveError, match="DSVE-008"):
            rules.check_dokumentreferanse(reference)


def test_the_bank_sends_its_deed_as_its_own_orgnr() -> None:
    rules.check_sender_is_lender(BANK.id, BANK.id)
    with pytest.raises(DsveError, match="DSVE-010"):
        rules.check_sender_is_lender(MEGLER.id, BANK.id)


FESTE = Matrikkel("0301", "Oslo", 208, 12, festenummer=3)


@pytest.mark.parametrize(
    ("addressed", "units", "persons", "cases", "status"),
    [
        (MEGLER.id, [UNIT], [BUYER.id], [CASE], "ok"),
        ("999999999", [UNIT], [BUYER.id], [CASE], "unknown_unit"),  # not this megler's case
        (MEGLER.id, [Matrikkel("0301", "Oslo", 1, 1)], [BUYER.id], [CASE], "unknown_unit"),
        (MEGLER.id, [UNIT], [SELLER.id], [CASE], "party_mismatch"),  # the debtor is no buyer
        (
            MEGLER.id,
            [Matrikkel("0301", "Oslo", 208, 12, 3, nivaa="E")],
            [BUYER.id],
            [rules.Case("O", MEGLER.id, None, FESTE, (), (BUYER,), date(2026, 1, 1))],
            "unknown_unit",
        ),
    ],
)
def test_routing_on_the_megler_side(
    addressed: str, units: list[Matrikkel], persons: list[str], cases: list[rules.Case], status: str
) -> None:
    assert rules.route(cases, addressed, units, persons)[0] == status
    assert rules.DEED_STATUS[status] in ("RoutedSuccessfully", "UnknownCadastre", "DebitorMismatch")


def test_an_oppgjoersforetak_routes_too() -> None:
    case = rules.Case("O", MEGLER.id, "920000009", UNIT, (SELLER,), (BUYER,), date(2026, 10, 1))
    assert rules.route([case], "920000009", [UNIT], [BUYER.id])[0] == "ok"


def test_contract_cases_are_active_and_at_most_a_year_old() -> None:
    old = rules.Case("OLD", MEGLER.id, None, UNIT, (), (BUYER,), date(2025, 1, 1))
    archived = rules.Case("ARK", MEGLER.id, None, UNIT, (), (BUYER,), date(2026, 10, 1), archived=True)
    assert rules.contract_cases([CASE, old, archived], MEGLER.id, [BUYER.id], date(2026, 12, 8)) == [CASE]


def test_polling_every_five_minutes_after_signing_daily_before() -> None:
    at = datetime(2026, 12, 8, 10, tzinfo=UTC)
    assert (rules.next_poll(at, signed=True) - at).total_seconds() == 300
    assert (rules.next_poll(at, signed=False) - at).days == 1


def test_borrowers_not_party_to_the_sale_are_never_named() -> None:
    named, others = rules.borrower_names([SELLER, CO_BORROWER], [SELLER.id])
    assert named == ("Sven Selger",) and others is True


@pytest.mark.parametrize(("count", "ok"), [(0, False), (1, True), (4, True), (5, False)])
def test_payoff_request_carries_one_to_four_dates(count: int, ok: bool) -> None:
    dates = [date(2026, 12, day) for day in range(10, 10 + count)]
    if ok:
        assert len(rules.check_payoff_dates(dates)) == count
    else:
        with pytest.raises(DsveError):
            rules.check_payoff_dates(dates)


def _aktoer(orgnr: str, role: Role, drop_receive: str | None = None) -> rules.Aktoer:
    sends, receives = rules.default_lists(role)
    return rules.Aktoer(orgnr, orgnr, role, sends, receives - {drop_receive} if drop_receive else receives)


@pytest.mark.parametrize(
    ("sender", "receiver", "message_type", "fragment"),
    [
        (_aktoer(BANK.id, Role.BANK), _aktoer(MEGLER.id, Role.MEGLER), "SignedMortgageDeed", None),
        (
            _aktoer(MEGLER.id, Role.MEGLER),
            _aktoer(BANK.id, Role.BANK, "OppnaaddPrioritetOk"),
            "OppnaaddPrioritetOk",
            "mottaksliste",
        ),
        (_aktoer(BANK.id, Role.BANK), _aktoer(MEGLER.id, Role.MEGLER), "GjennomfoertEtinglysing", "sendeliste"),
        (None, _aktoer(MEGLER.id, Role.MEGLER), "SignedMortgageDeed", "not registered"),
        (_aktoer(BANK.id, Role.BANK), None, "SignedMortgageDeed", "not registered"),
    ],
)
def test_akeldo_is_consulted_before_every_send(
    sender: rules.Aktoer | None, receiver: rules.Aktoer | None, message_type: str, fragment: str | None
) -> None:
    if fragment is None:
        rules.check_akeldo(sender, receiver, message_type, sender_id=BANK.id, receiver_id=MEGLER.id)
        return
    with pytest.raises(DsveError, match="DSVE-007") as error:
        rules.check_akeldo(sender, receiver, message_type, sender_id=BANK.id, receiver_id=MEGLER.id)
    assert fragment in error.value.message


def test_priority_is_reached_when_only_the_sellers_mortgages_are_ahead() -> None:
    assert rules.priority_reached([(SELLER_BANK.id, [SELLER.id])], [SELLER.id])
    assert not rules.priority_reached([("930000000", [CO_BORROWER.id])], [SELLER.id])


# ------------------------------------------------------------------------------- the schema subset


def test_schema_rejects_nil_on_a_non_nillable_element_and_unknown_attributes() -> None:
    root = ROOTS["avbruttsamhandling"]
    xsi = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    with pytest.raises(ModelError, match="xsi:nil"):
        validate(parse_xml(f'<avbruttsamhandling {xsi} xsi:nil="true"/>'.encode(), "x"), root)
    with pytest.raises(ModelError, match="unknown attribute"):
        validate(parse_xml(b'<avbruttsamhandling extra="1"/>', "x"), root)
    with pytest.raises(ModelError, match="expected element"):
        validate(parse_xml(b"<other/>", "x"), El("avbruttsamhandling", root.type))


# --------------------------------------------------------------------------------- e-tinglysing

MORTGAGE = tinglysing.Pantedokument(REF, UNIT, BANK, (BUYER,), 3_600_000)
DEED_OF_SALE = tinglysing.Skjoete("BANKCASE1-SKJ1-1234", UNIT, (SELLER,), (BUYER,), Decimal(4_500_000))
OLD = tinglysing.Heftelse(
    Pantedokumentreferanse(17, 2020, 200, 1), SELLER_BANK.id, (SELLER.id,), 2_000_000, "OLD-1-2222"
)
DELETE = tinglysing.Sletting("S9-SLETT1-2222", UNIT, SELLER_BANK, OLD.referanse)


@pytest.mark.parametrize(
    ("dokument", "signers", "holders", "heftelser", "status", "code"),
    [
        (MORTGAGE, {BUYER.id}, {BUYER.id}, [OLD], "OK", None),
        (MORTGAGE, {BUYER.id}, None, [], "REJECTED", "TL-001"),  # no such unit
        (MORTGAGE, {BUYER.id}, {SELLER.id}, [OLD], "REJECTED", "TL-002"),  # the mortgagor does not own it
        (MORTGAGE, set(), {BUYER.id}, [], "REJECTED", "TL-003"),  # unsigned
        (MORTGAGE, {BUYER.id, CO_BORROWER.id}, {BUYER.id}, [], "REJECTED", "TL-005"),  # a stranger signed
        (DEED_OF_SALE, {SELLER.id}, {SELLER.id}, [OLD], "OK", None),
        (
            DEED_OF_SALE,
            {SELLER.id},
            {SELLER.id, CO_BORROWER.id},
            [],
            "REJECTED",
            "TL-002",
        ),  # not every holder transfers
        (DELETE, {SELLER_BANK.id}, {BUYER.id}, [OLD], "OK", None),
        (DELETE, {BANK.id}, {BUYER.id}, [OLD], "REJECTED", "TL-003"),  # the lender did not sign
        (DELETE, {SELLER_BANK.id}, {BUYER.id}, [], "REJECTED", "TL-004"),  # nothing to delete
    ],
)
def test_e_tinglysing_decisions(
    dokument: tinglysing.Dokument,
    signers: set[str],
    holders: set[str] | None,
    heftelser: list[tinglysing.Heftelse],
    status: str,
    code: str | None,
) -> None:
    decision = tinglysing.decide(
        dokument, frozenset(signers), None if holders is None else frozenset(holders), heftelser
    )
    assert (decision.status, decision.code) == (status, code)


@pytest.mark.parametrize("dokument", [MORTGAGE, DEED_OF_SALE, DELETE])
def test_documents_round_trip_with_or_without_prefix_and_declaration(dokument: tinglysing.Dokument) -> None:
    data = to_bytes(tinglysing.dokument_xml(dokument))
    assert tinglysing.read_dokument(parse_xml(data, "d")) == dokument
    bare = data.split(b"?>", 1)[1]
    assert tinglysing.read_dokument(parse_xml(bare, "d")) == dokument


@pytest.mark.parametrize(
    ("xml", "code"),
    [
        (b"<pantedokument/>", "TL-006"),  # no namespace
        (f'<p:tull xmlns:p="{tinglysing.NS}"/>'.encode(), "TL-006"),  # not a document e-tinglysing accepts
        (
            f'<p:pantedokument xmlns:p="{tinglysing.NS}"><p:dokumentreferanse>{REF}</p:dokumentreferanse>'
            '<p:registerenhet><p:matrikkel kommunenavn="Oslo" kommunenummer="0301" gaardsnummer="1" bruksnummer="1" '
            'eiendomsnivaa="E"/></p:registerenhet><p:panthaver id="910000001" navn="B"/><p:beloep>10</p:beloep>'
            "</p:pantedokument>".encode(),
            "TL-006",  # no pantsetter
        ),
    ],
)
def test_e_tinglysing_refuses_documents_outside_its_model(xml: bytes, code: str) -> None:
    with pytest.raises(DsveError) as error:
        tinglysing.read_dokument(parse_xml(xml, "d"))
    assert error.value.code == code


def test_what_is_ahead_of_a_deed() -> None:
    new = tinglysing.Heftelse(Pantedokumentreferanse(1, 2026, 200, 1), BANK.id, (BUYER.id,), 1, REF)
    assert tinglysing.ahead_of([OLD, new], REF) == [OLD]
    assert tinglysing.ahead_of([OLD], REF) is None


# ------------------------------------------------------------------------------ company founding

NOTICE = selskap.Stiftelsesmelding(
    "SRM-1", "Fjordkraft Testselskap AS", Decimal(30_000), date(2026, 10, 1), (BUYER.id,), (BUYER.id,), BANK.id
)
CONFIRMED = selskap.Kapitalbekreftelse(
    "SRM-1", "Fjordkraft Testselskap AS", Decimal(30_000), date(2026, 10, 2), BANK.id, BANK.navn, "Bente Bank"
)


@pytest.mark.parametrize(
    ("change", "signers", "today", "code"),
    [
        ({}, [BANK.id], date(2026, 10, 5), None),
        ({"foretaksnavn": "Annet Navn AS"}, [BANK.id], date(2026, 10, 5), "FR-003"),
        ({"beloep": Decimal(29_999)}, [BANK.id], date(2026, 10, 5), "FR-003"),
        ({"bank_orgnr": SELLER_BANK.id}, [SELLER_BANK.id], date(2026, 10, 5), "FR-003"),
        ({"dato": date(2026, 9, 1)}, [BANK.id], date(2026, 10, 5), "FR-003"),
        ({}, [BANK.id], date(2027, 1, 2), "FR-004"),  # more than three months after 1 October
        ({}, [BUYER.id], date(2026, 10, 5), "FR-005"),
    ],
)
def test_share_capital_confirmation_against_the_notice(
    change: dict[str, object], signers: list[str], today: date, code: str | None
) -> None:
    from dataclasses import replace

    confirmation = replace(CONFIRMED, **change)  # type: ignore[arg-type]
    if code is None:
        selskap.check_confirmation(NOTICE, confirmation, signers, today=today)
        return
    with pytest.raises(DsveError) as error:
        selskap.check_confirmation(NOTICE, confirmation, signers, today=today)
    assert error.value.code == code


def test_confirmation_round_trips_and_must_say_aksjeinnskudd() -> None:
    data = to_bytes(selskap.bekreftelse_xml(CONFIRMED))
    assert selskap.read_bekreftelse(parse_xml(data, "b")) == CONFIRMED
    with pytest.raises(DsveError, match="FR-001"):
        selskap.read_bekreftelse(parse_xml(data.replace(b"aksjeinnskudd", b"innskudd"), "b"))


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"aksjekapital": Decimal(29_000)}, "30000"),
        ({"stiftere": ()}, "founder"),
        ({"styre": ()}, "board"),
        ({"foretaksnavn": "Fjordkraft"}, "AS"),
    ],
)
def test_an_invalid_founding_notice(change: dict[str, object], fragment: str) -> None:
    from dataclasses import replace

    with pytest.raises(DsveError, match="FR-006") as error:
        selskap.check_notice(replace(NOTICE, **change))  # type: ignore[arg-type]
    assert fragment in error.value.message


def test_three_months_after_clamps_to_the_month_end() -> None:
    assert selskap.three_months_after(date(2026, 11, 30)) == date(2027, 2, 28)
