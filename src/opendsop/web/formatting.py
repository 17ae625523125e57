"""Numbers and dates the Norwegian way, for every page (Språkrådet's rules for bokmål).

* thousands are grouped with a no-break space and the decimal sign is a comma: ``1 327 502,16``;
  a negative amount takes the real minus sign (U+2212), which screen readers read as "minus";
* a date is ``dd.mm.åååå`` (``04.05.2026``) and a moment ``dd.mm.åååå kl. tt:mm`` in Oslo time;
* English pages keep the same figures (the data is Norwegian; a reader compares them with the bank's
  statements) — only the words change.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from opendsop.clock import in_oslo

NBSP = "\u00a0"
MINUS = "\u2212"


def number(value: object, decimals: int = 2) -> str:
    """``1 327 502,16`` for ``Decimal('1327502.16')``; an empty string for None or a non-number."""
    if value is None or isinstance(value, bool):
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    if not amount.is_finite():
        return ""
    text = f"{abs(amount):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    return (MINUS + text) if amount < 0 else text


def integer(value: object) -> str:
    return number(value, 0)


def day(value: object) -> str:
    """``04.05.2026`` for a date, a datetime (its Oslo day) or an ISO date string."""
    if isinstance(value, datetime):
        value = in_oslo(value).date()
    elif isinstance(value, str):
        text = value
        try:
            value = date.fromisoformat(text[:10])
        except ValueError:
            return text
    if not isinstance(value, date):
        return ""
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def moment(value: object) -> str:
    """``04.05.2026 kl. 14:00`` (Oslo time) for an aware datetime."""
    if not isinstance(value, datetime):
        return day(value)
    local = in_oslo(value)
    return f"{day(local.date())} kl. {local.hour:02d}:{local.minute:02d}"


def masked_person(value: str | None) -> str:
    """A person number shown where a list need not reveal it: the birth date, the rest masked."""
    if not value:
        return ""
    return value[:6] + "*****" if len(value) == 11 and value.isdigit() else value


FILTERS = {"number": number, "integer": integer, "day": day, "moment": moment, "masked": masked_person}

__all__ = ["FILTERS", "MINUS", "NBSP", "day", "integer", "masked_person", "moment", "number"]
