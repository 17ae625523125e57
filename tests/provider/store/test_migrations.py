"""Alembic migrations: up from empty on SQLite and PostgreSQL, no drift from the metadata, reversible."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from opendsop.provider.store import SqlBankStore, upgrade
from opendsop.provider.store.migrations import VERSION_TABLE, config, current, downgrade_engine, upgrade_engine
from opendsop.provider.store.schema import metadata
from opendsop.serving import create_engine
from tests.provider.store import bank

pytestmark = pytest.mark.anyio

HEAD = ScriptDirectory.from_config(config()).get_current_head()


def _drift(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE, "compare_type": True})
    return list(compare_metadata(context, metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_upgrade_from_empty_matches_metadata(database_url: str) -> None:
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        assert await current(engine) == HEAD
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) >= set(metadata.tables)
            assert await conn.run_sync(_drift) == []
    finally:
        await engine.dispose()


async def test_upgrade_is_idempotent_and_reversible(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert await current(engine) is None
        await upgrade_engine(engine)
        await upgrade_engine(engine)  # already at head: nothing to do
        await downgrade_engine(engine)
        async with engine.connect() as conn:
            assert not (await conn.run_sync(_tables)) & set(metadata.tables)
        await upgrade_engine(engine)
        assert await current(engine) == HEAD
    finally:
        await engine.dispose()


async def test_open_migrates_and_serves(database_url: str) -> None:
    store = await SqlBankStore.open(database_url, reference_secret=bank.SECRET, clock=lambda: bank.NOW)
    try:
        counts = await store.load(**bank.load_kwargs())  # type: ignore[arg-type]
        assert counts.transactions == len(bank.transactions()) and counts.parties == len(bank.parties())
        assert await store.party(bank.ALICE) is not None
    finally:
        await store.close()


async def test_drift_check_notices_a_difference(tmp_path: Any) -> None:
    """The no-drift assertion above can fail: a column the migrations lack shows up."""
    from sqlalchemy import Column, MetaData, String

    url = f"sqlite+aiosqlite:///{tmp_path / 'drift.db'}"
    await upgrade(url)
    changed = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["bank_party"].append_column(Column("nickname", String(20)))

    def drift(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return list(compare_metadata(context, changed))

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(drift)
    finally:
        await engine.dispose()
    assert [d[0] for d in differences] == ["add_column"]


def test_banks_migrating_at_once_in_one_loop_after_another(tmp_path: Any) -> None:
    """Several banks start together in each of two event loops, one after the other (two ``dsop up`` runs,
    or two ecosystem test modules, in one process): the migration lock must not stay bound to the first loop."""
    import asyncio

    for run in range(2):
        urls = [f"sqlite+aiosqlite:///{tmp_path / f'bank-{run}-{index}.db'}" for index in range(3)]

        async def together(urls: list[str] = urls) -> None:
            await asyncio.gather(*(upgrade(url) for url in urls))

        asyncio.run(together())
