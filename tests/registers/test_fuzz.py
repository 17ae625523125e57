"""Schemathesis against the registers' own OpenAPI document: no generated request gets a 5xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opendsop.registers.app import create_app
from opendsop.registers.settings import RegistersSettings
from tests.fuzz import assert_no_server_errors, fuzz
from tests.hostile import assert_sweep_clean, sweep
from tests.registers.conftest import BANK, PUBLIC_URL

SCOPES = "folkeregister:read konkursvarsel:read enhetsregister:read"


def test_no_generated_request_gets_a_server_error(tmp_path: Path, token_issuer: Any) -> None:
    settings = RegistersSettings(
        public_url=PUBLIC_URL, database_url=f"sqlite+aiosqlite:///{tmp_path / 'r.db'}", load_test_notices=True
    )
    app = create_app(settings, verifier=token_issuer.verifier(PUBLIC_URL))
    report = fuzz(
        app,
        schema_path="/schema/openapi.json",
        headers=lambda case: {"Authorization": f"Bearer {token_issuer.mint(BANK, SCOPES, PUBLIC_URL)}"},
    )
    assert_no_server_errors("registers", report)


def test_no_hostile_value_gets_a_server_error(tmp_path: Path, token_issuer: Any) -> None:
    settings = RegistersSettings(
        public_url=PUBLIC_URL, database_url=f"sqlite+aiosqlite:///{tmp_path / 'r.db'}", load_test_notices=True
    )
    app = create_app(settings, verifier=token_issuer.verifier(PUBLIC_URL))
    token = token_issuer.mint(BANK, SCOPES, PUBLIC_URL, lifetime=600)
    assert_sweep_clean("registers", *sweep(app, headers=lambda: {"Authorization": f"Bearer {token}"}))
