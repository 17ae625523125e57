"""Gates on the source tree itself: every docstring example runs, and citations are ones an outsider can open.

The examples are collected from every module under ``src/`` whose text has ``>>>``: a new module
with examples is tested without being listed here.  An example that cannot run (it writes files,
needs a server) is marked ``# doctest: +SKIP`` with the reason in the prose before it.

Comments, docstrings and test ids cite the public DSOP documentation page, the contract operation,
the law and section or a ``docs/decisions.md`` entry: never the team's private digests (a path like
``spec/<name>.md``) or tracker numbers, which a maintainer outside the team cannot open.
"""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


def _modules_with_examples() -> list[str]:
    names = []
    for path in sorted(SRC.rglob("*.py")):
        if re.search(r"^\s*>>> ", path.read_text(encoding="utf-8"), re.MULTILINE):
            names.append(".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__"))
    return names


MODULES_WITH_EXAMPLES = _modules_with_examples()


def test_examples_are_found() -> None:
    assert "opendsop.standard.wire" in MODULES_WITH_EXAMPLES


@pytest.mark.parametrize("name", MODULES_WITH_EXAMPLES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder()
    examples = [example for test in finder.find(module) for example in test.examples]
    assert examples, f"{name} has '>>>' lines doctest does not find (outside a docstring?)"
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=False)
    skipped = sum(1 for example in examples if example.options.get(doctest.SKIP))
    assert result.failed == 0, f"{result.failed} example(s) of {name} failed (run: python -m doctest -v)"
    assert result.attempted + skipped == len(examples)


# Built from parts so that this file does not match itself.
FORBIDDEN_CITATIONS = {
    "a private digest path": re.compile("spec" + r"/[a-z0-9]+\.md"),
    "a tracker number": re.compile(r"\b" + "issue" + r" #?\d+", re.IGNORECASE),
    # A digest's section number (section sign, then digits with a dot); a law's section has a hyphen
    # ("§ 10-2"), an RFC's section follows "RFC nnnn".
    "a digest section number": re.compile(r"(?<!RFC \d{4} )(?<!RFC \d{3} )" + "§" + r" ?\d+\.\d+"),
}


def _cited_files() -> list[Path]:
    files: list[Path] = []
    for folder in ("src", "tests", "bench", "scripts"):
        files += [path for path in sorted((ROOT / folder).rglob("*")) if path.suffix in {".py", ".html", ".toml"}]
    return files


@pytest.mark.parametrize("what", sorted(FORBIDDEN_CITATIONS))
def test_citations_are_public(what: str) -> None:
    pattern = FORBIDDEN_CITATIONS[what]
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}"
        for path in _cited_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not hits, f"{len(hits)} citation(s) of {what}:\n" + "\n".join(hits)
