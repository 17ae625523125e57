"""camt.053 entries as Control API transactions: one row per mapping rule of provider/imports/camt053.py,
read from the 001.02 and 001.08 fixtures (tests/provider/data)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from opendsop.provider.imports import camt053

DATA = Path(__file__).resolve().parent / "data"


def _transactions(name: str) -> dict[str, Any]:
    return {
        item.transaction.transaction_identifier: item.transaction
        for item in camt053.read(DATA / name)
        if item.transaction is not None
    }


V02, V08 = _transactions("camt053_v02.xml"), _transactions("camt053_v08.xml")

RULES = [
    # (rule, value read, expected)
    ("AcctSvcrRef is the identifier", sorted(V02), ["TB-20251212-000417", "TB-20251215-001122", "TB-20251220-000031"]),
    ("CRDT is credit", V02["TB-20251212-000417"].credit_debit_indicator.value, "credit"),
    ("DBIT is debit", V02["TB-20251215-001122"].credit_debit_indicator.value, "debit"),
    (
        "a date is 00:00 Oslo time",
        V02["TB-20251212-000417"].booking_date.astimezone(UTC),
        datetime(2025, 12, 11, 23, 0, tzinfo=UTC),
    ),
    (
        "a DtTm keeps its offset",
        V08["TB-20251220-000032"].booking_date.astimezone(UTC),
        datetime(2025, 12, 20, 6, 15, tzinfo=UTC),
    ),
    ("001.08 nests Sts in Cd", V08["TB-20251220-000032"].status.value, "booked"),
    (
        "ISO codes become contract names",
        (
            V02["TB-20251212-000417"].transaction_code.family.value,
            V02["TB-20251212-000417"].transaction_code.sub_family.value,
        ),
        ("receivedCreditTransfers", "achTransactionSala"),
    ),
    ("a proprietary code is freeText", V02["TB-20251215-001122"].transaction_code.free_text, "Visa Varekjøp"),
    ("the debtor of a credit is the counterparty", V02["TB-20251212-000417"].counter_parties[0].type.value, "debtor"),
    (
        "its account, organisation number and address",
        (
            V02["TB-20251212-000417"].counter_parties[0].account_identifier,
            V02["TB-20251212-000417"].counter_parties[0].identifier.value,
            V02["TB-20251212-000417"].counter_parties[0].postal_address.town_name,
        ),
        ("15030012345", "912345678", "Bergen"),
    ),
    ("001.08 nests the party in Pty", V08["TB-20251220-000032"].counter_parties[0].name, "Kari Nordmann"),
    (
        "a Norwegian IBAN is its account number",
        V08["TB-20251220-000032"].counter_parties[0].account_identifier,
        "12000000011",
    ),
    (
        "the creditor of a debit is the counterparty",
        V02["TB-20251220-000031"].counter_parties[0].type.value,
        "creditor",
    ),
    (
        "CcyXchg is the currency exchange",
        (
            V02["TB-20251215-001122"].currency_exchange.original_amount,
            V02["TB-20251215-001122"].currency_exchange.exchange_rate,
        ),
        (Decimal("10.50"), Decimal("11.5")),
    ),
    ("the card's PAN is the payment card", V02["TB-20251215-001122"].payment_card.card_identifier, "4925000012345678"),
    (
        "the structured creditor reference",
        [(r.type.value, r.value) for r in V02["TB-20251220-000031"].references],
        [("remittanceReference", "2512200031")],
    ),
    (
        "Ustrd and AddtlNtryInf are additionalInfo",
        (V02["TB-20251212-000417"].additional_info, V08["TB-20251231-INT-0012"].additional_info),
        ("Lønn desember", "Renter"),
    ),
]


@pytest.mark.parametrize(("value", "expected"), [rule[1:] for rule in RULES], ids=[rule[0] for rule in RULES])
def test_mapping_rule(value: Any, expected: Any) -> None:
    assert value == expected


def test_balances_are_booked_balances_at_the_end_of_their_day() -> None:
    balances = [item.balance for item in camt053.read(DATA / "camt053_v02.xml") if item.balance is not None]
    assert [(day.isoformat(), amount) for day, amount in balances] == [
        ("2025-11-30", Decimal("10000.00")),
        ("2025-12-31", Decimal("42379.25")),
    ]  # OPBD: the day before


def test_an_entry_without_a_reference_gets_a_stable_digest(tmp_path: Path) -> None:
    text = (
        (DATA / "camt053_v08.xml")
        .read_text(encoding="utf-8")
        .replace("<AcctSvcrRef>TB-20251231-INT-0012</AcctSvcrRef>", "")
    )
    path = tmp_path / "statement.xml"
    path.write_text(text, encoding="utf-8")
    first = [tx for tx in _read(path) if tx.startswith("camt-")]
    assert len(first) == 1 and first == [tx for tx in _read(path) if tx.startswith("camt-")]


def _read(path: Path) -> list[str]:
    return [item.transaction.transaction_identifier for item in camt053.read(path) if item.transaction is not None]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'/>", "not a camt.053"),
        ("<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt>", "not well-formed"),
        (
            "<!DOCTYPE d [<!ENTITY x 'y'>]>"
            "<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'>&x;</Document>",
            "not well-formed",
        ),
    ],
    ids=["another-message", "truncated", "entity-declaration"],
)
def test_unreadable_statements_are_refused(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "statement.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(camt053.StatementError, match=words):
        list(camt053.read(path))
