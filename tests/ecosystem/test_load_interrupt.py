"""Ctrl-C during a first world load: ``dsop ecosystem load`` stops at once (its forked workers too), leaves
``var/`` as the next load can use (it starts afresh instead of refusing a half-written ``var/``), and says
so in one line, exit code 130.

The child is the real ``dsop`` with one change: each bank worker announces itself on stdout and then never
finishes, so the test knows the load is under way and that it can only end by being interrupted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ecosystem.harness import DSOP

pytestmark = pytest.mark.timeout(300)

CHILD = """
import sys, threading
from opendsop.ecosystem import load

def stuck(url, orgno):
    print("loading bank", orgno, flush=True)
    threading.Event().wait()  # a bank that never finishes loading

load._bank_in_child = stuck
load._workers = lambda wanted, population, banks: 2  # the forked workers, as for a big world
sys.argv = ["dsop", "ecosystem", "load", "--preset", "tiny", "--var", sys.argv[1]]
from opendsop.cli import main
main()
"""


def test_ctrl_c_stops_a_world_load_and_leaves_var_loadable(tmp_path: Path) -> None:
    var = tmp_path / "var"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(var)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200"})
    try:
        assert child.stdout is not None
        first = child.stdout.readline()  # blocks until a worker has started a bank
        assert first.startswith("loading bank"), first + child.stderr.read()  # type: ignore[union-attr]
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, out + err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    [line] = lines
    assert line.startswith("interrupted — ") and "dsop ecosystem load" in line, err
    assert not (var / "world.json").exists()
    again = subprocess.run([DSOP, "ecosystem", "load", "--preset", "tiny",
                            "--var", str(var)], capture_output=True, text=True, timeout=240, check=False)
    assert again.returncode == 0 and "loaded into" in again.stdout, again.stdout + again.stderr
