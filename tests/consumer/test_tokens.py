"""Access tokens: the grant, the cache per (audience, scope), one request for concurrent callers (DSOP “Security
design”)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import msgspec
import pytest

from opendsop.authority import AuthoritySettings
from opendsop.authority import create_app as create_authority
from opendsop.authority.clients import new_client
from opendsop.consumer.errors import TokenError
from opendsop.consumer.protocol import HttpRequest, HttpResponse
from opendsop.contracts.token_provider import GrantSigner, TokenProvider
from opendsop.contracts.transport import HttpxTransport, poster
from opendsop.trust.jwt import unverified_claims, unverified_header
from opendsop.trust.pki import CertificateAuthority
from tests.consumer.agency import grant_key

pytestmark = pytest.mark.anyio
START = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
SCOPE = "bits:kontoinformasjon"


class FakeTokenService:
    def __init__(self, *, lifetime: int = 120, status: int = 200) -> None:
        self.grants: list[dict[str, object]] = []
        self.lifetime, self.status = lifetime, status

    async def __call__(self, request: HttpRequest, body: bytes) -> HttpResponse:
        from urllib.parse import parse_qsl

        await asyncio.sleep(0)  # let concurrent callers pile up
        self.grants.append(unverified_claims(dict(parse_qsl(body.decode()))["assertion"]))
        if self.status != 200:
            return HttpResponse(self.status, {}, b'{"error": "invalid_scope", "error_description": "not granted"}')
        answer = {"access_token": f"token-{len(self.grants)}", "expires_in": self.lifetime}
        return HttpResponse(200, {}, msgspec.json.encode(answer))


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def provider(service: FakeTokenService, clock: Clock) -> TokenProvider:
    return TokenProvider(
        GrantSigner("client-1", "https://authority.test/", "https://authority.test/token", grant_key()),
        service,
        clock=clock,
    )


async def test_one_token_per_audience_and_scope_until_it_nearly_expires() -> None:
    service, clock = FakeTokenService(), Clock()
    tokens = provider(service, clock)
    first = await tokens.get("https://a.test/v2", SCOPE)
    assert await tokens.get("https://a.test/v2", SCOPE) == first
    assert await tokens.get("https://b.test/v2", SCOPE) != first
    assert await tokens.get("https://a.test/v2", "bits:kundeforhold") != first
    assert len(service.grants) == 3
    assert service.grants[0]["resource"] == ["https://a.test/v2"] and service.grants[0]["scope"] == SCOPE
    assert service.grants[0]["aud"] == "https://authority.test/"
    assert int(service.grants[0]["exp"]) - int(service.grants[0]["iat"]) <= 120  # type: ignore[call-overload]
    clock.now += timedelta(seconds=109)
    assert await tokens.get("https://a.test/v2", SCOPE) == first
    clock.now += timedelta(seconds=2)  # inside the last 10 s of the 120 s lifetime: a fresh one
    assert await tokens.get("https://a.test/v2", SCOPE) != first
    assert len(service.grants) == 4


async def test_concurrent_callers_share_one_token_request() -> None:
    service, clock = FakeTokenService(), Clock()
    tokens = provider(service, clock)
    values = await asyncio.gather(*(tokens.get("https://a.test/v2", SCOPE) for _ in range(20)))
    assert len(set(values)) == 1 and len(service.grants) == 1


async def test_refresh_discards_the_cached_token() -> None:
    service, clock = FakeTokenService(), Clock()
    tokens = provider(service, clock)
    first = await tokens.get("https://a.test/v2", SCOPE)
    assert await tokens.get("https://a.test/v2", SCOPE, refresh=True) != first


async def test_a_refused_grant_is_a_token_error_with_the_oauth_code() -> None:
    tokens = provider(FakeTokenService(status=400), Clock())
    with pytest.raises(TokenError) as raised:
        await tokens.get("https://a.test/v2", SCOPE)
    assert raised.value.error == "invalid_scope" and "not granted" in raised.value.message
    assert not raised.value.retryable


async def test_an_enterprise_certificate_grant_gets_a_token_from_the_real_authority(tmp_path: Path) -> None:
    root = CertificateAuthority.create_root("consumer test root", now=START - timedelta(days=30))
    credential = root.issue_enterprise("974761076", organisation_name="SKATTEETATEN", now=START - timedelta(days=1))
    issuer = "http://authority.test/"
    app = create_authority(
        AuthoritySettings(issuer=issuer, database_url=f"sqlite+aiosqlite:///{tmp_path}/a.db"),
        clock=lambda: START,
        trust_roots=[root.certificate],
    )
    async with app.lifespan():
        await app.state.store.add_client(
            new_client("skatt-cert", "974761076", [SCOPE], certificate=True), now=int(START.timestamp())
        )
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
            signer = GrantSigner("skatt-cert", issuer, issuer + "token", credential)
            tokens = TokenProvider(signer, poster(HttpxTransport(http)), clock=lambda: START)
            token = await tokens.get("https://bank.test/v2", SCOPE)
    claims = unverified_claims(token)
    assert claims["aud"] == "https://bank.test/v2" and claims["scope"] == SCOPE
    assert claims["consumer"]["ID"] == "0192:974761076" and claims["client_amr"] == "virksomhetssertifikat"
    grant = signer.assertion(audience="https://bank.test/v2", scope=SCOPE, now=START)
    header = unverified_header(grant)
    assert "kid" not in header and len(header["x5c"]) == 1  # the leaf only (DSOP “Security design”)


async def test_a_token_service_that_blinks_is_asked_again_by_the_client() -> None:
    import random

    from opendsop.consumer.client import DsopClient
    from opendsop.consumer.protocol import NeedToken
    from opendsop.consumer.resilience import RetryPolicy

    service, clock = FakeTokenService(status=503), Clock()
    tokens = provider(service, clock)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        service.status = 200  # back after the first wait

    client = DsopClient(
        object(),
        tokens,
        lambda token: b"",
        retry=RetryPolicy(attempts=3, base=0.5),  # type: ignore[arg-type]
        rng=random.Random(3),
        sleep=sleep,
        clock=clock,
    )
    assert await client._token(NeedToken("https://a.test/v2")) == "token-2"
    assert len(waits) == 1 and 0.25 <= waits[0] <= 0.5
    service.status = 400  # a refusal is not retried
    with pytest.raises(TokenError):
        await client._token(NeedToken("https://b.test/v2"))
    assert len(waits) == 1


@pytest.mark.parametrize("signing", ["threads", "inline"])
async def test_grants_are_rs256_signed_by_the_agency_wherever_they_are_signed(signing: str) -> None:
    from urllib.parse import parse_qsl

    from opendsop.trust.jwt import verify_jwt

    assertions: list[str] = []

    async def service(request: HttpRequest, body: bytes) -> HttpResponse:
        assertions.append(dict(parse_qsl(body.decode()))["assertion"])
        return HttpResponse(200, {}, msgspec.json.encode({"access_token": f"token-{len(assertions)}"}))

    signer = GrantSigner("client-1", "https://authority.test/", "https://authority.test/token", grant_key())
    tokens = TokenProvider(signer, service, clock=Clock(), signing=signing)  # type: ignore[arg-type]
    await tokens.get("https://a.test/v2", SCOPE)
    tokens.prefetch(["https://b.test/v2", "https://c.test/v2"], SCOPE)
    assert await tokens.get("https://c.test/v2", SCOPE) in {"token-2", "token-3"}
    assert len(assertions) == 3
    for assertion in assertions:
        header, claims = verify_jwt(assertion, grant_key(), algorithms=("RS256",), audience="https://authority.test/")
        assert header == {"alg": "RS256", "typ": "JWT", "kid": header["kid"]} and header["kid"]
        assert claims["iss"] == "client-1" and claims["scope"] == SCOPE and len(claims["resource"]) == 1
    assert len({unverified_claims(a)["jti"] for a in assertions}) == 3  # a fresh grant each time
    assert sorted(unverified_claims(a)["resource"][0] for a in assertions) == [
        "https://a.test/v2",
        "https://b.test/v2",
        "https://c.test/v2",
    ]


async def test_prefetch_asks_once_per_missing_audience_and_get_takes_the_answers_up() -> None:
    service, clock = FakeTokenService(), Clock()
    tokens = provider(service, clock)
    first = await tokens.get("https://a.test/v2", SCOPE)
    audiences = ["https://a.test/v2", "https://b.test/v2", "https://c.test/v2", "https://b.test/v2"]
    tokens.prefetch(audiences, SCOPE)
    values = await asyncio.gather(*(tokens.get(audience, SCOPE) for audience in audiences))
    assert values[0] == first and values[1] == values[3] and len(set(values)) == 3
    assert len(service.grants) == 3 and tokens.requests == 3  # a once, then b and c once each
    tokens.prefetch(audiences, SCOPE)  # all cached: nothing to do
    await asyncio.sleep(0)
    assert len(service.grants) == 3


async def test_prefetch_signs_in_as_few_executor_calls_as_the_batch_allows() -> None:
    from concurrent.futures import ThreadPoolExecutor

    class Counting(ThreadPoolExecutor):
        calls = 0

        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            Counting.calls += 1
            return super().submit(fn, *args, **kwargs)

    service = FakeTokenService()
    with Counting(2) as executor:
        signer = GrantSigner("client-1", "https://authority.test/", "https://authority.test/token", grant_key())
        tokens = TokenProvider(signer, service, clock=Clock(), signing=executor, batch=3)
        audiences = [f"https://bank{index}.test/v2" for index in range(7)]
        tokens.prefetch(audiences, SCOPE)
        assert len(set(await asyncio.gather(*(tokens.get(audience, SCOPE) for audience in audiences)))) == 7
    assert Counting.calls == 3  # 7 grants, at most 3 a call: 3 calls (3 + 2 + 2)
    assert sorted(str(grant["resource"][0]) for grant in service.grants) == sorted(audiences)  # type: ignore[index]


async def test_a_failed_prefetch_is_met_by_the_next_get_and_then_asked_again() -> None:
    service, clock = FakeTokenService(status=503), Clock()
    tokens = provider(service, clock)
    tokens.prefetch(["https://a.test/v2"], SCOPE)
    with pytest.raises(TokenError) as raised:
        await tokens.get("https://a.test/v2", SCOPE)
    assert raised.value.retryable and len(service.grants) == 1
    service.status = 200
    assert await tokens.get("https://a.test/v2", SCOPE) == "token-2"
