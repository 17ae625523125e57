"""Retries with jittered backoff and the circuit breaker, with an injected clock and seeded randomness."""

from __future__ import annotations

import random

import pytest

from opendsop.consumer.errors import BankDenied, BankTimeout, BankUnavailable, RateLimited
from opendsop.consumer.resilience import BreakerState, CircuitBreaker, RetryPolicy


def test_backoff_grows_exponentially_with_jitter_in_the_upper_half() -> None:
    policy = RetryPolicy(attempts=5, base=0.2, cap=1.0)
    rng = random.Random(42)
    error = BankUnavailable("down")
    delays = [policy.delay(attempt, error, rng) for attempt in range(1, 5)]
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(1.0, 0.2 * 2 ** (attempt - 1))
        assert delay is not None and ceiling / 2 <= delay <= ceiling
    again = [policy.delay(attempt, error, random.Random(42)) for attempt in range(1, 2)]
    assert again == delays[:1]  # the same seed, the same jitter
    assert policy.delay(5, error, rng) is None  # attempts used up


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        pytest.param(RateLimited("busy", retry_after=7), 7.0, id="429-honours-retry-after"),
        pytest.param(RateLimited("busy", retry_after=3600), None, id="429-retry-after-too-long"),
        pytest.param(
            BankUnavailable("source down", status=503, code="ACC-100", retry_after=5), 5.0, id="503-honours-retry-after"
        ),
        pytest.param(BankDenied("no", status=403), None, id="403-never"),
        pytest.param(BankDenied("bad", status=400), None, id="400-never"),
    ],
)
def test_what_is_retried(error: Exception, expected: float | None) -> None:
    assert RetryPolicy().delay(1, error, random.Random(1)) == expected  # type: ignore[arg-type]


def test_timeouts_are_retried() -> None:
    assert RetryPolicy().delay(1, BankTimeout("slow"), random.Random(1)) is not None


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_the_threshold_and_half_opens_after_the_pause() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=2, reset_after=30, monotonic=clock)
    breaker.failure()
    assert breaker.allow() and breaker.state is BreakerState.CLOSED
    breaker.failure()
    assert breaker.state is BreakerState.OPEN and not breaker.allow()
    clock.now = 29.9
    assert not breaker.allow()
    clock.now = 30.0
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow() and not breaker.allow()  # one probe at a time
    breaker.failure()  # the probe failed: open again, for a full pause
    assert breaker.state is BreakerState.OPEN
    clock.now = 60.0
    assert breaker.allow()
    breaker.success()
    assert breaker.state is BreakerState.CLOSED and breaker.allow() and breaker.failures == 0
