"""Account details and the balance rules of DSOP “Endpoint Account details V.2.0”, on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from opendsop.provider.store import BankStore
from opendsop.standard.control.v2 import BalanceType, CreditOrDebit, ResponseStatus
from opendsop.standard.period import Period
from tests.provider.store import bank
from tests.provider.store.conftest import StoreFactory
from tests.provider.store.helpers import referenced

pytestmark = pytest.mark.anyio

WIDE = Period(date(2019, 1, 1), bank.TODAY)


def _summary(balances: object) -> list[tuple[BalanceType, Decimal, CreditOrDebit]]:
    return sorted(
        ((b.type, b.amount, b.credit_debit_indicator) for b in balances or ()),  # type: ignore[attr-defined]
        key=lambda item: item[0],
    )


# (id, account, period, expected [(type, amount, indicator)]) — from DSOP “Endpoint Account details V.2.0” and the
# bank's rows.
CASES = [
    (
        "today-available-and-booked",
        bank.SALARY,
        Period(date(2025, 1, 1), bank.TODAY),
        [
            (BalanceType.AVAILABLE_BALANCE, Decimal("3000.00"), CreditOrDebit.CREDIT),
            (BalanceType.BOOKED_BALANCE, Decimal("3500.50"), CreditOrDebit.CREDIT),
        ],
    ),
    (
        "historical-booked-at-todate-debit",
        bank.SALARY,
        Period(date(2023, 1, 1), date(2023, 6, 30)),
        [(BalanceType.BOOKED_BALANCE, Decimal("600"), CreditOrDebit.DEBIT)],
    ),
    (
        "historical-booked-latest-before-todate",
        bank.SALARY,
        Period(date(2024, 1, 1), date(2024, 2, 10)),
        [(BalanceType.BOOKED_BALANCE, Decimal("100"), CreditOrDebit.CREDIT)],
    ),
    ("closed-in-period-no-balance", bank.CLOSED, Period(date(2024, 1, 1), bank.TODAY), []),
    (
        "closed-later-historical-booked",
        bank.CLOSED,
        Period(date(2024, 1, 1), date(2024, 3, 15)),
        [(BalanceType.BOOKED_BALANCE, Decimal("77"), CreditOrDebit.CREDIT)],
    ),
    ("no-booked-row-yet-nothing", bank.CLOSED, Period(date(2024, 1, 1), date(2024, 2, 29)), []),
    (
        "today-without-booked-rows-available-only",
        bank.LOAN,
        Period(date(2025, 1, 1), bank.TODAY),
        [(BalanceType.AVAILABLE_BALANCE, Decimal("150000"), CreditOrDebit.DEBIT)],
    ),
]


@pytest.mark.parametrize(("account", "period", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_balance_rules(store: BankStore, account: str, period: Period, expected: list[object]) -> None:
    ref = await referenced(store, bank.ALICE, account, period)
    result = await store.account_details(ref, period=period)
    assert _summary(result.account.balances) == expected
    assert result.details.status is ResponseStatus.COMPLETE


async def test_balance_fields(store: BankStore) -> None:
    period = Period(date(2025, 1, 1), bank.TODAY)
    ref = await referenced(store, bank.ALICE, bank.SALARY, period)
    balances = {b.type: b for b in (await store.account_details(ref, period=period)).account.balances or ()}
    available, booked = balances[BalanceType.AVAILABLE_BALANCE], balances[BalanceType.BOOKED_BALANCE]
    assert available.registered == bank.NOW - timedelta(minutes=5)
    assert available.credit_line_amount == Decimal("1000") and available.credit_line_currency == "NOK"
    assert available.credit_line_included is False and available.currency == "NOK"
    assert booked.registered is not None and booked.registered <= bank.NOW  # never in the future


async def test_detail_fields(store: BankStore) -> None:
    ref = await referenced(store, bank.ALICE, bank.CLOSED, WIDE)
    detail = (await store.account_details(ref, period=WIDE)).account
    assert detail.account_reference == ref.reference
    assert detail.account_identifier == bank.NUMBERS[bank.CLOSED]
    assert (detail.start_date, detail.end_date) == (date(2019, 1, 1), date(2024, 3, 31))
    assert detail.primary_owner is not None and detail.primary_owner.identifier.value == bank.ALICE
    assert detail.servicer == bank.BANK and detail.name is None


async def test_details_owner_limited_to_referenced_party(store: BankStore) -> None:
    period = Period(date(2022, 6, 1), bank.TODAY)
    for party, owner in ((bank.ALICE, bank.ALICE), (bank.BOB, bank.BOB)):
        ref = await referenced(store, party, bank.SAVINGS, period)
        detail = (await store.account_details(ref, period=period)).account
        assert detail.primary_owner is not None and detail.primary_owner.identifier.value == owner


async def test_archived_history_is_partial_with_message(open_loaded: StoreFactory) -> None:
    store = await open_loaded(retention_years=5)  # online from 2020-06-15
    old = Period(date(2016, 1, 1), date(2019, 12, 31))
    ref = await referenced(store, bank.ALICE, bank.SALARY, old)
    result = await store.account_details(ref, period=old)
    assert result.details.status is ResponseStatus.PARTIAL and result.details.message
    assert "2020-06-15" in result.details.message
    assert not result.account.balances
    recent = Period(date(2024, 1, 1), bank.TODAY)
    assert (await store.account_details(ref, period=recent)).details.status is ResponseStatus.COMPLETE
