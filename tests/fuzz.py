"""Schemathesis against a party's own OpenAPI document: no generated request may get a 5xx.

Each party's ``test_fuzz.py`` builds its app (in-process, ASGI, its lifespan run by schemathesis) and
calls :func:`fuzz` with the headers a real caller sends (a valid token), so generated values reach the
handlers instead of stopping at the 401.  Bounded for CI: a fixed, small number of examples per
operation, derandomized, no deadline, no example database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")

from schemathesis import checks  # noqa: E402
from schemathesis.python import asgi  # noqa: E402

EXAMPLES_PER_OPERATION = 12


@dataclass
class FuzzReport:
    """What a run saw: cases per operation, statuses, and every server error (method, path, status, body)."""

    cases: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.cases.values())


Headers = Mapping[str, str] | Callable[[Any], Mapping[str, str]]


def fuzz(
    app: Any,
    *,
    schema_path: str,
    headers: Headers = MappingProxyType({}),
    max_examples: int = EXAMPLES_PER_OPERATION,
    prepare: Callable[[Any], None] | None = None,
) -> FuzzReport:
    """Every operation of the app's OpenAPI document, ``max_examples`` generated cases each.

    ``headers`` (or a function of the case giving fresh ones, for short-lived tokens or a route's own
    credentials) are added to each generated request; ``prepare`` may adjust a case before it is sent.
    """
    report = FuzzReport()
    try:
        schema = schemathesis.openapi.from_asgi(schema_path, app)
        for result in schema.get_all_operations():
            operation = result.ok()

            @hypothesis.settings(
                max_examples=max_examples,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(hypothesis.HealthCheck),
                phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            )
            @hypothesis.given(case=operation.as_strategy())
            def run(case: Any) -> None:
                if prepare is not None:
                    prepare(case)
                sent = dict(headers(case) if callable(headers) else headers)
                response = case.call(headers=sent)
                report.cases[case.operation.label] += 1
                report.statuses[response.status_code] += 1
                try:
                    case.validate_response(response, checks=[checks.not_a_server_error], headers=sent)
                except AssertionError:
                    report.server_errors.append(
                        f"{case.method} {case.formatted_path} {case.query or ''} -> {response.status_code} "
                        f"{response.text[:200]}"
                    )

            run()
    finally:
        asgi.shutdown_lifespans()
    return report


def assert_no_server_errors(party: str, report: FuzzReport) -> None:
    print(f"\n{party}: {report.total} cases over {len(report.cases)} operations, statuses {dict(report.statuses)}")
    assert report.total > 0
    assert report.server_errors == [], "\n".join(report.server_errors[:20])
