"""Apps assembled from settings: every source starts, and refusals land in the SQL audit log."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from typer.testing import CliRunner

from opendsop.audit.log import SqlAuditLog
from opendsop.serving import create_engine
from opendsop.sources.cli import app as cli
from opendsop.sources.data import World
from opendsop.sources.service import SOURCES, create_app, world_data
from opendsop.sources.settings import SourcesSettings
from tests.sources.helpers import BANK, NOW

pytestmark = pytest.mark.anyio

# One request per source that is refused for want of a consent (the token itself is fine).
NO_CONSENT = {
    "skatteetaten": (
        "skatteetaten:inntekt",
        "/api/innrapportert/inntektsmottaker/sbl/{fnr}/oppgave/inntekt?fraOgMed=2026-01",
        {},
        403,
    ),
    "lanekassen": (
        "lanekassen:lan/v1/saldoopplysninger",
        "/saldo/v1/Accounts",
        {"ApiKey": "lanekassen-test-key", "PSU_ID": "{fnr}", "X-Request-Id": "x"},
        403,
    ),
    "nav": ("nav:arbeid/v1/aap", "/arbeid/v1/aap/vedtak", {"Nav-Personident": "{fnr}"}, 403),
    "krav": ("skatteetaten:kravogbetalinger", "/api/innkreving/kravogbetalinger/v1/finans/{org}/aapnekrav", {}, 403),
}


@pytest.mark.parametrize("source", SOURCES)
async def test_every_source_audits_refusals_in_sql(
    source: str, database_url: str, token_issuer: Any, world: World, clock: Any
) -> None:
    settings = SourcesSettings(database_url=database_url)
    audience = getattr(settings, f"audience_{source}")
    app = create_app(source, settings, clock=clock, world=world, verifier=token_issuer.verifier(audience, clock=clock))
    scope, path, headers, status = NO_CONSENT[source]
    fnr, org = next(iter(world.persons)), next(iter(world.organisations))
    token = token_issuer.mint(BANK, scope, audience, now=NOW)
    auth = token if source == "lanekassen" else f"Bearer {token}"
    async with AsyncTestClient(app=app) as client:
        extra = {k: v.format(fnr=fnr) for k, v in headers.items()}
        response = await client.get(path.format(fnr=fnr, org=org), headers={"Authorization": auth, **extra})
        ready = await client.get("/health/ready")  # every party: the database answers, keys are loaded
    assert response.status_code == status, response.text
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "keys": "ok"}}
    engine = create_engine(database_url)
    try:
        (row,) = await SqlAuditLog(engine).records()
        assert row.record.status == status and row.record.consumer_org == BANK and row.record.outcome != "allowed"
        assert await SqlAuditLog(engine).verify() == 1
    finally:
        await engine.dispose()


@pytest.mark.parametrize("source", SOURCES)
async def test_a_cut_audit_database_answers_unavailable_with_retry_after(
    source: str, database_url: str, token_issuer: Any, world: World, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is answered unrecorded: while the audit database is cut, the source answers its own
    "unavailable" error with Retry-After (never an unhandled 500), and is not ready."""
    from tests.outages import database_cut

    monkeypatch.setenv("DSOP_SERVING_STATEMENT_TIMEOUT", "0.3")  # a write-locked SQLite file answers promptly
    settings = SourcesSettings(database_url=database_url)
    audience = getattr(settings, f"audience_{source}")
    app = create_app(source, settings, clock=clock, world=world, verifier=token_issuer.verifier(audience, clock=clock))
    scope, path, headers, _ = NO_CONSENT[source]
    fnr, org = next(iter(world.persons)), next(iter(world.organisations))
    token = token_issuer.mint(BANK, scope, audience, now=NOW)
    auth = token if source == "lanekassen" else f"Bearer {token}"
    extra = {k: v.format(fnr=fnr) for k, v in headers.items()}
    async with AsyncTestClient(app=app) as client:
        with database_cut(database_url):
            response = await client.get(path.format(fnr=fnr, org=org), headers={"Authorization": auth, **extra})
            ready = await client.get("/health/ready")
    assert response.status_code >= 500 and response.headers["retry-after"].isdigit(), response.text
    assert "Internal Server Error" not in response.text
    assert (ready.status_code, ready.json()["checks"]["database"]) == (503, "unavailable")


def test_unknown_source_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown source"):
        create_app("altinn", SourcesSettings())


def test_cli_lists_the_synthetic_people_for_a_seed() -> None:
    result = CliRunner().invoke(cli, ["people", "--seed", "5"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == len(world_data(SourcesSettings(seed=5)).persons)  # the world's living adults
    assert all(len(line.split()[0]) == 11 and line.split()[0].isdigit() for line in lines)
    again = CliRunner().invoke(cli, ["people", "--seed", "5"])
    assert again.output == result.output


async def test_lanekassen_takes_consent_notices_only_with_the_configured_token(
    world: World, token_issuer: Any, clock: Any
) -> None:
    settings = SourcesSettings(consent_events_token="notice-secret-of-length")
    verifier = token_issuer.verifier(settings.audience_lanekassen, clock=clock)
    app = create_app("lanekassen", settings, clock=clock, world=world, verifier=verifier)
    notice = {"consentId": "c-1", "status": "revoked"}
    async with AsyncTestClient(app=app) as client:
        unsigned = await client.post("/internal/consent-events", json=notice)
        signed = await client.post(
            "/internal/consent-events", json=notice, headers={"Authorization": "Bearer notice-secret-of-length"}
        )
    assert unsigned.status_code == 401 and signed.status_code == 200
    assert app.state.consent_cache.ended("c-1")
