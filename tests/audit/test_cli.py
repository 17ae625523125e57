"""``dsop audit``: show, checkpoint, verify (log, one record, export), export and purge on a party's database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opendsop.audit.log import AuditRecord, SqlAuditLog
from opendsop.audit.signing import Signer
from opendsop.ecosystem.audit_cli import app
from opendsop.serving import create_engine

runner = CliRunner()


def _record(index: int, service: str) -> AuditRecord:
    return AuditRecord(
        recorded_at=datetime(2026, 11, 28, 12, tzinfo=UTC) - timedelta(days=5000 if index == 1 else 0),
        account_info_request_id=f"case-{index % 2}",
        consumer_org="974760673" if service == "konkurs" else "915429785",
        service=service,
        endpoint="listAccounts",
        party_id="31908612345",
        outcome="allowed",
        status=200,
    )


@pytest.fixture
def party(database_url: str, tmp_path: Path) -> list[str]:
    key = tmp_path / "bank.key"
    signer = Signer.from_file("bank-984851006", key, create=True)

    async def fill() -> None:
        log = SqlAuditLog(create_engine(database_url), origin=signer.name, signer=signer, checkpoint_every=1000)
        await log.create_schema()
        for index in range(1, 8):
            await log.append(_record(index, "konkurs" if index % 3 else "politi"))
        await log.close()
        await log.engine.dispose()

    asyncio.run(fill())
    return ["--database", database_url, "--origin", signer.name, "--key", str(key)]


def test_checkpoint_verify_export_and_a_truncated_export(party: list[str], tmp_path: Path) -> None:
    signed = runner.invoke(app, ["checkpoint", *party])
    assert signed.exit_code == 0, signed.output
    assert "signed bank-984851006: 7 records" in signed.output
    verified = runner.invoke(app, ["verify", *party])
    assert verified.exit_code == 0 and verified.output.startswith("OK bank-984851006: 7 records, 1 checkpoints")
    one = runner.invoke(app, ["verify", *party, "--record", "3"])
    assert one.exit_code == 0 and "record 3 is in the tree of 7" in one.output
    out = tmp_path / "export.jsonl"
    assert runner.invoke(app, ["export", *party, "--out", str(out)]).exit_code == 0
    offline = runner.invoke(app, ["verify", "--export", str(out)])
    assert offline.exit_code == 0 and "OK" in offline.output, offline.output
    lines = out.read_text().splitlines()
    records = [index for index, line in enumerate(lines) if '"type": "record"' in line]
    truncated = tmp_path / "truncated.jsonl"
    truncated.write_text("\n".join(lines[: records[4]]) + "\n")  # the last three records cut off
    broken = runner.invoke(app, ["verify", "--export", str(truncated)])
    assert broken.exit_code == 1 and "first bad position 5" in broken.output, broken.output
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[: records[2]]) + "\n" + lines[records[2]][:40])  # a line cut in the middle
    assert "BAD" in runner.invoke(app, ["verify", "--export", str(cut)]).output


def test_show_filters_and_purge_keeps_the_log_verifiable(party: list[str]) -> None:
    shown = runner.invoke(app, ["show", *party, "--service", "politi"])
    assert shown.exit_code == 0 and shown.output.strip().endswith("2 record(s) of bank-984851006")
    by_case = runner.invoke(app, ["show", *party, "--case", "case-1", "--json"])
    assert len(by_case.output.splitlines()) == 4
    purged = runner.invoke(app, ["purge", *party])
    assert "purged the personal part of 1 record(s) older than 13 years" in purged.output
    assert runner.invoke(app, ["checkpoint", *party]).exit_code == 0
    assert runner.invoke(app, ["verify", *party]).output.startswith("OK bank-984851006: 7 records")


def test_bad_input_is_one_line(party: list[str]) -> None:
    missing = runner.invoke(app, ["verify", "--topology", "/nonexistent/ecosystem.toml"])
    assert missing.exit_code == 2 and missing.output.startswith("error: ")
    dated = runner.invoke(app, ["show", *party, "--since", "yesterday"])
    assert dated.exit_code == 2 and "error: --since 'yesterday' is not a date" in dated.output


def test_verify_without_a_party_checks_every_party_of_the_ecosystem(tmp_path: Path) -> None:
    from opendsop.cli import app as dsop

    topology = tmp_path / "ecosystem.toml"
    assert runner.invoke(dsop, ["synth", "topology", "--preset", "tiny", "--out", str(topology)]).exit_code == 0
    done = runner.invoke(app, ["verify", "--topology", str(topology)])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert {line.split(":")[0] for line in lines} >= {"OK registers", "OK source-nav", "OK agency-915429785"}
    assert all(line.startswith("OK ") for line in lines) and any(line.startswith("OK bank-") for line in lines)
