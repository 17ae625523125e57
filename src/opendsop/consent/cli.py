"""``dsop consent …``: run the consent service and look at its consents.

The database URL comes from ``ConsentSettings`` (``DSOP_CONSENT_DATABASE_URL``) unless
``--database-url`` is given; every command creates the schema if it is missing.  ``list`` and
``show`` print person numbers masked (``redact``), as the logs do.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from opendsop.consent.requests import rfc3339
from opendsop.consent.settings import ConsentSettings
from opendsop.consent.store import ConsentStore
from opendsop.serving import configure_logging, create_engine, redact

T = TypeVar("T")

app = typer.Typer(no_args_is_help=True, help="The consent broker (Altinn-style consent requests).")


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
    settings = ConsentSettings()
    if _state.database_url:
        return settings.model_copy(update={"database_url": _state.database_url})
    return settings


def _with_store(work: Callable[[ConsentStore], Awaitable[T]]) -> T:
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
) -> None:
    """Run the consent service with uvicorn."""
    import uvicorn

    from opendsop.consent.app import create_app

    settings = _settings()
    configure_logging()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port, log_config=None)


@app.command("list")
def list_consents(
    org: Annotated[str | None, typer.Option("--org", help="Only consents to (or handled by) this orgnr.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
) -> None:
    """List consent requests with their status."""
    now = datetime.now(UTC)
    records = _with_store(lambda store: store.list_records(org=org, limit=limit))
    table = Table(title="Consent requests")
    for column in ("id", "from", "to", "resources", "validTo", "status"):
        table.add_column(column)
    for record in records:
        request = record.request
        table.add_row(record.id, redact(request.from_party.urn), request.to_org,
                      ", ".join(r.resource for r in request.rights), rfc3339(request.valid_to),
                      record.status_at(now).value)
    Console().print(table)


@app.command()
def show(consent_id: Annotated[str, typer.Argument(help="The consent id.")]) -> None:
    """Print one consent request as JSON, with its events."""
    now = datetime.now(UTC)

    async def load(store: ConsentStore) -> tuple[Any, Any]:
        return await store.get(consent_id), await store.events(consent_id=consent_id, limit=1000)

    record, events = _with_store(load)
    if record is None:
        typer.echo(f"error: consent {consent_id} does not exist", err=True)
        raise typer.Exit(code=1)
    body = record.wire(now)
    body["events"] = [{"sequence": e.seq, "status": e.status.value, "at": rfc3339(e.at)} for e in events]
    typer.echo(redact(json.dumps(body, indent=2, ensure_ascii=False)))


__all__ = ["app"]
