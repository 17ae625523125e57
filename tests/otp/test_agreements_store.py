"""The avtaleforhold registry behaves the same in memory, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from opendsop.serving import create_engine
from opendsop.sources.otp_agreements import MemoryAgreements, SqlAgreements
from opendsop.standard.otp import Agreement
from opendsop.standard.values import Month

pytestmark = pytest.mark.anyio
INST, EMPLOYER = "910001000", "974942003"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _exercise(store: MemoryAgreements | SqlAgreements) -> None:
    agreement = Agreement(INST, EMPLOYER, "A-1", Month(2025, 1))
    assert await store.put(agreement) is True
    assert await store.put(Agreement(INST, EMPLOYER, "A-1", Month(2024, 6), Month(2026, 1))) is False  # changed
    assert await store.of(INST, EMPLOYER) == [Agreement(INST, EMPLOYER, "A-1", Month(2024, 6), Month(2026, 1))]
    assert await store.of("910002007", EMPLOYER) == []
    assert await store.delete(INST, EMPLOYER, "A-1") is True
    assert await store.delete(INST, EMPLOYER, "A-1") is False
    assert await store.of(INST, EMPLOYER) == []


async def test_memory() -> None:
    await _exercise(MemoryAgreements())


async def test_sql(database_url: str) -> None:
    store = SqlAgreements(create_engine(database_url))
    try:
        await store.create_schema()
        await store.create_schema()  # a second start keeps the table
        await _exercise(store)
    finally:
        await store.engine.dispose()
