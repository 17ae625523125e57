"""``dsop case`` from a second terminal against a running ecosystem, and a case killed (SIGKILL) while a bank
answers, resumed to the same result.  Its own ecosystem, apart from the tour's (test_running.py): after the
tour's agencies had used the case store inside the test process, a SIGKILLed `dsop case` left it reading
"database disk image is malformed" (not yet explained; the tour alone and this test alone keep it intact)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opendsop.ecosystem.runner import Running
from opendsop.ecosystem.topology import Topology
from opendsop.synth import generate
from tests.ecosystem.harness import Background, Gate, dsop, dsop_background, tiny_topology

pytestmark = pytest.mark.timeout(600)
POPULATION = generate("tiny").population()
DEBTOR = next(
    b
    for b in POPULATION.bankruptcies
    if b.notice_type == "aapning" and any(a.owner_id == b.debtor_id for a in POPULATION.accounts)
)
DEBTOR_BANK = next(a.bank_orgnr for a in POPULATION.accounts if a.owner_id == DEBTOR.debtor_id)


@pytest.fixture(scope="module")
def gate() -> Gate:
    return Gate()


@pytest.fixture(scope="module")
def ecosystem(tmp_path_factory: pytest.TempPathFactory, gate: Gate) -> Iterator[Running]:
    topology = tiny_topology(tmp_path_factory.mktemp("ecosystem"))

    def wrap(party: str, app: Any) -> Any:
        return gate.wrap(app) if party == f"bank {DEBTOR_BANK}" else app

    with Background(topology, wrap) as running:
        yield running


def _export(topology: Topology, case_id: str) -> dict[str, Any]:
    done = dsop(topology, "case", "export", case_id, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def _answers(export: dict[str, Any]) -> dict[str, Any]:
    """Account number → (status, transaction ids): what must not change between two runs of a case."""
    found = {}
    for bank in export["banks"]:
        for account in bank["accounts"]:
            transactions = account["answers"].get("transactions", {}).get("value") or []
            found[account["account"]["accountIdentifier"]] = (
                account["account"].get("status"),
                sorted(t.get("transactionIdentifier", "") for t in transactions),
                len(transactions),
            )
    return found


def _case_ids(topology: Topology) -> set[str]:
    with sqlite3.connect(topology.var_dir / "cases.db") as db:
        return {row[0] for row in db.execute("select id from consumer_case")}


def test_a_second_terminal_runs_a_case_and_a_killed_run_resumes_to_the_same_result(
    ecosystem: Running, gate: Gate, tmp_path: Path
) -> None:
    topology = ecosystem.topology
    before = _case_ids(topology) if (topology.var_dir / "cases.db").exists() else set()
    done = dsop(topology, "case", "konkurs", "--debtor", DEBTOR.debtor_id)
    assert done.returncode == 0, done.stdout + done.stderr
    owned = sorted(a.kontonr for a in POPULATION.accounts if a.owner_id == DEBTOR.debtor_id)
    for line in (line for line in done.stdout.splitlines() if any(number in line for number in owned)):
        assert "disabled" in line, line  # every account listed, each blocked by the bankruptcy
    assert all(number in done.stdout for number in owned), done.stdout
    (reference_id,) = _case_ids(topology) - before
    reference = _answers(_export(topology, reference_id))
    assert reference and all(status == "disabled" for status, _, _ in reference.values())
    for form in ("xlsx", "pdf"):
        exported = dsop(topology, "case", "export", reference_id, "--format", form, "--out", str(tmp_path / form))
        assert exported.returncode == 0 and (tmp_path / form).stat().st_size > 0, exported.stdout

    # the same case again, killed while the bank is answering its transactions
    gate.hit.clear()
    gate.release.clear()
    gate.armed = True
    running = dsop_background(topology, "case", "konkurs", "--debtor", DEBTOR.debtor_id)
    try:
        assert gate.hit.wait(120), "the case never reached the bank's transactions"
        running.kill()
        running.communicate(timeout=30)  # reaps it and closes its pipe
    finally:
        gate.armed = False
        gate.release.set()
    (killed_id,) = _case_ids(topology) - before - {reference_id}
    resumed = dsop(topology, "case", "resume", killed_id)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert _answers(_export(topology, killed_id)) == reference
