"""Konkurs, OED and Vergekontroll end to end around Oslo midnight: ``dsop case …`` (the agency) against the
real seeded bank and token service, every party on one pinned clock.

"Today" is the Oslo calendar day for both sides (docs/decisions.md, "Which today"), so consumer and bank
agree in every row: just before Oslo midnight, just after it (when the UTC date is still yesterday), in
winter (UTC+1), in summer (UTC+2) and across New Year.  The last table is the agency on a UTC host
that sends the UTC date (docs/decisions.md, "A UTC host's date counts as today after Oslo midnight").
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from opendsop.audit.log import AuditRecord
from opendsop.clock import oslo_date, utc_date
from opendsop.consumer.cases import CaseStore
from opendsop.consumer.cli import RuntimeFactory, build_app
from opendsop.consumer.fanout import FanOut, Outcome
from opendsop.consumer.workflows import find_banks, run_case
from opendsop.consumer.workflows.konkurs import plan_konkurs
from opendsop.consumer.workflows.oed import plan_oed
from opendsop.consumer.workflows.runtime import Runtime
from tests.consumer.workflows.world import World, open_world
from tests.provider import bank as seed
from tests.provider.harness import build_pki

CONSUMERS = {consumer.service: consumer for consumer in seed.CONSUMERS}

# (UTC moment, the Oslo date at that moment)
MOMENTS = [
    pytest.param(datetime(2026, 1, 14, 22, 59, tzinfo=UTC), date(2026, 1, 14), id="winter-2259Z-before-midnight"),
    pytest.param(datetime(2026, 1, 14, 23, 30, tzinfo=UTC), date(2026, 1, 15), id="winter-2330Z-after-midnight"),
    pytest.param(datetime(2026, 6, 14, 21, 59, tzinfo=UTC), date(2026, 6, 14), id="summer-2159Z-before-midnight"),
    pytest.param(datetime(2026, 6, 14, 22, 30, tzinfo=UTC), date(2026, 6, 15), id="summer-2230Z-after-midnight"),
    pytest.param(datetime(2025, 12, 31, 22, 59, tzinfo=UTC), date(2025, 12, 31), id="new-year-2259Z-31-december"),
    pytest.param(datetime(2025, 12, 31, 23, 30, tzinfo=UTC), date(2026, 1, 1), id="new-year-2330Z-1-january"),
]


class PinnedAgency:
    """The CLI's runtime factory over an in-process world whose every party reads ``now``."""

    def __init__(self, tmp_path: Path, now: datetime) -> None:
        self.tmp_path, self.now = tmp_path, now
        self.worlds: list[World] = []

    @asynccontextmanager
    async def __call__(self, service: str | None) -> AsyncIterator[Runtime]:
        authority = f"sqlite+aiosqlite:///{self.tmp_path / f'authority-{uuid.uuid4().hex}.db'}"
        async with open_world(build_pki(), authority, now=self.now) as world:
            self.worlds.append(world)
            store = CaseStore.from_url(f"sqlite+aiosqlite:///{self.tmp_path / 'cases.db'}")
            await store.create_schema()
            try:
                yield Runtime(
                    store,
                    FanOut(world.client(CONSUMERS[service or "skatt"]), recorder=store),
                    world.directory,
                    world.relations,
                    world.folkeregister,
                    world.konkurs,
                    world.clock,
                )
            finally:
                await store.close()

    async def bank_decisions(self) -> list[AuditRecord]:
        return [stored.record for world in self.worlds for stored in await world.audit.records()]


def run(tmp_path: Path, now: datetime, *args: str) -> list[AuditRecord]:
    """``dsop *args`` at ``now``; what the bank decided."""
    agency = PinnedAgency(tmp_path, now)
    factory: RuntimeFactory = agency
    app: typer.Typer = build_app(factory, console=Console(width=200, color_system=None))
    ran = CliRunner().invoke(app, list(args))
    assert ran.exit_code == 0, ran.output
    return asyncio.run(agency.bank_decisions())


def assert_all_allowed(decisions: list[AuditRecord]) -> None:
    assert decisions, "the bank was never asked"
    refused = [(d.endpoint, d.outcome, d.message) for d in decisions if d.outcome != "allowed"]
    assert refused == []


