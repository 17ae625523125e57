"""Terminal tables keep identifiers and amounts whole at 80 columns: secondary columns go first."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from rich.console import Console

from opendsop.consumer.client import Fetched
from opendsop.consumer.fanout import AccountResult, BankResult, Outcome
from opendsop.consumer.protocol import BankEndpoint
from opendsop.consumer.tables import accounts_table
from opendsop.standard.control import v2
from opendsop.standard.endpoints import Endpoint

BANK = BankEndpoint("910000001", "https://a.test/v2", "v2", "Sparebanken Øst-Ærø Våg og Omegn")


def result() -> BankResult:
    accounts = []
    for number, booked in (("95283184567", "180343789.00"), ("12345678903", "1327502.16")):
        balance = v2.Balance(
            type=v2.BalanceType.BOOKED_BALANCE,
            amount=Decimal(booked),
            currency="NOK",
            credit_debit_indicator=v2.CreditOrDebit.DEBIT,
        )
        detail = v2.AccountDetail(
            account_identifier=number, account_reference=f"ref-{number}", currency="NOK", balances=(balance,)
        )
        tx = v2.Transaction(
            transaction_identifier="t1",
            amount=Decimal(1),
            currency="NOK",
            credit_debit_indicator=v2.CreditOrDebit.CREDIT,
            booking_date=datetime(2025, 3, 1, 12, tzinfo=UTC),
        )
        account = v2.Account(
            account_identifier=number,
            account_reference=f"ref-{number}",
            type=v2.AccountType.BUSINESS_ACCOUNT,
            status=v2.AccountStatus.ENABLED,
            currency="NOK",
        )
        accounts.append(
            AccountResult(
                f"ref-{number}",
                account,
                {
                    Endpoint.ACCOUNT_DETAILS: Fetched(Endpoint.ACCOUNT_DETAILS, detail, "complete", None, 1),
                    Endpoint.TRANSACTIONS: Fetched(Endpoint.TRANSACTIONS, (tx,), "complete", None, 1),
                },
            )
        )
    found = BankResult(BANK, Outcome.OK, None)
    found.accounts = accounts
    return found


@pytest.mark.parametrize("width", [60, 80, 100, 160])
def test_accounts_and_balances_are_never_cut(width: int) -> None:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(accounts_table("Accounts", [result()], width=width))
    text = out.getvalue()
    assert all(len(line) <= width for line in text.splitlines())
    for whole in ("95283184567", "12345678903", "-180 343 789,00 NOK", "-1 327 502,16 NOK"):
        assert whole in text, text
    assert "…" not in text
    if width >= 160:
        assert "businessAccount" in text and "2025-03-01 – 2025-03-01" in text  # room for everything
