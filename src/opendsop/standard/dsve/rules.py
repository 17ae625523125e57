# SPDX-License-Identifier: Apache-2.0
"""The business rules of DSVE's flows (Bits e-tinglysing-afpant, §§ "Kjøpers pantedokument", "Intensjon",
"Kjøpekontrakt", "Restgjeldsoppgave og innfrielsessaldo"), each a pure function.

* A deed's ``dokumentreferanse`` is unique across banks: a UUID or ``[caseId]-[dokumentId]-[bankregisternummer]``
  (``0``, ``0_pantedokumnet`` and ``1_[bankregnr]`` are the specification's invalid examples).
* The bank sends a deed as its own orgnr (the Altinn reportee) — the deed's lender.
* Routing on the megler side: a case of the addressed megler/oppgjørsforetak holding the unit
  (``UnknownCadastre``/``UkjentRegisterenhet``), with at least one debtor or buyer among the case's buyers
  (``DebitorMismatch``/``UgyldigKjøper``); a festerett sold as ``E`` is an unknown unit.
* A remaining-debt or payoff answer names only borrowers who hold title in the sale (GDPR).
* AKELDO: the sender must list the type in its sendeliste, the receiver in its mottaksliste.
* The agent polls for contract changes at least every 5 minutes after signing, at least daily before.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .catalogue import MESSAGES, Role
from .errors import DsveError
from .values import Matrikkel, Party, Registerenhet

_REFERENCE = re.compile(r"[A-Za-z0-9]{1,64}-[A-Za-z0-9]{1,64}-[0-9]{4}")
MAX_PAYOFF_DATES = 4
POLL_AFTER_SIGNING = timedelta(minutes=5)
POLL_BEFORE_SIGNING = timedelta(days=1)
CASE_MAX_AGE = timedelta(days=365)


def check_dokumentreferanse(reference: str) -> str:
    """A globally unique deed reference: a UUID, or ``caseId-dokumentId-bankregisternummer`` (4 digits)."""
    try:
        uuid.UUID(reference)
        if len(reference) == 36:
            return reference
    except ValueError:
        pass
    if _REFERENCE.fullmatch(reference):
        return reference
    raise DsveError(
        "DSVE-008",
        f"dokumentreferanse {reference[:60]!r} is not unique across banks: use a UUID or "
        "[caseId]-[dokumentId]-[bankregisternummer]",
    )


def new_dokumentreferanse(case_id: str, document_id: str, bank_register_number: str) -> str:
    return check_dokumentreferanse(f"{case_id}-{document_id}-{bank_register_number}")


def check_sender_is_lender(reportee: str, lender_orgnr: str) -> None:
    """The bank must send a deed as its own orgnr: the shipment's sender is the deed's panthaver."""
    if reportee != lender_orgnr:
        raise DsveError(
            "DSVE-010",
            f"the deed was sent by {reportee}, but its panthaver is {lender_orgnr}: a bank sends its deeds as its "
            "own orgnr (Altinn reportee)",
        )


# --------------------------------------------------------------------------------- AKELDO


@dataclass(frozen=True)
class Aktoer:
    """One AKELDO entry: an organisation's role and the message types it sends and receives."""

    organisasjonsnummer: str
    navn: str
    rolle: Role
    sendeliste: frozenset[str]
    mottaksliste: frozenset[str]


def default_lists(rolle: Role) -> tuple[frozenset[str], frozenset[str]]:
    """The full message set of a role (sendeliste, mottaksliste): what a symmetric implementation lists."""
    sends = frozenset(t for t, spec in MESSAGES.items() if rolle in spec.senders)
    receives = frozenset(t for t, spec in MESSAGES.items() if rolle in spec.receivers)
    return sends, receives


def check_akeldo(
    sender: Aktoer | None, receiver: Aktoer | None, message_type: str, *, sender_id: str, receiver_id: str
) -> None:
    """Consulted before every send: DSVE-007 unless both are registered and list the type."""
    if message_type not in MESSAGES:
        raise DsveError("DSVE-002", f"unknown messageType {message_type[:60]!r}")
    if sender is None:
        raise DsveError("DSVE-007", f"{sender_id} is not registered in AKELDO")
    if receiver is None:
        raise DsveError("DSVE-007", f"{receiver_id} is not registered in AKELDO")
    if message_type not in sender.sendeliste:
        raise DsveError("DSVE-007", f"AKELDO does not list {message_type} in the sendeliste of {sender_id}")
    if message_type not in receiver.mottaksliste:
        raise DsveError("DSVE-007", f"AKELDO does not list {message_type} in the mottaksliste of {receiver_id}")


# ------------------------------------------------------------------------------- routing (megler)


@dataclass(frozen=True)
class Case:
    """A megler's case (oppdrag): who handles it, the unit, the parties, when it was opened."""

    oppdragsnummer: str
    megler_orgnr: str
    oppgjoer_orgnr: str | None
    enhet: Registerenhet
    selgere: tuple[Party, ...]
    kjoepere: tuple[Party, ...]
    opened: date
    signed: bool = False
    archived: bool = False


