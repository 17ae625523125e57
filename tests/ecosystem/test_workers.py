"""``dsop up --workers 2``: every bank served by two processes sharing its port, and a story still told end to end."""

from __future__ import annotations

import asyncio
import io
import multiprocessing
from pathlib import Path

import pytest
from rich.console import Console

from opendsop.ecosystem.runner import start
from opendsop.ecosystem.tour import TourReport, run_tour
from tests.ecosystem.harness import tiny_topology


@pytest.mark.timeout(600)
def test_the_banks_in_two_workers_each_tell_the_konkurs_story(tmp_path: Path) -> None:
    topology = tiny_topology(tmp_path)

    async def main() -> tuple[TourReport, list[str]]:
        async with start(topology, workers=2) as running:
            workers = [child.name for child in multiprocessing.active_children()]
            report = await run_tour(running, Console(file=io.StringIO(), width=200), ("konkurs",))
        return report, workers

    report, workers = asyncio.run(main())
    assert sorted(workers) == sorted(
        f"bank {bank.orgno} worker {number}" for bank in topology.banks for number in (1, 2)
    )
    assert not report.failures, report.failures
    assert report.konkurs  # every bank answered the trustee over its workers
    assert not [process for process in multiprocessing.active_children() if process.name.startswith("bank ")]
