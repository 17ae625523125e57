"""``dsop consent list`` / ``show`` read the store and mask person numbers; settings refuse unsafe values."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from opendsop.consent.cli import app
from opendsop.consent.requests import parse_request
from opendsop.consent.settings import ConsentSettings
from opendsop.consent.store import ConsentStore
from opendsop.serving import create_engine
from tests.consent.consent_helpers import BANK, PERSON, START, request_body


def _seed(url: str) -> str:
    request = parse_request(request_body(), now=START, synthetic_allowed=True)

    async def run() -> None:
        store = ConsentStore(create_engine(url))
        await store.create_schema()
        await store.create(request, now=START)
        await store.close()

    asyncio.run(run())
    return request.id


def test_list_and_show(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    consent_id = _seed(url)
    runner = CliRunner()
    listed = runner.invoke(app, ["--database-url", url, "list"], env={"COLUMNS": "250"})
    assert listed.exit_code == 0, listed.output
    assert consent_id[:8] in listed.output and BANK in listed.output
    assert PERSON not in listed.output  # masked
    shown = runner.invoke(app, ["--database-url", url, "show", consent_id])
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.output)
    assert body["id"] == consent_id and body["events"][0]["status"] == "created"
    assert PERSON not in shown.output and PERSON[-5:] in shown.output
    missing = runner.invoke(app, ["--database-url", url, "show", "00000000-0000-0000-0000-000000000000"])
    assert missing.exit_code == 1


def test_settings_refuse_the_local_secret_outside_test_mode() -> None:
    with pytest.raises(ValidationError, match="SESSION_SECRET"):
        ConsentSettings(test_mode=False)
    assert ConsentSettings(test_mode=False, session_secret="x" * 32).test_mode is False


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSOP_CONSENT_ORGANISATION_NAMES", json.dumps({BANK: "Testbanken ASA"}))
    monkeypatch.setenv("DSOP_CONSENT_PORT", "8061")
    settings = ConsentSettings()
    assert settings.organisation_names == {BANK: "Testbanken ASA"} and settings.port == 8061
