"""The API catalogue: endpoints and the consumers' cached client (DSOP “Architecture document” step 4)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from opendsop.contracts.catalogue import CatalogueClient, CatalogueEntry, CatalogueUnavailable, InvalidEntry
from tests.relations.conftest import BANK_A, BANK_B, NOW, TODAY

pytestmark = pytest.mark.anyio
ADMIN = "catalogue-admin-secret"
ENTRY = {
    "orgNo": BANK_A,
    "name": "Bank A",
    "url": "https://api.bank-a.test/v2",
    "version": "v2",
    "env": "test",
    "validFrom": "2025-01-01",
    "validTo": None,
}


async def test_register_and_list(make_app: Callable[..., Litestar], sqlite_url: str) -> None:
    app = make_app(sqlite_url, settings={"admin_token": ADMIN})
    async with AsyncTestClient(app) as client:
        refused = await client.put("/catalogue/kontrollinformasjon", json=ENTRY)
        assert refused.status_code == 401
        admin = {"Authorization": f"Bearer {ADMIN}"}
        created = await client.put("/catalogue/kontrollinformasjon", json=ENTRY, headers=admin)
        assert created.status_code == 201 and created.json() == ENTRY
        replaced = await client.put(
            "/catalogue/kontrollinformasjon", json={**ENTRY, "url": "https://b.test/v2"}, headers=admin
        )
        assert replaced.status_code == 200
        prod = {**ENTRY, "orgNo": BANK_B, "env": "production"}
        assert (await client.put("/catalogue/kontrollinformasjon", json=prod, headers=admin)).status_code == 201
        bad = await client.put("/catalogue/kontrollinformasjon", json={**ENTRY, "url": "ftp://x"}, headers=admin)
        assert bad.status_code == 400 and "url" in bad.json()["errorMessage"]
        listed = await client.get("/catalogue/kontrollinformasjon", params={"environment": "test"})
        assert [(e["orgNo"], e["url"]) for e in listed.json()] == [(BANK_A, "https://b.test/v2")]
        assert len((await client.get("/catalogue/kontrollinformasjon")).json()) == 2
        assert (await client.get("/catalogue/kontrollinformasjon", params={"environment": "dev"})).status_code == 400


@pytest.mark.parametrize(
    ("field", "value"),
    [("orgNo", "12345"), ("env", "staging"), ("version", "2"), ("validTo", "2024-01-01"), ("validFrom", "yesterday")],
)
def test_invalid_entries(field: str, value: str) -> None:
    with pytest.raises(InvalidEntry):
        CatalogueEntry.from_dict({**ENTRY, field: value})


class _Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> Any:
        return self.now


def _serving(calls: list[str], *, fail: list[bool]) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        if fail and fail[0]:
            return httpx.Response(503)
        entries = [ENTRY, {**ENTRY, "orgNo": BANK_B, "url": "https://future.test/v2", "validFrom": "2027-01-01"}]
        return httpx.Response(200, content=json.dumps(entries))

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_client_caches_for_ttl_and_falls_back_to_stale() -> None:
    calls: list[str] = []
    fail = [False]
    clock = _Clock()
    async with CatalogueClient(
        "https://hub.test", environment="test", ttl=timedelta(minutes=10), clock=clock, http=_serving(calls, fail=fail)
    ) as client:
        assert await client.base_url(BANK_A) == "https://api.bank-a.test/v2"
        assert await client.base_url(BANK_B) is None  # not valid yet
        assert await client.base_url(BANK_B, on=date(2027, 6, 1)) == "https://future.test/v2"
        assert len(calls) == 1 and "environment=test" in calls[0]
        clock.now = NOW + timedelta(minutes=11)
        fail[0] = True
        assert await client.base_url(BANK_A) == "https://api.bank-a.test/v2"  # stale beats nothing
        assert len(calls) == 2
        fail[0] = False
        await client.entries()
        assert len(calls) == 3


async def test_client_without_cache_reports_unavailable() -> None:
    async with CatalogueClient("https://hub.test", clock=_Clock(), http=_serving([], fail=[True])) as client:
        with pytest.raises(CatalogueUnavailable):
            await client.entries()


def test_entry_validity_window() -> None:
    entry = CatalogueEntry.from_dict({**ENTRY, "validTo": TODAY.isoformat()})
    assert entry.valid_on(TODAY) and not entry.valid_on(TODAY + timedelta(days=1))
