"""The PDF case summary: what the agency asked, about whom, under which legal basis, and what came back.

DSOP “eOppslag” (the ``AccountInfoRequestID`` names the case at every
bank) and DSOP “eOppslag” (``partial``: the bank has more than it delivered).  Decided here: one document
that opens with the party (name and id), the service, the legal basis, the requester, the period,
the facts under their Norwegian names and the time it was generated; then every bank asked with
its outcome and reason, a section "Partial or failed", and per bank its accounts (balances and
transaction totals, amounts right-aligned in Norwegian format) with a balance-over-time chart per
account.  Every page carries the case ID and "page N of M".  Built with reportlab's standard
fonts, whose WinAnsi (Latin-1) encoding renders æøå; ``page_compression=False`` leaves the content
streams readable (tests, archives).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import IO, Any
from xml.sax.saxutils import escape

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from opendsop.clock import oslo_now
from opendsop.consumer.exports.chart import balance_chart
from opendsop.consumer.exports.labels import (
    balance_history,
    fact_label,
    norwegian_amount,
    party_line,
    service_label,
)
from opendsop.consumer.exports.model import BankExport, CaseExport, balance, failed_endpoints, totals

_STYLES = getSampleStyleSheet()
_SMALL = ParagraphStyle("small", parent=_STYLES["BodyText"], fontSize=7.5, leading=9)
_FONT, _BOLD, _SIZE = "Helvetica", "Helvetica-Bold", 7.5
_MARGIN = 15 * mm
_WIDTH = A4[0] - 2 * _MARGIN
_PAD = 8  # a cell's left and right padding together (reportlab's default 6 + a little air)
MAX_CHARTS = 60  # accounts charted; beyond this the summary would be a picture book
_NBSP = "\u00a0"


def write_pdf(
    export: CaseExport, out: str | IO[bytes], *, page_compression: bool = True, generated_at: datetime | None = None
) -> None:
    """The summary of ``export``; ``generated_at`` (default: now in Oslo) is printed on its first page."""
    moment = generated_at or oslo_now()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        pageCompression=1 if page_compression else 0,
        title=f"DSOP case {export.case_id}",
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=18 * mm,
    )
    footer = f"DSOP case {export.case_id}"
    document.build(_story(export, moment), canvasmaker=lambda *a, **k: _NumberedCanvas(*a, footer=footer, **k))


class _NumberedCanvas(Canvas):
    """Holds every page until the end so each can say "page N of M"."""

    def __init__(self, *args: Any, footer: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(_FONT, 7)
            self.setFillColor(colors.grey)
            self.drawString(_MARGIN, 10 * mm, self._footer)
            self.drawRightString(A4[0] - _MARGIN, 10 * mm, f"page {number} of {total}")
            super().showPage()
        super().save()


def _story(export: CaseExport, moment: datetime) -> list[Flowable]:
    case, p = export.case, export.case.parameters
    period = f"{_text(p.from_date) or '…'} – {_text(p.to_date) or '…'}"
    facts = [[fact_label(name), str(value)] for name, value in case.facts.items()]
    summary = [
        ["Party", party_line(export)],
        ["Service", service_label(case.service)],
        ["Legal basis (Legal-Mandate)", p.mandate.text],
        ["Requester", p.requester_id or "–"],
        ["Period", period],
        *facts,
        ["Case number", case.case_number],
        ["AccountInfoRequestID", case.id],
        ["Status", case.status],
        ["Generated", f"{moment:%Y-%m-%d %H:%M} (Oslo)"],
    ]
    story: list[Flowable] = [
        Paragraph("Case summary", _STYLES["Title"]),
        _labelled(summary),
        Spacer(1, 6 * mm),
        Paragraph("Banks asked", _STYLES["Heading2"]),
        _grid(
            [
                ["Bank", "Org no", "Outcome", "Reason"],
                *([b.bank.name, b.bank.org_no, b.state, b.reason or ""] for b in export.banks),
            ],
            fixed=(1, 2),
            wrap=(0, 3),
        ),
        Spacer(1, 6 * mm),
        Paragraph("Partial or failed", _STYLES["Heading2"]),
    ]
    problems = _problems(export)
    story.append(
        _grid([["Bank", "Account", "What"], *problems], fixed=(1,), wrap=(0, 2))
        if problems
        else Paragraph("Every bank answered completely.", _STYLES["Normal"])
    )
    if export.letters:
        story += [
            Spacer(1, 6 * mm),
            Paragraph("Asked by digital letter", _STYLES["Heading2"]),
            _grid(
                [
                    ["Bank", "Org no", "Status", "Answer"],
                    *(
                        [letter.name, letter.org_no, letter.status, letter.file_name or f"due {letter.due}"]
                        for letter in export.letters
                    ),
                ],
                fixed=(1, 2),
                wrap=(0, 3),
            ),
        ]
    charts = 0
    for bank in export.banks:
        story += [
            Spacer(1, 6 * mm),
            Paragraph(escape(f"{bank.bank.name} ({bank.bank.org_no}): {bank.state}"), _STYLES["Heading3"]),
        ]
        if not bank.accounts:
            story.append(Paragraph("No accounts delivered.", _STYLES["Normal"]))
            continue
        story.append(_accounts(bank))
        for account in bank.accounts:
            points = balance_history(account)
            if points and charts < MAX_CHARTS:
                charts += 1
                title = f"{account.identifier}: booked balance at the end of each booking day"
                story += [Spacer(1, 3 * mm), KeepTogether(balance_chart(points, title=title, width=_WIDTH))]
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


_ACCOUNT_HEADER = ["Account", "Type", "Currency", "Booked", "Available", "Transactions", "Credit", "Debit"]
_AMOUNT_COLUMNS = (3, 4, 5, 6, 7)


def _accounts(bank: BankExport) -> Table:
    rows: list[list[str]] = [_ACCOUNT_HEADER]
    for account in bank.accounts:
        detail = account.detail
        source: Any = detail if detail is not None else account.account
        sums = totals(account.transactions)
        kind, currency = source.type or account.account.type, source.currency or account.account.currency
        rows.append(
            [
                account.identifier,
                _text(getattr(kind, "value", kind)),
                currency or "",
                _amount(balance(detail, "bookedBalance")),
                _amount(balance(detail, "availableBalance")),
                str(sums.count),
                _amount(sums.credit),
                _amount(sums.debit),
            ]
        )
    return _grid(rows, fixed=(0, 2, *_AMOUNT_COLUMNS), wrap=(1,), right=_AMOUNT_COLUMNS)


def _grid(
    rows: list[list[str]], *, fixed: tuple[int, ...], wrap: tuple[int, ...], right: tuple[int, ...] = ()
) -> Table:
    """A table whose ``fixed`` columns are as wide as their widest cell (never wrapped: identifiers,
    amounts) and whose ``wrap`` columns share the rest of the page and wrap their words."""
    widths: list[float] = [0.0] * len(rows[0])
    for column in fixed:
        widths[column] = (
            max(stringWidth(row[column], _BOLD if i == 0 else _FONT, _SIZE) for i, row in enumerate(rows)) + _PAD
        )
    rest = max(_WIDTH - sum(widths), 40.0 * len(wrap))
    wanted = {column: max(stringWidth(row[column], _FONT, _SIZE) for row in rows) + _PAD for column in wrap}
    share = rest / max(len(wrap), 1)
    small = {c: w for c, w in wanted.items() if w <= share}  # narrow wrap columns keep their width
    left = rest - sum(small.values())
    for column in wrap:
        widths[column] = small.get(column) or left / max(len(wrap) - len(small), 1)
    cells: list[list[Any]] = []
    for index, row in enumerate(rows):
        cells.append(
            [
                cell if (column in fixed or index == 0) else Paragraph(escape(cell), _SMALL)
                for column, cell in enumerate(row)
            ]
        )
    table = Table(cells, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (-1, -1), _FONT, _SIZE),
        ("FONT", (0, 0), (-1, 0), _BOLD, _SIZE),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [("ALIGN", (column, 0), (column, -1), "RIGHT") for column in right]
    table.setStyle(TableStyle(style))
    return table


def _labelled(rows: list[list[str]]) -> Table:
    label_width = max(stringWidth(label, _BOLD, 9) for label, _ in rows) + 10
    cells = [
        [Paragraph(f"<b>{escape(label)}</b>", _STYLES["BodyText"]), Paragraph(escape(value), _STYLES["BodyText"])]
        for label, value in rows
    ]
    table = Table(cells, colWidths=[label_width, _WIDTH - label_width])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _amount(value: Any) -> str:
    # a no-break space between thousands: WinAnsi has it, and a cell never wraps inside an amount
    return norwegian_amount(value, space=_NBSP)


def _text(value: date | str | None) -> str:
    return "" if value is None else str(value)


__all__ = ["MAX_CHARTS", "write_pdf"]
