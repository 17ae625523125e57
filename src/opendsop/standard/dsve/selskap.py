# SPDX-License-Identifier: Apache-2.0
"""Company founding: the bank's confirmation of paid-in share capital and Foretaksregisteret's check of it.

No channel is published (docs/decisions.md, "DSVE and company founding", lists every assumption).
The content is the law's: aksjeloven § 2-18 (2) — a finansforetak may confirm a cash contribution;
the confirmation states that the amount is paid in as aksjeinnskudd, the foretaksnavn, the date,
the confirmer and a signature (brreg.no "Bekreftelse på innbetalt aksjekapital"); § 2-18 (1) and (3):
a company not notified within three months of signing the stiftelsesdokument cannot be registered.

Codes: FR-001 the confirmation breaks its model · FR-002 the notice is unknown · FR-003 the confirmation
does not match the notice (name, amount below the share capital, bank, date) · FR-004 more than three
months since the stiftelsesdokument was signed · FR-005 not signed by the confirming bank · FR-006 the
notice itself is invalid (no founder, no board, share capital below NOK 30 000, aksjeloven § 3-1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from .errors import DsveError
from .values import sub

MIN_SHARE_CAPITAL = Decimal(30_000)  # aksjeloven § 3-1 (1)
ROOT = "bekreftelseAksjeinnskudd"


@dataclass(frozen=True)
class Stiftelsesmelding:
    """The founding notice (Samordnet registermelding stand-in): what the register checks the confirmation against."""

    referanse: str
    foretaksnavn: str
    aksjekapital: Decimal
    stiftelsesdato: date  # the day the stiftelsesdokument was signed
    stiftere: tuple[str, ...]
    styre: tuple[str, ...]  # the first board member is styrets leder
    bank_orgnr: str  # the bank that confirms the contribution
    forretningsadresse: str = ""


@dataclass(frozen=True)
class Kapitalbekreftelse:
    """The bank's confirmation (aksjeloven § 2-18 (2))."""

    meldingsreferanse: str
    foretaksnavn: str
    beloep: Decimal
    dato: date
    bank_orgnr: str
    bank_navn: str
    bekreftet_av: str  # the bank employee's name


def check_notice(notice: Stiftelsesmelding) -> None:
    if not notice.foretaksnavn.strip():
        raise DsveError("FR-006", "the notice names no company")
    if not notice.foretaksnavn.upper().rstrip().endswith(" AS"):
        raise DsveError("FR-006", "an aksjeselskap's name ends with AS (aksjeloven § 2-2 (1) 2)")
    if notice.aksjekapital < MIN_SHARE_CAPITAL:
        raise DsveError("FR-006", f"the share capital must be at least NOK {MIN_SHARE_CAPITAL} (aksjeloven § 3-1)")
    if not notice.stiftere:
        raise DsveError("FR-006", "the notice names no founder")
    if not notice.styre:
        raise DsveError("FR-006", "the notice names no board member")


def bekreftelse_xml(value: Kapitalbekreftelse) -> Element:
    root = Element(ROOT)
    sub(root, "meldingsreferanse", value.meldingsreferanse)
    sub(root, "foretaksnavn", value.foretaksnavn)
    sub(root, "beloep", f"{value.beloep:.2f}")
    sub(root, "innskuddstype", "aksjeinnskudd")
    sub(root, "dato", value.dato.isoformat())
    bank = sub(root, "bekrefter", id=value.bank_orgnr)
    sub(bank, "navn", value.bank_navn)
    sub(root, "bekreftetAv", value.bekreftet_av)
    return root


def _field(root: Element, name: str) -> str:
    found = root.find(name)
    value = "" if found is None else (found.text or "").strip()
    if not value:
        raise DsveError("FR-001", f"the confirmation has no {name}")
    return value


def read_bekreftelse(root: Element) -> Kapitalbekreftelse:
    if root.tag != ROOT:
        raise DsveError("FR-001", f"the document is not a {ROOT}")
    if _field(root, "innskuddstype") != "aksjeinnskudd":
        raise DsveError("FR-001", "the confirmation must say that the amount is paid in as aksjeinnskudd")
    try:
        beloep = Decimal(_field(root, "beloep"))
        dato = date.fromisoformat(_field(root, "dato"))
    except (InvalidOperation, ValueError):
        raise DsveError("FR-001", "beloep must be an amount and dato a date (YYYY-MM-DD)") from None
    if not beloep.is_finite() or beloep <= 0:
        raise DsveError("FR-001", "beloep must be a positive amount")
    bank = root.find("bekrefter")
    if bank is None or not (bank.get("id") or "").isdigit():
        raise DsveError("FR-001", "the confirmation names no confirming bank (bekrefter id)")
    return Kapitalbekreftelse(
        _field(root, "meldingsreferanse"),
        _field(root, "foretaksnavn"),
        beloep,
        dato,
        bank.get("id", ""),
        _field(bank, "navn"),
        _field(root, "bekreftetAv"),
    )


def three_months_after(day: date) -> date:
    month = day.month + 3
    year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def check_confirmation(
    notice: Stiftelsesmelding, confirmation: Kapitalbekreftelse, signers: Sequence[str], *, today: date
) -> None:
    """Raise FR-003/004/005 unless the signed confirmation matches the notice and arrives in time."""
    if confirmation.bank_orgnr not in signers:
        raise DsveError("FR-005", "the confirmation is not signed by the confirming bank")
    if confirmation.bank_orgnr != notice.bank_orgnr:
        raise DsveError("FR-003", "the confirming bank is not the one the founding notice names")
    if " ".join(confirmation.foretaksnavn.split()).casefold() != " ".join(notice.foretaksnavn.split()).casefold():
        raise DsveError("FR-003", "the confirmation's foretaksnavn differs from the founding notice")
    if confirmation.beloep < notice.aksjekapital:
        raise DsveError("FR-003", "the confirmed contribution is less than the share capital in the notice")
    if confirmation.dato < notice.stiftelsesdato or confirmation.dato > today:
        raise DsveError("FR-003", "the confirmation is dated before the founding or in the future")
    if today > three_months_after(notice.stiftelsesdato):
        raise DsveError(
            "FR-004",
            "more than three months have passed since the stiftelsesdokument was signed (aksjeloven § 2-18); "
            "the company cannot be registered",
        )


__all__ = [
    "MIN_SHARE_CAPITAL",
    "ROOT",
    "Kapitalbekreftelse",
    "Stiftelsesmelding",
    "bekreftelse_xml",
    "check_confirmation",
    "check_notice",
    "read_bekreftelse",
    "three_months_after",
]
