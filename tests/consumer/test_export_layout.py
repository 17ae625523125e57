"""What a case handler sees in the PDF and the XLSX: the party, Norwegian amounts, tables that fit.

Read back with pypdf and openpyxl, as any reader of the files would: the summary names the party
(name and id), service, legal basis, requester, period and the time it was generated; amounts are
right-aligned and written ``1 327 502,16``; no header breaks inside a word; every page is numbered;
each account with a balance has its chart.  The workbook has column widths, a frozen header, an
autofilter and a Case sheet naming the party.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pypdf
import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from opendsop.consumer.exports import AccountExport, BankExport, CaseExport, write_pdf, write_xlsx
from opendsop.consumer.exports.labels import balance_history, norwegian_amount
from opendsop.consumer.fanout import Outcome
from opendsop.standard.control import v2
from opendsop.standard.endpoints import Endpoint
from tests.consumer.test_exports import (
    CASE,
    PARAMETERS,
    details,
    listing,
    sample,
    transaction,
    transactions,
)

PARTY_NAME = "Øvre Årdal Snekkeri AS"
GENERATED = datetime(2026, 1, 15, 11, 5, tzinfo=UTC)
REQUESTER = "saksbehandler-17"


def owned(number: str) -> v2.Account:
    org = v2.Identifier(value=PARAMETERS.party_id, type=v2.IdentifierType.COUNTRY_IDENTIFICATION_CODE)
    owner = v2.AccountRole(identifier=org, name=PARTY_NAME)
    return v2.Account(
        account_identifier=number,
        account_reference=f"ref-{number}",
        type=v2.AccountType.BUSINESS_ACCOUNT,
        currency="NOK",
        primary_owner=owner,
    )


def with_party() -> CaseExport:
    """The sample, with a requester and a large business account the party owns."""
    base = sample()
    big = AccountExport(
        "ref-95283184567",
        owned("95283184567"),
        {
            Endpoint.ACCOUNT_DETAILS: details("95283184567", "1327502.16"),
            Endpoint.TRANSACTIONS: transactions(
                transaction("b1", "180343.00", "debit", date(2025, 6, 1)),
                transaction("b2", "12.50", "credit", date(2025, 7, 1)),
            ),
        },
    )
    ok = base.banks[0]
    banks = (BankExport(ok.bank, Outcome.OK, None, (*ok.accounts, big), listing(owned("95283184567"))), *base.banks[1:])
    case = replace(CASE, parameters=replace(PARAMETERS, requester_id=REQUESTER))
    return CaseExport(case, banks)


def pdf_pages(export: CaseExport) -> list[list[tuple[str, float, float]]]:
    """Each page's shown strings with the x and y where they start."""
    out = io.BytesIO()
    write_pdf(export, out, generated_at=GENERATED)
    pages = []
    for page in pypdf.PdfReader(io.BytesIO(out.getvalue())).pages:
        shown: list[tuple[str, float, float]] = []

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            font: object,
            size: float,
            into: list[tuple[str, float, float]] = shown,
        ) -> None:
            if text.strip():
                into.append((text.strip(), cm[4] + tm[4], cm[5] + tm[5]))

        page.extract_text(visitor_text=visit)
        pages.append(shown)
    return pages


def pdf_text(export: CaseExport) -> str:
    return " ".join(" ".join(text for page in pdf_pages(export) for text, _, _ in page).split())


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        ("1327502.16", "1 327 502,16"),
        ("-180343", "-180 343,00"),
        ("0.5", "0,50"),
        ("999", "999,00"),
        ("1000", "1 000,00"),
    ],
)
def test_amounts_are_written_the_norwegian_way(amount: str, written: str) -> None:
    assert norwegian_amount(Decimal(amount)) == written


