"""Exports of a case: JSON, CSV, XLSX and the PDF summary (DSOP “eOppslag”)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest

from opendsop.consumer.cases import Case, CaseStore
from opendsop.consumer.client import Fetched
from opendsop.consumer.exports import (
    ACCOUNT_COLUMNS,
    TRANSACTION_COLUMNS,
    AccountExport,
    BankExport,
    CaseExport,
    UnknownCase,
    load_case_export,
    read_json,
    to_json,
    write_accounts_csv,
    write_json,
    write_pdf,
    write_transactions_csv,
    write_xlsx,
)
from opendsop.consumer.fanout import BankResult, Outcome
from opendsop.consumer.protocol import BankEndpoint, CaseParameters
from opendsop.standard import mandate
from opendsop.standard.control import v2
from opendsop.standard.endpoints import Endpoint

NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
CASE_ID = "6a0f3c1e-2b4d-4e8f-9a1b-3c5d7e9f1a2b"
PARAMETERS = CaseParameters(
    account_info_request_id=CASE_ID,
    mandate=mandate.KONKURS,
    party_id="910000002",
    from_date=date(2024, 11, 3),
    to_date=date(2026, 1, 15),
)
CASE = Case(
    CASE_ID,
    "KONK-2026-17",
    "konkurs",
    PARAMETERS,
    {"kjennelsesdato": "2025-11-03"},
    "open",
    NOW,
    NOW + timedelta(days=30),
)
OK_BANK = BankEndpoint("910000001", "https://a.test/v2", "v2", "Sparebanken Øst-Ærø Våg")
PARTIAL_BANK = BankEndpoint("910000003", "https://b.test/v2", "v2", "Bank B")
FAILED_BANK = BankEndpoint("910000005", "https://c.test/v2", "v2", "Bank C")
PARTIAL_MESSAGE = "transactions before 2025 are archived"


def account(number: str) -> v2.Account:
    return v2.Account(
        account_identifier=number,
        account_reference=f"ref-{number}",
        type=v2.AccountType.BUSINESS_ACCOUNT,
        currency="NOK",
    )


def details(number: str, booked: str, indicator: str = "credit") -> Fetched:
    balance = v2.Balance(
        type=v2.BalanceType.BOOKED_BALANCE,
        amount=Decimal(booked),
        currency="NOK",
        credit_debit_indicator=v2.CreditOrDebit(indicator),
    )
    body = v2.AccountDetail(
        account_identifier=number, account_reference=f"ref-{number}", currency="NOK", balances=(balance,)
    )
    return Fetched(Endpoint.ACCOUNT_DETAILS, body, "complete", None, 1)


def transaction(ident: str, amount: str, indicator: str, day: date) -> v2.Transaction:
    return v2.Transaction(
        transaction_identifier=ident,
        amount=Decimal(amount),
        currency="NOK",
        credit_debit_indicator=v2.CreditOrDebit(indicator),
        merchant="Kaffebrenneriet Ærø",
        booking_date=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
    )


def transactions(*items: v2.Transaction, status: str = "complete", message: str | None = None) -> Fetched:
    return Fetched(Endpoint.TRANSACTIONS, items, status, message, 1)


def listing(*accounts: v2.Account) -> Fetched:
    return Fetched(Endpoint.ACCOUNTS, accounts, "complete", None, 1)


def sample(count: int = 2) -> CaseExport:
    """An ok bank, a partial bank (one partial answer, one account without transactions), a failed bank."""
    ok_transactions = (
        transaction("t1", "1000.50", "credit", date(2025, 1, 2)),
        transaction("t2", "250.25", "debit", date(2025, 1, 3)),
        *(transaction(f"x{n}", "1", "credit", date(2025, 3, 1)) for n in range(count - 2)),
    )
    return CaseExport(
        CASE,
        (
            BankExport(
                OK_BANK,
                Outcome.OK,
                None,
                (
                    AccountExport(
                        "ref-12345678903",
                        account("12345678903"),
                        {
                            Endpoint.ACCOUNT_DETAILS: details("12345678903", "1250.50"),
                            Endpoint.TRANSACTIONS: transactions(*ok_transactions),
                        },
                    ),
                ),
                listing(account("12345678903")),
            ),
            BankExport(
                PARTIAL_BANK,
                Outcome.PARTIAL,
                "transactions of 1 account failed: 503",
                (
                    AccountExport(
                        "ref-22223333444",
                        account("22223333444"),
                        {
                            Endpoint.ACCOUNT_DETAILS: details("22223333444", "5", "debit"),
                            Endpoint.TRANSACTIONS: transactions(
                                transaction("t9", "9", "debit", date(2025, 2, 1)),
                                status="partial",
                                message=PARTIAL_MESSAGE,
                            ),
                        },
                    ),
                    AccountExport(
                        "ref-22223333555",
                        account("22223333555"),
                        {Endpoint.ACCOUNT_DETAILS: details("22223333555", "7")},
                    ),
                ),
                listing(account("22223333444"), account("22223333555")),
            ),
            BankExport(FAILED_BANK, Outcome.ERROR, "503 after 3 attempts"),
        ),
    )


# -- JSON ---------------------------------------------------------------------------------------------


def test_json_round_trip_keeps_everything_exactly() -> None:
    export = sample()
    data = to_json(export)
    assert read_json(data) == export
    streamed = io.BytesIO()
    write_json(export, streamed)
    assert streamed.getvalue() == data
    # amounts are JSON numbers with every digit (DSOP “Data model”), not strings or rounded floats
    assert b'"amount":1000.50' in data and b'"legalMandate":"kkl. \xc2\xa7156 (3) og (4), jf. kkfor.\xc2\xa721"' in data


# -- CSV ----------------------------------------------------------------------------------------------


def read_csv(write: object, export: CaseExport) -> list[dict[str, str]]:
    out = io.StringIO(newline="")
    count = write(export, out)  # type: ignore[operator]
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert count == len(rows)
    return rows


def test_transactions_csv_has_one_row_per_transaction_with_signed_amounts_and_iso_dates() -> None:
    out = io.StringIO(newline="")
    write_transactions_csv(sample(), out)
    assert next(csv.reader(io.StringIO(out.getvalue()))) == list(TRANSACTION_COLUMNS)
    rows = read_csv(write_transactions_csv, sample())
    assert [(r["bank_org_no"], r["transaction_identifier"]) for r in rows] == [
        ("910000001", "t1"),
        ("910000001", "t2"),
        ("910000003", "t9"),
    ]
    first, second = rows[0], rows[1]
    assert (first["amount"], first["signed_amount"], first["booking_date"]) == ("1000.50", "1000.50", "2025-01-02")
    assert (second["credit_debit"], second["signed_amount"]) == ("debit", "-250.25")
    assert first["bank_name"] == "Sparebanken Øst-Ærø Våg" and first["merchant"] == "Kaffebrenneriet Ærø"


def test_accounts_csv_has_balances_totals_and_what_was_partial_or_missing() -> None:
    rows = {r["account_identifier"]: r for r in read_csv(write_accounts_csv, sample())}
    assert list(next(iter(rows.values()))) == list(ACCOUNT_COLUMNS)
    ok = rows["12345678903"]
    assert (ok["bank_outcome"], ok["booked_balance"], ok["transaction_count"]) == ("ok", "1250.50", "2")
    assert (Decimal(ok["total_credit"]), Decimal(ok["total_debit"])) == (Decimal("1000.50"), Decimal("250.25"))
    assert rows["22223333444"]["booked_balance"] == "-5"  # a debit balance is negative
    assert PARTIAL_MESSAGE in rows["22223333444"]["partial"]
    assert rows["22223333555"]["failed"] == "transactions" and rows["22223333555"]["bank_outcome"] == "partial"
    assert ok["partial"] == ok["failed"] == ""


# -- XLSX ---------------------------------------------------------------------------------------------

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def read_xlsx(data: bytes) -> dict[str, list[list[str]]]:
    """Each sheet's rows as cell texts (inline strings or number values), read from the XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = [
            s.get("name") for s in ElementTree.fromstring(book.read("xl/workbook.xml")).iterfind("m:sheets/m:sheet", NS)
        ]
        sheets = {}
        for index, name in enumerate(names, 1):
            root = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{index}.xml"))
            sheets[str(name)] = [_cells(row) for row in root.iterfind("m:sheetData/m:row", NS)]
    return sheets


