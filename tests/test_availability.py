"""Which failures are outages (503 + Retry-After) and which are bugs (500): one row per kind.

Sources: PostgreSQL manual, Appendix A "PostgreSQL Error Codes" (SQLSTATE classes); sqlite.org "Result
and Error Codes"; RFC 9110 §15.6.4 (503 Service Unavailable).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy.exc

from opendsop.availability import cannot_answer


class PgError(Exception):
    """What asyncpg's errors carry: a SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _dbapi(orig: BaseException, *, invalidated: bool = False) -> sqlalchemy.exc.DBAPIError:
    return sqlalchemy.exc.DBAPIError("SELECT 1", None, orig, connection_invalidated=invalidated)


def _chained(outer: Exception, cause: BaseException) -> Exception:
    outer.__cause__ = cause
    return outer


def _sqlite_error(tmp_path: Path, *, locked: bool) -> sqlite3.Error:
    path = tmp_path / "probe.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("INSERT INTO t VALUES (1)" if locked else "SELECT * FROM no_such_table")
    except sqlite3.Error as error:
        return error
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        other.close()
    raise AssertionError("the statement should have failed")


ROWS = [
    ("connection refused (dead port)", lambda _: ConnectionRefusedError(111, "Connect call failed"), True),
    ("timeout", lambda _: TimeoutError(), True),
    ("SQLAlchemy pool timeout", lambda _: sqlalchemy.exc.TimeoutError("QueuePool limit"), True),
    ("connection dropped mid-statement", lambda _: _dbapi(PgError("08003"), invalidated=True), True),
    ("PostgreSQL 57014 query_canceled (statement timeout)", lambda _: _dbapi(PgError("57014")), True),
    ("PostgreSQL 57P01 admin_shutdown", lambda _: _dbapi(PgError("57P01")), True),
    ("PostgreSQL 53300 too_many_connections", lambda _: _dbapi(PgError("53300")), True),
    ("PostgreSQL 55000 database not accepting connections", lambda _: _dbapi(PgError("55000")), True),
    ("PostgreSQL 40P01 deadlock", lambda _: _dbapi(PgError("40P01")), True),
    ("PostgreSQL 22012 division by zero (a bug)", lambda _: _dbapi(PgError("22012")), False),
    ("PostgreSQL 42P01 undefined table (a bug)", lambda _: _dbapi(PgError("42P01")), False),
    ("SQLite database is locked", lambda tmp: _dbapi(_sqlite_error(tmp, locked=True)), True),
    ("SQLite no such table (a bug)", lambda tmp: _dbapi(_sqlite_error(tmp, locked=False)), False),
    ("an outage behind another exception", lambda _: _chained(RuntimeError("store"), ConnectionResetError()), True),
    ("a plain bug", lambda _: ValueError("bad"), False),
]


@pytest.mark.parametrize(("kind", "build", "outage"), ROWS, ids=[row[0] for row in ROWS])
def test_cannot_answer(kind: str, build: object, outage: bool, tmp_path: Path) -> None:
    assert callable(build)
    assert cannot_answer(build(tmp_path)) is outage, kind
