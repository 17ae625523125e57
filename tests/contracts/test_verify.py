"""The resource-server verifier (contracts.verify) against a fake issuer: no network, pinned clock.

Rules from DSOP “Security design” and DSOP “FAQ”: local signature check against the
issuer's cached JWKS, ``iss``, ``aud`` = the bank's base URL, required scope, ``consumer`` identifies
the caller; 401 ACC-010 for an invalid token, 403 ACC-011 for a missing scope.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest

from opendsop.contracts.verify import InsufficientScope, JwksUnavailable, Principal, TokenVerifier
from opendsop.trust.errors import InvalidToken
from opendsop.trust.jwt import sign_jwt
from opendsop.trust.keys import generate_rsa_key, public_jwks, public_key_pem
from tests.authority.authority_helpers import BANK, SKATT, SUPPLIER, Clock

pytestmark = pytest.mark.anyio

MP_TEST = "https://test.maskinporten.no/"
MP_PROD = "https://maskinporten.no/"
KONTO = "bits:kontoinformasjon"

_KEYS: dict[str, Any] = {}


def key(kid: str) -> Any:
    if kid not in _KEYS:
        _KEYS[kid] = generate_rsa_key(kid=kid)
    return _KEYS[kid]


class FakeIssuer:
    """Serves Maskinporten-shaped metadata and a JWKS from memory, counting fetches."""

    def __init__(self, issuer: str = MP_TEST, kids: tuple[str, ...] = ("mp-1",)) -> None:
        self.issuer = issuer
        self.kids = list(kids)
        self.fetches: list[str] = []
        self.down = False

    @property
    def jwks_uri(self) -> str:
        return self.issuer + "jwk"  # Maskinporten publishes at /jwk

    @property
    def metadata_url(self) -> str:
        return self.issuer + ".well-known/oauth-authorization-server"

    async def fetch(self, url: str) -> Mapping[str, Any]:
        self.fetches.append(url)
        if self.down:
            raise OSError("connection refused")
        if url == self.metadata_url:
            return {"issuer": self.issuer, "jwks_uri": self.jwks_uri, "token_endpoint": self.issuer + "token"}
        if url == self.jwks_uri:
            return public_jwks([key(kid) for kid in self.kids])
        raise OSError(f"404 {url}")

    def token(
        self, *, kid: str = "mp-1", alg: str = "RS256", now: Clock, header_kid: str | None = None, **overrides: Any
    ) -> str:
        iat = int(now().timestamp())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": BANK,
            "scope": f"{KONTO} bits:kundeforhold",
            "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{SKATT}"},
            "client_id": "some-client",
            "client_amr": "virksomhetssertifikat",
            "token_type": "Bearer",
            "iat": iat,
            "exp": iat + 120,
            "jti": "t-1",
        }
        for name, value in overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return sign_jwt(claims, key(kid), alg=alg, header={"kid": header_kid} if header_kid else None)


@pytest.fixture
def issuer() -> FakeIssuer:
    return FakeIssuer()


def verifier(issuer: FakeIssuer, clock: Clock, **options: Any) -> TokenVerifier:
    options.setdefault("fetch_jwks", issuer.fetch)
    return TokenVerifier(issuer.issuer, issuer.jwks_uri, BANK, [KONTO], clock=clock, **options)


async def test_a_valid_token_names_the_consumer(issuer: FakeIssuer, clock: Clock) -> None:
    principal = await verifier(issuer, clock).verify(issuer.token(now=clock))
    assert principal == Principal(
        consumer_org=SKATT,
        supplier_org=None,
        scopes=frozenset({KONTO, "bits:kundeforhold"}),
        client_id="some-client",
        claims={},
    )
    assert principal.claims["jti"] == "t-1"
    with pytest.raises(TypeError):
        principal.claims["jti"] = "x"  # type: ignore[index]


async def test_a_delegated_token_names_consumer_and_supplier(issuer: FakeIssuer, clock: Clock) -> None:
    token = issuer.token(now=clock, supplier={"authority": "iso6523-actorid-upis", "ID": f"0192:{SUPPLIER}"})
    principal = await verifier(issuer, clock).verify(token)
    assert (principal.consumer_org, principal.supplier_org) == (SKATT, SUPPLIER)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256_confusion(issuer: FakeIssuer, clock: Clock) -> str:
    header = _b64(json.dumps({"alg": "HS256", "kid": "mp-1"}).encode())
    good = issuer.token(now=clock)
    payload = good.split(".")[1]
    mac = hmac.new(public_key_pem(key("mp-1")), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(mac)}"


def _alg_none(issuer: FakeIssuer, clock: Clock) -> str:
    payload = issuer.token(now=clock).split(".")[1]
    return f"{_b64(json.dumps({'alg': 'none', 'kid': 'mp-1'}).encode())}.{payload}."


def _other_key_same_kid(issuer: FakeIssuer, clock: Clock) -> str:
    forged = sign_jwt({"iss": issuer.issuer}, generate_rsa_key(kid="mp-1"), alg="RS256")
    header, payload, _ = issuer.token(now=clock).split(".")
    return f"{header}.{payload}.{forged.split('.')[2]}"


REJECTIONS: list[tuple[str, Any, type[Exception], str]] = [
    ("malformed", lambda i, c: "not.a-token", InvalidToken, "malformed"),
    ("alg-none", _alg_none, InvalidToken, "disallowed_alg"),
    ("hs256-key-confusion", _hs256_confusion, InvalidToken, "disallowed_alg"),
    ("forged-signature", _other_key_same_kid, InvalidToken, "bad_signature"),
    ("unknown-kid", lambda i, c: i.token(now=c, kid="attacker"), InvalidToken, "unknown_kid"),
    ("other-issuer", lambda i, c: i.token(now=c, iss=MP_PROD), InvalidToken, "wrong_issuer"),
    ("other-audience", lambda i, c: i.token(now=c, aud="https://api.other-bank.test/dsop/v2"), InvalidToken,
     "wrong_audience"),
    ("no-audience", lambda i, c: i.token(now=c, aud=None), InvalidToken, "wrong_audience"),
    ("expired", lambda i, c: i.token(now=c, iat=int(c().timestamp()) - 200, exp=int(c().timestamp()) - 11),
     InvalidToken, "expired"),
    ("iat-in-future", lambda i, c: i.token(now=c, iat=int(c().timestamp()) + 60), InvalidToken, "iat_in_future"),
    ("no-exp", lambda i, c: i.token(now=c, exp=None), InvalidToken, "missing_exp"),
    ("scope-missing", lambda i, c: i.token(now=c, scope="bits:kundeforhold"), InsufficientScope,
     "insufficient_scope"),
    ("scope-prefix-only", lambda i, c: i.token(now=c, scope="bits:kontoinformasjonx"), InsufficientScope,
     "insufficient_scope"),
    ("no-scope-claim", lambda i, c: i.token(now=c, scope=None), InsufficientScope, "insufficient_scope"),
    ("no-consumer", lambda i, c: i.token(now=c, consumer=None), InvalidToken, "invalid_consumer"),
    ("consumer-other-authority", lambda i, c: i.token(now=c, consumer={"authority": "x", "ID": f"0192:{SKATT}"}),
     InvalidToken, "invalid_consumer"),
    ("consumer-not-0192", lambda i, c: i.token(
        now=c, consumer={"authority": "iso6523-actorid-upis", "ID": f"0007:{SKATT}"}), InvalidToken,
     "invalid_consumer"),
    ("consumer-short-orgno", lambda i, c: i.token(
        now=c, consumer={"authority": "iso6523-actorid-upis", "ID": "0192:12345"}), InvalidToken,
     "invalid_consumer"),
]  # fmt: skip


@pytest.mark.parametrize(("build", "error", "reason"), [pytest.param(*r[1:], id=r[0]) for r in REJECTIONS])
async def test_rejections(issuer: FakeIssuer, clock: Clock, build: Any, error: type[Exception], reason: str) -> None:
    token = build(issuer, clock)
    with pytest.raises(error) as caught:
        await verifier(issuer, clock).verify(token)
    assert isinstance(caught.value, InvalidToken)  # every rejection is at least a 401
    assert caught.value.reason == reason
    assert str(caught.value)


async def test_insufficient_scope_is_a_403_kind_of_invalid_token() -> None:
    # A bank maps InsufficientScope to 403 ACC-011 and any other InvalidToken to 401 ACC-010.
    assert issubclass(InsufficientScope, InvalidToken)
    assert not issubclass(JwksUnavailable, InvalidToken)  # the issuer being down is not the caller's fault


@pytest.mark.parametrize(
    ("iat_offset", "exp_offset"),
    [pytest.param(-200, -9, id="expired-within-10s-leeway"), pytest.param(9, 120, id="iat-within-10s-leeway")],
)
async def test_bounded_clock_skew_is_tolerated(
    issuer: FakeIssuer, clock: Clock, iat_offset: int, exp_offset: int
) -> None:
    now = int(clock().timestamp())
    token = issuer.token(now=clock, iat=now + iat_offset, exp=now + exp_offset)
    await verifier(issuer, clock).verify(token)


async def test_aud_may_be_a_list_containing_the_bank(issuer: FakeIssuer, clock: Clock) -> None:
    token = issuer.token(now=clock, aud=["https://x.test/", BANK])
    assert (await verifier(issuer, clock).verify(token)).consumer_org == SKATT


async def test_keys_are_cached(issuer: FakeIssuer, clock: Clock) -> None:
    v = verifier(issuer, clock, cache_ttl=timedelta(minutes=10))
    for _ in range(3):
        await v.verify(issuer.token(now=clock))
    assert len(issuer.fetches) == 1
    clock.advance(601)
    await v.verify(issuer.token(now=clock))
    assert len(issuer.fetches) == 2  # the cache expired


async def test_a_new_kid_triggers_one_refetch(issuer: FakeIssuer, clock: Clock) -> None:
    v = verifier(issuer, clock, min_refresh_interval=timedelta(seconds=30))
    await v.verify(issuer.token(now=clock))
    issuer.kids = ["mp-1", "mp-2"]  # the issuer rotated
    clock.advance(30)
    assert (await v.verify(issuer.token(now=clock, kid="mp-2"))).consumer_org == SKATT
    assert len(issuer.fetches) == 2


async def test_a_flood_of_unknown_kids_cannot_hammer_the_issuer(issuer: FakeIssuer, clock: Clock) -> None:
    v = verifier(issuer, clock, min_refresh_interval=timedelta(seconds=30))
    await v.verify(issuer.token(now=clock))
    for n in range(50):
        clock.advance(0.5)
        with pytest.raises(InvalidToken) as caught:
            await v.verify(issuer.token(now=clock, kid="attacker", header_kid=f"bogus-{n}"))
        assert caught.value.reason == "unknown_kid"
    # 25 s of bogus kids after the first fetch at t=0: no refetch yet; then at most one per 30 s.
    assert len(issuer.fetches) == 1
    clock.advance(5)
    with pytest.raises(InvalidToken):
        await v.verify(issuer.token(now=clock, kid="attacker", header_kid="bogus-x"))
    assert len(issuer.fetches) == 2


async def test_cached_keys_survive_an_issuer_outage(issuer: FakeIssuer, clock: Clock) -> None:
    v = verifier(issuer, clock, cache_ttl=timedelta(seconds=60))
    await v.verify(issuer.token(now=clock))
    issuer.down = True
    clock.advance(61)
    assert (await v.verify(issuer.token(now=clock))).consumer_org == SKATT


async def test_no_keys_at_all_is_jwks_unavailable_and_rate_limited(issuer: FakeIssuer, clock: Clock) -> None:
    issuer.down = True
    v = verifier(issuer, clock, min_refresh_interval=timedelta(seconds=30))
    for _ in range(5):
        with pytest.raises(JwksUnavailable):
            await v.verify(issuer.token(now=clock))
    assert len(issuer.fetches) == 1


async def test_a_failed_first_fetch_is_retried_with_short_backoff_not_the_refresh_floor(
    issuer: FakeIssuer, clock: Clock
) -> None:
    """The token service was down when the bank started: once it is back, tokens verify within the
    backoff cap (0.5 s doubling to 4 s), not after the 30 s floor meant for successful fetches."""
    issuer.down = True
    v = verifier(issuer, clock, min_refresh_interval=timedelta(seconds=30))
    attempts_at: list[float] = []
    for tick in range(16):  # 8 s of requests, one per 0.5 s
        before = len(issuer.fetches)
        with pytest.raises(JwksUnavailable):
            await v.verify(issuer.token(now=clock))
        if len(issuer.fetches) > before:
            attempts_at.append(tick * 0.5)
        clock.advance(0.5)
    assert attempts_at == [0.0, 0.5, 1.5, 3.5, 7.5]  # waits 0.5, 1, 2, 4 (the cap)
    issuer.down = False
    clock.advance(3.5)  # t = 11.5: the cap has passed since the last failure at 7.5
    assert (await v.verify(issuer.token(now=clock))).consumer_org == SKATT


async def test_after_a_success_the_refresh_floor_applies_again(issuer: FakeIssuer, clock: Clock) -> None:
    issuer.down = True
    v = verifier(issuer, clock, min_refresh_interval=timedelta(seconds=30))
    with pytest.raises(JwksUnavailable):
        await v.verify(issuer.token(now=clock))
    issuer.down = False
    clock.advance(0.5)
    await v.verify(issuer.token(now=clock))
    fetched = len(issuer.fetches)
    for n in range(20):  # 10 s of invented kids: no refetch inside the floor
        clock.advance(0.5)
        with pytest.raises(InvalidToken):
            await v.verify(issuer.token(now=clock, kid="attacker", header_kid=f"bogus-{n}"))
    assert len(issuer.fetches) == fetched


@pytest.mark.parametrize("base", [MP_TEST, MP_PROD], ids=["maskinporten-test", "maskinporten-prod"])
async def test_from_metadata_works_with_maskinporten_urls(base: str, clock: Clock) -> None:
    issuer = FakeIssuer(base)
    v = TokenVerifier.from_metadata(
        base + ".well-known/oauth-authorization-server", BANK, [KONTO], fetch_json=issuer.fetch, clock=clock
    )
    assert (await v.verify(issuer.token(now=clock))).consumer_org == SKATT
    assert issuer.fetches == [issuer.metadata_url, base + "jwk"]
    assert v.issuer == base


async def test_from_metadata_refuses_a_token_of_the_other_environment(clock: Clock) -> None:
    test_env = FakeIssuer(MP_TEST)
    v = TokenVerifier.from_metadata(test_env.metadata_url, BANK, [KONTO], fetch_json=test_env.fetch, clock=clock)
    with pytest.raises(InvalidToken) as caught:
        await v.verify(test_env.token(now=clock, iss=MP_PROD))
    assert caught.value.reason == "wrong_issuer"


@pytest.mark.parametrize(
    ("metadata_issuer", "expected_issuer"),
    [
        pytest.param("https://evil.test/", None, id="metadata-names-another-issuer"),
        pytest.param(MP_TEST, MP_PROD, id="expected-issuer-differs"),
    ],
)
async def test_from_metadata_refuses_mismatched_metadata(
    clock: Clock, metadata_issuer: str, expected_issuer: str | None
) -> None:
    issuer = FakeIssuer(metadata_issuer)

    async def fetch(url: str) -> Mapping[str, Any]:
        return await issuer.fetch(issuer.metadata_url if url.endswith("oauth-authorization-server") else url)

    v = TokenVerifier.from_metadata(
        MP_TEST + ".well-known/oauth-authorization-server",
        BANK,
        [KONTO],
        issuer=expected_issuer,
        fetch_json=fetch,
        clock=clock,
    )
    with pytest.raises(JwksUnavailable, match="names issuer"):
        await v.verify(issuer.token(now=clock))


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer", "Bearer   "])
async def test_a_missing_or_non_bearer_authorization_header_is_refused(
    issuer: FakeIssuer, clock: Clock, header: str | None
) -> None:
    with pytest.raises(InvalidToken) as caught:
        await verifier(issuer, clock).verify_authorization(header)
    assert caught.value.reason == "missing_token"
    assert issuer.fetches == []


async def test_authorization_header_with_bearer_token(issuer: FakeIssuer, clock: Clock) -> None:
    principal = await verifier(issuer, clock).verify_authorization("bearer " + issuer.token(now=clock))
    assert principal.consumer_org == SKATT
