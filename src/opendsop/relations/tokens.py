"""A small cache in front of the token verifier (spec/protocol.md §3.1: tokens are checked locally).

A consumer reuses one Maskinporten token (≤ 120 s) for every request of a case, so the hub verifies
the same bytes many times; verifying costs an RSA signature check and JSON parsing on the hot path
of ``customerRelationships``.  The cache keys on a SHA-256 of the whole ``Authorization`` value,
keeps only *successful* verifications, and drops an entry at the token's ``exp``: a cached answer
is never valid longer than the token itself.  Scope checks still run per route on the cached
``Principal``.  Bounded: the oldest entries go first.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from opendsop.authority.verify import Principal


class CachingVerifier:
    def __init__(self, verifier: Any, clock: Callable[[], datetime], *, max_entries: int = 10_000) -> None:
        self._verifier = verifier
        self._clock = clock
        self._max = max_entries
        self._cache: OrderedDict[bytes, tuple[float, Principal]] = OrderedDict()

    async def verify_authorization(self, authorization: str | None) -> Principal:
        if not authorization:
            principal: Principal = await self._verifier.verify_authorization(authorization)
            return principal
        key = hashlib.sha256(authorization.encode("utf-8", "surrogatepass")).digest()
        now = self._clock().timestamp()
        hit = self._cache.get(key)
        if hit is not None and now < hit[0]:
            return hit[1]
        principal = await self._verifier.verify_authorization(authorization)
        expires = principal.claims.get("exp")
        if isinstance(expires, int | float) and not isinstance(expires, bool) and expires > now:
            self._cache[key] = (float(expires), principal)
            self._cache.move_to_end(key)
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
        return principal


__all__ = ["CachingVerifier"]
