"""``dsop relations`` commands against a SQLite database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opendsop.relations.cli import app
from opendsop.relations.kfr import KfrStore
from opendsop.relations.store import Database
from tests.relations.conftest import BANK_A, person


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DSOP_RELATIONS_DATABASE_URL", url)
    monkeypatch.setenv("DSOP_RELATIONS_ENVIRONMENT", "test")
    return url


def _open_count(url: str) -> int:
    async def count() -> int:
        db = Database.from_url(url)
        try:
            await db.create_schema()
            return await KfrStore(db).count_open(BANK_A)
        finally:
            await db.close()

    return asyncio.run(count())


def test_catalogue_add_and_list(env: str) -> None:
    runner = CliRunner()
    added = runner.invoke(
        app, ["catalogue", "add", BANK_A, "Bank A", "https://api.bank-a.test/v2", "--valid-from", "2025-01-01"]
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["catalogue", "list", "--env", "test"])
    assert "https://api.bank-a.test/v2" in listed.output and BANK_A in listed.output
    refused = runner.invoke(app, ["catalogue", "add", BANK_A, "Bank A", "not-a-url"])
    assert refused.exit_code != 0


def test_kfr_load_all_or_nothing(env: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(f"organizationID,customerID,startDate\n{BANK_A},{person(301)},2020-01-01\n{BANK_A},123,2020-01-01\n")
    result = CliRunner().invoke(app, ["kfr", "load", str(bad)])
    assert result.exit_code == 1 and "line 3" in result.output
    assert _open_count(env) == 0
    good = tmp_path / "good.csv"
    good.write_text(
        f"organizationID,customerID,startDate,endDate\n{BANK_A},{person(301)},2020-01-01,\n"
        f"{BANK_A},{person(302)},2020-01-01,\n"
    )
    loaded = CliRunner().invoke(app, ["kfr", "load", str(good)])
    assert loaded.exit_code == 0, loaded.output
    assert _open_count(env) == 2
