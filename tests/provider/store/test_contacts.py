"""Account nicknames and parties' addresses survive every backend (Bank_v2.yaml ``AccountDetail.name``,
Bank_v1.yaml ``AccountRole.postalAddress`` / ``electronicAddresses``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from opendsop.provider.store import AccountRow, ElectronicAddressRow, PartyRow
from opendsop.standard.control.v1 import ElectronicAddressType
from opendsop.standard.control.v2 import AddressType, PostalAddress
from opendsop.standard.period import Period
from tests.provider.store import bank
from tests.provider.store.conftest import StoreFactory
from tests.provider.store.helpers import referenced

pytestmark = pytest.mark.anyio

ADDRESS = PostalAddress(
    type=AddressType.RESIDENTIAL,
    street_name="Storgata",
    building_number="12B",
    post_code="0155",
    town_name="Oslo",
    country="NO",
    address_lines=("c/o Hansen",),
)
CONTACTS = (
    ElectronicAddressRow(type=ElectronicAddressType.PHONE_NUMBER, value="+4791234567"),
    ElectronicAddressRow(type=ElectronicAddressType.EMAIL_ADDRESS, value="alice@example.no"),
)


def _with_contacts(rows: list[PartyRow]) -> list[PartyRow]:
    return [
        replace(row, postal_address=ADDRESS, electronic_addresses=CONTACTS) if row.party_id == bank.ALICE else row
        for row in rows
    ]


def _named(rows: list[AccountRow]) -> list[AccountRow]:
    return [replace(row, name="Feriepenger") if row.account_id == bank.SALARY else row for row in rows]


async def test_addresses_and_nickname_round_trip(make_store: StoreFactory) -> None:
    store = await make_store()
    rows = bank.load_kwargs()
    await store.load(
        **{
            **rows,
            "parties": _with_contacts(list(rows["parties"])),  # type: ignore[arg-type]
            "accounts": _named(list(rows["accounts"])),
        }
    )
    alice = await store.party(bank.ALICE)
    assert alice is not None
    assert (alice.postal_address, alice.electronic_addresses) == (ADDRESS, CONTACTS)
    bob = await store.party(bank.BOB)
    assert bob is not None and (bob.postal_address, bob.electronic_addresses) == (None, ())

    period = Period(date(2025, 1, 1), bank.TODAY)
    listed = await store.accounts_for_party(
        bank.ALICE, period=period, only_primary_owner=False, consumer_org=bank.SKATT, account_info_request_id=bank.CASE
    )
    assert all(account.name is None for account in listed.accounts)  # accounts[].name: never delivered
    details = await store.account_details(await referenced(store, bank.ALICE, bank.SALARY, period), period=period)
    assert details.account.name == "Feriepenger"
    other = await store.account_details(await referenced(store, bank.ALICE, bank.LOAN, period), period=period)
    assert other.account.name is None


@pytest.mark.parametrize(
    ("row", "message"),
    [
        pytest.param(
            {
                "parties": [
                    PartyRow(
                        party_id="12345678901",
                        electronic_addresses=(
                            ElectronicAddressRow(type=ElectronicAddressType.EMAIL_ADDRESS, value=""),
                        ),
                    )
                ]
            },
            "emailAddress",
            id="empty-email",
        ),
        pytest.param({"parties": [PartyRow(party_id="12345678901", name="")]}, "name", id="empty-party-name"),
    ],
)
async def test_bad_contact_rows_are_refused(make_store: StoreFactory, row: dict[str, object], message: str) -> None:
    store = await make_store()
    with pytest.raises(ValueError, match=message):
        await store.load(**row)  # type: ignore[arg-type]
