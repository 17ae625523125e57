"""Helpers of the consent tests: parties, a hand-moved clock, request bodies, page form helpers."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any

import httpx

from opendsop.standard.identifiers import generate_fodselsnummer

START = datetime(2026, 5, 4, 12, 0, 0, tzinfo=UTC)
PUBLIC_URL = "https://consent.test"
ADMIN_TOKEN = "admin-secret-for-tests"  # noqa: S105
BANK = "984851006"  # the consumer (to)
BANK_NAME = "Testbanken ASA"
OTHER_BANK = "923456783"
SUPPLIER = "812345672"
BUSINESS = "974760673"  # an organisation giving consent (FI-K&B)
SKATTEETATEN = "974761076"  # owner of the ske-* resources
PERSON = generate_fodselsnummer(Random(7), date(1985, 10, 15))  # synthetic (month + 80)
OTHER_PERSON = generate_fodselsnummer(Random(8), date(1990, 3, 2))
REAL_PERSON = generate_fodselsnummer(Random(7), date(1985, 10, 15), synthetic=False)
PERSON_URN = "urn:altinn:person:identifier-no:"
ORG_URN = "urn:altinn:organization:identifier-no:"
API = "/accessmanagement/api/v1/enterprise/consentrequests"
WRITE = "altinn:consentrequests.write"
READ = "altinn:consentrequests.read"
TOKENS = "altinn:consenttokens"


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def right(resource: str = "ske-sbl-inntekt", **metadata: str) -> dict[str, Any]:
    if resource == "ske-sbl-inntekt" and not metadata:
        metadata = {"inntektsaar": "2025"}
    return {
        "action": ["consent"],
        "resource": [{"type": "urn:altinn:resource", "value": resource}],
        "metaData": metadata,
    }


def request_body(**overrides: Any) -> dict[str, Any]:
    """A valid Altinn 3 consent request made at ``now`` (default START); a test overrides one member
    (None removes it)."""
    now: datetime = overrides.pop("now", START)
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()), "from": PERSON_URN + PERSON, "to": ORG_URN + BANK,
        "validTo": (now + timedelta(days=9)).isoformat(), "consentRights": [right()],
        "redirectUrl": "https://bank.test/callback",
    }  # fmt: skip
    for name, value in overrides.items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    return body


def a2_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "coveredBy": BANK, "offeredBy": PERSON, "offeredByName": "Nordmann", "requiredDelegator": PERSON,
        "requiredDelegatorName": "Nordmann", "validTo": (START + timedelta(days=9)).isoformat(),
        "redirectUrl": "https://bank.test/a2", "requestMessage": {},
        "requestResources": [{"serviceCode": "4628", "serviceEditionCode": "210607",
                              "Metadata": {"Navn": "Testbanken ASA", "inntektsaar": "2025"}}],
    }  # fmt: skip
    body.update(overrides)
    return body


@dataclass
class Consumer:
    """A bank calling the consent API with tokens from the test issuer."""

    http: httpx.AsyncClient
    issuer: Any
    clock: Clock
    org: str = BANK
    supplier: str | None = None

    def token(self, scope: str) -> str:
        return self.issuer.mint(self.org, scope, PUBLIC_URL, now=self.clock.now, supplier_org=self.supplier)

    def headers(self, scope: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(scope)}"}

    async def create(self, body: dict[str, Any]) -> httpx.Response:
        return await self.http.post(API + "/", json=body, headers=self.headers(WRITE))

    async def read(self, consent_id: str) -> httpx.Response:
        return await self.http.get(f"{API}/{consent_id}", headers=self.headers(READ))


async def register_consent_clients(app: Any, now: datetime) -> None:
    """What the consent service must know before the tests send requests: the banks' and the supplier's
    redirect URLs, and the bank's delegation to the supplier (``handledBy``)."""
    registry = app.state.consent.registry
    await registry.add_redirect(BANK, "https://bank.test/", now=now)
    await registry.add_redirect(SUPPLIER, "https://supplier.test/", now=now)
    await registry.add_redirect(OTHER_BANK, "https://other-bank.test/", now=now)
    await registry.add_delegation(BANK, SUPPLIER, now=now)


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def login(browser: httpx.AsyncClient, person: str, next_path: str = "/my") -> httpx.Response:
    page = await browser.get("/login", params={"next": next_path})
    assert page.status_code == 200
    return await browser.post("/login", data={"csrf": csrf_of(page.text), "pid": person, "next": next_path})


async def answer(browser: httpx.AsyncClient, consent_id: str, decision: str) -> httpx.Response:
    page = await browser.get(f"/request/{consent_id}")
    assert page.status_code == 200, page.text
    return await browser.post(f"/request/{consent_id}", data={"csrf": csrf_of(page.text), "decision": decision})


# -- the token service with consent lookups --------------------------------------------------------

AUTHORITY = "http://authority.test/"
DATA_SOURCE = "https://inntekt.skatteetaten.test"
INNTEKT = "skatteetaten:inntekt"
BANK_CLIENT = "bank-kid"
SUPPLIER_CLIENT = "supplier-kid"


async def register_clients(app: Any, client_key: Any, now: datetime) -> None:
    """The bank and a supplier acting for it (delegated ``skatteetaten:inntekt``), on the authority's store."""
    from opendsop.authority.clients import new_client
    from opendsop.trust.keys import public_jwks

    store = app.state.store
    jwks = public_jwks([client_key])
    stamp = int(now.timestamp())
    await store.add_client(new_client(BANK_CLIENT, BANK, [INNTEKT], jwks=jwks), now=stamp)
    await store.add_client(new_client(SUPPLIER_CLIENT, SUPPLIER, [INNTEKT], jwks=jwks), now=stamp)
    await store.add_client(new_client("other-kid", OTHER_BANK, [INNTEKT], jwks=jwks), now=stamp)
    await store.add_delegation(BANK, SUPPLIER, [INNTEKT], now=stamp)


def consent_grant(client_key: Any, now: datetime, details: Any, client_id: str = BANK_CLIENT, **claims: Any) -> str:
    """A signed JWT grant asking for ``skatteetaten:inntekt`` with ``authorization_details``."""
    from opendsop.trust.jwt import sign_jwt

    iat = int(now.timestamp())
    body: dict[str, Any] = {
        "aud": AUTHORITY,
        "iss": client_id,
        "iat": iat,
        "exp": iat + 60,
        "jti": str(uuid.uuid4()),
        "scope": INNTEKT,
        "resource": DATA_SOURCE,
    }
    if details is not None:
        body["authorization_details"] = details
    body.update(claims)
    return sign_jwt(body, client_key, alg="RS256", header={"kid": client_key.kid})


def consent_detail(consent_id: str, person: str = PERSON) -> list[dict[str, str]]:
    return [{"type": "urn:altinn:consent", "id": consent_id, "from": PERSON_URN + person}]


async def token_request(http: httpx.AsyncClient, assertion: str) -> httpx.Response:
    from urllib.parse import urlencode

    body = urlencode({"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion})
    return await http.post("/token", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
