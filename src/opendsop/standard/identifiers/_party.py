# SPDX-License-Identifier: Apache-2.0
"""``PartyID`` (Control API) and ``CustomerID`` (Customer Relations Overview): who a request is about.

DSOP “Data model” (PartyID: "Digits: 11 for FNR/D-number, 9 for org no.") and DSOP “Endpoint customerRelationships
V.2.0”
(CustomerID).  The length decides the kind; the kind's own rules then apply.  The wire value is
taken as sent — no blanks are stripped, because a header with ``"151086 95088"`` is a malformed
header, not a number to be guessed at.

>>> party = validate_party_id("988077917")
>>> party.kind, party.wire_identifier_type
(<IdentifierKind.ORGNR: 'orgnr'>, 'countryIdentificationCode')
>>> validate_party_id("1510869508")
Traceback (most recent call last):
    ...
opendsop.standard.errors.InvalidLength: 11 digits (a person) or 9 digits (an organisation) expected, got 10
"""

from __future__ import annotations

from datetime import date

from opendsop.standard.errors import InvalidFormat, InvalidLength
from opendsop.standard.identifiers._common import require_text, succeeds
from opendsop.standard.identifiers._model import IdentifierKind, PartyIdentifier
from opendsop.standard.identifiers._orgnr import parse_orgnr
from opendsop.standard.identifiers._person import validate_person_number

_WHAT = "a party identifier"


def validate_party_id(value: str, *, synthetic_allowed: bool = False, today: date | None = None) -> PartyIdentifier:
    """A person (fødselsnummer, D-number, H-number) or an organisation (organisasjonsnummer)."""
    text = require_text(value, _WHAT)
    for position, char in enumerate(text, start=1):
        if char not in "0123456789":
            raise InvalidFormat(f"{_WHAT} has only digits; found {char!r} at position {position}")
    if len(text) == 11:
        return validate_person_number(text, synthetic_allowed=synthetic_allowed, today=today)
    if len(text) == 9:
        number, synthetic = parse_orgnr(text, synthetic_allowed=synthetic_allowed)
        return PartyIdentifier(number, IdentifierKind.ORGNR, synthetic, None)
    raise InvalidLength(f"11 digits (a person) or 9 digits (an organisation) expected, got {len(text)}")


def is_valid_party_id(value: str, *, synthetic_allowed: bool = False, today: date | None = None) -> bool:
    return succeeds(lambda: validate_party_id(value, synthetic_allowed=synthetic_allowed, today=today))
