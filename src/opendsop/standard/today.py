"""When a date sent as "today" counts as today.

"Today" in the standard is the Norwegian calendar day (Europe/Oslo).  A consumer whose host runs on
UTC still sends the UTC date for the first one or two hours after Oslo midnight (01:00 in winter,
02:00 in summer); docs/decisions.md, "A UTC host's date counts as today after Oslo midnight",
accepts that date for the "must be today" rules, and only while UTC and Oslo dates differ.  Pure:
the caller passes both days.
"""

from __future__ import annotations

from datetime import date, timedelta


def accepted_as_today(candidate: date, today: date, utc_date: date | None) -> bool:
    """``candidate`` is ``today`` (the Oslo day), or the UTC date while that is still Oslo's yesterday."""
    if candidate == today:
        return True
    return utc_date is not None and candidate == utc_date == today - timedelta(days=1)


def as_today(candidate: date, today: date, utc_date: date | None) -> date:
    """``today`` when ``candidate`` is accepted as today, else ``candidate`` unchanged."""
    return today if accepted_as_today(candidate, today, utc_date) else candidate


__all__ = ["accepted_as_today", "as_today"]
