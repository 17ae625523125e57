"""Fixtures of the register tests: the app in-process with a trusted token issuer, and its clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from opendsop.registers.app import Stores, create_app
from opendsop.registers.settings import RegistersSettings

PUBLIC_URL = "http://registers.test"
BANK = "910000009"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def stores(database_url: str) -> AsyncIterator[Stores]:
    """The three stores on a fresh database (SQLite and PostgreSQL)."""
    stores = Stores(database_url)
    await stores.db.create_schema()
    try:
        yield stores
    finally:
        await stores.db.close()


@pytest.fixture
async def sqlite_stores(tmp_path: Any) -> AsyncIterator[Stores]:
    """The three stores on SQLite only, for HTTP-level tests."""
    stores = Stores(f"sqlite+aiosqlite:///{tmp_path / 'registers.db'}")
    await stores.db.create_schema()
    try:
        yield stores
    finally:
        await stores.db.close()


@pytest.fixture
def settings() -> RegistersSettings:
    return RegistersSettings(public_url=PUBLIC_URL, database_url="sqlite+aiosqlite:///:memory:")


@pytest.fixture
def app_for(token_issuer: Any, settings: RegistersSettings) -> Any:
    def build(stores: Stores) -> Any:
        return create_app(settings, stores=stores, verifier=token_issuer.verifier(PUBLIC_URL))

    return build


@pytest.fixture
def token_for(token_issuer: Any) -> Any:
    def mint(scope: str, *, audience: str = PUBLIC_URL, **options: Any) -> str:
        return str(token_issuer.mint(BANK, scope, audience, **options))

    return mint


@pytest.fixture
async def http(app_for: Any, sqlite_stores: Stores) -> AsyncIterator[httpx.AsyncClient]:
    """A raw HTTP client on the app (no Authorization header by default)."""
    transport = httpx.ASGITransport(app=app_for(sqlite_stores))
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        yield client
