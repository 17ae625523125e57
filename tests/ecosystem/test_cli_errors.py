"""Everyday mistakes with ``dsop``, as a new user makes them: each ends in one line ``error: <what> — <fix>``
(exit code 2), never a traceback; Ctrl-C in the middle of a case ends in one line saying how to resume it
(exit code 130), and the resumed case completes.

The parties run for real on loopback (the tiny world); ``Faults`` makes one of them answer 503 or garbage.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from opendsop.ecosystem.runner import Running
from opendsop.ecosystem.topology import Topology
from opendsop.synth import generate
from tests.ecosystem.harness import DSOP, Background, Gate, dsop, dsop_background, tiny_topology

pytestmark = pytest.mark.timeout(600)
POPULATION = generate("tiny").population()
DEBTOR = next(
    b
    for b in POPULATION.bankruptcies
    if b.notice_type == "aapning" and any(a.owner_id == b.debtor_id for a in POPULATION.accounts)
)
DEBTOR_BANK = next(a.bank_orgnr for a in POPULATION.accounts if a.owner_id == DEBTOR.debtor_id)
UNKNOWN_CASE = "00000000-0000-4000-8000-000000000000"
OWNERS = {account.owner_id for account in POPULATION.accounts}
WARDS = [
    g
    for g in POPULATION.guardianships
    if g.ward_id in OWNERS and g.valid_to is None and "representasjonDagligbank" in g.tjenesteoppgaver
][:3]


@dataclass
class Faults:
    """Parties that answer every request with 503 (``down``) or with a 200 that is not JSON (``garbage``)."""

    down: set[str] = field(default_factory=set)
    garbage: set[str] = field(default_factory=set)

    def wrap(self, party: str, app: Any) -> Any:
        async def faulty(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http" and (party in self.down or party in self.garbage):
                status, body = (503, b"") if party in self.down else (200, b"<html>not what you asked for")
                await send(
                    {
                        "type": "http.response.start",
                        "status": status,
                        "headers": [(b"content-type", b"application/json")],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
            await app(scope, receive, send)

        return faulty


@pytest.fixture(scope="module")
def faults() -> Faults:
    return Faults()


@pytest.fixture(scope="module")
def gate() -> Gate:
    return Gate()


@pytest.fixture(scope="module")
def ecosystem(tmp_path_factory: pytest.TempPathFactory, faults: Faults, gate: Gate) -> Iterator[Running]:
    topology = tiny_topology(tmp_path_factory.mktemp("ecosystem"))

    def wrap(party: str, app: Any) -> Any:
        app = faults.wrap(party, app)
        return gate.wrap(app) if party.startswith("bank ") else app

    with Background(topology, wrap) as running:
        yield running


@pytest.fixture(scope="module")
def stopped(ecosystem: Running, tmp_path_factory: pytest.TempPathFactory) -> Topology:
    """The same agencies and keys, with every party's port unanswered: the ecosystem is down."""
    directory = tmp_path_factory.mktemp("stopped")
    shutil.copytree(ecosystem.topology.var_dir / "keys", directory / "keys")
    return tiny_topology(directory)


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and " — " in lines[0], done.stdout + done.stderr
    return lines[0]


# (what the user did, dsop's arguments, what the one line must say) — the ecosystem is running
RUNNING = [
    (
        "an organisation number with a wrong check digit",
        ["case", "konkurs", "--debtor", "123456789"],
        ["check digit", "check the identifier"],
    ),
    ("an unknown case id", ["case", "show", UNKNOWN_CASE], [f"unknown case {UNKNOWN_CASE}", "AccountInfoRequestID"]),
    ("exporting an unknown case", ["case", "export", UNKNOWN_CASE], [f"unknown case {UNKNOWN_CASE}"]),
    ("resuming an unknown case", ["case", "resume", UNKNOWN_CASE], [f"unknown case {UNKNOWN_CASE}"]),
    (
        "a month 13",
        ["case", "skatt", "--party", "910000001", "--requester", "sb-1", "--from", "2025-13-01"],
        ["fromDate", "correct it"],
    ),
    ("an unknown export format", ["case", "export", UNKNOWN_CASE, "--format", "docx"], ["--format", "pdf"]),
]


