"""``merge`` and ``reset`` on every backend (memory, SQLite, PostgreSQL): what ``dsop provider import``
and ``reset`` rely on — rows merged by key, nothing deleted, references kept; reset empties all."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import msgspec
import pytest

from opendsop.provider.imports import import_files
from opendsop.provider.store import TransactionRow
from opendsop.standard.period import Period
from tests.provider.store import bank
from tests.provider.store.conftest import StoreFactory
from tests.provider.store.helpers import referenced
from tests.provider.store.test_import import BUNDLE, STATEMENTS

pytestmark = pytest.mark.anyio
PERIOD = Period(date(2019, 1, 1), bank.TODAY)


async def test_merge_updates_by_key_and_keeps_references(make_store: StoreFactory) -> None:
    store = await make_store()
    rows = bank.load_kwargs()
    await store.merge(**rows)  # type: ignore[attr-defined]
    ref = await referenced(store, bank.ALICE, bank.SALARY, PERIOD)
    renamed = [replace(row, name="Ny konto") if row.account_id == bank.SALARY else row for row in rows["accounts"]]
    transactions: list[TransactionRow] = list(rows["transactions"])  # type: ignore[call-overload]
    index = next(i for i, row in enumerate(transactions) if row.account_id == bank.SALARY)
    last = transactions[index].transaction
    transactions[index] = TransactionRow(
        account_id=bank.SALARY, transaction=msgspec.structs.replace(last, booking_date=datetime(2019, 1, 2, tzinfo=UTC))
    )
    await store.merge(**{**rows, "accounts": renamed, "transactions": transactions})  # type: ignore[attr-defined]
    again = await store.account_by_reference(ref.reference, consumer_org=bank.SKATT)
    assert again is not None  # the reference issued before the merge still names the account
    details = await store.account_details(again, period=PERIOD)
    assert details.account.name == "Ny konto"
    page = await store.transactions_page(again, period=PERIOD, limit=1000)
    identifiers = [tx.transaction_identifier for tx in page.transactions]
    assert len(identifiers) == len(set(identifiers))  # updated in place, not duplicated
    assert identifiers[0] == last.transaction_identifier  # re-keyed to its new (earliest) booking time


async def test_import_into_every_backend_then_reset(make_store: StoreFactory) -> None:
    store = await make_store()
    report = await import_files(store, "910000001", [*BUNDLE, *STATEMENTS])  # type: ignore[arg-type]
    assert (report.counts.accounts, report.counts.transactions) == (2, 6)
    assert await store.known_accounts(numbers=["12000000011"]) == {"12000000011": "K-11"}  # type: ignore[attr-defined]
    await store.reset()  # type: ignore[attr-defined]
    assert await store.known_accounts(numbers=["12000000011"]) == {}  # type: ignore[attr-defined]
    assert await store.party("14837923353") is None
