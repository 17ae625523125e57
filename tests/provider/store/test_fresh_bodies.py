"""A store declaring ``fresh_bodies`` builds every answer anew: filtering one in place changes nothing else."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from opendsop.provider.store import BankStore
from opendsop.provider.store.repository import COMPLETE
from opendsop.standard.control.v2 import ResponseStatus
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.filtering import filter_response
from opendsop.standard.period import Period
from tests.provider.store import bank
from tests.provider.store.helpers import referenced

pytestmark = pytest.mark.anyio

WIDE = Period(date(2019, 1, 1), bank.TODAY)


async def test_only_the_sql_store_declares_fresh_bodies(store: BankStore, backend: str) -> None:
    assert getattr(store, "fresh_bodies", False) is (backend != "memory")


async def test_an_answer_filtered_in_place_leaves_the_next_one_whole(store: BankStore) -> None:
    if not getattr(store, "fresh_bodies", False):
        pytest.skip("answers of this store are filtered by copy")
    ref = await referenced(store, bank.ALICE, bank.SALARY, WIDE)
    body = (await store.account_details(ref, period=WIDE)).body()
    assert body.account.servicer is not None and body.account.servicer.name  # Skatt may not see it
    filtered = filter_response("skatt", Endpoint.ACCOUNT_DETAILS, body, in_place=True)
    assert filtered is body and body.account.servicer is not None and body.account.servicer.name is None
    # Clear every field of what came back, in place: nothing the store or the next answer holds changes.
    for struct in (body.response_details, body.account.servicer, body.account.servicer.identifier):
        for name in struct.__struct_fields__:
            msgspec.structs.force_setattr(struct, name, None)
    again = (await store.account_details(ref, period=WIDE)).body()
    assert bank.BANK.name == "Testbanken ASA" and bank.BANK.identifier is not None
    assert bank.BANK.identifier.value == "910000001"
    assert again.account.servicer is not None and again.account.servicer.name == "Testbanken ASA"
    assert again.response_details.status is ResponseStatus.COMPLETE and COMPLETE.status is ResponseStatus.COMPLETE
    listed = await store.accounts_for_party(
        bank.ALICE, period=WIDE, only_primary_owner=False, consumer_org=bank.SKATT, account_info_request_id=bank.CASE
    )
    assert all(account.servicer is None or account.servicer.name for account in listed.accounts)