def _same_unit(case_unit: Registerenhet, stated: Registerenhet) -> bool:
    if isinstance(stated, Matrikkel) and not stated.nivaa_fits:
        return False  # e.g. a festerett stated as eiendomsnivaa E
    return case_unit == stated


def route(
    cases: Iterable[Case],
    addressed_to: str,
    enheter: Sequence[Registerenhet],
    persons: Sequence[str],
) -> tuple[str, Case | None]:
    """Route a deed or intention: ``("ok" | "unknown_unit" | "party_mismatch", case)``; the first error stops."""
    mine = [c for c in cases if addressed_to in (c.megler_orgnr, c.oppgjoer_orgnr) and not c.archived]
    holding = [c for c in mine if any(_same_unit(c.enhet, enhet) for enhet in enheter)]
    if not holding:
        return "unknown_unit", None
    for case in holding:
        if set(persons) & {buyer.id for buyer in case.kjoepere}:
            return "ok", case
    return "party_mismatch", holding[0]


DEED_STATUS = {"ok": "RoutedSuccessfully", "unknown_unit": "UnknownCadastre", "party_mismatch": "DebitorMismatch"}
INTENSJON_STATUS = {"ok": "RutetSuksessfullt", "unknown_unit": "UkjentRegisterenhet", "party_mismatch": "UgyldigKjøper"}
STATUS_TEXT = {
    "RoutedSuccessfully": "Pantedokumentet er rutet til oppdraget",
    "UnknownCadastre": "Fant ingen oppdrag med denne registerenheten hos mottakeren",
    "DebitorMismatch": "Ingen av debitorene er kjøper i oppdraget",
    "RutetSuksessfullt": "Meldingen er rutet til oppdraget",
    "UkjentRegisterenhet": "Fant ingen oppdrag med denne registerenheten",
    "UgyldigKjøper": "Ingen av kjøperne finnes i oppdraget",
}


def contract_cases(cases: Iterable[Case], megler_orgnr: str, kjoepere: Sequence[str], today: date) -> list[Case]:
    """Active cases (not archived, at most a year old) of the megler with at least one of the buyers."""
    return [
        case
        for case in cases
        if case.megler_orgnr == megler_orgnr
        and not case.archived
        and today - case.opened <= CASE_MAX_AGE
        and set(kjoepere) & {buyer.id for buyer in case.kjoepere}
    ]


def next_poll(last: datetime, *, signed: bool) -> datetime:
    """When the agent must look for contract changes again: 5 minutes after signing, daily before."""
    return last + (POLL_AFTER_SIGNING if signed else POLL_BEFORE_SIGNING)


# ---------------------------------------------------------------------- restgjeld and innfrielse


def borrower_names(borrowers: Sequence[Party], title_holders_in_sale: Sequence[str]) -> tuple[tuple[str, ...], bool]:
    """(names of borrowers who hold title in the sale, whether any borrower does not): others are never named."""
    holders = set(title_holders_in_sale)
    named = tuple(_name(b) for b in borrowers if b.id in holders)
    return named, any(b.id not in holders for b in borrowers)


def _name(party: Party) -> str:
    return party.navn


def check_payoff_dates(dates: Sequence[date]) -> tuple[date, ...]:
    """1 to 4 payoff dates (``innfrielsesdatoer``), distinct."""
    if not 1 <= len(dates) <= MAX_PAYOFF_DATES:
        raise DsveError(
            "DSVE-006", f"a payoff request carries 1 to {MAX_PAYOFF_DATES} innfrielsesdatoer, got {len(dates)}"
        )
    if len(set(dates)) != len(dates):
        raise DsveError("DSVE-006", "the innfrielsesdatoer repeat a date")
    return tuple(dates)


def priority_reached(ahead: Sequence[tuple[str, Sequence[str]]], sellers: Sequence[str]) -> bool:
    """The agreed priority holds when every encumbrance ahead of the buyer's deed is a seller's mortgage
    that the settlement pays off (``ahead``: (panthaver, pantsettere) of each earlier encumbrance)."""
    return all(set(pledgers) <= set(sellers) for _, pledgers in ahead)


__all__ = [
    "CASE_MAX_AGE",
    "DEED_STATUS",
    "INTENSJON_STATUS",
    "MAX_PAYOFF_DATES",
    "POLL_AFTER_SIGNING",
    "POLL_BEFORE_SIGNING",
    "STATUS_TEXT",
    "Aktoer",
    "Case",
    "borrower_names",
    "check_akeldo",
    "check_dokumentreferanse",
    "check_payoff_dates",
    "check_sender_is_lender",
    "contract_cases",
    "default_lists",
    "new_dokumentreferanse",
    "next_poll",
    "priority_reached",
    "route",
]
