"""The hub's SQL schema (SQLAlchemy 2 Core, async): KAR relations, KFR relations and batches,
institution names and the API catalogue, on SQLite (default) or PostgreSQL.

Decisions:

* ``kar_relation`` is account-level (one row per customer, account and role, with dates);
  ``kfr_relation`` is customer-level.  Both are indexed on ``customer_id`` first, because every
  ``customerRelationships`` lookup is "all rows of one customer" (DSOP “Operational processes” volumes).
* A KFR relation is *open* while ``end_date`` is NULL; deleting it closes it (keeps history, so
  a later period query still finds it).  A partial unique index allows one open relation per
  (institution, customer, type): that index is what makes adding idempotent (``ON CONFLICT DO
  NOTHING`` on both backends) and uploading the same batch twice a no-op.
* A KFR batch is stored *before* the upload is answered (``status = pending``, its validated
  entries in ``payload``), applied later in one transaction, and resumed at startup.
* Institution names live in ``institution``: KAR rows and catalogue entries carry them; KFR
  writes do not, so a KFR-only institution without a name is shown by its org number.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from opendsop.serving import create_engine

metadata = MetaData()

institution = Table(
    "institution",
    metadata,
    Column("org_no", String(9), primary_key=True),
    Column("name", String(200), nullable=False),
)

kar_relation = Table(
    "kar_relation",
    metadata,
    Column("customer_id", String(11), nullable=False),
    Column("org_no", String(9), nullable=False),
    Column("account_no", String(34), nullable=True),
    Column("role", String(16), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("nics_reachable", Boolean, nullable=False, default=True),
    Index("ix_kar_relation_customer", "customer_id", "org_no"),
    Index("ix_kar_relation_account", "account_no"),
)

kfr_relation = Table(
    "kfr_relation",
    metadata,
    # No surrogate key: the partial unique index identifies open relations, and every index
    # less is bulk-ingest speed (DSOP Kundeforholdsregister “Om” loads of 100 000+ relations a day).
    Column("org_no", String(9), nullable=False),
    Column("customer_id", String(11), nullable=False),
    Column("rel_type", String(16), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Index("ix_kfr_relation_customer", "customer_id", "org_no"),
    Index(
        "ux_kfr_relation_open",
        "org_no",
        "customer_id",
        "rel_type",
        unique=True,
        postgresql_where=text("end_date IS NULL"),
        sqlite_where=text("end_date IS NULL"),
    ),
)

kfr_batch = Table(
    "kfr_batch",
    metadata,
    Column("batch_id", String(36), primary_key=True),
    Column("org_no", String(9), nullable=False),
    Column("rel_type", String(16), nullable=False),
    Column("status", String(16), nullable=False),  # pending | applied | failed
    Column("correlation_id", String(64), nullable=True),
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("total", Integer, nullable=False),
    Column("added", Integer, nullable=True),
    Column("unchanged", Integer, nullable=True),
    Column("message", Text, nullable=True),
    Column("payload", Text, nullable=False),  # "customer_id start_date" per line, validated
    Index("ix_kfr_batch_status", "status"),
)

catalogue_entry = Table(
    "catalogue_entry",
    metadata,
    Column("org_no", String(9), primary_key=True),
    Column("env", String(16), primary_key=True),
    Column("version", String(8), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("url", String(500), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=True),
)


class Database:
    """One engine and the schema; every store of the hub shares it."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.is_postgres = engine.dialect.name == "postgresql"
        self._pool: asyncpg.Pool | None = None
        self._pool_lock = asyncio.Lock()

    async def read_pool(self) -> asyncpg.Pool:
        """PostgreSQL only: a plain asyncpg pool for the hot read path.

        A lookup through the SQLAlchemy pool costs four round trips (pre-ping, BEGIN, SELECT,
        ROLLBACK); a pooled asyncpg ``fetch`` of a cached prepared statement costs one, which is
        most of the latency budget of ``customerRelationships`` (DSOP “Operational processes”).
        """
        if self._pool is None:
            async with self._pool_lock:
                if self._pool is None:
                    dsn = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
                    self._pool = await asyncpg.create_pool(
                        dsn, min_size=1, max_size=10, max_inactive_connection_lifetime=300
                    )
        return self._pool

    @classmethod
    def from_url(cls, database_url: str) -> Database:
        return cls(create_engine(database_url))

    async def create_schema(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        await self.engine.dispose()

    def insert(self, table: Table) -> Any:
        """The dialect's INSERT, which knows ``ON CONFLICT``."""
        return pg_insert(table) if self.is_postgres else sqlite_insert(table)

    async def upsert_names(self, conn: AsyncConnection, names: dict[str, str]) -> None:
        """Record institution names (last writer wins)."""
        if not names:
            return
        statement = self.insert(institution)
        statement = statement.on_conflict_do_update(index_elements=["org_no"], set_={"name": statement.excluded.name})
        await conn.execute(statement, [{"org_no": org, "name": name} for org, name in names.items()])


__all__ = ["Database", "catalogue_entry", "institution", "kar_relation", "kfr_batch", "kfr_relation", "metadata"]
