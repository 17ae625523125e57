# SPDX-License-Identifier: Apache-2.0
"""Organisasjonsnummer: the 9-digit number Enhetsregisteret (BRREG) gives every organisation.

DSOP “Data model”: "an org no. has 9 [digits]"; it travels as ``countryIdentificationCode``.

* The ninth digit is a MOD11 check digit, weights 3,2,7,6,5,4,3,2: ``11 - (sum mod 11)``, 11
  meaning 0; a remainder asking for 10 means no valid number starts with those eight digits.
* Numbers BRREG assigns start with 8 or 9.
* **Decided:** Tenor's synthetic test organisations use the leading digits 2 and 3 (the ranges
  seen in Altinn TT02 test data; to be confirmed against Skatteetaten's Tenor documentation).
  They are accepted only with ``synthetic_allowed=True`` (otherwise ``SyntheticNotAllowed``),
  and any other leading digit is ``InvalidComponent``.

>>> validate_orgnr("988 077 917")
'988077917'
>>> format_orgnr("988077917")
'988 077 917'
>>> validate_orgnr("988077918")
Traceback (most recent call last):
    ...
opendsop.standard.errors.InvalidChecksum: the check digit should be 7, not 8
"""

from __future__ import annotations

from random import Random
from typing import Final

from opendsop.standard.errors import InvalidChecksum, InvalidComponent, SyntheticNotAllowed
from opendsop.standard.identifiers._common import (
    mod11_check_digit,
    require_digits,
    strip_separators,
    succeeds,
)

ORGNR_WEIGHTS: Final = (3, 2, 7, 6, 5, 4, 3, 2)
REAL_LEADING_DIGITS: Final = "89"
SYNTHETIC_LEADING_DIGITS: Final = "23"
_WHAT: Final = "an organisasjonsnummer"


def compact_orgnr(number: str) -> str:
    """Strip the blanks of the written form ``NNN NNN NNN``."""
    return strip_separators(number, _WHAT, " ")


def format_orgnr(number: str) -> str:
    """``NNN NNN NNN``."""
    number = compact_orgnr(number)
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def orgnr_check_digit(first_eight: str) -> int | None:
    """The check digit for eight digits, or ``None`` when none exists."""
    return mod11_check_digit(first_eight, ORGNR_WEIGHTS)


def parse_orgnr(number: str, *, synthetic_allowed: bool = False) -> tuple[str, bool]:
    """(compact number, is synthetic) — the one implementation of every orgnr rule."""
    value = require_digits(compact_orgnr(number), 9, _WHAT)
    expected = orgnr_check_digit(value[:8])
    if expected is None:
        raise InvalidChecksum(f"no check digit exists for the first 8 digits: this is not {_WHAT}")
    if int(value[8]) != expected:
        raise InvalidChecksum(f"the check digit should be {expected}, not {value[8]}")
    synthetic = value[0] in SYNTHETIC_LEADING_DIGITS
    if value[0] not in REAL_LEADING_DIGITS and not synthetic:
        raise InvalidComponent(f"{_WHAT} starts with 8 or 9 (2 or 3 for a synthetic test organisation), not {value[0]}")
    if synthetic and not synthetic_allowed:
        raise SyntheticNotAllowed("synthetic test organisation numbers (leading 2 or 3) are refused in production")
    return value, synthetic


def validate_orgnr(number: str, *, synthetic_allowed: bool = False) -> str:
    """The compact organisasjonsnummer, or a typed error saying what is wrong."""
    return parse_orgnr(number, synthetic_allowed=synthetic_allowed)[0]


def is_valid_orgnr(number: str, *, synthetic_allowed: bool = False) -> bool:
    return succeeds(lambda: validate_orgnr(number, synthetic_allowed=synthetic_allowed))


def generate_orgnr(rng: Random, *, synthetic: bool = True) -> str:
    """A valid organisasjonsnummer; synthetic (leading 2 or 3) unless told otherwise.

    With ``synthetic=False`` the number has a real format and may belong to a real organisation.
    """
    leading = SYNTHETIC_LEADING_DIGITS if synthetic else REAL_LEADING_DIGITS
    while True:  # one draw in eleven has no check digit
        digits = rng.choice(leading) + "".join(rng.choice("0123456789") for _ in range(7))
        check = orgnr_check_digit(digits)
        if check is not None:
            return f"{digits}{check}"
