"""Konkursvarsel (DSOP Konkurs “Løsningsbeskrivelse”): the 15 published test notices, the pull feed, its cursor."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from opendsop.contracts.registers.errors import Conflict
from opendsop.contracts.registers.models import KonkursType
from opendsop.registers.app import Stores
from opendsop.registers.store import to_ms

pytestmark = pytest.mark.anyio
DATA = Path(__file__).parent / "data" / "konkursvarsel_test_notices.csv"


def published() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_the_fixture_is_the_published_set(spec_dir: Path) -> None:
    assert DATA.read_bytes() == (spec_dir / "data" / "konkursvarsel_test_notices.csv").read_bytes()
    rows = published()
    assert len(rows) == 15
    assert {row["type"] for row in rows} == {t.value for t in KonkursType}


async def test_the_15_test_notices_load_in_order_and_page_by_timestamp(stores: Stores) -> None:
    assert await stores.konkurs.load_test_notices() == 15
    found, more = await stores.konkurs.notices_after(None, 100)
    assert not more
    rows = published()
    assert [n.uuid for n in found] == [r["uuid"] for r in rows]
    assert [n.registreringstidspunkt for n in found] == [stamp(r["registreringstidspunkt"]) for r in rows]
    assert [n.type.value for n in found] == [r["type"] for r in rows]
    assert [n.debitor for n in found] == [r["debitor"] for r in rows]

    # Paging by timestamp: resume after the last notice read, a page at a time.
    rows, seen, cursor = published(), [], stamp("2018-06-01T00:00:00Z")
    while True:
        page, more = await stores.konkurs.notices_after(cursor, 4)
        seen += [n.uuid for n in page]
        if not more:
            break
        cursor = page[-1].registreringstidspunkt
    assert seen == [r["uuid"] for r in rows]
    later, _ = await stores.konkurs.notices_after(stamp(rows[-2]["registreringstidspunkt"]), 10)
    assert [n.uuid for n in later] == [rows[-1]["uuid"]]


async def test_a_notice_without_kjennelsesdato_gets_its_oslo_registration_date(sqlite_stores: Stores) -> None:
    await sqlite_stores.konkurs.load_test_notices()
    notice = await sqlite_stores.konkurs.notice("37f86010-2163-43e8-95a9-c9721e8da769")
    assert notice is not None and notice.kjennelsesdato == date(2018, 6, 8)


async def test_a_cursor_between_milliseconds_neither_skips_nor_repeats(sqlite_stores: Stores) -> None:
    await sqlite_stores.konkurs.load_test_notices()
    first = stamp(published()[0]["registreringstidspunkt"])
    page, _ = await sqlite_stores.konkurs.notices_after(first + timedelta(microseconds=500), 1)
    assert page[0].uuid == published()[1]["uuid"]


async def test_loading_out_of_order_history_is_refused(stores: Stores) -> None:
    await stores.konkurs.load_test_notices()
    with pytest.raises(Conflict):
        await stores.konkurs.load_notices(
            [
                {
                    "uuid": "0b4c1a51-5d0c-4b3e-9d53-000000000001",
                    "registreringstidspunkt": "2018-01-01T00:00:00Z",
                    "type": "aapning",
                    "debitor": "910375237",
                }
            ]
        )
    with pytest.raises(Conflict):  # the same uuid twice
        await stores.konkurs.load_notices([{**published()[0], "registreringstidspunkt": "2030-01-01T00:00:00Z"}])


async def test_concurrent_appends_are_read_exactly_once(stores: Stores) -> None:
    """Readers polling with their cursor while writers append never miss or repeat a notice."""
    # All appends get the same clock reading: the register must still order them strictly.
    stores.db.clock = lambda: datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    writers, per_writer = 4, 8
    read: list[str] = []
    done = asyncio.Event()

    async def write(worker: int) -> None:
        for _ in range(per_writer):
            await stores.konkurs.register(
                type=KonkursType.AAPNING, debitor="910375237", kjennelsesdato=date(2026, 11, 27)
            )

    async def poll() -> None:
        cursor: datetime | None = None
        while True:
            finished = done.is_set()
            page, _ = await stores.konkurs.notices_after(cursor, 5)
            read.extend(n.uuid for n in page)
            if page:
                cursor = page[-1].registreringstidspunkt
            elif finished:
                return
            await asyncio.sleep(0)

    reader = asyncio.create_task(poll())
    await asyncio.gather(*(write(w) for w in range(writers)))
    done.set()
    await reader
    everything, _ = await stores.konkurs.notices_after(None, 1000)
    assert len(everything) == writers * per_writer
    assert read == [n.uuid for n in everything]
    stamps = [to_ms(n.registreringstidspunkt) for n in everything]
    assert stamps == sorted(set(stamps))


async def test_notices_for_a_debtor(sqlite_stores: Stores) -> None:
    await sqlite_stores.konkurs.load_test_notices()
    found = await sqlite_stores.konkurs.notices_for("910425463")
    assert [n.type for n in found] == [KonkursType.AAPNING, KonkursType.SLETTING]


# --------------------------------------------------------------------------------------------- HTTP


async def test_feed_over_http_follows_the_pull_model(http: Any, sqlite_stores: Stores, token_for: Any) -> None:
    await sqlite_stores.konkurs.load_test_notices()
    headers = {"Authorization": f"Bearer {token_for('konkursvarsel:read')}"}
    rows, seen, cursor = published(), [], "2018-06-05T00:00:00.000Z"
    while True:
        response = await http.get(
            f"/konkursvarsel/api/konkursvarsler/oppdatert/{cursor}", params={"antall": 6}, headers=headers
        )
        assert response.status_code == 200, response.text
        page = response.json()
        for item in page["konkursvarsler"]:
            assert set(item) == {"uuid", "registreringstidspunkt", "type", "debitor", "lenke"}
            seen.append(item["uuid"])
        if not page["flere"]:
            break
        cursor = page["konkursvarsler"][-1]["registreringstidspunkt"]
    assert seen == [r["uuid"] for r in rows]
    link = (await http.get("/konkursvarsel/api/konkursvarsler/oppdatert/2019-06-01", headers=headers)).json()
    assert [n["uuid"] for n in link["konkursvarsler"]] == [rows[-1]["uuid"]]
    full = await http.get(link["konkursvarsler"][0]["lenke"].removeprefix("http://registers.test"), headers=headers)
    assert full.status_code == 200
    body = full.json()
    assert body["type"] == "avslutning" and body["debitor"] == "910375237" and body["kjennelsesdato"] == "2019-06-10"


@pytest.mark.parametrize("cursor", ["yesterday", "2018-13-01", "2018-06-08T11:32:40", "2018-06-08T25:00:00Z"])
async def test_malformed_cursor_is_400(http: Any, token_for: Any, cursor: str) -> None:
    response = await http.get(
        f"/konkursvarsel/api/konkursvarsler/oppdatert/{cursor}",
        headers={"Authorization": f"Bearer {token_for('konkursvarsel:read')}"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_cursor"
    assert response.json()["parameter"] == "registreringstidspunkt"


async def test_unknown_and_malformed_uuid(http: Any, token_for: Any) -> None:
    headers = {"Authorization": f"Bearer {token_for('konkursvarsel:read')}"}
    missing = await http.get("/konkursvarsel/api/konkursvarsler/6f1e7a2c-1111-4222-8333-944455556666", headers=headers)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    bad = await http.get("/konkursvarsel/api/konkursvarsler/not-a-uuid", headers=headers)
    assert bad.status_code == 400 and bad.json()["parameter"] == "uuid"
