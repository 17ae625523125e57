"""The verification cache: hits only for a token already verified, never past its ``exp``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from opendsop.authority.verify import Principal
from opendsop.relations.tokens import CachingVerifier
from opendsop.trust.errors import InvalidToken

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 1, 15, 12, tzinfo=UTC)


class _Counting:
    def __init__(self) -> None:
        self.calls = 0

    async def verify_authorization(self, authorization: str | None) -> Principal:
        self.calls += 1
        if not (authorization or "").startswith("Bearer good"):
            raise InvalidToken("bad token")
        return Principal(consumer_org="974761076", supplier_org=None, scopes=frozenset({"s"}), client_id=None,
                         claims={"exp": int((T0 + timedelta(seconds=120)).timestamp())})


async def test_cache_hits_until_exp_and_never_caches_failures() -> None:
    inner, now = _Counting(), [T0]
    cache = CachingVerifier(inner, lambda: now[0])
    for _ in range(3):
        assert (await cache.verify_authorization("Bearer good")).consumer_org == "974761076"
    assert inner.calls == 1
    for _ in range(2):
        with pytest.raises(InvalidToken):
            await cache.verify_authorization("Bearer evil")
    assert inner.calls == 3
    now[0] = T0 + timedelta(seconds=121)  # expired: verified again (and refused by a real verifier)
    await cache.verify_authorization("Bearer good")
    assert inner.calls == 4


async def test_cache_is_bounded() -> None:
    inner: Any = _Counting()
    cache = CachingVerifier(inner, lambda: T0, max_entries=1)
    await cache.verify_authorization("Bearer good-1")
    await cache.verify_authorization("Bearer good-2")
    assert len(cache._cache) == 1
    await cache.verify_authorization("Bearer good-1")  # evicted, so verified again
    assert inner.calls == 3
