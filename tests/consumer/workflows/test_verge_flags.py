"""Vergekontroll's flags for the controller, one row per rule (DSOP Vergekontroll “Løsningsbeskrivelse”)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from opendsop.consumer.client import Fetched
from opendsop.consumer.fanout import AccountResult, BankResult, Outcome
from opendsop.consumer.protocol import DATA_NOT_DELIVERED, BankEndpoint
from opendsop.consumer.workflows import FlagKind, flags
from opendsop.standard.control.v2 import models as v2
from opendsop.standard.control.v2.codes import DomainType, FamilyType, SubFamilyType
from opendsop.standard.control.v2.values import CreditOrDebit, IdentifierType
from opendsop.standard.endpoints import Endpoint
from tests.provider import bank as seed

GUARDIAN = seed.GUARDIAN
GUARDIAN_ACCOUNT = "98760000001"
BANK = BankEndpoint("910000001", "https://bank.test/v2")
WHEN = datetime(2025, 5, 2, 12, tzinfo=UTC)


def transaction(
    *,
    amount: str = "500.00",
    debit: bool = True,
    to_account: str | None = None,
    to_person: str | None = None,
    cash: SubFamilyType | None = None,
) -> v2.Transaction:
    identifier = v2.Identifier(value=to_person, type=IdentifierType.NATIONAL_IDENTITY_NUMBER) if to_person else None
    code = (
        v2.BankTransactionCode(
            domain=DomainType.PAYMENTS, family=FamilyType.CUSTOMER_CARD_TRANSACTIONS, sub_family=cash
        )
        if cash
        else None
    )
    return v2.Transaction(
        transaction_identifier="t-1",
        amount=Decimal(amount),
        currency="NOK",
        booking_date=WHEN,
        credit_debit_indicator=CreditOrDebit.DEBIT if debit else CreditOrDebit.CREDIT,
        transaction_code=code,
        counter_parties=(v2.CounterParty(account_identifier=to_account, identifier=identifier),),
    )


def result(
    *transactions: v2.Transaction,
    outcome: Outcome = Outcome.OK,
    status: str = "complete",
    reference: str = "ref-1",
    fetched: bool = True,
) -> BankResult:
    account = AccountResult(reference, v2.Account(account_identifier="12000000005", account_reference=reference))
    if fetched:
        account.answers[Endpoint.TRANSACTIONS] = Fetched(Endpoint.TRANSACTIONS, transactions, status, None, 1)
    else:
        account.failures[Endpoint.TRANSACTIONS] = "503 after the retries"
    return BankResult(BANK, outcome, None if outcome is Outcome.OK else "the bank did not answer", [account])


ROWS: list[tuple[str, BankResult, dict[str, Any], list[FlagKind]]] = [
    ("transfer-to-guardians-own-account", result(transaction(to_account=GUARDIAN_ACCOUNT)), {}, [FlagKind.OWN_ACCOUNT]),
    ("transfer-to-guardian-by-identity", result(transaction(to_person=GUARDIAN)), {}, [FlagKind.OWN_ACCOUNT]),
    ("payment-to-someone-else", result(transaction(to_account="12345678903")), {}, []),
    ("credit-from-guardian-is-no-flag", result(transaction(to_account=GUARDIAN_ACCOUNT, debit=False)), {}, []),
    (
        "cash-above-threshold",
        result(transaction(amount="10000.01", cash=SubFamilyType.CASH_WITHDRAWAL)),
        {},
        [FlagKind.CASH],
    ),
    (
        "cash-abroad-above-threshold",
        result(transaction(amount="20000", cash=SubFamilyType.CROSS_BORDER_CASH_WITHDRAWAL)),
        {},
        [FlagKind.CASH],
    ),
    ("cash-at-threshold", result(transaction(amount="10000.00", cash=SubFamilyType.CASH_WITHDRAWAL)), {}, []),
    (
        "cash-under-a-lower-threshold",
        result(transaction(amount="2500", cash=SubFamilyType.CASH_WITHDRAWAL)),
        {"cash_threshold": Decimal("2000")},
        [FlagKind.CASH],
    ),
    ("large-non-cash-debit", result(transaction(amount="50000")), {}, []),
    ("transactions-failed", result(fetched=False, outcome=Outcome.PARTIAL), {}, [FlagKind.MISSING]),
    ("transactions-partial", result(transaction(), status="partial", outcome=Outcome.PARTIAL), {}, [FlagKind.MISSING]),
    (
        "account-not-served-online",
        result(reference=DATA_NOT_DELIVERED, fetched=False, outcome=Outcome.PARTIAL),
        {},
        [FlagKind.MISSING],
    ),
    ("bank-did-not-answer", result(outcome=Outcome.ERROR), {}, [FlagKind.MISSING]),
    ("complete-and-clean", result(transaction()), {}, []),
]


@pytest.mark.parametrize(("fetched", "options", "expected"), [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_flags(fetched: BankResult, options: dict[str, Any], expected: list[FlagKind]) -> None:
    found = flags([fetched], guardian=GUARDIAN, guardian_accounts=[GUARDIAN_ACCOUNT], **options)
    assert [flag.kind for flag in found] == expected
    assert all(flag.bank == BANK.org_no and flag.detail for flag in found)
