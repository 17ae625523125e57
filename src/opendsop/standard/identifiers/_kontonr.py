# SPDX-License-Identifier: Apache-2.0
"""Kontonummer: the 11-digit Norwegian bank account number, and the bank behind it.

Layout ``BBBB.AA.CCCCK`` (Bank_v2.yaml and the DSOP pages: ``Kontonummer = [0-9]{11}``; ERR-004 "Ugyldig
kontonummer"): four digits of bank code (registernummer), six of account, one MOD11 check
digit with weights 5,4,3,2,7,6,5,4,3,2 over the first ten.  A remainder of 1 asks for the check
digit 10, so no account starts with those ten digits.

Decided differences from the two libraries used as test oracles:

* python-stdnum also accepts the 7-digit postgiro numbers (``0000.XX.XXXXX``); DSOP does not.
* schwifty checks only digits 7–10 when digits 5–6 are ``00``; we follow the published rule
  (all ten digits), as stdnum and Norwegian banks' own validators do.

The bank-code table is ``_bank_registry.NO_BANKS``, generated from schwifty by
``scripts/update_bank_registry.py``.

>>> validate_kontonr("8601 11 17947")
'86011117947'
>>> format_kontonr("86011117947")
'8601.11.17947'
>>> kontonr_to_iban("8601.11.17947")
'NO9386011117947'
>>> bank_for("1503.00.12345").bic
'DNBANOKK'
"""

from __future__ import annotations

from random import Random
from typing import Final

from opendsop.standard import _bank_registry
from opendsop.standard.errors import InvalidChecksum
from opendsop.standard.identifiers._common import (
    mod11_check_digit,
    mod97_check_digits,
    require_digits,
    strip_separators,
    succeeds,
)
from opendsop.standard.identifiers._model import BankInfo

KONTONR_WEIGHTS: Final = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_WHAT: Final = "a kontonummer"


def compact_kontonr(number: str) -> str:
    """Strip the blanks and dots of written forms (``1503.00.12345``, ``1503 00 12345``)."""
    return strip_separators(number, _WHAT, " .")


def format_kontonr(number: str) -> str:
    """``NNNN.NN.NNNNN``."""
    number = compact_kontonr(number)
    return f"{number[:4]}.{number[4:6]}.{number[6:]}"


def kontonr_check_digit(first_ten: str) -> int | None:
    """The check digit for ten digits, or ``None`` when none exists."""
    return mod11_check_digit(first_ten, KONTONR_WEIGHTS)


def validate_kontonr(number: str) -> str:
    """The compact kontonummer, or a typed error saying what is wrong.

    The bank code is not required to be known: a bank missing from the registry is a data gap,
    not a malformed number (``bank_for`` answers ``None`` for it).
    """
    value = require_digits(compact_kontonr(number), 11, _WHAT)
    expected = kontonr_check_digit(value[:10])
    if expected is None:
        raise InvalidChecksum(f"no check digit exists for the first 10 digits: this is not {_WHAT}")
    if int(value[10]) != expected:
        raise InvalidChecksum(f"the check digit should be {expected}, not {value[10]}")
    return value


def is_valid_kontonr(number: str) -> bool:
    return succeeds(lambda: validate_kontonr(number))


def bank_code(number: str) -> str:
    """The four-digit bank code (registernummer) of a valid kontonummer."""
    return validate_kontonr(number)[:4]


def bank_by_code(code: str) -> BankInfo | None:
    """The bank that owns a four-digit bank code, if the registry knows it."""
    row = _bank_registry.NO_BANKS.get(code)
    return None if row is None else BankInfo(code, *row)


def bank_for(number: str) -> BankInfo | None:
    """The bank of a valid kontonummer, or ``None`` when its bank code is not in the registry."""
    return bank_by_code(bank_code(number))


def known_bank_codes() -> tuple[str, ...]:
    """Every bank code in the registry, sorted (for generators that need a real bank)."""
    return tuple(sorted(_bank_registry.NO_BANKS))


def kontonr_to_iban(number: str) -> str:
    """The compact NO IBAN of a valid kontonummer (``NO`` + MOD 97 check digits + the 11 digits)."""
    value = validate_kontonr(number)
    return f"NO{mod97_check_digits('NO', value)}{value}"


def generate_kontonr(rng: Random, bank_code: str) -> str:
    """A valid kontonummer at ``bank_code`` with a random account part.

    About one serial in eleven has no check digit; those are drawn again.
    """
    code = require_digits(strip_separators(bank_code, "a bank code", " "), 4, "a bank code")
    while True:
        first_ten = code + "".join(rng.choice("0123456789") for _ in range(6))
        check = kontonr_check_digit(first_ten)
        if check is not None:
            return f"{first_ten}{check}"
