"""The DSOP scopes and the UUID pattern are defined once: a second copy would drift from the first."""

from __future__ import annotations

import ast
from pathlib import Path

import opendsop
from opendsop.standard import scopes

SOURCE = Path(opendsop.__file__).parent
SCOPES = {
    scopes.ACCOUNT_INFORMATION,
    scopes.CUSTOMER_RELATIONS,
    scopes.ACCOUNT_SERVICING_PROVIDER,
    scopes.CUSTOMER_RELATIONS_WRITE,
}
UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}"
# (the one home, the values it alone may spell out)
HOMES = {"standard/scopes.py": SCOPES, "standard/values.py": {UUID_PATTERN}}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _copies(root: Path) -> list[str]:
    copies = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        allowed = HOMES.get(relative, set())
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or id(node) in docstrings:
                continue
            if node.value in SCOPES - allowed:
                copies.append(f"{relative}:{node.lineno} spells out the scope {node.value!r}")
            if UUID_PATTERN in node.value and UUID_PATTERN not in allowed:
                copies.append(f"{relative}:{node.lineno} has its own UUID pattern")
    return copies


def test_scopes_and_the_uuid_pattern_have_one_definition() -> None:
    assert _copies(SOURCE) == [], "import opendsop.standard.scopes / use opendsop.standard.values.parse_uuid"


def test_the_guard_sees_a_copy_but_not_a_docstring(tmp_path: Path) -> None:
    (tmp_path / "party.py").write_text(
        '"""Asks for bits:kundeforhold."""\nSCOPE = "bits:kontoinformasjon"\n'
        'ID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"\n',
        encoding="utf-8",
    )
    assert _copies(tmp_path) == [
        "party.py:2 spells out the scope 'bits:kontoinformasjon'",
        "party.py:3 has its own UUID pattern",
    ]
