"""The bank console's read-only KFR section: the hub's record of the bank (open relations, batches), no customers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from types import SimpleNamespace

import httpx
import pytest
from litestar import Litestar

from opendsop.ecosystem.kfr_section import KfrSection
from opendsop.provider.ops import console_for, default_staff
from opendsop.relations.kfr import DSOPBANK, KfrRow, KfrStore, load_kfr_relations
from opendsop.relations.store import Database

pytestmark = pytest.mark.anyio
BANK, OTHER = "910000001", "910000002"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_the_kfr_section_shows_what_the_hub_holds_for_this_bank_only(database_url: str) -> None:
    db = Database.from_url(database_url)
    await db.create_schema()
    store = KfrStore(db)
    customers = ["01017012345", "02027012345"]
    await load_kfr_relations(db, [KfrRow(org_no=BANK, customer_id=c, start=date(2026, 1, 2)) for c in customers] +
                             [KfrRow(org_no=OTHER, customer_id="03037012345", start=date(2026, 1, 2))])  # fmt: skip
    at = datetime(2026, 5, 4, 10, tzinfo=UTC)
    ours = await store.submit_batch(BANK, DSOPBANK, [(customers[0], date(2026, 5, 1))], now=at, correlation_id=None)
    await store.submit_batch(OTHER, DSOPBANK, [("03037012345", date(2026, 5, 1))], now=at, correlation_id=None)
    await db.close()

    console = console_for(BANK, "Testbanken", lambda: SimpleNamespace(), default_staff(BANK))
    KfrSection(database_url)(console)
    app = Litestar([console.router()])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bank.test") as http:
        login = await http.get("/ops/login", params={"next": "/ops/kfr"})
        found = _CSRF.search(login.text)
        assert found
        code = await http.post("/ops/oidc/authorize", data={"csrf": found.group(1), "username": "drift",
                                                            "next": "/ops/kfr"})  # fmt: skip
        page = await http.get(code.headers["location"], follow_redirects=True)
    assert page.status_code == 200 and "Kundeforholdsregisteret" in page.text
    assert re.search(rf"<td>{DSOPBANK}</td><td class=\"number\">2</td>", page.text), page.text
    assert ours.batch_id in page.text and "pending" in page.text and "04.05.2026 kl. 12:00" in page.text
    assert not any(c in page.text for c in [*customers, "03037012345"])  # no customer ids, no other bank's batch
    assert page.text.count("<tr><td>") == 2  # one relation type, one batch
