# SPDX-License-Identifier: Apache-2.0
"""The scripted tour of a running local ecosystem (``dsop up --tour``, ``make demo``).

Nine stories, each told by the party that would live it, over the real HTTP parties:

1. **Konkurs** — the trustee (Brønnøysundregistrene's agency) asks about a bankrupt company: the
   relations hub names its banks, each bank answers with the accounts (``disabled``), balances and
   12 months of transactions before the kjennelsesdato; the case is exported as XLSX and PDF;
2. **Oppgjør etter dødsfall** — the heirs' overview of the estate's accounts and balances;
3. **Vergekontroll** — the annual control of a few wards, with the controller's flags;
4. **Politi** — an extradition order signed by the prosecution, the accounts it grants, and a cards
   request the bank refuses because the order does not grant cards;
5. **Signaturrett** — a bank asks Enhetsregisteret whether a person may sign for a company;

and four consent stories (``consent_tour.py``): a loan application with revocation, the student-loan
widget, an insurer's NAV timeline and a business's tax claims.  ``dsop up --tour STORY…`` picks
some of them (``pick_stories``: names, groups ``dsop`` and ``samtykke``, comma lists).

Subjects are chosen from the generated world (deterministic for the topology's preset and seed).
The tour returns what it found (:class:`TourReport`) so tests can check it, and prints as it goes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.markup import escape
from rich.rule import Rule
from rich.table import Table

from opendsop.clock import oslo_today
from opendsop.consumer import exports
from opendsop.consumer.cli import flags_table, run_case
from opendsop.consumer.errors import ConsumerError
from opendsop.consumer.fanout import BankResult
from opendsop.consumer.tables import accounts_table
from opendsop.consumer.workflows import WorkflowRefused, plan_batch, plan_konkurs, plan_oed, plan_politi
from opendsop.consumer.workflows.konkurs import kjennelsesdato
from opendsop.consumer.workflows.oed import date_of_death
from opendsop.consumer.workflows.runtime import open_runtime
from opendsop.consumer.workflows.verge import Assignment
from opendsop.contracts.registers.facts import to_guardianship
from opendsop.ecosystem.consent_tour import CONSENT_STORIES, ConsentOutcome, run_consent_story
from opendsop.ecosystem.dsve_tour import DSVE_STORIES
from opendsop.ecosystem.fraud_tour import FRAUD_STORIES
from opendsop.ecosystem.innsyn_tour import AUDIT_STORIES
from opendsop.ecosystem.message_tour import MESSAGE_STORIES
from opendsop.ecosystem.otp_tour import OTP_STORIES
from opendsop.ecosystem.runner import Running
from opendsop.samtykke.client import SamtykkeError
from opendsop.synth.model import Account, Guardianship
from opendsop.synth.world import Population

WARDS = 3


class TourError(Exception):
    """A story could not be told (the message says why); the tour goes on with the next one."""


@dataclass
class TourReport:
    """What each story found (for tests and for the closing summary)."""

    konkurs: list[BankResult] = field(default_factory=list)
    konkurs_exports: list[Path] = field(default_factory=list)
    oed: list[BankResult] = field(default_factory=list)
    verge: list[list[BankResult]] = field(default_factory=list)
    politi: list[BankResult] = field(default_factory=list)
    politi_cards_refusal: str | None = None
    signature: list[tuple[str, bool, str]] = field(default_factory=list)  # (who, allowed, reason)
    case_ids: dict[str, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    consent: dict[str, ConsentOutcome] = field(default_factory=dict)  # consent story → what it saw
    owned: dict[str, list[Account]] = field(default_factory=dict, repr=False)  # owner → accounts, built once
    messages: dict[str, Any] = field(default_factory=dict)  # message story → what it saw (message_tour.py)


def _owned(population: Population) -> dict[str, list[Account]]:
    owned: dict[str, list[Account]] = {}
    for account in population.accounts:
        owned.setdefault(account.owner_id, []).append(account)
    return owned


async def _konkurs(running: Running, population: Population, console: Console, report: TourReport) -> None:
    owned = report.owned
    bankruptcy = next(
        (b for b in population.bankruptcies if b.notice_type == "aapning" and owned.get(b.debtor_id)), None
    )
    console.print(Rule("1. Konkurs: the trustee's overview of a bankrupt debtor"))
    if bankruptcy is None:
        console.print("this world has no bankrupt debtor with accounts")
        return
    async with open_runtime("konkurs", running.consumer_settings("konkurs")) as rt:
        if rt.konkurs is None:
            console.print("the Konkurs agency has no Konkursvarsel register configured")
            return
        ruling = await kjennelsesdato(bankruptcy.debtor_id, rt.konkurs)
        plan = plan_konkurs(bankruptcy.debtor_id, kjennelsesdato=ruling, today=oslo_today(rt.clock))
        console.print(
            f"debtor {bankruptcy.debtor_name} ({bankruptcy.debtor_id}), kjennelsesdato {ruling}: period "
            f"{plan.case.from_date} – {plan.case.to_date} (12 months before the ruling)"
        )
        report.konkurs = await run_case(rt, console, plan, None, accounts=False)
        report.case_ids["konkurs"] = plan.case.account_info_request_id
        console.print(
            accounts_table(
                "The debtor's accounts (blocked by the bankruptcy: disabled)", report.konkurs, width=console.width
            )
        )
        export = await exports.load_case_export(rt.store, plan.case.account_info_request_id)
    out = running.topology.var_dir / "tour"
    out.mkdir(parents=True, exist_ok=True)
    stem = f"konkurs-{plan.case.account_info_request_id}"
    xlsx, pdf = out / f"{stem}.xlsx", out / f"{stem}.pdf"
    exports.write_xlsx(export, str(xlsx))
    exports.write_pdf(export, str(pdf))
    report.konkurs_exports = [xlsx, pdf]
    console.print(f"exported {xlsx} and {pdf}")


async def _oed(running: Running, population: Population, console: Console, report: TourReport) -> None:
    owned = report.owned
    death = next((d for d in population.deaths if owned.get(d.person_id)), None)
    console.print(Rule("2. Oppgjør etter dødsfall: the heirs' overview of the estate"))
    if death is None:
        console.print("this world has no deceased person with accounts")
        return
    async with open_runtime("oed", running.consumer_settings("oed")) as rt:
        if rt.folkeregister is None:
            console.print("the OED agency has no Folkeregister configured")
            return
        died = await date_of_death(death.person_id, rt.folkeregister)
        plan = plan_oed(death.person_id, date_of_death=died, today=oslo_today(rt.clock))
        console.print(f"deceased {death.person_id}, died {died}: period {plan.case.from_date} – {plan.case.to_date}")
        report.oed = await run_case(rt, console, plan, None, accounts=False)
        report.case_ids["oed"] = plan.case.account_info_request_id
    console.print(accounts_table("The estate's accounts and balances", report.oed, width=console.width))


def wards_to_control(
    guardianships: Iterable[Guardianship], owned: Mapping[str, Any], shielded: set[str], year: int
) -> list[Guardianship]:
    """The guardianships the tour's Vergekontroll may control for ``year``, shielded wards last.

    A guardianship that began after ``year`` has nothing to control (the batch would refuse its row);
    a shielded ward's banks answer an empty list (DSOP Vergekontroll “Løsningsbeskrivelse”): true, but
    a poor example.
    """
    chosen = [
        g
        for g in guardianships
        if owned.get(g.ward_id)
        and "representasjonDagligbank" in g.tjenesteoppgaver
        and g.valid_to is None
        and g.valid_from <= date(year, 12, 31)
    ]
    return sorted(chosen, key=lambda g: g.ward_id in shielded)


async def _verge(running: Running, population: Population, console: Console, report: TourReport) -> None:
    owned = report.owned
    shielded = {p.person_id for p in population.persons if p.address_protection is not None}
    async with open_runtime("verge", running.consumer_settings("verge")) as rt:
        today = oslo_today(rt.clock)
        year = today.year - 1  # the control covers the last calendar year
        chosen = wards_to_control(population.guardianships, owned, shielded, year)
        console.print(Rule(f"3. Vergekontroll: the annual control of {min(WARDS, len(chosen))} wards"))
        rows = [
            Assignment(g.ward_id, g.guardian_id, frozenset(a.kontonr for a in owned.get(g.guardian_id, ())))
            for g in chosen[:WARDS]
        ]
        if not rows:
            console.print("this world has no guardianship with accounts")
            return
        assert rt.folkeregister is not None  # the local agency always has the registers
        registered = {
            row.ward: [to_guardianship(g) for g in await rt.folkeregister.guardianships(row.ward)] for row in rows
        }
        for row, plan in zip(rows, plan_batch(rows, today=today, year=year, registered=registered), strict=True):
            note = " — a shielded person: every bank answers an empty list" if row.ward in shielded else ""
            console.print(
                f"ward {row.ward} (guardian {row.guardian}), {year}: {plan.case.from_date} – {plan.case.to_date}{note}"
            )
            results = await run_case(rt, console, plan, None)
            report.verge.append(results)
            flags_table(console, row, results)


async def _order(running: Running, party: str, today: date) -> str:
    fields = {
        "partyID": party,
        "mandate": "Straffeprosessloven §210 (3) første punktum",
        "fromDate": (today - timedelta(days=365)).isoformat(),
        "toDate": today.isoformat(),
        "onlyPrimaryOwner": True,
        "accountDetails": True,
        "transactions": True,
        "cards": False,
        "roles": True,
        "district": {"districtID": "1", "districtLabel": "Oslo politidistrikt"},
        "approval": {"approvedByID": "pa-4711", "approvedByName": "Kari Nordmann", "approvedByRole": "Politiadvokat"},
        "caseID": str(uuid.uuid4()),
        "validityDays": 30,
    }
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(
            running.topology.url("prosecution") + "/extradition-orders",
            json=fields,
            headers={"Authorization": f"Bearer {running.provisioned.prosecution_api_token}"},
        )
    if response.status_code != 201:
        raise TourError(f"the prosecution refused the order: {response.status_code} {response.text[:200]}")
    return response.text.strip()


async def _politi(running: Running, population: Population, console: Console, report: TourReport) -> None:
    owned = report.owned
    dead = {d.person_id for d in population.deaths}
    person = next(
        (
            p
            for p in population.persons
            if len(owned.get(p.person_id, ())) >= 2
            and p.person_id not in dead
            and p.address_protection is None
            and p.invalid_reason is None
        ),
        None,
    )
    console.print(Rule("4. Politi: an extradition order, and a cards request it does not grant"))
    if person is None:
        console.print("this world has no person with two accounts")
        return
    async with open_runtime("politi", running.consumer_settings("politi")) as rt:
        order = await _order(running, person.person_id, oslo_today(rt.clock))
        console.print(
            f"påtalemyndigheten signed an order for {person.person_id}: accounts, details, transactions and "
            "roles — not cards"
        )
        plan = plan_politi(order, party_id=person.person_id, requester_id="etterforsker-17", now=rt.clock())
        report.politi = await run_case(rt, console, plan, None, accounts=False)
        report.case_ids["politi"] = plan.case.account_info_request_id
        console.print(accounts_table("What the order grants", report.politi, width=console.width))
        first = next(((r.bank, a.reference) for r in report.politi for a in r.accounts), None)
        if first is not None:
            try:
                await rt.fanout.client.cards(first[0], plan.case, first[1])
                report.politi_cards_refusal = None
                console.print("[red]the bank answered a cards request the order does not grant[/red]")
            except ConsumerError as error:
                report.politi_cards_refusal = str(error)
                console.print(f"cards asked anyway → refused by {first[0].name or first[0].org_no}: {error}")


async def _signature(running: Running, population: Population, console: Console, report: TourReport) -> None:
    from opendsop.contracts.token_provider import GrantSigner, TokenProvider
    from opendsop.contracts.transport import HttpxTransport, poster
    from opendsop.ecosystem.provision import bank_client_id
    from opendsop.trust.keys import key_from_pem

    console.print(Rule("5. Signaturrett: may this person sign for the company?"))
    company = next(
        (c for c in population.companies if c.signature and c.signature.holders and c.invalid_reason is None), None
    )
    if company is None or company.signature is None:
        console.print("this world has no company with a signature rule")
        return
    bank = running.topology.banks[0]
    authority = running.topology.url("authority")
    key = key_from_pem(running.provisioned.banks[bank.orgno].grant_key.read_bytes(), kid=bank_client_id(bank.orgno))
    registers = running.topology.url("registers")
    holder = company.signature.holders[0]
    stranger = next(
        p.person_id
        for p in population.persons
        if p.person_id not in company.signature.holders and p.invalid_reason is None
    )
    async with httpx.AsyncClient(timeout=10) as http:
        tokens = TokenProvider(
            GrantSigner(bank_client_id(bank.orgno), authority + "/", authority + "/token", key),
            poster(HttpxTransport(http)),
        )
        token = await tokens.get(registers, "enhetsregister:read")
        table = Table(title=f"{bank.name} checks who may sign for {company.name} ({company.orgnr})")
        table.add_column("Person", min_width=16)  # wide enough that a fødselsnummer never folds
        table.add_column("Allowed", no_wrap=True)
        table.add_column("Rule / reason", overflow="fold")
        others = list(company.signature.holders[1:])
        questions: list[tuple[str, list[str]]] = [(holder, []), (stranger, [])] + ([(holder, others)] if others else [])
        for who, together in questions:
            answer = (
                await http.post(
                    registers + "/enhetsregisteret/api/signaturrett",
                    json={"organisasjonsnummer": company.orgnr, "person": who, "sammenMed": together},
                    headers={"Authorization": f"Bearer {token}"},
                )
            ).json()
            label = who + (f" with {', '.join(together)}" if together else " alone")
            report.signature.append((label, bool(answer.get("allowed")), answer.get("reason", "")))
            table.add_row(label, "yes" if answer.get("allowed") else "no", answer.get("reason", ""))
    console.print(table)


DSOP_STORIES = {"konkurs": _konkurs, "oed": _oed, "verge": _verge, "politi": _politi, "signaturrett": _signature}
DSOP_STORIES.update(MESSAGE_STORIES)  # digital letter, transport guarantees (message_tour.py)
DSOP_STORIES.update(OTP_STORIES)  # Ajourhold av OTP, FI-Utlegg by IM and AN (otp_tour.py)
DSOP_STORIES.update(DSVE_STORIES)  # home sale and company founding (dsve_tour.py)
DSOP_STORIES.update(FRAUD_STORIES)  # fraud: recall between banks, report confirmed to the insurer (fraud_tour.py)
DSOP_STORIES.update(AUDIT_STORIES)  # innsyn: who looked me up, an embargo lifted, every log verified (innsyn_tour.py)
STORIES = (*(s for s in DSOP_STORIES if s not in AUDIT_STORIES), *CONSENT_STORIES, *AUDIT_STORIES)  # innsyn last
# Names for several stories at once.
GROUPS = {
    "all": STORIES,
    "dsop": tuple(story for story in DSOP_STORIES if story not in MESSAGE_STORIES and story not in DSVE_STORIES),
    "samtykke": CONSENT_STORIES,
    "meldinger": tuple(MESSAGE_STORIES),
    "dsve": tuple(DSVE_STORIES),
}


def pick_stories(names: Sequence[str]) -> tuple[str, ...]:
    """The stories named (each name a story or a group, comma lists allowed), in the tour's order; none: all.

    An unknown name is a ``ValueError`` whose one line lists the valid ones."""
    wanted: set[str] = set()
    for name in (part.strip().lower() for item in names for part in item.split(",")):
        if not name:
            continue
        if name not in GROUPS and name not in STORIES:
            groups = ", ".join(f"{group} ({' '.join(members)})" for group, members in GROUPS.items() if group != "all")
            raise ValueError(f"unknown story {name!r}; the stories are {', '.join(STORIES)}, or a group: {groups}, all")
        wanted.update(GROUPS.get(name, (name,)))
    return tuple(story for story in STORIES if story in wanted) if wanted else STORIES


async def run_tour(running: Running, console: Console, stories: Sequence[str] = STORIES) -> TourReport:
    """Run ``stories`` (default: every one) against ``running``; print each and return what was found."""
    population = running.world.population() if running.world.preset.shard_count == 1 else next(running.world.shards(1))
    report = TourReport(owned=_owned(population))
    for name in pick_stories(stories):
        try:
            if name in DSOP_STORIES:
                await DSOP_STORIES[name](running, population, console, report)
            else:
                report.consent[name] = await run_consent_story(running, population, console, name)
        except (TourError, ConsumerError, WorkflowRefused, SamtykkeError, httpx.HTTPError) as error:
            report.failures.append(f"{name}: {error}")
            console.print(f"[red]{name} failed:[/red] {escape(str(error))}")
    console.print(Rule("Tour done"))
    for service, case_id in report.case_ids.items():
        console.print(f"{service}: dsop case show {case_id}", highlight=False)
    if report.case_ids:
        console.print(
            "export one: dsop case export CASE_ID --format xlsx|pdf --out FILE; all: dsop case list", highlight=False
        )
    return report


__all__ = ["GROUPS", "STORIES", "TourError", "TourReport", "pick_stories", "run_tour"]
