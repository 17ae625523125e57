"""``dsop otp sync``: a pension institution's monthly Ajourhold av OTP run for one employer customer.

``build_app(settings_for)`` takes how to find the institution's settings (``DSOP_PENSION_*``, or the local
ecosystem's institution), so ``--help`` loads no HTTP client, store or web framework.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from opendsop.cli_errors import Interrupted
from opendsop.clock import oslo_today
from opendsop.standard.values import Month, parse_month

if TYPE_CHECKING:
    from rich.console import Console

    from opendsop.pension.settings import PensionSettings
    from opendsop.pension.sync import SyncReport

SettingsFor = Callable[[str], "PensionSettings"]


def _month(value: str) -> Month:
    return parse_month(value, parameter="--from")  # a DsopError: one line naming the option


async def run_sync(
    settings: PensionSettings,
    employer: str,
    first: Month,
    progress: Callable[[str, int, int], None] | None = None,
    *,
    last: Month | None = None,
) -> SyncReport:
    import httpx

    from opendsop.contracts.token_provider import GrantSigner, TokenProvider
    from opendsop.contracts.transport import HttpxTransport, poster
    from opendsop.pension import bransjenorm
    from opendsop.pension.client import OtpClient, PensionError
    from opendsop.pension.store import PensionStore
    from opendsop.pension.sync import sync
    from opendsop.serving import create_engine
    from opendsop.standard.identifiers import validate_orgnr
    from opendsop.trust.keys import key_from_pem

    employer = validate_orgnr(employer, synthetic_allowed=True)
    try:
        table = bransjenorm.load(settings.bransjenorm) if settings.bransjenorm else bransjenorm.DEFAULT_TABLE
    except ValueError as error:
        raise PensionError(f"{error} — fix the bransjenorm table or unset DSOP_PENSION_BRANSJENORM") from None
    key = key_from_pem(settings.grant_key.read_bytes(), kid=settings.client_id)
    limits = httpx.Limits(max_connections=settings.concurrency * 2, max_keepalive_connections=settings.concurrency * 2)
    store = PensionStore(create_engine(settings.database_url))
    try:
        await store.create_schema()
        async with httpx.AsyncClient(timeout=settings.timeout, limits=limits) as http:
            tokens = TokenProvider(
                GrantSigner(settings.client_id, settings.token_issuer, settings.token_endpoint, key),
                poster(HttpxTransport(http), timeout=settings.timeout),
            )
            client = OtpClient(
                http,
                tokens.get,
                skatteetaten_url=settings.skatteetaten_url,
                skatteetaten_audience=settings.skatteetaten_audience,
                nav_url=settings.nav_url,
                nav_audience=settings.nav_audience,
            )
            return await sync(
                client,
                store,
                table,
                institution=settings.orgno,
                employer=employer,
                first=first,
                last=last,
                today=oslo_today(),
                concurrency=settings.concurrency,
                progress=progress,
            )
    finally:
        await store.close()


def print_report(report: SyncReport, console: Console | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    months = Table(title=f"OTP {report.institution} ← employer {report.employer}")
    for column in ("month", "employees", "members", "pension base (NOK)", "changes", "note"):
        months.add_column(column, justify="right" if column not in ("month", "note") else "left")
    for m in report.months:
        note = "no avtaleforhold" if m.no_agreement else "done before" if m.skipped else "resumed" if m.resumed else ""
        if m.skjermet:
            note = (note + ", " if note else "") + "shielded persons left out"
        months.add_row(m.month, str(m.listed), str(m.members), f"{m.base:,.2f}", str(len(m.changes)), note)
    console.print(months)
    changed = [(m.month, c) for m in report.months for c in m.changes]
    if changed:
        table = Table(title="What changed since the last run")
        for column in ("month", "change", "person", "detail"):
            table.add_column(column)
        for month, change in changed[:200]:
            table.add_row(month, change.kind, change.person[:6] + "*****", change.detail)
        console.print(table)
        if len(changed) > 200:
            console.print(f"… and {len(changed) - 200} more (--export writes them all)")
    unknown = sorted({c for m in report.months for c in m.unknown_codes})
    if unknown:
        console.print(f"lønnsarter not in the bransjenorm table (left out of the base): {', '.join(unknown)}")


def export(report: SyncReport, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["month", "change", "personidentifikator", "detail"])
        for m in report.months:
            for change in m.changes:
                writer.writerow([m.month, change.kind, change.person, change.detail])


def build_app(settings_for: SettingsFor) -> typer.Typer:
    app = typer.Typer(help="A pension institution's Ajourhold av OTP.", no_args_is_help=True)

    @app.callback()
    def group() -> None:
        """A pension institution's Ajourhold av OTP (DSOP "Ajourhold av OTP")."""

    @app.command("sync")
    def sync_command(
        institution: Annotated[str, typer.Option(help="org.nr of the pension institution")],
        employer: Annotated[str, typer.Option(help="org.nr of the employer customer")],
        from_month: Annotated[str, typer.Option("--from", help="The first month, YYYY-MM")],
        to_month: Annotated[
            str | None, typer.Option("--to", help="The last month, YYYY-MM (default: the last complete one)")
        ] = None,
        export_to: Annotated[Path | None, typer.Option("--export", help="Write the changes as CSV")] = None,
    ) -> None:
        """Register the agreement, then sync each complete month from --from: employees, income, employments,
        pension base and membership changes (resumable: run it again after an interruption)."""
        first = _month(from_month)
        last = parse_month(to_month, parameter="--to") if to_month else None
        settings = settings_for(institution)
        try:
            report = asyncio.run(run_sync(settings, employer, first, last=last))
        except KeyboardInterrupt:
            raise Interrupted(
                "the months done are kept; carry on with `dsop otp sync "
                f"--institution {institution} --employer {employer} --from {from_month}`"
            ) from None
        print_report(report)
        if export_to is not None:
            export(report, export_to)

    @app.command("pages")
    def pages_command(
        institution: Annotated[str, typer.Option(help="org.nr of the pension institution")],
        host: Annotated[str, typer.Option(help="Where to listen")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port")] = 8097,
    ) -> None:
        """Serve the read-only page of the last syncs (GET /sync): months per employer, counts only."""
        from opendsop import server
        from opendsop.pension.web import create_app

        settings = settings_for(institution)
        server.run(create_app(database_url=settings.database_url, institution=settings.orgno), host=host, port=port)

    return app


__all__ = ["build_app", "export", "print_report", "run_sync"]
