"""The PDF case summary: what the agency asked, of whom, under which legal basis, and what came back.

Issue 6 item 5; spec/protocol.md §2.1 (the ``AccountInfoRequestID`` names the case at every
bank) and §2.6 (``partial``: the bank has more than it delivered).  Decided here: one document
with the case (ID, case number, service, Legal-Mandate, period, facts), a table of every bank
asked with its outcome and reason, a section "Partial or failed" that lists each bank not ``ok``
and each account with a partial or missing answer, then per bank and account the balances and
the transaction totals.  Built with reportlab's standard fonts, whose WinAnsi (Latin-1) encoding
renders æøå; ``page_compression=False`` leaves the content streams readable (tests, archives).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import IO, Any
from xml.sax.saxutils import escape

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # type: ignore[import-untyped]

from opendsop.consumer.exports.model import (
    BankExport,
    CaseExport,
    balance,
    failed_endpoints,
    totals,
)

_STYLES = getSampleStyleSheet()
_SMALL = ParagraphStyle("small", parent=_STYLES["BodyText"], fontSize=8, leading=10)
# A4 less the margins is 180 mm: room for an 11-digit account number and "1 000 000.00" unbroken
_ACCOUNT_WIDTHS = [w * mm for w in (30, 28, 16, 22, 22, 18, 22, 22)]
_GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)])


def write_pdf(export: CaseExport, out: str | IO[bytes], *, page_compression: bool = True) -> None:
    document = SimpleDocTemplate(out, pagesize=A4, pageCompression=1 if page_compression else 0,
                                 title=f"DSOP case {export.case_id}", leftMargin=15 * mm, rightMargin=15 * mm)
    document.build(_story(export))


def _story(export: CaseExport) -> list[Flowable]:
    case, p = export.case, export.case.parameters
    period = f"{_text(p.from_date) or '…'} – {_text(p.to_date) or '…'}"
    facts = "; ".join(f"{name}: {value}" for name, value in case.facts.items()) or "–"
    story: list[Flowable] = [
        Paragraph("Case summary", _STYLES["Title"]),
        _table([["AccountInfoRequestID", case.id], ["Case number", case.case_number], ["Service", case.service],
                ["Legal basis (Legal-Mandate)", p.mandate.text], ["Period", period], ["Facts", facts],
                ["Status", case.status]], header=False),
        Spacer(1, 6 * mm), Paragraph("Banks asked", _STYLES["Heading2"]),
        _table([["Bank", "Org no", "Outcome", "Reason"],
                *([b.bank.name, b.bank.org_no, b.state, b.reason or ""] for b in export.banks)]),
        Spacer(1, 6 * mm), Paragraph("Partial or failed", _STYLES["Heading2"]),
    ]
    problems = _problems(export)
    story.append(_table([["Bank", "Account", "What"], *problems]) if problems
                 else Paragraph("Every bank answered completely.", _STYLES["Normal"]))
    for bank in export.banks:
        story += [Spacer(1, 6 * mm), Paragraph(escape(f"{bank.bank.name} ({bank.bank.org_no}): {bank.state}"),
                                               _STYLES["Heading3"])]
        story.append(_accounts(bank) if bank.accounts else Paragraph("No accounts delivered.", _STYLES["Normal"]))
    return story


def _problems(export: CaseExport) -> list[list[str]]:
    rows = [[b.bank.name, "", f"{b.state}: {b.reason or ''}".rstrip(": ")] for b in export.not_ok()]
    for bank in export.banks:
        if bank.listed is not None and bank.listed.status == "partial":
            rows.append([bank.bank.name, "account list", f"partial: {bank.listed.message or ''}".rstrip(": ")])
        for account in bank.accounts:
            for endpoint, message in account.partial().items():
                rows.append([bank.bank.name, account.identifier, f"{endpoint.value} partial: {message}"])
            failed = failed_endpoints(bank, account)
            if failed:
                rows.append([bank.bank.name, account.identifier, "missing: " + ", ".join(failed)])
    return rows


def _accounts(bank: BankExport) -> Table:
    rows: list[list[Any]] = [["Account", "Type", "Currency", "Booked", "Available", "Transactions", "Credit",
                              "Debit"]]
    for account in bank.accounts:
        detail = account.detail
        source: Any = detail if detail is not None else account.account
        sums = totals(account.transactions)
        rows.append([account.identifier, _text(getattr(source.type, "value", source.type)), source.currency or "",
                     _amount(balance(detail, "bookedBalance")), _amount(balance(detail, "availableBalance")),
                     str(sums.count), _amount(sums.credit), _amount(sums.debit)])
    return _table(rows, widths=_ACCOUNT_WIDTHS, style=_SMALL)


def _table(rows: list[list[Any]], *, header: bool = True, widths: list[float] | None = None,
           style: Any = None) -> Table:
    cells = [[Paragraph(escape(str(cell)), style or _STYLES["BodyText"]) for cell in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1 if header else 0)
    table.setStyle(_GRID if header else TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]))
    return table


def _amount(value: Decimal | None) -> str:
    # Norwegian grouping with a thin space is not in WinAnsi; a plain space is.
    return "" if value is None else f"{value:,.2f}".replace(",", " ")


def _text(value: date | str | None) -> str:
    return "" if value is None else str(value)


__all__ = ["write_pdf"]
