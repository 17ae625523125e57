"""The platform as a party: its pages and probes, refusals without a token, its migrations, and the
``dsop altinn`` commands."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from opendsop.altinn.events import Events
from opendsop.altinn.migrations import current, downgrade_engine, upgrade_engine
from opendsop.altinn.settings import AltinnSettings
from opendsop.cli import app as dsop
from opendsop.contracts.messaging.errors import InvalidRequest
from opendsop.contracts.messaging.models import SubscriptionRequest
from tests.altinn.conftest import BANK, SUPPLIER, Harness

pytestmark = pytest.mark.anyio


async def test_the_party_pages_probes_and_refusals(sqlite_harness: Harness) -> None:
    transport = httpx.ASGITransport(app=sqlite_harness.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://altinn.test") as http:
        assert (await http.get("/health")).status_code == 200
        assert (await http.get("/health/ready")).status_code == 200
        assert "altinn" in (await http.get("/")).text.lower()
        assert (await http.get("/metrics")).status_code == 200
        refused = await http.get("/correspondence/api/v1/correspondence")
        assert refused.status_code == 401 and refused.json()["code"] == "MSG-004"
        assert refused.headers["content-type"].startswith("application/problem+json")
        token = sqlite_harness.mint(BANK, "altinn:events", "http://altinn.test")
        wrong = await http.get("/correspondence/api/v1/correspondence", headers={"Authorization": f"Bearer {token}"})
        assert wrong.status_code == 403 and wrong.json()["code"] == "MSG-005"
        broken = await http.post(
            "/correspondence/api/v1/correspondence",
            content=b"{not json",
            headers={
                "Authorization": f"Bearer {sqlite_harness.mint(BANK, 'altinn:correspondence.write', 'http://altinn.test')}"
            },
        )
        assert broken.status_code == 400 and broken.json()["code"] == "MSG-001"


async def test_the_migrations_go_down_and_up_again(harness: Harness) -> None:
    engine = harness.platform.store.engine
    assert await current(engine) == "0001"
    await downgrade_engine(engine)
    assert await current(engine) is None
    await upgrade_engine(engine)
    assert await current(engine) == "0001"


def test_dsop_altinn_registers_resources_and_roles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSOP_ALTINN_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'altinn.db'}")
    file = tmp_path / "resources.json"
    file.write_text(json.dumps([{"identifier": "kv_dsve", "owner": "971040238", "title": "DSVE", "kinds": ["broker"]}]))
    runner = CliRunner()
    done = runner.invoke(dsop, ["altinn", "resources", "put", str(file)])
    assert done.exit_code == 0, done.output
    listed = runner.invoke(dsop, ["altinn", "resources", "list"])
    assert json.loads(listed.stdout)[0]["identifier"] == "kv_dsve"
    assigned = runner.invoke(dsop, ["altinn", "roles", "assign", SUPPLIER, BANK, "urn:altinn:resource:kv_dsve"])
    assert assigned.exit_code == 0
    assert (
        f"{SUPPLIER}\t{BANK}\turn:altinn:resource:kv_dsve"
        in runner.invoke(dsop, ["altinn", "roles", "list", BANK]).stdout
    )
    bad = runner.invoke(dsop, ["altinn", "roles", "assign", "123", BANK, "A0294"])
    assert bad.exit_code == 2 and "error:" in bad.output
    file.write_text("{}")
    assert runner.invoke(dsop, ["altinn", "resources", "put", str(file)]).exit_code == 2


async def test_production_refuses_what_only_a_test_may_do(sqlite_harness: Harness) -> None:
    with pytest.raises(ValidationError, match="virus scanner"):
        AltinnSettings(production=True, scanner="none")
    assert not AltinnSettings(production=True).synthetic_allowed
    events = Events(sqlite_harness.platform.services, production=True)
    with pytest.raises(InvalidRequest, match="https"):
        await events.subscribe(BANK, SubscriptionRequest(end_point="http://bank.example/hook"))
    assert (await events.subscribe(BANK, SubscriptionRequest(end_point="https://bank.example/hook"))).secret


@pytest.mark.timeout(120)
def test_dsop_altinn_serve_answers_its_probes_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DSOP_ALTINN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'altinn.db'}"}
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("dsop")), "altinn", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    lines: list[str] = []
    try:
        for line in process.stderr:  # until uvicorn says it listens
            lines.append(line)
            if "Uvicorn running on" in line:
                break
        else:
            pytest.fail("altinn serve ended before serving:\n" + "".join(lines))
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=30).status_code == 200
        home = httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
        assert home.status_code == 200 and "altinn" in home.text
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    records = [json.loads(line) for line in [*lines, *rest.splitlines()] if line.strip()]
    assert {record["party"] for record in records} == {"altinn"}
    assert process.returncode == 0
