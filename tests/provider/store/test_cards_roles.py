"""Cards (DSOP “Endpoint Cards V.2.0”; DSOP “Data model” masking) and roles (DSOP “Endpoint Roles V.2.0”), on memory,
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from opendsop.provider.store import BankStore
from opendsop.standard.control.v2 import AccountPermissionType
from opendsop.standard.period import Period
from tests.provider.store import bank
from tests.provider.store.helpers import referenced

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        pytest.param(Period(date(2025, 1, 1), bank.TODAY), ["492500XXXXXX5678"], id="valid-card-only"),
        pytest.param(
            Period(date(2024, 1, 10), date(2024, 1, 20)),
            ["492500XXXXXX5678", "411111XXXXXX1111"],
            id="card-linked-for-a-month",
        ),
        pytest.param(Period(date(2019, 1, 1), date(2019, 12, 31)), ["555544XXXXXX2222"], id="expired-card-in-its-time"),
    ],
)
async def test_cards_in_period_masked(store: BankStore, period: Period, expected: list[str]) -> None:
    ref = await referenced(store, bank.ALICE, bank.SALARY, period)
    result = await store.cards(ref, period=period)
    assert sorted(card.card_identifier for card in result.cards) == sorted(expected)
    wire = msgspec.json.encode(result.body()).decode()
    for clear in (bank.FULL_CARD, "5555444433332222", "4111111111111111"):
        assert clear not in wire


async def test_card_fields(store: BankStore) -> None:
    period = Period(date(2025, 1, 1), bank.TODAY)
    ref = await referenced(store, bank.ALICE, bank.SALARY, period)
    (card,) = (await store.cards(ref, period=period)).cards
    expected = msgspec.structs.replace(bank.card(), card_identifier="492500XXXXXX5678")
    assert card == expected


async def test_no_cards_is_empty_list(store: BankStore) -> None:
    period = Period(date(2025, 1, 1), bank.TODAY)
    ref = await referenced(store, bank.ALICE, bank.LOAN, period)
    result = await store.cards(ref, period=period)
    assert result.cards == () and result.body().payment_cards == ()


@pytest.mark.parametrize(
    ("account", "period", "expected"),
    [
        pytest.param(
            bank.SALARY, Period(date(2024, 1, 1), bank.TODAY), [bank.ALICE, bank.BOB], id="owner-and-disponent"
        ),
        pytest.param(bank.SALARY, Period(date(2024, 7, 1), bank.TODAY), [bank.ALICE], id="disponent-ended"),
        pytest.param(
            bank.LOAN, Period(date(2024, 1, 1), bank.TODAY), [bank.ALICE], id="guarantor-and-co-borrower-are-not-roles"
        ),
        pytest.param(bank.SAVINGS, Period(date(2022, 6, 1), bank.TODAY), [bank.ALICE, bank.BOB], id="owner-change"),
        pytest.param(bank.JOINT, Period(date(2024, 1, 1), bank.TODAY), [bank.BOB, bank.ALICE], id="joint-owners"),
    ],
)
async def test_roles_in_period(store: BankStore, account: str, period: Period, expected: list[str]) -> None:
    ref = await referenced(store, bank.ALICE, account, period)
    result = await store.roles(ref, period=period)
    assert [role.identifier.value for role in result.roles] == expected  # type: ignore[union-attr]


async def test_role_fields(store: BankStore) -> None:
    period = Period(date(2024, 1, 1), bank.TODAY)
    ref = await referenced(store, bank.ALICE, bank.SALARY, period)
    roles = {r.identifier.value: r for r in (await store.roles(ref, period=period)).roles}  # type: ignore[union-attr]
    bob = roles[bank.BOB]
    assert bob.permission is AccountPermissionType.RIGHT_TO_USE_WITH_OTHER
    assert (bob.start_date, bob.end_date, bob.name) == (date(2023, 1, 1), date(2024, 6, 30), "Bob Nordmann")
    assert roles[bank.ALICE].end_date is None
