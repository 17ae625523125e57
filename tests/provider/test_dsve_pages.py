"""The bank's DSVE section of the operations console: shipments in and out, share-capital accounts, a refusal."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from litestar import Litestar

from opendsop.provider.dsve import BankCase, BankDesk, MemoryLedger
from opendsop.provider.dsve_pages import add_dsve_section
from opendsop.provider.ops import console_for, default_staff
from opendsop.standard.dsve.values import Matrikkel, Org, Person

pytestmark = pytest.mark.anyio
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
BANK = Org("910000001", "Testbanken")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def desk(bank: Org) -> BankDesk:
    none: Any = None
    found = BankDesk(bank, "1234", outbox=none, transport=none, grunnbok=none, ledger=MemoryLedger(),
                     signer=none, clock=none)  # fmt: skip
    case = BankCase("L1", Person("2", "Kari", "Kjøper"), Org("910000009", "Megler AS"), Matrikkel("0301", "Oslo", 1, 2))
    case.events += ["IntensjonFraBank sent", "IntensjonssvarFraMegler: RutetSuksessfullt (Elektronisk tinglysing)"]
    found.cases["L1"] = case
    for ref, name in (("R1", "Sperret AS"), ("R2", "Bekreftet AS"), ("R3", "Frigitt AS")):
        found.open_capital_account(f"1234000000{ref[-1]}", name, ("2",), ref)
        found.deposit(ref, Decimal(30_000))
    found.capital["R2"].confirmed = True
    found.capital["R3"].blocked, found.capital["R3"].organisasjonsnummer = False, "999000111"
    return found


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    desks = [desk(BANK), desk(Org("910000002", "Annen bank"))]
    console = console_for(BANK.id, BANK.navn, lambda: None, default_staff(BANK.id))
    add_dsve_section(console, lambda: desks)
    app = Litestar([console.router()])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bank.test") as http:
        yield http


async def login(client: httpx.AsyncClient, username: str) -> httpx.Response:
    page = await client.get("/ops/login", params={"next": "/ops/dsve"})
    token = _CSRF.search(page.text)
    assert token
    data = {"csrf": token.group(1), "username": username, "next": "/ops/dsve"}
    answer = await client.post("/ops/oidc/authorize", data=data)
    assert answer.status_code == 303, answer.text
    return await client.get(answer.headers["location"], follow_redirects=True)


async def test_operations_staff_see_shipments_and_capital_account_states(client: httpx.AsyncClient) -> None:
    page = await login(client, "drift")
    assert page.status_code == 200
    text = page.text
    assert "IntensjonFraBank" in text and "IntensjonssvarFraMegler" in text and "RutetSuksessfullt" in text
    assert ">ut<" in text and ">inn<" in text
    for name, state in (("Sperret AS", "sperret"), ("Bekreftet AS", "bekreftet"), ("Frigitt AS", "frigitt")):
        assert re.search(f"{name}</td><td>30\u00a0000,00 kr</td><td>{state}<", text), name
    assert "999000111" in text and text.count("Sperret AS") == 1  # only this bank's desk is listed


async def test_staff_without_the_operations_role_is_refused(client: httpx.AsyncClient) -> None:
    page = await login(client, "brev")
    assert page.status_code == 403 and "Sperret AS" not in page.text
