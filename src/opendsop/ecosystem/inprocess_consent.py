"""Every consent party in one process, for the demo and tests (DSOP SBL “Samtykkeløsningen”; DSOP SBL “Om tjenesten”;
DSOP “Altinn 3.0”).

``parties()`` starts the real apps — the consent service (Altinn 3-like, with its approval pages),
the token service (Maskinporten-like), four data sources (Skatteetaten SBL/SSG, Lånekassen, NAV,
Skatteetaten krav og betalinger) — and gives a bank (``SamtykkeClient``) and persons' browsers on
the consent pages.  Decisions:

* the apps reach each other through ``httpx.ASGITransport`` mounts, never the network: a URL with
  no in-process service fails with ``httpx.ConnectError`` (and no TLS context is ever built);
* one hand-moved ``Clock`` drives every party, so expiry and revocation can be shown without waiting;
* state lives in SQLite files in a directory the caller gives, or in a temporary directory that is
  removed on exit;
* RSA keys are slow to make: the bank's key and the consent service's Altinn 2 signing key are made
  once per process (``demo_keys``) unless the caller passes its own; the owners' status clients
  share the bank's key (each is a separately registered client).  The token service makes its own
  signing key at start, as in production;
* the sources re-check revocation with the consent service (``HttpConsentStatus``) using tokens the
  token service issues to the resource owners' organisations;
* a withdrawn consent is posted by the consent service to Lånekassen's consent-events hook, so its
  consent cache drops it at once;
* the banks' redirect URLs are registered with the consent service at start, as an operator would
  with ``dsop consent redirect add`` (a request whose ``redirectUrl`` is elsewhere is refused).
"""

from __future__ import annotations

import html
import re
import tempfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from opendsop.authority import AuthoritySettings
from opendsop.authority import create_app as create_authority
from opendsop.authority.clients import new_client
from opendsop.authority.consent import HttpConsentLookup
from opendsop.clock import oslo_date
from opendsop.consent import ConsentSettings
from opendsop.consent import create_app as create_consent
from opendsop.consent.parties import MappingRepresentatives
from opendsop.contracts.verify import TokenVerifier
from opendsop.samtykke.client import Endpoints, Identity, SamtykkeClient, SamtykkeError, Service
from opendsop.sources import krav, lanekassen, nav, skatteetaten
from opendsop.sources.consent_check import HttpConsentStatus
from opendsop.sources.data import World, generate_world
from opendsop.trust.keys import generate_rsa_key, public_jwks

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SEED = 4711
AUTHORITY = "http://authority.test/"
CONSENT = "https://consent.test"
SKATTEETATEN = "https://api.skatteetaten.test/"
LANEKASSEN = "https://ekstern01.api.test.lanekassen.no/"
NAV = "https://api.nav.test/"
KRAV = "https://kravogbetalinger.api.skatteetaten.test/"
ADMIN_TOKEN = "admin-token-for-the-local-parties"  # noqa: S105 - a local, in-process secret
SESSION_SECRET = "a-local-session-secret-of-sufficient-length"  # noqa: S105 - likewise
HOOK_TOKEN = "a-local-revocation-hook-secret"  # noqa: S105 - likewise
API_KEY = "lanekassen-local-key"
BANK = "984851006"
BANK_NAME = "Testbanken ASA"
OTHER_BANK = "923456783"
REDIRECT = "https://bank.test/samtykke/callback"
# The redirectUrl prefixes each bank registered with the consent service (dsop consent redirect add).
BANK_REDIRECTS = "https://bank.test/samtykke/"
OTHER_BANK_REDIRECTS = "https://other-bank.test/"
BANK_KID = "bank-key-1"
ALTINN2_KID = "altinn2-samtykke"
BANK_SCOPES = (
    "altinn:consentrequests.write",
    "altinn:consentrequests.read",
    "skatteetaten:inntekt",
    "skatteetaten:summertskattegrunnlag",
    "lanekassen:lan/v1/saldoopplysninger",
    "nav:arbeid/v1/aap",
    "nav:helse/v1/uforeopplysninger",
    "skatteetaten:kravogbetalinger",
)
# Owners of the resources (contracts.consent_resources.RESOURCES[...].owner_org): they may read consent status.
OWNERS = {"skatteetaten": "974761076", "lanekassen": "960885406", "nav": "889640782"}
READ = "altinn:consentrequests.read"


class PageError(SamtykkeError):
    """A consent page did not answer as a person's browser expects (missing form, unexpected status)."""


class Clock:
    """The one clock of every party; moved by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@cache
def demo_keys() -> tuple[Any, Any]:
    """The bank's signing key and the Altinn 2 consent-token key, made once per process."""
    return generate_rsa_key(kid=BANK_KID), generate_rsa_key(kid=ALTINN2_KID)


_FIELDS = {"csrf": re.compile(r'name="csrf" value="([^"]+)"'), "next": re.compile(r'name="next" value="([^"]*)"')}


def _field(name: str, page: httpx.Response) -> str:
    match = _FIELDS[name].search(page.text)
    if not match:
        raise PageError(f"the page {page.request.url.path} has no {name!r} form field")
    return html.unescape(match.group(1))