@pytest.mark.parametrize(("mistake", "args", "says"), RUNNING, ids=[row[0] for row in RUNNING])
def test_a_mistake_with_the_ecosystem_running_is_one_line(
    ecosystem: Running, mistake: str, args: list[str], says: list[str]
) -> None:
    done = dsop(ecosystem.topology, *args)
    assert done.returncode == 2, done.stdout + done.stderr
    line = one_error_line(done)
    assert all(part in line for part in says), line


def test_the_ecosystem_down_says_to_start_it(stopped: Topology) -> None:
    done = dsop(stopped, "case", "konkurs", "--debtor", DEBTOR.debtor_id)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "dsop up" in one_error_line(done)


def test_a_register_down_is_one_line(ecosystem: Running, faults: Faults) -> None:
    faults.down.add("registers")
    try:
        done = dsop(ecosystem.topology, "case", "konkurs", "--debtor", DEBTOR.debtor_id)
    finally:
        faults.down.discard("registers")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "registers" in one_error_line(done)


def test_a_bank_answering_garbage_is_that_banks_outcome(ecosystem: Running, faults: Faults) -> None:
    faults.garbage.add(f"bank {DEBTOR_BANK}")
    try:
        done = dsop(ecosystem.topology, "case", "konkurs", "--debtor", DEBTOR.debtor_id)
    finally:
        faults.garbage.discard(f"bank {DEBTOR_BANK}")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    [row] = [line for line in done.stdout.splitlines() if DEBTOR_BANK in line]
    assert "error" in row, done.stdout


def test_exporting_into_a_missing_directory_names_it(ecosystem: Running, tmp_path: Path) -> None:
    ran = dsop(ecosystem.topology, "case", "konkurs", "--debtor", DEBTOR.debtor_id)
    case_id = re.search(r"Case ([0-9a-f-]{36})", ran.stdout).group(1)  # type: ignore[union-attr]
    target = tmp_path / "missing" / "x.pdf"
    done = dsop(ecosystem.topology, "case", "export", case_id, "--format", "pdf", "--out", str(target))
    assert done.returncode == 2, done.stdout + done.stderr
    line = one_error_line(done)
    assert str(target) in line and f"create {target.parent}" in line


def test_ctrl_c_in_a_case_says_how_to_resume_and_the_resumed_case_completes(ecosystem: Running, gate: Gate) -> None:
    gate.hit.clear()
    gate.release.clear()
    gate.armed = True
    running = dsop_background(ecosystem.topology, "case", "konkurs", "--debtor", DEBTOR.debtor_id)
    try:
        assert gate.hit.wait(120), "the case never reached the bank's transactions"
        running.send_signal(signal.SIGINT)
        output, _ = running.communicate(timeout=60)  # the bank still holds the request: no waiting for it
    finally:
        gate.armed = False
        gate.release.set()
        if running.poll() is None:
            running.kill()
    assert running.returncode == 130, output
    assert "Traceback" not in output
    resume = re.search(r"`dsop case resume ([0-9a-f-]{36})`", output)
    assert resume is not None, output
    resumed = dsop(ecosystem.topology, "case", "resume", resume.group(1))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr


