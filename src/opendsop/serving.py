"""Conventions shared by every party's ASGI app: SQL engines, bearer tokens, correlation ids, logs.

Each party (authority, CertPub, the relations hub, the registers, a bank) is its own small app; what
they must do the same way lives here once, so a bank's operator sees one convention everywhere.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

# An 11-digit run is a fødselsnummer or D-number until proven otherwise: never log it in clear.
_PERSON_NUMBER = re.compile(r"(?<!\d)\d{6}(\d{5})(?!\d)")


def create_engine(database_url: str) -> AsyncEngine:
    """An async engine for ``sqlite+aiosqlite://`` (embedded default) or ``postgresql+asyncpg://``.

    For a SQLite file its directory is created, and every connection gets WAL journaling and
    foreign keys, so readers do not block the writer and references hold as in PostgreSQL.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True)
    if url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url)

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(connection, _record):  # type: ignore[no-untyped-def]
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return engine


def correlation_id(header: str | None) -> str:
    """The caller's CorrelationID when it is a UUID, else a fresh one for our own logs."""
    if header:
        try:
            return str(uuid.UUID(header.strip()))
        except ValueError:
            pass
    return str(uuid.uuid4())


def redact(text: str) -> str:
    """Mask person numbers in free text bound for a log (privacy by default): 12345678901 → ******78901."""
    return _PERSON_NUMBER.sub(lambda match: "******" + match.group(1), text)


class RedactingFormatter(logging.Formatter):
    """JSON-ish one-line records with person numbers masked."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(level: str = "INFO") -> None:
    """One line per record on stderr, person numbers masked; called by each `serve` command."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter('{"time":"%(asctime)s","level":"%(levelname)s",'
                                            '"logger":"%(name)s","message":"%(message)s"}'))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


__all__ = ["configure_logging", "correlation_id", "create_engine", "redact"]
