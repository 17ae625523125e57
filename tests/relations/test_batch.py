"""The KFR batch file: every bad entry reported with line and position, nothing accepted on error
(DSOP Kundeforholdsregister “Om”; KAR.yaml ``CustomerBatch``)."""

from __future__ import annotations

from datetime import date

import pytest

from opendsop.relations.batch import decode_payload, encode_payload, parse_batch
from tests.relations.conftest import TODAY, orgnr, person

P1, P2, ORG = person(1), person(2), orgnr(3)


def test_ids_with_and_without_start_date() -> None:
    parsed = parse_batch(f"{ORG}#2019-11-08,{P1},{P2}#2020-02-29", today=TODAY, synthetic_allowed=True)
    assert parsed.ok
    assert parsed.entries == {ORG: date(2019, 11, 8), P1: TODAY, P2: date(2020, 2, 29)}


def test_lines_and_trailing_comma_and_blank_lines() -> None:
    parsed = parse_batch(f"{P1},\r\n\n{P2}\n", today=TODAY, synthetic_allowed=True)
    assert parsed.ok and set(parsed.entries) == {P1, P2}


def test_duplicate_customer_keeps_earliest_start() -> None:
    parsed = parse_batch(f"{P1}#2021-01-01,{P1}#2019-01-01,{P1}", today=TODAY, synthetic_allowed=True)
    assert parsed.entries == {P1: date(2019, 1, 1)}


BAD = [
    ("wrong-length", "1234567890", "KFR-005"),
    ("bad-checksum", P1[:-1] + str((int(P1[-1]) + 1) % 10), "KFR-005"),
    ("letters", "12345678A01", "KFR-005"),
    ("date-format", f"{P1}#08.11.2019", "KFR-010"),
    ("impossible-date", f"{P1}#2019-02-30", "KFR-010"),
    ("future-date", f"{P1}#2026-01-16", "KFR-010"),
    ("two-hashes", f"{P1}#2019-01-01#x", "KFR-004"),
    ("empty-between-commas", f"{P1},,{P2}", "KFR-004"),
]


@pytest.mark.parametrize(("text", "code"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_entry_codes(text: str, code: str) -> None:
    parsed = parse_batch(text, today=TODAY, synthetic_allowed=True)
    assert not parsed.ok
    assert parsed.errors[0].code == code


def test_synthetic_refused_in_production() -> None:
    parsed = parse_batch(P1, today=TODAY, synthetic_allowed=False)
    assert [e.code for e in parsed.errors] == ["KFR-005"]


def test_every_bad_entry_is_reported_with_line_and_position() -> None:
    text = f"{P1},123\n{P2}#2019-13-01,{ORG}\nxyz"
    parsed = parse_batch(text, today=TODAY, synthetic_allowed=True)
    assert parsed.error_count == 3
    assert [(e.line, e.position, e.code) for e in parsed.errors] == [
        (1, 2, "KFR-005"),
        (2, 1, "KFR-010"),
        (3, 1, "KFR-005"),
    ]


def test_empty_file_is_invalid() -> None:
    assert not parse_batch(" \n", today=TODAY, synthetic_allowed=True).ok


def test_payload_round_trip() -> None:
    entries = [(P1, date(2019, 1, 1)), (ORG, TODAY)]
    assert decode_payload(encode_payload(entries)) == entries
