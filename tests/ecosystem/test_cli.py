"""``dsop synth topology`` and ``dsop up`` as a person meets them: files written, one-line errors."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from opendsop.cli import app
from opendsop.ecosystem.topology import read

RUNNER = CliRunner()


def test_synth_topology_writes_every_bank_and_agency_and_keeps_an_existing_file(tmp_path: Path) -> None:
    out = tmp_path / "eco.toml"
    done = RUNNER.invoke(app, ["synth", "topology", "--preset", "tiny", "--seed", "2", "--out", str(out)])
    assert done.exit_code == 0, done.output
    topology = read(out)
    assert (topology.preset, topology.seed, len(topology.banks), len(topology.agencies)) == ("tiny", 2, 6, 6)
    again = RUNNER.invoke(app, ["synth", "topology", "--preset", "demo", "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    assert read(out).preset == "tiny"


def test_up_with_a_broken_topology_says_what_and_how_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "eco.toml"
    assert RUNNER.invoke(app, ["synth", "topology", "--preset", "tiny", "--out", str(out)]).exit_code == 0
    out.write_text(out.read_text(encoding="utf-8").replace("[registers]\nport = 8030\n", ""), encoding="utf-8")
    done = RUNNER.invoke(app, ["up", "--topology", str(out), "--exit"])
    assert done.exit_code == 2
    assert "error:" in done.output and "missing part(s): [registers]" in done.output
    assert "Traceback" not in done.output


def test_up_refuses_a_tour_of_some_parties(tmp_path: Path) -> None:
    out = tmp_path / "eco.toml"
    assert RUNNER.invoke(app, ["synth", "topology", "--preset", "tiny", "--out", str(out)]).exit_code == 0
    done = RUNNER.invoke(app, ["up", "--topology", str(out), "--only", "registers", "--tour", "--exit"])
    assert done.exit_code == 2 and "--tour needs every party" in done.output
