"""What the per-request path remembers or skips still answers as computing it afresh would."""

from __future__ import annotations

from datetime import UTC, date, datetime
from random import Random
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from opendsop.provider import metrics as metrics_module
from opendsop.provider.metrics import Histogram, ProviderMetrics
from opendsop.provider.pipeline import Pipeline
from opendsop.standard.identifiers import generate_fodselsnummer
from opendsop.standard.request import Environment
from tests.provider import bank as seed
from tests.provider.harness import Bank, default_period

pytestmark = pytest.mark.anyio


def test_histogram_buckets_are_cumulative_and_a_bound_counts_in_its_own_bucket() -> None:
    histogram = Histogram("h", "help", buckets=(0.1, 1.0, 10.0))
    for value in (0.0, 0.1, 0.5, 1.0, 20.0, float("inf")):
        histogram.observe(value, endpoint="e")
    lines = histogram.render()
    assert 'h_bucket{endpoint="e",le="0.1"} 2' in lines
    assert 'h_bucket{endpoint="e",le="1"} 4' in lines
    assert 'h_bucket{endpoint="e",le="10"} 4' in lines
    assert 'h_bucket{endpoint="e",le="+Inf"} 6' in lines
    assert histogram.count(endpoint="e") == 6


def test_metrics_count_every_label_set_past_the_remembered_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics_module, "MAX_REMEMBERED_LABELS", 2)
    metrics = ProviderMetrics()
    statuses = (200, 400, 403, 404, 429, 429, 200)
    for status in statuses:
        metrics.observe(service="skatt", endpoint="listAccounts", status=status, seconds=0.01)
    for status in set(statuses):
        assert metrics.requests.value(endpoint="listAccounts", service="skatt", status=str(status)) == statuses.count(
            status
        )
    assert metrics.rate_limited.value(service="skatt") == 2
    assert metrics.latency.count(endpoint="listAccounts") == len(statuses)
    metrics.observe(service=None, endpoint="listAccounts", status=405, seconds=0.01)
    assert metrics.requests.value(endpoint="listAccounts", service="none", status="405") == 1


def test_a_party_is_judged_by_each_day_anew() -> None:
    """The remembered party check is keyed by the day: a person born tomorrow is valid from tomorrow."""
    party = generate_fodselsnummer(Random(3), date(2026, 6, 1), synthetic=True)
    now = {"at": datetime(2026, 5, 31, 12, tzinfo=UTC)}
    pipeline: Any = SimpleNamespace(clock=lambda: now["at"], environment=Environment.TEST)
    assert Pipeline._valid_party(pipeline, party) is None
    assert Pipeline._valid_party(pipeline, party) is None
    now["at"] = datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert Pipeline._valid_party(pipeline, party) == party
    assert Pipeline._valid_party(pipeline, "x" * 500) is None  # too long to remember, still judged
    assert Pipeline._valid_party(pipeline, party[:-1] + str((int(party[-1]) + 1) % 10)) is None


async def test_a_repeated_header_counts_by_its_first_value(bank: Bank) -> None:
    correlation, other = "0b0c4a6e-8f34-4f0c-9a7a-6b5f7f9d1e2a", "6f1c2b9e-3d4a-4e8f-9b7c-1a2d3e4f5a6b"
    headers = [
        (name, value)
        for name, value in bank.headers(seed.SKATT, party=seed.ANNE).items()
        if name.lower() != "correlationid"
    ]
    query = {"OnlyPrimaryOwner": "true", **default_period(seed.SKATT)}
    response = await bank.client.get(
        "/v2/accounts",
        params=query,
        headers=httpx.Headers([*headers, ("CorrelationID", correlation), ("correlationid", other)]),
    )
    assert response.status_code == 200
    assert response.headers["CorrelationID"] == correlation
    assert (await bank.audit.records())[-1].record.correlation_id == correlation


async def test_accept_is_honoured_per_request(bank: Bank) -> None:
    """The media type chosen for one Accept value is not carried over to another."""
    for accept, expected in (
        ("application/json", "application/json"),
        ("*/*", "application/jose"),
        ("application/json", "application/json"),
        ("text/html", None),
    ):
        response = await bank.accounts(seed.SKATT, seed.ANNE, accept=accept)
        if expected is None:
            assert response.status_code == 406
        else:
            assert response.status_code == 200 and response.headers["content-type"].startswith(expected)
