"""The kit against the project's own bank: every check passes, and the reports say so."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from opendsop.conformance import runner
from opendsop.conformance.checks import BANK_SERVICES, V1_SERVICES, derive
from opendsop.conformance.model import Outcome
from opendsop.conformance.report import summary, write_reports
from tests.conformance.harness import context, open_bank

pytestmark = pytest.mark.anyio


async def test_every_check_passes_against_the_projects_bank(reference_dir: Path, tmp_path: Path) -> None:
    checks = derive(BANK_SERVICES, contract=reference_dir / "Bank_v2.yaml")
    async with await open_bank() as client:
        results = await runner.run(checks, context(client, BANK_SERVICES), state=tmp_path / "state.jsonl")
    problems = [f"{r.id}: {r.outcome.value} {r.message}" for r in results if r.outcome is not Outcome.PASSED]
    assert problems == []
    counts = Counter(r.service or "common" for r in results)
    print("\nchecks per service:", dict(counts), "total", len(results))
    assert all(counts[service] > 40 for service in BANK_SERVICES)
    assert {r.rule for r in results} >= {
        "authorize.allowed",
        "delivery.withheld",
        "delivery.delivered",
        "paging.next",
        "token.audience",
        "jwe.encrypted",
        "schema.contract",
        "ratelimit.retry_after",
    }

    paths = write_reports(tmp_path / "reports", results, {"target": "own bank"})
    report = json.loads(paths["json"].read_text())
    assert report["summary"]["passed"] == len(results) == summary(results)["total"]
    suites = ET.parse(paths["junit"]).getroot()
    assert sum(int(suite.get("tests", 0)) for suite in suites) == len(results)
    page = paths["html"].read_text()
    assert f"<b>{len(results)}</b> of {len(results)} checks passed" in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "<script" not in page  # self-contained


async def test_a_resumed_run_asks_only_what_was_not_settled(tmp_path: Path) -> None:
    checks = derive(("nav",), rate=False)[:30]
    state = tmp_path / "state.jsonl"
    async with await open_bank() as client:
        first = await runner.run(checks[:10], context(client, ("nav",)), state=state)
        asked: list[str] = []
        second = await runner.run(
            checks, context(client, ("nav",)), state=state, resume=True, progress=lambda c, r: asked.append(c.id)
        )
    assert [r.id for r in second[:10]] == [r.id for r in first]
    assert len(second) == 30 and len(state.read_text().splitlines()) == 30


async def test_every_v1_check_passes_against_the_projects_bank(reference_dir: Path) -> None:
    """Control API v1 (Bank_v1.yaml) while the bank's phase-out window is open: v1's texts and headers."""
    checks = derive(V1_SERVICES, version="v1", contract=reference_dir / "Bank_v1.yaml", rate=False)
    async with await open_bank(version="v1") as client:
        results = await runner.run(checks, context(client, V1_SERVICES, version="v1"))
    problems = [f"{r.id}: {r.outcome.value} {r.message}" for r in results if r.outcome is not Outcome.PASSED]
    assert problems == []
    assert len(results) > 80 and "politi.reference.malformed" in {r.id for r in results}
