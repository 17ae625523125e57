# SPDX-License-Identifier: Apache-2.0
"""The tour's DSVE stories over the running ecosystem: real HTTP to the registers, real broker transfers.

``eiendom`` — one home sale (dsve_story.home_sale): a seeded house whose owner has a mortgage at one of
the topology's banks is sold to another person financed by another bank; it ends with the grunnbok's
view of the house.  ``selskap`` — one company founding (dsve_story.company_founding), ending with
Enhetsregisteret's entry and the signature-right answer for the new company.  Each actor acts as its
own registered client (banks ``bank-<orgno>``, the estate agent and Foretaksregisteret's intake
``dsve-<orgno>``), signatures come from the ecosystem's enterprise CA (persons' certificates are its
BankID stand-in).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
from rich.console import Console
from rich.markup import escape
from rich.rule import Rule
from rich.table import Table

from opendsop.clock import oslo_today, utc_now
from opendsop.contracts.dsve.broker import BrokerTransport
from opendsop.contracts.dsve.transport import Outbox
from opendsop.contracts.registers.kartverket import GrunnbokClient, Grunnbokenhet
from opendsop.ecosystem import dsve_seed
from opendsop.ecosystem.dsve_pages import ACTIVITY
from opendsop.ecosystem.dsve_story import FOUNDING_RESOURCE, Signers, company_founding, home_sale
from opendsop.ecosystem.provision import _pki, bank_client_id
from opendsop.ecosystem.runner import Running
from opendsop.megler.agent import EstateAgent
from opendsop.provider.dsve import BankDesk, MemoryLedger, StoreLedger
from opendsop.standard.dsve import rules
from opendsop.standard.dsve.catalogue import Role
from opendsop.standard.dsve.values import Org, Person
from opendsop.synth.world import Population


class Parties:
    """Clients for the organisations of a story: registers (grunnbok, e-tinglysing, AKELDO) and the broker."""

    def __init__(self, running: Running, stack: contextlib.AsyncExitStack, http: httpx.AsyncClient) -> None:
        self.running, self.stack, self.http = running, stack, http
        self.registers = running.topology.url("registers")
        self.platforms: dict[str, Any] = {}
        self.grunnbok: dict[str, GrunnbokClient] = {}

    def _key(self, orgno: str) -> tuple[str, Any]:
        paths = self.running.provisioned.paths
        if orgno in self.running.provisioned.banks:
            return bank_client_id(orgno), self.running.provisioned.banks[orgno].grant_key
        return dsve_seed.dsve_client_id(orgno), paths.keys / "dsve" / orgno / "grant.pem"

    async def join(self, orgno: str) -> None:
        from opendsop.contracts.token_provider import GrantSigner, TokenProvider
        from opendsop.contracts.transport import HttpxTransport, poster
        from opendsop.ecosystem.message_platform import platform_client
        from opendsop.trust.keys import key_from_pem

        client_id, key_path = self._key(orgno)
        self.platforms[orgno] = await self.stack.enter_async_context(
            platform_client(self.running.topology, client_id, key_path)
        )
        authority = self.running.topology.url("authority")
        key = key_from_pem(key_path.read_bytes(), kid=client_id)
        tokens = TokenProvider(
            GrantSigner(client_id, authority + "/", authority + "/token", key), poster(HttpxTransport(self.http))
        )
        scopes = " ".join(dsve_seed.REGISTER_SCOPES)

        async def token() -> str:
            return await tokens.get(self.registers, scopes)

        self.grunnbok[orgno] = await self.stack.enter_async_context(GrunnbokClient(self.registers, token))

    def broker(self) -> BrokerTransport:
        return BrokerTransport(self.platforms)

    async def akeldo(self, orgnr: str) -> rules.Aktoer | None:
        found = await next(iter(self.grunnbok.values())).aktoer(orgnr)
        if found is None:
            return None
        lists = frozenset(found.sendeliste), frozenset(found.mottaksliste)
        return rules.Aktoer(found.organisasjonsnummer, found.navn, Role(found.rolle), *lists)


@contextlib.asynccontextmanager
async def _parties(running: Running, orgnos: list[str]) -> AsyncIterator[Parties]:
    async with contextlib.AsyncExitStack() as stack, httpx.AsyncClient(timeout=30) as http:
        parties = Parties(running, stack, http)
        for orgno in orgnos:
            await parties.join(orgno)
        yield parties


def _signers(running: Running, names: dict[str, str]) -> Signers:
    now = utc_now()
    return Signers(_pki(running.provisioned.paths, now), names, now=now)


def _person(population: Population, person_id: str) -> Person:
    found = next(p for p in population.persons if p.person_id == person_id)
    return Person(found.person_id, found.given_name, found.family_name)


def _kr(amount: int) -> str:
    return f"{amount:,} kr".replace(",", " ")


def _unit_table(unit: Grunnbokenhet | None, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("", "grunnboken"):
        table.add_column(column, overflow="fold")
    if unit is None:
        table.add_row("enhet", "not found")
        return table
    table.add_row("enhet", f"{unit.kommunenavn} {unit.kommunenummer} gnr {unit.gaardsnummer} bnr {unit.bruksnummer}")
    table.add_row("hjemmel", ", ".join(f"{h.navn} ({h.id})" for h in unit.hjemmelshavere))
    for h in unit.heftelser:
        table.add_row(
            f"prioritet {h.prioritet}",
            f"pantedokument {h.dokumentnummer}/{h.dokumentaar} ({h.embetenummer}) {_kr(h.beloep)}, {h.panthaver.navn}",
        )
    for h in unit.slettede:
        table.add_row("slettet", f"pantedokument {h.dokumentnummer}/{h.dokumentaar} til {h.panthaver.navn}")
    return table


def _bank_org(running: Running, orgno: str) -> Org:
    bank = next(b for b in running.topology.banks if b.orgno == orgno)
    return Org(bank.orgno, bank.name)


async def _eiendom(
    running: Running, population: Population, console: Console, report: Any, *, enhet: str | None = None
) -> None:
    from opendsop.provider.store.sql import SqlBankStore

    console.print(Rule("Eiendomshandel (DSVE): a home sale from intention to the deleted mortgage"))
    banks = {b.orgno for b in running.topology.banks}
    units, _ = dsve_seed.grunnbok_rows(population)
    candidates = [u for u in units if u.heftelser[0].panthaver.id in banks and len(banks) > 1]
    candidates = [u for u in candidates if enhet is None or u.enhet == enhet]  # the megler page's choice
    async with _parties(running, [dsve_seed.MEGLER.id]) as parties:  # a house still as the world seeded it
        live = [await parties.grunnbok[dsve_seed.MEGLER.id].unit(u.enhet) for u in candidates[:50]]
    unit = next((u for u, now in zip(candidates, live, strict=False) if now == u), None)
    if unit is None:
        console.print("this world has no mortgaged house left at two of the ecosystem's banks")
        return
    seller = _person(population, unit.hjemmelshavere[0].id)
    seller_bank = _bank_org(running, unit.heftelser[0].panthaver.id)
    buyer_bank = _bank_org(running, next(b for b in sorted(banks) if b != seller_bank.id))
    buyer = next(
        _person(population, p.person_id)
        for p in population.persons
        if p.invalid_reason is None
        and p.date_of_death is None
        and p.person_id != seller.id
        and p.birth_date.year < 2000
    )
    megler = dsve_seed.MEGLER
    names = {p.id: p.navn for p in (seller, buyer)} | {o.id: o.navn for o in (seller_bank, buyer_bank, megler)}
    signers = _signers(running, names)
    store = await SqlBankStore.open(
        running.topology.bank_database(next(b for b in running.topology.banks if b.orgno == seller_bank.id)),
        migrate=False,
    )
    try:
        async with _parties(running, [buyer_bank.id, seller_bank.id, megler.id]) as parties:
            transport = parties.broker()

            def desk(bank: Org, ledger: Any) -> BankDesk:
                codes = next((b.bank_codes for b in population.banks if b.orgnr == bank.id), ("0000",))
                return BankDesk(
                    bank,
                    (codes[0] if codes else "0000")[:4].rjust(4, "0"),
                    outbox=Outbox(bank.id, transport, parties.akeldo),
                    transport=transport,
                    grunnbok=parties.grunnbok[bank.id],
                    ledger=ledger,
                    signer=signers.sign,
                    clock=utc_now,
                )

            agent = EstateAgent(
                megler,
                outbox=Outbox(megler.id, transport, parties.akeldo),
                transport=transport,
                grunnbok=parties.grunnbok[megler.id],
                signer=signers.sign,
                clock=utc_now,
            )
            ACTIVITY.agents.append(agent)  # the actors' pages show what this process has done
            ACTIVITY.desks.extend(desks := [desk(buyer_bank, MemoryLedger()), desk(seller_bank, StoreLedger(store))])
            price = Decimal(unit.heftelser[0].beloep) * Decimal("1.6")
            result = await home_sale(
                buyer_bank=desks[0],
                seller_bank=desks[1],
                agent=agent,
                grunnbok=parties.grunnbok[megler.id],
                enhet=unit.registerenhet(),
                sellers=(seller,),
                buyer=buyer,
                price=price.quantize(Decimal(100_000)),
                today=oslo_today(),
                say=lambda line: console.print(escape(line), highlight=False),
            )
    finally:
        await store.close()
    report.messages["eiendom"] = result
    console.print(_unit_table(result.before, "Before the sale"))
    console.print(_unit_table(result.after, "After: the buyer holds title, the buyer's bank's deed has first priority"))
    page = f"{running.topology.url('registers')}/grunnboken/?enhet={unit.enhet}"
    console.print(f"the grunnbok's page: {page}", highlight=False)


async def _selskap(running: Running, population: Population, console: Console, report: Any) -> None:
    console.print(
        Rule("Selskapsetablering: a bank confirms the share capital, Foretaksregisteret registers the company")
    )
    bank = _bank_org(running, running.topology.banks[0].orgno)
    founder, member = (
        _person(population, p.person_id)
        for p in [p for p in population.persons if p.invalid_reason is None and p.date_of_death is None][:2]
    )
    signers = _signers(running, {bank.id: bank.navn})
    async with _parties(running, [bank.id, dsve_seed.BRREG.id]) as parties:
        codes = next((b.bank_codes for b in population.banks if b.orgnr == bank.id), ("0000",))
        desk = BankDesk(
            bank,
            (codes[0] if codes else "0000")[:4].rjust(4, "0"),
            outbox=Outbox(bank.id, parties.broker(), parties.akeldo),
            transport=parties.broker(),
            grunnbok=parties.grunnbok[bank.id],
            ledger=MemoryLedger(),
            signer=signers.sign,
            clock=utc_now,
        )
        ACTIVITY.desks.append(desk)
        name = f"{founder.etternavn} Holding AS"
        result = await company_founding(
            bank=desk,
            register=parties.grunnbok[dsve_seed.BRREG.id],
            register_org=dsve_seed.BRREG,
            transport=parties.broker().on(FOUNDING_RESOURCE),
            founder=founder,
            board=(founder, member),
            name=name,
            capital=Decimal(30_000),
            today=oslo_today(),
            reference=f"SRM-{utc_now():%Y%m%d%H%M%S}",  # a new founding each time the story is told
            deliver=lambda: _answered(parties.broker().on(FOUNDING_RESOURCE), bank.id),
            say=lambda line: console.print(escape(line), highlight=False),
        )
        report.messages["selskap"] = result
        orgnr = result.state.organisasjonsnummer if result.state else None
    if orgnr:
        await _enhetsregisteret(running, bank.id, orgnr, founder, member, console)


async def _answered(transport: BrokerTransport, bank: str, seconds: float = 20.0) -> None:
    """Until the register's intake (polling the platform) has answered the bank, at most ``seconds``."""
    import asyncio

    for _ in range(int(seconds / 0.2)):
        if await transport.available(bank):
            return
        await asyncio.sleep(0.2)


