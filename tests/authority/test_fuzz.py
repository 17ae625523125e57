"""Schemathesis against the token service's own OpenAPI document: no generated request gets a 5xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opendsop.authority import AuthoritySettings, create_app
from opendsop.authority.grants import JWT_BEARER
from tests.authority.authority_helpers import ISSUER, Clock, Pki, register_with_cli
from tests.fuzz import assert_no_server_errors, fuzz
from tests.hostile import assert_sweep_clean, sweep


def test_no_generated_request_gets_a_server_error(tmp_path: Path, client_key: Any, pki: Pki, clock: Clock) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'authority.db'}"
    register_with_cli(database_url, client_key, tmp_path / "jwks.json")
    app = create_app(
        AuthoritySettings(issuer=ISSUER, database_url=database_url), clock=clock, trust_roots=[pki.root.certificate]
    )
    assert_no_server_errors("token service", fuzz(app, schema_path="/schema/openapi.json"))


# Signed by a registered client, so hostile claim values reach every rule behind the signature check.
HOSTILE_VALUES = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "２０２６",
            "9999-12-31T23:59:59-01:00",
            "0001-01-01T00:00:00+01:00",
            "{3f0c2f9e-8a51-4f5e-9d43-0b7a2d1e6c11}",
            "urn:altinn:person:identifier-no:²",
        ]
    ),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.none(),
)
CLAIMS = ["iat", "exp", "nbf", "aud", "scope", "resource", "jti", "iss", "consumer_org", "authorization_details"]


def test_hostile_claims_in_a_signed_grant_get_an_oauth_error_not_a_500(
    tmp_path: Path, client_key: Any, pki: Pki, clock: Clock
) -> None:
    from litestar.testing import TestClient

    from tests.authority.authority_helpers import KID_CLIENT, grant_claims, sign_grant

    database_url = f"sqlite+aiosqlite:///{tmp_path / 'authority.db'}"
    register_with_cli(database_url, client_key, tmp_path / "jwks.json")
    app = create_app(
        AuthoritySettings(issuer=ISSUER, database_url=database_url), clock=clock, trust_roots=[pki.root.certificate]
    )
    answers: list[int] = []
    with TestClient(app, base_url=ISSUER.rstrip("/")) as client:

        @settings(
            max_examples=60, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
        )
        @given(claim=st.sampled_from(CLAIMS), value=HOSTILE_VALUES, details=st.booleans())
        def run(claim: str, value: Any, details: bool) -> None:
            claims = grant_claims(KID_CLIENT, clock())
            claims[claim] = value
            if details and claim != "authorization_details":
                claims["authorization_details"] = [{"type": "urn:altinn:consent", "id": value, "from": value}]
            body = urlencode({"grant_type": JWT_BEARER, "assertion": sign_grant(claims, client_key)})
            response = client.post(
                "/token", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
            )
            answers.append(response.status_code)
            assert response.status_code in (200, 400, 401), response.text
            if response.status_code != 200:
                assert response.json()["error"] in (
                    "invalid_request",
                    "invalid_grant",
                    "invalid_client",
                    "invalid_scope",
                    "unsupported_grant_type",
                )

        run()
    assert 400 in answers


def test_no_hostile_value_gets_a_server_error(tmp_path: Path, client_key: Any, pki: Pki, clock: Clock) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'authority.db'}"
    register_with_cli(database_url, client_key, tmp_path / "jwks.json")
    app = create_app(
        AuthoritySettings(issuer=ISSUER, database_url=database_url), clock=clock, trust_roots=[pki.root.certificate]
    )
    assert_sweep_clean("token service", *sweep(app))
