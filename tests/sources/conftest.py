from __future__ import annotations

from datetime import datetime

import pytest

from opendsop.sources.data import World, generate_world
from tests.sources.helpers import NOW, SEED, TODAY


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def world() -> World:
    return generate_world(SEED, today=TODAY, persons=16, organisations=5)


@pytest.fixture
def clock() -> object:
    def now() -> datetime:
        return NOW

    return now