def test_ctrl_c_in_a_vergekontroll_batch_stops_it_and_names_the_cases_to_resume(
    ecosystem: Running, gate: Gate, tmp_path: Path
) -> None:
    assert WARDS, "the tiny world has guardianships with accounts"
    batch = tmp_path / "batch.csv"
    batch.write_text("ward,guardian\n" + "".join(f"{g.ward_id},{g.guardian_id}\n" for g in WARDS), encoding="utf-8")
    gate.hit.clear()
    gate.release.clear()
    gate.armed = True
    running = dsop_background(ecosystem.topology, "case", "verge", "--year", "2025", "--batch", str(batch))
    try:
        assert gate.hit.wait(120), "the batch never reached a bank's transactions"
        running.send_signal(signal.SIGINT)
        output, _ = running.communicate(timeout=60)
    finally:
        gate.armed = False
        gate.release.set()
        if running.poll() is None:
            running.kill()
    assert running.returncode == 130, output
    assert "Traceback" not in output and "dsop case resume" in output, output
    uuid = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    recorded = re.findall(uuid, output.split("interrupted")[-1])
    assert recorded, output
    resumed = dsop(ecosystem.topology, "case", "resume", recorded[0])
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr


# -- where the ecosystem is ---------------------------------------------------------------------------


def _dsop_in(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("DSOP_ECOSYSTEM", "DSOP_CONSUMER_ORGNO")} | {
        "COLUMNS": "200"
    }
    return subprocess.run(
        [DSOP, *args], env=env, capture_output=True, text=True, timeout=120, cwd=directory, check=False
    )


def test_case_from_a_sub_directory_finds_the_ecosystem_above(ecosystem: Running, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "docs" / "notes").mkdir(parents=True)
    var = project / "var"
    shutil.copytree(
        ecosystem.topology.var_dir, var, ignore=shutil.ignore_patterns("bank-*", "registers.db*", "relations.db*")
    )
    done = _dsop_in(project / "docs" / "notes", "case", "show", UNKNOWN_CASE)
    assert done.returncode == 2 and f"unknown case {UNKNOWN_CASE}" in one_error_line(done)


def test_case_without_an_ecosystem_says_where_it_looked(tmp_path: Path) -> None:
    line = one_error_line(_dsop_in(tmp_path, "case", "show", UNKNOWN_CASE))
    assert str(tmp_path) in line and "DSOP_ECOSYSTEM" in line and "dsop up" in line


def test_case_with_an_ecosystem_never_started_says_to_start_it(tmp_path: Path) -> None:
    tiny_topology(tmp_path / "var")
    line = one_error_line(_dsop_in(tmp_path, "case", "show", UNKNOWN_CASE))
    assert "has not been started" in line and "dsop up" in line


def test_up_refuses_a_topology_that_does_not_exist_and_writes_none(tmp_path: Path) -> None:
    done = _dsop_in(tmp_path, "up", "--topology", "missing.toml", "--exit")
    assert done.returncode == 2
    assert "dsop synth topology" in " ".join(done.stdout.split())
    assert list(tmp_path.iterdir()) == []


def test_up_with_invalid_toml_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "eco.toml").write_text("[world\npreset = ", encoding="utf-8")
    done = _dsop_in(tmp_path, "up", "--topology", "eco.toml", "--exit")
    assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr
    assert "error:" in done.stdout and "eco.toml" in done.stdout


def test_up_with_a_port_in_use_names_the_port(tmp_path: Path) -> None:
    topology = tiny_topology(tmp_path)
    with socket.socket() as taken:
        taken.bind((topology.host, topology.ports["registers"]))
        taken.listen()
        done = _dsop_in(tmp_path, "up", "--topology", str(topology.path), "--exit")
    assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr
    assert f"port {topology.ports['registers']}" in done.stdout and "already in use" in done.stdout


def test_case_takes_the_topology_named_from_any_directory(ecosystem: Running, tmp_path: Path) -> None:
    done = _dsop_in(tmp_path, "case", "--topology", str(ecosystem.topology.path), "show", UNKNOWN_CASE)
    assert done.returncode == 2 and f"unknown case {UNKNOWN_CASE}" in one_error_line(done)


def test_case_refuses_a_named_topology_that_does_not_exist(tmp_path: Path) -> None:
    line = one_error_line(_dsop_in(tmp_path, "case", "--topology", "missing.toml", "list"))
    assert "--topology missing.toml does not exist" in line and "dsop synth topology" in line
