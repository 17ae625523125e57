"""Which topology ``dsop up`` starts: the one named, else ``DSOP_ECOSYSTEM``, else the nearest
``var/ecosystem.toml`` upwards, else a new default one under ``./var`` (what ``make demo`` relies on)."""

from __future__ import annotations

from pathlib import Path

import pytest

from opendsop.ecosystem import discovery
from opendsop.ecosystem.cli import _topology
from opendsop.ecosystem.topology import read


@pytest.fixture(autouse=True)
def no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(discovery.ENVIRONMENT, raising=False)


def test_plain_up_in_an_empty_directory_writes_the_default_topology(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = _topology(None, preset="tiny", seed=3, today=None)
    assert path == Path("var/ecosystem.toml") and (read(tmp_path / path).preset, read(tmp_path / path).seed) == (
        "tiny",
        3,
    )


def test_plain_up_in_a_sub_directory_starts_the_project_s_ecosystem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _topology(None, preset="tiny", seed=0, today=None)
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path / "docs")
    assert _topology(None, preset="demo", seed=0, today=None) == tmp_path / "var" / "ecosystem.toml"
    assert not (tmp_path / "docs" / "var").exists()


@pytest.mark.parametrize("named", [True, False], ids=["--topology", "DSOP_ECOSYSTEM"])
def test_a_named_topology_that_does_not_exist_is_refused_and_none_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "missing.toml"
    if not named:
        monkeypatch.setenv(discovery.ENVIRONMENT, str(missing))
    with pytest.raises(discovery.NoEcosystem, match="missing.toml does not exist"):
        _topology(missing if named else None, preset="tiny", seed=0, today=None)
    assert list(tmp_path.iterdir()) == []
