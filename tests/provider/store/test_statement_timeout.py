"""A locked table gives a prompt error, not a request held for as long as the lock lasts (PostgreSQL)."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy.exc import DBAPIError

from opendsop.provider.store import SqlBankStore
from opendsop.standard.period import Period
from tests.provider.store import bank
from tests.provider.store.test_accounts import RECENT

pytestmark = pytest.mark.anyio

TIMEOUT = 0.5  # seconds: DSOP_SERVING_STATEMENT_TIMEOUT for this test
BOUND = 10 * TIMEOUT  # without a statement timeout the read would wait as long as the lock (here: forever)


async def test_a_read_of_a_locked_table_fails_within_the_statement_timeout(
    loaded_postgresql: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncpg

    monkeypatch.setenv("DSOP_SERVING_STATEMENT_TIMEOUT", str(TIMEOUT))
    store = await SqlBankStore.open(
        loaded_postgresql, migrate=False, reference_secret=bank.SECRET, servicer=bank.BANK, clock=lambda: bank.NOW
    )
    holder = await asyncpg.connect(loaded_postgresql.replace("+asyncpg", ""))
    try:

        async def list_alice(period: Period = RECENT) -> int:
            result = await store.accounts_for_party(
                bank.ALICE,
                period=period,
                only_primary_owner=True,
                consumer_org=bank.SKATT,
                account_info_request_id=bank.CASE,
            )
            return len(result.accounts)

        assert await list_alice() > 0  # unlocked, the same read answers
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("LOCK TABLE bank_account IN ACCESS EXCLUSIVE MODE")  # e.g. a migration or a VACUUM FULL
        started = time.monotonic()
        with pytest.raises(DBAPIError, match="statement timeout"):
            async with asyncio.timeout(BOUND):
                await list_alice()
        assert time.monotonic() - started < BOUND
        await transaction.rollback()
        assert await list_alice() > 0  # the lock released, the bank answers again
    finally:
        await holder.close()
        await store.close()


async def test_bulk_work_runs_without_the_statement_timeout(empty_postgresql: str) -> None:
    """Migrations and loads lift it for their own transaction only: a long statement there is not cut off,
    but a lock is still waited for no longer than the timeout."""
    import asyncpg
    from sqlalchemy import text

    from opendsop.serving import create_engine, without_statement_timeout

    engine = create_engine(empty_postgresql, statement_timeout=TIMEOUT)
    long_statement = text(f"SELECT pg_sleep({2 * TIMEOUT})")  # the work itself, not a wait for the test
    try:
        async with engine.begin() as conn:
            await without_statement_timeout(conn)
            await conn.execute(long_statement)
        holder = await asyncpg.connect(empty_postgresql.replace("+asyncpg", ""))
        try:
            async with holder.transaction():
                await holder.execute("LOCK TABLE bank_account IN ACCESS EXCLUSIVE MODE")
                started = time.monotonic()
                with pytest.raises(DBAPIError, match="lock timeout"):  # waiting for a lock stays bounded
                    async with asyncio.timeout(BOUND), engine.begin() as conn:
                        await without_statement_timeout(conn)
                        await conn.execute(text("SELECT count(*) FROM bank_account"))
                assert time.monotonic() - started < BOUND
        finally:
            await holder.close()
        with pytest.raises(DBAPIError, match="statement timeout"):
            async with engine.begin() as conn:  # the next transaction has the timeout again
                await conn.execute(long_statement)
    finally:
        await engine.dispose()
