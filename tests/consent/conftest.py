"""Fixtures of the consent tests: the app in-process on SQLite, a consumer and a browser."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from opendsop.consent import ConsentSettings, create_app
from opendsop.consent.parties import MappingRepresentatives
from opendsop.trust.keys import generate_rsa_key
from tests.consent.consent_helpers import (
    ADMIN_TOKEN,
    BANK,
    BANK_NAME,
    BUSINESS,
    PERSON,
    PUBLIC_URL,
    Clock,
    Consumer,
    register_consent_clients,
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def altinn2_key() -> Any:
    return generate_rsa_key(kid="altinn2-test")


@pytest.fixture(scope="session")
def client_key() -> Any:
    """The bank's (and supplier's) key for JWT grants to the authority."""
    return generate_rsa_key(kid="bank-key-1")


def consent_settings(database_url: str, **overrides: Any) -> ConsentSettings:
    values: dict[str, Any] = {
        "database_url": database_url, "public_url": PUBLIC_URL, "admin_token": ADMIN_TOKEN,
        "organisation_names": {BANK: BANK_NAME}, "session_secret": "a-test-secret-of-sufficient-length",
    }  # fmt: skip
    values.update(overrides)
    return ConsentSettings(**values)


@pytest.fixture
def settings(tmp_path: Path) -> ConsentSettings:
    return consent_settings(f"sqlite+aiosqlite:///{tmp_path / 'consent.db'}")


@pytest.fixture
async def app(settings: ConsentSettings, clock: Clock, token_issuer: Any, altinn2_key: Any) -> AsyncIterator[Any]:
    application = create_app(
        settings,
        clock=clock,
        verifier=token_issuer.verifier(PUBLIC_URL, clock=clock),
        altinn2_key=altinn2_key,
        representatives=MappingRepresentatives({BUSINESS: [PERSON]}),
    )
    async with application.lifespan():
        await register_consent_clients(application, clock.now)
        yield application


@pytest.fixture
async def consumer(app: Any, token_issuer: Any, clock: Clock) -> AsyncIterator[Consumer]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL) as http:
        yield Consumer(http, token_issuer, clock)


@pytest.fixture
async def browser(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The person's browser: keeps cookies, does not follow redirects (tests look at them)."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL) as http:
        yield http
