"""Shared steps of the store contract tests: reach an account the way a consumer does."""

from __future__ import annotations

from opendsop.provider.store import BankStore, ReferencedAccount
from opendsop.standard.period import Period
from tests.provider.store import bank


async def referenced(
    store: BankStore, party: str, account_id: str, period: Period, *, consumer: str = bank.SKATT
) -> ReferencedAccount:
    """Call Accounts (OnlyPrimaryOwner=false) and resolve the reference of ``account_id``."""
    result = await store.accounts_for_party(
        party, period=period, only_primary_owner=False, consumer_org=consumer, account_info_request_id=bank.CASE
    )
    item = next(a for a in result.accounts if a.account_identifier == bank.NUMBERS[account_id])
    found = await store.account_by_reference(item.account_reference, consumer_org=consumer)
    assert found is not None
    return found