def _cells(row: ElementTree.Element) -> list[str]:
    """A row's cells by column; an empty cell is not written, so place each by its reference (``C7``)."""
    cells: list[str] = []
    for cell in row.iterfind("m:c", NS):
        letters = re.match(r"[A-Z]+", cell.get("r", ""))
        assert letters is not None
        column = 0
        for letter in letters.group():
            column = column * 26 + ord(letter) - ord("A") + 1
        cells += [""] * (column - 1 - len(cells))
        cells.append("".join(cell.itertext()))
    return cells


def excel_serial(day: date) -> str:
    return str((day - date(1899, 12, 30)).days)  # Excel's 1900 date system, as seen after 1 March 1900


def test_xlsx_holds_the_case_and_tables_with_numbers_and_dates() -> None:
    out = io.BytesIO()
    assert write_xlsx(sample(), out) == {"Accounts": 3, "Transactions": 3}
    sheets = read_xlsx(out.getvalue())
    assert list(sheets) == ["Case", "Accounts", "Transactions"]
    case_text = [cell for row in sheets["Case"] for cell in row]
    assert CASE_ID in case_text and mandate.KONKURS.text in case_text and "503 after 3 attempts" in case_text
    header, first, second, _ = sheets["Transactions"]
    assert header == list(TRANSACTION_COLUMNS)
    row = dict(zip(header, first, strict=False))
    assert float(row["amount"]) == 1000.5 and row["booking_date"] == excel_serial(date(2025, 1, 2))
    assert row["currency"] == "NOK" and row["value_date"] == ""
    assert float(dict(zip(header, second, strict=False))["signed_amount"]) == -250.25


