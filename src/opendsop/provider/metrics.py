"""Prometheus metrics of a bank's Control API, in the text exposition format (version 0.0.4).

Decides what an operator can watch (issue "Operations"): requests by service, endpoint and status,
and latency histograms by endpoint.  Labels never carry personal data or case ids — only the
service key, the endpoint's operation name and the HTTP status — so cardinality stays tiny.

A small registry of our own instead of ``prometheus_client``: two metric kinds are needed, the
app owns its registry (several apps in one test process do not collide), and no extra dependency.
With several worker processes each worker reports its own counters; scrape them per worker.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Sequence

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DEFAULT_BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

Labels = tuple[tuple[str, str], ...]
# Distinct (service, endpoint, status) label sets whose keys are remembered; the sets are few (no personal data).
MAX_REMEMBERED_LABELS = 1024


def label_key(labels: dict[str, str]) -> Labels:
    return tuple(sorted(labels.items()))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _label_text(labels: Labels) -> str:
    return "{" + ",".join(f'{name}="{_escape(value)}"' for name, value in labels) + "}" if labels else ""


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class Counter:
    def __init__(self, name: str, help_text: str) -> None:
        self.name, self.help = name, help_text
        self._values: dict[Labels, float] = {}
        self._lock = threading.Lock()

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        self.add(label_key(labels), amount)

    def add(self, key: Labels, amount: float = 1.0) -> None:
        """:meth:`inc` with labels already made a key by :func:`label_key`."""
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        return self._values.get(tuple(sorted(labels.items())), 0.0)

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} counter"]
        with self._lock:
            for labels, value in sorted(self._values.items()):
                lines.append(f"{self.name}{_label_text(labels)} {_number(value)}")
        return lines


class _Series:
    __slots__ = ("counts", "total", "observed")

    def __init__(self, size: int) -> None:
        self.counts = [0] * size  # observations in each bucket alone (above the bound before); cumulated on render
        self.total = 0.0
        self.observed = 0


class Histogram:
    def __init__(self, name: str, help_text: str, buckets: Sequence[float] = DEFAULT_BUCKETS) -> None:
        self.name, self.help = name, help_text
        self.buckets = tuple(sorted(buckets))
        self._series: dict[Labels, _Series] = {}
        self._lock = threading.Lock()

    def observe(self, value: float, **labels: str) -> None:
        self.add(value, label_key(labels))

    def add(self, value: float, key: Labels) -> None:
        """:meth:`observe` with labels already made a key by :func:`label_key`."""
        index = bisect.bisect_left(self.buckets, value)  # the first bound >= value
        with self._lock:
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = _Series(len(self.buckets))
            if index < len(self.buckets):
                series.counts[index] += 1
            series.total += value
            series.observed += 1

    def count(self, **labels: str) -> int:
        series = self._series.get(tuple(sorted(labels.items())))
        return series.observed if series else 0

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} histogram"]
        with self._lock:
            for labels, series in sorted(self._series.items()):
                cumulative = 0
                for bound, count in zip(self.buckets, series.counts, strict=True):
                    cumulative += count
                    lines.append(f"{self.name}_bucket{_label_text((*labels, ('le', _number(bound))))} {cumulative}")
                lines.append(f"{self.name}_bucket{_label_text((*labels, ('le', '+Inf')))} {series.observed}")
                lines.append(f"{self.name}_sum{_label_text(labels)} {_number(series.total)}")
                lines.append(f"{self.name}_count{_label_text(labels)} {series.observed}")
        return lines


class ProviderMetrics:
    """The metrics one provider app exposes on ``/metrics``."""

    def __init__(self) -> None:
        self.requests = Counter(
            "dsop_provider_requests_total", "Control API requests by service, endpoint and HTTP status."
        )
        self.latency = Histogram(
            "dsop_provider_request_duration_seconds", "Control API request latency by endpoint, in seconds."
        )
        self.rate_limited = Counter(
            "dsop_provider_rate_limited_total", "Requests refused with 429 ACC-022, by service."
        )
        self._keys: dict[tuple[str | None, str, int], tuple[Labels, Labels, Labels]] = {}

    def observe(self, *, service: str | None, endpoint: str, status: int, seconds: float) -> None:
        keys = self._keys.get((service, endpoint, status))
        if keys is None:
            keys = (
                label_key({"service": service or "none", "endpoint": endpoint, "status": str(status)}),
                label_key({"endpoint": endpoint}),
                label_key({"service": service or "none"}),
            )
            if len(self._keys) < MAX_REMEMBERED_LABELS:
                self._keys[(service, endpoint, status)] = keys
        self.requests.add(keys[0])
        self.latency.add(seconds, keys[1])
        if status == 429:
            self.rate_limited.add(keys[2])

    def render(self) -> bytes:
        lines = [*self.requests.render(), *self.latency.render(), *self.rate_limited.render()]
        return ("\n".join(lines) + "\n").encode("utf-8")


__all__ = ["CONTENT_TYPE", "Counter", "Histogram", "ProviderMetrics", "label_key"]
