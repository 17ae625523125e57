"""``dsop samtykke …`` — the consumer side from a terminal, against the configured URLs (``settings``).

::

    loan request FNR [--guarantor] [--months 12]     create an SBL consent request; print id and URL
    loan fetch CONSENT_ID [--guarantor] [--json]     pull income + tax base; print the credit summary
    studielan FNR [--request] [--present ID]         ask for / show the student-loan balance
    insurance request FNR                            create an SSU consent request
    insurance timeline FNR --consent-id ID           NAV decisions, meldekort, uføre as one timeline
    business request ORGNR                           create a K&B consent request
    business claims ORGNR --consent-id ID            open claims and totals

Without ``DSOP_SAMTYKKE_ORG``, next to a local ecosystem (``var/ecosystem.toml`` or ``DSOP_ECOSYSTEM``)
the commands act as its bank, against its consent service and sources, sending the person back to
the bank's callback page.  Errors (refused consent, token, source code such as IM-010) print one line
and exit 1.  Output
shows person numbers in full: it is the bank officer's own case, not a log.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from opendsop.clock import utc_now

if TYPE_CHECKING:  # imported by the commands that use them (HTTP clients), so that --help stays fast
    import httpx

    from opendsop.samtykke import loan
    from opendsop.samtykke.client import SamtykkeClient
    from opendsop.samtykke.settings import SamtykkeSettings

T = TypeVar("T")
app = typer.Typer(no_args_is_help=True, help="Consent-based data for banks and insurers (SBL, studielån, SSU, K&B).")
loan_app = typer.Typer(no_args_is_help=True, help="SBL: consent-based loan application.")
insurance_app = typer.Typer(no_args_is_help=True, help="SSU: NAV data for an insurance claim.")
business_app = typer.Typer(no_args_is_help=True, help="FI-K&B: the business's claims and payments.")
app.add_typer(loan_app, name="loan")
app.add_typer(insurance_app, name="insurance")
app.add_typer(business_app, name="business")
console = Console()


def make_http() -> httpx.AsyncClient:
    """The HTTP client of every command (tests replace this factory)."""
    import httpx

    return httpx.AsyncClient(timeout=httpx.Timeout(10.0), follow_redirects=False)


# Where the settings come from when DSOP_SAMTYKKE_ORG is unset: `dsop` points this at the local ecosystem's
# bank (``opendsop.ecosystem.consent_side.local_samtykke_settings``); None: the environment only.
def _environment_only() -> SamtykkeSettings | None:
    return None


local_settings: Callable[[], SamtykkeSettings | None] = _environment_only


def _settings() -> SamtykkeSettings:
    from opendsop.samtykke.client import SamtykkeError
    from opendsop.samtykke.settings import SamtykkeSettings

    try:
        return local_settings() or SamtykkeSettings()
    except SamtykkeError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    except ValidationError as exc:
        messages = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise typer.BadParameter(messages) from exc


def _run(job: Callable[[SamtykkeClient, SamtykkeSettings], Awaitable[T]]) -> T:
    import httpx

    from opendsop.samtykke.client import SamtykkeError

    settings = _settings()

    async def main() -> T:
        from opendsop.samtykke.client import SamtykkeClient

        async with make_http() as http:
            client = SamtykkeClient(settings.identity(), settings.endpoints(), http, clock=utc_now)
            return await job(client, settings)

    try:
        return asyncio.run(main())
    except SamtykkeError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    except httpx.HTTPError as exc:
        typer.echo(f"error: could not reach a service: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(1) from None


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _created(consent_id: str, view_uri: str) -> None:
    typer.echo(f"consent id: {consent_id}")
    typer.echo(f"send the person to: {view_uri}")


JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@loan_app.command("request")
def loan_request(
    fnr: Annotated[str, typer.Argument(help="The applicant's (or guarantor's) fødselsnummer.")],
    guarantor: Annotated[bool, typer.Option(help="Ask a guarantor (kausjonist), with the guarantor text.")] = False,
    months: Annotated[int, typer.Option(min=1, max=36, help="Complete income months to ask for.")] = 12,
) -> None:
    """Create the SBL consent request (latest tax year + the last complete months)."""

    async def job(client: SamtykkeClient, settings: SamtykkeSettings) -> loan.LoanConsent:
        from opendsop.samtykke import loan

        return await loan.request_loan_consent(
            client,
            fnr,
            redirect_url=settings.redirect_url,
            months=months,
            role="guarantor" if guarantor else "applicant",
            bank_name=settings.bank_name,
        )

    consent = _run(job)
    typer.echo(f"income {consent.fra_og_med}‥{consent.til_og_med}, tax year {consent.inntektsaar}")
    _created(consent.id, consent.view_uri)


@loan_app.command("fetch")
def loan_fetch(
    consent_id: Annotated[str, typer.Argument(help="The accepted SBL consent.")],
    guarantor: Annotated[bool, typer.Option(help="The consent is a guarantor's.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Pull income and tax base with the consent; print the credit-assessment summary."""

    async def job(client: SamtykkeClient, _: SamtykkeSettings) -> loan.CreditSummary:
        from opendsop.samtykke import loan

        consent = await loan.loan_consent(client, consent_id, "guarantor" if guarantor else "applicant")
        return await loan.loan_summary(client, consent)

    summary = _run(job)
    if as_json:
        _print_json(summary.as_dict())
        return
    table = Table(title=f"Income {summary.period[0]}‥{summary.period[1]} ({summary.role})")
    for column in ("month", "total", "employers"):
        table.add_column(column)
    for month in summary.income.months:
        table.add_row(month.month, str(month.total), ", ".join(month.employers))
    console.print(table)
    console.print(f"median {summary.income.median}  last 3 {summary.income.mean_last_3}  trend {summary.income.trend}")
    if summary.tax:
        tax = summary.tax
        console.print(
            f"tax year {tax.inntektsaar}: alminnelig inntekt {tax.alminnelig_inntekt}, formue {tax.formue}, "
            f"gjeld {tax.gjeld}, netto formue {tax.netto_formue}"
        )
    for flag in summary.flags:
        console.print(f"[bold]{flag.code}[/bold] {flag.message}")


