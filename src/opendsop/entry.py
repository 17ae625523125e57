"""The ``dsop`` executable: a command's ``--help`` from the help index, everything else through ``opendsop.cli``.

Building a command's help means importing typer, its pydantic adapters and the party's command module
(0.3–0.7 s on a quiet 2-core machine), although the text only changes when the code does.  ``make install``
(and ``dsop --rebuild-help``) therefore writes every command's help into one JSON file keyed by a fingerprint
of the installed sources; ``dsop … --help`` prints from it with nothing imported but the standard library,
and falls back to the real command tree whenever the fingerprint, the terminal width or the ``DSOP_``
environment differs.  Deleting the file is always safe.  See docs/decisions.md, "Command start-up".
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from importlib.util import find_spec
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def index_path() -> Path:
    """Where the help index lives: ``DSOP_HELP_INDEX``, else the user's cache directory, one file per installation."""
    if explicit := os.environ.get("DSOP_HELP_INDEX"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    installation = hashlib.sha256(str(_PACKAGE).encode()).hexdigest()[:12]  # two checkouts never overwrite each other
    return Path(base) / "opendsop" / f"help-{installation}.json"


def help_width() -> int:
    """The width click wraps help to (its own rule: the terminal's, at most 80, minus 2, at least 50)."""
    return max(min(shutil.get_terminal_size().columns, 80) - 2, 50)


def fingerprint() -> str:
    """What the help text depends on: every source file (path, size, mtime), typer's, and the DSOP_ environment."""
    digest = hashlib.sha256()
    roots = [_PACKAGE]
    if (spec := find_spec("typer")) is not None and spec.origin is not None:
        roots.append(Path(spec.origin).parent)
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    stat = os.stat(os.path.join(folder, name))
                    digest.update(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    for key in sorted(os.environ):
        if key.startswith("DSOP_") and key != "DSOP_HELP_INDEX":
            digest.update(f"{key}={os.environ[key]}\n".encode())
    return digest.hexdigest()


def help_path(argv: list[str]) -> tuple[str, ...] | None:
    """The command path of ``dsop A B --help`` (``("A", "B")``), or None when argv asks for more than help."""
    if not argv or argv[-1] != "--help":
        return None
    words = argv[:-1]
    if any(word.startswith("-") for word in words):
        return None  # options before --help (``--debug``, values) take the real path
    return tuple(words)


def cached_help(path: tuple[str, ...]) -> str | None:
    """The indexed help of ``path`` when the index is current for these sources and this width, else None."""
    try:
        index = json.loads(index_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(index, dict) or index.get("width") != help_width() or index.get("fingerprint") != fingerprint():
        return None
    text = index.get("commands", {}).get(" ".join(path))
    return text if isinstance(text, str) else None


def main() -> None:
    argv = sys.argv[1:]
    if argv == ["--rebuild-help"]:
        from opendsop.cli import write_help_index

        sys.stdout.write(f"help index: {write_help_index(index_path(), fingerprint(), help_width())}\n")
        return
    path = help_path(argv)
    if path is not None and (text := cached_help(path)) is not None:
        sys.stdout.write(text)
        return
    from opendsop.cli import main as run

    run()


if __name__ == "__main__":  # pragma: no cover - ``python -m opendsop.entry``
    main()