async def _enhetsregisteret(
    running: Running, bank: str, orgnr: str, founder: Person, member: Person, console: Console
) -> None:
    from opendsop.contracts.token_provider import GrantSigner, TokenProvider
    from opendsop.contracts.transport import HttpxTransport, poster
    from opendsop.trust.keys import key_from_pem

    registers, authority = running.topology.url("registers"), running.topology.url("authority")
    key = key_from_pem(running.provisioned.banks[bank].grant_key.read_bytes(), kid=bank_client_id(bank))
    async with httpx.AsyncClient(timeout=10) as http:
        tokens = TokenProvider(
            GrantSigner(bank_client_id(bank), authority + "/", authority + "/token", key), poster(HttpxTransport(http))
        )
        headers = {"Authorization": f"Bearer {await tokens.get(registers, 'enhetsregister:read')}"}
        unit = (await http.get(f"{registers}/enhetsregisteret/api/enheter/{orgnr}", headers=headers)).json()
        table = Table(title=f"Enhetsregisteret: {unit.get('navn')} ({orgnr})", title_justify="left")
        table.add_column("")
        table.add_column("", overflow="fold")
        table.add_row("organisasjonsform", str(unit.get("organisasjonsform")))
        table.add_row("registreringsdato", str(unit.get("registreringsdato")))
        for who, together in ((founder, []), (founder, [member.id])):
            body = {"organisasjonsnummer": orgnr, "person": who.id, "sammenMed": together}
            answer = (
                await http.post(f"{registers}/enhetsregisteret/api/signaturrett", json=body, headers=headers)
            ).json()
            label = "signatur: " + who.navn + (f" with {member.navn}" if together else " alone")
            table.add_row(label, ("yes — " if answer.get("allowed") else "no — ") + str(answer.get("reason", "")))
    console.print(table)


