"""``dsop fraud report`` and ``dsop fraud verify``: a report confirmed with the local key verifies for the
reporter and is refused with one line for anyone else."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from opendsop.cli import app as dsop

REPORTER = "15108695088"


def test_report_then_verify_and_refuse_another_person(tmp_path: Path) -> None:
    runner = CliRunner()
    keys = ["--key-dir", str(tmp_path)]
    filed = runner.invoke(dsop, ["fraud", "report", "--reporter", REPORTER, "--fraud-type", "romance", *keys])
    assert filed.exit_code == 0, filed.output
    answer = json.loads(filed.output)
    assert len(answer["caseNumber"]) == 8
    token = answer["confirmation"]
    ok = runner.invoke(dsop, ["fraud", "verify", token, "--person", REPORTER, *keys])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["caseNumber"] == answer["caseNumber"]
    other = runner.invoke(dsop, ["fraud", "verify", token, "--person", "01017012345", *keys])
    assert other.exit_code == 2
    assert "[FRD-004]" in other.output
    wrong = runner.invoke(
        dsop,
        ["fraud", "verify", token, "--person", REPORTER, "--insurer", "910000010", "--consent-insurer", "910000011"]
        + keys,
    )
    assert (wrong.exit_code, "[FRD-007]" in wrong.output) == (2, True)
