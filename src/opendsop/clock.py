"""The one time policy.  Everything time-dependent takes a ``Clock`` so tests can pin time; the
process edges pass ``utc_now``.  "Today" is the Norwegian calendar day (Europe/Oslo) everywhere:
every rule, workflow, feed and CLI asks this module, and no other module builds the zone or reads
the wall clock (tests/test_clock_policy.py enforces it).  ``standard`` stays pure and receives the
day as a parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]
OSLO = ZoneInfo("Europe/Oslo")


def utc_now() -> datetime:
    """The wall clock, timezone-aware in UTC."""
    return datetime.now(UTC)


def in_oslo(moment: datetime) -> datetime:
    """An aware ``moment`` (a naive one is taken as UTC) in Oslo local time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(OSLO)


def oslo_date(moment: datetime) -> date:
    """The Oslo calendar day of ``moment``."""
    return in_oslo(moment).date()


def utc_date(moment: datetime) -> date:
    """The UTC calendar day of an aware ``moment``: what a consumer host on UTC calls "today"."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(UTC).date()


def oslo_now(clock: Clock = utc_now) -> datetime:
    """``clock``'s moment in Oslo local time."""
    return in_oslo(clock())


def oslo_today(clock: Clock = utc_now) -> date:
    """The Oslo calendar day at ``clock``'s moment: "today" in the DSOP standard."""
    return oslo_date(clock())


def oslo_start_of_day(day: date) -> datetime:
    """Oslo midnight opening ``day``, as an aware UTC moment."""
    return datetime.combine(day, time(0), OSLO).astimezone(UTC)


__all__ = [
    "OSLO",
    "Clock",
    "in_oslo",
    "oslo_date",
    "oslo_now",
    "oslo_start_of_day",
    "oslo_today",
    "utc_date",
    "utc_now",
]
