"""A case store made before each bank's time was kept opens, gains the column, and lists its cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from opendsop.consumer.cases import CaseStore
from opendsop.consumer.fanout import BankResult, Outcome
from opendsop.consumer.protocol import BankEndpoint, CaseParameters
from opendsop.standard import mandate

NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
C1, C2 = "6a0f3c1e-2b4d-4e8f-9a1b-3c5d7e9f1a21", "6a0f3c1e-2b4d-4e8f-9a1b-3c5d7e9f1a22"
BANK = BankEndpoint("910000001", "https://a.test/v2", "v2", "Testbanken")


def parameters(case_id: str) -> CaseParameters:
    return CaseParameters(
        account_info_request_id=case_id,
        mandate=mandate.KONKURS,
        party_id="910000002",
        from_date=date(2024, 11, 3),
        to_date=date(2026, 1, 15),
    )


@pytest.mark.anyio
async def test_an_older_store_gains_the_timing_column_and_keeps_its_cases(database_url: str) -> None:
    old = CaseStore.from_url(database_url)
    await old.create_schema()
    await old.open_case(
        case_number="K-1", service="konkurs", parameters=parameters(C1), now=NOW, retention=timedelta(days=30)
    )
    async with old.engine.begin() as conn:  # as the store was before the column existed
        await conn.execute(text("ALTER TABLE case_bank DROP COLUMN seconds"))
    await old.close()

    store = CaseStore.from_url(database_url)
    try:
        await store.create_schema()
        await store.open_case(
            case_number="S-2",
            service="skatt",
            parameters=parameters(C2),
            now=NOW + timedelta(hours=1),
            retention=timedelta(days=30),
        )
        result = BankResult(BANK, Outcome.OK, None)
        result.seconds = 2.5
        await store.record_outcome(C2, result)
        assert [case.case_number for case in await store.list_cases()] == ["S-2", "K-1"]  # newest first
        assert [case.id for case in await store.list_cases(service="konkurs")] == [C1]
        assert await store.list_cases(status="purged") == []
        assert await store.timings(C2) == {BANK.org_no: 2.5}
        [shown] = await store.results(C2)
        assert shown.seconds == 2.5
    finally:
        await store.close()
