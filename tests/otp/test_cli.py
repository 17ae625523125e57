"""``dsop otp sync``: bad input ends in one line and exit status 2, before anything is asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from opendsop.cli import app

SYNC = ["otp", "sync", "--institution", "910001000", "--employer", "974942003"]


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        pytest.param(["--from", "2025-13"], "--from must be a month written YYYY-MM", id="malformed month"),
        pytest.param(["--from", "2025-01", "--to", "25-02"], "--to must be a month", id="malformed --to"),
        pytest.param(["--from", "2025-01"], "no ecosystem", id="no ecosystem and no DSOP_PENSION_ settings"),
    ],
)
def test_one_line_refusals(extra: list[str], says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DSOP_ECOSYSTEM", raising=False)
    monkeypatch.delenv("DSOP_PENSION_ORGNO", raising=False)
    result = CliRunner().invoke(app, [*SYNC, *extra], env={"COLUMNS": "400"})
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], result.output


def test_an_unknown_institution_of_the_local_ecosystem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DSOP_PENSION_ORGNO", raising=False)
    topology = tmp_path / "var" / "ecosystem.toml"
    assert CliRunner().invoke(app, ["synth", "topology", "--preset", "tiny", "--out", str(topology)]).exit_code == 0
    result = CliRunner().invoke(
        app, ["otp", "sync", "--institution", "923609016", "--employer", "974942003", "--from", "2025-01"],
        env={"COLUMNS": "400"},
    )  # fmt: skip
    assert result.exit_code == 2 and "is no pension institution of the local ecosystem" in result.output


def test_ctrl_c_says_how_to_carry_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C during a sync: one line with the command that resumes it (the months done are kept)."""
    from opendsop.pension import cli as pension_cli

    async def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(pension_cli, "run_sync", interrupted)
    monkeypatch.setattr("opendsop.cli._local_pension_settings", lambda institution: object())
    result = CliRunner().invoke(app, [*SYNC, "--from", "2025-01"], env={"COLUMNS": "400"})
    assert result.exit_code == 130, result.output
    assert "interrupted — the months done are kept; carry on with `dsop otp sync --institution 910001000" in (
        result.output
    )
