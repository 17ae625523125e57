# SPDX-License-Identifier: Apache-2.0
"""The consent stories of the tour, over real HTTP: a consumer asks, the person approves in a browser, data flows.

Each story is told by the consumer that would live it (``opendsop.samtykke`` flows), against the
running consent service, token service and sources:

* **lan** — the bank's loan application: SBL consent, the person approves, income and tax base are
  summarised; the person then withdraws the consent and the bank's next pull is refused (IM-010);
* **studielan** — the net bank's student-loan widget: Saldo consent, the balance at login (the
  consent goes to Lånekassen once; the next login sends an ordinary token);
* **forsikring** — the insurer's claim: SSU consent, NAV's AAP decisions, meldekort and uføre
  decisions as one timeline;
* **krav** — the business's tax claims in the net bank: the company's representative consents,
  the bank reads open claims and totals.

The person's approval is done as a browser would: ``viewUri`` → synthetic ID-porten login as the
person → the request page → «accept» with the form's CSRF token → 303 to the consumer's
``redirectUrl``, a page on loopback (``callbacks.py``) that the story fetches and shows.  A source
that refuses (e.g. a person with no income: IM-008) is reported with its documented code, and the
tour goes on.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from rich.console import Console
from rich.markup import escape
from rich.rule import Rule

from opendsop.ecosystem.consent_side import ConsentSide, Consumer, callback_prefix, consent_side, source_audience
from opendsop.ecosystem.inprocess_consent import Person
from opendsop.ecosystem.runner import Running
from opendsop.samtykke import business, insurance, loan, studielan
from opendsop.samtykke.client import Endpoints, Identity, SamtykkeClient, SamtykkeError, Service, SourceRefused
from opendsop.synth.consent_model import SourceData
from opendsop.synth.consent_sources import for_population
from opendsop.synth.world import Population

_Item = TypeVar("_Item")
CONSENT_STORIES = ("lan", "studielan", "forsikring", "krav")
_OUTCOME = re.compile(r'<h1 class="outcome">(.*?)</h1>', re.S)
_REFERENCES = itertools.count(1001)  # the consumers' own case numbers (søknad, skadesak)


@dataclass
class ConsentOutcome:
    """What one consent story saw: the consent, the callback page's outcome, what the source delivered."""

    story: str
    subject: str
    consent_id: str | None = None
    callback: str | None = None  # the outcome line of the consumer's callback page
    delivered: dict[str, Any] = field(default_factory=dict)
    refused: str | None = None  # the source's documented code when it refused (IM-008, KB-007, …)
    after_revocation: str | None = None  # lan: the source's code for the pull after the withdrawal


class _Story:
    """One story's parties: the consumer's client, the person's browser, the callback page."""

    def __init__(self, running: Running, side: ConsentSide, http: httpx.AsyncClient, console: Console) -> None:
        self.running, self.side, self.http, self.console = running, side, http, console
        topology = running.topology
        self.endpoints = Endpoints(
            authority=topology.url("authority") + "/",
            consent=Service(topology.url("consent")),
            lanekassen_api_key=side.lanekassen_api_key,
            **{
                name: Service(topology.url(name), source_audience(topology, name))
                for name in ("skatteetaten", "lanekassen", "nav", "krav")
            },
        )

    def client(self, consumer: Consumer) -> SamtykkeClient:
        return SamtykkeClient(
            Identity(consumer.orgno, consumer.client_id, self.side.key(consumer.key_path, consumer.client_id)),
            self.endpoints,
            self.http,
        )

    def redirect(self, consumer: Consumer, case: str, ref: str) -> str:
        return f"{callback_prefix(self.running.topology, consumer)}samtykke/{case}?ref={ref}"

    def person(self, fnr: str) -> Person:
        return Person(fnr, httpx.AsyncClient(base_url=self.running.topology.url("consent"), timeout=30))

    async def approve(self, person: Person, view_uri: str) -> str:
        """The person logs in, reads the request and accepts; their browser follows the redirect back."""
        back = await person.answer(view_uri, "accept")
        page = await self.http.get(back)
        match = _OUTCOME.search(page.text)
        if page.status_code != 200 or match is None:
            raise SamtykkeError(f"the consumer's callback page {back} answered {page.status_code}")
        return html.unescape(match.group(1))

    def say(self, markup: str) -> None:
        self.console.print(markup, highlight=False)


