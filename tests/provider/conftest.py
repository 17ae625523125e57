"""Fixtures of the Control API tests (tests/provider/*.py; the store has its own under store/)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.provider.harness import Bank, Pki, build_pki, open_bank


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def pki() -> Pki:
    return build_pki()


@pytest.fixture
async def bank(pki: Pki, token_issuer: Any) -> AsyncIterator[Bank]:
    """A fresh seeded bank (memory store, memory audit log, register twins) at the fixed clock."""
    opened = await open_bank(pki, token_issuer)
    async with opened.client:
        yield opened
