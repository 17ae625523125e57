"""Every database session is bounded: SQLite gives up waiting for a locked file after the statement timeout."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from opendsop.serving import ServingSettings, create_engine

TIMEOUT = 0.3
BOUND = 10 * TIMEOUT


def test_a_locked_sqlite_database_fails_within_the_statement_timeout(tmp_path: Path) -> None:
    path = tmp_path / "party.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (n INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, or a stuck transaction

    async def write() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}", statement_timeout=TIMEOUT)
        try:
            async with asyncio.timeout(BOUND), engine.begin() as conn:
                await conn.execute(text("INSERT INTO t VALUES (1)"))
        finally:
            await engine.dispose()

    started = time.monotonic()
    try:
        with pytest.raises(OperationalError, match="locked"):
            asyncio.run(write())
    finally:
        holder.close()
    assert time.monotonic() - started < BOUND


def test_the_default_statement_timeout_is_below_the_agencys_call_timeout() -> None:
    from opendsop.consumer.settings import ConsumerSettings

    call_timeout = ConsumerSettings.model_fields["timeout"].default
    assert ServingSettings().statement_timeout < call_timeout


def test_a_new_sqlite_database_and_its_wal_are_the_owners_only(tmp_path: Path) -> None:
    import os
    import stat

    path = tmp_path / "var" / "authority.db"  # e.g. the token service's signing keys
    previous = os.umask(0o022)  # the usual umask, which made them world-readable before
    try:

        async def write() -> None:
            engine = create_engine(f"sqlite+aiosqlite:///{path}")
            try:
                async with engine.begin() as conn:
                    await conn.execute(text("CREATE TABLE signing_key (pem TEXT)"))
                    await conn.execute(text("INSERT INTO signing_key VALUES ('-----BEGIN PRIVATE KEY-----')"))
                assert {file.name: oct(stat.S_IMODE(file.stat().st_mode)) for file in path.parent.iterdir()} == {
                    "authority.db": "0o600",
                    "authority.db-wal": "0o600",
                    "authority.db-shm": "0o600",
                }
            finally:
                await engine.dispose()

        asyncio.run(write())
    finally:
        os.umask(previous)
