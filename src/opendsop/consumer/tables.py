"""Tables a case handler reads: one row per account with its status, balance and transactions."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from rich.table import Table

from opendsop.consumer.fanout import BankResult
from opendsop.standard.endpoints import Endpoint


def _balance(detail: Any) -> str:
    for balance in getattr(detail, "balances", None) or ():
        if balance.amount is not None:
            sign = "-" if str(getattr(balance.credit_debit_indicator, "value", "")) == "debit" else ""
            return f"{sign}{Decimal(str(balance.amount)):,.2f} {balance.currency or ''}".strip()
    return "–"


def accounts_table(title: str, results: Sequence[BankResult]) -> Table:
    """One row per account: bank, number, type, status, balance, transactions and their date range."""
    table = Table(title=title)
    for column in ("Bank", "Account", "Type", "Status", "Balance", "Transactions", "From – to"):
        table.add_column(column)
    for result in results:
        for account in result.accounts:
            detail = account.answers.get(Endpoint.ACCOUNT_DETAILS)
            listed = account.answers.get(Endpoint.TRANSACTIONS)
            transactions = listed.value if listed else ()
            dates = sorted(str(t.booking_date)[:10] for t in transactions if getattr(t, "booking_date", None))
            status = getattr(account.account, "status", None)
            table.add_row(result.bank.name or result.bank.org_no, account.account_identifier,
                          str(getattr(getattr(account.account, "type", None), "value", "") or ""),
                          str(getattr(status, "value", status) or ""),
                          _balance(detail.value) if detail else "–",
                          str(len(transactions)) if listed else "–",
                          f"{dates[0]} – {dates[-1]}" if dates else "")
    return table


__all__ = ["accounts_table"]
