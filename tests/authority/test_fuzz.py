"""Schemathesis against the token service's own OpenAPI document: no generated request gets a 5xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opendsop.authority import AuthoritySettings, create_app
from tests.authority.authority_helpers import ISSUER, Clock, Pki, register_with_cli
from tests.fuzz import assert_no_server_errors, fuzz


def test_no_generated_request_gets_a_server_error(tmp_path: Path, client_key: Any, pki: Pki, clock: Clock) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'authority.db'}"
    register_with_cli(database_url, client_key, tmp_path / "jwks.json")
    app = create_app(AuthoritySettings(issuer=ISSUER, database_url=database_url), clock=clock,
                     trust_roots=[pki.root.certificate])
    assert_no_server_errors("token service", fuzz(app, schema_path="/schema/openapi.json"))