def _first(items: Mapping[str, _Item], fits: Callable[[_Item], bool], what: str) -> str:
    found = next((key for key, item in items.items() if fits(item)), None)
    if found is None:
        raise SamtykkeError(f"this world has nobody with {what}")
    return found


def _kr(amount: object) -> str:
    return f"{float(str(amount)):,.0f}".replace(",", " ") + " kr"


async def _lan(story: _Story, data: SourceData, subject: str | None) -> ConsentOutcome:
    fnr = subject or _first(data.persons, lambda p: bool(p.income and p.tax_base(p.latest_tax_year)), "income")
    bank, ref = story.side.bank, str(next(_REFERENCES))
    outcome = ConsentOutcome("lan", fnr)
    client = story.client(bank)
    story.console.print(Rule(f"6. Samtykke: {bank.name} behandler lånesøknad {ref} (SBL: inntekt og skattegrunnlag)"))
    consent = await loan.request_loan_consent(client, fnr, redirect_url=story.redirect(bank, "lan", ref))
    outcome.consent_id = consent.id
    person = story.person(fnr)
    try:
        outcome.callback = await story.approve(person, consent.view_uri)
        story.say(
            f"{fnr} (synthetic) logs in and approves {consent.fra_og_med} – {consent.til_og_med} and "
            f"{consent.inntektsaar}; back at the bank: [green]{escape(outcome.callback)}[/]"
        )
        try:
            summary = await loan.loan_summary(client, consent)
        except SourceRefused as refused:
            outcome.refused = refused.code
            story.say(f"Skatteetaten: [red]{refused.status} {escape(refused.code)}[/] {escape(refused.message)}")
            return outcome
        outcome.delivered = {
            "months": len(summary.income.months),
            "median": str(summary.income.median),
            "flags": [f.code for f in summary.flags],
        }
        story.say(
            f"income in {len(summary.income.months)} months, median {_kr(summary.income.median)}; "
            f"flags: {', '.join(f.code for f in summary.flags) or 'none'}"
        )
        await person.revoke(consent.id)
        try:
            await loan.fetch_loan_data(client, consent)
        except SourceRefused as refused:
            outcome.after_revocation = refused.code
            story.say(
                f"the person withdraws the consent; the bank's next pull: [red]{refused.status} "
                f"{escape(refused.code)}[/]"
            )
    finally:
        await person.browser.aclose()
    return outcome


async def _studielan(story: _Story, data: SourceData, subject: str | None) -> ConsentOutcome:
    fnr = subject or _first(data.persons, lambda p: bool(p.loan), "a student loan")
    bank = story.side.bank
    outcome = ConsentOutcome("studielan", fnr)
    client = story.client(bank)
    story.console.print(Rule(f"7. Samtykke: saldo på studielån i {bank.name}s nettbank (Lånekassen)"))
    consent = await studielan.request_studielan_consent(
        client, fnr, redirect_url=story.redirect(bank, "studielan", "nettbank")
    )
    outcome.consent_id = consent.id
    person = story.person(fnr)
    try:
        outcome.callback = await story.approve(person, consent.view_uri)
    finally:
        await person.browser.aclose()
    story.say(f"{fnr} (synthetic) approves for a year; back at the bank: [green]{escape(outcome.callback)}[/]")
    try:
        first = await studielan.fetch_widget(client, fnr, present=consent.ref)
        again = await studielan.fetch_widget(client, fnr)  # the next login: Lånekassen has cached the consent
    except SourceRefused as refused:
        outcome.refused = refused.code
        story.say(f"Lånekassen: [red]{refused.status} {escape(refused.code)}[/] {escape(refused.message)}")
        return outcome
    if first is None or again is None:
        outcome.refused = "404"
        story.say("Lånekassen: [red]404[/] the person is not a Lånekassen customer")
        return outcome
    outcome.delivered = {"total": str(first.total), "again": str(again.total), "parts": len(first.parts)}
    story.say(
        f"the widget (Lånekassen's logo beside it): {_kr(first.total)} in {len(first.parts)} part(s); "
        f"the next login, without the consent in the token: {_kr(again.total)}"
    )
    return outcome


