"""Alembic migrations of the bank store, run programmatically (no alembic.ini needed).

Decides how a bank's database reaches the current schema: ``await upgrade(database_url)`` (or
``upgrade_engine(engine)``) from the app at startup, the CLI or a test.  The same migrations run on
SQLite (``render_as_batch=True``, so ALTERs become table copies) and PostgreSQL; the async engine
hands alembic a synchronous connection through ``run_sync``, so the ``sqlite+aiosqlite://`` and
``postgresql+asyncpg://`` URLs the apps use work unchanged.  The version table is
``bank_alembic_version`` so the bank's schema can share a database with other components.

Upgrading a bank's database (skipped as a doctest: it would write ``var/bank.db``):

>>> import asyncio; asyncio.run(upgrade("sqlite+aiosqlite:///var/bank.db"))  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from opendsop.audit.migrations import ONE_AT_A_TIME as AUDIT_MIGRATIONS_LOCK
from opendsop.serving import create_engine, without_statement_timeout

VERSION_TABLE = "bank_alembic_version"
SCRIPT_LOCATION = str(Path(__file__).resolve().parent)


def config(connection: Connection | None = None) -> Config:
    """An alembic ``Config`` for these migrations; ``connection`` is used by ``env.py`` when given."""
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    cfg.attributes["connection"] = connection
    return cfg


# Alembic keeps its running context in module globals: two migrations interleaved on one event loop
# (several banks starting in one process, ``dsop up``) would tear each other's context down; the audit
# log's migrations run on the same databases, so both share one lock.
_ONE_AT_A_TIME = AUDIT_MIGRATIONS_LOCK


def _run(connection: Connection, name: str, revision: str) -> None:
    getattr(command, name)(config(connection), revision)


async def upgrade_engine(engine: AsyncEngine, revision: str = "head") -> None:
    async with _ONE_AT_A_TIME, engine.begin() as conn:
        await without_statement_timeout(conn)  # an index over a large table must not be cut off
        await conn.run_sync(_run, "upgrade", revision)


async def downgrade_engine(engine: AsyncEngine, revision: str = "base") -> None:
    async with _ONE_AT_A_TIME, engine.begin() as conn:
        await without_statement_timeout(conn)
        await conn.run_sync(_run, "downgrade", revision)


async def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database at ``database_url`` to ``revision`` (default: the newest)."""
    engine = create_engine(database_url)
    try:
        await upgrade_engine(engine, revision)
    finally:
        await engine.dispose()


async def current(engine: AsyncEngine) -> Any:
    """The revision the database is at (``None`` when never migrated)."""
    from alembic.runtime.migration import MigrationContext

    def read(connection: Connection) -> Any:
        return MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(read)


__all__ = ["SCRIPT_LOCATION", "VERSION_TABLE", "config", "current", "downgrade_engine", "upgrade", "upgrade_engine"]
