"""One contract suite, two implementations: the httpx clients against the app in-process, and the in-memory twins.

A bank provider's unit tests use the twins; this suite is what makes that safe.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from opendsop.contracts.registers.clients import (
    Enhetsregister,
    EnhetsregisterClient,
    Folkeregister,
    FolkeregisterClient,
    KonkursClient,
    Konkursregister,
)
from opendsop.contracts.registers.errors import InvalidCursor, InvalidIdentifierInput, InvalidInput
from opendsop.contracts.registers.facts import gather_facts
from opendsop.contracts.registers.models import Enhet, Hendelsestype, KonkursType, Organisasjon, Regeltype
from opendsop.registers import MemoryEnhetsregister, MemoryFolkeregister, MemoryKonkursregister
from opendsop.registers.app import Stores
from opendsop.registers.konkursregister import published_notice_rows
from tests.registers.conftest import PUBLIC_URL
from tests.registers.sample import (
    COMPANY,
    ENK,
    GUARDIANSHIP,
    HIDDEN,
    KARI,
    LEDE,
    MEDL1,
    OLA,
    ORG,
    PERSONS,
    SOLE_PROPRIETORSHIP,
    fnr,
    orgnr,
)

pytestmark = pytest.mark.anyio
ALL_SCOPES = "folkeregister:read konkursvarsel:read enhetsregister:read"


@dataclass
class World:
    """The three registers as a bank sees them, plus the register-side writes a test needs."""

    folkeregister: Folkeregister
    konkurs: Konkursregister
    enhetsregister: Enhetsregister
    write: Any  # object with record_death / register_notice / put_enhet


class _StoreWrites:
    def __init__(self, stores: Stores) -> None:
        self.stores = stores

    async def record_death(self, who: str, when: date) -> None:
        await self.stores.folkeregister.record_death(who, when)

    async def register_notice(self, debitor: str) -> None:
        await self.stores.konkurs.register(type=KonkursType.AAPNING, debitor=debitor, kjennelsesdato=date(2026, 11, 1))

    async def put_enhet(self, enhet: Enhet) -> None:
        await self.stores.enhetsregister.put(enhet)


class _MemoryWrites:
    def __init__(self, fr: MemoryFolkeregister, kr: MemoryKonkursregister, er: MemoryEnhetsregister) -> None:
        self.fr, self.kr, self.er = fr, kr, er

    async def record_death(self, who: str, when: date) -> None:
        self.fr.record_death(who, when)

    async def register_notice(self, debitor: str) -> None:
        self.kr.register(type=KonkursType.AAPNING, debitor=debitor, kjennelsesdato=date(2026, 11, 1))

    async def put_enhet(self, enhet: Enhet) -> None:
        self.er.put(enhet)


@pytest.fixture(params=["http", "memory"])
async def world(
    request: pytest.FixtureRequest, sqlite_stores: Stores, app_for: Any, token_for: Any
) -> AsyncIterator[World]:
    if request.param == "memory":
        fr, kr, er = MemoryFolkeregister(), MemoryKonkursregister(), MemoryEnhetsregister()
        fr.load_persons(PERSONS)
        fr.load_guardianships([GUARDIANSHIP])
        kr.load_test_notices()
        er.load_organisations([COMPANY, SOLE_PROPRIETORSHIP])
        yield World(fr, kr, er, _MemoryWrites(fr, kr, er))
        return
    await sqlite_stores.folkeregister.load_persons(PERSONS)
    await sqlite_stores.folkeregister.load_guardianships([GUARDIANSHIP])
    await sqlite_stores.konkurs.load_test_notices()
    await sqlite_stores.enhetsregister.load_organisations([COMPANY, SOLE_PROPRIETORSHIP])
    transport = httpx.ASGITransport(app=app_for(sqlite_stores))

    async def token() -> str:  # a fresh token per call, as a Maskinporten client would fetch
        return str(token_for(ALL_SCOPES))

    clients = (
        FolkeregisterClient(PUBLIC_URL, token, transport=transport),
        KonkursClient(PUBLIC_URL, token, transport=transport),
        EnhetsregisterClient(PUBLIC_URL, token, transport=transport),
    )
    try:
        yield World(*clients, _StoreWrites(sqlite_stores))
    finally:
        for client in clients:
            await client.aclose()


# ------------------------------------------------------------------------------------ Folkeregister


async def test_person_lookup(world: World) -> None:
    person = await world.folkeregister.person(OLA)
    assert person == PERSONS[0]
    assert await world.folkeregister.person(fnr(1990)) is None
    with pytest.raises(InvalidIdentifierInput) as caught:
        await world.folkeregister.person("12345678901")
    assert caught.value.parameter == "fnr" and "fødselsnummer" in caught.value.message


async def test_shielded_person_comes_without_address(world: World) -> None:
    person = await world.folkeregister.person(HIDDEN)
    assert person is not None and person.shielded and person.bostedsadresse is None


async def test_guardianships(world: World) -> None:
    assert await world.folkeregister.guardianships(KARI) == [GUARDIANSHIP]
    assert await world.folkeregister.guardianships(OLA) == []
    assert await world.folkeregister.guardianships(fnr(1991)) == []


async def test_death_events_are_read_once_from_a_cursor(world: World) -> None:
    start = await world.folkeregister.events_since(0)
    await world.write.record_death(OLA, date(2026, 11, 2))
    await world.write.record_death(KARI, date(2026, 11, 3))
    first = await world.folkeregister.events_since(start.neste, limit=1)
    second = await world.folkeregister.events_since(first.neste, limit=1)
    assert first.flere and not second.flere
    assert [e.identifikasjonsnummer for e in first.hendelser + second.hendelser] == [OLA, KARI]
    assert all(e.hendelsestype is Hendelsestype.DOEDSFALL for e in first.hendelser + second.hendelser)
    assert (await world.folkeregister.events_since(second.neste)).hendelser == ()
    with pytest.raises(InvalidCursor):
        await world.folkeregister.events_since(-1)


# ----------------------------------------------------------------------------------- Konkursvarsel


async def test_the_test_notices_page_in_order(world: World) -> None:
    expected = [row["uuid"] for row in published_notice_rows()]
    seen: list[str] = []
    page = await world.konkurs.notices_since(None, limit=4)
    while True:
        seen += [n.uuid for n in page.notices]
        assert all(n.lenke.endswith(n.uuid) for n in page.notices)
        if not page.more:
            break
        page = await world.konkurs.notices_since(page.cursor, limit=4)
    assert seen == expected
    empty = await world.konkurs.notices_since(page.cursor)
    assert empty.notices == () and empty.cursor == page.cursor


async def test_full_notice_and_lookups(world: World) -> None:
    notice = await world.konkurs.notice("5b290ea5-b9cf-46d9-acf4-28fed4540fdb")
    assert notice is not None and notice.type is KonkursType.AVSLUTNING and notice.debitor == "910375237"
    assert notice.registreringstidspunkt == datetime(2019, 6, 10, 11, 32, 40, 200000, tzinfo=UTC)
    assert await world.konkurs.notice("6f1e7a2c-1111-4222-8333-944455556666") is None
    with pytest.raises(InvalidInput):
        await world.konkurs.notice("nope")
    mine = await world.konkurs.notices_for("19020101140")
    assert [n.type for n in mine] == [KonkursType.AAPNING, KonkursType.OPPHEVING]


async def test_a_reader_keeps_up_with_concurrent_appends(world: World) -> None:
    page = await world.konkurs.notices_since(None, limit=100)
    cursor, read, writes = page.cursor, [], 12

    async def writer() -> None:
        for _ in range(writes):
            await world.write.register_notice("910375237")
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    while not task.done() or (await world.konkurs.notices_since(cursor)).notices:
        page = await world.konkurs.notices_since(cursor, limit=3)
        read += [n.uuid for n in page.notices]
        cursor = page.cursor
        await asyncio.sleep(0)
    await task
    assert len(read) == len(set(read)) == writes


async def test_facts_for_the_rules_core(world: World) -> None:
    facts = await gather_facts("19020101140", folkeregister=world.folkeregister, konkurs=world.konkurs)
    assert facts.kjennelsesdato == date(2018, 6, 8)
    ward = await gather_facts(KARI, folkeregister=world.folkeregister, konkurs=world.konkurs)
    assert ward.kjennelsesdato is None and ward.guardianships[0].guardian == GUARDIANSHIP.verge.identifikasjonsnummer
    annulled = await gather_facts("910425463", konkurs=world.konkurs)  # aapning then sletting
    assert annulled.kjennelsesdato is None


# ---------------------------------------------------------------------------------- Enhetsregister


async def test_organisation_and_roles(world: World) -> None:
    assert await world.enhetsregister.organisation(ORG) == COMPANY.organisasjon
    roles = await world.enhetsregister.roles(ORG)
    assert roles is not None and roles.roller == COMPANY.roller
    assert [r.regeltype for r in roles.signatur] == [Regeltype.FELLESSKAP]
    assert await world.enhetsregister.organisation(orgnr()) is None
    assert await world.enhetsregister.roles(orgnr()) is None
    with pytest.raises(InvalidIdentifierInput):
        await world.enhetsregister.roles("123456789")


async def test_signature_right(world: World) -> None:
    alone = await world.enhetsregister.signature_right(ORG, LEDE)
    assert alone is not None and not alone.allowed and alone.requires[0].count == 1
    jointly = await world.enhetsregister.signature_right(ORG, LEDE, [MEDL1])
    assert jointly is not None and jointly.allowed and jointly.rule is not None
    owner = await world.enhetsregister.signature_right(ENK, OLA)
    assert owner is not None and owner.allowed
    assert await world.enhetsregister.signature_right(orgnr(), LEDE) is None
    with pytest.raises(InvalidIdentifierInput):
        await world.enhetsregister.signature_right(ORG, "12345678901")


async def test_change_feed(world: World) -> None:
    start = await world.enhetsregister.changes_since(0)
    renamed = Enhet(
        organisasjon=Organisasjon(organisasjonsnummer=ORG, navn="Nytt Navn AS", organisasjonsform="AS"),
        roller=COMPANY.roller,
        regler=COMPANY.regler,
    )
    new = orgnr()
    await world.write.put_enhet(renamed)
    await world.write.put_enhet(
        Enhet(organisasjon=Organisasjon(organisasjonsnummer=new, navn="Ny AS", organisasjonsform="AS"))
    )
    page = await world.enhetsregister.changes_since(start.neste)
    assert [(c.organisasjonsnummer, c.endringstype) for c in page.oppdateringer] == [(ORG, "Endring"), (new, "Ny")]
    organisation = await world.enhetsregister.organisation(ORG)
    assert organisation is not None and organisation.navn == "Nytt Navn AS"
