"""Fixtures of the consumer tests: the real token service and the seeded bank, both in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.consumer.agency import Ecosystem, open_ecosystem
from tests.provider.harness import Pki, build_pki


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def pki() -> Pki:
    return build_pki()


@pytest.fixture
async def ecosystem(pki: Pki, tmp_path: Path) -> AsyncIterator[Ecosystem]:
    async with open_ecosystem(pki, f"sqlite+aiosqlite:///{tmp_path / 'authority.db'}") as opened:
        yield opened
