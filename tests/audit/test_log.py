"""The audit log: every decision kept, in order, and any edit or removal detected."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import msgspec
import pytest
import sqlalchemy as sa

from opendsop.audit.log import (
    AuditRecord,
    ChainBroken,
    MemoryAuditLog,
    SqlAuditLog,
    audit_leaves,
    audit_personal,
    retention_cutoff,
)
from opendsop.audit.migrations import current
from opendsop.serving import create_engine
from tests.conftest import fresh_database

T0 = datetime(2026, 11, 28, 12, tzinfo=UTC)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def record(index: int, *, outcome: str = "allowed", when: datetime = T0) -> AuditRecord:
    return AuditRecord(
        recorded_at=when + timedelta(seconds=index),
        correlation_id=f"00000000-0000-4000-8000-{index:012d}",
        account_info_request_id="d4a820ca-ddde-11ed-b5ea-0242ac120002",
        legal_mandate="kkl.%20%C2%A7156",
        consumer_org="974760673",
        service="konkurs",
        endpoint="listAccounts",
        party_id="31908612345",
        from_date=date(2025, 11, 1),
        to_date=date(2026, 11, 28),
        outcome=outcome,
        status=200 if outcome == "allowed" else 403,
        records=index,
    )


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def log(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MemoryAuditLog | SqlAuditLog]:
    if request.param == "memory":
        yield MemoryAuditLog()
        return
    with fresh_database(request.param, request, tmp_path) as url:
        engine = create_engine(url)
        sql_log = SqlAuditLog(engine)
        await sql_log.create_schema()
        yield sql_log
        await engine.dispose()


@pytest.mark.anyio
async def test_every_record_is_kept_in_order_and_verifies(log: MemoryAuditLog | SqlAuditLog) -> None:
    for index in range(5):
        await log.append(record(index, outcome="allowed" if index % 2 else "ACC-011"))
    rows = await log.records()
    assert [row.sequence for row in rows] == [1, 2, 3, 4, 5]
    assert [row.record.outcome for row in rows] == ["ACC-011", "allowed", "ACC-011", "allowed", "ACC-011"]
    assert len({row.commitment for row in rows}) == 5
    assert [(row.sequence, row.commitment.hex()) for row in await log.rows_at([4, 2])] == [
        (2, rows[1].commitment),
        (4, rows[3].commitment),
    ]
    assert await log.verify() == 5


@pytest.mark.anyio
async def test_records_of_one_case_can_be_found_by_its_account_info_request_id(
    log: MemoryAuditLog | SqlAuditLog,
) -> None:
    await log.append(record(1))
    other = AuditRecord(
        recorded_at=T0,
        endpoint="listAccounts",
        outcome="allowed",
        status=200,
        account_info_request_id="11111111-2222-4333-8444-555555555555",
    )
    await log.append(other)
    found = await log.records(account_info_request_id="11111111-2222-4333-8444-555555555555")
    assert [row.record for row in found] == [other]


@pytest.mark.anyio
async def test_a_changed_row_is_detected(database_url: str) -> None:
    engine = create_engine(database_url)
    sql_log = SqlAuditLog(engine)
    await sql_log.create_schema()
    for index in range(3):
        await sql_log.append(record(index))
    tampered = record(1, outcome="ACC-011")
    from opendsop.audit.log import encoder

    async with engine.begin() as conn:
        await conn.execute(
            sa.update(audit_personal).where(audit_personal.c.sequence == 2).values(body=encoder.encode(tampered))
        )
    with pytest.raises(ChainBroken) as broken:
        await sql_log.verify()
    assert broken.value.sequence == 2
    await sql_log.close()
    await engine.dispose()


@pytest.mark.anyio
async def test_a_removed_row_is_detected(database_url: str) -> None:
    engine = create_engine(database_url)
    sql_log = SqlAuditLog(engine)
    await sql_log.create_schema()
    for index in range(3):
        await sql_log.append(record(index))
    async with engine.begin() as conn:
        await conn.execute(sa.delete(audit_leaves).where(audit_leaves.c.sequence == 2))
    with pytest.raises(ChainBroken) as broken:
        await sql_log.verify()
    assert broken.value.sequence == 2
    await sql_log.close()
    await engine.dispose()


@pytest.mark.anyio
async def test_purging_past_retention_keeps_the_rest_verifiable(log: MemoryAuditLog | SqlAuditLog) -> None:
    old = T0 - timedelta(days=14 * 365)
    for index in range(3):
        await log.append(record(index, when=old))
    for index in range(2):
        await log.append(record(index))
    assert await log.purge_before(retention_cutoff(T0)) == 3
    remaining = await log.records()
    assert [row.sequence for row in remaining] == [4, 5]
    assert await log.verify() == 5  # the purged records' leaves stay: the whole tree still verifies
    stored = await log.append(record(9))
    assert stored.sequence == 6 and await log.verify() == 6


def test_retention_is_thirteen_years_by_default() -> None:
    assert retention_cutoff(datetime(2026, 2, 28, tzinfo=UTC)) == datetime(2013, 2, 28, tzinfo=UTC)
    assert retention_cutoff(datetime(2028, 2, 29, tzinfo=UTC)) == datetime(2015, 2, 28, tzinfo=UTC)


@pytest.mark.anyio
async def test_concurrent_appends_are_all_kept_in_one_unbroken_chain(log: MemoryAuditLog | SqlAuditLog) -> None:
    import asyncio

    stored = await asyncio.gather(*(log.append(record(index)) for index in range(60)))
    assert sorted(row.sequence for row in stored) == list(range(1, 61))
    assert {row.record.records for row in stored} == set(range(60))  # every caller got its own record back
    assert await log.verify() == 60


@pytest.mark.anyio
async def test_a_failed_commit_is_reported_to_every_waiting_caller(database_url: str) -> None:
    import asyncio

    engine = create_engine(database_url)
    sql_log = SqlAuditLog(engine)  # no schema: the insert fails
    results = await asyncio.gather(*(sql_log.append(record(index)) for index in range(5)), return_exceptions=True)
    assert all(isinstance(result, Exception) for result in results)
    await sql_log.create_schema()
    assert (await sql_log.append(record(9))).sequence == 1  # the writer survives the failure
    await sql_log.close()
    await engine.dispose()


@pytest.mark.anyio
async def test_delivery_and_api_version_are_hashed_and_queryable(database_url: str) -> None:
    engine = create_engine(database_url)
    sql_log = SqlAuditLog(engine)
    await sql_log.create_schema()
    try:
        for index, delivered in enumerate((True, False)):
            await sql_log.append(AuditRecord(**{**_fields(record(index)), "delivered": delivered, "api_version": "v1"}))
        [first, second] = await sql_log.records()
        assert (first.record.delivered, second.record.delivered, second.record.api_version) == (True, False, "v1")
        async with engine.connect() as conn:
            undelivered = (
                await conn.execute(
                    sa.select(audit_leaves.c.sequence, audit_leaves.c.api_version).where(
                        audit_leaves.c.delivered.is_(False)
                    )
                )
            ).all()
        assert [tuple(row) for row in undelivered] == [(second.sequence, "v1")]
        async with engine.begin() as conn:  # claiming the undelivered answer was delivered breaks the chain
            body = (
                await conn.execute(sa.select(audit_personal.c.body).where(audit_personal.c.sequence == second.sequence))
            ).scalar_one()
            await conn.execute(
                audit_personal.update()
                .where(audit_personal.c.sequence == second.sequence)
                .values(body=body.replace(b'"delivered":false', b'"delivered":true'))
            )
        with pytest.raises(ChainBroken):
            await sql_log.verify()
    finally:
        await sql_log.close()
        await engine.dispose()


@pytest.mark.anyio
async def test_an_audit_table_from_before_the_migrations_is_migrated_and_still_verifies(database_url: str) -> None:
    """Records written by the schema of create_all (no delivery columns, no version table) are kept
    and verify; new records carry the new fields (audit.migrations 0001 recognises the old tables)."""
    engine = create_engine(database_url)
    old = sa.MetaData()  # the tables as create_all made them before the migrations existed
    sa.Table(
        "audit_records",
        old,
        sa.Column(
            "sequence", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=False
        ),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("account_info_request_id", sa.String(64), index=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    sa.Table(
        "audit_anchor",
        old,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("last_sequence", sa.BigInteger, nullable=False),
    )
    old_record = record(1)
    async with engine.begin() as conn:
        await conn.run_sync(old.create_all)
        await conn.execute(
            old.tables["audit_records"]
            .insert()
            .values(
                sequence=1,
                recorded_at=old_record.recorded_at,
                body=msgspec.json.Encoder(order="sorted").encode(old_record),
                previous_hash="0" * 64,
                hash="0" * 64,  # the old chain's hashes are not carried over: each record gets a commitment
            )
        )
    sql_log = SqlAuditLog(engine)
    try:
        await sql_log.create_schema()
        assert await current(engine) == "0003"
        await sql_log.append(AuditRecord(**{**_fields(record(2)), "delivered": True, "api_version": "v2"}))
        assert await sql_log.verify() == 2
        [old_row, new_row] = await sql_log.records()
        assert (old_row.record.delivered, new_row.record.delivered, new_row.record.api_version) == (None, True, "v2")
    finally:
        await sql_log.close()
        await engine.dispose()


def _fields(value: AuditRecord) -> dict[str, object]:
    return {name: getattr(value, name) for name in value.__struct_fields__}


def test_migrations_run_on_one_event_loop_after_another(tmp_path: Path) -> None:
    """Concurrent migrations on a first loop, then on a second (dsop up after a world load): the lock that
    keeps alembic's global context to one migration at a time belongs to each loop."""
    import asyncio

    from opendsop.provider.store.migrations import upgrade_engine

    async def migrate_concurrently(run: int) -> None:
        engines = [create_engine(f"sqlite+aiosqlite:///{tmp_path / f'{run}-{index}.db'}") for index in range(3)]
        try:
            await asyncio.gather(
                *(SqlAuditLog(engine).create_schema() for engine in engines),
                *(upgrade_engine(engine) for engine in engines),
            )
        finally:
            for engine in engines:
                await engine.dispose()

    asyncio.run(migrate_concurrently(1))
    asyncio.run(migrate_concurrently(2))
