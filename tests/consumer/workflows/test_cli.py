"""``dsop case …`` through typer's CliRunner, against the in-process world (real authority and seeded bank,
relations and register twins, a SQLite case store)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from opendsop.consumer.cases import CaseStore
from opendsop.consumer.cli import RuntimeFactory, build_app
from opendsop.consumer.fanout import FanOut
from opendsop.consumer.letters import Letters, LetterStore, MemoryLetterBox
from opendsop.consumer.workflows.runtime import Runtime
from tests.consumer.agency import NOW
from tests.consumer.workflows.world import open_world
from tests.provider import bank as seed
from tests.provider.harness import build_pki

CONSUMERS = {consumer.service: consumer for consumer in seed.CONSUMERS}
CONSUMERS["fi_utlegg"] = seed.SKATT  # the same organisation (Skatteetaten) and client


def twins(tmp_path: Path, box: MemoryLetterBox | None = None) -> RuntimeFactory:
    """The in-process world; with ``box``, banks without a Control API get digital letters there."""
    cases = f"sqlite+aiosqlite:///{tmp_path / 'cases.db'}"

    @asynccontextmanager
    async def open_twins(service: str | None) -> AsyncIterator[Runtime]:
        authority = f"sqlite+aiosqlite:///{tmp_path / f'authority-{uuid.uuid4().hex}.db'}"
        async with open_world(build_pki(), authority) as world:
            store = CaseStore.from_url(cases)
            await store.create_schema()
            letters = None
            if box is not None:
                letters = Letters(
                    LetterStore(store.engine),
                    box,
                    agency_org="974761076",
                    agency_name="Skatteetaten",
                    clock=lambda: NOW,
                )
            try:
                yield Runtime(
                    store,
                    FanOut(world.client(CONSUMERS[service or "skatt"]), recorder=store),
                    world.directory,
                    world.relations,
                    world.folkeregister,
                    world.konkurs,
                    lambda: NOW,
                    letters=letters,
                )
            finally:
                await store.close()

    return open_twins


@pytest.fixture
def cli(tmp_path: Path) -> tuple[CliRunner, typer.Typer]:
    return CliRunner(), build_app(twins(tmp_path), console=Console(width=200, color_system=None))


def test_skatt_case_then_show_export_and_resume(cli: tuple[CliRunner, typer.Typer], tmp_path: Path) -> None:
    runner, app = cli
    ran = runner.invoke(app, ["case", "skatt", "--party", seed.ANNE, "--requester", "sb-17", "--from", "2025-01-01"])
    assert ran.exit_code == 0, ran.output
    assert seed.BANK_ORGNO in ran.output and "ok" in ran.output
    assert "digital letter" in ran.output  # Anne's other bank has no Control API
    case_id = re.search(r"Case ([0-9a-f-]{36})", ran.output).group(1)  # type: ignore[union-attr]

    shown = runner.invoke(app, ["case", "show", case_id])
    assert shown.exit_code == 0, shown.output
    assert "skatt" in shown.output and "2025-01-01" in shown.output

    exported = runner.invoke(app, ["case", "export", case_id])
    assert exported.exit_code == 0, exported.output
    body = json.loads(exported.stdout)
    assert body["case"]["accountInfoRequestId"] == case_id
    [bank] = body["banks"]
    assert (bank["orgNo"], bank["outcome"]) == (seed.BANK_ORGNO, "ok")
    assert {a["account"]["accountIdentifier"] for a in bank["accounts"]} == {
        seed.NUMBERS[seed.SALARY],
        seed.NUMBERS[seed.SAVINGS],
    }
    assert all({"transactions", "cards"} <= set(a["answers"]) for a in bank["accounts"])
    csv_file = tmp_path / "transactions.csv"
    assert (
        runner.invoke(
            app, ["case", "export", case_id, "--format", "transactions-csv", "--out", str(csv_file)]
        ).exit_code
        == 0
    )
    assert f"s-{seed.SALARY_TRANSACTIONS - 1}" in csv_file.read_text(encoding="utf-8")

    resumed = runner.invoke(app, ["case", "resume", case_id])
    assert resumed.exit_code == 0, resumed.output


def test_a_refused_case_sends_nothing_and_exits_2(cli: tuple[CliRunner, typer.Typer]) -> None:
    runner, app = cli
    refused = runner.invoke(app, ["case", "konkurs", "--debtor", seed.ANNE])  # no bankruptcy in the register
    assert refused.exit_code == 2
    assert "refused" in refused.output and "debtor" in refused.output
    assert runner.invoke(app, ["case", "show", str(uuid.uuid4())]).exit_code == 2


def test_fi_utlegg_case_then_show(cli: tuple[CliRunner, typer.Typer]) -> None:
    runner, app = cli
    ran = runner.invoke(app, ["case", "fi-utlegg", "--debtor", seed.ANNE])
    assert ran.exit_code == 0, ran.output
    assert seed.BANK_ORGNO in ran.output and "ok" in ran.output
    case_id = re.search(r"Case ([0-9a-f-]{36})", ran.output).group(1)  # type: ignore[union-attr]
    shown = runner.invoke(app, ["case", "show", case_id])
    assert shown.exit_code == 0, shown.output
    today = seed.TODAY.isoformat()
    assert "FI-Utlegg Saldo (fi_utlegg)" in shown.output and f"{today} – {today}" in shown.output


def test_verge_batch_with_flags_table(cli: tuple[CliRunner, typer.Typer], tmp_path: Path) -> None:
    runner, app = cli
    batch = tmp_path / "guardianships.csv"
    batch.write_text(f"ward,guardian,guardian_accounts\n{seed.WARD},{seed.GUARDIAN},\n", encoding="utf-8")
    ran = runner.invoke(app, ["case", "verge", "--year", "2025", "--batch", str(batch)])
    assert ran.exit_code == 0, ran.output
    assert "no flags for the controller" in ran.output
    other_year = runner.invoke(app, ["case", "verge", "--year", "2024", "--batch", str(batch)])
    assert other_year.exit_code == 2 and "year" in other_year.output


def test_verge_batch_runs_its_cases_at_once_and_reports_them_in_row_order(
    cli: tuple[CliRunner, typer.Typer], tmp_path: Path
) -> None:
    runner, app = cli
    batch = tmp_path / "guardianships.csv"
    batch.write_text(
        f"ward,guardian\n{seed.WARD},{seed.GUARDIAN}\n{seed.WARD},{seed.GUARDIAN}\n{seed.WARD},{seed.GUARDIAN}\n",
        encoding="utf-8",
    )
    ran = runner.invoke(app, ["case", "verge", "--year", "2025", "--batch", str(batch), "--concurrency", "3"])
    assert ran.exit_code == 0, ran.output
    cases = re.findall(r"Case ([0-9a-f-]{36})", ran.output)
    assert len(cases) == 3 and len(set(cases)) == 3, ran.output
    assert ran.output.count(f"ward {seed.WARD}, guardian {seed.GUARDIAN}") == 3
    assert ran.output.count("no flags for the controller") == 3
