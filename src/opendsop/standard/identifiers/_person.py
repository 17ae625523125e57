# SPDX-License-Identifier: Apache-2.0
"""Person numbers: fødselsnummer, D-number, H-number and Tenor's synthetic test numbers.

All four share one layout, ``DDMMYY III K1 K2`` (DSOP “Data model”: a FNR/D-number has 11
digits), and one check (Skatteetaten's MOD11):

* ``K1`` weights 3,7,6,1,8,9,4,5,2 over DDMMYYIII and ``K2`` weights 5,4,3,2,7,6,5,4,3,2 over
  DDMMYYIIIK1; a remainder that asks for the digit 10 means no valid number starts that way.
* The individual number ``III`` and ``YY`` give the century (``_century``); its last digit is
  odd for men and even for women.
* A **D-number** adds 40 to the day; an **H-number** adds 40 to the month.  Both are real,
  assigned numbers.
* A **synthetic** number (Skatteetaten's Tenor test data, the convention the DSOP test
  documentation uses for TT02) adds 80 to the
  month, for fødselsnummer and D-numbers alike.  It is accepted only with
  ``synthetic_allowed=True``; otherwise ``SyntheticNotAllowed``.
* FH-numbers (first digit 8 or 9) carry no birth date and are refused.

The check for "born in the future" needs ``today``; the core never reads the clock, so without it
that check is skipped.  Every structural check runs before the synthetic gate, so
``SyntheticNotAllowed`` always means "a valid synthetic number".

Not yet handled: the announced 2032 change (several valid K1 values, no gender digit;
announced by Skatteetaten, not yet specified).  ``_check_digits`` is the one place that rule would change.

>>> validate_fodselsnummer("151086 95088")
'15108695088'
>>> validate_person_number("15908695124", synthetic_allowed=True).kind
<IdentifierKind.FODSELSNUMMER: 'fodselsnummer'>
>>> validate_fodselsnummer("15908695124")
Traceback (most recent call last):
    ...
opendsop.standard.errors.SyntheticNotAllowed: synthetic test numbers (month + 80) are refused in production
"""

from __future__ import annotations

from datetime import date
from random import Random
from typing import Final

from opendsop.standard.errors import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    SyntheticNotAllowed,
)
from opendsop.standard.identifiers._common import (
    mod11_check_digit,
    require_digits,
    strip_separators,
    succeeds,
)
from opendsop.standard.identifiers._model import IdentifierKind, PartyIdentifier

K1_WEIGHTS: Final = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2_WEIGHTS: Final = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
D_NUMBER_DAY_OFFSET: Final = 40
H_NUMBER_MONTH_OFFSET: Final = 40
SYNTHETIC_MONTH_OFFSET: Final = 80
_WHAT: Final = "a fødselsnummer"

# Birth year → the individual numbers that encode its century.  1940–1999 may also use
# 900–999; 500–749 with YY ≥ 54 belongs to the 1800s, hence 1940–1953 cannot use it either.
_INDIVIDUAL_RANGES: Final[tuple[tuple[range, tuple[range, ...]], ...]] = (
    (range(1854, 1900), (range(500, 750),)),
    (range(1900, 1940), (range(0, 500),)),
    (range(1940, 2000), (range(0, 500), range(900, 1000))),
    (range(2000, 2040), (range(500, 1000),)),
)


def compact_fodselsnummer(number: str) -> str:
    """Strip the separators people write (``151086 95088``, ``151086-95088``)."""
    return strip_separators(number, _WHAT, " -")


def format_fodselsnummer(number: str) -> str:
    """``DDMMYY IIIKK``."""
    number = compact_fodselsnummer(number)
    return f"{number[:6]} {number[6:]}"


def _century(individual: int, year: int) -> int | None:
    """Skatteetaten's individual-number ranges (same order as python-stdnum)."""
    if individual <= 499:
        return 1900
    if individual <= 749 and year >= 54:
        return 1800
    if year <= 39:
        return 2000  # 500–999
    if individual >= 900:
        return 1900  # 900–999 with YY ≥ 40
    return None