async def _forsikring(story: _Story, data: SourceData, subject: str | None) -> ConsentOutcome:
    fnr = subject or _first(data.persons, lambda p: bool(p.aap_vedtak), "AAP decisions")
    insurer, ref = story.side.insurer, str(next(_REFERENCES))
    outcome = ConsentOutcome("forsikring", fnr)
    client = story.client(insurer)
    story.console.print(Rule(f"8. Samtykke: {insurer.name} behandler skadesak {ref} (NAV: AAP og uføretrygd)"))
    consent = await insurance.request_ssu_consent(client, fnr, redirect_url=story.redirect(insurer, "forsikring", ref))
    outcome.consent_id = consent.id
    person = story.person(fnr)
    try:
        outcome.callback = await story.approve(person, consent.view_uri)
    finally:
        await person.browser.aclose()
    story.say(f"{fnr} (synthetic) approves; back at the insurer: [green]{escape(outcome.callback)}[/]")
    try:
        timeline = await insurance.nav_timeline(client, fnr, consent.ref)
    except SourceRefused as refused:
        outcome.refused = refused.code
        story.say(f"NAV: [red]{refused.status} {escape(refused.code)}[/] {escape(refused.message)}")
        return outcome
    kinds = [event.kind for event in timeline.events]
    outcome.delivered = {"events": len(kinds), "uforegrad": timeline.current_uforegrad}
    story.say(
        f"NAV timeline: {kinds.count('aap-vedtak') + kinds.count('aap-vedtak-annullert')} AAP decision(s), "
        f"{kinds.count('meldekort')} meldekort ({timeline.hours_worked} hours worked), "
        f"uføregrad now {timeline.current_uforegrad if timeline.current_uforegrad is not None else '–'}"
    )
    return outcome


async def _krav(story: _Story, data: SourceData, subject: str | None, population: Population) -> ConsentOutcome:
    holders = {c.orgnr: [r.person_id for r in c.roles] for c in population.companies if c.roles}
    orgnr = subject or _first(
        data.organisations, lambda org: bool(org.krav and holders.get(org.orgnr)), "tax claims and a role holder"
    )
    if not holders.get(orgnr):
        raise SamtykkeError(f"organisation {orgnr} has nobody in the Enhetsregister who may consent for it")
    representative = holders[orgnr][0]
    bank = story.side.bank
    outcome = ConsentOutcome("krav", orgnr)
    client = story.client(bank)
    name = data.organisations[orgnr].name if orgnr in data.organisations else orgnr
    story.console.print(Rule(f"9. Samtykke: {name} ser krav og betalinger i {bank.name}s bedriftsnettbank"))
    consent = await business.request_krav_consent(client, orgnr, redirect_url=story.redirect(bank, "krav", orgnr))
    outcome.consent_id = consent.id
    person = story.person(representative)
    try:
        outcome.callback = await story.approve(person, consent.view_uri)
    finally:
        await person.browser.aclose()
    story.say(
        f"{representative} (synthetic, a role holder of {orgnr}) approves for the company; back at the bank: "
        f"[green]{escape(outcome.callback)}[/]"
    )
    try:
        overview = await business.claims_overview(client, orgnr, consent.ref)
    except SourceRefused as refused:
        outcome.refused = refused.code
        story.say(f"Skatteetaten: [red]{refused.status} {escape(refused.code)}[/] {escape(refused.message)}")
        return outcome
    totals = overview.totals
    outcome.delivered = {
        "claims": len(overview.claims),
        "balance": str(totals.balance),
        "consistent": overview.consistent,
    }
    story.say(
        f"{len(overview.claims)} open claim(s): overdue {_kr(totals.overdue)}, not due {_kr(totals.not_due)}, "
        f"balance {_kr(totals.balance)}" + ("" if overview.consistent else " (totals do not add up)")
    )
    return outcome


async def run_consent_story(
    running: Running, population: Population, console: Console, story: str, *, subject: str | None = None
) -> ConsentOutcome:
    """Tell one consent story (``CONSENT_STORIES``); ``subject``: the person (or company) instead of the tour's."""
    side = consent_side(running.topology)
    data = for_population(population)
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=30))
        teller = _Story(running, side, http, console)
        tellers: dict[str, Callable[[], Awaitable[ConsentOutcome]]] = {
            "lan": lambda: _lan(teller, data, subject),
            "studielan": lambda: _studielan(teller, data, subject),
            "forsikring": lambda: _forsikring(teller, data, subject),
            "krav": lambda: _krav(teller, data, subject, population),
        }
        return await tellers[story]()


__all__ = ["CONSENT_STORIES", "ConsentOutcome", "run_consent_story"]
