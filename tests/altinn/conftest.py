"""Fixtures of the message platform's tests: the platform on a fresh database (SQLite and PostgreSQL),
its app in-process behind a trusted token issuer, a clock the test moves, and clients per organisation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from opendsop.altinn.app import create_app
from opendsop.altinn.platform import Platform
from opendsop.altinn.settings import AltinnSettings
from opendsop.altinn.store import MessageStore
from opendsop.contracts.messaging import MessagingClient
from opendsop.contracts.messaging.models import Resource, RoleAssignment
from opendsop.contracts.messaging.names import ALL_SCOPES, TRANSPORT_GUARANTEE_ROLE

PUBLIC_URL = "http://altinn.test"
AGENCY = "974760673"  # sends letters
BANK = "984851006"  # receives them
OTHER_BANK = "937891245"
OUTSIDER = "915429785"  # on no resource
SUPPLIER = "991825827"  # a system supplier acting for BANK
SVV = "971032081"
PERSON = "15108695088"
LETTER = "dsop-digital-letter"
FILES = "kv_dsve"
GUARANTEE = "svv-transportloyvegaranti"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class MovableClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Webhooks:
    """A webhook endpoint the test controls: what it received and whether it is down."""

    received: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)
    down: bool = False

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        if self.down:
            raise ConnectionError("connection refused")
        self.received.append((url, body, headers))
        return 204


@dataclass
class Harness:
    platform: Platform
    app: Any
    clock: MovableClock
    webhooks: Webhooks
    mint: Callable[..., str]
    clients: list[MessagingClient] = field(default_factory=list)

    def client(self, org: str, scopes: tuple[str, ...] = ALL_SCOPES, **claims: Any) -> MessagingClient:
        token = self.mint(org, " ".join(scopes), PUBLIC_URL, **claims)
        client = MessagingClient(PUBLIC_URL, token, transport=httpx.ASGITransport(app=self.app))
        self.clients.append(client)
        return client


RESOURCES = (
    Resource(
        identifier=LETTER,
        owner=AGENCY,
        title="Digitalt brev",
        kinds=["correspondence"],
        senders=[AGENCY],
        recipients=["*", "person"],
    ),
    Resource(identifier=FILES, owner="971040238", title="DSVE", kinds=["broker"], senders=["*"], recipients=["*"]),
    Resource(
        identifier=GUARANTEE,
        owner=SVV,
        title="Transportløyvegaranti",
        senders=[SVV],
        sender_roles=[TRANSPORT_GUARANTEE_ROLE],
        recipient_roles=[TRANSPORT_GUARANTEE_ROLE],
        recipients=[SVV],
    ),
)


def settings_for(database_url: str, **overrides: Any) -> AltinnSettings:
    return AltinnSettings(
        database_url=database_url,
        public_url=PUBLIC_URL,
        max_attachment_bytes=64 * 1024,
        max_file_bytes=256 * 1024,
        webhook_max_attempts=3,
        **overrides,
    )


async def open_platform(database_url: str, clock: MovableClock, webhooks: Webhooks, **options: Any) -> Platform:
    platform = Platform(
        MessageStore.from_url(database_url), settings_for(database_url), clock=clock, post=webhooks.post, **options
    )
    await platform.start()
    return platform


@pytest.fixture
async def harness(database_url: str, token_issuer: Any) -> AsyncIterator[Harness]:
    """The platform on SQLite and on PostgreSQL: for what storage decides."""
    async for h in _harness(database_url, token_issuer):
        yield h


@pytest.fixture
async def sqlite_harness(tmp_path: Any, token_issuer: Any) -> AsyncIterator[Harness]:
    """The platform on SQLite only: for rules that no storage decides (refusals, policies, paging)."""
    async for h in _harness(f"sqlite+aiosqlite:///{tmp_path / 'altinn.db'}", token_issuer):
        yield h


async def _harness(database_url: str, token_issuer: Any) -> AsyncIterator[Harness]:
    clock, webhooks = MovableClock(), Webhooks()
    platform = await open_platform(database_url, clock, webhooks)
    for resource in RESOURCES:
        await platform.store.put_resource(resource)
    await platform.store.assign_role(RoleAssignment(holder=BANK, party=BANK, role=TRANSPORT_GUARANTEE_ROLE))
    await platform.store.assign_role(RoleAssignment(holder=SUPPLIER, party=BANK, role="urn:altinn:resource:" + FILES))
    app = create_app(
        settings_for(database_url), platform=platform, verifier=token_issuer.verifier(PUBLIC_URL), background=False
    )
    h = Harness(platform, app, clock, webhooks, token_issuer.mint)
    try:
        yield h
    finally:
        for client in h.clients:
            await client.aclose()
        await platform.close()
