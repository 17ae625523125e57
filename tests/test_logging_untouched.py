"""Building a party's app leaves the process's logging alone: the JSON lines configured by `serve` and
`dsop up` (and, in tests, pytest's capture) stay in place; the bank's certificate warnings depend on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def certpub(tmp_path: Path) -> Any:
    from opendsop.certpub.app import create_app
    from opendsop.certpub.settings import CertPubSettings

    return create_app(CertPubSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'certpub.db'}"))


def prosecution(tmp_path: Path) -> Any:
    from opendsop.prosecution.app import create_app
    from opendsop.prosecution.settings import ProsecutionSettings

    return create_app(ProsecutionSettings(key_dir=tmp_path / "prosecution"))


@pytest.mark.parametrize("build", [certpub, prosecution])
def test_building_the_app_keeps_the_root_handlers(tmp_path: Path, build: Callable[[Path], Any]) -> None:
    before = list(logging.getLogger().handlers)
    build(tmp_path)
    assert logging.getLogger().handlers == before


def test_every_litestar_app_leaves_logging_to_the_project() -> None:
    """Litestar's default logging config replaces the root's handlers when an app is built, so every app in the
    source says ``logging_config=None`` (one party's page app once turned every party's log lines to text)."""
    import ast

    import opendsop

    source = Path(opendsop.__file__).parent
    offenders = []
    for path in source.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Litestar"
                and not any(keyword.arg in ("logging_config", None) for keyword in node.keywords)
            ):
                offenders.append(f"{path.relative_to(source)}:{node.lineno}")
    assert offenders == []
