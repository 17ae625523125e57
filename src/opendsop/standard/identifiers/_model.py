# SPDX-License-Identifier: Apache-2.0
"""The values the identifier validators return: what kind of party an id names, and a bank.

On the wire a party is ``Identifier{value, type}`` where ``type`` is ``nationalIdentityNumber``
for a person (fødselsnummer, D-number, H-number) and ``countryIdentificationCode`` for an
organisation (organisasjonsnummer) — DSOP “Data model” "Person/org id" and the
``IdentifierType`` enum of Bank_v2.yaml.

>>> IdentifierKind.DNUMMER.wire_identifier_type
'nationalIdentityNumber'
>>> IdentifierKind.HNUMMER.label
'an H-number (month + 40)'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final, Literal

WireIdentifierType = Literal["nationalIdentityNumber", "countryIdentificationCode"]

NATIONAL_IDENTITY_NUMBER: Final = "nationalIdentityNumber"
COUNTRY_IDENTIFICATION_CODE: Final = "countryIdentificationCode"


class IdentifierKind(StrEnum):
    FODSELSNUMMER = "fodselsnummer"
    DNUMMER = "dnummer"
    HNUMMER = "hnummer"
    ORGNR = "orgnr"

    @property
    def is_person(self) -> bool:
        return self is not IdentifierKind.ORGNR

    @property
    def label(self) -> str:
        """The kind as a message names it, article included, with the rule that marks it."""
        return _LABELS[self]

    @property
    def wire_identifier_type(self) -> WireIdentifierType:
        return NATIONAL_IDENTITY_NUMBER if self.is_person else COUNTRY_IDENTIFICATION_CODE


_LABELS: Final[dict[IdentifierKind, str]] = {
    IdentifierKind.FODSELSNUMMER: "a fødselsnummer",
    IdentifierKind.DNUMMER: "a D-number (day + 40)",
    IdentifierKind.HNUMMER: "an H-number (month + 40)",
    IdentifierKind.ORGNR: "an organisasjonsnummer",
}


@dataclass(frozen=True, slots=True)
class PartyIdentifier:
    """A validated ``PartyID`` / ``CustomerID``: a person or an organisation.

    ``synthetic`` marks a Tenor test number (month + 80 for persons, leading 2 or 3 for
    organisations); it can only be ``True`` when the validator was told synthetic ids are
    allowed.  ``birth_date`` is ``None`` for organisations.
    """

    value: str
    kind: IdentifierKind
    synthetic: bool
    birth_date: date | None

    @property
    def is_person(self) -> bool:
        return self.kind.is_person

    @property
    def wire_identifier_type(self) -> WireIdentifierType:
        """The ``Identifier.type`` this id travels under in DSOP responses."""
        return self.kind.wire_identifier_type


@dataclass(frozen=True, slots=True)
class BankInfo:
    """A Norwegian bank as the schwifty-derived registry knows it (``_bank_registry.NO_BANKS``)."""

    bank_code: str
    name: str
    short_name: str
    bic: str
