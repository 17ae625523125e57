"""Shared fixtures: reference files and databases on both backends."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_ADMIN_URL = os.environ.get("DSOP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _shared_dir(env_var: str, default: Path) -> Path | None:
    path = Path(os.environ.get(env_var, default))
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The published OpenAPI contracts (Bank_v2.yaml, Bank_v1.yaml, KAR.yaml)."""
    path = _shared_dir("DSOP_REFERENCE_DIR", REPO_ROOT.parent / "shared" / "reference" / "openapi")
    if path is None:
        message = "DSOP_REFERENCE_DIR (default ../shared/reference/openapi) is absent"
        if IN_CI:
            pytest.fail(message + " under CI=true")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def spec_dir() -> Path:
    """The digests and their data files (shared/spec)."""
    path = _shared_dir("DSOP_SPEC_DIR", REPO_ROOT.parent / "shared" / "spec")
    if path is None:
        message = "DSOP_SPEC_DIR (default ../shared/spec) is absent"
        if IN_CI:
            pytest.fail(message + " under CI=true")
        pytest.skip(message)
    return path


def _postgres_available() -> bool:
    import asyncio

    import asyncpg

    async def probe() -> None:
        conn = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    return True


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    if not _postgres_available():
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}"
        if IN_CI:
            pytest.fail(message + " (required under CI=true)")
        pytest.skip(message)
    return POSTGRES_ADMIN_URL


def _admin(url: str, statement: str) -> None:
    import asyncio

    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database as an async SQLAlchemy URL, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    admin = request.getfixturevalue("postgres_admin_url")
    name = f"dsop_test_{uuid.uuid4().hex[:12]}"
    _admin(admin, f'CREATE DATABASE "{name}"')
    try:
        yield admin.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0] + f"/{name}"
    finally:
        _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
