"""Strict parsers for the values every party reads from a path, query, header or JSON body.

One parser per kind — dates, months, years, timestamps, whole numbers, amounts, UUIDs and
booleans — so that every party accepts exactly the same spelling and refuses everything else
the same way.  The rules, the same for all of them:

* only ASCII digits: ``str.isdigit``, ``int()``, ``\\d`` and ``date.fromisoformat`` accept other
  scripts' digits (``'２０２５'``, ``'٢٠٢٥'``), which would compare as text differently from the
  value they stand for (a consent's ``tilOgMed=２０２５-06`` sorts after every ASCII month);
* nothing around the value: no whitespace, no control character, no trailing newline (``$`` in
  a regular expression matches before one — every pattern here is used with ``fullmatch``);
* an explicit range: years from 1900 to 2100 unless the standard names another bound, so no
  value can overflow the calendar arithmetic or the time-zone conversions behind it;
* a bad value raises :class:`~opendsop.standard.errors.InvalidRequest` (a ``ValueError``) naming
  the parameter, which each party answers with its own catalogue's "invalid input" code.

Months and dates come back as values that compare by the calendar (``Month``, ``date``), never as
text.  Nothing here reads the clock: "today" is always a parameter.

>>> parse_month("2025-06", parameter="tilOgMed") > parse_month("2025-01", parameter="fraOgMed")
True
>>> parse_month("２０２５-06", parameter="tilOgMed")
Traceback (most recent call last):
    ...
opendsop.standard.errors.InvalidRequest: tilOgMed must be a month written YYYY-MM with ASCII digits, got '２０２５-06'
>>> parse_boolean("TRUE", parameter="OnlyPrimaryOwner")
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Final
from uuid import UUID

from opendsop.standard.errors import InvalidRequest

EARLIEST_YEAR: Final = 1900
LATEST_YEAR: Final = 2100
EARLIEST_DATE: Final = date(EARLIEST_YEAR, 1, 1)
LATEST_DATE: Final = date(LATEST_YEAR, 12, 31)

_DATE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MONTH: Final = re.compile(r"([0-9]{4})-([0-9]{2})")
_YEAR: Final = re.compile(r"[0-9]{4}")
_WHOLE: Final = re.compile(r"0|[1-9][0-9]*")
_AMOUNT: Final = re.compile(r"-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,2})?")
_UUID: Final = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# RFC 3339 date-time: seconds required, any fraction, "Z" or a numeric offset.
_TIMESTAMP: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?"
    r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))"
)
_SHOWN: Final = 40  # how much of a rejected value an error message repeats


def _shown(value: object) -> str:
    return repr(value[:_SHOWN]) if isinstance(value, str) else type(value).__name__


def _text(value: object, parameter: str, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidRequest(f"{parameter} must be {what} given as text, got {_shown(value)}", parameter=parameter)
    return value


def _year_in_range(year: int, value: str, parameter: str) -> None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise InvalidRequest(
            f"{parameter} must lie in the years {EARLIEST_YEAR}–{LATEST_YEAR}, got {_shown(value)}", parameter=parameter
        )


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """A calendar month; compares by the calendar and prints as ``YYYY-MM``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, got {self.month}")

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        following = Month(self.year + self.month // 12, self.month % 12 + 1).first_day
        return following - timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def parse_date(value: object, *, parameter: str, earliest: date = EARLIEST_DATE, latest: date = LATEST_DATE) -> date:
    """An ISO 8601 calendar date ``YYYY-MM-DD`` from ``earliest`` to ``latest`` (default 1900–2100)."""
    text = _text(value, parameter, "a date")
    match = _DATE.fullmatch(text)
    if match is None:
        raise InvalidRequest(
            f"{parameter} must be a date in the form YYYY-MM-DD, got {_shown(text)}", parameter=parameter
        )
    year, month, day = (int(part) for part in match.groups())
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise InvalidRequest(f"{parameter} {text} is not a calendar date", parameter=parameter) from None
    if not earliest <= parsed <= latest:
        raise InvalidRequest(
            f"{parameter} must lie from {earliest.isoformat()} to {latest.isoformat()}, got {text}", parameter=parameter
        )
    return parsed


def parse_month(value: object, *, parameter: str) -> Month:
    """A calendar month ``YYYY-MM`` in the years 1900–2100."""
    text = _text(value, parameter, "a month")
    match = _MONTH.fullmatch(text)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise InvalidRequest(
            f"{parameter} must be a month written YYYY-MM with ASCII digits, got {_shown(text)}", parameter=parameter
        )
    _year_in_range(int(match[1]), text, parameter)
    return Month(int(match[1]), int(match[2]))


def parse_year(value: object, *, parameter: str) -> int:
    """A year ``YYYY`` from 1900 to 2100."""
    text = _text(value, parameter, "a year")
    if _YEAR.fullmatch(text) is None:
        raise InvalidRequest(
            f"{parameter} must be a year written YYYY with ASCII digits, got {_shown(text)}", parameter=parameter
        )
    _year_in_range(int(text), text, parameter)
    return int(text)


def parse_timestamp(value: object, *, parameter: str) -> datetime:
    """An RFC 3339 date-time with its offset (``2025-06-01T12:00:00Z``), as an aware UTC datetime.

    The year must lie in 1900–2100, so converting it to any time zone cannot overflow.
    """
    text = _text(value, parameter, "a timestamp")
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        raise InvalidRequest(
            f"{parameter} must be an RFC 3339 timestamp such as 2025-06-01T12:00:00Z, got {_shown(text)}",
            parameter=parameter,
        )
    year, month, day, hour, minute, second = (int(match[index]) for index in range(1, 7))
    fraction, zulu, sign, offset_hours, offset_minutes = match.group(7, 8, 9, 10, 11)
    _year_in_range(year, text, parameter)
    try:
        if zulu:
            zone: timezone = UTC
        else:
            offset = timedelta(hours=int(offset_hours), minutes=int(offset_minutes))
            if int(offset_minutes) > 59 or offset >= timedelta(hours=24):
                raise ValueError("offset out of range")
            zone = timezone(-offset if sign == "-" else offset)
        micro = int((fraction or "0").ljust(6, "0")[:6])
        moment = datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)
    except ValueError:
        raise InvalidRequest(f"{parameter} {_shown(text)} is not a valid moment in time", parameter=parameter) from None
    return moment.astimezone(UTC)


