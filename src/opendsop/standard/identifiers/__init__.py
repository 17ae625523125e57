# SPDX-License-Identifier: Apache-2.0
"""Norwegian identifiers in DSOP: persons, organisations, accounts, IBANs and BICs.

Source: DSOP “Data model” (``Identifier``: FNR/D-number 11 digits, org no. 9 digits;
``PartyID``, ``CustomerID``); DSOP “eOppslag” ("Format / checksum" of PartyID, ERR-002,
ERR-004); Skatteetaten's Tenor test data (synthetic persons, month + 80).

Every identifier has the same small API, in the style of python-stdnum:

* ``compact_*`` strips the separators people write; ``format_*`` writes the usual form;
* ``validate_*`` returns the compact value or raises a subclass of ``InvalidIdentifier``
  (``InvalidFormat``, ``InvalidLength``, ``InvalidChecksum``, ``InvalidComponent``,
  ``SyntheticNotAllowed``) whose message says exactly what is wrong.  ``parameter`` is left
  ``None``: the caller knows which header or field the value came from and sets it;
* ``is_valid_*`` is ``validate_*`` without the exception;
* ``generate_*`` makes valid numbers for the synthetic-data generator, drawing randomness only
  from the ``random.Random`` it is given.

Nothing here reads the clock (``today`` is a parameter), the network or a file; the bank table is
the generated literal ``opendsop.standard._bank_registry`` (see scripts/update_bank_registry.py).

>>> validate_party_id("15108695088").kind
<IdentifierKind.FODSELSNUMMER: 'fodselsnummer'>
>>> validate_party_id("15908695124")
Traceback (most recent call last):
    ...
opendsop.standard.errors.SyntheticNotAllowed: synthetic test numbers (month + 80) are refused in production
>>> validate_party_id("15908695124", synthetic_allowed=True).synthetic
True
"""

from __future__ import annotations

from opendsop.standard.identifiers._bic import BIC_COUNTRY_CODES, compact_bic, is_valid_bic, validate_bic
from opendsop.standard.identifiers._iban import (
    compact_iban,
    format_iban,
    iban_to_kontonr,
    is_valid_iban,
    validate_iban,
)
from opendsop.standard.identifiers._kontonr import (
    bank_by_code,
    bank_code,
    bank_for,
    compact_kontonr,
    format_kontonr,
    generate_kontonr,
    is_valid_kontonr,
    known_bank_codes,
    kontonr_check_digit,
    kontonr_to_iban,
    validate_kontonr,
)
from opendsop.standard.identifiers._model import (
    BankInfo,
    IdentifierKind,
    PartyIdentifier,
    WireIdentifierType,
)
from opendsop.standard.identifiers._orgnr import (
    compact_orgnr,
    format_orgnr,
    generate_orgnr,
    is_valid_orgnr,
    orgnr_check_digit,
    validate_orgnr,
)
from opendsop.standard.identifiers._party import is_valid_party_id, validate_party_id
from opendsop.standard.identifiers._person import (
    compact_fodselsnummer,
    format_fodselsnummer,
    generate_dnummer,
    generate_fodselsnummer,
    generate_hnummer,
    is_valid_dnummer,
    is_valid_fodselsnummer,
    is_valid_hnummer,
    is_valid_person_number,
    validate_dnummer,
    validate_fodselsnummer,
    validate_hnummer,
    validate_person_number,
)

__all__ = [
    "BIC_COUNTRY_CODES",
    "BankInfo",
    "IdentifierKind",
    "PartyIdentifier",
    "WireIdentifierType",
    "bank_by_code",
    "bank_code",
    "bank_for",
    "compact_bic",
    "compact_fodselsnummer",
    "compact_iban",
    "compact_kontonr",
    "compact_orgnr",
    "format_fodselsnummer",
    "format_iban",
    "format_kontonr",
    "format_orgnr",
    "generate_dnummer",
    "generate_fodselsnummer",
    "generate_hnummer",
    "generate_kontonr",
    "generate_orgnr",
    "iban_to_kontonr",
    "is_valid_bic",
    "is_valid_dnummer",
    "is_valid_fodselsnummer",
    "is_valid_hnummer",
    "is_valid_iban",
    "is_valid_kontonr",
    "is_valid_orgnr",
    "is_valid_party_id",
    "is_valid_person_number",
    "known_bank_codes",
    "kontonr_check_digit",
    "kontonr_to_iban",
    "orgnr_check_digit",
    "validate_bic",
    "validate_dnummer",
    "validate_fodselsnummer",
    "validate_hnummer",
    "validate_iban",
    "validate_kontonr",
    "validate_orgnr",
    "validate_party_id",
    "validate_person_number",
]
