"""Alembic migrations of Skatteetaten's avtaleforhold registry (Ajourhold av OTP), run programmatically.

``SqlAgreements.create_schema`` runs them at start; the version table is ``otp_alembic_version``.  Skatteetaten
and NAV may start together on one database (``dsop up``), so they run under the project's one migration lock.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from opendsop.audit.migrations import ONE_AT_A_TIME

VERSION_TABLE = "otp_alembic_version"
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
        await conn.run_sync(_run, "upgrade", revision)


__all__ = ["VERSION_TABLE", "config", "upgrade_engine"]
