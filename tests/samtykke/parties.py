"""All parties of a consent flow in-process: consent service, token service, four data sources, a bank, a browser.

Each service is a real app (SQLite in tmp_path, one hand-moved clock); they reach each other through
``httpx.ASGITransport`` mounts, never the network.  The data sources re-check revocation with the
consent service (``HttpConsentStatus``) using tokens the authority issues to their own organisations.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from opendsop.authority import AuthoritySettings, TokenVerifier
from opendsop.authority import create_app as create_authority
from opendsop.authority.clients import new_client
from opendsop.authority.consent import HttpConsentLookup
from opendsop.consent import ConsentSettings
from opendsop.consent import create_app as create_consent
from opendsop.consent.parties import MappingRepresentatives
from opendsop.samtykke.client import Endpoints, Identity, SamtykkeClient, Service
from opendsop.sources import krav, lanekassen, nav, skatteetaten
from opendsop.sources.consent_check import HttpConsentStatus
from opendsop.sources.data import World, generate_world
from opendsop.trust.keys import public_jwks

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SEED = 4711
AUTHORITY = "http://authority.test/"
CONSENT = "https://consent.test"
SKATTEETATEN = "https://api.skatteetaten.test/"
LANEKASSEN = "https://ekstern01.api.test.lanekassen.no/"
NAV = "https://api.nav.test/"
KRAV = "https://kravogbetalinger.api.skatteetaten.test/"
ADMIN_TOKEN = "admin-token-for-samtykke-tests"  # noqa: S105
API_KEY = "lanekassen-test-key"
BANK = "984851006"
BANK_NAME = "Testbanken ASA"
OTHER_BANK = "923456783"
REDIRECT = "https://bank.test/samtykke/callback"
BANK_SCOPES = ("altinn:consentrequests.write", "altinn:consentrequests.read", "skatteetaten:inntekt",
               "skatteetaten:summertskattegrunnlag", "lanekassen:lan/v1/saldoopplysninger", "nav:arbeid/v1/aap",
               "nav:helse/v1/uforeopplysninger", "skatteetaten:kravogbetalinger")
# Owners of the resources (consent.resources.RESOURCES[...].owner_org): they may read consent status.
OWNERS = {"skatteetaten": "974761076", "lanekassen": "960885406", "nav": "889640782"}
READ = "altinn:consentrequests.read"


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_NEXT = re.compile(r'name="next" value="([^"]*)"')


def _field(pattern: re.Pattern[str], page: str) -> str:
    match = pattern.search(page)
    assert match, "the page lacks an expected form field"
    return html.unescape(match.group(1))


@dataclass
class Person:
    """The person's browser on the consent pages (keeps cookies, does not follow redirects)."""

    fnr: str
    browser: httpx.AsyncClient

    async def open(self, view_uri: str) -> httpx.Response:
        """Follow the bank's redirect to the request page, logging in on the way if asked to."""
        page = await self.browser.get(urlsplit(view_uri).path)
        if page.status_code == 303 and page.headers["location"].startswith("/login"):
            login = await self.browser.get(page.headers["location"])
            done = await self.browser.post("/login", data={"csrf": _field(_CSRF, login.text), "pid": self.fnr,
                                                           "next": _field(_NEXT, login.text)})
            assert done.status_code == 303, done.text
            page = await self.browser.get(done.headers["location"])
        return page

    async def answer(self, view_uri: str, decision: str) -> str:
        """Read the consent text and press a button; the URL the browser is sent back to."""
        page = await self.open(view_uri)
        assert page.status_code == 200, page.text
        posted = await self.browser.post(urlsplit(view_uri).path, data={"csrf": _field(_CSRF, page.text),
                                                                        "decision": decision})
        assert posted.status_code == 303, posted.text
        return str(posted.headers["location"])

    async def revoke(self, consent_id: str) -> None:
        """Withdraw the consent from "my consents"."""
        mine = await self.browser.get("/my")
        assert mine.status_code == 200 and f"/my/{consent_id}/revoke" in mine.text
        done = await self.browser.post(f"/my/{consent_id}/revoke", data={"csrf": _field(_CSRF, mine.text)})
        assert done.status_code == 303


@dataclass
class Parties:
    clock: Clock
    world: World
    bank: SamtykkeClient
    http: httpx.AsyncClient  # the bank's client, mounted on every service
    consent_app: Any
    lanekassen_app: Any
    bank_key: Any
    browsers: list[httpx.AsyncClient]

    def person(self, fnr: str) -> Person:
        browser = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.consent_app), base_url=CONSENT)
        self.browsers.append(browser)
        return Person(fnr, browser)

    def client(self, org: str, client_id: str) -> SamtykkeClient:
        return SamtykkeClient(Identity(org, client_id, self.bank_key), self.bank.endpoints, self.http,
                              clock=self.clock)


def endpoints() -> Endpoints:
    return Endpoints(authority=AUTHORITY, consent=Service(CONSENT), skatteetaten=Service(SKATTEETATEN.rstrip("/"),
                     SKATTEETATEN), lanekassen=Service(LANEKASSEN.rstrip("/"), LANEKASSEN),
                     nav=Service(NAV.rstrip("/"), NAV), krav=Service(KRAV.rstrip("/"), KRAV),
                     lanekassen_api_key=API_KEY)