def _check_digits(number: str) -> None:
    for name, weights, position in (("K1", K1_WEIGHTS, 9), ("K2", K2_WEIGHTS, 10)):
        expected = mod11_check_digit(number[:position], weights)
        if expected is None:
            raise InvalidChecksum(f"no check digit {name} exists for the first {position} digits: this is not {_WHAT}")
        if int(number[position]) != expected:
            raise InvalidChecksum(f"the check digit {name} should be {expected}, not {number[position]}")


def _split_day(day: int) -> tuple[int, bool]:
    """(real day, is a D-number)."""
    if 1 <= day <= 31:
        return day, False
    if 1 <= day - D_NUMBER_DAY_OFFSET <= 31:
        return day - D_NUMBER_DAY_OFFSET, True
    if day >= 80:
        raise InvalidComponent(
            f"day {day:02d} starts with 8 or 9, which marks an FH-number (felles hjelpenummer); "
            "FH-numbers carry no birth date and are not accepted"
        )
    raise InvalidComponent(f"day {day:02d} is not a day: 01–31, or 41–71 for a D-number (day + 40)")


def _split_month(month: int) -> tuple[int, bool, bool]:
    """(real month, is an H-number, is synthetic)."""
    if 1 <= month <= 12:
        return month, False, False
    if 1 <= month - H_NUMBER_MONTH_OFFSET <= 12:
        return month - H_NUMBER_MONTH_OFFSET, True, False
    if 1 <= month - SYNTHETIC_MONTH_OFFSET <= 12:
        return month - SYNTHETIC_MONTH_OFFSET, False, True
    raise InvalidComponent(
        f"month {month:02d} is not a month: 01–12, 41–52 for an H-number (month + 40) "
        "or 81–92 for a synthetic test number (month + 80)"
    )


def _parse(number: str, *, synthetic_allowed: bool, today: date | None) -> PartyIdentifier:
    """Every check of a person number, in the order a reader would fix them."""
    value = require_digits(compact_fodselsnummer(number), 11, _WHAT)
    _check_digits(value)
    day, is_d = _split_day(int(value[0:2]))
    month, is_h, synthetic = _split_month(int(value[2:4]))
    if is_d and is_h:
        raise InvalidComponent("day + 40 (D-number) and month + 40 (H-number) cannot be combined")
    year, individual = int(value[4:6]), int(value[6:9])
    century = _century(individual, year)
    if century is None:
        raise InvalidComponent(f"individual number {individual:03d} with birth year {year:02d} fits no century range")
    try:
        birth_date = date(century + year, month, day)
    except ValueError:
        raise InvalidComponent(f"the birth date {century + year:04d}-{month:02d}-{day:02d} does not exist") from None
    if today is not None and birth_date > today:
        raise InvalidComponent(f"the birth date {birth_date.isoformat()} is after today ({today.isoformat()})")
    if synthetic and not synthetic_allowed:
        raise SyntheticNotAllowed("synthetic test numbers (month + 80) are refused in production")
    kind = IdentifierKind.DNUMMER if is_d else IdentifierKind.HNUMMER if is_h else IdentifierKind.FODSELSNUMMER
    return PartyIdentifier(value, kind, synthetic, birth_date)


def validate_person_number(
    number: str, *, synthetic_allowed: bool = False, today: date | None = None
) -> PartyIdentifier:
    """A fødselsnummer, D-number or H-number (synthetic ones only if allowed)."""
    return _parse(number, synthetic_allowed=synthetic_allowed, today=today)


def _validate_kind(number: str, kind: IdentifierKind, *, synthetic_allowed: bool, today: date | None) -> str:
    party = _parse(number, synthetic_allowed=True, today=today)
    if party.kind is not kind:
        raise InvalidComponent(f"this is {party.kind.label}, not {kind.label}")
    if party.synthetic and not synthetic_allowed:
        raise SyntheticNotAllowed("synthetic test numbers (month + 80) are refused in production")
    return party.value


def validate_fodselsnummer(number: str, *, synthetic_allowed: bool = False, today: date | None = None) -> str:
    """An ordinary fødselsnummer (not a D- or H-number); returns the compact form."""
    return _validate_kind(number, IdentifierKind.FODSELSNUMMER, synthetic_allowed=synthetic_allowed, today=today)


