"""What the case pages show, computed from a recorded case: accounts, a balance chart, transactions.

The chart is SVG written on the server with presentation attributes only (no script, no inline CSS),
so the pages' content security policy holds and it prints and zooms as text does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from html import escape
from typing import Any

from opendsop.consumer.exports import AccountExport, BankExport, CaseExport
from opendsop.consumer.exports.labels import balance_history
from opendsop.consumer.exports.model import balance
from opendsop.web.formatting import day, number

PAGE_SIZE = 25


@dataclass(frozen=True, slots=True)
class Row:
    booking_date: date | None
    amount: Decimal | None  # signed: a debit is negative
    currency: str
    text: str
    status: str


def _value(item: Any) -> str:
    return str(getattr(item, "value", item)) if item is not None else ""


def parse_day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _day(value: Any) -> date | None:
    return value.date() if isinstance(value, datetime) else value if isinstance(value, date) else None


def transaction_rows(account: AccountExport) -> list[Row]:
    rows = []
    for item in account.transactions:
        amount = item.amount
        if amount is not None and _value(getattr(item, "credit_debit_indicator", None)) == "debit":
            amount = -amount
        names = [getattr(c, "name", None) for c in getattr(item, "counter_parties", None) or ()]
        parts = [*names, getattr(item, "merchant", None), getattr(item, "additional_info", None)]
        rows.append(
            Row(
                _day(getattr(item, "booking_date", None)),
                amount,
                _value(getattr(item, "currency", None)) or "NOK",
                " — ".join(str(p) for p in parts if p),
                _value(getattr(item, "status", None)),
            )  # fmt: skip
        )
    rows.sort(key=lambda r: r.booking_date or date.min, reverse=True)
    return rows


def filtered(rows: Sequence[Row], *, text: str = "", start: date | None = None, end: date | None = None) -> list[Row]:
    needle = text.strip().lower()
    return [
        row for row in rows
        if (not needle or needle in row.text.lower())
        and (start is None or (row.booking_date is not None and row.booking_date >= start))
        and (end is None or (row.booking_date is not None and row.booking_date <= end))
    ]  # fmt: skip


def paged(rows: Sequence[Row], page: int) -> tuple[list[Row], int, int]:
    """The rows of ``page`` (1-based, clamped), the page and the number of pages."""
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    return list(rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]), page, pages


def balance_at(account: AccountExport, day_: date) -> Decimal | None:
    """The booked balance at the end of ``day_``: the last history point on or before it (None: unknown)."""
    points = balance_history(account)
    before = [value for when, value in points if when <= day_]
    if before:
        return before[-1]
    if points:  # no booking on or before that day: the balance before the first booking in the period
        first_day, first_value = points[0]
        moved = sum((r.amount or Decimal(0)) for r in transaction_rows(account) if r.booking_date == first_day)
        return first_value - moved
    return balance(account.detail, "bookedBalance")


def account_summary(bank: BankExport, index: int, account: AccountExport) -> dict[str, Any]:
    item = account.account
    return {
        "index": index, "identifier": account.identifier, "bank": bank.bank.name or bank.bank.org_no,
        "org": bank.bank.org_no, "type": _value(getattr(item, "type", None)),
        "status": _value(getattr(item, "status", None)), "currency": _value(getattr(item, "currency", None)),
        "booked": balance(account.detail, "bookedBalance"), "available": balance(account.detail, "availableBalance"),
        "transactions": len(account.transactions),
    }  # fmt: skip


def accounts(export: CaseExport) -> list[tuple[BankExport, list[dict[str, Any]]]]:
    return [(bank, [account_summary(bank, i, a) for i, a in enumerate(bank.accounts)]) for bank in export.banks]


BALANCE_SERVICES = frozenset({"fi_utlegg", "fi_utlegg_an"})  # FI-Utlegg's result is the balance per bank


def balances(export: CaseExport) -> list[dict[str, Any]]:
    """FI-Utlegg's overview: per bank and currency the number of accounts and their booked balances summed
    (as ``dsop case fi-utlegg`` prints it), then one total row per currency (``bank`` None)."""
    rows: list[dict[str, Any]] = []
    totals: dict[str, Decimal] = {}
    for bank in sorted(export.banks, key=lambda b: b.bank.org_no):
        sums: dict[str, tuple[int, Decimal]] = {}
        for account in bank.accounts:
            booked = balance(account.detail, "bookedBalance")
            currency = _value(getattr(account.account, "currency", None)) or "NOK"
            count, total = sums.get(currency, (0, Decimal(0)))
            sums[currency] = (count + 1, total + (booked or Decimal(0)))
        for currency, (count, total) in sorted(sums.items()) or [("NOK", (0, Decimal(0)))]:
            totals[currency] = totals.get(currency, Decimal(0)) + total
            name = bank.bank.name or bank.bank.org_no
            rows.append({"bank": name, "org": bank.bank.org_no, "state": bank.state, "accounts": count,
                         "total": total, "currency": currency})  # fmt: skip
    rows += [{"bank": None, "total": total, "currency": currency} for currency, total in sorted(totals.items())]
    return rows


def find_account(export: CaseExport, org: str, index: int) -> tuple[BankExport, AccountExport] | None:
    for bank in export.banks:
        if bank.bank.org_no == org and 0 <= index < len(bank.accounts):
            return bank, bank.accounts[index]
    return None


def chart(points: Sequence[tuple[date, Decimal]], *, title: str, labels: Mapping[str, str]) -> str:
    """An SVG line chart of the balance over time (empty string with fewer than two points)."""
    if len(points) < 2:
        return ""
    width, height, left, right, top, bottom = 720, 240, 110, 16, 16, 36
    low = min(float(v) for _, v in points)
    high = max(float(v) for _, v in points)
    if high == low:
        high, low = high + 1, low - 1
    first, last = points[0][0].toordinal(), points[-1][0].toordinal()
    span = max(last - first, 1)

    def x(when: date) -> float:
        return left + (when.toordinal() - first) / span * (width - left - right)

    def y(value: float) -> float:
        return top + (high - value) / (high - low) * (height - top - bottom)

    # a step line: the balance holds from one booking day to the next
    steps = [f"{x(points[0][0]):.1f},{y(float(points[0][1])):.1f}"]
    for (_, before), (when, value) in zip(points, points[1:], strict=False):
        steps += [f"{x(when):.1f},{y(float(before)):.1f}", f"{x(when):.1f},{y(float(value)):.1f}"]
    line = " ".join(steps)
    ticks = [low + (high - low) * i / 4 for i in range(5)]
    grid = "".join(
        f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#c9cfd6" stroke-width="1"/>'
        f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="12" fill="#4a5360">'
        f"{escape(number(Decimal(str(round(v, 2)))))}</text>"
        for v in ticks
    )
    zero = (
        f'<line x1="{left}" x2="{width - right}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#1b1f24"/>'
        if low < 0 < high
        else ""
    )
    dates = (
        f'<text x="{left}" y="{height - 10}" font-size="12" fill="#4a5360">{day(points[0][0])}</text>'
        f'<text x="{width - right}" y="{height - 10}" text-anchor="end" font-size="12" fill="#4a5360">'
        f"{day(points[-1][0])}</text>"
    )
    summary = labels["chart_summary"].format(
        start=day(points[0][0]), end=day(points[-1][0]), low=number(min(v for _, v in points)),
        high=number(max(v for _, v in points)), last=number(points[-1][1]),
    )  # fmt: skip
    return (
        f'<svg class="chart" role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(summary)}</desc>'
        f"{grid}{zero}{dates}"
        f'<polyline points="{line}" fill="none" stroke="#0b3b66" stroke-width="2"/></svg>'
    )


__all__ = [
    "BALANCE_SERVICES", "PAGE_SIZE", "Row", "account_summary", "accounts", "balance_at", "balances", "chart",
    "filtered", "find_account", "paged",
    "parse_day", "transaction_rows",
]  # fmt: skip
