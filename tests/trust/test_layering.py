"""opendsop.trust is crypto only: no network, no files, no clock (issue "Trust services", item 1)."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

import opendsop.trust

PACKAGE = Path(opendsop.trust.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))
ALLOWED_THIRD_PARTY = {"cryptography", "joserfc", "opendsop"}
FORBIDDEN_STDLIB = {
    "os", "pathlib", "io", "time", "socket", "ssl", "asyncio", "http", "urllib", "subprocess", "sqlite3", "random",
}  # fmt: skip
CLOCK_READS = re.compile(r"\.(now|utcnow|today)\(|time\.time\(")


def _imported_roots(source: str) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_no_io_no_clock(module: Path) -> None:
    source = module.read_text(encoding="utf-8")
    roots = _imported_roots(source) - {"__future__"}
    assert not roots & FORBIDDEN_STDLIB
    third_party = {r for r in roots if r not in sys.stdlib_module_names}
    assert third_party <= ALLOWED_THIRD_PARTY
    assert not CLOCK_READS.search(source)
