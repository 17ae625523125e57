#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check pyproject's dependency lists against what ``src/`` imports (run by ``make lint``).

* every runtime dependency is imported somewhere in ``src/`` (or is loaded by name, listed in
  ``LOADED_BY_NAME`` with the reason);
* every third-party module ``src/`` imports comes from a runtime dependency;
* no package that only the ``test`` extra declares is imported in ``src/``.

Exit status 1 with one line per problem, 0 when the lists agree.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"

# Runtime dependencies no module imports by name: something else loads them.
LOADED_BY_NAME = {
    "aiosqlite": "SQLAlchemy's sqlite+aiosqlite:// driver",
    "python-multipart": "litestar parses form bodies (consent pages, KFR uploads) with it",
}


def distribution_name(requirement: str) -> str:
    """``"uvicorn[standard]>=0.30,<1"`` → ``"uvicorn"`` (normalised as PEP 503 does)."""
    name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert name is not None, requirement
    return re.sub(r"[-_.]+", "-", name.group(0)).lower()


def imported_modules(root: Path) -> dict[str, set[Path]]:
    """Top-level module name → the files under ``root`` that import it (absolute imports only)."""
    found: dict[str, set[Path]] = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(path)
    return found


def problems() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {distribution_name(requirement) for requirement in project["dependencies"]}
    test_only = {distribution_name(r) for r in project["optional-dependencies"]["test"]} - runtime
    module_to_dists = {
        module: {distribution_name(dist) for dist in dists} for module, dists in packages_distributions().items()
    }
    imports = imported_modules(SRC)
    stdlib = set(sys.stdlib_module_names) | {"__future__", "opendsop"}
    used_dists: set[str] = set()
    found: list[str] = []
    for module, files in sorted(imports.items()):
        if module in stdlib:
            continue
        dists = module_to_dists.get(module)
        where = ", ".join(str(path.relative_to(ROOT)) for path in sorted(files)[:3])
        if not dists:
            found.append(f"{module}: imported in src ({where}) but no installed distribution provides it")
            continue
        used_dists |= dists
        if dists & test_only:
            found.append(f"{module}: imported in src ({where}) but only the test extra declares it")
        elif not dists & runtime:
            found.append(f"{module}: imported in src ({where}) but no runtime dependency declares it")
    for dist in sorted(runtime - used_dists - set(LOADED_BY_NAME)):
        found.append(f"{dist}: a runtime dependency nothing in src imports")
    return found


def main() -> int:
    found = problems()
    for line in found:
        sys.stderr.write(line + "\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
