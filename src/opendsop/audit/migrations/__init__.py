"""Alembic migrations of the audit log's tables, run programmatically (no alembic.ini needed).

``SqlAuditLog.create_schema`` runs them at startup on SQLite (``render_as_batch=True``) and
PostgreSQL alike.  Their version table is ``audit_alembic_version``, so the audit log can share a
database with a bank's store (``bank_alembic_version``) or any other party's tables.  A database whose
audit tables were created before these migrations existed is recognised by revision 0001 and kept.
"""

from __future__ import annotations

import asyncio
import weakref
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from opendsop.serving import without_statement_timeout

VERSION_TABLE = "audit_alembic_version"
SCRIPT_LOCATION = str(Path(__file__).resolve().parent)

class LoopLocalLock:
    """``async with`` an ``asyncio.Lock`` of the running event loop.

    A module-level ``asyncio.Lock`` is bound to the loop it first waits on; a process that runs
    several loops one after another (two ``dsop up`` runs, two ecosystem test modules) would then
    fail to start the second one's parties.
    """

    def __init__(self) -> None:
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    async def __aenter__(self) -> None:
        await self._lock().acquire()

    async def __aexit__(self, *exc_info: object) -> None:
        self._lock().release()


# Alembic keeps its running context in module globals: two migrations interleaved on one event loop
# (several parties starting in one process, ``dsop up``) would tear each other's context down.  Every
# set of migrations in the project runs under this one lock (one per event loop).
ONE_AT_A_TIME = LoopLocalLock()


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    cfg.attributes["connection"] = connection
    return cfg


def _run(connection: Connection, name: str, revision: str) -> None:
    getattr(command, name)(config(connection), revision)


async def upgrade_engine(engine: AsyncEngine, revision: str = "head") -> None:
    async with ONE_AT_A_TIME, engine.begin() as conn:
        await without_statement_timeout(conn)  # copying a large audit table must not be cut off
        await conn.run_sync(_run, "upgrade", revision)


async def downgrade_engine(engine: AsyncEngine, revision: str = "base") -> None:
    async with ONE_AT_A_TIME, engine.begin() as conn:
        await without_statement_timeout(conn)
        await conn.run_sync(_run, "downgrade", revision)


async def current(engine: AsyncEngine) -> Any:
    """The revision the audit tables are at (``None`` when never migrated)."""
    from alembic.runtime.migration import MigrationContext

    def read(connection: Connection) -> Any:
        return MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(read)


__all__ = ["ONE_AT_A_TIME", "SCRIPT_LOCATION", "VERSION_TABLE", "config", "current", "downgrade_engine",
           "upgrade_engine"]
