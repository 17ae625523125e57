"""A bearer token is verified once and remembered until its ``exp`` (at most ``ttl``): provider/verified.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from opendsop.authority.verify import Principal
from opendsop.provider.app import STATE_KEY
from opendsop.provider.verified import VerifiedTokens
from tests.provider import bank as seed
from tests.provider.harness import Bank

NOW = datetime(2025, 6, 15, 10, 0, tzinfo=UTC)
EXP = int((NOW + timedelta(minutes=2)).timestamp())


def _principal(exp: Any = EXP) -> Principal:
    claims = {} if exp is None else {"exp": exp}
    return Principal(consumer_org="974761076", supplier_org=None, scopes=frozenset(), client_id=None, claims=claims)


def test_remembered_until_exp_and_at_most_ttl() -> None:
    tokens = VerifiedTokens(ttl=30)
    principal = _principal()
    tokens.remember("Bearer a", principal, monotonic=100.0)
    assert tokens.get("Bearer a", now=NOW, monotonic=129.0) is principal
    assert tokens.get("Bearer b", now=NOW, monotonic=101.0) is None
    assert tokens.get("Bearer a", now=NOW, monotonic=130.0) is None  # ttl over: checked again
    tokens.remember("Bearer a", principal, monotonic=200.0)
    assert tokens.get("Bearer a", now=NOW + timedelta(minutes=2), monotonic=201.0) is None  # exp reached


@pytest.mark.parametrize("exp", [None, "soon", True])
def test_a_token_without_a_numeric_exp_is_not_remembered(exp: Any) -> None:
    tokens = VerifiedTokens()
    tokens.remember("Bearer a", _principal(exp), monotonic=0.0)
    assert tokens.get("Bearer a", now=NOW, monotonic=0.0) is None


def test_the_oldest_goes_when_full() -> None:
    tokens = VerifiedTokens(capacity=2)
    for name in ("a", "b", "c"):
        tokens.remember(name, _principal(), monotonic=0.0)
    assert [tokens.get(name, now=NOW, monotonic=1.0) is not None for name in ("a", "b", "c")] == [False, True, True]


@pytest.mark.anyio
async def test_the_pipeline_verifies_a_reused_token_once_and_a_refused_one_every_time(bank: Bank) -> None:
    pipeline = bank.app.state[STATE_KEY]
    verifier, calls = pipeline.tokens, []

    class Counting:
        async def verify_authorization(self, authorization: str | None) -> Principal:
            calls.append(authorization)
            principal: Principal = await verifier.verify_authorization(authorization)
            return principal

    pipeline.tokens = Counting()
    token = bank.token(seed.SKATT)
    for _ in range(3):
        assert (await bank.accounts(seed.SKATT, seed.ANNE, token=token)).status_code == 200
    assert len(calls) == 1
    foreign = bank.token(seed.SKATT, audience="https://another-bank.test/v2")
    for _ in range(2):
        assert (await bank.accounts(seed.SKATT, seed.ANNE, token=foreign)).status_code == 401
    assert len(calls) == 3
