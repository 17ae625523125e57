"""One institution's monthly sync of one employer (DSOP "Ajourhold av OTP", the flow's steps 2–7).

For each month from ``--from`` to the last complete one (the 10th rule of ``standard.otp``): register (or
confirm) the avtaleforhold, list the employees (Inntektsmottakere), fetch each one's income (Inntekt) and
employments (Aa-registeret) with bounded concurrency, compute the member's month (pension base by the
bransjenorm table, position, leave, end) and store it in batches; then compare with the last month done
before (new members, leavers, leave, position percentage).  A month already done is not asked again, and an
interrupted month carries on with the persons not yet stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from opendsop.pension.bransjenorm import Table
from opendsop.pension.client import OtpClient
from opendsop.pension.membership import Change, MemberMonth, changes, member_month
from opendsop.pension.store import PensionStore
from opendsop.standard import otp
from opendsop.standard.values import Month

BATCH = 500


@dataclass(slots=True)
class MonthReport:
    month: str
    listed: int
    skjermet: bool
    members: int
    base: Decimal
    changes: list[Change]
    resumed: bool = False
    skipped: bool = False  # done in an earlier run
    no_agreement: bool = False  # not both sides reported the agreement for this month: nothing may be asked
    unknown_codes: set[str] = field(default_factory=set)


@dataclass(slots=True)
class SyncReport:
    institution: str
    employer: str
    months: list[MonthReport] = field(default_factory=list)

    @property
    def persons(self) -> int:
        return sum(m.listed for m in self.months if not m.skipped)


def reference(employer: str) -> str:
    """The institution's avtalereferanse for an employer customer (one agreement per customer)."""
    return f"OTP-{employer}"


async def sync(
    client: OtpClient,
    store: PensionStore,
    table: Table,
    *,
    institution: str,
    employer: str,
    first: Month,
    today: date,
    last: Month | None = None,
    concurrency: int = 32,
    progress: Callable[[str, int, int], None] | None = None,
) -> SyncReport:
    """Sync ``first``‥``last`` (default and at most: the last month complete on ``today``)."""
    complete = otp.last_complete_month(today)
    last = min(last, complete) if last is not None else complete
    report = SyncReport(institution, employer)
    if last < first:
        return report
    await client.register(employer, reference(employer), first)
    without = await client.months_without_agreement(institution, employer, first, last)
    for month in otp.months(first, last):
        if str(month) in without:  # the employer's a-melding does not name this institution (yet): ask nothing
            report.months.append(MonthReport(str(month), 0, False, 0, Decimal(0), [], no_agreement=True))
            continue
        report.months.append(await _month(client, store, table, institution, employer, month, concurrency, progress))
    return report


async def _month(
    client: OtpClient,
    store: PensionStore,
    table: Table,
    institution: str,
    employer: str,
    month: Month,
    concurrency: int,
    progress: Callable[[str, int, int], None] | None,
) -> MonthReport:
    key = str(month)
    state = await store.month_state(institution, employer, key)
    if state is not None and state[0]:
        members = await store.members(institution, employer, key)
        return MonthReport(key, len(members), state[1], sum(m.active for m in members.values()),
                           sum((m.base for m in members.values()), Decimal(0)), [], skipped=True)  # fmt: skip
    persons, skjermet = await client.employees(employer, month, month)
    have = await store.members(institution, employer, key) if state is not None else {}
    if state is None:
        await store.begin_month(institution, employer, key, len(persons), skjermet)
    todo = [p for p in persons if p not in have]
    gate = asyncio.Semaphore(concurrency)
    pending: list[MemberMonth] = []

    async def one(person: str) -> None:
        async with gate:
            income, employments = await asyncio.gather(
                client.income(person, month, month), client.employments(employer, person, month, month)
            )
        pending.append(member_month(person, month, income, employments, table))

    done = len(have)
    for start in range(0, len(todo), BATCH):
        await asyncio.gather(*(one(p) for p in todo[start : start + BATCH]))
        batch, pending[:] = list(pending), []
        await store.save(institution, employer, batch)
        done += len(batch)
        if progress:
            progress(key, done, len(persons))
    await store.finish_month(institution, employer, key)
    current = await store.members(institution, employer, key)
    before_key = await store.last_done_before(institution, employer, key)
    before = await store.members(institution, employer, before_key) if before_key else {}
    return MonthReport(
        key,
        len(persons),
        skjermet,
        sum(m.active for m in current.values()),
        sum((m.base for m in current.values()), Decimal(0)),
        changes(before, current.values()) if before_key else [],
        resumed=bool(have),
        unknown_codes={c for m in current.values() for c in m.unknown_codes},
    )


__all__ = ["MonthReport", "SyncReport", "reference", "sync"]
