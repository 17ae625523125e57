"""The HTML report in a real browser (Chromium): one self-contained file that loads nothing from the
network, shows the summary, and opens a failed check's request and answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opendsop.conformance.model import Exchange, Outcome, Result
from opendsop.conformance.report import write_reports
from tests.browser import assert_accessible, chromium, page

__all__ = ["chromium", "page"]  # the shared browser fixtures


def _results() -> list[Result]:
    exchange = Exchange(
        "GET", "https://bank.test/v2/accounts", {"Authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig"}
    )
    exchange.status, exchange.body = 200, '{"accounts": [{"primaryOwner": {"identifier": {"value": "17058012345"}}}]}'
    return [
        Result(
            "skatt.allowed.listAccounts",
            "authorize.allowed",
            "Skatt-kontroll may call listAccounts → 200",
            "DSOP Skatt",
            "must",
            "skatt",
            Outcome.PASSED,
        ),
        Result(
            "skatt.period.ten-years.beyond",
            "period.ten_years",
            "fromDate 10 years and a day back → 400 ACC-001",
            "DSOP Skatt “Løsningsbeskrivelse”",
            "must",
            "skatt",
            Outcome.FAILED,
            "expected 400 ACC-001, got 200",
            0.01,
            [exchange.as_dict()],
        ),
    ]


def test_the_report_opens_in_a_browser_and_shows_a_failure(page: Any, tmp_path: Path) -> None:
    paths = write_reports(tmp_path, _results(), {"target": "https://bank.test/v2", "bank": "910000001"})
    outside: list[str] = []
    page.route(
        "**/*",
        lambda route: (
            (outside.append(route.request.url), route.abort())
            if not route.request.url.startswith("file:")
            else route.continue_()
        ),
    )
    page.goto(paths["html"].as_uri())
    assert "DSOP conformance" in page.title()
    assert page.locator("text=1 failed").count() == 1
    failed = page.locator("tr", has_text="skatt.period.ten-years.beyond")
    failed.locator("summary").click()
    shown = failed.locator("pre").inner_text()
    assert "*********45" in shown and "17058012345" not in shown  # the person number is masked
    assert "eyJzdWIiOiJ4In0" not in shown  # and the token
    assert outside == []
    assert_accessible(page)
