"""Schemathesis against the prosecution's own OpenAPI document: no generated request gets a 5xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient
from pydantic import SecretStr

from opendsop.prosecution.app import create_app
from opendsop.prosecution.keystore import SigningKey
from opendsop.prosecution.settings import ProsecutionSettings
from tests.fuzz import assert_no_server_errors, fuzz
from tests.hostile import assert_sweep_clean, sweep
from tests.prosecution.conftest import APPROVED, FIELDS

TOKEN = "fuzz-api-token"


def test_no_generated_request_gets_a_server_error(test_key: SigningKey, tmp_path: Path) -> None:
    app = create_app(
        ProsecutionSettings(key_dir=tmp_path, api_token=SecretStr(TOKEN)), clock=lambda: APPROVED, key=test_key
    )

    def near_valid_order(case: Any) -> None:
        # The document declares no body schema; start from a valid order with generated values mixed in.
        if case.method == "POST" and isinstance(case.body, dict):
            case.body = {**FIELDS, **case.body}

    report = fuzz(
        app, schema_path="/schema/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"}, prepare=near_valid_order
    )
    assert_no_server_errors("prosecution", report)


HOSTILE_VALUES = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=30),
    st.booleans(),
    st.none(),
    st.sampled_from(
        [
            "１５１０８６９５０８８",
            "15108695088\n",
            "9999-12-31",
            "0001-01-01",
            "2026-02-30",
            "",
            "{3f0c2f9e-8a51-4f5e-9d43-0b7a2d1e6c11}",
            "2026-01-14T09:30:00Z",
            "\u3000",
        ]
    ),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
)


def test_hostile_order_fields_get_a_400_or_422_never_a_500(test_key: SigningKey, tmp_path: Path) -> None:
    app = create_app(
        ProsecutionSettings(key_dir=tmp_path, api_token=SecretStr(TOKEN)), clock=lambda: APPROVED, key=test_key
    )
    statuses: list[int] = []
    with TestClient(app) as client:

        @settings(
            max_examples=80, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
        )
        @given(
            field=st.sampled_from([*FIELDS, "validityDays", "extraditionOrderID", "reason", "accountList"]),
            value=HOSTILE_VALUES,
        )
        def run(field: str, value: Any) -> None:
            response = client.post(
                "/extradition-orders", json={**FIELDS, field: value}, headers={"Authorization": f"Bearer {TOKEN}"}
            )
            statuses.append(response.status_code)
            assert response.status_code in (201, 400, 422), response.text
            if response.status_code != 201:
                assert response.json()["error"] in ("invalid_request", "invalid_order")

        run()
    assert {400, 422} <= set(statuses)


def test_no_hostile_value_gets_a_server_error(test_key: SigningKey, tmp_path: Path) -> None:
    app = create_app(
        ProsecutionSettings(key_dir=tmp_path, api_token=SecretStr(TOKEN)), clock=lambda: APPROVED, key=test_key
    )
    assert_sweep_clean("prosecution", *sweep(app, headers=lambda: {"Authorization": f"Bearer {TOKEN}"}))
