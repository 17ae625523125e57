"""``dsop relations`` — run the Customer Relations Overview, manage the API catalogue, load KFR/KAR rows.

* ``serve`` — the hub (settings from ``DSOP_RELATIONS_*``, see settings.py);
* ``catalogue add ORGNO NAME URL [--env test] [--version v2] [--valid-from D] [--valid-to D]`` and
  ``catalogue list [--env test]`` — straight against the configured database;
* ``kfr load FILE`` — CSV with a header ``organizationID,customerID,startDate[,endDate]``: every line
  is validated first, then all rows are loaded in one transaction (nothing on any error);
* ``kar load FILE`` — CSV ``customerID,organizationID,accountNumber,role,startDate,endDate,bankName,
  nicsReachable`` (the KAR feed of the stand-in).
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from opendsop.clock import oslo_today
from opendsop.relations.settings import RelationsSettings

app = typer.Typer(no_args_is_help=True, help="Customer Relations Overview (Bits): KAR, KFR and the API catalogue.")
catalogue_app = typer.Typer(no_args_is_help=True, help="The API catalogue of Control API base URLs.")
kfr_app = typer.Typer(no_args_is_help=True, help="KFR bulk loading.")
kar_app = typer.Typer(no_args_is_help=True, help="KAR bulk loading (stand-in).")
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(kfr_app, name="kfr")
app.add_typer(kar_app, name="kar")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (default DSOP_RELATIONS_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (default DSOP_RELATIONS_PORT).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=256, help="Processes serving on the one port.")] = 1,
) -> None:
    """Run the hub."""
    from opendsop.relations.app import create_app
    from opendsop.server import Factory, run
    from opendsop.serving import configure_logging

    configure_logging()
    settings = RelationsSettings()
    run(
        Factory(create_app, settings) if workers > 1 else create_app(settings),
        workers=workers,
        host=host or settings.host,
        port=port or settings.port,
    )


def _date(value: str | None, what: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{what} must be a date YYYY-MM-DD, got {value!r}") from None


async def _with_db(action: Callable[[Any], Awaitable[Any]]) -> Any:
    from opendsop.relations.store import Database

    db = Database.from_url(RelationsSettings().database_url)
    try:
        await db.create_schema()
        return await action(db)
    finally:
        await db.close()


@catalogue_app.command("add")
def catalogue_add(
    orgno: Annotated[str, typer.Argument(help="The institution's organisation number.")],
    name: Annotated[str, typer.Argument(help="The institution's name.")],
    url: Annotated[str, typer.Argument(help="Base URL of its Control API.")],
    env: Annotated[str, typer.Option(help="test or production.")] = "test",
    version: Annotated[str, typer.Option(help="Major version, e.g. v2.")] = "v2",
    valid_from: Annotated[str | None, typer.Option(help="First day of validity (default today).")] = None,
    valid_to: Annotated[str | None, typer.Option(help="Last day of validity (default open).")] = None,
) -> None:
    """Register (or replace) an institution's endpoint."""
    from opendsop.contracts.catalogue import CatalogueEntry, InvalidEntry
    from opendsop.relations.catalogue import CatalogueStore

    try:
        entry = CatalogueEntry(
            org_no=orgno,
            name=name,
            url=url,
            env=env,
            version=version,
            valid_from=_date(valid_from, "--valid-from") or oslo_today(),
            valid_to=_date(valid_to, "--valid-to"),
        )
    except InvalidEntry as error:
        raise typer.BadParameter(str(error)) from None
    created = asyncio.run(_with_db(lambda db: CatalogueStore(db).put(entry)))
    typer.echo(f"{'Registered' if created else 'Replaced'} {orgno} {env} {version}: {url}")


@catalogue_app.command("list")
def catalogue_list(env: Annotated[str | None, typer.Option(help="test or production (default both).")] = None) -> None:
    """Print the catalogue."""
    from opendsop.relations.catalogue import CatalogueStore

    for entry in asyncio.run(_with_db(lambda db: CatalogueStore(db).list(env))):
        until = entry.valid_to.isoformat() if entry.valid_to else "open"
        typer.echo(
            f"{entry.org_no}  {entry.env:<10} {entry.version:<4} {entry.valid_from}..{until}  {entry.url}  {entry.name}"
        )


def _rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in required if column not in (reader.fieldnames or ())]
        if missing:
            raise typer.BadParameter(f"{path} lacks the column(s) {', '.join(missing)}")
        return list(reader)


@kfr_app.command("load")
def kfr_load(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV file.")]) -> None:
    """Load KFR relations from FILE (all or nothing)."""
    from opendsop.relations.kfr import KfrRow, load_kfr_relations
    from opendsop.standard.errors import DsopError
    from opendsop.standard.identifiers import validate_orgnr, validate_party_id

    synthetic = RelationsSettings().environment.value == "test"
    rows, problems = [], []
    for line, item in enumerate(_rows(file, ("organizationID", "customerID", "startDate")), start=2):
        try:
            org = validate_orgnr(item["organizationID"].strip(), synthetic_allowed=synthetic)
            customer = validate_party_id(item["customerID"].strip(), synthetic_allowed=synthetic).value
            start = date.fromisoformat(item["startDate"].strip())
            end_text = (item.get("endDate") or "").strip()
            end = date.fromisoformat(end_text) if end_text else None
            if end is not None and end < start:
                raise ValueError(f"endDate {end} is before startDate {start}")
        except (DsopError, ValueError) as error:
            problems.append(f"line {line}: {error}")
            continue
        rows.append(KfrRow(org_no=org, customer_id=customer, start=start, end=end))
    if problems:
        for problem in problems[:50]:
            typer.echo(problem, err=True)
        typer.echo(f"{len(problems)} bad line(s); nothing was loaded", err=True)
        raise typer.Exit(1)
    added = asyncio.run(_with_db(lambda db: load_kfr_relations(db, rows)))
    typer.echo(f"Loaded {added} KFR relation(s) ({len(rows) - added} already present)")


@kar_app.command("load")
def kar_load(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV file.")]) -> None:
    """Load KAR account-level relations from FILE (all or nothing)."""
    from opendsop.relations.kar import KarRow, load_kar_relations
    from opendsop.relations.sources import Role

    rows, problems = [], []
    for line, item in enumerate(
        _rows(file, ("customerID", "organizationID", "accountNumber", "role", "startDate")), start=2
    ):
        try:
            end_text = (item.get("endDate") or "").strip()
            rows.append(
                KarRow(
                    customer_id=item["customerID"].strip(),
                    org_no=item["organizationID"].strip(),
                    account_no=item["accountNumber"].strip(),
                    role=Role(item["role"].strip()),
                    start=date.fromisoformat(item["startDate"].strip()),
                    end=date.fromisoformat(end_text) if end_text else None,
                    bank_name=(item.get("bankName") or "").strip() or None,
                    nics_reachable=(item.get("nicsReachable") or "true").strip().lower() != "false",
                )
            )
        except ValueError as error:
            problems.append(f"line {line}: {error}")
    if problems:
        for problem in problems[:50]:
            typer.echo(problem, err=True)
        typer.echo(f"{len(problems)} bad line(s); nothing was loaded", err=True)
        raise typer.Exit(1)
    loaded = asyncio.run(_with_db(lambda db: load_kar_relations(db, rows)))
    typer.echo(f"Loaded {loaded} KAR relation(s)")


__all__ = ["app"]
