"""An agency's world in one process: the real authority (tokens) and the real seeded bank (tests/provider).

The bank trusts the authority's JWKS; the agency (Skatteetaten) is a registered ``private_key_jwt``
client and holds the private key of its CertPub encryption certificate.  Both apps run over
``httpx.ASGITransport`` behind one ``httpx.AsyncClient`` routed by host.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from opendsop.audit.log import MemoryAuditLog
from opendsop.authority import AuthoritySettings
from opendsop.authority import create_app as create_authority
from opendsop.authority.clients import new_client
from opendsop.consumer.client import DsopClient, jwe_decryptor
from opendsop.consumer.protocol import BankEndpoint, CaseParameters
from opendsop.contracts.token_provider import GrantSigner, TokenProvider
from opendsop.contracts.transport import HttpxTransport, poster
from opendsop.contracts.verify import TokenVerifier
from opendsop.provider.app import create_app as create_bank
from opendsop.provider.ports import RegisterFacts, StaticCertificates
from opendsop.trust.keys import generate_rsa_key, public_jwks
from tests.provider import bank as seed
from tests.provider.harness import CASE, Pki, registers, seeded_store, settings

ISSUER = "http://authority.test/"
CLIENT_ID = "skatt-agency"
NOW = seed.NOW


@functools.cache
def grant_key() -> Any:
    return generate_rsa_key(kid="agency-grant-key")


@dataclass
class Ecosystem:
    http: httpx.AsyncClient
    audit: MemoryAuditLog
    pki: Pki
    bank: BankEndpoint
    clock: Any

    def signer(self) -> GrantSigner:
        return GrantSigner(CLIENT_ID, ISSUER, ISSUER + "token", grant_key())

    def tokens(self) -> TokenProvider:
        return TokenProvider(self.signer(), poster(HttpxTransport(self.http)), clock=self.clock)

    def client(self, **options: Any) -> DsopClient:
        credential = self.pki.encryption[seed.SKATT.orgno]
        return DsopClient(
            HttpxTransport(self.http), self.tokens(), jwe_decryptor(credential.private_key), clock=self.clock, **options
        )


def skatt_case(*, party: str = seed.ANNE, case: str = CASE) -> CaseParameters:
    return CaseParameters(
        account_info_request_id=case,
        mandate=seed.SKATT.mandate,
        party_id=party,
        from_date=seed.TODAY.replace(year=2025, month=1, day=1),
        to_date=seed.TODAY,
        only_primary_owner=True,
        requester_id="saksbehandler-17",
    )


@asynccontextmanager
async def open_ecosystem(pki: Pki, database_url: str) -> AsyncIterator[Ecosystem]:
    def clock() -> datetime:
        return NOW

    authority = create_authority(AuthoritySettings(issuer=ISSUER, database_url=database_url), clock=clock)
    async with authority.lifespan():
        await authority.state.store.add_client(
            new_client(CLIENT_ID, seed.SKATT.orgno, ["bits:kontoinformasjon"], jwks=public_jwks([grant_key()])),
            now=int(NOW.timestamp()),
        )
        authority_transport = httpx.ASGITransport(app=authority)

        async def fetch_jwks(url: str) -> Any:
            async with httpx.AsyncClient(transport=authority_transport) as jwks_http:
                return (await jwks_http.get(url)).json()

        audit = MemoryAuditLog()
        bank_app = create_bank(
            settings(),
            clock=clock,
            store=await seeded_store(),
            tokens=TokenVerifier(
                ISSUER, ISSUER + "jwks", seed.BASE_URL, (seed.SCOPE,), fetch_jwks=fetch_jwks, clock=clock
            ),
            facts=RegisterFacts(registers()),
            certificates=StaticCertificates({org: cred.certificate for org, cred in pki.encryption.items()}),
            audit=audit,
        )
        mounts = {"http://authority.test": authority_transport, "https://bank.test": httpx.ASGITransport(app=bank_app)}
        async with httpx.AsyncClient(mounts=mounts) as http:
            yield Ecosystem(http, audit, pki, BankEndpoint(seed.BANK_ORGNO, seed.BASE_URL, "v2", "Testbanken"), clock)
