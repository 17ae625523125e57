"""Per-consumer rate limiting: a token bucket per consumer organisation (429 ACC-022, Retry-After).

Decides when a consumer is asking too fast (DSOP “eOppslag” "429 ACC-022 too many requests";
DSOP “eOppslag”: banks watch for abnormal volumes per consumer).  The key is the ``consumer`` of the access
token, so one agency cannot starve another.  One process keeps its buckets in memory
(:class:`RateLimiter`); a bank in several processes shares them in Redis (``DSOP_PROVIDER_REDIS_URL``,
:class:`~opendsop.contracts.state.RedisRateLimiter`), and without Redis each of its N workers limits
to 1/N of the rate, so the bank as a whole never allows more than configured.
"""

from __future__ import annotations

from typing import Protocol

from opendsop.contracts.state import TokenBuckets


class Limiter(Protocol):
    async def check(self, key: str) -> int:
        """0 if the request may pass, else the seconds to wait before the next one will."""
        ...


class RateLimiter(TokenBuckets):
    """``rate`` requests per second on average, bursts of up to ``burst``; ``rate == 0`` disables."""


def limiter(rate: float, burst: int, *, workers: int = 1, redis_url: str | None = None) -> Limiter:
    """The bank's limiter: shared through Redis when configured, else this worker's share of the rate."""
    if redis_url and rate > 0:
        from opendsop.contracts.state import RedisRateLimiter, redis_client

        return RedisRateLimiter(redis_client(redis_url), rate, burst, workers=workers, prefix="dsop:provider:rate:")
    if workers > 1:
        return RateLimiter(rate / workers, max(1, burst // workers))
    return RateLimiter(rate, burst)


__all__ = ["Limiter", "RateLimiter", "limiter"]