@pytest.mark.parametrize(("now", "oslo_today"), MOMENTS)
def test_konkurs_case_ends_on_the_oslo_date(tmp_path: Path, now: datetime, oslo_today: date) -> None:
    assert oslo_date(now) == oslo_today
    decisions = run(tmp_path, now, "case", "konkurs", "--debtor", seed.FIRMA)
    assert_all_allowed(decisions)
    assert {d.to_date for d in decisions} == {oslo_today}  # the agency's toDate is the bank's today


@pytest.mark.parametrize(("now", "oslo_today"), MOMENTS)
def test_oed_case_ends_on_the_oslo_date(tmp_path: Path, now: datetime, oslo_today: date) -> None:
    decisions = run(tmp_path, now, "case", "oed", "--deceased", seed.DAG)
    assert_all_allowed(decisions)
    assert {d.to_date for d in decisions} == {oslo_today}


@pytest.mark.parametrize(("now", "oslo_today"), MOMENTS)
def test_verge_case_asks_for_the_oslo_last_calendar_year(tmp_path: Path, now: datetime, oslo_today: date) -> None:
    batch = tmp_path / "guardianships.csv"
    batch.write_text(f"ward,guardian\n{seed.WARD},{seed.GUARDIAN}\n", encoding="utf-8")
    year = oslo_today.year - 1
    decisions = run(tmp_path, now, "case", "verge", "--year", str(year), "--batch", str(batch))
    assert_all_allowed(decisions)
    assert {(d.from_date.year, d.to_date.year) for d in decisions if d.from_date and d.to_date} == {(year, year)}


# The agency on a UTC host plans with the UTC date.  (UTC moment, the date it sends, the bank's answer)
UTC_HOST = [
    pytest.param(
        datetime(2026, 1, 14, 23, 30, tzinfo=UTC), date(2026, 1, 14), Outcome.OK, id="winter-2330Z-utc-date-accepted"
    ),
    pytest.param(
        datetime(2026, 1, 15, 0, 30, tzinfo=UTC),
        date(2026, 1, 14),
        Outcome.DENIED,
        id="winter-0030Z-same-date-refused-once-utc-moved-on",
    ),
    pytest.param(
        datetime(2026, 6, 14, 23, 59, tzinfo=UTC),
        date(2026, 6, 14),
        Outcome.OK,
        id="summer-2359Z-utc-date-accepted-for-two-hours",
    ),
    pytest.param(
        datetime(2026, 6, 15, 0, 30, tzinfo=UTC),
        date(2026, 6, 14),
        Outcome.DENIED,
        id="summer-0030Z-same-date-refused-once-utc-moved-on",
    ),
    pytest.param(
        datetime(2025, 12, 31, 23, 30, tzinfo=UTC),
        date(2025, 12, 31),
        Outcome.OK,
        id="new-year-2330Z-31-december-accepted-on-1-january",
    ),
    pytest.param(
        datetime(2026, 1, 1, 0, 30, tzinfo=UTC),
        date(2025, 12, 31),
        Outcome.DENIED,
        id="new-year-0030Z-31-december-refused",
    ),
]


@pytest.mark.anyio
@pytest.mark.parametrize("service", ["konkurs", "oed"])
@pytest.mark.parametrize(("now", "sent", "expected"), UTC_HOST)
async def test_a_utc_host_date_is_today_only_while_utc_is_behind_oslo(
    tmp_path: Path, service: str, now: datetime, sent: date, expected: Outcome
) -> None:
    assert sent == utc_date(now) or sent == utc_date(now) - timedelta(days=1)
    async with open_world(build_pki(), f"sqlite+aiosqlite:///{tmp_path / 'authority.db'}", now=now) as world:
        if service == "konkurs":
            plan = plan_konkurs(seed.FIRMA, kjennelsesdato=seed.RULING, today=sent)
        else:
            plan = plan_oed(seed.DAG, date_of_death=seed.DEATH, today=sent)
        found = await find_banks(plan, world.relations, world.directory)
        [result] = [r async for r in run_case(plan, world.fanout(CONSUMERS[service]), found.banks)]
        assert result.outcome is expected, result.reason
        decisions = [stored.record for stored in await world.audit.records()]
    if expected is Outcome.OK:
        assert_all_allowed(decisions)
        assert {d.to_date for d in decisions} == {oslo_date(now)}  # answered as for today
    else:
        assert [(d.status, d.outcome) for d in decisions] == [(400, "ACC-001")]
        assert "toDate must be today" in (decisions[0].message or "")
