"""Alembic migrations of the pension institution's sync record, run programmatically (no alembic.ini needed).

``PensionStore.create_schema`` runs them at start on SQLite (``render_as_batch=True``) and PostgreSQL alike; the
version table is ``pension_alembic_version``, so the record can share a database with other parties' tables.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

VERSION_TABLE = "pension_alembic_version"
SCRIPT_LOCATION = str(Path(__file__).resolve().parent)


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    cfg.attributes["connection"] = connection
    return cfg


def _run(connection: Connection, name: str, revision: str) -> None:
    getattr(command, name)(config(connection), revision)


async def upgrade_engine(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the tables to ``revision`` (one command per process runs them: ``dsop otp sync``)."""
    async with engine.begin() as conn:
        await conn.run_sync(_run, "upgrade", revision)


__all__ = ["VERSION_TABLE", "config", "upgrade_engine"]
