"""Ctrl-C during a first world load: ``dsop ecosystem load`` (and ``dsop up`` starting a world) stops at once,
its forked workers too, leaves ``var/`` as the next load can use (it starts afresh instead of refusing a
half-written ``var/``), and says so in one line, exit code 130.

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

from opendsop.ecosystem.runner import bind
from tests.ecosystem.harness import DSOP, tiny_topology

pytestmark = pytest.mark.timeout(300)

CHILD = """
import sys, threading
from opendsop.ecosystem import load

def stuck(url, orgno):
    print("loading bank", orgno, flush=True)
    threading.Event().wait()  # a bank that never finishes loading

load._bank_in_child = stuck
load._workers = lambda wanted, population, banks: 2  # the forked workers, as for a big world
sys.argv = ["dsop", *sys.argv[1:]]
from opendsop.cli import main
main()
"""


def interrupted_while_loading(*args: str) -> tuple[int, str]:
    """``dsop ARGS`` with stuck bank workers, sent SIGINT once a worker has started; (exit code, stderr)."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        assert child.stdout is not None
        for line in child.stdout:  # blocks until a worker has started a bank
            if line.startswith("loading bank"):
                break
        else:
            pytest.fail("the load never started: " + child.stderr.read())  # type: ignore[union-attr]
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("interrupted — "), out + err
    return child.returncode, lines[0]


def test_ctrl_c_stops_a_world_load_and_leaves_var_loadable(tmp_path: Path) -> None:
    var = tmp_path / "var"
    code, line = interrupted_while_loading("ecosystem", "load", "--preset", "tiny", "--var", str(var))
    assert code == 130 and "dsop ecosystem load" in line
    assert not (var / "world.json").exists()
    again = subprocess.run(
        [DSOP, "ecosystem", "load", "--preset", "tiny", "--var", str(var)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert again.returncode == 0 and "loaded into" in again.stdout, again.stdout + again.stderr


def test_ctrl_c_during_the_first_start_of_up_stops_before_serving(tmp_path: Path) -> None:
    topology = tiny_topology(tmp_path)
    code, line = interrupted_while_loading("up", "--topology", str(topology.path), "--exit")
    assert code == 130 and "nothing is serving" in line and f"dsop up --topology {topology.path}" in line
    assert not (topology.var_dir / "world.json").exists()
    for sock in bind(topology).values():  # every port is free again
        sock.close()