def validate_dnummer(number: str, *, synthetic_allowed: bool = False, today: date | None = None) -> str:
    """A D-number (day + 40), synthetic (also month + 80) only if allowed."""
    return _validate_kind(number, IdentifierKind.DNUMMER, synthetic_allowed=synthetic_allowed, today=today)


def validate_hnummer(number: str, *, today: date | None = None) -> str:
    """An H-number (month + 40): a real assigned number, never synthetic."""
    return _validate_kind(number, IdentifierKind.HNUMMER, synthetic_allowed=False, today=today)


def is_valid_fodselsnummer(number: str, *, synthetic_allowed: bool = False, today: date | None = None) -> bool:
    return succeeds(lambda: validate_fodselsnummer(number, synthetic_allowed=synthetic_allowed, today=today))


def is_valid_dnummer(number: str, *, synthetic_allowed: bool = False, today: date | None = None) -> bool:
    return succeeds(lambda: validate_dnummer(number, synthetic_allowed=synthetic_allowed, today=today))


def is_valid_hnummer(number: str, *, today: date | None = None) -> bool:
    return succeeds(lambda: validate_hnummer(number, today=today))


def is_valid_person_number(number: str, *, synthetic_allowed: bool = False, today: date | None = None) -> bool:
    return succeeds(lambda: validate_person_number(number, synthetic_allowed=synthetic_allowed, today=today))


# -- generators (the synthetic-data generator's source of people) ------------------------------


def _generate(rng: Random, birth_date: date, *, day_offset: int, month_offset: int, female: bool | None) -> str:
    if not isinstance(birth_date, date):
        raise InvalidFormat(f"birth_date must be a date, got {type(birth_date).__name__}")
    ranges = next((ranges for years, ranges in _INDIVIDUAL_RANGES if birth_date.year in years), None)
    if ranges is None:
        raise InvalidComponent(f"birth year {birth_date.year} is outside 1854–2039, the years a number can encode")
    prefix = f"{birth_date.day + day_offset:02d}{birth_date.month + month_offset:02d}{birth_date.year % 100:02d}"
    # About one individual number in six has no check digit; 1,000 draws never all fail.
    for _ in range(1000):
        individual = rng.choice(rng.choice(ranges))
        if female is not None and (individual % 2 == 0) != female:
            individual ^= 1  # flip the gender digit; every range starts even and ends odd
        digits = f"{prefix}{individual:03d}"
        k1 = mod11_check_digit(digits, K1_WEIGHTS)
        if k1 is None:
            continue
        k2 = mod11_check_digit(f"{digits}{k1}", K2_WEIGHTS)
        if k2 is not None:
            return f"{digits}{k1}{k2}"
    raise AssertionError("unreachable: no individual number produced valid check digits")  # pragma: no cover


def generate_fodselsnummer(rng: Random, birth_date: date, *, synthetic: bool = True, female: bool | None = None) -> str:
    """A valid fødselsnummer for ``birth_date``; synthetic (month + 80) unless told otherwise.

    With ``synthetic=False`` the number has the format of a real person's and may belong to one.
    """
    month_offset = SYNTHETIC_MONTH_OFFSET if synthetic else 0
    return _generate(rng, birth_date, day_offset=0, month_offset=month_offset, female=female)


def generate_dnummer(rng: Random, birth_date: date, *, synthetic: bool = True, female: bool | None = None) -> str:
    """A valid D-number (day + 40); synthetic ones also carry month + 80."""
    month_offset = SYNTHETIC_MONTH_OFFSET if synthetic else 0
    return _generate(rng, birth_date, day_offset=D_NUMBER_DAY_OFFSET, month_offset=month_offset, female=female)


def generate_hnummer(rng: Random, birth_date: date, *, female: bool | None = None) -> str:
    """A valid H-number (month + 40).  H-numbers are never synthetic: this has a real format."""
    return _generate(rng, birth_date, day_offset=0, month_offset=H_NUMBER_MONTH_OFFSET, female=female)