def _expect(response: httpx.Response, status: int, doing: str) -> None:
    if response.status_code != status:
        raise PageError(
            f"{doing}: {response.request.url.path} answered {response.status_code}, not {status}: {response.text[:200]}"
        )


@dataclass
class Person:
    """The person's browser on the consent pages (keeps cookies, does not follow redirects)."""

    fnr: str
    browser: httpx.AsyncClient
    logged_in: bool = False

    async def login(self, target: str) -> httpx.Response:
        """Log in on the synthetic ID-porten page the consent service sent us to; the page we land on."""
        login = await self.browser.get(target)
        _expect(login, 200, "the login page")
        done = await self.browser.post(
            "/login", data={"csrf": _field("csrf", login), "pid": self.fnr, "next": _field("next", login)}
        )
        _expect(done, 303, "logging in")
        self.logged_in = True
        return await self.browser.get(done.headers["location"])

    async def open(self, view_uri: str) -> httpx.Response:
        """Follow the bank's redirect to the request page, logging in on the way if asked to."""
        page = await self.browser.get(urlsplit(view_uri).path)
        if page.status_code == 303 and page.headers["location"].startswith("/login"):
            page = await self.login(page.headers["location"])
        return page

    async def answer(self, view_uri: str, decision: str) -> str:
        """Read the consent text and press a button; the URL the browser is sent back to."""
        page = await self.open(view_uri)
        _expect(page, 200, "the consent request page")
        posted = await self.browser.post(
            urlsplit(view_uri).path, data={"csrf": _field("csrf", page), "decision": decision}
        )
        _expect(posted, 303, f"answering {decision}")
        return str(posted.headers["location"])

    async def my_consents(self) -> httpx.Response:
        """The "my consents" page (logging in first if needed)."""
        mine = await self.browser.get("/my")
        if mine.status_code == 303 and mine.headers["location"].startswith("/login"):
            mine = await self.login(mine.headers["location"])
        _expect(mine, 200, "my consents")
        return mine

    async def revoke(self, consent_id: str) -> None:
        """Withdraw the consent from "my consents"."""
        mine = await self.my_consents()
        if f"/my/{consent_id}/revoke" not in mine.text:
            raise PageError(f"my consents offers no revoke button for consent {consent_id}")
        done = await self.browser.post(f"/my/{consent_id}/revoke", data={"csrf": _field("csrf", mine)})
        _expect(done, 303, "revoking")


@dataclass
class Parties:
    """Handles on the running parties: the bank's client, browsers for persons, the synthetic world."""

    clock: Clock
    world: World
    bank: SamtykkeClient
    http: httpx.AsyncClient  # the bank's client, mounted on every service
    consent_app: Any
    lanekassen_app: Any
    bank_key: Any
    browsers: list[httpx.AsyncClient] = field(default_factory=list)

    def person(self, fnr: str) -> Person:
        """A fresh browser (no session yet) for the person ``fnr`` on the consent pages."""
        browser = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.consent_app), base_url=CONSENT)
        self.browsers.append(browser)
        return Person(fnr, browser)

    def client(self, org: str, client_id: str) -> SamtykkeClient:
        """Another consumer using the bank's key (registered clients: ``bank-client``, ``other-bank``)."""
        return SamtykkeClient(Identity(org, client_id, self.bank_key), self.bank.endpoints, self.http, clock=self.clock)


def endpoints() -> Endpoints:
    """Where the in-process parties live (the URLs the mounts answer)."""
    return Endpoints(
        authority=AUTHORITY,
        consent=Service(CONSENT),
        skatteetaten=Service(SKATTEETATEN.rstrip("/"), SKATTEETATEN),
        lanekassen=Service(LANEKASSEN.rstrip("/"), LANEKASSEN),
        nav=Service(NAV.rstrip("/"), NAV),
        krav=Service(KRAV.rstrip("/"), KRAV),
        lanekassen_api_key=API_KEY,
    )


@asynccontextmanager
async def parties(
    directory: Path | None = None,
    bank_key: Any = None,
    altinn2_key: Any = None,
    *,
    persons: int = 8,
    organisations: int = 3,
    now: datetime = NOW,
) -> AsyncIterator[Parties]:
    """Start every party; SQLite files in ``directory`` (default: a temporary directory removed on exit)."""
    if bank_key is None or altinn2_key is None:
        default_bank, default_altinn2 = demo_keys()
        bank_key = default_bank if bank_key is None else bank_key
        altinn2_key = default_altinn2 if altinn2_key is None else altinn2_key
    async with AsyncExitStack() as stack:
        if directory is None:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="opendsop-samtykke-")))
        clock = Clock(now)
        world = generate_world(SEED, today=oslo_date(now), persons=persons, organisations=organisations)
        everyone = await _start(stack, directory, clock, world, bank_key, altinn2_key)
        try:
            yield everyone
        finally:
            for browser in everyone.browsers:
                await browser.aclose()


