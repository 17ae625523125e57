"""The real authority and the seeded real bank in-process, with every seeded agency as a token client
(tests/consumer/agency.py registers Skatt only), plus twins for the relations hub and the registers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx

from opendsop.audit.log import MemoryAuditLog
from opendsop.authority import AuthoritySettings
from opendsop.authority import create_app as create_authority
from opendsop.authority.clients import new_client
from opendsop.consumer.client import DsopClient, StaticDirectory, jwe_decryptor
from opendsop.consumer.fanout import FanOut
from opendsop.consumer.protocol import BankEndpoint
from opendsop.consumer.workflows import MemoryRelations
from opendsop.contracts.registers.models import KonkursType, Navn, Person, PersonStatus, Verge, Vergemaal
from opendsop.contracts.token_provider import GrantSigner, TokenProvider
from opendsop.contracts.transport import HttpxTransport, poster
from opendsop.contracts.verify import TokenVerifier
from opendsop.prosecution.orders import jwks_document
from opendsop.provider.app import create_app as create_bank
from opendsop.provider.ports import ProsecutionOrders, RegisterFacts, StaticCertificates
from opendsop.registers.memory import MemoryFolkeregister, MemoryKonkursregister
from opendsop.standard.request import REPRESENTASJON_DAGLIGBANK
from opendsop.trust.keys import public_jwks
from tests.consumer.agency import ISSUER, NOW, grant_key
from tests.provider import bank as seed
from tests.provider.harness import Pki, registers, seeded_store, settings

BANK = BankEndpoint(seed.BANK_ORGNO, seed.BASE_URL, "v2", "Testbanken")
NO_API_BANK = ("910000999", "Banken uten API")


def client_id(consumer: seed.Consumer) -> str:
    return f"{consumer.service}-agency"


@dataclass
class World:
    http: httpx.AsyncClient
    audit: MemoryAuditLog
    pki: Pki
    relations: MemoryRelations
    folkeregister: MemoryFolkeregister
    konkurs: MemoryKonkursregister
    directory: StaticDirectory
    now: datetime = NOW  # every party's clock

    def clock(self) -> datetime:
        return self.now

    def client(self, consumer: seed.Consumer) -> DsopClient:
        signer = GrantSigner(client_id(consumer), ISSUER, ISSUER + "token", grant_key())
        credential = self.pki.encryption[consumer.orgno]
        transport = HttpxTransport(self.http)
        return DsopClient(
            transport,
            TokenProvider(signer, poster(transport), clock=self.clock),
            jwe_decryptor(credential.private_key),
            clock=self.clock,
        )

    def fanout(self, consumer: seed.Consumer) -> FanOut:
        return FanOut(self.client(consumer))


def twin_registers(now: datetime = NOW) -> tuple[MemoryFolkeregister, MemoryKonkursregister]:
    folkeregister = MemoryFolkeregister(clock=lambda: now)
    folkeregister.load_persons(
        [
            Person(
                identifikasjonsnummer=seed.DAG,
                navn=Navn(fornavn="Dag", etternavn="Avdød"),
                status=PersonStatus.DOED,
                doedsdato=seed.DEATH,
            ),
            Person(identifikasjonsnummer=seed.WARD, navn=Navn(fornavn="Vera", etternavn="Vergehaver")),
            Person(identifikasjonsnummer=seed.GUARDIAN, navn=Navn(fornavn="Geir", etternavn="Verge")),
        ]
    )
    folkeregister.put_guardianship(
        Vergemaal(
            id="vg-1",
            vergehaver=seed.WARD,
            verge=Verge(identifikasjonsnummer=seed.GUARDIAN),
            tjenesteoppgaver=(REPRESENTASJON_DAGLIGBANK,),
            gyldigFraOgMed=date(2024, 6, 1),
        )
    )
    konkurs = MemoryKonkursregister(clock=lambda: now)
    konkurs.register(type=KonkursType.AAPNING, debitor=seed.FIRMA, kjennelsesdato=seed.RULING)
    return folkeregister, konkurs


def twin_relations() -> MemoryRelations:
    """Every seeded party banks with the seeded bank; Anne also with a bank that has no Control API."""
    banks = {
        party: [(seed.BANK_ORGNO, "Testbanken ASA")]
        for party in (seed.ANNE, seed.BERIT, seed.DAG, seed.FIRMA, seed.WARD)
    }
    banks[seed.ANNE].append(NO_API_BANK)
    return MemoryRelations(banks, {seed.NUMBERS[seed.SALARY]: (seed.BANK_ORGNO, "Testbanken ASA")})


@asynccontextmanager
async def open_world(pki: Pki, database_url: str, *, now: datetime = NOW) -> AsyncIterator[World]:
    def clock() -> datetime:
        return now

    authority = create_authority(AuthoritySettings(issuer=ISSUER, database_url=database_url), clock=clock)
    async with authority.lifespan():
        for consumer in seed.CONSUMERS:
            await authority.state.store.add_client(
                new_client(
                    client_id(consumer), consumer.orgno, ["bits:kontoinformasjon"], jwks=public_jwks([grant_key()])
                ),
                now=int(now.timestamp()),
            )
        authority_transport = httpx.ASGITransport(app=authority)

        async def fetch_jwks(url: str) -> Any:
            async with httpx.AsyncClient(transport=authority_transport) as jwks_http:
                return (await jwks_http.get(url)).json()

        audit = MemoryAuditLog()
        bank_app = create_bank(
            settings(),
            clock=clock,
            store=await seeded_store(now),
            tokens=TokenVerifier(
                ISSUER, ISSUER + "jwks", seed.BASE_URL, (seed.SCOPE,), fetch_jwks=fetch_jwks, clock=clock
            ),
            facts=RegisterFacts(registers()),
            orders=ProsecutionOrders.with_static_jwks(
                jwks_document([(pki.signing.kid, pki.signing.credential)]), pki.trust_store
            ),
            certificates=StaticCertificates({org: cred.certificate for org, cred in pki.encryption.items()}),
            audit=audit,
        )
        mounts = {"http://authority.test": authority_transport, "https://bank.test": httpx.ASGITransport(app=bank_app)}
        folkeregister, konkurs = twin_registers(now)
        async with httpx.AsyncClient(mounts=mounts) as http:
            yield World(http, audit, pki, twin_relations(), folkeregister, konkurs, StaticDirectory([BANK]), now)
