"""When a party cannot answer for now: telling an outage from a bug, and the liveness/readiness probes.

A database that refuses connections, drops them, times a statement out or is locked is not the
caller's fault and not a bug: every party answers it with 503 and ``Retry-After`` (in its own error
shape: ACC-100 at a bank, ``temporarily_unavailable`` at the token service, ...), never 500, so a
caller knows to come back (RFC 9110 §15.6.4).  ``cannot_answer`` is the one place that decides
which failures those are.

Every party serves the same probes (docs/decisions.md, "Outages"):

* ``GET /health`` and ``GET /health/live`` — liveness: the process is up and serving; always 200;
* ``GET /health/ready`` — readiness: each named check passed (the database answers ``SELECT 1``
  within a bound, and a SQLite file grants its write lock; the keys the party needs are loaded);
  otherwise 503 with ``Retry-After`` naming the checks that failed, so a load balancer stops sending
  requests while the database is cut without a supervisor restarting a healthy process.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any, Final

import sqlalchemy.exc
from litestar import Response, get
from litestar.handlers import HTTPRouteHandler
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("opendsop.availability")

RETRY_AFTER_SECONDS: Final = 5
RETRY_AFTER: Final = {"Retry-After": str(RETRY_AFTER_SECONDS)}
READINESS_TIMEOUT_SECONDS: Final = 2.0

# PostgreSQL SQLSTATE classes and codes meaning "the database cannot answer now" (PostgreSQL manual,
# Appendix A "PostgreSQL Error Codes"): connection exceptions, insufficient resources, operator
# intervention (query_canceled = statement timeout, admin_shutdown, cannot_connect_now), system
# errors, serialization failure / deadlock, lock_not_available, and 55000, which is what a database
# closed with ALLOW_CONNECTIONS false answers.
_PG_UNAVAILABLE_CLASSES: Final = frozenset({"08", "53", "57", "58"})
_PG_UNAVAILABLE_CODES: Final = frozenset({"40001", "40P01", "55P03", "55000"})
# SQLite primary result codes (sqlite.org "Result and Error Codes"): BUSY, LOCKED, IOERR, CANTOPEN.
_SQLITE_UNAVAILABLE: Final = frozenset({5, 6, 10, 14})


def cannot_answer(error: BaseException) -> bool:
    """True when ``error`` (or what caused it) says a database or another party is unreachable or too busy
    to answer now: a refused or dropped connection, a timeout, a statement timeout, a locked database."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if _is_outage(current):
            return True
        pending.extend((getattr(current, "orig", None), current.__cause__, current.__context__))
    return False


def _is_outage(error: BaseException) -> bool:
    if isinstance(error, OSError | TimeoutError | sqlalchemy.exc.TimeoutError | sqlalchemy.exc.DisconnectionError):
        return True
    if isinstance(error, sqlalchemy.exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        return isinstance(code, int) and code & 0xFF in _SQLITE_UNAVAILABLE
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str) and len(sqlstate) == 5:
        return sqlstate[:2] in _PG_UNAVAILABLE_CLASSES or sqlstate in _PG_UNAVAILABLE_CODES
    # asyncpg's errors for a connection that is gone carry no SQLSTATE of their own.
    return type(error).__name__ in {"ConnectionDoesNotExistError", "InterfaceError", "InternalClientError"} and type(
        error
    ).__module__.startswith("asyncpg")


Check = Callable[[], Awaitable[bool]]


def database_check(engine: AsyncEngine, *, timeout: float = READINESS_TIMEOUT_SECONDS) -> Check:
    """A readiness check: the database answers ``SELECT 1`` (SQLite: grants its write lock) within ``timeout``."""

    # A SQLite file held by another writer still answers reads (WAL), but no record could be written.
    statements = ("BEGIN IMMEDIATE", "ROLLBACK") if engine.dialect.name == "sqlite" else ("SELECT 1",)

    async def check() -> bool:
        try:
            async with asyncio.timeout(timeout), engine.connect() as connection:
                for statement in statements:
                    await connection.exec_driver_sql(statement)
        except Exception as error:  # noqa: BLE001 - any failure means "not ready", and is logged
            log.warning("readiness: the database did not answer (%s)", type(error).__name__)
            return False
        return True

    return check


class Readiness:
    """The named checks a party's ``/health/ready`` runs; parts register theirs when they are built."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def add(self, name: str, check: Check) -> None:
        self._checks[name] = check

    def add_database(self, engine: AsyncEngine | None, name: str = "database") -> None:
        if engine is not None:
            self.add(name, database_check(engine))

    async def report(self) -> tuple[bool, dict[str, str]]:
        names = list(self._checks)
        results = await asyncio.gather(*(self._run(self._checks[name]) for name in names))
        checks = {name: "ok" if passed else "unavailable" for name, passed in zip(names, results, strict=True)}
        return all(results), checks

    @staticmethod
    async def _run(check: Check) -> bool:
        try:
            return bool(await check())
        except Exception as error:  # noqa: BLE001 - a check that fails to run is a check that failed
            log.warning("readiness check failed (%s)", type(error).__name__)
            return False


def health_routes(readiness: Readiness | Callable[[], Readiness | None]) -> list[HTTPRouteHandler]:
    """``/health``, ``/health/live`` and ``/health/ready`` for one app (``readiness`` or a getter for one
    built at startup; before it exists the party is not ready)."""

    @get(["/health", "/health/live"], include_in_schema=False, sync_to_thread=False)
    def live() -> dict[str, str]:
        return {"status": "ok"}

    @get("/health/ready", include_in_schema=False)
    async def ready() -> Response[dict[str, Any]]:
        current = readiness if isinstance(readiness, Readiness) else readiness()
        if current is None:
            return Response(
                {"status": "unavailable", "checks": {"startup": "unavailable"}}, status_code=503, headers=RETRY_AFTER
            )
        passed, checks = await current.report()
        if passed:
            return Response({"status": "ready", "checks": checks})
        return Response({"status": "unavailable", "checks": checks}, status_code=503, headers=RETRY_AFTER)

    return [live, ready]


__all__ = [
    "READINESS_TIMEOUT_SECONDS",
    "RETRY_AFTER",
    "RETRY_AFTER_SECONDS",
    "Check",
    "Readiness",
    "cannot_answer",
    "database_check",
    "health_routes",
]
