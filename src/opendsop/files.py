"""Key and secret files on disk: written atomically, readable by their owner only.

Every private key, secret and the certificates kept beside them are written the same way:

* **0600 files in 0700 directories** — a key is never readable by another local user, not even for the
  moment between creating and restricting it (the temporary file is created 0600);
* **atomically** — written to a temporary file in the same directory, flushed to disk (``fsync``), then
  renamed over the target, and the directory entry synced: a crash leaves the old file or the new one,
  never half a key.

``tighten`` repairs a tree written by an older version (or copied with a loose umask);
``private_file`` creates a file (a SQLite database: the token service's keys live in one) owner-only.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import Final

PRIVATE_FILE: Final = 0o600
PRIVATE_DIRECTORY: Final = 0o700
_OTHERS: Final = 0o077  # any permission for the group or for others


def private_directory(directory: Path) -> Path:
    """``directory`` (and missing parents) created 0700; an existing one is restricted to 0700."""
    missing = [parent for parent in (directory, *directory.parents) if not parent.exists()]
    for parent in reversed(missing):  # mkdir(parents=True) would create the parents with the umask's mode
        parent.mkdir(mode=PRIVATE_DIRECTORY, exist_ok=True)
    directory.mkdir(mode=PRIVATE_DIRECTORY, exist_ok=True)
    if stat.S_IMODE(directory.stat().st_mode) != PRIVATE_DIRECTORY:
        directory.chmod(PRIVATE_DIRECTORY)
    return directory


def write_private(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` atomically, mode 0600, in a 0700 directory."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    directory = private_directory(path.parent)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")  # 0600
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(directory)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def private_file(path: Path) -> Path:
    """``path`` created empty with mode 0600 if it does not exist (e.g. a SQLite database before SQLite
    opens it: SQLite gives its journal and WAL files the database file's mode).

    An existing file is never opened here: closing any descriptor of a database file releases every POSIX
    lock this process holds on it, including those of SQLite connections already open in other threads, and
    another process could then checkpoint the WAL under them ("database disk image is malformed"; SQLite,
    "How To Corrupt An SQLite Database File", 2.2)."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:  # created meanwhile (another process or thread): leave it to SQLite
        return path
    os.close(descriptor)
    return path


def tighten(root: Path) -> list[Path]:
    """Restrict every directory under ``root`` (itself included) to 0700 and every file to 0600; ``root``
    may also be a single file.

    Returns what was looser (readable, writable or searchable by the group or others), now fixed.
    A missing ``root`` has nothing to fix.
    """
    if not root.exists():
        return []
    fixed: list[Path] = []
    for path in [root, *sorted(root.rglob("*"))] if root.is_dir() else [root]:
        if path.is_symlink():
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        wanted = PRIVATE_DIRECTORY if path.is_dir() else PRIVATE_FILE
        if mode & _OTHERS:
            path.chmod(wanted)
            fixed.append(path)
    return fixed


__all__ = ["PRIVATE_DIRECTORY", "PRIVATE_FILE", "private_directory", "private_file", "tighten", "write_private"]
