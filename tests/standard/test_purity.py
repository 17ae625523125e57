"""The rules core stays sans-I/O: no networking, database, filesystem, process or clock access."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import opendsop.standard

STANDARD = Path(opendsop.standard.__file__).parent
FORBIDDEN_IMPORTS = {
    "asyncio",
    "socket",
    "ssl",
    "select",
    "selectors",
    "http",
    "urllib.request",
    "sqlite3",
    "os",
    "pathlib",
    "io",
    "subprocess",
    "time",
    "shutil",
    "tempfile",
    "aiohttp",
    "httpx",
    "litestar",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "asyncpg",
    "aiosqlite",
    "requests",
    "stdnum",
    "schwifty",
    "faker",
    "logging",
    "structlog",
}
CLOCK_CALLS = {"now", "today", "utcnow", "time", "monotonic", "perf_counter"}
# Modules that must never be loaded by `import opendsop.standard` (the "no I/O module").
IO_MODULES = [
    "socket",
    "ssl",
    "select",
    "selectors",
    "sqlite3",
    "asyncio",
    "http.client",
    "urllib.request",
    "subprocess",
    "sqlalchemy",
    "aiohttp",
    "httpx",
    "litestar",
]


def _modules() -> list[Path]:
    return sorted(STANDARD.rglob("*.py"))


def test_no_module_of_the_core_imports_io() -> None:
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                if name in FORBIDDEN_IMPORTS or name.split(".")[0] in FORBIDDEN_IMPORTS - {"urllib"}:
                    offenders.append(f"{path.relative_to(STANDARD)}: import {name}")
    assert offenders == []


def test_no_module_of_the_core_reads_the_clock() -> None:
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CLOCK_CALLS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in {"date", "datetime", "time"}
            ):
                offenders.append(f"{path.relative_to(STANDARD)}:{node.lineno} {node.func.value.id}.{node.func.attr}()")
    assert offenders == []


def test_importing_the_core_loads_no_io_module() -> None:
    probe = (
        "import sys, opendsop.standard, opendsop.standard.control.v1, opendsop.standard.relations, "
        "opendsop.standard.extradition, opendsop.standard.paging, opendsop.standard.examples; "
        f"print(','.join(m for m in {IO_MODULES!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_public_names_match_the_module() -> None:
    exported = set(opendsop.standard.__all__)
    defined = {name for name in dir(opendsop.standard) if not name.startswith("_")}
    modules = {name for name in defined if type(getattr(opendsop.standard, name)).__name__ == "module"}
    assert exported == defined - modules