def test_xlsx_splits_a_long_table_over_several_sheets() -> None:
    out = io.BytesIO()
    written = write_xlsx(sample(count=6), out, max_rows=3)  # 7 transactions, 3 accounts
    assert written == {"Accounts": 3, "Transactions": 3, "Transactions (2)": 3, "Transactions (3)": 1}
    sheets = read_xlsx(out.getvalue())
    assert list(sheets) == ["Case", "Accounts", "Transactions", "Transactions (2)", "Transactions (3)"]
    parts = [sheets[name] for name in ("Transactions", "Transactions (2)", "Transactions (3)")]
    assert all(part[0] == list(TRANSACTION_COLUMNS) for part in parts)  # header on every sheet
    identifiers = [row[3] for part in parts for row in part[1:]]
    assert identifiers == ["t1", "t2", "x0", "x1", "x2", "x3", "t9"]  # nothing lost, nothing repeated


@pytest.mark.parametrize("max_rows", [0, 1_048_576], ids=["zero", "past-excel"])
def test_xlsx_refuses_a_sheet_size_excel_cannot_hold(max_rows: int) -> None:
    with pytest.raises(ValueError, match="max_rows"):
        write_xlsx(sample(), io.BytesIO(), max_rows=max_rows)


# -- PDF ----------------------------------------------------------------------------------------------

_SHOWN = re.compile(rb"\(((?:\\.|[^\\)])*)\) Tj")


def pdf_text(export: CaseExport, tmp_path: Path) -> str:
    """The summary's text: by pdftotext when installed, else from the uncompressed content streams."""
    if shutil.which("pdftotext"):
        path = tmp_path / "summary.pdf"
        write_pdf(export, str(path))
        return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    out = io.BytesIO()
    write_pdf(export, out, page_compression=False)
    pieces = []
    for shown in _SHOWN.findall(out.getvalue()):
        raw = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), shown)
        pieces.append(re.sub(rb"\\(.)", rb"\1", raw).decode("cp1252"))  # the standard fonts' WinAnsi
    return " ".join(pieces)


def test_pdf_summary_names_the_case_and_its_legal_basis(tmp_path: Path) -> None:
    out = io.BytesIO()
    write_pdf(sample(), out)
    assert out.getvalue().startswith(b"%PDF")
    text = " ".join(pdf_text(sample(), tmp_path).split())
    assert CASE_ID in text and "KONK-2026-17" in text
    assert mandate.KONKURS.text in text  # "kkl. §156 (3) og (4), jf. kkfor.§21"
    assert "Sparebanken Øst-Ærø Våg" in text  # æøå in the built-in fonts


def test_pdf_summary_shows_the_failed_and_the_partial_bank(tmp_path: Path) -> None:
    text = " ".join(pdf_text(sample(), tmp_path).split())
    section = text[text.index("Partial or failed") :]
    assert "Bank C" in section and "error: 503 after 3 attempts" in section
    assert "partial: transactions of 1 account failed: 503" in section
    assert PARTIAL_MESSAGE in section and "missing: transactions" in section
    assert "1 000,50" in section and "250,25" in section  # the ok bank's credit and debit totals


def test_pdf_summary_of_a_complete_case_says_so(tmp_path: Path) -> None:
    complete = CaseExport(CASE, sample().banks[:1])
    assert "Every bank answered completely." in " ".join(pdf_text(complete, tmp_path).split())


# -- from the case store ------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_load_case_export_reads_what_the_store_recorded(tmp_path: Path) -> None:
    store = CaseStore.from_url(f"sqlite+aiosqlite:///{tmp_path / 'cases.db'}")
    await store.create_schema()
    try:
        with pytest.raises(UnknownCase):
            await load_case_export(store, CASE_ID)
        await store.open_case(
            case_number=CASE.case_number,
            service=CASE.service,
            parameters=PARAMETERS,
            now=NOW,
            retention=timedelta(days=30),
            facts={"kjennelsesdato": date(2025, 11, 3)},
        )
        expected = sample()
        await store.add_banks(CASE_ID, [bank.bank for bank in expected.banks])
        for bank in expected.banks:
            if bank.listed is not None:
                await store.record_answer(CASE_ID, bank.bank, None, bank.listed)
            for item in bank.accounts:
                for fetched in item.answers.values():
                    await store.record_answer(CASE_ID, bank.bank, item.reference, fetched)
            if bank.outcome is not None:
                await store.record_outcome(CASE_ID, BankResult(bank.bank, bank.outcome, bank.reason))
        loaded = await load_case_export(store, CASE_ID)
    finally:
        await store.close()
    assert loaded == expected


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
