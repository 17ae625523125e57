"""The demo world's "today": the real Oslo date on a first start, the stored world's on later starts,
a pinned date when the topology names one (and a refusal when var/ holds a world of another date)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from opendsop.clock import oslo_today
from opendsop.ecosystem.load import MANIFEST, WorldMismatch, _check_existing, stored_today
from opendsop.ecosystem.runner import world_of
from opendsop.ecosystem.topology import for_world


def topology(tmp_path: Path, today: str | None = None):  # type: ignore[no-untyped-def]
    return for_world(tmp_path / "ecosystem.toml", preset="tiny", seed=3, banks=[], today=today)


def test_a_first_start_generates_the_world_for_the_real_oslo_date(tmp_path: Path) -> None:
    before = oslo_today()
    today = world_of(topology(tmp_path)).today
    assert today in {before, oslo_today()}  # the same day, unless Oslo's midnight fell in between


def test_a_later_start_reuses_the_stored_world_and_its_date(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text(json.dumps({"preset": "tiny", "seed": 3, "today": "2026-11-30"}))
    assert stored_today(tmp_path) == date(2026, 11, 30)
    world = world_of(topology(tmp_path))
    assert world.today == date(2026, 11, 30)
    assert _check_existing(world, tmp_path) is not None  # reused, not loaded again


def test_a_pinned_date_wins_and_a_stored_world_of_another_date_is_refused(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text(json.dumps({"preset": "tiny", "seed": 3, "today": "2026-11-30"}))
    world = world_of(topology(tmp_path, today="2026-12-01"))
    assert world.today == date(2026, 12, 1)
    with pytest.raises(WorldMismatch, match=r"today '2026-11-30' \(wanted '2026-12-01'\).*remove"):
        _check_existing(world, tmp_path)


def test_an_unreadable_manifest_does_not_choose_the_date(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text("not json")
    assert stored_today(tmp_path) is None
