"""When the browser is missing: the browser tests skip on a developer's machine and fail under CI;
``dsop ui screenshots`` says so in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from opendsop.ecosystem.screenshots import app
from tests import browser


@pytest.mark.parametrize(("ci", "outcome"), [("", pytest.skip.Exception), ("true", pytest.fail.Exception)])
def test_a_missing_chromium_skips_only_outside_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome):
        browser.need_chromium()


def test_screenshots_without_chromium_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["screenshots", "--chromium", str(tmp_path / "no-chromium")])
    assert result.exit_code == 2
    assert result.output.strip().startswith("error:") and "apt-get install -y chromium" in result.output
