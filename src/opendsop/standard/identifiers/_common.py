# SPDX-License-Identifier: Apache-2.0
"""Mechanics shared by the identifier modules: MOD11, MOD97, clean-up and the first checks.

Every check digit here is computed by hand: python-stdnum and schwifty import ssl and socket at
import time and so stay out of the rules core (they are the oracles in the tests instead).

>>> mod11_check_digit("98807791", (3, 2, 7, 6, 5, 4, 3, 2))
7
>>> mod97_check_digits("NO", "86011117947")
'93'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from opendsop.standard.errors import DsopError, InvalidFormat, InvalidLength

_ASCII_DIGITS = frozenset("0123456789")
_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def mod11_check_digit(digits: str, weights: Sequence[int]) -> int | None:
    """The MOD11 check digit ``11 - (Σ weight·digit mod 11)``, where 11 stands for 0.

    A remainder of 1 asks for the check digit 10, which one digit cannot hold: no valid number
    starts with these digits, and ``None`` says so.
    """
    total = sum(weight * int(digit) for weight, digit in zip(weights, digits, strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else check


def mod97_check_digits(country: str, bban: str) -> str:
    """The ISO 13616 / ISO 7064 MOD 97-10 check digits of an IBAN, always ``02``–``98``.

    Letters count as 10–35 and the country code plus ``00`` move behind the BBAN.
    """
    numeric = "".join(str(int(char, 36)) for char in bban + country + "00")
    return f"{98 - int(numeric) % 97:02d}"


def require_text(value: object, what: str) -> str:
    """Bad input never crashes: a non-string (``None``, an ``int`` that lost its leading zero)
    is a format error, not a ``TypeError``."""
    if not isinstance(value, str):
        raise InvalidFormat(f"{what} must be given as text, got {type(value).__name__}")
    return value


def strip_separators(value: object, what: str, separators: str) -> str:
    """Surrounding whitespace and the given separator characters removed."""
    text = require_text(value, what).strip()
    for separator in separators:
        text = text.replace(separator, "")
    return text


def require_digits(number: str, length: int, what: str) -> str:
    """Only ASCII digits (``str.isdigit`` would let ``'٣'`` through), exactly ``length`` of them."""
    for position, char in enumerate(number, start=1):
        if char not in _ASCII_DIGITS:
            raise InvalidFormat(f"{what} has only digits; found {char!r} at position {position}")
    if len(number) != length:
        raise InvalidLength(f"{what}: {length} digits expected, got {len(number)}")
    return number


def ascii_upper(text: str) -> str:
    """Upper-case a–z only: ``str.upper`` would turn ``'ı'`` into ``'I'`` and ``'ß'`` into ``'SS'``."""
    return text.translate(_ASCII_UPPER)


def first_non_alnum(text: str) -> tuple[int, str] | None:
    """Position (1-based) and character of the first character that is not A–Z or 0–9."""
    for position, char in enumerate(text, start=1):
        if char not in _ASCII_ALNUM:
            return position, char
    return None


def succeeds(check: Callable[[], object]) -> bool:
    """The ``is_valid_*`` rule, in one place: ``validate`` raised no typed error."""
    try:
        check()
    except DsopError:
        return False
    return True
