"""``dsop consent list`` / ``show`` read the store and mask person numbers; settings refuse unsafe values."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

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


def test_serve_outside_test_mode_without_a_secret_refuses_in_one_line() -> None:
    result = CliRunner().invoke(
        app, ["serve"], env={"DSOP_CONSENT_TEST_MODE": "false", "DSOP_CONSENT_SESSION_SECRET": ""}
    )
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert result.output.startswith("error: DSOP_CONSENT_SESSION_SECRET must be set")


@pytest.mark.parametrize("secret", ["local-consent-session-secret-change-me", "short"])
def test_settings_refuse_the_published_or_a_short_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="DSOP_CONSENT_SESSION_SECRET"):
        ConsentSettings(session_secret=secret)


@pytest.mark.anyio
async def test_a_cookie_signed_with_the_published_default_is_refused(tmp_path: Path, token_issuer: Any) -> None:
    import httpx

    from opendsop.consent import create_app
    from opendsop.consent.login import SessionCodec
    from tests.consent.consent_helpers import PUBLIC_URL, Clock

    clock = Clock()
    settings = ConsentSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", public_url=PUBLIC_URL)
    application = create_app(settings, clock=clock, verifier=token_issuer.verifier(PUBLIC_URL, clock=clock))
    forged = SessionCodec("local-consent-session-secret-change-me", lifetime=timedelta(minutes=30))
    cookie = forged.encode(forged.new(now=clock.now, pid=PERSON))
    async with (
        application.lifespan(),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application), base_url=PUBLIC_URL, cookies={"dsop_consent": cookie}
        ) as http,
    ):
        assert (await http.get("/my")).status_code == 303
