"""The in-process world of the workflow tests (real authority, seeded bank, register and relations twins)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.consumer.workflows.world import World, open_world
from tests.provider.harness import Pki


@pytest.fixture
async def world(pki: Pki, tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(pki, f"sqlite+aiosqlite:///{tmp_path / 'authority.db'}") as opened:
        yield opened
