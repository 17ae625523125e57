"""End to end: clients registered with the CLI get tokens from the app; a bank's verifier accepts them.

Runs on SQLite and PostgreSQL (DSOP “Security design”, DSOP SBL “Integrasjon mot Maskinporten”).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from opendsop.authority import AuthoritySettings, create_app
from opendsop.authority.grants import JWT_BEARER
from opendsop.contracts.verify import InsufficientScope, TokenVerifier
from opendsop.trust.errors import InvalidToken
from opendsop.trust.jwt import unverified_claims, unverified_header
from tests.authority.authority_helpers import (
    BANK,
    CERT_CLIENT,
    ISSUER,
    KID_CLIENT,
    KONTO,
    SKATT,
    SUPPLIER,
    SUPPLIER_CLIENT,
    Clock,
    Pki,
    grant_claims,
    register_with_cli,
    sign_grant,
)

pytestmark = pytest.mark.anyio


@dataclass
class Authority:
    http: httpx.AsyncClient
    clock: Clock
    app: Any

    async def token(self, assertion: str) -> httpx.Response:
        body = urlencode({"grant_type": JWT_BEARER, "assertion": assertion})
        return await self.http.post(
            "/token", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )

    async def fetch(self, url: str) -> Mapping[str, Any]:
        response = await self.http.get(url)
        response.raise_for_status()
        return response.json()

    def verifier(self, audience: str = BANK, scopes: tuple[str, ...] = (KONTO,)) -> TokenVerifier:
        return TokenVerifier(ISSUER, ISSUER + "jwks", audience, scopes, fetch_jwks=self.fetch, clock=self.clock)


@pytest.fixture
def registered(database_url: str, client_key: Any, tmp_path: Path) -> str:
    """The database with the test registry (the CLI runs its own event loop, so this fixture is sync)."""
    register_with_cli(database_url, client_key, tmp_path / "jwks.json")
    return database_url


@pytest.fixture
async def authority(registered: str, pki: Pki, clock: Clock) -> AsyncIterator[Authority]:
    database_url = registered
    app = create_app(
        AuthoritySettings(issuer=ISSUER, database_url=database_url), clock=clock, trust_roots=[pki.root.certificate]
    )
    # Startup, requests and the test share one event loop (asyncpg connections are bound to it).
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=ISSUER.rstrip("/")) as http:
            yield Authority(http, clock, app)


async def test_kid_client_gets_an_audience_restricted_token_the_bank_accepts(
    authority: Authority, client_key: Any
) -> None:
    response = await authority.token(sign_grant(grant_claims(KID_CLIENT, authority.clock()), client_key))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 120 and body["scope"] == KONTO
    assert response.headers["cache-control"] == "no-store"
    claims = unverified_claims(body["access_token"])
    assert claims["aud"] == BANK and claims["iss"] == ISSUER and claims["client_amr"] == "private_key_jwt"
    assert claims["exp"] - claims["iat"] == 120

    principal = await authority.verifier().verify(body["access_token"])
    assert principal.consumer_org == SKATT
    assert principal.supplier_org is None
    assert principal.scopes == frozenset({KONTO})
    assert principal.client_id == KID_CLIENT


async def test_the_bank_refuses_a_token_for_another_audience_or_without_its_scope(
    authority: Authority, client_key: Any
) -> None:
    response = await authority.token(sign_grant(grant_claims(KID_CLIENT, authority.clock()), client_key))
    token = response.json()["access_token"]
    with pytest.raises(InvalidToken) as caught:
        await authority.verifier(audience="https://api.other-bank.test/dsop/v2").verify(token)
    assert caught.value.reason == "wrong_audience"
    with pytest.raises(InsufficientScope):
        await authority.verifier(scopes=(KONTO, "bits:kundeforhold")).verify(token)


async def test_certificate_client_gets_a_token_with_x5c(authority: Authority, pki: Pki) -> None:
    credential = pki.enterprise(SKATT)
    grant = sign_grant(grant_claims(CERT_CLIENT, authority.clock()), credential.private_key, x5c=credential.x5c())
    response = await authority.token(grant)
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert unverified_claims(token)["client_amr"] == "virksomhetssertifikat"
    assert (await authority.verifier().verify(token)).consumer_org == SKATT


async def test_a_supplier_gets_a_token_for_the_organisation_that_delegated_to_it(
    authority: Authority, client_key: Any
) -> None:
    claims = grant_claims(SUPPLIER_CLIENT, authority.clock(), consumer_org=SKATT)
    response = await authority.token(sign_grant(claims, client_key))
    assert response.status_code == 200, response.text
    principal = await authority.verifier().verify(response.json()["access_token"])
    assert (principal.consumer_org, principal.supplier_org) == (SKATT, SUPPLIER)
    assert principal.claims["delegation_source"] == ISSUER


async def test_a_delegation_that_is_not_registered_is_refused(authority: Authority, client_key: Any) -> None:
    # Skatteetaten delegated only bits:kontoinformasjon to the supplier.
    claims = grant_claims(SUPPLIER_CLIENT, authority.clock(), consumer_org=SKATT, scope="bits:kundeforhold")
    response = await authority.token(sign_grant(claims, client_key))
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_scope",
        "error_description": f"organisation {SKATT} has not delegated scope bits:kundeforhold "
        f"to organisation {SUPPLIER}",
    }


async def test_a_replayed_jti_is_refused(authority: Authority, client_key: Any) -> None:
    grant = sign_grant(grant_claims(KID_CLIENT, authority.clock()), client_key)
    assert (await authority.token(grant)).status_code == 200
    authority.clock.advance(5)
    replay = await authority.token(grant)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert "jti has already been used" in replay.json()["error_description"]


async def test_rotation_keeps_old_tokens_valid_until_they_expire(authority: Authority, client_key: Any) -> None:
    verifier = authority.verifier()
    old = (await authority.token(sign_grant(grant_claims(KID_CLIENT, authority.clock()), client_key))).json()
    await verifier.verify(old["access_token"])  # the verifier has cached the first key

    authority.clock.advance(60)
    await authority.app.state.signing_keys.rotate(now=authority.clock())
    new = (await authority.token(sign_grant(grant_claims(KID_CLIENT, authority.clock()), client_key))).json()
    old_kid = unverified_header(old["access_token"])["kid"]
    new_kid = unverified_header(new["access_token"])["kid"]
    assert new_kid != old_kid

    authority.clock.advance(30)  # past the verifier's refresh interval: the new kid triggers a refetch
    assert (await verifier.verify(new["access_token"])).consumer_org == SKATT
    assert (await verifier.verify(old["access_token"])).consumer_org == SKATT  # still published, not expired
    published = {k["kid"] for k in (await authority.http.get("/jwks")).json()["keys"]}
    assert published == {old_kid, new_kid}

    authority.clock.advance(45)  # 135 s after the old token was issued: expired (120 s + 10 s skew)
    with pytest.raises(InvalidToken) as caught:
        await verifier.verify(old["access_token"])
    assert caught.value.reason == "expired"
    # The old key may have signed a token up to the rotation (60 s): it goes 60 + 120 + 10 s in.
    authority.clock.advance(190 - 135)
    assert len((await authority.http.get("/jwks")).json()["keys"]) == 2
    authority.clock.advance(1)
    assert {k["kid"] for k in (await authority.http.get("/jwks")).json()["keys"]} == {new_kid}


async def test_metadata_describes_the_jwt_bearer_grant(authority: Authority) -> None:
    metadata = (await authority.http.get("/.well-known/oauth-authorization-server")).json()
    assert metadata["issuer"] == ISSUER
    assert metadata["token_endpoint"] == ISSUER + "token"
    assert metadata["grant_types_supported"] == [JWT_BEARER]
    assert "private_key_jwt" in metadata["token_endpoint_auth_methods_supported"]
    jwks = await authority.fetch(metadata["jwks_uri"])
    assert all("d" not in key for key in jwks["keys"])  # public keys only
    verifier = TokenVerifier.from_metadata(
        ISSUER + ".well-known/oauth-authorization-server", BANK, [KONTO], fetch_json=authority.fetch
    )
    with pytest.raises(InvalidToken):
        await verifier.verify("a.b.c")


async def test_a_cut_database_is_temporarily_unavailable_and_the_service_recovers(
    authority: Authority, client_key: Any, registered: str
) -> None:
    """While the database is cut the token endpoint answers 503 temporarily_unavailable with Retry-After
    (RFC 6749), readiness is false and liveness true; once it is back tokens are issued again."""
    from tests.outages import database_cut

    def grant() -> str:
        return sign_grant(grant_claims(KID_CLIENT, authority.clock()), client_key)

    assert (await authority.token(grant())).status_code == 200
    with database_cut(registered):
        response = await authority.token(grant())
        assert (response.status_code, response.json()["error"]) == (503, "temporarily_unavailable")
        assert response.headers["retry-after"].isdigit() and response.headers["cache-control"] == "no-store"
        ready = await authority.http.get("/health/ready")
        assert (ready.status_code, ready.json()["checks"]["database"]) == (503, "unavailable")
        assert (await authority.http.get("/health/live")).status_code == 200
    response = await authority.token(grant())
    assert response.status_code == 200, response.text
    ready = await authority.http.get("/health/ready")
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "keys": "ok"}}


async def test_a_verifier_started_while_the_token_service_was_stopped_accepts_tokens_soon_after_it_is_back(
    authority: Authority, client_key: Any
) -> None:
    """The bank started first: its JWKS fetch failed because the token service was not running.  Once it
    runs, its tokens verify within the retry backoff (0.5 s doubling to 4 s), not after the 30 s floor."""
    running = False

    async def fetch(url: str) -> Mapping[str, Any]:
        if not running:
            raise httpx.ConnectError(f"connection refused: {url}")
        return await authority.fetch(url)

    verifier = TokenVerifier(ISSUER, ISSUER + "jwks", BANK, (KONTO,), fetch_jwks=fetch, clock=authority.clock)
    assert not await verifier.keys_ready()
    running = True
    response = await authority.token(sign_grant(grant_claims(KID_CLIENT, authority.clock()), client_key))
    authority.clock.advance(0.5)
    assert (await verifier.verify(response.json()["access_token"])).consumer_org == SKATT
    assert await verifier.keys_ready()
