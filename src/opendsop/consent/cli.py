"""``dsop consent …``: run the consent service and look at its consents.

The database URL comes from ``ConsentSettings`` (``DSOP_CONSENT_DATABASE_URL``) unless
``--database-url`` is given; every command creates the schema if it is missing.  ``list`` and
``show`` print person numbers masked (``redact``), as the logs do.

Client registrations (``registry``)::

    dsop consent delegation add <to orgnr> <supplier orgnr>    # the bank lets the supplier send handledBy
    dsop consent delegation remove <to> <supplier> | list
    dsop consent redirect add <orgnr> https://bank.example/samtykke/    # allowed redirectUrl prefix
    dsop consent redirect remove <orgnr> <url> | list [--org <orgnr>]
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
from opendsop.consent.requests import rfc3339
from opendsop.consent.settings import ConsentSettings
from opendsop.serving import configure_logging, create_engine, redact
from opendsop.standard.errors import InvalidIdentifier
from opendsop.standard.identifiers import validate_orgnr

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported by the commands that use it (fast --help)
    from opendsop.consent.registry import Registry
    from opendsop.consent.store import ConsentStore

T = TypeVar("T")


def settings_error(exc: ValidationError) -> str:
    """The first fault of the settings as one line that names the environment variable."""
    error = exc.errors()[0]
    message = str(error["msg"]).removeprefix("Value error, ")
    where = "_".join(str(part) for part in error["loc"]).upper()
    return f"DSOP_CONSENT_{where}: {message}" if where else message


app = typer.Typer(no_args_is_help=True, help="The consent broker (Altinn-style consent requests).")
delegation_app = typer.Typer(no_args_is_help=True, help="Which supplier may send requests for which organisation.")
redirect_app = typer.Typer(no_args_is_help=True, help="The redirectUrl prefixes each organisation registered.")
app.add_typer(delegation_app, name="delegation")
app.add_typer(redirect_app, name="redirect")


class _State:
    database_url: str | None = None


_state = _State()


@app.callback()
def main(
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy async URL; default DSOP_CONSENT_DATABASE_URL.")
    ] = None,
) -> None:
    _state.database_url = database_url


def _settings() -> ConsentSettings:
    try:
        settings = ConsentSettings()
    except ValidationError as exc:  # one line naming the setting, not pydantic's report
        typer.echo(f"error: {settings_error(exc)}", err=True)
        raise typer.Exit(code=2) from None
    if _state.database_url:
        return settings.model_copy(update={"database_url": _state.database_url})
    return settings


def _with_store(work: Callable[[ConsentStore], Awaitable[T]]) -> T:
    from opendsop.consent.store import ConsentStore

    async def run() -> T:
        store = ConsentStore(create_engine(_settings().database_url))
        try:
            await store.create_schema()
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(run())


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default from settings).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=256, help="Processes serving on the one port.")] = 1,
) -> None:
    """Run the consent service with uvicorn."""
    from opendsop.consent.app import create_app
    from opendsop.server import Factory, run

    settings = _settings()
    configure_logging()
    run(
        Factory(create_app, settings) if workers > 1 else create_app(settings),
        workers=workers,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
    )


@app.command("list")
def list_consents(
    org: Annotated[str | None, typer.Option("--org", help="Only consents to (or handled by) this orgnr.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
) -> None:
    """List consent requests with their status."""
    now = utc_now()
    records = _with_store(lambda store: store.list_records(org=org, limit=limit))
    table = Table(title="Consent requests")
    for column in ("id", "from", "to", "resources", "validTo", "status"):
        table.add_column(column)
    for record in records:
        request = record.request
        table.add_row(
            record.id,
            redact(request.from_party.urn),
            request.to_org,
            ", ".join(r.resource for r in request.rights),
            rfc3339(request.valid_to),
            record.status_at(now).value,
        )
    Console().print(table)


@app.command()
def show(consent_id: Annotated[str, typer.Argument(help="The consent id.")]) -> None:
    """Print one consent request as JSON, with its events."""
    now = utc_now()

    async def load(store: ConsentStore) -> tuple[Any, Any]:
        return await store.get(consent_id), await store.events(consent_id=consent_id, limit=1000)

    record, events = _with_store(load)
    if record is None:
        typer.echo(f"error: consent {consent_id} does not exist", err=True)
        raise typer.Exit(code=1)
    body = record.wire(now)
    body["events"] = [{"sequence": e.seq, "status": e.status.value, "at": rfc3339(e.at)} for e in events]
    typer.echo(redact(json.dumps(body, indent=2, ensure_ascii=False)))


def _orgnr(value: str) -> str:
    try:
        return validate_orgnr(value.strip(), synthetic_allowed=_settings().test_mode)
    except InvalidIdentifier as exc:
        typer.echo(f"error: {value!r} is not an organisation number: {exc.message}", err=True)
        raise typer.Exit(code=2) from None


def _with_registry(work: Callable[[Registry], Awaitable[T]]) -> T:
    from opendsop.consent.registry import Registry

    return _with_store(lambda store: work(Registry(store.engine)))


@delegation_app.command("add")
def delegation_add(
    to_org: Annotated[str, typer.Argument(help="The organisation consents are given to (to).")],
    supplier: Annotated[str, typer.Argument(help="The supplier that may send its requests (handledBy).")],
) -> None:
    """Register that TO_ORG delegates consent requests to SUPPLIER."""
    to_org, supplier = _orgnr(to_org), _orgnr(supplier)
    added = _with_registry(lambda registry: registry.add_delegation(to_org, supplier, now=utc_now()))
    typer.echo(f"{supplier} may handle consent requests for {to_org}" + ("" if added else " (already registered)"))


@delegation_app.command("remove")
def delegation_remove(to_org: Annotated[str, typer.Argument()], supplier: Annotated[str, typer.Argument()]) -> None:
    """Withdraw a delegation; the supplier can no longer create, read or follow the organisation's requests."""
    to_org, supplier = _orgnr(to_org), _orgnr(supplier)
    if not _with_registry(lambda registry: registry.remove_delegation(to_org, supplier)):
        typer.echo(f"error: {to_org} has no delegation to {supplier}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"{supplier} no longer handles consent requests for {to_org}")


@delegation_app.command("list")
def delegation_list() -> None:
    """Print every delegation: to, supplier, since."""
    for item in _with_registry(lambda registry: registry.delegations()):
        typer.echo(f"{item.to_org}\t{item.supplier_org}\t{rfc3339(item.created)}")


@redirect_app.command("add")
def redirect_add(
    org: Annotated[str, typer.Argument(help="The organisation (to, or a delegated handledBy supplier).")],
    url: Annotated[str, typer.Argument(help="An https origin or origin + path prefix it owns.")],
) -> None:
    """Allow ORG's consent requests to send the person back to URLs under URL."""
    org = _orgnr(org)
    try:
        loopback = _settings().test_mode  # a local consumer's http page on 127.0.0.1: test mode only
        prefix = _with_registry(
            lambda registry: registry.add_redirect(org, url, now=utc_now(), loopback_allowed=loopback)
        )
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    typer.echo(f"{org} may redirect to {prefix}…")


@redirect_app.command("remove")
def redirect_remove(org: Annotated[str, typer.Argument()], url: Annotated[str, typer.Argument()]) -> None:
    """Withdraw a redirect registration."""
    org = _orgnr(org)
    try:
        removed = _with_registry(lambda registry: registry.remove_redirect(org, url))
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    if not removed:
        typer.echo(f"error: {org} has not registered {url}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"{org} may no longer redirect to {url}")


@redirect_app.command("list")
def redirect_list(org: Annotated[str | None, typer.Option("--org", help="Only this organisation.")] = None) -> None:
    """Print every redirect registration: organisation, prefix."""
    for owner, prefix in _with_registry(lambda registry: registry.redirects(org)):
        typer.echo(f"{owner}\t{prefix}")


__all__ = ["app"]
