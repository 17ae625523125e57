"""The SQL store's request-path reads are one statement each (an account list used to take ~9 round trips).

Counts the statements the drivers execute (SQLAlchemy's ``before_cursor_execute``), not time:
a regression to per-table reads or N+1 queries fails here on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from opendsop.provider.store import BankStore
from opendsop.standard.period import Period
from tests.provider.store import bank
from tests.provider.store.conftest import StoreFactory

pytestmark = pytest.mark.anyio

WIDE = Period(date(2019, 1, 1), bank.TODAY)


@pytest.fixture
def sql_only(backend: str) -> None:
    if backend == "memory":
        pytest.skip("counts SQL statements")


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


async def _list(store: BankStore, case: str) -> Any:
    return await store.accounts_for_party(
        bank.ALICE,
        period=WIDE,
        only_primary_owner=False,
        consumer_org=bank.SKATT,
        account_info_request_id=case,
        data_not_delivered_allowed=True,
    )


@pytest.mark.usefixtures("sql_only")
async def test_account_list_is_one_read_and_one_insert_then_one_read(fresh_store: BankStore) -> None:
    with statements() as first:
        listed = await _list(fresh_store, bank.CASE)
    assert len(listed.accounts) >= 4  # several accounts, relations and owners: still one read
    assert len(first) == 2 and first[1].lstrip().upper().startswith("INSERT")
    with statements() as again:  # the same case: its references are stored already
        assert await _list(fresh_store, bank.CASE) == listed
    assert len(again) == 1


@pytest.mark.usefixtures("sql_only")
async def test_account_endpoints_are_one_read_each(open_loaded: StoreFactory) -> None:
    store = await open_loaded(retention_years=None)
    listed = await _list(store, bank.CASE)
    reference = next(a.account_reference for a in listed.accounts if a.account_identifier == bank.NUMBERS[bank.SALARY])
    with statements() as lookup:
        found = await store.account_by_reference(reference, consumer_org=bank.SKATT)
    assert found is not None and len(lookup) == 1
    for call in (
        lambda: store.account_details(found, period=WIDE),
        lambda: store.transactions_page(found, period=WIDE, limit=2),
        lambda: store.roles(found, period=WIDE),
    ):
        with statements() as seen:
            await call()
        assert len(seen) == 1, seen


@pytest.mark.usefixtures("sql_only")
async def test_archived_history_reads_the_page_again(open_loaded: StoreFactory) -> None:
    store = await open_loaded(retention_years=1)  # the period reaches into archived history
    listed = await _list(store, bank.CASE)
    reference = next(a.account_reference for a in listed.accounts if a.account_identifier == bank.NUMBERS[bank.SALARY])
    found = await store.account_by_reference(reference, consumer_org=bank.SKATT)
    assert found is not None
    with statements() as seen:
        page = await store.transactions_page(found, period=WIDE)
    assert page.details.message and len(seen) == 2


async def test_a_read_survives_a_database_restart(backend: str, empty_url: str | None, fresh_store: BankStore) -> None:
    """The request path's pool does not ping before lending a connection (a round trip per request):
    a connection the server closed meanwhile is dropped and the read is run again on a fresh one."""
    if backend != "postgresql":
        pytest.skip("needs a server that can close its connections")
    import asyncpg
    from sqlalchemy.engine import make_url

    first = await _list(fresh_store, bank.CASE)  # leaves connections in the pool
    url = make_url(str(empty_url))
    admin = await asyncpg.connect(str(url.set(drivername="postgresql", database="postgres")))
    try:
        closed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            url.database,
        )
    finally:
        await admin.close()
    assert closed >= 1
    assert await _list(fresh_store, bank.CASE) == first
