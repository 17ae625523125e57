"""The agency pages over HTTP, without banks: who may see what, and the checks made before any call."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from random import Random
from typing import Any

import httpx
import pytest

from opendsop.consumer.web.app import create_app
from opendsop.consumer.web.estates import Estate, HeirRegistry
from opendsop.standard.identifiers import generate_fodselsnummer
from opendsop.web import StaffDirectory, StaffUser, service_role

pytestmark = pytest.mark.anyio
HEIR_X, HEIR_Y, DECEASED_X, DECEASED_Y = (generate_fodselsnummer(Random(n), date(1960, 1, n)) for n in (1, 2, 3, 4))
STAFF = StaffDirectory([StaffUser("kari", "Kari", "974760673", (service_role("konkurs"),))])
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def no_runtime(service: str | None) -> Any:
    raise AssertionError(f"no call may be made ({service})")


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    heirs = HeirRegistry(
        {HEIR_X: [Estate(DECEASED_X, "Ola X", "barn")], HEIR_Y: [Estate(DECEASED_Y, "Per Y", "ektefelle")]}
    )
    app = create_app(database_url=f"sqlite+aiosqlite:///{tmp_path / 'cases.db'}", runtime_factory=no_runtime,
                     staff=STAFF, heirs=heirs)  # fmt: skip
    async with app.lifespan():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://agency.test") as http:
            yield http


def csrf(html: str) -> str:
    found = _CSRF.search(html)
    assert found
    return found.group(1)


async def login_person(client: httpx.AsyncClient, pid: str) -> None:
    page = await client.get("/login")
    answer = await client.post("/login/person", data={"csrf": csrf(page.text), "pid": pid, "next": "/dodsbo"})
    assert answer.status_code == 303


async def test_an_heir_sees_only_the_estates_they_are_an_heir_of(client: httpx.AsyncClient) -> None:
    await login_person(client, HEIR_X)
    listed = await client.get("/dodsbo")
    assert "Ola X" in listed.text and "Per Y" not in listed.text
    assert DECEASED_X not in listed.text  # estates are addressed by position, never by the deceased's number
    assert (await client.get("/dodsbo/1")).status_code == 404  # the other estate has no address for this heir
    assert "Ola X" in (await client.get("/dodsbo/0")).text


async def test_only_a_spouse_may_choose_an_undivided_estate(client: httpx.AsyncClient) -> None:
    await login_person(client, HEIR_X)  # a child
    page = await client.get("/dodsbo/0")
    assert 'value="uskifte"' not in page.text
    refused = await client.post("/dodsbo/0/choice", data={"csrf": csrf(page.text), "choice": "uskifte"})
    assert refused.status_code == 400 and "ektefelle" in refused.text
    saved = await client.post("/dodsbo/0/choice", data={"csrf": csrf(page.text), "choice": "offentlig_skifte"})
    assert saved.status_code == 303
    assert "Offentlig skifte" in (await client.get("/dodsbo/0")).text


async def test_a_form_with_a_bad_identifier_is_refused_before_any_call(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    answer = await client.post("/oidc/authorize", data={"csrf": csrf(page.text), "username": "kari", "next": "/"})
    await client.get(answer.headers["location"])
    form = await client.get("/cases/new/konkurs")
    refused = await client.post("/cases/new/konkurs", data={"csrf": csrf(form.text), "debtor": "12345678901"})
    assert refused.status_code == 400 and 'id="debtor-error"' in refused.text
    empty = await client.post("/cases/new/konkurs", data={"csrf": csrf(form.text), "debtor": ""})
    assert empty.status_code == 400 and "Må fylles ut" in empty.text
    assert (await client.get("/cases/new/skatt")).status_code == 403  # not one of her services
    assert (await client.get("/dodsbo")).status_code == 403  # staff are not heirs
