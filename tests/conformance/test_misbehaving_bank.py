"""A bank that misbehaves cannot crash the kit: no answer, HTML, 5xx, hanging, or any body at all —
each check reports it (fails or errs) and the run goes on to the next."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opendsop.conformance import runner
from opendsop.conformance.checks import derive
from opendsop.conformance.model import Outcome
from tests.conformance.harness import BASE, context

pytestmark = pytest.mark.anyio
CHECKS = derive(("skatt", "verge"), rate=False)


def _client(handler: Any, timeout: float = 5.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url=BASE, timeout=timeout)


@pytest.mark.parametrize(
    ("name", "respond", "expected"),
    [
        ("refuses connections", "refuse", Outcome.ERROR),
        ("answers HTML", lambda r: httpx.Response(200, html="<html><body>Velkommen</body></html>"), Outcome.FAILED),
        ("answers 503", lambda r: httpx.Response(503, json={"code": "ACC-100", "message": "down"}), Outcome.FAILED),
        ("answers 500 text", lambda r: httpx.Response(500, text="Internal Server Error"), Outcome.FAILED),
    ],
)
async def test_every_check_reports_the_fault_and_the_run_goes_on(name: str, respond: Any, expected: Outcome) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if respond == "refuse":
            raise httpx.ConnectError("connection refused", request=request)
        response: httpx.Response = respond(request)
        return response

    async with _client(handler) as client:
        results = await runner.run(CHECKS, context(client, ("skatt", "verge")))
    outcomes = Counter(r.outcome for r in results)
    assert len(results) == len(CHECKS)
    assert outcomes[Outcome.PASSED] < len(CHECKS) // 10, outcomes  # hardly anything can pass against it
    assert outcomes[expected] > 0 and outcomes[Outcome.ERROR if expected is Outcome.FAILED else Outcome.FAILED] >= 0
    failed = next(r for r in results if r.outcome is expected)
    assert failed.message and failed.exchanges  # what was asked and what came back


async def test_a_hanging_bank_is_a_timeout_per_check() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")  # pragma: no cover

    async with _client(handler) as client:
        results = await runner.run(CHECKS[:3], context(client, ("skatt",)), timeout=0.05)
    assert [r.outcome for r in results] == [Outcome.ERROR] * 3
    assert "did not finish within" in results[0].message


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
_BODIES = st.one_of(
    st.binary(max_size=200),
    _JSON.map(lambda value: httpx.Response(200, json=value).content),
    st.fixed_dictionaries(
        {
            "accounts": st.lists(
                st.dictionaries(st.sampled_from(["accountReference", "accountIdentifier", "links"]), _JSON)
            )
        }
    ).map(lambda value: httpx.Response(200, json=value).content),
)


@settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(
    status=st.sampled_from([200, 201, 204, 400, 403, 404, 429, 500]),
    body=_BODIES,
    media=st.sampled_from(["application/json", "text/html", "application/jose", ""]),
)
def test_no_answer_crashes_the_kit(status: int, body: bytes, media: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": media} if media else {})

    async def go() -> list[Any]:
        async with _client(handler) as client:
            return await runner.run(CHECKS[::7], context(client, ("skatt", "verge")))

    results = asyncio.run(go())
    assert len(results) == len(CHECKS[::7])
    crashed = [r for r in results if r.outcome is Outcome.ERROR]
    assert crashed == [], [r.message for r in crashed][:3]  # a body is a verdict, never a kit failure
