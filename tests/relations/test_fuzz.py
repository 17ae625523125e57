"""Schemathesis against the relations hub's own OpenAPI document: no generated request gets a 5xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opendsop.relations.app import create_app
from tests.fuzz import assert_no_server_errors, fuzz
from tests.relations.conftest import AUDIENCE, BANK_A, NOW, SKATT, settings_for

ADMIN = "fuzz-admin-token"


def test_no_generated_request_gets_a_server_error(tmp_path: Path, token_issuer: Any) -> None:
    settings = settings_for(f"sqlite+aiosqlite:///{tmp_path / 'relations.db'}", admin_token=ADMIN)
    app = create_app(settings, clock=lambda: NOW, verifier=token_issuer.verifier(None), resume_batches=False)

    def headers(case: Any) -> dict[str, str]:
        if case.path.startswith(("/internal", "/catalogue")):
            return {"Authorization": f"Bearer {ADMIN}"}
        if case.path.startswith("/customers/financialInstitutions"):  # a bank writing its own KFR entries
            case.path_parameters = {**(case.path_parameters or {}), "fid": BANK_A}
            return {"Authorization": "Bearer " + token_issuer.mint(BANK_A, "bits:kundeforhold.write", AUDIENCE)}
        scopes = "bits:kundeforhold bits:kundeforhold.konto"
        return {"Authorization": "Bearer " + token_issuer.mint(SKATT, scopes, AUDIENCE)}

    assert_no_server_errors("relations hub", fuzz(app, schema_path="/schema/openapi.json", headers=headers))