def test_pdf_names_the_party_service_legal_basis_requester_period_and_time() -> None:
    text = pdf_text(with_party())
    assert f"Party {PARTY_NAME} ({PARAMETERS.party_id})" in text
    assert "Konkursbehandling (konkurs)" in text and PARAMETERS.mandate.text in text
    assert f"Requester {REQUESTER}" in text and "Period 2024-11-03 – 2026-01-15" in text
    assert "Kjennelsesdato (bankruptcy ruling date) 2025-11-03" in text
    assert "Generated 2026-01-15 11:05 (Oslo)" in text


def test_pdf_without_the_party_among_the_answers_says_so() -> None:
    assert f"Party {PARAMETERS.party_id} (name not in the answers)" in pdf_text(sample())


def test_pdf_amounts_are_right_aligned_whole_and_norwegian() -> None:
    shown = [item for page in pdf_pages(with_party()) for item in page]
    texts = [text.replace("\u00a0", " ") for text, _, _ in shown]
    assert "1 327 502,16" in texts and "-5,00" in texts and "180 343,00" in texts  # never wrapped
    booked = {
        text.replace("\u00a0", " "): x + stringWidth(text, "Helvetica", 7.5)
        for text, x, _ in shown
        if text.replace("\u00a0", " ") in ("1 250,50", "1 327 502,16")
    }
    assert len(booked) == 2 and abs(booked["1 250,50"] - booked["1 327 502,16"]) < 0.5  # one right edge


def test_pdf_headers_are_whole_words_and_pages_are_numbered() -> None:
    pages = pdf_pages(with_party())
    texts = [text for page in pages for text, _, _ in page]
    for header in ("Account", "Transactions", "Available", "Currency", "Outcome"):
        assert header in texts
    assert "Transactio" not in texts and "ns" not in texts
    for number, page in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in [text for text, _, _ in page]


def test_pdf_draws_a_balance_chart_per_account_with_a_balance_and_bookings() -> None:
    text = pdf_text(with_party())
    for account in ("12345678903", "95283184567", "22223333444"):
        assert f"{account}: booked balance at the end of each booking day" in text
    assert "22223333555: booked balance" not in text  # no transactions: nothing to draw


def test_balance_history_walks_back_from_the_booked_balance() -> None:
    big = with_party().banks[0].accounts[1]
    assert balance_history(big) == [
        (date(2025, 6, 1), Decimal("1327489.66")),
        (date(2025, 7, 1), Decimal("1327502.16")),
    ]


def test_xlsx_has_widths_a_frozen_header_an_autofilter_and_a_case_sheet_naming_the_party() -> None:
    out = io.BytesIO()
    write_xlsx(with_party(), out)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    case = {row[0]: row[1] for row in book["Case"].iter_rows(values_only=True) if row and row[0]}
    assert case["Party name"] == PARTY_NAME and case["Party id"] == PARAMETERS.party_id
    assert case["Service"] == "Konkursbehandling (konkurs)" and case["Requester"] == REQUESTER
    assert case["Kjennelsesdato (bankruptcy ruling date)"] == "2025-11-03"
    for name, rows in (("Accounts", 4), ("Transactions", 5)):
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{rows + 1}"
        width = {c: d.width for d in sheet.column_dimensions.values() for c in range(d.min, d.max + 1)}
        assert all(width.get(c, 0) >= len(str(sheet.cell(1, c).value)) for c in range(1, sheet.max_column + 1))
    accounts = book["Accounts"]
    header = [cell.value for cell in accounts[1]]
    row = next(r for r in range(2, accounts.max_row + 1) if accounts.cell(r, 4).value == "95283184567")
    booked = accounts.cell(row, header.index("booked_balance") + 1)
    assert booked.value == 1327502.16 and booked.number_format == "#,##0.00"


def test_a_rendered_page_for_the_closing_note(tmp_path: Path) -> None:
    """The summary's first page as PNG under var/ (for a reader of the closing note), where pdftoppm exists."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "summary.pdf"
    write_pdf(with_party(), str(pdf), generated_at=GENERATED)
    target = Path(__file__).resolve().parents[2] / "var" / "export-summary"
    target.parent.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(target)], check=True
    )
    assert target.with_suffix(".png").read_bytes().startswith(b"\x89PNG")
