"""Dates and periods in requests: parsing ``fromDate``/``toDate`` and the calendar arithmetic the
service windows need (DSOP “Recommendations regarding validation”; the DSOP services' “Løsningsbeskrivelse” pages; DSOP
“eOppslag”).

Both query dates are optional in Bank_v2.yaml and default to *today* (the contract wins over the
docs' "M").  "Today" is always a parameter here: the rules core never reads the clock.

>>> parse_date("2024-02-29", parameter="fromDate")
datetime.date(2024, 2, 29)
>>> years_before(date(2024, 2, 29), 10)
datetime.date(2014, 2, 28)
>>> months_before(date(2025, 5, 31), 3)
datetime.date(2025, 2, 28)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from opendsop.standard.values import parse_date  # the one strict date parser, re-exported here

# The furthest back any Control API request may reach (fromDate ≥ today − 10 years, same day and month): the
# bank's check, the hub's, the extradition order's and the agencies' planning all read this one value.
MAX_LOOKBACK_YEARS = 10


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive date range ``[from_date, to_date]``."""

    from_date: date
    to_date: date

    def __post_init__(self) -> None:
        if self.to_date < self.from_date:
            raise ValueError("a period cannot end before it starts")

    def contains(self, other: Period) -> bool:
        return self.from_date <= other.from_date and other.to_date <= self.to_date

    def overlaps(self, other: Period) -> bool:
        return self.from_date <= other.to_date and other.from_date <= self.to_date

    def intersection(self, other: Period) -> Period | None:
        start, end = max(self.from_date, other.from_date), min(self.to_date, other.to_date)
        return Period(start, end) if start <= end else None


def years_before(day: date, years: int) -> date:
    """The same day-month ``years`` earlier; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def last_calendar_year(today: date) -> Period:
    """1 January to 31 December of the year before ``today`` (Vergekontroll)."""
    year = today.year - 1
    return Period(date(year, 1, 1), date(year, 12, 31))


__all__ = ["MAX_LOOKBACK_YEARS", "Period", "last_calendar_year", "months_before", "parse_date", "years_before"]