async def show_unit(topology: Any, enhet: str) -> Table | None:
    """The grunnbok's view of one unit, read as the topology's first bank (``dsop dsve grunnbok``)."""
    from opendsop.contracts.token_provider import GrantSigner, TokenProvider
    from opendsop.contracts.transport import HttpxTransport, poster
    from opendsop.ecosystem.provision import Paths
    from opendsop.trust.keys import key_from_pem

    bank = topology.banks[0]
    client_id, registers, authority = bank_client_id(bank.orgno), topology.url("registers"), topology.url("authority")
    key = key_from_pem((Paths.of(topology).bank(bank.orgno) / "grant.pem").read_bytes(), kid=client_id)
    async with httpx.AsyncClient(timeout=10) as http:
        tokens = TokenProvider(
            GrantSigner(client_id, authority + "/", authority + "/token", key), poster(HttpxTransport(http))
        )

        async def token() -> str:
            return await tokens.get(registers, " ".join(dsve_seed.REGISTER_SCOPES))

        async with GrunnbokClient(registers, token) as client:
            unit = await client.unit(enhet)
    return None if unit is None else _unit_table(unit, f"Grunnboken: {enhet}")


DSVE_STORIES = {"eiendom": _eiendom, "selskap": _selskap}

__all__ = ["DSVE_STORIES", "show_unit"]
