"""``dsop up --tour STORY…``: which stories run, and one line naming the valid ones for an unknown name."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from opendsop.cli import app
from opendsop.ecosystem.tour import STORIES, pick_stories

CONSENT = ("lan", "studielan", "forsikring", "krav")


@pytest.mark.parametrize(("names", "stories"), [
    pytest.param([], STORIES, id="none-means-all"),
    pytest.param(["all"], STORIES, id="all"),
    pytest.param(["konkurs", "samtykke"], ("konkurs", *CONSENT), id="repeated-with-a-group"),
    pytest.param(["krav,lan"], ("lan", "krav"), id="comma-list-in-tour-order"),
    pytest.param(["Politi", " oed ,", "politi"], ("oed", "politi"), id="case-spaces-and-repeats"),
    pytest.param(
        ["dsop"],
        ("konkurs", "oed", "verge", "politi", "signaturrett", "otp", "fi-utlegg", "svindel", "innsyn"),
        id="dsop-group",
    ),
    pytest.param(["meldinger"], ("brev", "garanti"), id="message-group"),
])  # fmt: skip
def test_the_stories_picked(names: list[str], stories: tuple[str, ...]) -> None:
    assert pick_stories(names) == stories


def test_an_unknown_story_names_every_valid_one() -> None:
    with pytest.raises(ValueError) as raised:
        pick_stories(["konkurs", "bogus"])
    message = str(raised.value)
    assert "unknown story 'bogus'" in message and "\n" not in message
    assert all(story in message for story in STORIES) and "samtykke" in message


def test_up_refuses_an_unknown_story_before_starting_anything(tmp_path: Path) -> None:
    out = tmp_path / "eco.toml"
    assert CliRunner().invoke(app, ["synth", "topology", "--preset", "tiny", "--out", str(out)]).exit_code == 0
    done = CliRunner().invoke(
        app, ["up", "--topology", str(out), "--tour", "konkurs", "--tour", "bogus", "--exit"], env={"COLUMNS": "400"}
    )
    assert done.exit_code == 2, done.output
    assert done.output.startswith("error: unknown story 'bogus'") and done.output.count("\n") == 1
    assert not (tmp_path / "world.json").exists(), "nothing was loaded"


def test_the_refusal_stays_one_line_on_a_narrow_console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from opendsop.ecosystem import cli as ecosystem_cli

    monkeypatch.setattr(ecosystem_cli.console, "_width", 40)  # the console may have been made by an earlier test
    out = tmp_path / "eco.toml"
    assert CliRunner().invoke(app, ["synth", "topology", "--preset", "tiny", "--out", str(out)]).exit_code == 0
    done = CliRunner().invoke(app, ["up", "--topology", str(out), "--tour", "bogus", "--exit"], env={"COLUMNS": "40"})
    assert done.exit_code == 2, done.output
    assert done.output.startswith("error: unknown story 'bogus'") and done.output.count("\n") == 1
