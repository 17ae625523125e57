"""``dsop demo`` (``make demo``) runs to the end: the rules core's tables, then the SBL consent story."""

from __future__ import annotations

import pytest

from opendsop import demo


def test_the_demo_runs_to_the_end(capsys: pytest.CaptureFixture[str]) -> None:
    demo.run()
    shown = capsys.readouterr().out
    assert "filter_response on one 1000-transaction page" in shown
    assert "Samtykke: lånesøknad (SBL)" in shown
    story = shown[shown.index("Samtykke: lånesøknad (SBL)") :]
    assert "status=accepted" in story and "trukket tilbake" in story
    assert "IM-010" in story and "SSG-010" in story
    assert shown.rstrip().endswith("one row per documented rule.")
