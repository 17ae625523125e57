"""Fixtures: the same bank on every backend (memory, SQLite, PostgreSQL).

``store`` reads a bank loaded once per session (per backend); tests that write use
``fresh_store`` (the bank in a database of its own) or ``make_store`` (an empty one).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from opendsop.provider.store import BankStore, MemoryBankStore, SqlBankStore
from tests.provider.store import bank

StoreFactory = Callable[..., Coroutine[Any, Any, BankStore]]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_url(request: pytest.FixtureRequest, backend: str) -> str | None:
    """``None`` for the in-memory twin, else the URL of an empty, migrated database."""
    return None if backend == "memory" else str(request.getfixturevalue(f"empty_{backend}"))


@pytest.fixture
def loaded_url(request: pytest.FixtureRequest, backend: str) -> str | None:
    """``None`` for the in-memory twin, else a database holding :mod:`bank` (shared: read it only)."""
    return None if backend == "memory" else str(request.getfixturevalue(f"loaded_{backend}"))


def _run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    import asyncio

    return asyncio.run(coroutine)


async def _migrate(url: str) -> None:
    from opendsop.provider.store import upgrade

    await upgrade(url)


# Migrating per test costs ~1 s on PostgreSQL: migrate once per session, then copy (SQLite) or
# truncate (PostgreSQL).  Fresh-database migrations are tested in test_migrations.py.
@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bank-template") / "bank.db"
    _run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture
def empty_sqlite(sqlite_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "bank.db"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@contextmanager
def _postgres_database(admin_url: str) -> Iterator[str]:
    import uuid

    name = f"dsop_bank_{uuid.uuid4().hex[:12]}"
    _run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    url = admin_url.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0] + f"/{name}"
    try:
        _run(_migrate(url))
        yield url
    finally:
        _run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def migrated_postgresql(postgres_admin_url: str) -> Iterator[str]:
    with _postgres_database(postgres_admin_url) as url:
        yield url


@pytest.fixture
def empty_postgresql(migrated_postgresql: str) -> str:
    from opendsop.provider.store.schema import metadata

    tables = ", ".join(table.name for table in metadata.sorted_tables)
    _run(_admin(migrated_postgresql.replace("+asyncpg", ""), f"TRUNCATE {tables}"))
    return migrated_postgresql


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def _settings(options: dict[str, Any]) -> dict[str, Any]:
    return {"reference_secret": bank.SECRET, "servicer": bank.BANK, "clock": lambda: bank.NOW, **options}


async def _load_bank(url: str) -> None:
    store = await SqlBankStore.open(url, migrate=False, **_settings({}))
    try:
        await store.load(**bank.load_kwargs())  # type: ignore[arg-type]
    finally:
        await store.close()


@pytest.fixture(scope="session")
def loaded_sqlite(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    target = tmp_path_factory.mktemp("bank-loaded") / "bank.db"
    shutil.copyfile(sqlite_template, target)
    url = f"sqlite+aiosqlite:///{target}"
    _run(_load_bank(url))
    return url


@pytest.fixture(scope="session")
def loaded_postgresql(postgres_admin_url: str) -> Iterator[str]:
    with _postgres_database(postgres_admin_url) as url:
        _run(_load_bank(url))
        yield url


@pytest.fixture
async def make_store(empty_url: str | None) -> AsyncIterator[StoreFactory]:
    """A factory of *empty* stores on the current backend (for tests that write), closed after the test."""
    opened: list[BankStore] = []

    async def factory(**options: Any) -> BankStore:
        store: BankStore
        if empty_url is None:
            store = MemoryBankStore(**_settings(options))
        else:
            store = await SqlBankStore.open(empty_url, migrate=False, **_settings(options))
        opened.append(store)
        return store

    yield factory
    for store in opened:
        await store.close()


@pytest.fixture
async def open_loaded(loaded_url: str | None) -> AsyncIterator[StoreFactory]:
    """A factory of stores over the shared, loaded bank (read-only tests; options may differ)."""
    opened: list[BankStore] = []

    async def factory(**options: Any) -> BankStore:
        store: BankStore
        if loaded_url is None:
            store = MemoryBankStore(**_settings(options))
            await store.load(**bank.load_kwargs())  # type: ignore[arg-type]
        else:
            store = await SqlBankStore.open(loaded_url, migrate=False, **_settings(options))
        opened.append(store)
        return store

    yield factory
    for store in opened:
        await store.close()


@pytest.fixture
async def store(open_loaded: StoreFactory) -> BankStore:
    """The hand-made bank of :mod:`tests.provider.store.bank`, loaded.  Do not write to it."""
    return await open_loaded()


@pytest.fixture
async def fresh_store(make_store: StoreFactory) -> BankStore:
    """The bank, loaded into an empty database of its own (for tests that change it)."""
    created = await make_store()
    await created.load(**bank.load_kwargs())  # type: ignore[arg-type]
    return created
