"""Schemathesis against CertPub's own OpenAPI document: no generated request gets a 5xx."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from opendsop.certpub.app import create_app
from opendsop.certpub.settings import CertPubSettings
from opendsop.certpub.store import MemoryCertificateStore
from tests.certpub.conftest import BASE_URL, NOW, TOKEN
from tests.fuzz import assert_no_server_errors, fuzz
from tests.hostile import assert_sweep_clean, sweep


def test_no_generated_request_gets_a_server_error() -> None:
    app = create_app(
        CertPubSettings(public_url=BASE_URL, admin_token=SecretStr(TOKEN)),
        store=MemoryCertificateStore(),
        clock=lambda: NOW,
    )

    def headers(case: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {TOKEN}"} if case.method in ("PUT", "DELETE") else {}

    assert_no_server_errors("CertPub", fuzz(app, schema_path="/schema/openapi.json", headers=headers))


def test_no_hostile_value_gets_a_server_error() -> None:
    app = create_app(
        CertPubSettings(public_url=BASE_URL, admin_token=SecretStr(TOKEN)),
        store=MemoryCertificateStore(),
        clock=lambda: NOW,
    )
    assert_sweep_clean("CertPub", *sweep(app, headers=lambda: {"Authorization": f"Bearer {TOKEN}"}))