def parse_whole_number(value: object, *, parameter: str, minimum: int = 0, maximum: int) -> int:
    """A whole number written in ASCII digits, without sign or leading zeros, in ``minimum..maximum``."""
    text = _text(value, parameter, "a whole number")
    if len(text) > len(str(maximum)) or _WHOLE.fullmatch(text) is None or not minimum <= int(text) <= maximum:
        raise InvalidRequest(
            f"{parameter} must be a whole number from {minimum} to {maximum}, got {_shown(text)}", parameter=parameter
        )
    return int(text)


def parse_amount(value: object, *, parameter: str) -> Decimal:
    """An amount in kroner: ``-?digits(.dd)?``, at most 15 whole digits and 2 decimals (no exponent, NaN or ∞)."""
    text = _text(value, parameter, "an amount")
    if _AMOUNT.fullmatch(text) is None:
        raise InvalidRequest(
            f"{parameter} must be an amount such as 1234.50 (ASCII digits, at most two decimals), got {_shown(text)}",
            parameter=parameter,
        )
    return Decimal(text)


def parse_uuid(value: object, *, parameter: str) -> UUID:
    """A UUID in its canonical 8-4-4-4-12 hex form (``uuid.UUID`` would also take braces, ``urn:uuid:``
    and no hyphens)."""
    text = _text(value, parameter, "a UUID")
    if _UUID.fullmatch(text) is None:
        raise InvalidRequest(
            f"{parameter} must be a UUID (8-4-4-4-12 hex digits), got {_shown(text)}", parameter=parameter
        )
    return UUID(text)


def parse_boolean(value: object, *, parameter: str) -> bool:
    """``true`` or ``false`` in any letter case (the DSOP documentation writes ``TRUE``/``FALSE``)."""
    text = _text(value, parameter, "true or false")
    lowered = text.lower() if text.isascii() else ""
    if lowered not in ("true", "false"):
        raise InvalidRequest(f"{parameter} must be true or false, got {_shown(text)}", parameter=parameter)
    return lowered == "true"


def is_clean_text(value: str) -> bool:
    """No surrounding whitespace and no control character (C0, DEL, C1) anywhere."""
    return value == value.strip() and not any(ord(char) < 32 or 127 <= ord(char) < 160 for char in value)


__all__ = [
    "EARLIEST_DATE",
    "EARLIEST_YEAR",
    "LATEST_DATE",
    "LATEST_YEAR",
    "Month",
    "is_clean_text",
    "parse_amount",
    "parse_boolean",
    "parse_date",
    "parse_month",
    "parse_timestamp",
    "parse_uuid",
    "parse_whole_number",
    "parse_year",
]
