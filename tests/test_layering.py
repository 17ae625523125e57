"""Dependencies point downwards only: composition → parties → contracts → trust/standard.

Every module under ``src/opendsop`` is parsed and each ``import opendsop.X…`` / ``from opendsop.X…
import`` — at the top, inside functions, or relative — is checked against ``ALLOWED``: the
top-level package (or module) importing may import only the ones listed for it.  A party never
imports another party; what two parties share lives in ``opendsop.contracts``.  The same table is
in the README ("Layout") and docs/decisions.md ("Contracts layer").
"""

from __future__ import annotations

import ast
from pathlib import Path

import opendsop

SOURCE = Path(opendsop.__file__).parent

# The plumbing every party may use: the one clock, the serving settings and server, private files, one-line CLI errors,
# health/readiness endpoints, the shared web layer (layout, sessions, login), and the shared contracts with what
# they build on.
_BASE = frozenset(
    {
        "contracts",
        "trust",
        "standard",
        "clock",
        "serving",
        "server",
        "files",
        "availability",
        "tracing",
        "cli_errors",
        "web",
    }
)

COMPOSITION = frozenset({"cli", "entry", "ecosystem", "demo", "rules_table", "conformance"})  # may import anything
PARTIES = frozenset(
    {
        "provider",
        "consumer",
        "relations",
        "registers",
        "authority",
        "certpub",
        "consent",
        "sources",
        "prosecution",
        "samtykke",
        "backoffice",
        "pension",
        "altinn",
        "megler",
    }
)

ALLOWED: dict[str, frozenset[str]] = {
    # parties: the base, plus what a party needs of the world beyond it
    "provider": _BASE | {"audit"},  # every decision is audit-logged in the bank's own store
    "consumer": _BASE | {"audit"},  # the agency keeps its own verifiable log of what it fetched
    "relations": _BASE,
    "registers": _BASE | {"audit"},  # Folkeregister lookups kept in a verifiable log
    "authority": _BASE,
    "certpub": _BASE,
    "consent": _BASE,
    "sources": _BASE | {"audit", "synth"},  # the stand-in sources log each exchange and serve the synthetic world
    "prosecution": _BASE,
    "samtykke": _BASE,
    "megler": _BASE,  # an estate agent's DSVE system
    "backoffice": _BASE,  # a bank's back office: guarantees at SVV, digital letters
    "pension": _BASE,  # a pension institution (Ajourhold av OTP)
    "altinn": _BASE | {"audit"},  # its migrations run under the audit log's process-wide alembic lock
    # shared layers
    "contracts": frozenset({"trust", "standard", "clock", "serving", "tracing", "lazy"}),
    # contracts: the independent verifier; availability, web: the witness and innsyn serve health routes, pages
    "audit": frozenset({"serving", "clock", "standard", "contracts", "files", "availability", "web"}),
    "synth": frozenset({"standard", "clock"}),
    "availability": frozenset(),
    "cli_errors": frozenset(),  # maps exceptions by class name, so every command line may use it
    "lazy": frozenset(),  # a package's public names imported on first use
    "server": frozenset({"serving", "tracing"}),
    "serving": frozenset({"files", "tracing", "party_pages"}),  # observe() wires both in
    "tracing": frozenset({"serving"}),
    "party_pages": frozenset({"serving", "clock"}),
    "web": frozenset({"serving", "clock", "standard"}),  # pages every party may serve: layout, sessions, login
    "files": frozenset(),
    "clock": frozenset(),
    "trust": frozenset(),
    "standard": frozenset(),
}


def _top(root: Path, path: Path) -> str:
    return path.relative_to(root).parts[0].removesuffix(".py")


def _imports(root: Path, path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every ``opendsop.…`` import in ``path``, relative ones resolved."""
    package = list(path.relative_to(root.parent).with_suffix("").parts)[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                found.append((node.lineno, ".".join([*base, *([node.module] if node.module else [])])))
            elif node.module:
                found.append((node.lineno, node.module))
    return [(line, module) for line, module in found if module.split(".")[0] == "opendsop"]


def offending(root: Path) -> list[str]:
    """One line per import of a package under ``root`` (an ``opendsop`` directory) against ``ALLOWED``."""
    offences: list[str] = []
    for path in sorted(root.rglob("*.py")):
        if path == root / "__init__.py":
            continue
        source = _top(root, path)
        if source in COMPOSITION:
            continue
        allowed = ALLOWED.get(source, frozenset())
        for line, module in _imports(root, path):
            target = module.split(".")[1] if module.count(".") else None
            if target is None or target == source or target in allowed:
                continue
            offences.append(f"{path.relative_to(root.parent)}:{line}: {source} → {target} (import {module})")
    return offences


def test_every_package_is_placed_in_a_layer() -> None:
    packages = {_top(SOURCE, path) for path in SOURCE.rglob("*.py") if path != SOURCE / "__init__.py"}
    assert packages <= COMPOSITION | set(ALLOWED), sorted(packages - COMPOSITION - set(ALLOWED))


def test_imports_follow_the_allowed_arrows() -> None:
    offences = offending(SOURCE)
    assert not offences, "imports against the layering:\n" + "\n".join(offences)


def test_parties_never_import_each_other() -> None:
    for party in PARTIES:
        assert not ALLOWED[party] & PARTIES, party


def test_an_import_inside_a_function_or_a_relative_one_is_caught(tmp_path: Path) -> None:
    root = tmp_path / "opendsop"
    (root / "provider" / "store").mkdir(parents=True)
    (root / "provider" / "wiring.py").write_text(
        "import opendsop.clock\n\n\ndef late():\n    from opendsop.consumer.tokens import TokenProvider\n"
    )
    (root / "provider" / "store" / "sql.py").write_text("from ...registers import models\nfrom .. import ports\n")
    (root / "ecosystem.py").write_text("from opendsop.provider import wiring\n")  # composition: anything
    assert offending(root) == [
        "opendsop/provider/store/sql.py:1: provider → registers (import opendsop.registers)",
        "opendsop/provider/wiring.py:5: provider → consumer (import opendsop.consumer.tokens)",
    ]
