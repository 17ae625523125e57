"""The KFR bulk-load file: parsing and complete validation before anything is stored (pure).

DSOP Kundeforholdsregister “Om” and KAR.yaml ``CustomerBatch.customers``: comma-separated customer
identifiers (9-digit organisasjonsnummer, 11-digit fødselsnummer or D-number), each optionally
``ID#YYYY-MM-DD`` giving the start date (default: the upload day).  We also accept one entry per
line, or several lines of comma-separated entries, since banks generate "CSV files"; a trailing
comma and blank lines are tolerated.  Every bad entry is reported with its line, its position
in the line and the reason, and a file with any bad entry is refused as a whole (KFR-005 for an
identifier, KFR-010 for a date, KFR-004 for anything else).  A customer listed twice keeps the
earliest start date.  A start date in the future is refused: a relationship cannot start later
than it is reported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from opendsop.standard.errors import DsopError
from opendsop.standard.identifiers import IdentifierKind, validate_party_id
from opendsop.standard.period import parse_date

MAX_BATCH_BYTES = 10 * 1024 * 1024  # DSOP Kundeforholdsregister “Om”: "the file may be at most 10 MB"
MAX_REPORTED = 1000  # every bad entry is counted; the first thousand are described


@dataclass(frozen=True, slots=True)
class BadEntry:
    line: int
    position: int  # 1-based index of the entry within its line
    code: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "position": self.position, "code": self.code, "reason": self.reason}


@dataclass(slots=True)
class ParsedBatch:
    entries: dict[str, date] = field(default_factory=dict)  # customer -> start date
    errors: list[BadEntry] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def _bad(self, line: int, position: int, code: str, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(BadEntry(line, position, code, reason))

    def first_code(self) -> str:
        return self.errors[0].code if self.errors else "KFR-004"


def _customer(value: str, *, synthetic_allowed: bool, today: date) -> str:
    party = validate_party_id(value, synthetic_allowed=synthetic_allowed, today=today)
    if party.kind is IdentifierKind.HNUMMER:
        raise DsopError("an H-number is not a customer identifier (fødselsnummer, D-number or organisasjonsnummer)")
    return party.value


def parse_batch(text: str, *, today: date, synthetic_allowed: bool) -> ParsedBatch:
    """Validate every entry of a ``customers`` file; ``ok`` is False if any entry is bad."""
    parsed = ParsedBatch()
    for line_no, line in enumerate(text.splitlines(), start=1):
        items = line.split(",")
        if items and not items[-1].strip():
            items.pop()  # trailing comma (or a blank line)
        for position, raw in enumerate(items, start=1):
            item = raw.strip()
            if not item:
                parsed._bad(line_no, position, "KFR-004", "empty entry between two commas")
                continue
            ident, hash_sign, day_text = item.partition("#")
            start = today
            if hash_sign:
                if "#" in day_text:
                    parsed._bad(line_no, position, "KFR-004", "more than one '#' in the entry")
                    continue
                try:
                    start = parse_date(day_text, parameter="start date")
                except DsopError as error:
                    parsed._bad(line_no, position, "KFR-010", error.message)
                    continue
                if start > today:
                    parsed._bad(line_no, position, "KFR-010", f"start date {start} is in the future")
                    continue
            try:
                customer = _customer(ident.strip(), synthetic_allowed=synthetic_allowed, today=today)
            except DsopError as error:
                parsed._bad(line_no, position, "KFR-005", f"invalid customer identifier: {error.message}")
                continue
            known = parsed.entries.get(customer)
            if known is None or start < known:
                parsed.entries[customer] = start
    if not parsed.entries and parsed.ok:
        parsed._bad(1, 1, "KFR-004", "the customers file holds no entries")
    return parsed


def encode_payload(entries: Iterable[tuple[str, date]]) -> str:
    """The validated entries as stored with a pending batch: ``customer start`` per line."""
    return "".join(f"{customer} {start.isoformat()}\n" for customer, start in entries)


def decode_payload(payload: str) -> list[tuple[str, date]]:
    out: list[tuple[str, date]] = []
    for line in payload.splitlines():
        customer, _, day = line.partition(" ")
        out.append((customer, date.fromisoformat(day)))
    return out


def fingerprint(payload: str) -> str:
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


__all__ = [
    "MAX_BATCH_BYTES",
    "BadEntry",
    "ParsedBatch",
    "decode_payload",
    "encode_payload",
    "fingerprint",
    "parse_batch",
]