@app.command("studielan")
def studielan_command(
    fnr: Annotated[str, typer.Argument(help="The customer's fødselsnummer.")],
    request: Annotated[bool, typer.Option("--request", help="Create the one-year consent request.")] = False,
    present: Annotated[str | None, typer.Option(help="Consent id to present (first call after approval).")] = None,
    as_json: JsonOption = False,
) -> None:
    """The net bank's student-loan widget: ask for consent, or show the balance (nothing is stored)."""
    from opendsop.samtykke import studielan
    from opendsop.samtykke.client import ConsentRef, person_urn

    if request:
        created = _run(
            lambda client, settings: studielan.request_studielan_consent(
                client, fnr, redirect_url=settings.redirect_url
            )
        )
        _created(created.id, created.view_uri)
        return
    ref = ConsentRef(present, person_urn(fnr)) if present else None
    widget = _run(lambda client, _: studielan.fetch_widget(client, fnr, present=ref))
    if widget is None:
        typer.echo("no student loan at Lånekassen")
    elif as_json:
        _print_json(widget.as_dict())
    else:
        for part in widget.parts:
            typer.echo(f"{part.name:<14}{part.amount:>14} {widget.currency}")
        typer.echo(f"{'Totalt':<14}{widget.total:>14} {widget.currency}   (kilde: {widget.source})")


@insurance_app.command("request")
def insurance_request(fnr: Annotated[str, typer.Argument(help="The insured person's fødselsnummer.")]) -> None:
    """Create the SSU consent request (up to three years)."""
    from opendsop.samtykke import insurance

    created = _run(
        lambda client, settings: insurance.request_ssu_consent(client, fnr, redirect_url=settings.redirect_url)
    )
    _created(created.id, created.view_uri)


@insurance_app.command("timeline")
def insurance_timeline(
    fnr: Annotated[str, typer.Argument(help="The insured person's fødselsnummer.")],
    consent_id: Annotated[str, typer.Option(help="The accepted SSU consent.")],
    as_json: JsonOption = False,
) -> None:
    """NAV AAP decisions, meldekort and uføre decisions as one dated timeline."""
    from opendsop.samtykke import insurance
    from opendsop.samtykke.client import ConsentRef, person_urn

    timeline = _run(lambda client, _: insurance.nav_timeline(client, fnr, ConsentRef(consent_id, person_urn(fnr))))
    if as_json:
        _print_json(timeline.as_dict())
        return
    table = Table(title=f"NAV timeline (hours worked {timeline.hours_worked}, uføregrad {timeline.current_uforegrad})")
    for column in ("from", "to", "kind", "reference", "what"):
        table.add_column(column)
    for event in timeline.events:
        table.add_row(
            event.start.isoformat(), event.end.isoformat() if event.end else "", event.kind, event.reference, event.text
        )
    console.print(table)


@business_app.command("request")
def business_request(orgnr: Annotated[str, typer.Argument(help="The business's organisation number.")]) -> None:
    """Create the K&B consent request (up to 90 days); a representative answers it."""
    from opendsop.samtykke import business

    created = _run(
        lambda client, settings: business.request_krav_consent(client, orgnr, redirect_url=settings.redirect_url)
    )
    _created(created.id, created.view_uri)


@business_app.command("claims")
def business_claims(
    orgnr: Annotated[str, typer.Argument(help="The business's organisation number.")],
    consent_id: Annotated[str, typer.Option(help="The accepted K&B consent.")],
    as_json: JsonOption = False,
) -> None:
    """Open claims and totals (Skatteetaten's ``totalOversikt``)."""
    from opendsop.samtykke import business
    from opendsop.samtykke.client import ConsentRef, organisation_urn

    overview = _run(
        lambda client, _: business.claims_overview(client, orgnr, ConsentRef(consent_id, organisation_urn(orgnr)))
    )
    if as_json:
        _print_json(overview.as_dict())
        return
    table = Table(title=f"Open claims of {overview.orgnr}")
    for column in ("due", "claim", "group", "remaining", "interest", "overdue"):
        table.add_column(column)
    for claim in overview.claims:
        table.add_row(
            claim.due.isoformat() if claim.due else "",
            claim.description,
            claim.group,
            str(claim.remaining),
            str(claim.interest),
            "yes" if claim.overdue else "",
        )
    console.print(table)
    totals = overview.totals
    console.print(
        f"overdue {totals.overdue}  not due {totals.not_due}  interest {totals.interest}  "
        f"unplaced {totals.unplaced}  saldo {totals.balance}"
    )
    if not overview.consistent:
        console.print("[bold]warning[/bold]: the rows do not add up to Skatteetaten's totals")


__all__ = ["app", "make_http"]
