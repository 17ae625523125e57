"""``dsop demo`` until the ecosystem exists: the rules core deciding real-shaped requests.

For every DSOP service it builds a valid request (synthetic Tenor identities, the real mandates
and consumer organisation numbers) and a few documented violations, asks ``authorize`` for the
decision and prints it; then it shows what ``filter_response`` withholds per service on the same
1000-transaction page.  Nothing is mocked: these are the decisions a bank would take.

Then the consent story of SBL (DSOP SBL “Om tjenesten”, ``ecosystem.sbl_tour``): every consent party runs
in this process — consent service, token service, Skatteetaten — and a synthetic person approves,
the bank pulls income and tax base, the person revokes, and the next pull is refused (IM-010/SSG-010).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta
from random import Random
from typing import Any

from rich.console import Console
from rich.table import Table

from opendsop.clock import oslo_now
from opendsop.ecosystem.sbl_tour import consent_tour
from opendsop.standard import (
    ControlRequest,
    Endpoint,
    Environment,
    Facts,
    Guardianship,
    all_profiles,
    authorize,
    filter_response,
    wire,
)
from opendsop.standard import mandate as mandates
from opendsop.standard.decision import Allowed
from opendsop.standard.examples import transactions_page
from opendsop.standard.extradition import EXAMPLE_CLAIMS, parse_claims
from opendsop.standard.identifiers import generate_dnummer, generate_fodselsnummer, generate_orgnr
from opendsop.standard.period import last_calendar_year, months_before, years_before

Scenario = tuple[str, ControlRequest, Facts, Environment]


def _request(endpoint: Endpoint, consumer: str, legal: mandates.Mandate, **fields: Any) -> ControlRequest:
    return ControlRequest(
        endpoint=endpoint,
        consumer_org=consumer,
        legal_mandate=legal.encoded,
        account_info_request_id=str(uuid.uuid4()),
        correlation_id=str(uuid.uuid4()),
        **fields,
    )


def scenarios(today: date, now: datetime, rng: Random) -> list[Scenario]:
    person = generate_fodselsnummer(rng, date(1961, 4, 12), synthetic=True)
    ward = generate_fodselsnummer(rng, date(1948, 9, 3), synthetic=True)
    guardian = generate_dnummer(rng, date(1975, 1, 30), synthetic=True)
    company = generate_orgnr(rng, synthetic=True)
    test = Environment.TEST
    iso = date.isoformat
    year = last_calendar_year(today)
    death = today - timedelta(days=40)
    ruling = today - timedelta(days=20)
    order_claims = {
        **EXAMPLE_CLAIMS,
        "partyID": person,
        "fromDate": iso(years_before(today, 2)),
        "toDate": iso(today),
        "approval": {
            **EXAMPLE_CLAIMS["approval"],  # type: ignore[dict-item]
            "approvalTimestamp": (now - timedelta(days=1)).isoformat(),
        },
        "exp": int((now + timedelta(days=60)).timestamp()),
    }
    order = parse_claims(order_claims)
    skatt = _request(
        Endpoint.ACCOUNTS,
        "974761076",
        mandates.SKATT,
        party_id=person,
        only_primary_owner="true",
        requester_id="saksbehandler-17",
        from_date=iso(years_before(today, 3)),
        to_date=iso(today),
    )
    politi = _request(
        Endpoint.TRANSACTIONS,
        "915429785",
        mandates.POLITI_STRAFFESAK,
        requester_id="etterforsker-9",
        additional_reference_id_type="pol1",
        additional_reference_id="<signed order JWS>",
        from_date=iso(years_before(today, 1)),
        to_date=iso(today),
    )
    konkurs = _request(
        Endpoint.ACCOUNTS,
        "974760673",
        mandates.KONKURS,
        party_id=company,
        only_primary_owner="true",
        from_date=iso(months_before(ruling, 12)),
        to_date=iso(today),
    )
    oed = _request(
        Endpoint.TRANSACTIONS, "974720760", mandates.OED, from_date=iso(months_before(death, 3)), to_date=iso(today)
    )
    verge = _request(
        Endpoint.ACCOUNTS,
        "986186999",
        mandates.VERGE,
        party_id=ward,
        only_primary_owner="true",
        additional_reference_id_type="srf",
        additional_reference_id=guardian,
        from_date=iso(year.from_date),
        to_date=iso(year.to_date),
    )
    nav = _request(Endpoint.ROLES, "889640782", mandates.NAV, from_date=iso(years_before(today, 1)), to_date=iso(today))
    utlegg = _request(Endpoint.ACCOUNT_DETAILS, "974761076", mandates.FI_UTLEGG_TEST)
    guardianship = Guardianship(ward=ward, guardian=guardian, valid_from=date(year.from_date.year, 3, 1))
    return [
        ("Skatt: accounts of a control object", skatt, Facts(), test),
        ("Skatt: no RequesterID", replace(skatt, requester_id=None), Facts(), test),
        ("Skatt: 11 years back", replace(skatt, from_date=iso(years_before(today, 11))), Facts(), test),
        ("Skatt: synthetic id in production", skatt, Facts(), Environment.PRODUCTION),
        ("Politi: transactions under an order", politi, Facts(party_id=person, extradition_order=order), test),
        (
            "Politi: cards, not granted by the order",
            replace(politi, endpoint=Endpoint.CARDS),
            Facts(party_id=person, extradition_order=order),
            test,
        ),
        ("Konkurs: the debtor's accounts", konkurs, Facts(kjennelsesdato=ruling), test),
        ("Konkurs: no bankruptcy registered", konkurs, Facts(), test),
        (
            "Konkurs: roles are not allowed",
            replace(konkurs, endpoint=Endpoint.ROLES),
            Facts(kjennelsesdato=ruling),
            test,
        ),
        ("OED: the deceased's transactions", oed, Facts(party_id=person, date_of_death=death), test),
        ("OED: person not registered dead", oed, Facts(party_id=person), test),
        ("Verge: the ward's accounts", verge, Facts(guardianships=(guardianship,)), test),
        (
            "Verge: another guardian",
            replace(verge, additional_reference_id=person),
            Facts(guardianships=(guardianship,)),
            test,
        ),
        ("NAV (provisional): roles", nav, Facts(party_id=person), test),
        ("FI-Utlegg: balance today (test mandate)", utlegg, Facts(party_id=person), test),
        ("FI-Utlegg: test mandate in production", utlegg, Facts(party_id=person), Environment.PRODUCTION),
        ("Unknown mandate", replace(skatt, legal_mandate="Lov%20om%20ingenting"), Facts(), test),
        ("Konkurs mandate from Skatteetaten", replace(skatt, legal_mandate=mandates.KONKURS.encoded), Facts(), test),
    ]


def run(today: date | None = None) -> None:
    console = Console()
    now = oslo_now()
    today = today or now.date()
    console.rule("[bold]opendsop — the DSOP rules core deciding real-shaped requests")
    console.print(f"Today is {today}. Identities are synthetic (Tenor, month + 80); nothing leaves this process.\n")
    table = Table(show_lines=False)
    for column in ("scenario", "endpoint", "decision", "detail"):
        table.add_column(column)
    for title, request, facts, environment in scenarios(today, now, Random(2026)):
        decision = authorize(request, facts, today, environment=environment, now=now)
        if isinstance(decision, Allowed):
            period = decision.period
            detail = f"{decision.service} · {period.from_date} → {period.to_date}"
            table.add_row(title, request.endpoint.operation_id, "[green]allowed", detail)
        else:
            table.add_row(
                title, request.endpoint.operation_id, f"[red]{decision.status} {decision.code}", decision.message
            )
    console.print(table)

    page = transactions_page(Random(1), today, count=1000)
    full = len(wire.encode(page))
    filtering = Table(title="filter_response on one 1000-transaction page")
    for column in ("service", "bytes delivered", "withheld"):
        filtering.add_column(column)
    for profile in all_profiles():
        if not profile.allows(Endpoint.TRANSACTIONS):
            filtering.add_row(profile.name, "—", "Transactions not allowed (400 ACC-001)")
            continue
        delivered = len(wire.encode(filter_response(profile, Endpoint.TRANSACTIONS, page)))
        withheld = sorted(profile.delivery.withheld(Endpoint.TRANSACTIONS))
        filtering.add_row(profile.name, f"{delivered:,} of {full:,}", ", ".join(withheld) or "nothing")
    console.print(filtering)

    console.rule("[bold]Samtykke: lånesøknad (SBL)")
    # The story's clock starts at the demo's day and moves by hand (expiry, revocation) from there.
    asyncio.run(consent_tour(console, now=datetime.combine(today, now.timetz())))
    console.print("\nRun [bold]make test[/bold] for the rules as tests, one row per documented rule.")


__all__ = ["run", "scenarios"]
