"""Schemathesis against the prosecution's own OpenAPI document: no generated request gets a 5xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr

from opendsop.prosecution.app import create_app
from opendsop.prosecution.keystore import SigningKey
from opendsop.prosecution.settings import ProsecutionSettings
from tests.fuzz import assert_no_server_errors, fuzz
from tests.prosecution.conftest import APPROVED, FIELDS

TOKEN = "fuzz-api-token"


def test_no_generated_request_gets_a_server_error(test_key: SigningKey, tmp_path: Path) -> None:
    app = create_app(ProsecutionSettings(key_dir=tmp_path, api_token=SecretStr(TOKEN)), clock=lambda: APPROVED,
                     key=test_key)

    def near_valid_order(case: Any) -> None:
        # The document declares no body schema; start from a valid order with generated values mixed in.
        if case.method == "POST" and isinstance(case.body, dict):
            case.body = {**FIELDS, **case.body}

    report = fuzz(app, schema_path="/schema/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"},
                  prepare=near_valid_order)
    assert_no_server_errors("prosecution", report)
