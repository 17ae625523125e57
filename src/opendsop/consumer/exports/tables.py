"""The CSV and XLSX exports of a case: the accounts table and the transactions table.

Decided here:

* both formats take their rows from :mod:`.model`'s generators and write them as they come: CSV
  through the :mod:`csv` module, XLSX with xlsxwriter's ``constant_memory`` mode (each row is
  flushed to disk once the next begins) — a million transactions are never held twice;
* in XLSX, amounts are numbers (format ``#,##0.00``) and dates real Excel dates; in CSV, amounts
  are plain decimals with a point and dates ISO 8601, which every spreadsheet and program reads;
* Excel holds 1,048,576 rows a sheet; a table longer than ``max_rows`` data rows (default
  1,048,575 plus the header) continues on a new sheet ``Transactions (2)``, header repeated;
* the workbook starts with a ``Case`` sheet: the party (name and id), the service, the legal
  basis, the requester, the period, the facts under their Norwegian names, the AccountInfoRequestID,
  the case number and each bank's outcome and reason;
* every table sheet has its header frozen, an autofilter over all its rows and column widths set
  by what the column holds (amounts, dates, identifiers, free text), so it reads at once.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import IO, Any, Final

import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from opendsop.consumer.exports.labels import fact_label, party_name, service_label
from opendsop.consumer.exports.model import (
    ACCOUNT_COLUMNS,
    TRANSACTION_COLUMNS,
    CaseExport,
    Cell,
    account_rows,
    transaction_rows,
)

EXCEL_MAX_ROWS: Final = 1_048_575  # data rows; the header takes row 1 of 1,048,576
_AMOUNT_WIDTH, _DATE_WIDTH, _TEXT_WIDTH = 16, 12, 32
_WIDE = {"bank_name", "counterparty_name", "merchant", "additional_info", "partial", "failed"}


def write_transactions_csv(export: CaseExport, out: IO[str]) -> int:
    """Write the transactions table (header first); returns the number of data rows."""
    return _write_csv(out, TRANSACTION_COLUMNS, transaction_rows(export))


def write_accounts_csv(export: CaseExport, out: IO[str]) -> int:
    """Write the accounts table (balances, transaction totals, what was partial or failed)."""
    return _write_csv(out, ACCOUNT_COLUMNS, account_rows(export))


def _write_csv(out: IO[str], columns: Sequence[str], rows: Iterable[tuple[Cell, ...]]) -> int:
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(["" if cell is None else _csv_cell(cell) for cell in row])
        count += 1
    return count


def _csv_cell(cell: Cell) -> str | int:
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, Decimal):
        return format(cell, "f")  # never an exponent: 1E+3 would not read back as 1000 everywhere
    if isinstance(cell, date):
        return cell.isoformat()
    return cell  # type: ignore[return-value]


def write_xlsx(export: CaseExport, out: str | IO[bytes], *, max_rows: int = EXCEL_MAX_ROWS) -> dict[str, int]:
    """Write the workbook; returns the data rows written per sheet name."""
    if max_rows < 1 or max_rows > EXCEL_MAX_ROWS:
        raise ValueError(f"max_rows must be between 1 and {EXCEL_MAX_ROWS}, not {max_rows}")
    written: dict[str, int] = {}
    workbook = xlsxwriter.Workbook(
        out,
        {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    try:
        formats = {
            "header": workbook.add_format({"bold": True}),
            "amount": workbook.add_format({"num_format": "#,##0.00"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        }
        _case_sheet(workbook, export, formats["header"])
        for title, columns, rows in (
            ("Accounts", ACCOUNT_COLUMNS, account_rows(export)),
            ("Transactions", TRANSACTION_COLUMNS, transaction_rows(export)),
        ):
            for name, count in _table(workbook, title, columns, rows, formats, max_rows).items():
                written[name] = count
                workbook.get_worksheet_by_name(name).autofilter(0, 0, count, len(columns) - 1)
    finally:
        workbook.close()
    return written


def _case_sheet(workbook: xlsxwriter.Workbook, export: CaseExport, bold: Any) -> None:
    sheet = workbook.add_worksheet("Case")
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 3, 30)
    case, p = export.case, export.case.parameters
    lines: list[tuple[str, Any]] = [
        ("Party name", party_name(export) or "not in the answers"),
        ("Party id", p.party_id),
        ("Service", service_label(case.service)),
        ("Legal basis (Legal-Mandate)", p.mandate.text),
        ("Requester", p.requester_id),
        ("From date", p.from_date),
        ("To date", p.to_date),
        *((fact_label(name), value) for name, value in case.facts.items()),
        ("OnlyPrimaryOwner", p.only_primary_owner),
        ("Case number", case.case_number),
        ("AccountInfoRequestID", case.id),
        ("Status", case.status),
    ]
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    row = 0
    for label, value in lines:
        sheet.write_string(row, 0, label, bold)
        _write(sheet, row, 1, value, {"date": date_format})
        row += 1
    row += 1
    for column, title in enumerate(("Bank org no", "Bank", "Outcome", "Reason")):
        sheet.write_string(row, column, title, bold)
    for bank in export.banks:
        row += 1
        for column, value in enumerate((bank.bank.org_no, bank.bank.name, bank.state, bank.reason)):
            _write(sheet, row, column, value, {})
    for letter in export.letters:  # banks without a Control API, asked by digital letter
        row += 1
        answer = f"answer file {letter.file_name} (sha256 {letter.sha256})" if letter.file_name else f"due {letter.due}"
        for column, value in enumerate((letter.org_no, letter.name, letter.status, f"digital letter; {answer}")):
            _write(sheet, row, column, value, {})


def _table(
    workbook: xlsxwriter.Workbook,
    title: str,
    columns: Sequence[str],
    rows: Iterable[tuple[Cell, ...]],
    formats: dict[str, Any],
    max_rows: int,
) -> dict[str, int]:
    counts: dict[str, int] = {}
    name, sheet, used = title, _sheet(workbook, title, columns, formats["header"]), 0
    counts[name] = 0
    for row in rows:
        if used == max_rows:
            name = f"{title} ({len(counts) + 1})"
            sheet, used = _sheet(workbook, name, columns, formats["header"]), 0
            counts[name] = 0
        used += 1
        counts[name] = used
        for column, cell in enumerate(row):
            _write(sheet, used, column, cell, formats)
    return counts


def _sheet(workbook: xlsxwriter.Workbook, name: str, columns: Sequence[str], bold: Any) -> Worksheet:
    sheet = workbook.add_worksheet(name)
    for column, title in enumerate(columns):
        sheet.set_column(column, column, _width(title))  # before any row: constant_memory writes in order
        sheet.write_string(0, column, title, bold)
    sheet.freeze_panes(1, 0)
    return sheet


def _width(column: str) -> int:
    if column in _WIDE:
        return _TEXT_WIDTH
    if column.endswith(("amount", "balance", "credit", "debit")) and column != "credit_debit":
        return max(_AMOUNT_WIDTH, len(column) + 2)
    if column.endswith("date"):
        return max(_DATE_WIDTH, len(column) + 2)
    return max(len(column) + 2, 12)


def _write(sheet: Worksheet, row: int, column: int, cell: Any, formats: dict[str, Any]) -> None:
    if cell is None:
        return
    if isinstance(cell, bool):
        sheet.write_boolean(row, column, cell)
    elif isinstance(cell, Decimal):
        sheet.write_number(row, column, float(cell), formats.get("amount"))
    elif isinstance(cell, int):
        sheet.write_number(row, column, cell)
    elif isinstance(cell, date):
        sheet.write_datetime(row, column, cell, formats.get("date"))
    else:
        sheet.write_string(row, column, str(cell))


__all__ = ["EXCEL_MAX_ROWS", "write_accounts_csv", "write_transactions_csv", "write_xlsx"]
