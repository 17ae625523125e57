"""What a fraud case may recall is read from the bank's own store: the payments out of the customer's account
that name a receiving account (docs/decisions.md, "Fraud cooperation and report confirmation")."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from opendsop.provider.fraud import outgoing_transactions
from opendsop.provider.store import BankStore
from opendsop.provider.store.base import RowStore
from opendsop.standard import fraud
from tests.provider.store import bank

pytestmark = pytest.mark.anyio


async def test_only_payments_out_to_an_account_are_held(store: BankStore) -> None:
    assert isinstance(store, RowStore)
    start, end = datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC)
    held = await outgoing_transactions(store, bank.SALARY, bank.NUMBERS[bank.SALARY], start=start, end=end, limit=4)
    assert list(held) == [bank.FULL_ID]  # every other transaction of the year is a credit without a receiver
    payment = held[bank.FULL_ID]
    assert (payment.from_account, payment.to_account, payment.booked) == (
        bank.NUMBERS[bank.SALARY],
        "98760000001",
        date(2024, 3, 1),
    )
    with pytest.raises(fraud.FraudError) as refused:
        fraud.new_recall("r", "c", "tx-00-a", held=held, already_recalled=(), now=end)
    assert refused.value.code == "FRD-001"  # a credit to the customer is nothing to recall
