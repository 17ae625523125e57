"""Every attack on the token endpoint gets the right RFC 6749 §5.2 error and a clear sentence.

One row per attack: what the attacker sends, and the (status, error, words) a client must see.
Grant-rule tests need no second backend; storage-dependent refusals also run on PostgreSQL in
test_token_endpoint.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from opendsop.authority import AuthoritySettings, create_app
from opendsop.authority.grants import JWT_BEARER
from opendsop.trust.keys import generate_rsa_key, public_key_pem
from tests.authority.authority_helpers import (
    BRREG,
    CERT_CLIENT,
    ISSUER,
    KID_CLIENT,
    SKATT,
    SUPPLIER_CLIENT,
    Clock,
    Pki,
    grant_claims,
    register_with_cli,
    sign_grant,
)

pytestmark = pytest.mark.anyio


@dataclass
class Attacker:
    now: int
    key: Any  # the registered client's private key (an attacker stole nothing unless a row says so)
    pki: Pki

    def claims(self, client_id: str = KID_CLIENT, **overrides: Any) -> dict[str, Any]:
        from datetime import UTC, datetime

        return grant_claims(client_id, datetime.fromtimestamp(self.now, UTC), **overrides)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}.{_b64(signature)}"


def alg_none(a: Attacker) -> str:
    return _unsigned({"alg": "none", "kid": a.key.kid}, a.claims())


def hs256_with_public_key(a: Attacker) -> str:
    # Key confusion: HMAC keyed with the client's public key, which anyone can fetch.
    header, claims = {"alg": "HS256", "kid": a.key.kid, "typ": "JWT"}, a.claims()
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    mac = hmac.new(public_key_pem(a.key), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def tampered(a: Attacker) -> str:
    header, _, signature = sign_grant(a.claims(), a.key).split(".")
    return f"{header}.{_b64(json.dumps(a.claims(scope='bits:kundeforhold.write')).encode())}.{signature}"


def other_key_same_kid(a: Attacker) -> str:
    return sign_grant(a.claims(), generate_rsa_key(kid=a.key.kid))


def certificate_grant(orgno: str, *, trusted: bool = True) -> Callable[[Attacker], str]:
    def build(a: Attacker) -> str:
        credential = a.pki.enterprise(orgno, trusted=trusted)
        return sign_grant(a.claims(CERT_CLIENT), credential.private_key, x5c=credential.x5c())

    return build


def x5c_garbage(a: Attacker) -> str:
    return sign_grant(a.claims(CERT_CLIENT), a.key, x5c=["bm90IGEgY2VydGlmaWNhdGU="])


ATTACKS: list[tuple[str, Callable[[Attacker], str], int, str, str]] = [
    ("malformed-jwt", lambda a: "not-a-jwt", 400, "invalid_grant", "not a valid JWT"),
    ("malformed-json-header", lambda a: "eyJub3QganNvbg.e30.", 400, "invalid_grant", "not a valid JWT"),
    ("alg-none", alg_none, 400, "invalid_grant", "alg 'none' is not allowed"),
    ("hs256-key-confusion", hs256_with_public_key, 400, "invalid_grant", "alg 'HS256' is not allowed"),
    ("unknown-client", lambda a: sign_grant(a.claims("ghost"), a.key), 401, "invalid_client",
     "client ghost is not registered"),
    ("unknown-kid", lambda a: sign_grant(a.claims(), generate_rsa_key(kid="stolen")), 401, "invalid_client",
     "kid 'stolen' is not a registered key of client skatt-kid"),
    ("other-key-same-kid", other_key_same_kid, 401, "invalid_client", "signature of client skatt-kid does not verify"),
    ("tampered-payload", tampered, 401, "invalid_client", "does not verify"),
    ("expired", lambda a: sign_grant(a.claims(iat=a.now - 10, exp=a.now - 11), a.key), 400, "invalid_grant",
     "assertion has expired"),
    ("iat-in-future", lambda a: sign_grant(a.claims(iat=a.now + 30, exp=a.now + 90), a.key), 400, "invalid_grant",
     "iat is in the future"),
    ("iat-too-old", lambda a: sign_grant(a.claims(iat=a.now - 60, exp=a.now + 60), a.key), 400, "invalid_grant",
     "more than 10 s old"),
    ("lifetime-over-120s", lambda a: sign_grant(a.claims(exp=a.now + 121), a.key), 400, "invalid_grant",
     "at most 120 s"),
    ("wrong-grant-aud", lambda a: sign_grant(a.claims(aud="https://maskinporten.no/"), a.key), 400, "invalid_grant",
     f"aud must be the issuer {ISSUER}"),
    ("no-jti", lambda a: sign_grant(a.claims(jti=None), a.key), 400, "invalid_grant", "jti is missing"),
    ("scope-not-granted", lambda a: sign_grant(a.claims(scope="bits:kundeforhold.write"), a.key), 400,
     "invalid_scope", "scope bits:kundeforhold.write is not granted to client skatt-kid"),
    ("no-scope", lambda a: sign_grant(a.claims(scope=None), a.key), 400, "invalid_scope", "scope is missing"),
    ("delegation-not-registered", lambda a: sign_grant(a.claims(SUPPLIER_CLIENT, consumer_org=BRREG), a.key), 400,
     "invalid_scope", f"organisation {BRREG} has not delegated scope bits:kontoinformasjon"),
    ("certificate-from-another-pki", certificate_grant(SKATT, trusted=False), 401, "invalid_client",
     "not issued by a trusted root"),
    ("certificate-for-another-organisation", certificate_grant(BRREG), 401, "invalid_client",
     f"belongs to organisation {BRREG}, expected {SKATT}"),
    ("x5c-not-a-certificate", x5c_garbage, 401, "invalid_client", "x5c certificate of client skatt-cert"),
    ("certificate-client-sends-kid", lambda a: sign_grant(a.claims(CERT_CLIENT), a.key), 401, "invalid_client",
     "must carry x5c"),
    ("kid-client-sends-only-x5c", lambda a: sign_grant(a.claims(), a.key, x5c=a.pki.enterprise(SKATT).x5c()), 401,
     "invalid_client", "must carry kid"),
]  # fmt: skip


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory, client_key: Any) -> str:
    """One registry for the module: every attack uses a fresh jti, so they cannot interfere."""
    directory = tmp_path_factory.mktemp("authority")
    url = f"sqlite+aiosqlite:///{directory / 'authority.db'}"
    register_with_cli(url, client_key, directory / "jwks.json")
    return url


@pytest.fixture
async def http(registry: str, pki: Pki, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        AuthoritySettings(issuer=ISSUER, database_url=registry), clock=clock, trust_roots=[pki.root.certificate]
    )
    async with app.lifespan():
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://authority.test"
        ) as client:
            yield client


async def _post(http: httpx.AsyncClient, assertion: str) -> httpx.Response:
    return await http.post(
        "/token",
        content=urlencode({"grant_type": JWT_BEARER, "assertion": assertion}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


@pytest.mark.parametrize(("build", "status", "error", "words"), [pytest.param(*row[1:], id=row[0]) for row in ATTACKS])
async def test_attack_is_refused(
    http: httpx.AsyncClient,
    clock: Clock,
    client_key: Any,
    pki: Pki,
    build: Callable[[Attacker], str],
    status: int,
    error: str,
    words: str,
) -> None:
    assertion = build(Attacker(int(clock().timestamp()), client_key, pki))
    response = await _post(http, assertion)
    body = response.json()
    assert (response.status_code, body["error"]) == (status, error), body
    assert words in body["error_description"]
    assert set(body) == {"error", "error_description"}
    assert "Traceback" not in response.text


async def test_a_control_grant_passes_so_the_attacks_fail_for_their_own_reason(
    http: httpx.AsyncClient, clock: Clock, client_key: Any, pki: Pki
) -> None:
    a = Attacker(int(clock().timestamp()), client_key, pki)
    for assertion in (sign_grant(a.claims(), a.key), certificate_grant(SKATT)(a)):
        response = await _post(http, assertion)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("content", "content_type", "error"),
    [
        pytest.param(b'{"grant_type": "x"}', "application/json", "invalid_request", id="json"),
        pytest.param(b"%%%", "application/x-www-form-urlencoded", "invalid_request", id="garbage-form"),
        pytest.param(b"grant_type=password&username=a&password=b", "application/x-www-form-urlencoded",
                     "unsupported_grant_type", id="password-grant"),
        pytest.param(b"x" * 70_000, "application/x-www-form-urlencoded", "invalid_request", id="oversized"),
    ],
)  # fmt: skip
async def test_malformed_bodies_get_an_oauth_error_not_a_crash(
    http: httpx.AsyncClient, content: bytes, content_type: str, error: str
) -> None:
    response = await http.post("/token", content=content, headers={"Content-Type": content_type})
    assert 400 <= response.status_code < 500
    assert response.json()["error"] == error
