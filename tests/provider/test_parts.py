"""The small parts of the bank's server, one table each: content negotiation (DSOP “Security design”),
the per-consumer rate limit (DSOP “eOppslag” ACC-022), the metrics text format and the settings' guards."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from opendsop.provider.metrics import ProviderMetrics
from opendsop.provider.negotiation import JOSE, JSON, choose_media_type
from opendsop.provider.ratelimit import RateLimiter
from opendsop.provider.settings import ProviderSettings


@pytest.mark.parametrize(
    ("accept", "test_mode", "expected"),
    [
        pytest.param(None, True, JOSE, id="absent-means-jwe"),
        pytest.param("", False, JOSE, id="empty-means-jwe"),
        pytest.param("*/*", True, JOSE, id="wildcard-prefers-jwe"),
        pytest.param("application/*", True, JOSE, id="type-wildcard-prefers-jwe"),
        pytest.param("application/json", True, JSON, id="plaintext-in-test"),
        pytest.param("application/json", False, None, id="plaintext-never-in-production"),
        pytest.param("application/json, */*;q=0.1", False, JOSE, id="production-falls-back-to-jwe"),
        pytest.param("application/json;q=0.9, application/jose;q=0.8", True, JSON, id="quality-decides"),
        pytest.param("application/jose;q=0, application/json", True, JSON, id="q0-excludes"),
        pytest.param("application/jose;q=0", False, None, id="q0-only-option"),
        pytest.param("text/html", True, None, id="nothing-acceptable"),
        pytest.param("application/JOSE", False, JOSE, id="case-insensitive"),
        pytest.param("application/jose;q=abc", False, None, id="malformed-quality-is-zero"),
    ],
)
def test_choose_media_type(accept: str | None, test_mode: bool, expected: str | None) -> None:
    assert choose_media_type(accept, plaintext_allowed=test_mode) == expected


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limit_bursts_then_refills_per_consumer() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.0, 3, clock=clock)
    assert [limiter.acquire("974761076") for _ in range(4)] == [0, 0, 0, 1]
    assert limiter.acquire("889640782") == 0  # another consumer, another bucket
    clock.now += 0.5  # one token back at 2/s
    assert limiter.acquire("974761076") == 0
    assert limiter.acquire("974761076") == 1


def test_rate_limit_retry_after_rounds_up() -> None:
    clock = FakeClock()
    limiter = RateLimiter(0.1, 1, clock=clock)
    assert limiter.acquire("x") == 0
    assert limiter.acquire("x") == 10


def test_rate_limit_zero_disables() -> None:
    limiter = RateLimiter(0, 1)
    assert all(limiter.acquire("x") == 0 for _ in range(100))


def test_metrics_text_format() -> None:
    metrics = ProviderMetrics()
    metrics.observe(service="skatt", endpoint="listAccounts", status=200, seconds=0.02)
    metrics.observe(service=None, endpoint="listAccounts", status=429, seconds=7.0)
    lines = metrics.render().decode().splitlines()
    assert "# TYPE dsop_provider_requests_total counter" in lines
    assert 'dsop_provider_requests_total{endpoint="listAccounts",service="skatt",status="200"} 1' in lines
    assert 'dsop_provider_request_duration_seconds_bucket{endpoint="listAccounts",le="0.025"} 1' in lines
    assert 'dsop_provider_request_duration_seconds_bucket{endpoint="listAccounts",le="5"} 1' in lines
    assert 'dsop_provider_request_duration_seconds_bucket{endpoint="listAccounts",le="+Inf"} 2' in lines
    assert 'dsop_provider_request_duration_seconds_count{endpoint="listAccounts"} 2' in lines
    assert 'dsop_provider_rate_limited_total{service="none"} 1' in lines


@pytest.mark.parametrize(
    ("values", "message"),
    [
        pytest.param({"bank_orgno": "12345"}, "9-digit", id="orgno"),
        pytest.param({"bank_orgno": "910000001", "environment": "production"}, "PAGING_KEY", id="production-secrets"),
        pytest.param({"bank_orgno": "910000001", "paging_key": "short"}, "16 bytes", id="short-key"),
        pytest.param({"bank_orgno": "910000001", "base_url": "bank.no/v2"}, "absolute", id="relative-base-url"),
    ],
)
def test_settings_guards(values: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ProviderSettings(**values)  # type: ignore[arg-type]


def test_settings_audience_is_the_registered_base_url() -> None:
    settings = ProviderSettings(bank_orgno="910000001", base_url="https://api.bank.no/dsop/v2/")
    assert settings.audience == "https://api.bank.no/dsop/v2"
