"""`dsop up` prints one URL per actor's pages; at 80 columns each URL stays whole on one line (copyable)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from opendsop.ecosystem.cli import actors_table
from opendsop.ecosystem.pages import actor_urls
from opendsop.synth import generate
from tests.ecosystem.harness import tiny_topology


def test_every_actor_url_stays_whole_at_80_columns(tmp_path: Path) -> None:
    rows = actor_urls(tiny_topology(tmp_path), generate("tiny").population())
    assert len(rows) >= 6
    console = Console(width=80, record=True)
    console.print(actors_table(rows))
    lines = console.export_text().splitlines()
    assert all(len(line) <= 80 for line in lines)
    for _, url, _ in rows:
        assert any(url in line for line in lines), url
