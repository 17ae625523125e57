"""Fixtures of the relations hub tests: a fixed clock, tokens from the shared test issuer, apps on
SQLite (default) or on both backends (``database_url``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from random import Random
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from opendsop.relations.app import create_app
from opendsop.relations.settings import RelationsSettings
from opendsop.standard.identifiers import generate_fodselsnummer, generate_orgnr

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
TODAY = date(2026, 1, 15)
AUDIENCE = "https://hub.test"
SKATT = "974761076"
POLITI = "915429785"
BRREG = "974760673"
BANK_A = "920426530"
BANK_B = "937895321"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def person(seed: int, born: date = date(1986, 10, 15)) -> str:
    """A valid synthetic (Tenor) fødselsnummer."""
    return generate_fodselsnummer(Random(seed), born, synthetic=True)


def orgnr(seed: int) -> str:
    return generate_orgnr(Random(seed), synthetic=False)


def settings_for(database_url: str, **overrides: Any) -> RelationsSettings:
    return RelationsSettings(database_url=database_url, audience=AUDIENCE, **overrides)


@pytest.fixture
def sqlite_url(tmp_path: Any) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'relations.db'}"


@pytest.fixture
def make_app(token_issuer: Any) -> Callable[..., Litestar]:
    def build(database_url: str, **kwargs: Any) -> Litestar:
        settings = settings_for(database_url, **kwargs.pop("settings", {}))
        return create_app(
            settings, clock=kwargs.pop("clock", lambda: NOW), verifier=token_issuer.verifier(None), **kwargs
        )  # aud: the hub's own rule

    return build


@pytest.fixture
def token(token_issuer: Any) -> Callable[[str, str], str]:
    def mint(org: str, scope: str) -> str:
        return "Bearer " + token_issuer.mint(org, scope, AUDIENCE)

    return mint


@pytest.fixture
async def client(make_app: Callable[..., Litestar], sqlite_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(make_app(sqlite_url)) as test_client:
        yield test_client