@asynccontextmanager
async def parties(tmp_path: Path, bank_key: Any, altinn2_key: Any, *, persons: int = 8,
                  organisations: int = 3) -> AsyncIterator[Parties]:
    clock = Clock()
    world = generate_world(SEED, today=NOW.date(), persons=persons, organisations=organisations)
    async with AsyncExitStack() as stack:
        apps: dict[str, Any] = {}

        def transport(name: str) -> httpx.ASGITransport:
            return httpx.ASGITransport(app=apps[name])

        authority_http = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=_Lazy(apps, "authority")), base_url=AUTHORITY))

        async def fetch_jwks(_url: str) -> dict[str, Any]:
            answer = await authority_http.get("/jwks")
            body: dict[str, Any] = answer.json()
            return body

        def verifier(audience: str) -> TokenVerifier:
            return TokenVerifier(AUTHORITY, AUTHORITY + "jwks", audience, (), fetch_jwks=fetch_jwks, clock=clock)

        # Every organisation that reads or signs: the bank, another bank, the resource owners.
        representatives = {org.orgnr: [next(iter(world.persons))] for org in world.organisations.values()}
        apps["consent"] = create_consent(
            ConsentSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'consent.db'}", public_url=CONSENT,
                            admin_token=ADMIN_TOKEN, organisation_names={BANK: BANK_NAME},
                            session_secret="a-test-secret-of-sufficient-length", issuer=AUTHORITY),
            clock=clock, verifier=verifier(CONSENT), altinn2_key=altinn2_key,
            representatives=MappingRepresentatives(representatives))
        lookup_http = await stack.enter_async_context(httpx.AsyncClient(transport=transport("consent")))
        apps["authority"] = create_authority(
            AuthoritySettings(issuer=AUTHORITY, database_url=f"sqlite+aiosqlite:///{tmp_path / 'authority.db'}"),
            clock=clock, trust_roots=[], consent_lookup=HttpConsentLookup(CONSENT, ADMIN_TOKEN, client=lookup_http))
        mounts = {"https://consent.test": transport("consent"), "http://authority.test": transport("authority")}
        http = await stack.enter_async_context(httpx.AsyncClient(mounts=mounts, transport=_NOWHERE))
        base = endpoints()

        def status_port(owner: str) -> HttpConsentStatus:
            owner_client = SamtykkeClient(Identity(owner, f"owner-{owner}", bank_key), base, http, clock=clock)

            async def bearer() -> str:
                return await owner_client.access_token([READ], CONSENT)

            return HttpConsentStatus(CONSENT + "/accessmanagement/api/v1/enterprise", bearer=bearer,
                                     transport=transport("consent"))

        apps["skatteetaten"] = skatteetaten.create_app(world, verifier=verifier(SKATTEETATEN),
                                                       consent_status=status_port(OWNERS["skatteetaten"]), clock=clock)
        apps["lanekassen"] = lanekassen.create_app(world, verifier=verifier(LANEKASSEN), api_key=API_KEY,
                                                   consent_status=status_port(OWNERS["lanekassen"]), clock=clock)
        apps["nav"] = nav.create_app(world, verifier=verifier(NAV), consent_status=status_port(OWNERS["nav"]),
                                     clock=clock)
        apps["krav"] = krav.create_app(world, verifier=verifier(KRAV),
                                       consent_status=status_port(OWNERS["skatteetaten"]), clock=clock)
        for name, url in (("skatteetaten", SKATTEETATEN), ("lanekassen", LANEKASSEN), ("nav", NAV), ("krav", KRAV)):
            mounts[url.rstrip("/")] = transport(name)
        # Rebuild with all mounts (httpx fixes mounts at construction).
        http = await stack.enter_async_context(httpx.AsyncClient(mounts=mounts, transport=_NOWHERE))
        for name in ("consent", "authority"):
            await stack.enter_async_context(apps[name].lifespan())
        await _register(apps["authority"], bank_key, world, clock)
        bank = SamtykkeClient(Identity(BANK, "bank-client", bank_key), base, http, clock=clock)
        everyone = Parties(clock, world, bank, http, apps["consent"], apps["lanekassen"], bank_key, [])
        try:
            yield everyone
        finally:
            for browser in everyone.browsers:
                await browser.aclose()


async def _register(authority: Any, key: Any, world: World, clock: Clock) -> None:
    store = authority.state.store
    jwks = public_jwks([key])
    stamp = int(clock.now.timestamp())
    await store.add_client(new_client("bank-client", BANK, BANK_SCOPES, jwks=jwks), now=stamp)
    await store.add_client(new_client("other-bank", OTHER_BANK, BANK_SCOPES, jwks=jwks), now=stamp)
    for owner in set(OWNERS.values()):
        await store.add_client(new_client(f"owner-{owner}", owner, [READ], jwks=jwks), now=stamp)


def _refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError(f"no in-process service at {request.url.host}", request=request)


# The fallback of the mounted clients: never the network (and no TLS context to build).
_NOWHERE = httpx.MockTransport(_refuse)


class _Lazy:
    """An ASGI app resolved at call time (the authority is created after the verifiers that fetch its keys)."""

    def __init__(self, apps: dict[str, Any], name: str) -> None:
        self.apps, self.name = apps, name

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.apps[self.name](scope, receive, send)
