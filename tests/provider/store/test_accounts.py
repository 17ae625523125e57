"""Account list rules (DSOP “Endpoint Accounts V.2.0”; the DSOP services' “Løsningsbeskrivelse” pages) and
accountReference, on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from opendsop.provider.store import DATA_NOT_DELIVERED, BankStore
from opendsop.standard.control.v2 import AccountStatus, IdentifierType, ResponseStatus
from opendsop.standard.period import Period
from tests.provider.store import bank

pytestmark = pytest.mark.anyio

RECENT = Period(date(2024, 1, 1), bank.TODAY)


async def listed(
    store: BankStore,
    party: str,
    period: Period = RECENT,
    *,
    only_primary_owner: bool = True,
    consumer: str = bank.SKATT,
    case: str = bank.CASE,
    **options: object,
) -> dict[str, object]:
    result = await store.accounts_for_party(
        party,
        period=period,
        only_primary_owner=only_primary_owner,
        consumer_org=consumer,
        account_info_request_id=case,
        **options,
    )  # type: ignore[arg-type]
    return {
        "numbers": [a.account_identifier for a in result.accounts],
        "accounts": result.accounts,
        "details": result.details,
    }


def numbers(*account_ids: str) -> list[str]:
    return sorted(bank.NUMBERS[a] for a in account_ids)


# One row per rule: (id, party, period, only_primary_owner, expected accounts)
CASES = [
    ("owner-true-lists-owned-in-period", bank.ALICE, RECENT, True, numbers(bank.SALARY, bank.LOAN, bank.CLOSED)),
    (
        "owner-false-adds-secondary-owner",
        bank.ALICE,
        RECENT,
        False,
        numbers(bank.SALARY, bank.LOAN, bank.CLOSED, bank.JOINT),
    ),
    (
        "ownership-ended-before-period-not-listed",
        bank.ALICE,
        Period(date(2023, 1, 1), bank.TODAY),
        True,
        numbers(bank.SALARY, bank.LOAN, bank.CLOSED),
    ),
    (
        "ownership-overlapping-period-listed",
        bank.ALICE,
        Period(date(2022, 6, 1), bank.TODAY),
        True,
        numbers(bank.SALARY, bank.SAVINGS, bank.LOAN, bank.CLOSED),
    ),
    (
        "account-closed-before-period-not-listed",
        bank.ALICE,
        Period(date(2024, 4, 1), bank.TODAY),
        True,
        numbers(bank.SALARY, bank.LOAN),
    ),
    ("disponent-only-with-false", bank.BOB, RECENT, False, numbers(bank.SALARY, bank.SAVINGS, bank.JOINT)),
    ("disponent-not-with-true", bank.BOB, RECENT, True, numbers(bank.SAVINGS, bank.JOINT)),
    (
        "disponent-right-ended-before-period",
        bank.BOB,
        Period(date(2024, 7, 1), bank.TODAY),
        False,
        numbers(bank.SAVINGS, bank.JOINT),
    ),
    ("guarantor-only-gets-empty-list", bank.GUARANTOR, RECENT, False, []),
    ("co-borrower-does-not-see-loan", bank.COBORROWER, RECENT, False, []),
    ("unknown-party-empty", "99999999999", RECENT, False, []),
    ("organisation-owner", bank.COMPANY, RECENT, True, numbers(bank.BUSINESS)),
]


@pytest.mark.parametrize(
    ("party", "period", "only_primary_owner", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
async def test_account_list_rules(
    store: BankStore, party: str, period: Period, only_primary_owner: bool, expected: list[str]
) -> None:
    got = await listed(store, party, period, only_primary_owner=only_primary_owner)
    assert sorted(got["numbers"]) == expected  # type: ignore[arg-type]


async def test_empty_list_is_complete(store: BankStore) -> None:
    got = await listed(store, bank.GUARANTOR, only_primary_owner=False)
    assert got["accounts"] == () and got["details"].status is ResponseStatus.COMPLETE


async def test_accounts_ordered_by_number(store: BankStore) -> None:
    got = await listed(store, bank.ALICE, only_primary_owner=False)
    assert got["numbers"] == sorted(got["numbers"])  # type: ignore[type-var]


async def test_manual_account_is_data_not_delivered_where_allowed(store: BankStore) -> None:
    got = await listed(store, bank.ALICE, data_not_delivered_allowed=True)
    by_number = {a.account_identifier: a for a in got["accounts"]}  # type: ignore[attr-defined]
    assert by_number[bank.NUMBERS[bank.MANUAL]].account_reference == DATA_NOT_DELIVERED
    assert got["details"].status is ResponseStatus.COMPLETE


async def test_manual_account_left_out_and_partial_otherwise(store: BankStore) -> None:
    got = await listed(store, bank.ALICE)
    assert bank.NUMBERS[bank.MANUAL] not in got["numbers"]  # type: ignore[operator]
    assert got["details"].status is ResponseStatus.PARTIAL
    assert got["details"].message and 1 <= len(got["details"].message) <= 500


async def test_politi_alt1_flags_other_rights(store: BankStore) -> None:
    flagged = await listed(store, bank.BOB, only_primary_owner=True, flag_other_rights=True)
    assert flagged["details"].status is ResponseStatus.PARTIAL
    assert sorted(flagged["numbers"]) == numbers(bank.SAVINGS, bank.JOINT)
    # Outside the period of Bob's disposal right there is nothing else to signal.
    later = await listed(store, bank.BOB, Period(date(2024, 7, 1), bank.TODAY), flag_other_rights=True)
    assert later["details"].status is ResponseStatus.COMPLETE


async def test_verge_keeps_accounts_the_guardian_may_use(store: BankStore) -> None:
    # Bob (as guardian) could use SALARY with others 2023-01-01..2024-06-30; Alice owns it.
    got = await listed(store, bank.ALICE, with_right_of_use=bank.BOB)
    assert got["numbers"] == [bank.NUMBERS[bank.SALARY]]
    none = await listed(store, bank.ALICE, Period(date(2024, 7, 1), bank.TODAY), with_right_of_use=bank.BOB)
    assert none["numbers"] == []


@pytest.mark.parametrize(
    ("party", "period", "account", "owner", "owner_end"),
    [
        # Alice owned SAVINGS until 2022-12-31; asked for 2022-06..today, the owner is still Alice
        # (the end of *her* window), not Bob who owns it at the end of the period.
        pytest.param(
            bank.ALICE,
            Period(date(2022, 6, 1), bank.TODAY),
            bank.SAVINGS,
            bank.ALICE,
            date(2022, 12, 31),
            id="owner-at-end-of-requesting-partys-window",
        ),
        pytest.param(bank.BOB, RECENT, bank.SAVINGS, bank.BOB, None, id="owner-at-end-of-period"),
        pytest.param(bank.ALICE, RECENT, bank.JOINT, bank.BOB, None, id="secondary-owner-sees-primary-owner"),
    ],
)
async def test_primary_owner(
    store: BankStore, party: str, period: Period, account: str, owner: str, owner_end: date | None
) -> None:
    got = await listed(store, party, period, only_primary_owner=False)
    item = next(a for a in got["accounts"] if a.account_identifier == bank.NUMBERS[account])  # type: ignore[attr-defined]
    assert item.primary_owner.identifier.value == owner
    assert item.primary_owner.identifier.type is IdentifierType.NATIONAL_IDENTITY_NUMBER
    assert item.primary_owner.end_date == owner_end
    assert item.primary_owner.name


async def test_account_fields(store: BankStore) -> None:
    got = await listed(store, bank.COMPANY)
    (account,) = got["accounts"]  # type: ignore[misc]
    assert account.primary_owner.identifier.type is IdentifierType.COUNTRY_IDENTIFICATION_CODE
    assert account.servicer.identifier.value == "910000002"  # the account's own servicer
    assert account.status is AccountStatus.ENABLED and account.currency == "NOK" and account.name is None
    salary = (await listed(store, bank.ALICE))["accounts"][0]  # type: ignore[index]
    assert salary.servicer == bank.BANK  # default: this bank


# ---- accountReference ------------------------------------------------------------------------


async def test_reference_is_opaque(store: BankStore) -> None:
    got = await listed(store, bank.ALICE, only_primary_owner=False)
    for account in got["accounts"]:  # type: ignore[attr-defined]
        reference = account.account_reference
        assert reference != account.account_identifier
        assert account.account_identifier not in reference and account.account_identifier[-6:] not in reference
    references = [a.account_reference for a in got["accounts"]]  # type: ignore[attr-defined]
    assert len(set(references)) == len(references)


async def test_reference_is_consumer_bound(store: BankStore) -> None:
    got = await listed(store, bank.ALICE, consumer=bank.SKATT)
    reference = got["accounts"][0].account_reference  # type: ignore[index]
    found = await store.account_by_reference(reference, consumer_org=bank.SKATT)
    assert found is not None
    assert found.account.account_number == got["accounts"][0].account_identifier  # type: ignore[index]
    assert found.party_id == bank.ALICE and found.account_info_request_id == bank.CASE
    assert await store.account_by_reference(reference, consumer_org=bank.POLITI) is None


async def test_reference_stable_in_case_new_per_case_and_consumer(store: BankStore) -> None:
    first = await listed(store, bank.ALICE)
    again = await listed(store, bank.ALICE)
    other_case = await listed(store, bank.ALICE, case=bank.OTHER_CASE)
    other_consumer = await listed(store, bank.ALICE, consumer=bank.POLITI)
    refs = [[a.account_reference for a in r["accounts"]] for r in (first, again, other_case, other_consumer)]  # type: ignore[attr-defined]
    assert refs[0] == refs[1]
    assert not set(refs[0]) & set(refs[2]) and not set(refs[0]) & set(refs[3])


@pytest.mark.parametrize("reference", [DATA_NOT_DELIVERED, "", "x" * 32, "12000000001", "ø" * 32])
async def test_unknown_references_are_not_found(store: BankStore, reference: str) -> None:
    await listed(store, bank.ALICE, data_not_delivered_allowed=True)
    assert await store.account_by_reference(reference, consumer_org=bank.SKATT) is None


# ---- Konkurs ---------------------------------------------------------------------------------


async def test_konkurs_blocks_owned_accounts(fresh_store: BankStore) -> None:
    store = fresh_store
    changed = await store.block_accounts_of(bank.ALICE, on=bank.TODAY)
    # Alice owns SALARY, LOAN, MANUAL (primary) and JOINT (secondary) today; CLOSED and SAVINGS are gone.
    assert changed == 4
    got = await listed(store, bank.ALICE, only_primary_owner=False, data_not_delivered_allowed=True)
    status = {a.account_identifier: a.status for a in got["accounts"]}  # type: ignore[attr-defined]
    assert status[bank.NUMBERS[bank.SALARY]] is AccountStatus.DISABLED
    assert status[bank.NUMBERS[bank.JOINT]] is AccountStatus.DISABLED
    assert status[bank.NUMBERS[bank.CLOSED]] is AccountStatus.ENABLED
    bob = await listed(store, bank.BOB)
    bob_status = {a.account_identifier: a.status for a in bob["accounts"]}  # type: ignore[attr-defined]
    assert bob_status[bank.NUMBERS[bank.SAVINGS]] is AccountStatus.ENABLED  # not Alice's
    assert await store.block_accounts_of(bank.ALICE, on=bank.TODAY) == 0  # idempotent


async def test_referenced_account_reflects_blocking(fresh_store: BankStore) -> None:
    store = fresh_store
    got = await listed(store, bank.ALICE)
    reference = got["accounts"][0].account_reference  # type: ignore[index]
    await store.block_accounts_of(bank.ALICE, on=bank.TODAY)
    found = await store.account_by_reference(reference, consumer_org=bank.SKATT)
    assert found is not None and found.account.status is AccountStatus.DISABLED


async def test_parties_of_account_and_party(store: BankStore) -> None:
    assert await store.parties_of_account(bank.SALARY, period=RECENT) == tuple(sorted((bank.ALICE, bank.BOB)))
    assert await store.parties_of_account(bank.LOAN, period=RECENT) == (bank.ALICE,)
    assert await store.parties_of_account("nope", period=RECENT) == ()
    party = await store.party(bank.ALICE)
    assert party is not None and party.name == "Alice Nordmann"
    assert await store.party("nobody") is None
