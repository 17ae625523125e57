"""How the agency treats a failing bank: retries with jittered backoff, and a circuit breaker per bank.

DSOP “eOppslag”: 4xx means the request must be fixed (never retried); 5xx is a technical
error at the bank, which the client may retry automatically; 429 ACC-022 asks the client to slow
down (``Retry-After``).  Decided here:

* **retry**: up to ``attempts`` tries for 5xx, broken connections and timeouts, waiting
  ``min(cap, base · 2^(n-1))`` scaled by a random factor in [0.5, 1.0] ("equal jitter", so a
  hundred banks failing together do not retry in lockstep); a 429, or a 503 whose source is down
  (ACC-100), waits its ``Retry-After`` instead (given up beyond ``max_retry_after``);
* **circuit breaker**: after ``threshold`` consecutive failures a bank is *open* — calls fail fast
  with ``CircuitOpen`` — for ``reset_after`` seconds; then *half-open*: one probe call is let
  through, success closes the circuit, failure opens it again.  4xx answers are the request's
  fault, not the bank's, and count as successes.

Time and randomness come in as parameters (``monotonic``, ``random.Random``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from opendsop.consumer.errors import BankError, BankUnavailable, RateLimited


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    base: float = 0.2
    cap: float = 5.0
    max_retry_after: float = 30.0

    def delay(self, attempt: int, error: BankError, rng: random.Random) -> float | None:
        """Seconds to wait before try ``attempt + 1`` after ``error`` on try ``attempt``; None: give up."""
        if not error.retryable or attempt >= self.attempts:
            return None
        if isinstance(error, RateLimited | BankUnavailable) and error.retry_after is not None:
            if error.retry_after > self.max_retry_after:
                return None
            return float(error.retry_after)
        return self.backoff(attempt, rng)

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """The jittered wait after failed try ``attempt`` (1-based)."""
        ceiling = min(self.cap, self.base * 2.0 ** (attempt - 1))
        return ceiling * (0.5 + rng.random() / 2)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass
class CircuitBreaker:
    """One bank's breaker (see the module doc); not thread-safe, one event loop."""

    threshold: int = 5
    reset_after: float = 30.0
    monotonic: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    probing: bool = False

    @property
    def state(self) -> BreakerState:
        if self.opened_at is None:
            return BreakerState.CLOSED
        if self.monotonic() - self.opened_at >= self.reset_after:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        """May a call go out now?  In half-open state only one probe at a time."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self.probing:
            self.probing = True
            return True
        return False

    def retry_in(self) -> float:
        if self.opened_at is None:
            return 0.0
        return max(0.0, self.reset_after - (self.monotonic() - self.opened_at))

    def abandon(self) -> None:
        """A call that was let through ended without an answer either way (cancelled): free the probe."""
        self.probing = False

    def success(self) -> None:
        self.failures, self.opened_at, self.probing = 0, None, False

    def failure(self) -> None:
        self.failures += 1
        if self.probing or self.failures >= self.threshold:
            self.opened_at = self.monotonic()
        self.probing = False


@dataclass
class Breakers:
    """The breakers of all banks, kept across cases (a bank that is down is down for everyone)."""

    threshold: int = 5
    reset_after: float = 30.0
    monotonic: Callable[[], float] = time.monotonic
    by_bank: dict[str, CircuitBreaker] = field(default_factory=dict)

    def __call__(self, bank: str) -> CircuitBreaker:
        breaker = self.by_bank.get(bank)
        if breaker is None:
            breaker = CircuitBreaker(self.threshold, self.reset_after, self.monotonic)
            self.by_bank[bank] = breaker
        return breaker


__all__ = ["BreakerState", "Breakers", "CircuitBreaker", "RetryPolicy"]
