"""Test harness: the seeded bank's app in-process (httpx.ASGITransport) with every port's twin.

The fixtures (conftest.py): ``pki`` (consumers' encryption certificates and the prosecution's
signing key) and ``bank`` (a fresh app, store, audit log and registers per test).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
from litestar import Litestar

from opendsop.audit.log import MemoryAuditLog
from opendsop.prosecution.keystore import SigningKey, create_signing_credential, default_kid
from opendsop.prosecution.orders import issue_extradition_order, jwks_document, new_order
from opendsop.provider.app import create_app
from opendsop.provider.ports import FactsSource, MemoryRegisters, ProsecutionOrders, RegisterFacts, StaticCertificates
from opendsop.provider.settings import ProviderSettings
from opendsop.provider.store import BankStore, MemoryBankStore
from opendsop.trust.jwe import decrypt_compact
from opendsop.trust.pki import CertificateAuthority, Credential, TrustStore
from tests.provider import bank as seed

ISSUED = datetime(2025, 6, 1, tzinfo=UTC)
CASE = "d4a820ca-ddde-11ed-b5ea-0242ac120002"
OTHER_CASE = "5f0c2f9e-8a51-4f5e-9d43-0b7a2d1e6c22"


@dataclass(frozen=True)
class Pki:
    encryption: Mapping[str, Credential]  # consumer orgno → its encryption credential
    stranger: Credential  # an encryption credential of nobody involved
    signing: SigningKey  # the prosecution's order-signing key (test environment)
    trust_store: TrustStore


@functools.cache
def build_pki() -> Pki:
    """The test PKI, built once per process (RSA key generation is the slow part of these tests)."""
    root = CertificateAuthority.create_root("provider test root", now=ISSUED)
    issuing = root.issue_intermediate("provider test enterprise CA", now=ISSUED)
    encryption = {
        consumer.orgno: issuing.issue_enterprise(
            consumer.orgno, organisation_name=consumer.service.upper(), now=ISSUED, purpose="encryption"
        )
        for consumer in seed.CONSUMERS
    }
    stranger = issuing.issue_enterprise("999999999", organisation_name="STRANGER", now=ISSUED, purpose="encryption")
    credential = create_signing_credential(issuing, now=ISSUED, environment="test")
    signing = SigningKey(kid=default_kid(credential), credential=credential, root=root.certificate)
    return Pki(encryption, stranger, signing, TrustStore(roots=(root.certificate,)))


@dataclass
class Bank:
    client: httpx.AsyncClient
    app: Litestar
    audit: MemoryAuditLog
    registers: MemoryRegisters
    pki: Pki
    issuer: Any  # tests.conftest.TokenIssuer
    references: dict[str, str] = field(default_factory=dict)

    def token(
        self,
        consumer: seed.Consumer,
        *,
        audience: str = seed.BASE_URL,
        scope: str = seed.SCOPE,
        now: datetime = seed.NOW,
        lifetime: int = 120,
    ) -> str:
        token: str = self.issuer.mint(consumer.orgno, scope, audience, now=now, lifetime=lifetime)
        return token

    def order(self, *, party: str = seed.ANNE, approved: datetime = seed.NOW - timedelta(days=1), **fields: Any) -> str:
        """A signed extradition order for ``party`` (defaults: all but cards/roles allowed)."""
        claims: dict[str, Any] = {
            "partyID": party,
            "mandate": "straffesak",
            "fromDate": "2020-01-01",
            "toDate": seed.TODAY.isoformat(),
            "onlyPrimaryOwner": True,
            "accountDetails": True,
            "transactions": True,
            "cards": False,
            "roles": False,
            "district": {"districtID": "1", "districtLabel": "Oslo politidistrikt"},
            "approval": {
                "approvedByID": "pa-4711",
                "approvedByName": "Kari Nordmann",
                "approvedByRole": "Politiadvokat",
            },
            "caseID": "9b2e7c1a-4d3f-4e8b-a6c5-1f0d2e3b4a59",
            **fields,
        }
        order = new_order(claims, now=approved, synthetic_allowed=True)  # the test bank's people are synthetic
        return issue_extradition_order(order, self.pki.signing.credential, kid=self.pki.signing.kid)

    def headers(
        self,
        consumer: seed.Consumer,
        *,
        party: str | None = None,
        case: str = CASE,
        accept: str | None = "application/json",
        token: str | None = None,
        **extra: str,
    ) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {token or self.token(consumer)}",
            "CorrelationID": str(uuid.uuid4()),
            "AccountInfoRequestID": case,
            "Legal-Mandate": consumer.mandate.encoded,
        }
        if accept is not None:
            headers["Accept"] = accept
        if party is not None:
            headers["PartyID"] = party
        if consumer.service in ("skatt", "politi"):
            headers["RequesterID"] = "saksbehandler-17"
        if consumer.service == "politi":
            headers["AdditionalReferenceIDType"] = "pol1"
            headers["AdditionalReferenceID"] = self.order(party=party or seed.ANNE)
        if consumer.service == "verge":
            headers["AdditionalReferenceIDType"] = "srf"
            headers["AdditionalReferenceID"] = seed.GUARDIAN
        headers.update(extra)
        return headers

    async def accounts(
        self, consumer: seed.Consumer, party: str, *, params: Mapping[str, str] | None = None, **header_options: Any
    ) -> httpx.Response:
        query = {"OnlyPrimaryOwner": "true", **default_period(consumer), **(params or {})}
        return await self.client.get(
            "/v2/accounts", params=query, headers=self.headers(consumer, party=party, **header_options)
        )

    async def reference(self, consumer: seed.Consumer, party: str, account_number: str, **header_options: Any) -> str:
        response = await self.accounts(consumer, party, **header_options)
        assert response.status_code == 200, response.text
        for account in response.json()["accounts"]:
            if account["accountIdentifier"] == account_number:
                return str(account["accountReference"])
        raise AssertionError(f"{account_number} not listed for {consumer.service}: {response.text}")

    async def get(
        self,
        consumer: seed.Consumer,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        party: str | None = None,
        **header_options: Any,
    ) -> httpx.Response:
        query = {**default_period(consumer), **(params or {})}
        return await self.client.get(path, params=query, headers=self.headers(consumer, party=party, **header_options))

    def decrypt(self, response: httpx.Response, credential: Credential) -> Any:
        return msgspec.json.decode(decrypt_compact(response.text, credential.private_key))


def default_period(consumer: seed.Consumer) -> dict[str, str]:
    """A period each service's rules accept (the DSOP services' “Løsningsbeskrivelse” pages)."""
    today = seed.TODAY.isoformat()
    return {
        "skatt": {"fromDate": "2025-01-01", "toDate": today},
        "politi": {"fromDate": "2025-01-01", "toDate": today},
        "nav": {"fromDate": "2025-01-01", "toDate": today},
        "konkurs": {"fromDate": "2025-01-01", "toDate": today},
        "oed": {"fromDate": "2025-09-01", "toDate": today},
        "verge": {"fromDate": "2025-01-01", "toDate": "2025-12-31"},
    }[consumer.service]


def settings(**overrides: Any) -> ProviderSettings:
    values: dict[str, Any] = {
        "bank_orgno": seed.BANK_ORGNO,
        "bank_name": "Testbanken ASA",
        "environment": "test",
        "base_url": seed.BASE_URL,
        "page_size": 3,
        "paging_key": seed.PAGING_KEY.decode(),
        "reference_secret": seed.REFERENCE_SECRET.decode(),
        "rate_per_second": 0,
        **overrides,
    }
    return ProviderSettings(**values)


async def seeded_store(now: datetime = seed.NOW) -> MemoryBankStore:
    store = MemoryBankStore(reference_secret=seed.REFERENCE_SECRET, servicer=seed.SERVICER, clock=lambda: now)
    await store.load(
        parties=seed.parties(),
        accounts=seed.accounts(),
        relations=seed.relations(),
        balances=seed.balances(),
        cards=seed.cards(),
        transactions=seed.transactions(),
    )
    return store


def registers() -> MemoryRegisters:
    memory = MemoryRegisters(deaths={seed.DAG: seed.DEATH}, shielded={seed.SKJERMET}, rulings={seed.FIRMA: seed.RULING})
    memory.add_guardianships(seed.guardianships())
    return memory


async def open_bank(
    pki: Pki, issuer: Any, *, facts: FactsSource | None = None, store: BankStore | None = None, **setting_overrides: Any
) -> Bank:
    audit = MemoryAuditLog()
    memory = registers()
    jwks = jwks_document([(pki.signing.kid, pki.signing.credential)])
    app = create_app(
        settings(**setting_overrides),
        clock=lambda: seed.NOW,
        store=store or await seeded_store(),
        tokens=issuer.verifier(seed.BASE_URL, (seed.SCOPE,), clock=lambda: seed.NOW),
        facts=facts or RegisterFacts(memory),
        orders=ProsecutionOrders.with_static_jwks(jwks, pki.trust_store),
        certificates=StaticCertificates({org: cred.certificate for org, cred in pki.encryption.items()}),
        audit=audit,
    )
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://bank.test")
    return Bank(client=client, app=app, audit=audit, registers=memory, pki=pki, issuer=issuer)


__all__ = ["CASE", "OTHER_CASE", "Bank", "Pki", "build_pki", "default_period", "open_bank", "settings"]
