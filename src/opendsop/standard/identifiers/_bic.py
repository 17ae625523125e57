# SPDX-License-Identifier: Apache-2.0
"""BIC (ISO 9362, the SWIFT code): ``AAAA CC LL (BBB)``.

* ``AAAA`` institution code, four letters (SWIFT issues no digits here, although ISO 9362:2014
  would allow them; python-stdnum and schwifty's ``enforce_swift_compliance`` agree);
* ``CC`` an ISO 3166-1 alpha-2 country code, plus ``XK`` (Kosovo), which SWIFT uses;
* ``LL`` location code, letters or digits;
* ``BBB`` optional branch code, letters or digits (``XXX`` is the head office).

>>> validate_bic("dnba no kk")
'DNBANOKK'
>>> validate_bic("DNBANOK")
Traceback (most recent call last):
    ...
opendsop.standard.errors.InvalidLength: a BIC has 8 or 11 characters, got 7
"""

from __future__ import annotations

from typing import Final

from opendsop.standard import _bank_registry
from opendsop.standard.errors import InvalidComponent, InvalidFormat, InvalidLength
from opendsop.standard.identifiers._common import ascii_upper, first_non_alnum, require_text, succeeds

_WHAT: Final = "a BIC"
# pycountry (schwifty's source) lacks Kosovo, whose banks SWIFT registers under XK.
BIC_COUNTRY_CODES: Final = _bank_registry.COUNTRY_CODES | {"XK"}


def compact_bic(number: str) -> str:
    """Blanks and hyphens removed, upper-cased."""
    text = "".join(require_text(number, _WHAT).split())
    return ascii_upper(text.replace("-", ""))


def validate_bic(number: str) -> str:
    """The compact BIC, or a typed error saying what is wrong."""
    value = compact_bic(number)
    bad = first_non_alnum(value)
    if bad is not None:
        raise InvalidFormat(f"{_WHAT} has only letters and digits; found {bad[1]!r} at position {bad[0]}")
    if len(value) not in (8, 11):
        raise InvalidLength(f"{_WHAT} has 8 or 11 characters, got {len(value)}")
    institution, country = value[:4], value[4:6]
    if not institution.isalpha():
        raise InvalidFormat(f"the institution code (characters 1–4) has only letters, not {institution!r}")
    if not country.isalpha():
        raise InvalidFormat(f"the country code (characters 5–6) has two letters, not {country!r}")
    if country not in BIC_COUNTRY_CODES:
        raise InvalidComponent(f"{country} is not an ISO 3166 country code")
    return value


def is_valid_bic(number: str) -> bool:
    return succeeds(lambda: validate_bic(number))
