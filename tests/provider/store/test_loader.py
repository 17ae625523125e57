"""Bulk loading: counts, bad rows refused with a clear error, a failed load leaves nothing behind."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import msgspec
import pytest

from opendsop.provider.store import AccountRow, PartyRow, TransactionRow
from opendsop.standard.control.v2 import Transaction
from opendsop.standard.period import Period
from tests.provider.store import bank
from tests.provider.store.conftest import StoreFactory

pytestmark = pytest.mark.anyio


async def test_load_counts(make_store: StoreFactory) -> None:
    store = await make_store()
    counts = await store.load(**bank.load_kwargs())  # type: ignore[arg-type]
    assert (counts.parties, counts.accounts, counts.relations, counts.balances, counts.cards, counts.transactions) == (
        len(bank.parties()),
        len(bank.accounts()),
        len(bank.relations()),
        len(bank.balances()),
        len(bank.cards()),
        len(bank.transactions()),
    )


def _bad_account() -> AccountRow:
    return replace(bank.accounts()[0], account_id="bad", account_number="999", end_date=date(2000, 1, 1))


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        pytest.param({"accounts": [_bad_account()]}, "ends", id="account-ends-before-start"),
        pytest.param(
            {"accounts": [replace(bank.accounts()[0], account_id="x", account_number="9", currency="nok")]},
            "ISO 4217",
            id="bad-currency",
        ),
        pytest.param({"parties": [PartyRow(party_id="")]}, "party_id", id="empty-party"),
        pytest.param(
            {
                "transactions": [
                    TransactionRow(
                        account_id=bank.SALARY,
                        transaction=msgspec.structs.replace(
                            bank.simple_transaction("t", datetime(2024, 1, 1, tzinfo=UTC)), booking_date=None
                        ),
                    )
                ]
            },
            "booking_date",
            id="transaction-without-booking-date",
        ),
    ],
)
async def test_bad_rows_are_refused(make_store: StoreFactory, rows: dict[str, Any], message: str) -> None:
    store = await make_store()
    await store.load(**bank.load_kwargs())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        await store.load(**rows)


async def test_duplicate_transaction_is_refused(make_store: StoreFactory) -> None:
    store = await make_store()
    await store.load(**bank.load_kwargs())  # type: ignore[arg-type]
    again = bank.transactions()[:1]
    with pytest.raises(Exception) as caught:  # the driver's IntegrityError or ValueError (memory)
        await store.load(transactions=again)
    assert "duplicate" in str(caught.value).lower() or "unique" in str(caught.value).lower()


async def test_generators_are_streamed(make_store: StoreFactory) -> None:
    store = await make_store()
    await store.load(**{k: v for k, v in bank.load_kwargs().items() if k != "transactions"})  # type: ignore[arg-type]
    produced = (
        TransactionRow(
            account_id=bank.JOINT,
            transaction=Transaction(transaction_identifier=f"g{n}", booking_date=datetime(2024, 1, 2, tzinfo=UTC)),
        )
        for n in range(6_000)
    )
    counts = await store.load(transactions=produced)
    assert counts.transactions == 6_000  # more than one batch (5,000)
    period = Period(date(2024, 1, 1), date(2024, 1, 31))
    result = await store.accounts_for_party(
        bank.BOB, period=period, only_primary_owner=True, consumer_org=bank.SKATT, account_info_request_id=bank.CASE
    )
    joint = next(a for a in result.accounts if a.account_identifier == bank.NUMBERS[bank.JOINT])
    found = await store.account_by_reference(joint.account_reference, consumer_org=bank.SKATT)
    assert found is not None
    page = await store.transactions_page(found, period=period, limit=5_000)
    assert len(page.transactions) == 5_000 and page.next_position is not None


async def test_failed_sql_load_leaves_nothing(make_store: StoreFactory, backend: str) -> None:
    if backend == "memory":
        pytest.skip("the in-memory twin validates row by row and is not transactional")
    store = await make_store()
    broken = TransactionRow(
        account_id=bank.SALARY,
        transaction=msgspec.structs.replace(
            bank.simple_transaction("t", datetime(2024, 1, 1, tzinfo=UTC)), booking_date=None
        ),
    )
    with pytest.raises(ValueError, match="booking_date"):
        await store.load(
            parties=bank.parties(), accounts=bank.accounts(), relations=bank.relations(), transactions=[broken]
        )
    assert await store.party(bank.ALICE) is None
