"""``dsop conformance bank`` as a user runs it: the kit's parties start, the bank's settings and the
bundle are written, every check is reported, and the reports are on disk — here against a bank URL
that does not answer, so every check errs (and the run still ends with its reports)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from opendsop.cli import app
from tests.conformance.harness import free_ports


def test_a_bank_that_does_not_answer_is_reported_check_by_check(tmp_path: Path) -> None:
    dead = free_ports(1)
    kit = free_ports(3)
    done = CliRunner().invoke(
        app,
        [
            "conformance",
            "bank",
            "--base-url",
            f"http://127.0.0.1:{dead}/v2",
            "--orgno",
            "910000001",
            "--services",
            "nav",
            "--no-rate",
            "--timeout",
            "2",
            "--kit-port",
            str(kit),
            "--report-dir",
            str(tmp_path),
        ],
    )
    assert done.exit_code == 1, done.output
    settings = (tmp_path / "bank.env").read_text()
    assert f"DSOP_PROVIDER_TOKEN_JWKS_URL='http://127.0.0.1:{kit}/jwks'" in settings
    assert "DSOP_PROVIDER_REGISTERS_URL=" in settings and "kit-root.pem" in settings
    assert {p.name for p in (tmp_path / "bundle").iterdir()} >= {"parties.jsonl", "transactions.jsonl"}
    report = json.loads((tmp_path / "conformance.json").read_text())
    assert report["summary"]["error"] > 100 and report["summary"]["passed"] == 0
    assert "could not be reached" in next(c["message"] for c in report["checks"] if c["outcome"] == "error")
    assert "errors" in done.output and "conformance.html" in done.output
    assert (tmp_path / "kit" / "trust.json").stat().st_mode & 0o077 == 0  # the kit's keys are the owner's only


def test_unknown_service_and_version_are_one_line_refusals() -> None:
    runner = CliRunner()
    for extra, words in (
        (["--services", "nope"], "unknown v2 service"),
        (["--version", "v3"], "versions are v2 and v1"),
    ):
        done = runner.invoke(app, ["conformance", "bank", "--base-url", "http://x/v2", "--orgno", "910000001", *extra])
        assert done.exit_code == 2 and words in done.output


@pytest.mark.parametrize("path", ["/jwks", "/.well-known/finans-jwks.json"])
def test_the_kit_publishes_its_keys(path: str) -> None:
    from litestar.testing import TestClient

    from opendsop.conformance.parties import _kit_app
    from tests.conformance.harness import kit

    with TestClient(_kit_app(kit()[1])) as client:
        keys = client.get(path).json()["keys"]
    assert keys and all("d" not in key for key in keys)  # public halves only
    assert httpx.codes.OK


def test_the_agency_mock_serves_and_reports(tmp_path: Path) -> None:
    port = free_ports(1)
    done = CliRunner().invoke(
        app, ["conformance", "agency", "--port", str(port), "--duration", "0.3", "--report-dir", str(tmp_path)]
    )
    assert done.exit_code == 0, done.output
    assert f"http://127.0.0.1:{port}/v2" in done.output
    report = json.loads((tmp_path / "conformance.json").read_text())
    assert {check["id"] for check in report["checks"]} >= {"agency.correlation_id", "agency.retry_after"}
