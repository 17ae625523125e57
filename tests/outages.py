"""Cutting a party's database in a test, as an outage would: PostgreSQL and SQLite."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_ADMIN_URL


@contextmanager
def database_cut(database_url: str) -> Iterator[None]:
    """A party's database stops answering: PostgreSQL refuses new connections and drops the open ones;
    a SQLite file is write-locked by another connection (readers still get answers: WAL)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(url.database or "", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    name = url.database

    async def admin(*statements: str) -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    cut = (
        f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()",
    )
    _run(admin(*cut))
    try:
        yield
    finally:
        _run(admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))


def _run(coroutine: Any) -> None:
    """Admin statements on their own loop, in a thread (the test's loop is busy awaiting the test)."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


__all__ = ["database_cut"]
