"""``dsop`` starts fast: importing the command tree loads no party, no web framework, no database driver;
a party's code is imported when one of its commands runs or shows its help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opendsop.cli import LAZY, app

HEAVY = ("litestar", "sqlalchemy", "uvicorn", "aiohttp", "httpx", "cryptography", "rich")
PARTIES = (
    "authority",
    "certpub",
    "consent",
    "consumer",
    "prosecution",
    "provider",
    "registers",
    "relations",
    "samtykke",
    "sources",
    "ecosystem",
    "synth",
)


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_command_tree_loads_no_party() -> None:
    loaded = _modules_after("import opendsop.cli")
    assert not {name for name in loaded if name.split(".")[0] in HEAVY}
    assert not {name for name in loaded if name.split(".")[:2] in [["opendsop", party] for party in PARTIES]}


def test_the_help_lists_every_party_without_importing_one() -> None:
    loaded = _modules_after(
        "import sys\nsys.argv = ['dsop', '--help']\nfrom opendsop.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
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
    loaded = _modules_after(
        "import sys\nsys.argv = ['dsop', 'up', '--help']\nfrom opendsop.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert "opendsop.ecosystem.cli" in loaded
    assert not {name for name in loaded if name.split(".")[0] in ("litestar", "sqlalchemy", "uvicorn", "aiohttp")}


# What a command's --help must not load: web framework, database, HTTP clients, PDF and spreadsheet writers.
SERVING = ("litestar", "sqlalchemy", "uvicorn", "aiohttp", "httpx", "reportlab", "xlsxwriter")
EVERY_COMMAND = sorted(
    [*LAZY, *(info.name or info.callback.__name__ for info in app.registered_commands if info.callback is not None)]
)


def _help_of(command: str) -> tuple[int, str, set[str]]:
    """Run ``dsop COMMAND --help`` in a fresh interpreter: its exit code, its output, the modules it loaded."""
    probe = (
        f"import sys, json\nsys.argv = ['dsop', {command!r}, '--help']\nfrom opendsop.cli import main\n"
        "code = 0\ntry:\n    main()\nexcept SystemExit as stop:\n    code = stop.code or 0\n"
        "print(json.dumps([code, sorted(sys.modules)]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
    *output, last = done.stdout.splitlines()
    code, modules = json.loads(last)
    return code, "\n".join(output), set(modules)


def test_every_command_is_covered() -> None:
    assert {"case", "provider", "registers", "eo", "up", "synth", "demo", "rules"} <= set(EVERY_COMMAND)


@pytest.mark.parametrize("command", EVERY_COMMAND)
def test_a_command_s_help_loads_no_server_database_or_http_client(command: str) -> None:
    code, output, loaded = _help_of(command)
    assert code == 0
    assert "Usage:" in output and command in output
    assert sorted({name for name in loaded if name.split(".")[0] in SERVING}) == []


# The help index (opendsop.entry): `dsop … --help` printed without importing the command tree.


def test_the_help_index_holds_exactly_what_each_command_prints(tmp_path: Path) -> None:
    from opendsop.cli import write_help_index

    # CliRunner renders help at width 80 (click forces it while testing)
    commands = json.loads(write_help_index(tmp_path / "help.json", "any", 80).read_text())["commands"]
    assert {"", "case", "case konkurs", "provider serve", "up"} <= set(commands)
    for path, text in commands.items():
        done = CliRunner().invoke(app, [*path.split(), "--help"], prog_name="dsop", env={"COLUMNS": "80"})
        assert (done.exit_code, done.output) == (0, text), path


def _entry(argv: list[str], index: Path, **env: str) -> tuple[str, set[str]]:
    probe = (
        f"import sys, json\nsys.argv = ['dsop', *{argv!r}]\nfrom opendsop.entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\nprint(json.dumps(sorted(sys.modules)))"
    )
    environment = {**os.environ, "COLUMNS": "80", "DSOP_HELP_INDEX": str(index), **env}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=environment)
    *output, last = done.stdout.splitlines(keepends=True)
    return "".join(output), set(json.loads(last))


def test_a_command_s_help_comes_from_the_index_without_importing_typer(tmp_path: Path) -> None:
    index = tmp_path / "help.json"
    _entry(["--rebuild-help"], index)
    expected = json.loads(index.read_text())["commands"]["case konkurs"]
    output, loaded = _entry(["case", "konkurs", "--help"], index)
    assert output == expected
    assert "typer" not in loaded and "opendsop.cli" not in loaded


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        (["case", "konkurs", "--help"], {"DSOP_ECOSYSTEM": "elsewhere.toml"}),  # settings that may change a default
        (["case", "konkurs", "--help"], {"COLUMNS": "60"}),  # a narrower terminal
        (["--debug", "case", "--help"], {}),  # an option before --help
    ],
)
def test_help_the_index_cannot_vouch_for_takes_the_real_command_tree(
    tmp_path: Path, argv: list[str], env: dict[str, str]
) -> None:
    index = tmp_path / "help.json"
    _entry(["--rebuild-help"], index)
    output, loaded = _entry(argv, index, **env)
    assert "typer" in loaded and "Usage: dsop case" in output
