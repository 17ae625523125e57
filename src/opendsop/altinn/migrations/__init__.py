"""Alembic migrations of the message platform's tables, run programmatically (no alembic.ini needed).

``MessageStore.open`` runs them at startup on SQLite (``render_as_batch=True``) and PostgreSQL
alike.  Their version table is ``altinn_alembic_version``, so the platform can share a database with
other parties' tables.  Alembic keeps its running context in module globals, so every set of
migrations in the project runs under the audit log's one process-wide lock (``dsop up`` starts many
parties in one process).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from opendsop.audit.migrations import ONE_AT_A_TIME
from opendsop.serving import without_statement_timeout

VERSION_TABLE = "altinn_alembic_version"
SCRIPT_LOCATION = str(Path(__file__).resolve().parent)


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    cfg.attributes["connection"] = connection
    return cfg


def _run(connection: Connection, name: str, revision: str) -> None:
    getattr(command, name)(config(connection), revision)


async def upgrade_engine(engine: AsyncEngine, revision: str = "head") -> None:
    async with ONE_AT_A_TIME, engine.begin() as conn:
        await without_statement_timeout(conn)
        await conn.run_sync(_run, "upgrade", revision)


async def downgrade_engine(engine: AsyncEngine, revision: str = "base") -> None:
    async with ONE_AT_A_TIME, engine.begin() as conn:
        await without_statement_timeout(conn)
        await conn.run_sync(_run, "downgrade", revision)


async def current(engine: AsyncEngine) -> Any:
    """The revision the platform's tables are at (``None`` when never migrated)."""
    from alembic.runtime.migration import MigrationContext

    def read(connection: Connection) -> Any:
        return MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(read)


__all__ = ["SCRIPT_LOCATION", "VERSION_TABLE", "config", "current", "downgrade_engine", "upgrade_engine"]
