"""``dsop dsve catalogue`` and ``dsop dsve check``: the catalogue printed, a shipment accepted or refused."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from opendsop.cli import app
from opendsop.contracts.dsve.zipfiles import pack
from tests.standard.dsve.sample import valid


def test_the_catalogue_lists_every_message_type() -> None:
    done = CliRunner().invoke(app, ["dsve", "catalogue"], env={"COLUMNS": "250"})
    assert done.exit_code == 0, done.output
    assert "SignedMortgageDeedProcessed" in done.output and "Innfrielsessaldosvar" in done.output


def test_check_accepts_a_valid_shipment_and_refuses_a_broken_one(tmp_path: Path) -> None:
    deed = valid()["SignedMortgageDeed"]
    good = tmp_path / "deed.zip"
    good.write_bytes(pack(deed.files))
    ok = CliRunner().invoke(
        app, ["dsve", "check", str(good), "-p", "messageType=SignedMortgageDeed", "-p", "coverLetter=Omitted"]
    )
    assert ok.exit_code == 0 and "accepted" in ok.output, ok.output
    two = tmp_path / "two.zip"
    two.write_bytes(pack({**deed.files, "signedmortgagedeed_2.sdo": b"<sdo/>"}))
    refused = CliRunner().invoke(
        app, ["dsve", "check", str(two), "-p", "messageType=SignedMortgageDeed", "-p", "coverLetter=Omitted"]
    )
    assert refused.exit_code == 2 and refused.output.startswith("error: ") and "[DSVE-005]" in refused.output
    assert refused.output.count("\n") == 1
    missing = CliRunner().invoke(app, ["dsve", "check", str(good)])
    assert missing.exit_code == 2 and "[DSVE-001]" in missing.output
