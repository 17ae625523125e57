"""One time policy: only ``opendsop.clock`` builds the Oslo zone or reads the wall clock.

Two "todays" (a UTC one in the agency, an Oslo one in the bank) refused every Konkurs and OED
case between Oslo midnight and UTC midnight; this guard keeps a second clock from creeping back.
Durations (``time.monotonic``, ``time.perf_counter``) are not dates and stay allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import opendsop

SOURCE = Path(opendsop.__file__).parent
POLICY = SOURCE / "clock.py"
WALL_CLOCK = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
}


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def violations(text: str, name: str = "<text>") -> list[str]:
    """Every wall-clock read or time-zone construction in ``text``, as ``name:line: what``."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Attribute):
            owner = _dotted(node.value)
            last = owner.rsplit(".", 1)[-1] if owner else None
            if (last, node.attr) in WALL_CLOCK:
                found.append(f"{name}:{node.lineno}: {owner}.{node.attr}")
        elif isinstance(node, ast.Call) and (_dotted(node.func) or "").rsplit(".", 1)[-1] == "ZoneInfo":
            found.append(f"{name}:{node.lineno}: ZoneInfo(...)")
        elif isinstance(node, ast.ImportFrom) and node.module in ("time", "datetime"):
            for alias in node.names:
                if (node.module, alias.name) in WALL_CLOCK:
                    found.append(f"{name}:{node.lineno}: from {node.module} import {alias.name}")
    return found


def test_only_the_clock_module_reads_the_wall_clock_or_builds_a_zone() -> None:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path != POLICY:
            found += violations(path.read_text(encoding="utf-8"), str(path.relative_to(SOURCE)))
    assert found == [], "ask opendsop.clock (utc_now, oslo_today, oslo_now, OSLO) instead:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        "from datetime import UTC, datetime\nnow = datetime.now(UTC)",
        "import datetime\nnow = datetime.datetime.utcnow()",
        "from datetime import date\ntoday = date.today()",
        "import time\nstamp = time.time()",
        "from time import time",
        "from zoneinfo import ZoneInfo\nOSLO = ZoneInfo('Europe/Oslo')",
        "import zoneinfo\nzone = zoneinfo.ZoneInfo('Europe/Oslo')",
        "from datetime import datetime\nclock = datetime.now",
    ],
)
def test_the_guard_catches_a_second_clock(snippet: str) -> None:
    assert violations(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "import time\nstarted = time.monotonic()",
        "import time\nstarted = time.perf_counter()",
        "from opendsop.clock import oslo_today\ntoday = oslo_today()",
        "def today(self): return self.clock().date()",
    ],
)
def test_durations_and_the_policy_itself_are_allowed(snippet: str) -> None:
    assert violations(snippet) == []