async def _start(
    stack: AsyncExitStack, directory: Path, clock: Clock, world: World, bank_key: Any, altinn2_key: Any
) -> Parties:
    apps: dict[str, Any] = {}

    def transport(name: str) -> httpx.ASGITransport:
        # Resolved per call: the authority is created after the verifiers that fetch its keys.
        return httpx.ASGITransport(app=_Lazy(apps, name))

    mounts = {CONSENT: transport("consent"), AUTHORITY.rstrip("/"): transport("authority")}
    for name, url in (("skatteetaten", SKATTEETATEN), ("lanekassen", LANEKASSEN), ("nav", NAV), ("krav", KRAV)):
        mounts[url.rstrip("/")] = transport(name)
    http = await stack.enter_async_context(httpx.AsyncClient(mounts=mounts, transport=_NOWHERE))

    async def fetch_jwks(_url: str) -> dict[str, Any]:
        answer = await http.get(AUTHORITY + "jwks")
        body: dict[str, Any] = answer.json()
        return body

    def verifier(audience: str) -> TokenVerifier:
        return TokenVerifier(AUTHORITY, AUTHORITY + "jwks", audience, (), fetch_jwks=fetch_jwks, clock=clock)

    # Every organisation that reads or signs: the bank, another bank, the resource owners.
    representatives = {org.orgnr: [next(iter(world.persons))] for org in world.organisations.values()}
    apps["consent"] = create_consent(
        ConsentSettings(
            database_url=f"sqlite+aiosqlite:///{directory / 'consent.db'}",
            public_url=CONSENT,
            admin_token=ADMIN_TOKEN,
            organisation_names={BANK: BANK_NAME},
            session_secret=SESSION_SECRET,
            issuer=AUTHORITY,
            revocation_hooks={OWNERS["lanekassen"]: LANEKASSEN + "internal/consent-events"},
            revocation_hook_token=HOOK_TOKEN,
        ),
        clock=clock,
        verifier=verifier(CONSENT),
        altinn2_key=altinn2_key,
        hooks_client=http,
        representatives=MappingRepresentatives(representatives),
    )
    lookup_http = await stack.enter_async_context(httpx.AsyncClient(transport=transport("consent")))
    apps["authority"] = create_authority(
        AuthoritySettings(issuer=AUTHORITY, database_url=f"sqlite+aiosqlite:///{directory / 'authority.db'}"),
        clock=clock,
        trust_roots=[],
        consent_lookup=HttpConsentLookup(CONSENT, ADMIN_TOKEN, client=lookup_http),
    )
    base = endpoints()

    def status_port(owner: str) -> HttpConsentStatus:
        owner_client = SamtykkeClient(Identity(owner, f"owner-{owner}", bank_key), base, http, clock=clock)

        async def bearer() -> str:
            return await owner_client.access_token([READ], CONSENT)

        return HttpConsentStatus(
            CONSENT + "/accessmanagement/api/v1/enterprise", bearer=bearer, transport=transport("consent")
        )

    apps["skatteetaten"] = skatteetaten.create_app(
        world, verifier=verifier(SKATTEETATEN), consent_status=status_port(OWNERS["skatteetaten"]), clock=clock
    )
    apps["lanekassen"] = lanekassen.create_app(
        world,
        verifier=verifier(LANEKASSEN),
        api_key=API_KEY,
        consent_status=status_port(OWNERS["lanekassen"]),
        clock=clock,
        events_token=HOOK_TOKEN,
    )
    apps["nav"] = nav.create_app(world, verifier=verifier(NAV), consent_status=status_port(OWNERS["nav"]), clock=clock)
    apps["krav"] = krav.create_app(
        world, verifier=verifier(KRAV), consent_status=status_port(OWNERS["skatteetaten"]), clock=clock
    )
    for name in ("consent", "authority"):
        await stack.enter_async_context(apps[name].lifespan())
    await _register(apps["authority"], bank_key, clock)
    registry = apps["consent"].state.consent.registry
    await registry.add_redirect(BANK, BANK_REDIRECTS, now=clock.now)
    await registry.add_redirect(OTHER_BANK, OTHER_BANK_REDIRECTS, now=clock.now)
    bank = SamtykkeClient(Identity(BANK, "bank-client", bank_key), base, http, clock=clock)
    return Parties(clock, world, bank, http, apps["consent"], apps["lanekassen"], bank_key)


async def _register(authority: Any, key: Any, clock: Clock) -> None:
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
    """An ASGI app resolved at call time."""

    def __init__(self, apps: dict[str, Any], name: str) -> None:
        self.apps, self.name = apps, name

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.apps[self.name](scope, receive, send)


__all__ = [
    "ADMIN_TOKEN", "API_KEY", "AUTHORITY", "BANK", "BANK_NAME", "BANK_REDIRECTS", "BANK_SCOPES", "CONSENT", "KRAV",
    "LANEKASSEN", "NAV", "NOW", "OTHER_BANK", "OTHER_BANK_REDIRECTS", "OWNERS",
    "REDIRECT", "SEED", "SKATTEETATEN", "Clock", "PageError", "Parties", "Person", "demo_keys", "endpoints", "parties",
]  # fmt: skip
