"""Schemathesis against each data source's own OpenAPI document: no generated request gets a 5xx."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from opendsop.audit.log import MemoryAuditLog
from opendsop.sources import krav, lanekassen, nav, skatteetaten
from opendsop.sources.consent_check import MemoryConsentStatus
from opendsop.sources.data import World
from tests.fuzz import assert_no_server_errors, fuzz
from tests.hostile import assert_sweep_clean, sweep
from tests.sources.helpers import BANK, NOW

API_KEY = "fuzz-api-key"
# source: (audience, scopes, how to build its app)
SOURCES: dict[str, tuple[str, str, Callable[..., Any]]] = {
    "skatteetaten": (
        "https://api.skatteetaten.test/",
        "skatteetaten:inntekt skatteetaten:summertskattegrunnlag",
        skatteetaten.create_app,
    ),
    "krav": ("https://kravogbetalinger.api.skatteetaten.test/", krav.SCOPE, krav.create_app),
    "lanekassen": (
        "https://ekstern01.api.test.lanekassen.no/",
        lanekassen.SCOPE,
        lambda world, **options: lanekassen.create_app(world, api_key=API_KEY, **options),
    ),
    "nav": ("https://api.nav.test/", f"{nav.SCOPE_AAP} {nav.SCOPE_UFORE}", nav.create_app),
}


@pytest.mark.parametrize("source", SOURCES)
def test_no_generated_request_gets_a_server_error(world: World, token_issuer: Any, source: str) -> None:
    audience, scopes, build = SOURCES[source]

    def clock() -> Any:
        return NOW

    app = build(
        world,
        verifier=token_issuer.verifier(audience, clock=clock),
        audit=MemoryAuditLog(),
        clock=clock,
        consent_status=MemoryConsentStatus(),
    )

    def headers(case: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_issuer.mint(BANK, scopes, audience, now=NOW)}", "ApiKey": API_KEY}

    assert_no_server_errors(source, fuzz(app, schema_path="/schema/openapi.json", headers=headers))


@pytest.mark.parametrize("source", SOURCES)
def test_no_hostile_value_gets_a_server_error(world: World, token_issuer: Any, source: str) -> None:
    audience, scopes, build = SOURCES[source]

    def clock() -> Any:
        return NOW

    app = build(
        world,
        verifier=token_issuer.verifier(audience, clock=clock),
        audit=MemoryAuditLog(),
        clock=clock,
        consent_status=MemoryConsentStatus(),
    )
    token = token_issuer.mint(BANK, scopes, audience, now=NOW, lifetime=600)
    assert_sweep_clean(source, *sweep(app, headers=lambda: {"Authorization": f"Bearer {token}", "ApiKey": API_KEY}))
