"""One home sale and one company founding played by the actors (bank desk, estate agent) on the in-memory broker and
the registers app in-process; then the refusals an actor must give or get (AKELDO, routing, one deed per ZIP)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from opendsop.contracts.dsve.broker import BrokerTransport
from opendsop.contracts.dsve.transport import MemoryTransport, Outbox, akeldo_entry
from opendsop.contracts.dsve.zipfiles import pack
from opendsop.contracts.messaging import MessagingClient
from opendsop.contracts.messaging.models import Resource
from opendsop.contracts.messaging.names import ALL_SCOPES
from opendsop.contracts.registers.kartverket import (
    SCOPE_ETINGLYSING,
    SCOPE_FORETAK,
    SCOPE_GRUNNBOK,
    Aktoer,
    GrunnbokClient,
)
from opendsop.ecosystem.dsve_story import FOUNDING_RESOURCE, Signers, company_founding, home_sale, register_intake
from opendsop.megler.agent import EstateAgent
from opendsop.provider.dsve import BankDesk, LoanAccount, MemoryLedger
from opendsop.registers.app import Stores, create_app
from opendsop.registers.settings import RegistersSettings
from opendsop.standard.dsve import messages as m
from opendsop.standard.dsve import rules
from opendsop.standard.dsve.catalogue import RESOURCE_PROD, Role
from opendsop.standard.dsve.values import Org

from ..registers.kartverket_sample import (
    BUYER,
    BUYER_BANK,
    HOUSE,
    NOW,
    SELLER,
    SELLER_BANK,
    STRANGER,
    house,
    pki,
    trust,
)

pytestmark = pytest.mark.anyio
MEGLER = Org("315000009", "Megleren Demo AS")
BRREG = Org("974760673", "Foretaksregisteret")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _entry(aktoer: Any) -> Aktoer:
    return Aktoer(
        organisasjonsnummer=aktoer.organisasjonsnummer,
        navn=aktoer.navn,
        rolle=str(aktoer.rolle),  # type: ignore[arg-type]
        sendeliste=tuple(sorted(aktoer.sendeliste)),
        mottaksliste=tuple(sorted(aktoer.mottaksliste)),
    )


@dataclass
class World:
    buyer_bank: BankDesk
    seller_bank: BankDesk
    agent: EstateAgent
    grunnbok: GrunnbokClient
    transport: MemoryTransport
    stores: Stores
    brreg_client: Any = None  # broker mode: a fresh platform client as Brønnøysundregistrene


@contextlib.asynccontextmanager
async def open_world(tmp_path: Any, token_issuer: Any, *, broker: bool = False) -> AsyncIterator[World]:
    stores = Stores(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}", signing_trust=trust(), clock=lambda: NOW)
    await stores.db.create_schema()
    entries = [
        akeldo_entry(BUYER_BANK.id, BUYER_BANK.navn, Role.BANK),
        akeldo_entry(SELLER_BANK.id, SELLER_BANK.navn, Role.BANK, without=frozenset({"OppnaaddPrioritetOk"})),
        akeldo_entry(MEGLER.id, MEGLER.navn, Role.MEGLER),
    ]
    await stores.grunnbok.load([house()], [_entry(e) for e in entries])
    settings = RegistersSettings(public_url="http://registers.test", database_url="sqlite+aiosqlite:///:memory:")
    app = create_app(settings, stores=stores, verifier=token_issuer.verifier("http://registers.test"))
    scopes = f"{SCOPE_GRUNNBOK} {SCOPE_ETINGLYSING} {SCOPE_FORETAK}"
    token = token_issuer.mint(BUYER_BANK.id, scopes, "http://registers.test", lifetime=3600)
    grunnbok = GrunnbokClient("http://registers.test", token, transport=httpx.ASGITransport(app=app))
    names = {p.id: p.navn for p in (BUYER, SELLER, STRANGER, BUYER_BANK, SELLER_BANK, MEGLER)}
    signers = Signers(pki()[1], names, now=NOW)
    async with contextlib.AsyncExitStack() as stack:
        transport: Any = MemoryTransport()
        if broker:
            transport = await stack.enter_async_context(_broker(tmp_path, token_issuer))

        async def directory(orgnr: str) -> rules.Aktoer | None:
            found = await grunnbok.aktoer(orgnr)
            if found is None:
                return None
            lists = frozenset(found.sendeliste), frozenset(found.mottaksliste)
            return rules.Aktoer(found.organisasjonsnummer, found.navn, Role(found.rolle), *lists)

        def desk(bank: Org, register: str, ledger: MemoryLedger) -> BankDesk:
            return BankDesk(
                bank,
                register,
                outbox=Outbox(bank.id, transport, directory),
                transport=transport,
                grunnbok=grunnbok,
                ledger=ledger,
                signer=signers.sign,
                clock=lambda: NOW,
            )

        loans = [LoanAccount("28301234567", Decimal("1800000.00"), (SELLER.id, STRANGER.id))]
        outbox = Outbox(MEGLER.id, transport, directory)
        agent = EstateAgent(
            MEGLER, outbox=outbox, transport=transport, grunnbok=grunnbok, signer=signers.sign, clock=lambda: NOW
        )
        buyer_desk = desk(BUYER_BANK, "3260", MemoryLedger())
        seller_desk = desk(SELLER_BANK, "2830", MemoryLedger({SELLER.id: loans}))
        try:
            brreg = getattr(transport, "brreg_client", None)
            yield World(buyer_desk, seller_desk, agent, grunnbok, transport, stores, brreg)
        finally:
            await grunnbok.aclose()
            await stores.db.close()


@contextlib.asynccontextmanager
async def _broker(tmp_path: Any, token_issuer: Any) -> AsyncIterator[BrokerTransport]:
    """The message platform in-process on SQLite, with the DSVE and founding resources and a client per organisation."""
    from opendsop.altinn.app import create_app as platform_app
    from opendsop.altinn.platform import Platform
    from opendsop.altinn.settings import AltinnSettings
    from opendsop.altinn.store import MessageStore

    url = f"sqlite+aiosqlite:///{tmp_path / 'altinn.db'}"
    settings = AltinnSettings(database_url=url, public_url="http://altinn.test")
    platform = Platform(MessageStore.from_url(url), settings, clock=lambda: NOW)
    await platform.start()
    for identifier in (RESOURCE_PROD, FOUNDING_RESOURCE):
        resource = Resource(
            identifier=identifier,
            owner="971040238",
            title=identifier,
            kinds=["broker"],
            senders=["*"],
            recipients=["*"],
        )
        await platform.store.put_resource(resource)
    app = platform_app(
        settings, platform=platform, verifier=token_issuer.verifier("http://altinn.test"), background=False
    )
    clients = {
        org: MessagingClient(
            "http://altinn.test",
            token_issuer.mint(org, " ".join(ALL_SCOPES), "http://altinn.test", lifetime=3600),
            transport=httpx.ASGITransport(app=app),
        )
        for org in (BUYER_BANK.id, SELLER_BANK.id, MEGLER.id, BRREG.id)
    }
    try:
        transport = BrokerTransport(clients)

        def brreg() -> MessagingClient:
            token = token_issuer.mint(BRREG.id, " ".join(ALL_SCOPES), "http://altinn.test", lifetime=3600)
            return MessagingClient("http://altinn.test", token, transport=httpx.ASGITransport(app=app))

        transport.brreg_client = brreg  # type: ignore[attr-defined]
        yield transport
    finally:
        for client in clients.values():
            await client.aclose()
        await platform.close()


@pytest.fixture
async def world(tmp_path: Any, token_issuer: Any) -> AsyncIterator[World]:
    async with open_world(tmp_path, token_issuer) as opened:
        yield opened


@pytest.mark.parametrize("broker", [False, True], ids=["memory", "broker"])
async def test_a_home_sale_end_to_end(tmp_path: Any, token_issuer: Any, broker: bool) -> None:
    async with open_world(tmp_path, token_issuer, broker=broker) as world:
        await _home_sale(world)


async def _home_sale(world: World) -> None:
    lines: list[str] = []
    report = await home_sale(
        buyer_bank=world.buyer_bank,
        seller_bank=world.seller_bank,
        agent=world.agent,
        grunnbok=world.grunnbok,
        enhet=HOUSE,
        sellers=(SELLER,),
        buyer=BUYER,
        price=Decimal(4_500_000),
        today=NOW.date(),
        say=lines.append,
    )
    assert report.transfers == [
        "IntensjonFraBank",
        "IntensjonssvarFraMegler",
        "KjoepekontraktforespoerselFraBank",
        "KjoepekontraktsvarFraMegler",
        "SignedMortgageDeed",
        "SignedMortgageDeedProcessed",
        "GjennomfoertEtinglysing",
        "OppnaaddPrioritetOk",
        "Innfrielsessaldoforespoersel",
        "Innfrielsessaldosvar",
    ]
    assert report.after is not None and [h.id for h in report.after.hjemmelshavere] == [BUYER.id]
    assert [(h.prioritet, h.panthaver.id, h.beloep) for h in report.after.heftelser] == [(1, BUYER_BANK.id, 3_825_000)]
    assert [h.panthaver.id for h in report.after.slettede] == [SELLER_BANK.id]
    assert report.closed
    if isinstance(world.transport, MemoryTransport):  # the deed travelled with its cover letter
        deeds = [d for d in world.transport.transfers.values() if d.properties["messageType"] == "SignedMortgageDeed"]
        assert [d.properties["coverLetter"] for d in deeds] == ["XmlAttached"]
    assert any("Sven Selger" in e and "Ola" not in e for e in report.sale)  # the co-borrower is not named
    assert world.seller_bank.paid_off == {"28301234567": Decimal("1801726.03")}  # a week's interest at 5 %


@pytest.mark.parametrize("broker", [False, True], ids=["memory", "broker"])
async def test_company_founding_through_the_platform(tmp_path: Any, token_issuer: Any, broker: bool) -> None:
    async with open_world(tmp_path, token_issuer, broker=broker) as world:
        await _founding(world)


def _founding_transport(world: World) -> Any:
    if isinstance(world.transport, BrokerTransport):
        return world.transport.on(FOUNDING_RESOURCE)
    return world.transport


def _deliver(world: World) -> Any:
    """The register's own intake on the platform (broker), or the story's over HTTP (memory)."""
    if world.brreg_client is not None:
        from opendsop.registers.foretak_post import BrregIntake

        return BrregIntake(world.stores.foretak, world.brreg_client, lambda: NOW).receive
    return lambda: register_intake(world.transport, world.grunnbok, BRREG)


async def _founding(world: World) -> None:
    lines: list[str] = []
    report = await company_founding(
        bank=world.buyer_bank,
        register=world.grunnbok,
        register_org=BRREG,
        transport=_founding_transport(world),
        founder=BUYER,
        board=(BUYER, SELLER),
        name="Fjordlys Testselskap AS",
        capital=Decimal(30_000),
        today=NOW.date(),
        say=lines.append,
        deliver=_deliver(world),
    )
    if world.brreg_client is not None:  # read again: nothing waits, nothing is registered twice
        assert await _deliver(world)() == 0
    assert report.refused is not None and report.refused.kode == "FR-003"
    assert report.state is not None and report.state.status == "registrert" and report.account_released
    unit = await world.stores.enhetsregister.organisation(report.state.organisasjonsnummer or "")
    assert unit is not None and unit.navn == "Fjordlys Testselskap AS"


async def test_akeldo_stops_a_send_the_receiver_does_not_list(world: World) -> None:
    outbox = world.agent.outbox
    message = m.oppnaadd_prioritet_ok(
        MEGLER, "O", SELLER_BANK, "R", dokumentreferanse="A-B-1234", altinn_sendersreference="s", at=NOW
    )
    with pytest.raises(Exception, match="DSVE-007"):
        await outbox.send(SELLER_BANK.id, message, reference="x")
    with pytest.raises(Exception, match="DSVE-007"):
        await outbox.send("999999999", message, reference="y")  # not in AKELDO at all
    assert world.transport.transfers == {}


async def _deed_answer(world: World, deed_owner: Any, *, files: dict[str, bytes] | None = None) -> str:
    world.agent.open_sale(
        __import__("opendsop.megler.agent", fromlist=["Oppdrag"]).Oppdrag(
            "O1", HOUSE, (SELLER,), (BUYER,), Decimal(1), NOW.date(), "97100000017", NOW.date()
        )
    )
    await world.buyer_bank.intention("C1", deed_owner, MEGLER, HOUSE)
    world.buyer_bank.cases["C1"].loan = Decimal(1000)
    if files is None:
        await world.buyer_bank.send_deed("C1")
    else:
        await world.transport.send(
            BUYER_BANK.id,
            MEGLER.id,
            {"messageType": "SignedMortgageDeed", "coverLetter": "Omitted"},
            pack(files),
            reference="raw",
        )
    await world.agent.process_inbox()
    answers = [
        d
        for d in world.transport.transfers.values()
        if d.properties.get("messageType") == "SignedMortgageDeedProcessed"
    ]
    from opendsop.contracts.dsve.zipfiles import unzip

    return next(iter(unzip(answers[-1].payload).values())).decode()


async def test_the_megler_answers_a_deed_for_someone_not_buying_with_debitor_mismatch(world: World) -> None:
    assert "<Status>DebitorMismatch</Status>" in await _deed_answer(world, STRANGER)


async def test_two_deeds_in_one_zip_are_rejected(world: World) -> None:
    answer = await _deed_answer(
        world, BUYER, files={"signedmortgagedeed_a.sdo": b"<sdo/>", "signedmortgagedeed_b.sdo": b"<sdo/>"}
    )
    assert "<Status>Rejected</Status>" in answer and "DSVE-005" in answer


async def test_the_polling_interval_is_respected(world: World) -> None:
    agent = world.agent
    assert not agent.poll_due(NOW)  # no sale yet
    await _deed_answer(world, BUYER)
    assert not agent.poll_due(NOW + timedelta(minutes=4)) and agent.poll_due(NOW + timedelta(minutes=5))


async def test_pushes_reach_every_bank_that_asked_and_remaining_debt_is_answered(world: World) -> None:
    from opendsop.megler.agent import Oppdrag

    sale = world.agent.open_sale(
        Oppdrag("O2", HOUSE, (SELLER,), (BUYER,), Decimal(4_000_000), NOW.date(), "97100000017", NOW.date())
    )
    await world.buyer_bank.intention("C2", BUYER, MEGLER, HOUSE)
    await world.agent.process_inbox()
    await world.buyer_bank.request_contract("C2")
    await world.agent.process_inbox()
    await world.buyer_bank.process_inbox()
    case = world.buyer_bank.cases["C2"]
    assert case.loan == Decimal(3_400_000)
    await world.agent.contract_changed("O2", kjoepesum=Decimal(4_200_000))
    await world.agent.change_intention("O2", "Papirtinglysing")
    await world.buyer_bank.process_inbox()
    assert case.loan == Decimal(3_570_000) and "Intensjonsendring: Papirtinglysing" in case.events
    await world.agent.request_remaining_debt("O2", SELLER_BANK, prisantydning=4_000_000)
    await world.agent.request_remaining_debt("O2", BUYER_BANK)  # a bank without a loan on the house
    await world.seller_bank.process_inbox()
    await world.buyer_bank.process_inbox()
    await world.agent.process_inbox()
    assert any("Restgjeldssvar" in e and "Sven Selger" in e and "Ola" not in e for e in sale.events)
    assert any("Restgjeldssvar from" in line and "LaanNedbetalt" in line for line in world.agent.log)
    await world.agent.abort("O2", "Kjøper har trukket seg")
    await world.buyer_bank.process_inbox()
    assert case.closed and case.events[-1] == "AvbruttSamhandling: Kjøper har trukket seg"


async def test_a_deed_reference_used_in_another_sale_is_rejected(world: World) -> None:
    first = await _deed_answer(world, BUYER)
    assert "<Status>RoutedSuccessfully</Status>" in first
    from opendsop.megler.agent import Oppdrag

    world.agent.open_sale(Oppdrag("O9", HOUSE, (SELLER,), (BUYER,), Decimal(1), NOW.date(), "97100000017", NOW.date()))
    world.agent.sales["O1"].kjoepere = ()  # a deed for this buyer now routes to the other sale
    from opendsop.provider.dsve import BankCase

    other = world.seller_bank  # another bank, whose own numbering happens to give the same reference
    other.register_number = world.buyer_bank.register_number
    other.cases["C1"] = BankCase("C1", BUYER, MEGLER, HOUSE, loan=Decimal(1000))
    await other.send_deed("C1")
    await world.agent.process_inbox()
    answers = [
        d
        for d in world.transport.transfers.values()
        if d.properties.get("messageType") == "SignedMortgageDeedProcessed"
    ]
    from opendsop.contracts.dsve.zipfiles import unzip

    assert "<Status>Rejected</Status>" in next(iter(unzip(answers[-1].payload).values())).decode()
