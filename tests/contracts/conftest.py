"""Fixtures for the contracts tests."""

from __future__ import annotations

import pytest

from tests.authority.authority_helpers import Clock


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> Clock:
    return Clock()
