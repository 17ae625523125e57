"""Fixtures of the consumer-side tests: keys (slow to make, so once per session) and every party in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from opendsop.trust.keys import generate_rsa_key
from tests.samtykke.parties import Parties, parties


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def bank_key() -> Any:
    return generate_rsa_key(kid="bank-key-1")


@pytest.fixture(scope="session")
def altinn2_key() -> Any:
    return generate_rsa_key(kid="altinn2-samtykke")


@pytest.fixture
async def world(tmp_path: Path, bank_key: Any, altinn2_key: Any) -> AsyncIterator[Parties]:
    async with parties(tmp_path, bank_key, altinn2_key) as everyone:
        yield everyone
