"""The tour's innsyn story: a person sees who looked them up, a police request only once its embargo is lifted,
and every party's audit log verifies.

1. Politiet runs a case on a person (an extradition order, as in the politi story);
2. the person logs in to innsyn (the ID-porten stand-in) and sees the disclosures about them, fetched from
   every bank's and source's own log, each with its inclusion proof checked — but not the police request;
3. the prosecution lifts the embargo at each bank (a signed lift message to its audit API);
4. innsyn now lists the police request too;
5. every party signs a checkpoint, the witness countersigns it, and ``dsop audit verify`` says OK for each.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx
from rich.console import Console
from rich.rule import Rule
from rich.table import Table

from opendsop.clock import oslo_today, utc_now

if TYPE_CHECKING:
    from opendsop.ecosystem.runner import Running
    from opendsop.ecosystem.tour import TourReport
    from opendsop.synth.world import Population

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def innsyn_entries(running: Running, person: str) -> list[dict[str, Any]]:
    """What the person sees on the innsyn page (logged in through the ID-porten stand-in)."""
    base = running.topology.url("innsyn")
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        login = await http.get("/login", params={"next": "/innsyn"})
        token = _CSRF.search(login.text)
        if token is None:
            raise RuntimeError("the innsyn login page has no form")
        await http.post("/login/person", data={"csrf": token.group(1), "pid": person, "next": "/innsyn"})
        page = await http.get("/innsyn", params={"format": "json"})
        page.raise_for_status()
        return list(page.json()["entries"])


def _table(title: str, entries: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("when", "who", "at", "service", "legal basis", "data", "proof"):
        table.add_column(column)
    for e in entries:
        table.add_row(
            e["when"][:19].replace("T", " "),
            e["who"],
            e["holder"],
            e["service"],
            e["basis"][:40],
            ", ".join(e["categories"]),
            ("✓ witnessed" if e["witnessed"] else "✓") if e["proven"] else f"✗ {e['problem']}",
        )
    return table


async def _lift(running: Running, case_id: str) -> int:
    """The prosecution's lift message to every bank's audit API; how many banks took it."""
    from opendsop.ecosystem.audit_side import signer

    prosecution = signer(running.topology, "prosecution")
    lifted = 0
    async with httpx.AsyncClient(timeout=10) as http:
        for bank in running.topology.banks:
            token = prosecution.token(
                {"aud": f"bank-{bank.orgno}", "scope": "dsop:audit.lift", "lift": case_id}, now=utc_now()
            )
            answer = await http.post(
                f"http://{running.topology.host}:{bank.port}/audit/v1/lifts",
                headers={"Authorization": f"Bearer {token}"},
            )
            lifted += answer.status_code == 201
    return lifted


async def verify_every_party(running: Running, console: Console) -> list[str]:
    """Sign a checkpoint of every party's log, have the witness countersign it, then verify each log."""
    from opendsop.audit.log import ChainBroken
    from opendsop.audit.sql import SqlAuditLog
    from opendsop.audit.witnessing import WitnessUnavailable, submit
    from opendsop.ecosystem import audit_side
    from opendsop.serving import create_engine

    topology = running.topology
    lines = []
    for party in audit_side.party_logs(topology):
        log = SqlAuditLog(
            create_engine(party.database), origin=party.origin, signer=audit_side.signer(topology, party.origin)
        )
        try:
            await log.create_schema()
            try:
                await submit(log, await log.checkpoint(), topology.url("witness"))
            except WitnessUnavailable as error:
                if "WIT-003" not in str(error):  # WIT-003: the party's own later checkpoint got there first
                    lines.append(f"BAD {party.origin}: the witness refused: {error}")
                    continue
            try:
                count = await log.verify(audit_side.public_keys(topology))
                lines.append(f"OK {party.origin}: {count} records, checkpoint cosigned by the witness")
            except ChainBroken as error:
                lines.append(f"BAD {party.origin}: first bad position {error.sequence}: {error.reason}")
        finally:
            await log.close()
            await log.engine.dispose()
    for line in lines:
        console.print(line, highlight=False)
    return lines


async def _innsyn(running: Running, population: Population, console: Console, report: TourReport) -> None:
    from opendsop.consumer.cli import run_case
    from opendsop.consumer.workflows import plan_politi
    from opendsop.consumer.workflows.runtime import open_runtime
    from opendsop.ecosystem.tour import TourError, _order

    console.print(Rule("Innsyn: who looked me up — a police request hidden until its embargo is lifted"))
    dead = {d.person_id for d in population.deaths}
    person = next(
        (
            p
            for p in reversed(population.persons)
            if report.owned.get(p.person_id)
            and p.person_id not in dead
            and p.address_protection is None
            and p.invalid_reason is None
        ),
        None,
    )
    if person is None:
        raise TourError("this world has no person with an account")
    async with open_runtime("politi", running.consumer_settings("politi")) as rt:
        order = await _order(running, person.person_id, oslo_today(rt.clock))
        plan = plan_politi(order, party_id=person.person_id, requester_id="etterforsker-17", now=rt.clock())
        await run_case(rt, Console(quiet=True), plan, None, accounts=False)
    case_id = plan.case.account_info_request_id
    console.print(f"Politiet looked up {person.person_id} under an extradition order (case {case_id})")
    before = await innsyn_entries(running, person.person_id)
    hidden = [e for e in before if e["service"] == "politi"]
    console.print(_table(f"What {person.person_id} sees now (the police request is embargoed)", before))
    if hidden:
        raise TourError("innsyn showed an embargoed police request")
    lifted = await _lift(running, case_id)
    console.print(f"påtalemyndigheten lifted the embargo of case {case_id} at {lifted} bank(s)")
    after = await innsyn_entries(running, person.person_id)
    console.print(_table(f"What {person.person_id} sees after the lift", after))
    shown = [e for e in after if e["service"] == "politi"]
    console.print(Rule("dsop audit verify — every party"))
    verified = await verify_every_party(running, console)
    report.messages["innsyn"] = {
        "person": person.person_id,
        "before": len(before),
        "police_before": len(hidden),
        "police_after": len(shown),
        "proven": all(e["proven"] for e in after),
        "verified": verified,
    }
    if not shown:
        raise TourError("the police request did not appear after the lift")
    if any(not line.startswith("OK") for line in verified):
        raise TourError("an audit log did not verify")


AUDIT_STORIES = {"innsyn": _innsyn}

__all__ = ["AUDIT_STORIES", "innsyn_entries", "verify_every_party"]
