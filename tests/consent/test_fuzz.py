"""Schemathesis against the consent service's own OpenAPI document: no generated request gets a 5xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opendsop.consent import create_app
from tests.consent.conftest import consent_settings
from tests.consent.consent_helpers import BANK, PUBLIC_URL, READ, TOKENS, WRITE, Clock
from tests.fuzz import assert_no_server_errors, fuzz
from tests.hostile import assert_sweep_clean, sweep


def test_no_generated_request_gets_a_server_error(tmp_path: Path, token_issuer: Any, altinn2_key: Any) -> None:
    clock = Clock()
    settings = consent_settings(f"sqlite+aiosqlite:///{tmp_path / 'consent.db'}")
    app = create_app(
        settings, clock=clock, verifier=token_issuer.verifier(PUBLIC_URL, clock=clock), altinn2_key=altinn2_key
    )

    def headers(case: Any) -> dict[str, str]:
        token = token_issuer.mint(BANK, f"{READ} {WRITE} {TOKENS}", PUBLIC_URL, now=clock.now)
        return {"Authorization": f"Bearer {token}"}

    assert_no_server_errors("consent", fuzz(app, schema_path="/schema/openapi.json", headers=headers))


def test_no_hostile_value_gets_a_server_error(tmp_path: Path, token_issuer: Any, altinn2_key: Any) -> None:
    clock = Clock()
    settings = consent_settings(f"sqlite+aiosqlite:///{tmp_path / 'consent.db'}")
    app = create_app(
        settings, clock=clock, verifier=token_issuer.verifier(PUBLIC_URL, clock=clock), altinn2_key=altinn2_key
    )
    token = token_issuer.mint(BANK, f"{READ} {WRITE} {TOKENS}", PUBLIC_URL, now=clock.now, lifetime=600)
    assert_sweep_clean("consent", *sweep(app, headers=lambda: {"Authorization": f"Bearer {token}"}))
