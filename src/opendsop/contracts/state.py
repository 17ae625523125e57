"""State that several processes of one party share: rate-limit buckets and single-use ids, in Redis.

A party that runs in several processes (``serve --workers N``, or several machines behind a load
balancer) must not keep what limits or protects requests in one process's memory: a bank's rate
limit would become N × the configured rate, and a grant spent at one worker could be replayed at
the next.  Two primitives, both one atomic Redis round trip:

* :class:`RedisRateLimiter` — a token bucket per key, updated by one Lua script on Redis' own clock
  (``TIME``), so workers on machines with different clocks agree; the key expires once the bucket
  would be full again, so idle consumers cost nothing.
* :class:`RedisOnce` — ``SET key NX EX ttl``: the first caller wins, every later one (any
  worker, any machine) is told the id is spent; the key vanishes when it could no longer be replayed.

What happens when Redis does not answer is the caller's documented choice (docs/decisions.md
"Shared state across workers"): the bank limits each worker to its share of the rate (never more
than configured in total), the token service refuses grants (503) rather than risk a replay.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("opendsop.state")

_BUCKET = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return wait
"""

RETRY_REDIS_AFTER = 5.0  # seconds a worker keeps to its fallback before asking Redis again


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """In-process token buckets: ``rate`` requests per second per key on average, bursts of up to
    ``burst``; ``rate == 0`` disables.  Right for one process; with several, see :class:`RedisRateLimiter`."""

    def __init__(
        self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000
    ) -> None:
        if rate < 0 or burst < 1:
            raise ValueError("rate must be >= 0 and burst >= 1")
        self.rate, self.burst = rate, burst
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._max_keys = max_keys
        self._lock = threading.Lock()

    def acquire(self, key: str) -> int:
        """0 if the request may pass, else the seconds to wait before the next one will."""
        if self.rate == 0:
            return 0
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self._max_keys:  # only known consumers get here; stay bounded
                    self._buckets.clear()
                bucket = self._buckets[key] = _Bucket(float(self.burst), now)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0
            return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))

    async def check(self, key: str) -> int:
        """:meth:`acquire`, with the signature of the shared limiter."""
        return self.acquire(key)


class SharedStateUnavailable(Exception):
    """Redis did not answer: the caller applies its documented fallback."""


def redis_client(url: str) -> Any:
    """An asyncio Redis client for ``url`` (``redis://host:port/db``) with short timeouts: a Redis that
    does not answer must turn into the fallback within a fraction of a request's budget."""
    from redis.asyncio import Redis

    return Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5, health_check_interval=30)


def check_reachable(url: str) -> str | None:
    """None if Redis at ``url`` answers PING, else one line saying why (for a ``serve`` command's start)."""
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        client = Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=1.0)
        try:
            client.ping()
        finally:
            client.close()
    except (RedisError, OSError, ValueError) as error:
        return f"Redis at {_safe(url)} does not answer ({type(error).__name__})"
    return None


def _safe(url: str) -> str:
    """``url`` without a password (``redis://:secret@host`` → ``redis://***@host``)."""
    scheme, _, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.split("@", 1)[1]
    return f"{scheme}://{rest}"


class RedisRateLimiter:
    """A token bucket per key shared by every worker through Redis; ``rate == 0`` disables.

    ``share`` is this worker's fallback while Redis does not answer: a bucket of ``rate / workers``
    (bursts of ``burst / workers``), so N workers on their own never allow more than the configured
    total.  The switch is logged once per outage.
    """

    def __init__(
        self,
        client: Any,
        rate: float,
        burst: int,
        *,
        workers: int = 1,
        prefix: str = "dsop:rate:",
        retry_after: float = RETRY_REDIS_AFTER,
    ) -> None:
        self.rate, self.burst = rate, burst
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_BUCKET) if rate > 0 else None
        self._share = TokenBuckets(rate / workers, max(1, burst // workers))
        self._down_until = 0.0
        self._retry_after = retry_after

    async def check(self, key: str) -> int:
        """0 if the request may pass, else the whole seconds to wait before the next one will."""
        if self._script is None:
            return 0
        now = time.monotonic()
        if now < self._down_until:
            return self._share.acquire(key)
        from redis.exceptions import RedisError

        try:
            wait = int(await self._script(keys=[self._prefix + key], args=[repr(self.rate), self.burst]))
        except (RedisError, OSError) as error:
            if not self._down_until:
                log.warning(
                    "Redis does not answer (%s): rate limits fall back to this worker's share", type(error).__name__
                )
            self._down_until = now + self._retry_after
            return self._share.acquire(key)
        if self._down_until:
            log.warning("Redis answers again: rate limits are shared across workers")
            self._down_until = 0.0
        return max(0, math.ceil(wait))

    async def aclose(self) -> None:
        await self._client.aclose()


class RedisOnce:
    """Ids that may be used once (a grant's ``jti``) across every worker: ``use`` is True for the first
    caller only.  Raises :class:`SharedStateUnavailable` when Redis does not answer — the caller must
    then refuse, never assume the id unused."""

    def __init__(self, client: Any, *, prefix: str = "dsop:once:") -> None:
        self._client = client
        self._prefix = prefix

    async def use(self, key: str, *, ttl: int) -> bool:
        """True if ``key`` was unused (it is now used for ``ttl`` seconds, the time it could be replayed in)."""
        from redis.exceptions import RedisError

        try:
            return bool(await self._client.set(self._prefix + key, b"1", nx=True, ex=max(1, ttl)))
        except (RedisError, OSError) as error:
            raise SharedStateUnavailable(f"Redis does not answer ({type(error).__name__})") from None

    async def aclose(self) -> None:
        await self._client.aclose()


__all__ = [
    "RedisOnce",
    "RedisRateLimiter",
    "SharedStateUnavailable",
    "TokenBuckets",
    "check_reachable",
    "redis_client",
]
