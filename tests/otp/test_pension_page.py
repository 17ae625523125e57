"""The pension institution's read-only page of its last ``dsop otp sync``: months per employer with counts only."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from opendsop.pension.membership import MemberMonth
from opendsop.pension.store import PensionStore
from opendsop.pension.web import create_app
from opendsop.serving import create_engine

pytestmark = pytest.mark.anyio
INST, EMPLOYER, PERSON = "910000099", "310000001", "01017012345"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_the_page_shows_each_month_of_the_last_sync_without_any_person(database_url: str) -> None:
    app = create_app(database_url=database_url, institution=INST)
    async with app.lifespan():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://pension.test") as http:
            empty = await http.get("/sync")
            assert empty.status_code == 200 and "dsop otp sync" in empty.text
            store = PensionStore(create_engine(database_url))
            try:
                await store.begin_month(INST, EMPLOYER, "2026-09", 1, False)
                await store.save(
                    INST, EMPLOYER, [MemberMonth(PERSON, "2026-09", True, 100, (), None, None, Decimal(1))]
                )
                await store.finish_month(INST, EMPLOYER, "2026-09")
                await store.begin_month(INST, EMPLOYER, "2026-10", 2, True)  # interrupted: not done
            finally:
                await store.close()
            page = await http.get("/sync")
    assert page.status_code == 200
    table = page.text.split(f'id="employer-{EMPLOYER}"', 1)[1]
    assert table.index("2026-10") < table.index("2026-09")  # latest first
    assert "avbrutt" in table and "ferdig" in table
    assert PERSON not in page.text  # counts only
