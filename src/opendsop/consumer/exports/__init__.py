"""Exports of one case: JSON, CSV, XLSX and a PDF summary.

Every writer takes a plain :class:`CaseExport`; :func:`load_case_export` builds it from a
``CaseStore``.  See :mod:`.model` (the value and its rows), :mod:`.json_export`, :mod:`.tables`
(CSV and XLSX) and :mod:`.pdf`.
"""

from __future__ import annotations

from opendsop.consumer.exports.json_export import read_json, to_json, write_json
from opendsop.consumer.exports.model import (
    ACCOUNT_COLUMNS,
    TRANSACTION_COLUMNS,
    AccountExport,
    BankExport,
    CaseExport,
    UnknownCase,
    account_rows,
    load_case_export,
    transaction_rows,
)
from opendsop.consumer.exports.pdf import write_pdf
from opendsop.consumer.exports.tables import EXCEL_MAX_ROWS, write_accounts_csv, write_transactions_csv, write_xlsx

__all__ = [
    "ACCOUNT_COLUMNS",
    "EXCEL_MAX_ROWS",
    "TRANSACTION_COLUMNS",
    "AccountExport",
    "BankExport",
    "CaseExport",
    "UnknownCase",
    "account_rows",
    "load_case_export",
    "read_json",
    "to_json",
    "transaction_rows",
    "write_accounts_csv",
    "write_json",
    "write_pdf",
    "write_transactions_csv",
    "write_xlsx",
]
