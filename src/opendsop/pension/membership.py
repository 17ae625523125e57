"""A member's month from the a-ordning answers, and what changed since the last run (pure).

A person is a member in a month when the Aa-registeret shows an employment active in it (the institution's own
admission rules, such as a minimum position, are its business and not modelled).  The changes an institution acts
on: new members, leavers (with sluttårsak when NAV has one; a person no longer reported left without one), leave
started or ended (permisjoner and permitteringer alike, as the FAQ advises), and changed position percentage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from opendsop.pension.bransjenorm import Table
from opendsop.standard.values import Month


@dataclass(frozen=True, slots=True)
class MemberMonth:
    person: str
    month: str  # YYYY-MM
    active: bool
    percent: float
    leave: tuple[str, ...]  # leave kinds overlapping the month
    end: str | None  # sluttdato YYYY-MM-DD
    sluttaarsak: str | None
    base: Decimal  # the month's pension base (bransjenorm)
    unknown_codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # new | left | leave_started | leave_ended | percent
    person: str
    detail: str


def income_lines(body: Mapping[str, Any] | None) -> list[tuple[str, Decimal]]:
    """(beskrivelse, beløp) of every income line of an Inntekt answer."""
    lines = []
    for report in (body or {}).get("oppgaveInntektsmottaker", ()):
        for item in report.get("inntekt", ()):
            code = next((v.get("beskrivelse") for v in item.values() if isinstance(v, dict)), None)
            if isinstance(code, str):
                lines.append((code, Decimal(str(item.get("beloep", 0)))))
    return lines


def _overlaps(start: str, end: str | None, month: Month) -> bool:
    return date.fromisoformat(start) <= month.last_day and (end is None or date.fromisoformat(end) >= month.first_day)


def member_month(
    person: str, month: Month, income: Mapping[str, Any] | None, employments: Sequence[Mapping[str, Any]], table: Table
) -> MemberMonth:
    base, unknown = table.base(income_lines(income))
    percent, leave, end, reason, active = 0.0, [], None, None, False
    for employment in employments:
        period = employment["ansettelsesperiode"]
        if not _overlaps(period["startdato"], period.get("sluttdato"), month):
            continue
        active = True
        end = period.get("sluttdato") or end
        reason = (period.get("sluttaarsak") or {}).get("kode") or reason
        for detail in employment.get("ansettelsesdetaljer", ()):
            months = detail["rapporteringsmaaneder"]
            if months["fra"] <= str(month) and (months.get("til") is None or str(month) <= months["til"]):
                percent += float(detail["avtaltStillingsprosent"])
        for item in (*employment.get("permisjoner", ()), *employment.get("permitteringer", ())):
            if _overlaps(item["startdato"], item.get("sluttdato"), month):
                leave.append(item["type"]["kode"])
    return MemberMonth(person, str(month), active, percent, tuple(sorted(leave)), end, reason, base, unknown)


def changes(previous: Mapping[str, MemberMonth], current: Iterable[MemberMonth]) -> list[Change]:
    """What changed from the last run's members to this month's."""
    found: list[Change] = []
    seen = set()
    for now in current:
        seen.add(now.person)
        before = previous.get(now.person)
        was_member = before is not None and before.active
        if now.active and not was_member:
            found.append(Change("new", now.person, f"from {now.month}, {now.percent:g} %"))
        if now.end is not None and now.end[:7] <= now.month and (before is None or before.end != now.end):
            found.append(Change("left", now.person, f"{now.end} ({now.sluttaarsak or 'sluttårsak not given'})"))
        if before is None:
            continue
        if now.leave and not before.leave:
            found.append(Change("leave_started", now.person, ", ".join(now.leave)))
        elif before.leave and not now.leave:
            found.append(Change("leave_ended", now.person, ", ".join(before.leave)))
        if was_member and now.active and before.percent != now.percent:
            found.append(Change("percent", now.person, f"{before.percent:g} % → {now.percent:g} %"))
    for person, before in previous.items():
        if person not in seen and before.active and before.end is None:
            found.append(Change("left", person, "no longer reported by the employer (sluttårsak not given)"))
    return sorted(found, key=lambda c: (c.kind, c.person))


__all__ = ["Change", "MemberMonth", "changes", "income_lines", "member_month"]
