"""``dsop case list`` and ``dsop case show`` as a case handler reads them, on an 80-column terminal too."""

from __future__ import annotations

import re

import pytest
from rich.console import Console
from typer.testing import CliRunner

from opendsop.consumer.cli import build_app
from tests.consumer.workflows.test_cli import twins
from tests.provider import bank as seed

ELLIPSIS = "…"


def app_at(tmp_path, width: int):  # type: ignore[no-untyped-def]
    return build_app(twins(tmp_path), console=Console(width=width, color_system=None))


def run_skatt(runner: CliRunner, app) -> str:  # type: ignore[no-untyped-def]
    ran = runner.invoke(
        app,
        [
            "case",
            "skatt",
            "--party",
            seed.ANNE,
            "--requester",
            "sb-17",
            "--from",
            "2025-01-01",
            "--case-number",
            "SKATT-2026-4",
        ],
    )
    assert ran.exit_code == 0, ran.output
    return re.search(r"Case ([0-9a-f-]{36})", ran.output).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize("width", [80, 120])
def test_case_show_names_the_party_legal_basis_and_whole_accounts(tmp_path, width: int) -> None:  # type: ignore[no-untyped-def]
    runner, app = CliRunner(), app_at(tmp_path, width)
    case_id = run_skatt(runner, app)
    shown = runner.invoke(app, ["case", "show", case_id])
    assert shown.exit_code == 0, shown.output
    text = shown.output
    assert f"Anne Nordmann ({seed.ANNE})" in text
    assert "Skatt-kontroll (skatt)" in text and "sb-17" in text and "2025-01-01 –" in text
    assert "{" not in text  # no Python dict
    for number in (seed.NUMBERS[seed.SALARY], seed.NUMBERS[seed.SAVINGS], seed.BANK_ORGNO):
        assert number in text  # whole, on one line
    assert re.search(r"-?\d{1,3}( \d{3})*,\d{2} NOK", text)  # a balance in Norwegian format
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines)
    assert not any(ELLIPSIS in line and re.search(r"\d", line) for line in lines)
    assert f"dsop case export {case_id} \\" in text and "--format xlsx|pdf" in text


def test_case_list_filters_by_service_and_status(tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner, app = CliRunner(), app_at(tmp_path, 80)
    case_id = run_skatt(runner, app)
    listed = runner.invoke(app, ["case", "list"])
    assert listed.exit_code == 0, listed.output
    assert case_id in listed.output and "1 case" in listed.output and seed.ANNE in listed.output
    assert case_id in runner.invoke(app, ["case", "list", "--service", "skatt", "--status", "open"]).output
    empty = runner.invoke(app, ["case", "list", "--service", "konkurs"])
    assert empty.exit_code == 0 and case_id not in empty.output and "0 cases" in empty.output
    assert case_id not in runner.invoke(app, ["case", "list", "--status", "purged"]).output
    wrong = runner.invoke(app, ["case", "list", "--status", "closed"])
    assert wrong.exit_code == 2 and "--status must be open or purged" in wrong.output
