"""Tables a case handler reads on a terminal: cases, a case, its banks and its accounts.

Decided here (docs/decisions.md, "Exports a case handler reads"): an identifier (account number,
org number, case ID) or an amount is never cut or folded — a narrow terminal loses *secondary*
columns first (type, status, date range, reason), and whatever text remains folds onto more lines;
amounts are right-aligned in Norwegian format (``-180 343,00``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rich.table import Table
from rich.text import Text

from opendsop.consumer.cases import Case
from opendsop.consumer.exports.labels import fact_label, norwegian_amount, service_label
from opendsop.consumer.fanout import BankResult
from opendsop.standard.endpoints import Endpoint

WIDE = 200  # the width assumed when the console does not know its own


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    essential: bool = False  # never dropped, never cut: identifiers and amounts
    right: bool = False
    drop_order: int = 0  # among the secondary columns, the lowest is dropped first


def fitted(title: str | None, columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int | None) -> Table:
    """A table of ``rows`` that fits ``width`` (dropping secondary columns while it does not)."""
    width = width or WIDE
    kept = list(range(len(columns)))

    def need(index: int) -> int:
        cells = [
            len(columns[index].name),
            *(len(line) for row in rows for line in Text.from_markup(str(row[index])).plain.splitlines()),
        ]
        return max(cells) + 3  # padding and the border

    def fits() -> bool:
        essential = sum(need(i) for i in kept if columns[i].essential)
        secondary = sum(min(need(i), 14) for i in kept if not columns[i].essential)  # these may fold
        return essential + secondary + 1 <= width

    for index in sorted((i for i, c in enumerate(columns) if not c.essential), key=lambda i: columns[i].drop_order):
        if fits():
            break
        kept.remove(index)
    table = Table(title=title)
    for index in kept:
        column = columns[index]
        if column.essential:
            table.add_column(
                column.name, justify="right" if column.right else "left", no_wrap=True, min_width=need(index) - 3
            )
        else:
            table.add_column(column.name, justify="right" if column.right else "left", overflow="fold")
    for row in rows:
        table.add_row(*(str(row[index]) for index in kept))
    return table


def amount(value: Decimal | None, currency: str | None = None) -> str:
    return "–" if value is None else f"{norwegian_amount(value)} {currency or ''}".strip()


def _balance(detail: Any) -> str:
    for balance in getattr(detail, "balances", None) or ():
        if balance.amount is not None and str(getattr(balance.type, "value", balance.type)) != "availableBalance":
            sign = -1 if str(getattr(balance.credit_debit_indicator, "value", "")) == "debit" else 1
            return amount(sign * Decimal(str(balance.amount)), balance.currency)
    return "–"


_ACCOUNT_COLUMNS = (
    Column("Bank", drop_order=4),
    Column("Account", essential=True),
    Column("Type", drop_order=1),
    Column("Status", drop_order=2),
    Column("Balance", essential=True, right=True),
    Column("Transactions", right=True, drop_order=5),
    Column("From – to", drop_order=3),
)


def accounts_table(title: str, results: Sequence[BankResult], *, width: int | None = None) -> Table:
    """One row per account: bank, number, type, status, balance, transactions and their date range."""
    rows = []
    for result in results:
        for account in result.accounts:
            detail = account.answers.get(Endpoint.ACCOUNT_DETAILS)
            listed = account.answers.get(Endpoint.TRANSACTIONS)
            transactions = listed.value if listed else ()
            dates = sorted(str(t.booking_date)[:10] for t in transactions if getattr(t, "booking_date", None))
            status = getattr(account.account, "status", None)
            rows.append(
                [
                    result.bank.name or result.bank.org_no,
                    account.account_identifier,
                    str(getattr(getattr(account.account, "type", None), "value", "") or ""),
                    str(getattr(status, "value", status) or ""),
                    _balance(detail.value) if detail else "–",
                    str(len(transactions)) if listed else "–",
                    f"{dates[0]} – {dates[-1]}" if dates else "",
                ]
            )
    return fitted(title, _ACCOUNT_COLUMNS, rows, width)


def case_table(case: Case, *, party: str, width: int | None = None) -> Table:
    """What the case is: party, service, legal basis, requester, period and facts, then its identifiers."""
    p = case.parameters
    lines = [
        ("Party", party),
        ("Service", service_label(case.service)),
        ("Legal basis", p.mandate.text),
        ("Requester", p.requester_id or "–"),
        ("Period", f"{p.from_date or '…'} – {p.to_date or '…'}"),
        *((fact_label(name), str(value)) for name, value in case.facts.items()),
        ("OnlyPrimaryOwner", "yes" if p.only_primary_owner else "no"),
        ("Case number", case.case_number),
        ("AccountInfoRequestID", case.id),
        ("Status", case.status),
        ("Recorded", f"{case.created_at:%Y-%m-%d %H:%M} UTC"),
        ("Kept until", f"{case.retain_until:%Y-%m-%d}"),
    ]
    table = Table(title=f"Case {case.case_number}", show_header=False)
    table.add_column("", style="bold", no_wrap=True)
    table.add_column("", overflow="fold")
    for label, value in lines:
        table.add_row(label, value)
    return table


_BANK_COLUMNS = (
    Column("Bank", essential=True),
    Column("Name", drop_order=2),
    Column("Outcome", essential=True),
    Column("Accounts", right=True, drop_order=3),
    Column("Seconds", right=True, drop_order=4),
    Column("Reason", drop_order=1),
)


def banks_table(title: str, rows: Sequence[Sequence[str]], *, width: int | None = None) -> Table:
    """One row per bank: org no, name, outcome (markup allowed), accounts, seconds and reason."""
    return fitted(title, _BANK_COLUMNS, rows, width)


_CASE_COLUMNS = (
    Column("AccountInfoRequestID", essential=True),
    Column("Case number", drop_order=3),
    Column("Service", essential=True),
    Column("Party", essential=True),
    Column("Period", drop_order=2),
    Column("Status", drop_order=4),
    Column("Banks", drop_order=1),
    Column("Recorded", drop_order=0),
)


def cases_table(
    cases: Sequence[Case], outcomes: Mapping[str, Mapping[str, str | None]], *, width: int | None = None
) -> Table:
    """One row per case, newest first; ``outcomes`` per case: bank org no → outcome (None: not ended)."""
    rows = []
    for case in cases:
        counts: dict[str, int] = {}
        for outcome in outcomes.get(case.id, {}).values():
            counts[outcome or "not finished"] = counts.get(outcome or "not finished", 0) + 1
        p = case.parameters
        rows.append(
            [
                case.id,
                case.case_number,
                case.service,
                p.party_id,
                f"{p.from_date} – {p.to_date}",
                case.status,
                ", ".join(f"{n} {o}" for o, n in sorted(counts.items())) or "–",
                f"{case.created_at:%Y-%m-%d %H:%M}",
            ]
        )
    return fitted(f"{len(cases)} case{'s' if len(cases) != 1 else ''}", _CASE_COLUMNS, rows, width)


__all__ = ["Column", "accounts_table", "amount", "banks_table", "case_table", "cases_table", "fitted"]


# -- FI-Utlegg: a balance overview per bank for the enforcement officer ---------------------------------


def _signed_balance(detail: Any) -> tuple[Decimal, str] | None:
    for balance in getattr(detail, "balances", None) or ():
        if balance.amount is not None and str(getattr(balance.type, "value", balance.type)) != "availableBalance":
            sign = -1 if str(getattr(balance.credit_debit_indicator, "value", "")) == "debit" else 1
            return sign * Decimal(str(balance.amount)), str(balance.currency or "NOK")
    return None


def balance_overview(results: Sequence[BankResult]) -> list[tuple[str, str, str, int, Decimal, str]]:
    """(bank org.nr, bank, outcome, accounts, sum of balances, currency) per bank and currency."""
    rows: list[tuple[str, str, str, int, Decimal, str]] = []
    for result in sorted(results, key=lambda r: r.bank.org_no):
        sums: dict[str, Decimal] = {}
        for account in result.accounts:
            detail = account.answers.get(Endpoint.ACCOUNT_DETAILS)
            found = _signed_balance(detail.value) if detail else None
            if found is not None:
                sums[found[1]] = sums.get(found[1], Decimal(0)) + found[0]
        name = result.bank.name or result.bank.org_no
        for currency, total in sorted(sums.items()) or [("NOK", Decimal(0))]:
            rows.append((result.bank.org_no, name, result.outcome.value, len(result.accounts), total, currency))
    return rows


def balance_table(title: str, rows: Sequence[tuple[str, str, str, int, Decimal, str]]) -> Table:
    table = Table(title=title)
    for column, right in (("Org.nr", False), ("Bank", False), ("Outcome", False), ("Accounts", True),
                          ("Balance", True)):  # fmt: skip
        table.add_column(column, justify="right" if right else "left")
    totals: dict[str, Decimal] = {}
    for org, name, outcome, count, total, currency in rows:
        totals[currency] = totals.get(currency, Decimal(0)) + total
        table.add_row(org, name, outcome, str(count), amount(total, currency))
    for currency, total in sorted(totals.items()):
        table.add_row("", "[bold]Total[/bold]", "", "", f"[bold]{amount(total, currency)}[/bold]")
    return table


def write_overview(rows: Sequence[tuple[str, str, str, int, Decimal, str]], path: Any) -> None:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["org_nr", "bank", "outcome", "accounts", "balance", "currency"])
        writer.writerows(
            [org, name, outcome, count, f"{total:.2f}", currency] for org, name, outcome, count, total, currency in rows
        )
