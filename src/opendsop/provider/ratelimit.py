"""Per-consumer rate limiting: a token bucket per consumer organisation (429 ACC-022, Retry-After).

Decides when a consumer is asking too fast (DSOP “eOppslag” "429 ACC-022 too many requests";
DSOP “eOppslag”: banks watch for abnormal volumes per consumer).  The key is the ``consumer`` of the access
token, so one agency cannot starve another.  In-process state: each worker limits on its own, so a
bank running N workers allows N × the configured rate (shared limits would need Redis).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

Monotonic = Callable[[], float]


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """``rate`` requests per second on average, bursts of up to ``burst``; ``rate == 0`` disables."""

    def __init__(self, rate: float, burst: int, *, clock: Monotonic = time.monotonic, max_keys: int = 10_000) -> None:
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


__all__ = ["RateLimiter"]
