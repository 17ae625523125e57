"""The one verified-token cache (contracts.verify), the same at the banks, the hub and every agency.

A token that verified is remembered until its ``exp`` and at most ``token_cache_max_age``; a key the
issuer withdraws from its JWKS stops being accepted as soon as the verifier has refreshed the JWKS.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from opendsop.contracts import verify as verify_module
from opendsop.contracts.verify import TokenVerifier
from opendsop.trust.errors import InvalidToken
from tests.authority.authority_helpers import BANK, Clock
from tests.contracts.test_verify import FakeIssuer, verifier

pytestmark = pytest.mark.anyio


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The signature checks the verifier makes (one per token it did not remember)."""
    seen: list[str] = []
    real = verify_module.verify_jwt

    def counting(token: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(token)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(verify_module, "verify_jwt", counting)
    return seen


@pytest.fixture
def issuer() -> FakeIssuer:
    return FakeIssuer(kids=("mp-1", "mp-2"))


async def test_a_reused_token_is_checked_once_a_refused_one_every_time(
    issuer: FakeIssuer, clock: Clock, checks: list[str]
) -> None:
    v = verifier(issuer, clock)
    token = issuer.token(now=clock)
    for _ in range(3):
        await v.verify_authorization(f"Bearer {token}")
    assert len(checks) == 1
    foreign = issuer.token(now=clock, aud="https://another-bank.test/v2")
    for _ in range(2):
        with pytest.raises(InvalidToken):
            await v.verify(foreign)
    assert len(checks) == 3


async def test_a_token_is_remembered_at_most_max_age(issuer: FakeIssuer, clock: Clock, checks: list[str]) -> None:
    v = verifier(issuer, clock, token_cache_max_age=timedelta(seconds=30))
    token = issuer.token(now=clock)
    await v.verify(token)
    clock.advance(29)
    await v.verify(token)
    assert len(checks) == 1
    clock.advance(1)
    await v.verify(token)
    assert len(checks) == 2  # checked again after max age


async def test_a_token_is_never_remembered_past_its_exp(issuer: FakeIssuer, clock: Clock, checks: list[str]) -> None:
    v = verifier(issuer, clock, token_cache_max_age=timedelta(minutes=10), leeway=timedelta(0))
    token = issuer.token(now=clock, exp=int(clock().timestamp()) + 5)
    await v.verify(token)
    clock.advance(5)
    with pytest.raises(InvalidToken):
        await v.verify(token)  # expired: checked again, and refused


async def test_a_withdrawn_key_stops_at_once_after_the_refresh(issuer: FakeIssuer, clock: Clock) -> None:
    v = verifier(issuer, clock, token_cache_max_age=timedelta(minutes=10), min_refresh_interval=timedelta(seconds=5))
    old = issuer.token(now=clock, kid="mp-1")
    await v.verify(old)
    issuer.kids = ["mp-2", "mp-3"]  # the issuer withdraws mp-1 and publishes mp-3
    clock.advance(5)
    await v.verify(issuer.token(now=clock, kid="mp-3"))  # an unknown kid makes the verifier refresh
    with pytest.raises(InvalidToken) as refused:
        await v.verify(old)  # remembered for up to ten minutes, but its key is gone
    assert refused.value.reason == "unknown_kid"


async def test_a_refreshed_key_set_rechecks_remembered_tokens(
    issuer: FakeIssuer, clock: Clock, checks: list[str]
) -> None:
    v = verifier(issuer, clock, token_cache_max_age=timedelta(minutes=5), cache_ttl=timedelta(seconds=60))
    token = issuer.token(now=clock, exp=int(clock().timestamp()) + 120)
    await v.verify(token)
    clock.advance(61)  # the JWKS is stale: the next use refetches it, then checks the token again
    await v.verify(token)
    assert (len(issuer.fetches), len(checks)) == (2, 2)


async def test_the_cache_is_bounded_oldest_first(issuer: FakeIssuer, clock: Clock, checks: list[str]) -> None:
    v = TokenVerifier(
        issuer.issuer, issuer.jwks_uri, BANK, [], fetch_jwks=issuer.fetch, clock=clock, token_cache_size=1
    )
    first, second = issuer.token(now=clock, jti="a"), issuer.token(now=clock, jti="b")
    for token in (first, second, first):
        await v.verify(token)
    assert len(checks) == 3  # the first was evicted by the second
