"""``dsop authority …``: run the token service and manage its registry (clients, scopes, delegations, keys).

The database URL comes from ``AuthoritySettings`` (``DSOP_AUTHORITY_DATABASE_URL``, default
``sqlite+aiosqlite:///var/authority.db``) unless ``--database-url`` is given.  Every command
creates the schema if it is missing, so a fresh database needs no separate migration step.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from opendsop.authority.settings import AuthoritySettings
from opendsop.clock import utc_now

if TYPE_CHECKING:  # the store, its registry and the app are imported by the commands that use them (fast --help)
    from opendsop.authority.store import AuthorityStore

T = TypeVar("T")

app = typer.Typer(no_args_is_help=True, help="The token service (a local Maskinporten) and its registry.")
client_app = typer.Typer(no_args_is_help=True, help="Register and list clients.")
delegation_app = typer.Typer(no_args_is_help=True, help="Register delegations (consumer → supplier).")
scope_app = typer.Typer(no_args_is_help=True, help="Grant scopes to clients.")
app.add_typer(client_app, name="client")
app.add_typer(delegation_app, name="delegation")
app.add_typer(scope_app, name="scope")


class _State:
    database_url: str | None = None


_state = _State()


@app.callback()
def main(
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="SQLAlchemy async URL; default from DSOP_AUTHORITY_DATABASE_URL."),
    ] = None,
) -> None:
    _state.database_url = database_url


def _settings(**overrides: Any) -> AuthoritySettings:
    settings = AuthoritySettings()
    if _state.database_url:
        overrides["database_url"] = _state.database_url
    return settings.model_copy(update=overrides) if overrides else settings


def _with_store(settings: AuthoritySettings, work: Callable[[AuthorityStore], Awaitable[T]]) -> T:
    from opendsop.authority import clients as registration
    from opendsop.authority.store import AuthorityStore, StoreError
    from opendsop.serving import create_engine

    async def run() -> T:
        store = AuthorityStore(create_engine(settings.database_url))
        try:
            await store.create_schema()
            return await work(store)
        finally:
            await store.close()

    try:
        return asyncio.run(run())
    except (StoreError, registration.RegistrationError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from None


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default from settings).")] = None,
    issuer: Annotated[str | None, typer.Option(help="Issuer URL (default from DSOP_AUTHORITY_ISSUER).")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, max=256, help="Processes serving (default DSOP_AUTHORITY_WORKERS).")
    ] = None,
) -> None:
    """Run the token service with uvicorn (in --workers processes sharing one port)."""
    from opendsop.authority.app import create_app
    from opendsop.server import Factory, run
    from opendsop.serving import configure_logging

    overrides: dict[str, Any] = {}
    if issuer:
        overrides["issuer"] = issuer
    if workers:
        overrides["workers"] = workers
    settings = _settings(**overrides)
    configure_logging()
    if settings.redis_url:
        from opendsop.contracts.state import check_reachable

        if (problem := check_reachable(settings.redis_url)) is not None:
            raise _fail(
                f"{problem} — start it, or unset DSOP_AUTHORITY_REDIS_URL (the database then holds the used jti set)"
            )
    app = create_app(settings) if settings.workers == 1 else Factory(create_app, settings)
    run(app, host=host or settings.host, port=port or settings.port, workers=settings.workers)


@client_app.command("add")
def client_add(
    client_id: Annotated[str, typer.Argument(help="The client_id (the grant's iss).")],
    org: Annotated[str, typer.Option("--org", help="The client's 9-digit organisation number.")],
    scope: Annotated[list[str] | None, typer.Option("--scope", help="A scope to grant; repeat for more.")] = None,
    jwks: Annotated[
        Path | None, typer.Option("--jwks", help="JSON file with the client's public JWKS (private_key_jwt).")
    ] = None,
    certificate: Annotated[
        bool, typer.Option("--certificate", help="The client signs grants with its virksomhetssertifikat (x5c).")
    ] = False,
) -> None:
    """Register a client that authenticates with a JWKS (--jwks FILE) or its enterprise certificate."""
    from opendsop.authority import clients as registration

    document: Any = None
    if jwks is not None:
        try:
            document = json.loads(jwks.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise _fail(f"cannot read JWKS file {jwks}: {exc}") from None
    try:
        record = registration.new_client(client_id, org, scope or (), jwks=document, certificate=certificate)
    except registration.RegistrationError as exc:
        raise _fail(str(exc)) from None
    settings = _settings()
    _with_store(settings, lambda store: store.add_client(record, now=int(utc_now().timestamp())))
    typer.echo(
        f"client {record.client_id} registered ({record.auth_method}, organisation {record.organisation_number})"
    )


@client_app.command("list")
def client_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """List registered clients with their organisation, method, scopes and key ids."""
    from rich.console import Console
    from rich.table import Table

    records = _with_store(_settings(), lambda store: store.list_clients())
    rows: list[dict[str, Any]] = [
        {
            "client_id": r.client_id,
            "organisation_number": r.organisation_number,
            "auth_method": r.auth_method,
            "scopes": sorted(r.scopes),
            "kids": [k.get("kid") for k in (r.jwks or {}).get("keys", [])],
        }
        for r in records
    ]
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row))
        return
    table = Table("client_id", "organisation", "method", "scopes", "keys")
    for row in rows:
        table.add_row(
            row["client_id"], row["organisation_number"], row["auth_method"], " ".join(row["scopes"]),
            ", ".join(row["kids"]),
        )  # fmt: skip
    Console().print(table)


@scope_app.command("grant")
def scope_grant(
    client_id: Annotated[str, typer.Argument(help="The client to grant to.")],
    scopes: Annotated[list[str], typer.Argument(help="One or more scopes.")],
) -> None:
    """Grant scopes to a registered client."""
    from opendsop.authority import clients as registration

    try:
        granted = registration.scopes(scopes)
    except registration.RegistrationError as exc:
        raise _fail(str(exc)) from None
    _with_store(_settings(), lambda store: store.grant_scopes(client_id, granted))
    typer.echo(f"granted {' '.join(sorted(granted))} to client {client_id}")


@delegation_app.command("add")
def delegation_add(
    consumer: Annotated[str, typer.Option("--consumer", help="Organisation that delegates (consumer_org).")],
    supplier: Annotated[str, typer.Option("--supplier", help="Organisation acting on its behalf.")],
    scope: Annotated[list[str], typer.Option("--scope", help="A delegated scope; repeat for more.")],
) -> None:
    """Register that CONSUMER delegates SCOPE(s) to SUPPLIER."""
    from opendsop.authority import clients as registration

    try:
        consumer_org = registration.organisation_number(consumer)
        supplier_org = registration.organisation_number(supplier)
        delegated = registration.scopes(scope)
    except registration.RegistrationError as exc:
        raise _fail(str(exc)) from None
    if consumer_org == supplier_org:
        raise _fail("an organisation cannot delegate to itself")
    _with_store(
        _settings(),
        lambda store: store.add_delegation(consumer_org, supplier_org, delegated, now=int(utc_now().timestamp())),
    )
    typer.echo(f"organisation {consumer_org} delegates {' '.join(sorted(delegated))} to {supplier_org}")


@app.command("rotate-key")
def rotate_key() -> None:
    """Make a new active signing key; the old one stays published until its tokens have expired."""
    from opendsop.authority.signing import SigningKeys

    settings = _settings()

    async def rotate(store: AuthorityStore) -> str:
        keys = SigningKeys(
            store,
            token_lifetime=timedelta(seconds=settings.token_lifetime_seconds),
            clock_skew=timedelta(seconds=settings.clock_skew_seconds),
        )
        return await keys.rotate(now=utc_now())

    kid = _with_store(settings, rotate)
    typer.echo(f"new signing key {kid}")
