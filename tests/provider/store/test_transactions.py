"""Transactions: keyset pages (DSOP “eOppslag”), every v2 field, masking, periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import msgspec
import pytest

from opendsop.provider.store import BankStore, TransactionRow
from opendsop.standard.control.v2 import ResponseStatus
from opendsop.standard.errors import InvalidContinuationToken
from opendsop.standard.paging import decode_continuation, encode_continuation
from opendsop.standard.period import Period
from tests.provider.store import bank
from tests.provider.store.conftest import StoreFactory
from tests.provider.store.helpers import referenced

pytestmark = pytest.mark.anyio

YEAR_2024 = Period(date(2024, 1, 1), date(2024, 12, 31))
# In 2024 (Oslo days): the full transaction and 8 instants × 3 ties; tx-newyear is 2025-01-01 in Oslo.
EXPECTED_2024 = 25


async def all_pages(store: BankStore, period: Period, limit: int) -> tuple[list[str], list[int], object]:
    ref = await referenced(store, bank.ALICE, bank.SALARY, period)
    seen: list[str] = []
    sizes: list[int] = []
    after = None
    key = b"k" * 32
    while True:
        page = await store.transactions_page(ref, period=period, after=after, limit=limit)
        seen += [t.transaction_identifier for t in page.transactions]
        sizes.append(len(page.transactions))
        if page.next_position is None:
            return seen, sizes, page.details
        # Round-trip through a real continuation token, as the pipeline will.
        token = encode_continuation(key, page.next_position, binding="b")
        after = decode_continuation(key, token, binding="b")  # type: ignore[assignment]
        assert len(sizes) < 100


@pytest.mark.parametrize("limit", [1, 7, 25, 26])  # 25 items: 1 per page, uneven, exact, one over
async def test_pages_have_no_gaps_or_duplicates(store: BankStore, limit: int) -> None:
    seen, sizes, details = await all_pages(store, YEAR_2024, limit)
    assert len(seen) == len(set(seen)) == EXPECTED_2024
    assert all(size == limit for size in sizes[:-1]) and 0 < sizes[-1] <= limit
    assert details.status is ResponseStatus.COMPLETE  # type: ignore[attr-defined]


async def test_order_is_booking_time_then_identifier(store: BankStore) -> None:
    seen, _, _ = await all_pages(store, YEAR_2024, 5)
    expected_ties = [f"tx-{i:02d}-{s}" for i in range(len(bank.TIE_INSTANTS)) for s in "abc"]
    assert seen == expected_ties + [bank.FULL_ID]  # Feb ties first, then 1 March


async def test_period_uses_norwegian_calendar_days(store: BankStore) -> None:
    new_year = Period(date(2025, 1, 1), date(2025, 1, 1))
    seen, _, _ = await all_pages(store, new_year, 10)
    assert seen == ["tx-newyear"]
    seen, _, _ = await all_pages(store, Period(date(2024, 2, 1), date(2024, 2, 1)), 10)
    assert seen == ["tx-00-a", "tx-00-b", "tx-00-c"]


async def test_empty_period_is_empty_and_last(store: BankStore) -> None:
    ref = await referenced(store, bank.ALICE, bank.SALARY, YEAR_2024)
    page = await store.transactions_page(ref, period=Period(date(2022, 1, 1), date(2022, 12, 31)))
    assert page.transactions == () and page.next_position is None
    assert page.body().transactions == ()  # written as [] on the wire


async def test_every_v2_field_survives_and_card_is_masked(store: BankStore) -> None:
    ref = await referenced(store, bank.ALICE, bank.SALARY, YEAR_2024)
    page = await store.transactions_page(ref, period=Period(date(2024, 3, 1), date(2024, 3, 1)))
    (got,) = page.transactions
    original = bank.full_transaction(bank.FULL_ID, bank.FULL_BOOKED)
    assert original.payment_card is not None
    expected = msgspec.structs.replace(
        original, payment_card=msgspec.structs.replace(original.payment_card, card_identifier="492500XXXXXX5678")
    )
    assert got == expected
    assert bank.FULL_CARD not in msgspec.json.encode(page.body()).decode()


@pytest.mark.parametrize(
    "position", [("nonsense", "x"), ("2024-01-01T00:00:00+00:00",), (1, 2), ("2024-01-01T00:00:00+00:00", 5)]
)
async def test_malformed_position_is_a_typed_error(store: BankStore, position: tuple[object, ...]) -> None:
    ref = await referenced(store, bank.ALICE, bank.SALARY, YEAR_2024)
    with pytest.raises(InvalidContinuationToken):
        await store.transactions_page(ref, period=YEAR_2024, after=position)  # type: ignore[arg-type]


async def test_archived_history_is_cut_and_partial(open_loaded: StoreFactory) -> None:
    store = await open_loaded(retention_years=5)  # online from 2020-06-15
    ten_years = Period(date(2015, 6, 15), bank.TODAY)
    ref = await referenced(store, bank.ALICE, bank.SALARY, ten_years)
    page = await store.transactions_page(ref, period=ten_years, limit=1000)
    assert page.details.status is ResponseStatus.PARTIAL and "2020-06-15" in (page.details.message or "")
    identifiers = {t.transaction_identifier for t in page.transactions}
    assert "tx-old" not in identifiers and "tx-newyear" in identifiers
    recent = await store.transactions_page(ref, period=YEAR_2024)
    assert recent.details.status is ResponseStatus.COMPLETE


async def test_many_ties_page_cleanly(make_store: StoreFactory) -> None:
    """1,500 transactions on 5 instants: default-sized (1000) pages still partition them exactly."""
    store = await make_store()
    await store.load(**{k: v for k, v in bank.load_kwargs().items() if k != "transactions"})  # type: ignore[arg-type]
    instants = [datetime(2024, 5, 1, 8, tzinfo=UTC) + timedelta(hours=i) for i in range(5)]
    await store.load(
        transactions=(
            TransactionRow(account_id=bank.JOINT, transaction=bank.simple_transaction(f"t{n:05d}", instants[n % 5]))
            for n in range(1500)
        )
    )
    period = Period(date(2024, 5, 1), date(2024, 5, 31))
    ref = await referenced(store, bank.BOB, bank.JOINT, period)
    seen: list[str] = []
    after = None
    while True:
        page = await store.transactions_page(ref, period=period, after=after)
        seen += [t.transaction_identifier for t in page.transactions]
        if page.next_position is None:
            break
        after = page.next_position
    assert len(seen) == len(set(seen)) == 1500
