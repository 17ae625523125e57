"""Keys and secrets at rest: owner-only modes, atomic writes, and repair of a loose ``var/keys``."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from opendsop.ecosystem.provision import provision
from opendsop.files import tighten, write_private
from opendsop.prosecution import keystore
from tests.ecosystem.harness import tiny_topology


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """A typical 022 umask: what made the files world-readable before, so these tests can fail."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def modes(root: Path) -> dict[str, int]:
    return {str(path.relative_to(root.parent)): stat.S_IMODE(path.stat().st_mode) for path in [root, *root.rglob("*")]}


def loose(found: dict[str, int], root: Path) -> dict[str, str]:
    return {
        name: oct(mode) for name, mode in found.items() if mode != (0o700 if (root.parent / name).is_dir() else 0o600)
    }


def test_provisioned_keys_and_secrets_are_the_owners_only(tmp_path: Path) -> None:
    topology = tiny_topology(tmp_path)
    provision(topology)
    for root in (tmp_path / "keys", tmp_path / "prosecution"):
        found = modes(root)
        assert any(name.endswith("secrets.json") or name.endswith("signing-key.pem") for name in found)
        assert loose(found, root) == {}


def test_a_loose_var_keys_is_fixed_with_one_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    topology = tiny_topology(tmp_path)
    provision(topology)
    keys = tmp_path / "keys"
    before = {path: path.read_bytes() for path in keys.rglob("*") if path.is_file()}
    for path in [keys, *keys.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # as an older version left them
    database = tmp_path / "authority.db"  # the token service's signing keys live in it
    database.write_bytes(b"")
    database.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="opendsop.ecosystem"):
        provision(topology)
    warnings = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "readable by other users" in warnings[0]
    assert loose(modes(keys), keys) == {}
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert {path: path.read_bytes() for path in before} == before  # repaired, not regenerated
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="opendsop.ecosystem"):
        provision(topology)
    assert caplog.records == []  # nothing left to fix, nothing said


def test_the_prosecution_keystore_is_the_owners_only(tmp_path: Path) -> None:
    directory = tmp_path / "prosecution"
    keystore.load_or_create(directory, now=datetime.now(UTC), environment="test")
    assert loose(modes(directory), directory) == {}


def test_a_failed_write_keeps_the_previous_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "keys" / "grant.pem"
    write_private(target, b"old key")

    def disk_full(_descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_private(target, b"new key")
    assert target.read_bytes() == b"old key"
    assert sorted(path.name for path in target.parent.iterdir()) == ["grant.pem"]  # no temporary left behind


def test_tighten_reports_only_what_was_loose(tmp_path: Path) -> None:
    root = tmp_path / "keys"
    write_private(root / "a.pem", b"a")
    (root / "b.pem").write_bytes(b"b")
    (root / "b.pem").chmod(0o640)
    assert tighten(root) == [root / "b.pem"]
    assert tighten(root) == []
    assert tighten(tmp_path / "missing") == []


def test_missing_parents_of_a_private_file_are_private_too(tmp_path: Path) -> None:
    from opendsop.files import write_private

    write_private(tmp_path / "keys" / "dsve" / "910000001" / "grant.pem", b"key")
    for directory in ("keys", "keys/dsve", "keys/dsve/910000001"):
        assert oct((tmp_path / directory).stat().st_mode & 0o777) == "0o700", directory


def test_an_existing_database_file_is_never_opened_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing any descriptor of a database file drops every POSIX lock the process holds on it, SQLite's
    included: ``private_file`` (called before each SQLite engine opens) must leave an existing file alone."""
    from opendsop import files

    database = files.private_file(tmp_path / "cases.db")
    database.write_bytes(b"SQLite format 3\x00")
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(files.os, "open", lambda path, *args: opened.append(str(path)) or real_open(path, *args))
    files.private_file(database)
    assert opened == [] and database.read_bytes() == b"SQLite format 3\x00"
