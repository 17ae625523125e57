"""``dsop altinn`` — run the message platform and administer its resource registry and roles.

* ``serve`` — the platform (settings from ``DSOP_ALTINN_*``, see settings.py);
* ``resources list`` / ``resources put FILE`` — the resource registry (FILE: one resource or a list,
  as JSON: ``{"identifier", "owner", "title", "kinds", "senders", "recipients", "senderRoles",
  "recipientRoles"}``), written straight into the configured database as its operator;
* ``roles assign HOLDER PARTY ROLE`` / ``roles list PARTY`` — role assignments (e.g. ``A0294``,
  Transportløyvegaranti, or ``urn:altinn:resource:<id>`` for a single right).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(no_args_is_help=True, help="The message platform (Altinn 3 shaped correspondence, broker, events).")
resources_app = typer.Typer(no_args_is_help=True, help="The resource registry: who may send and receive on what.")
roles_app = typer.Typer(no_args_is_help=True, help="Role assignments: who may act for whom.")
app.add_typer(resources_app, name="resources")
app.add_typer(roles_app, name="roles")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (default DSOP_ALTINN_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (default DSOP_ALTINN_PORT, 8080).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=256, help="Processes serving on the one port.")] = 1,
) -> None:
    """Run the message platform (with several workers each delivers webhooks: at least once, maybe twice)."""
    from opendsop.altinn.app import create_app
    from opendsop.altinn.settings import AltinnSettings
    from opendsop.server import Factory, run
    from opendsop.serving import configure_logging

    configure_logging()
    settings = AltinnSettings()
    run(
        Factory(create_app, settings) if workers > 1 else create_app(settings),
        workers=workers,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
    )


async def _with_store(action: Any) -> Any:
    from opendsop.altinn.settings import AltinnSettings
    from opendsop.altinn.store import MessageStore

    store = MessageStore.from_url(AltinnSettings().database_url)
    try:
        await store.migrate()
        return await action(store)
    finally:
        await store.close()


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


@resources_app.command("list")
def list_resources() -> None:
    """Print every registered resource as JSON."""
    import msgspec

    found = asyncio.run(_with_store(lambda store: store.resources()))
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(found)).decode("utf-8") + "\n")


@resources_app.command("put")
def put_resources(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A JSON resource or list of resources.")],
) -> None:
    """Register or change resources."""
    import msgspec

    from opendsop.contracts.messaging.models import Resource

    text = file.read_bytes()
    try:
        decoded = msgspec.json.decode(text)
        items = msgspec.convert(decoded if isinstance(decoded, list) else [decoded], list[Resource])
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise _fail(
            f"{file} is not a resource or a list of resources ({error}) — see `dsop altinn resources --help`"
        ) from None

    async def put(store: Any) -> None:
        for resource in items:
            await store.put_resource(resource)

    asyncio.run(_with_store(put))
    typer.echo(f"registered {len(items)} resource(s)")


@roles_app.command("assign")
def assign(
    holder: Annotated[str, typer.Argument(help="Who acts: organisation number or fødselsnummer.")],
    party: Annotated[str, typer.Argument(help="For whom: organisation number or fødselsnummer.")],
    role: Annotated[str, typer.Argument(help="Role code (A0294), access package or urn:altinn:resource:<id>.")],
) -> None:
    """Let HOLDER act for PARTY with ROLE."""
    from opendsop.altinn.policy import parse_party
    from opendsop.contracts.messaging.errors import MessagingError
    from opendsop.contracts.messaging.models import RoleAssignment

    try:
        assignment = RoleAssignment(
            holder=parse_party(holder, "HOLDER", synthetic_allowed=True),
            party=parse_party(party, "PARTY", synthetic_allowed=True),
            role=role,
        )
    except MessagingError as error:
        raise _fail(error.detail) from None
    asyncio.run(_with_store(lambda store: store.assign_role(assignment)))
    typer.echo(f"{assignment.holder} may act for {assignment.party} as {role}")


@roles_app.command("list")
def list_roles(party: Annotated[str, typer.Argument(help="Organisation number or fødselsnummer.")]) -> None:
    """The roles held by PARTY and held for it."""
    for found in asyncio.run(_with_store(lambda store: store.role_assignments(party))):
        typer.echo(f"{found.holder}\t{found.party}\t{found.role}")


__all__ = ["app"]
