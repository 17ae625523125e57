"""``dsop rules`` reads on an ordinary terminal: at 80 and 100 columns each service is a card of whole
lines (no cell cut to "…", every consumer's org number whole), the full matrix only where it fits."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from typer.testing import CliRunner

from opendsop import rules_table
from opendsop.cli import app


def rendered(width: int) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(rules_table.rich_table(width))
    return out.getvalue()


@pytest.mark.parametrize("width", [80, 100, 240])
def test_every_service_reads_whole_at_this_width(width: int) -> None:
    text = rendered(width)
    assert "…" not in text
    assert all(len(line) <= width for line in text.splitlines())
    for row in rules_table.rows():
        for org in re.findall(r"\d{9}", row[1]):
            assert org in text  # never folded across lines
    names = [row[0] for row in rules_table.rows()]
    assert all(name.split(" (")[0] in text for name in names)


def test_dsop_rules_follows_the_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    result = CliRunner().invoke(app, ["rules"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines and max(len(line) for line in lines) <= 100
    assert "Consumer (org no.)" in result.output and "…" not in result.output
