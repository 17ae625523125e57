# SPDX-License-Identifier: Apache-2.0
"""IBAN (ISO 13616): the generic MOD 97 check, each country's format, and Norway's own MOD11.

The steps, each with its own error:

1. letters and digits only (blanks are stripped; lower case is upper-cased);
2. a two-letter country code and two check digits;
3. a country that issues IBANs, at that country's length and BBAN structure
   (``_bank_registry.IBAN_FORMATS``, generated from schwifty's registry);
4. ISO 7064 MOD 97-10 check digits.  Only ``02``–``98`` can be computed, so ``00``, ``01`` and
   ``99`` are refused even though ``mod 97 == 1`` holds for them (as schwifty; stdnum accepts);
5. for ``NO`` (15 characters): the kontonummer inside must pass its MOD11 check.

>>> validate_iban("NO93 8601 1117 947")
'NO9386011117947'
>>> format_iban("NO9386011117947")
'NO93 8601 1117 947'
>>> iban_to_kontonr("NO9386011117947")
'86011117947'
"""

from __future__ import annotations

import re
from typing import Final

from opendsop.standard import _bank_registry
from opendsop.standard.errors import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from opendsop.standard.identifiers._common import (
    ascii_upper,
    first_non_alnum,
    mod97_check_digits,
    require_text,
    succeeds,
)
from opendsop.standard.identifiers._kontonr import validate_kontonr

_WHAT: Final = "an IBAN"
_SPEC_PART = re.compile(r"(\d+)(!?)([nace])")
_SPEC_CLASSES: Final = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]", "e": " "}
_bban_patterns: dict[str, re.Pattern[str]] = {}


def compact_iban(number: str) -> str:
    """Blanks removed (any whitespace), upper-cased."""
    return ascii_upper("".join(require_text(number, _WHAT).split()))


def format_iban(number: str) -> str:
    """Groups of four: ``NO93 8601 1117 947``."""
    number = compact_iban(number)
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def _bban_pattern(country: str) -> re.Pattern[str]:
    """SWIFT notation (``4!n6!n1!n``: ``!`` fixed length, else at most) as a regular expression."""
    if country not in _bban_patterns:
        spec = _bank_registry.IBAN_FORMATS[country][1]
        regex = "".join(
            _SPEC_CLASSES[kind] + (f"{{{count}}}" if fixed else f"{{1,{count}}}")
            for count, fixed, kind in _SPEC_PART.findall(spec)
        )
        _bban_patterns[country] = re.compile(regex)
    return _bban_patterns[country]


def validate_iban(number: str) -> str:
    """The compact IBAN, or a typed error saying what is wrong."""
    value = compact_iban(number)
    bad = first_non_alnum(value)
    if bad is not None:
        raise InvalidFormat(f"{_WHAT} has only letters and digits; found {bad[1]!r} at position {bad[0]}")
    country, check, bban = value[:2], value[2:4], value[4:]
    if len(country) < 2 or not country.isalpha():
        raise InvalidFormat(f"{_WHAT} starts with a two-letter country code, not {country!r}")
    if len(check) < 2 or not check.isdigit():
        raise InvalidFormat(f"{_WHAT} has two check digits after the country code, not {check!r}")
    if country not in _bank_registry.IBAN_FORMATS:
        raise InvalidComponent(f"{country} is not a country that issues IBANs")
    length, spec = _bank_registry.IBAN_FORMATS[country]
    if len(value) != length:
        raise InvalidLength(f"{country} IBANs have {length} characters, got {len(value)}")
    if not _bban_pattern(country).fullmatch(bban):
        raise InvalidFormat(
            f"the account part of {_WHAT} from {country} must follow {spec} (n digit, a letter, c letter or digit)"
        )
    expected = mod97_check_digits(country, bban)
    if check != expected:
        raise InvalidChecksum(f"the IBAN check digits should be {expected}, not {check}")
    if country == "NO":
        try:
            validate_kontonr(bban)
        except InvalidChecksum as error:
            raise InvalidChecksum(f"the kontonummer inside the IBAN is wrong: {error.message}") from None
    return value


def is_valid_iban(number: str) -> bool:
    return succeeds(lambda: validate_iban(number))


def iban_to_kontonr(number: str) -> str:
    """The kontonummer inside a valid Norwegian IBAN."""
    value = validate_iban(number)
    if not value.startswith("NO"):
        raise InvalidComponent(f"only a Norwegian (NO) IBAN holds a kontonummer, not one from {value[:2]}")
    return value[4:]
