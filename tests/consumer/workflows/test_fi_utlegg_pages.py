"""FI-Utlegg in the agency's case-handling pages over HTTP: a case handler with the service's role starts a case
on a debtor and sees the balance per bank; without the role the form and the start are refused."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from opendsop.consumer.cases import CaseStore
from opendsop.consumer.fanout import FanOut
from opendsop.consumer.web.app import create_app
from opendsop.consumer.workflows.runtime import Runtime
from opendsop.web import StaffDirectory, StaffUser, service_role
from tests.consumer.workflows.world import World
from tests.provider import bank as seed

pytestmark = pytest.mark.anyio
STAFF = StaffDirectory(
    [
        StaffUser("namsfogd", "Namsfogd", "974761076", (service_role("fi_utlegg"),)),
        StaffUser("skatt", "Skatt", "974761076", (service_role("skatt"),)),
    ]
)
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _csrf(html: str) -> str:
    found = _CSRF.search(html)
    assert found
    return found.group(1)


@pytest.fixture
async def pages(world: World, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cases.db'}"
    now = world.now

    def clock() -> Any:  # a plain function: the app copies its handlers, and World holds an HTTP client
        return now

    @asynccontextmanager
    async def runtime(service: str | None) -> AsyncIterator[Runtime]:
        store = CaseStore.from_url(url)
        try:
            fanout = FanOut(world.client(seed.SKATT), recorder=store)  # records each answer, as open_runtime's does
            yield Runtime(store, fanout, world.directory, world.relations, clock=clock)
        finally:
            await store.close()

    app = create_app(database_url=url, runtime_factory=runtime, staff=STAFF, clock=clock)
    async with app.lifespan():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://agency.test") as http:
            yield http


async def _login(http: httpx.AsyncClient, user: str) -> None:
    page = await http.get("/login", params={"next": "/start"})
    answer = await http.post("/oidc/authorize", data={"csrf": _csrf(page.text), "username": user, "next": "/start"})
    assert answer.status_code == 303, answer.text
    assert (await http.get(answer.headers["location"])).status_code in (200, 303)


async def test_a_case_handler_with_the_role_starts_fi_utlegg_and_sees_the_balance_per_bank(
    pages: httpx.AsyncClient,
) -> None:
    await _login(pages, "namsfogd")
    home = await pages.get("/start")
    assert "/cases/new/fi_utlegg" in home.text
    form = await pages.get("/cases/new/fi_utlegg")
    assert form.status_code == 200
    started = await pages.post("/cases/new/fi_utlegg", data={"csrf": _csrf(form.text), "debtor": seed.ANNE})
    assert started.status_code == 303, started.text
    case_url = started.headers["location"]
    async with pages.stream("GET", case_url + "/events") as events:  # ends once every bank has answered
        async for _ in events.aiter_lines():
            pass
    page = await pages.get(case_url)
    assert page.status_code == 200
    balances = page.text.split('id="balances"', 1)[1].split("</table>", 1)[0]
    assert f"({seed.BANK_ORGNO})" in balances and "ferdig" in balances and "Sum" in balances  # one bank, a total
    assert '<td class="number">2</td>' in balances  # Anne's two accounts (salary, savings), their balances summed
    assert "FI-Utlegg-Test" in page.text


@pytest.mark.parametrize("path", ["/cases/new/fi_utlegg", "/cases/new/fi_utlegg_an"])
async def test_without_the_role_fi_utlegg_is_refused(pages: httpx.AsyncClient, path: str) -> None:
    await _login(pages, "skatt")
    home = await pages.get("/start")
    assert "fi_utlegg" not in home.text
    form = await pages.get(path)
    assert form.status_code == 403
    csrf = _csrf((await pages.get("/cases/new/skatt")).text)
    refused: Any = await pages.post(path, data={"csrf": csrf, "debtor": seed.ANNE})
    assert refused.status_code == 403
