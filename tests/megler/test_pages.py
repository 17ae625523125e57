"""The estate agent's pages over HTTP: its sales with each DSVE step's status, the start form, a refusal."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import httpx
import pytest

from opendsop.megler.agent import Oppdrag
from opendsop.megler.pages import create_app
from opendsop.standard.dsve.values import Matrikkel, Person

pytestmark = pytest.mark.anyio
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
UNIT = Matrikkel("0301", "Oslo", 208, 12)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def sale() -> Oppdrag:
    found = Oppdrag("O0301208", UNIT, (Person("1", "Sara", "Selger"),), (Person("2", "Kari", "Kjøper"),),
                    Decimal(4_500_000), date(2026, 1, 5), "97100000017", date(2025, 12, 1))  # fmt: skip
    found.events += ["IntensjonFraBank from 910000001: RutetSuksessfullt",
                     "SignedMortgageDeed D1 from 910000001: UnknownCadastre"]  # fmt: skip
    return found


@pytest.fixture
async def started() -> list[str]:
    return []


@pytest.fixture
async def client(started: list[str]) -> AsyncIterator[httpx.AsyncClient]:
    sales = [sale()]

    async def units() -> list[tuple[str, str]]:
        return [(UNIT.key, "Oslo 208/12")]

    async def start(key: str) -> None:
        started.append(key)

    app = create_app(name="Megler AS", orgno="910000009", sales=lambda: sales, units=units, start=start)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://megler.test") as http:
        yield http


async def login(client: httpx.AsyncClient, username: str) -> httpx.Response:
    page = await client.get("/megler/login", params={"next": "/megler/"})
    token = _CSRF.search(page.text)
    assert token
    answer = await client.post(
        "/megler/oidc/authorize", data={"csrf": token.group(1), "username": username, "next": "/megler/"}
    )
    assert answer.status_code == 303, answer.text
    return await client.get(answer.headers["location"], follow_redirects=True)


async def test_the_agent_sees_each_sale_with_the_status_of_every_step(
    client: httpx.AsyncClient, started: list[str]
) -> None:
    page = await login(client, "megler")
    assert page.status_code == 200
    text = page.text
    assert "O0301208" in text and "4\u00a0500\u00a0000 kr" in text and "Sara Selger" in text
    assert "RutetSuksessfullt" in text and "UnknownCadastre" in text and "venter" in text  # later steps wait
    token = _CSRF.search(text)
    assert token
    done = await client.post("/megler/sales", data={"csrf": token.group(1), "enhet": UNIT.key})
    assert done.status_code == 303 and started == [UNIT.key]
    refused = await client.post("/megler/sales", data={"csrf": token.group(1), "enhet": "9999-1-1-0-0"})
    assert refused.status_code == 400 and started == [UNIT.key]
    forged = await client.post("/megler/sales", data={"csrf": "forged", "enhet": UNIT.key})
    assert forged.status_code == 403 and started == [UNIT.key]


async def test_staff_without_the_agent_role_is_refused(client: httpx.AsyncClient) -> None:
    page = await login(client, "uten.tilgang")
    assert page.status_code == 403 and "O0301208" not in page.text
