"""``dsop`` starts fast: importing the command tree loads no party, no web framework, no database driver;
a party's code is imported when one of its commands runs or shows its help."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from opendsop.cli import LAZY, app

HEAVY = ("litestar", "sqlalchemy", "uvicorn", "aiohttp", "httpx", "cryptography", "rich")
PARTIES = ("authority", "certpub", "consent", "consumer", "prosecution", "provider", "registers", "relations",
           "samtykke", "sources", "ecosystem", "synth")


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_command_tree_loads_no_party() -> None:
    loaded = _modules_after("import opendsop.cli")
    assert not {name for name in loaded if name.split(".")[0] in HEAVY}
    assert not {name for name in loaded if name.split(".")[:2] in [["opendsop", party] for party in PARTIES]}


def test_the_help_lists_every_party_without_importing_one() -> None:
    loaded = _modules_after("import sys\nsys.argv = ['dsop', '--help']\nfrom opendsop.cli import main\n"
                            "try:\n    main()\nexcept SystemExit:\n    pass")
    assert not {name for name in loaded if name.startswith(("opendsop.authority", "opendsop.consumer", "litestar"))}
    done = CliRunner().invoke(app, ["--help"])
    assert done.exit_code == 0
    assert all(name in done.output for name in LAZY)


def test_a_party_s_help_is_its_own() -> None:
    done = CliRunner().invoke(app, ["registers", "--help"])
    assert done.exit_code == 0 and "serve" in done.output


def test_every_known_failure_names_a_class_that_exists() -> None:
    import importlib

    from opendsop.cli_errors import KNOWN

    for name in KNOWN:
        module, _, qualname = name.rpartition(".")
        kind = getattr(importlib.import_module(module), qualname, None)
        assert isinstance(kind, type) and issubclass(kind, BaseException), name
        assert f"{kind.__module__}.{kind.__qualname__}" == name, name


def test_the_help_of_up_loads_no_store_and_no_web_framework() -> None:
    loaded = _modules_after("import sys\nsys.argv = ['dsop', 'up', '--help']\nfrom opendsop.cli import main\n"
                            "try:\n    main()\nexcept SystemExit:\n    pass")
    assert "opendsop.ecosystem.cli" in loaded
    assert not {name for name in loaded if name.split(".")[0] in ("litestar", "sqlalchemy", "uvicorn", "aiohttp")}
