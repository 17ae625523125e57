"""Alembic migrations of the audit log's tables, run programmatically (no alembic.ini needed).

``SqlAuditLog.create_schema`` runs them at startup on SQLite (``render_as_batch=True``) and
PostgreSQL alike.  Their version table is ``audit_alembic_version``, so the audit log can share a
database with a bank's store (``bank_alembic_version``) or any other party's tables.  A database whose
audit tables were created before these migrations existed is recognised by revision 0001 and kept.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from opendsop.serving import without_statement_timeout

VERSION_TABLE = "audit_alembic_version"
SCRIPT_LOCATION = str(Path(__file__).resolve().parent)


class _ProcessWideLock:
    """An async context manager over one ``threading.Lock``: usable from any event loop and thread.

    A module-level ``asyncio.Lock`` binds itself to the first loop that waits on it, so the next loop
    (a second ``dsop up`` in the same process, a test's background ecosystem) fails with "bound to a
    different event loop"; alembic's globals are per process, so the lock must be too.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    async def __aenter__(self) -> None:
        if self._lock.acquire(blocking=False):
            return
        waiting = asyncio.ensure_future(asyncio.to_thread(self._lock.acquire))
        try:
            await asyncio.shield(waiting)
        except asyncio.CancelledError:
            # the thread still takes the lock once it is free: give it straight back
            waiting.add_done_callback(lambda done: self._lock.release() if not done.cancelled() else None)
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        self._lock.release()


# Alembic keeps its running context in module globals: two migrations interleaved (several parties
# starting in one process, ``dsop up``) would tear each other's context down.  Every set of
# migrations in the project runs under this one lock.
ONE_AT_A_TIME = _ProcessWideLock()


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


__all__ = [
    "ONE_AT_A_TIME",
    "SCRIPT_LOCATION",
    "VERSION_TABLE",
    "config",
    "current",
    "downgrade_engine",
    "upgrade_engine",
]
