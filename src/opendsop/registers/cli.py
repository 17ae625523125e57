# SPDX-License-Identifier: Apache-2.0
"""``dsop registers`` — run the register stand-ins, load data into them, show what they hold.

* ``serve`` — Folkeregisteret, Konkursvarsel and Enhetsregisteret in one app (settings from
  ``DSOP_REGISTERS_*``, see settings.py);
* ``load KIND FILE`` — bulk load ``persons``, ``vergemaal``, ``notices`` or ``organisations`` from
  JSON or CSV (loaders.py) straight into the configured database; ``load test-notices`` loads
  the 15 published Konkursvarsel test notices;
* ``show person FNR`` / ``show org ORGNR`` — the stored record as JSON (person numbers are data
  here: this is the register operator's own view).
"""

from __future__ import annotations

import asyncio
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import msgspec
import typer

from opendsop.contracts.registers.errors import RegisterError, org_id, person_id
from opendsop.registers.loaders import Kind, read_rows
from opendsop.registers.settings import RegistersSettings

app = typer.Typer(no_args_is_help=True, help="The national registers as local stand-ins (FREG, Konkursvarsel, ER).")


class Shown(StrEnum):
    PERSON = "person"
    ORG = "org"


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (default DSOP_REGISTERS_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (default DSOP_REGISTERS_PORT).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=256, help="Processes serving on the one port.")] = 1,
) -> None:
    """Run the three registers."""
    from opendsop.registers.app import create_app
    from opendsop.server import Factory, run
    from opendsop.serving import configure_logging

    configure_logging()
    settings = RegistersSettings()
    run(
        Factory(create_app, settings) if workers > 1 else create_app(settings),
        workers=workers,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
    )


def _fail(exc: RegisterError) -> typer.Exit:
    typer.echo(f"error ({exc.error}): {exc.message}", err=True)
    return typer.Exit(code=2)


async def _load(settings: RegistersSettings, kind: str, file: Path | None) -> int:
    from opendsop.registers.app import Stores

    stores = Stores(settings.database_url, synthetic_allowed=settings.synthetic_allowed)
    try:
        await stores.db.create_schema()
        if kind == "test-notices":
            return await stores.konkurs.load_test_notices()
        assert file is not None
        rows = read_rows(file, Kind(kind))
        if kind == Kind.PERSONS:
            return await stores.folkeregister.load_persons(rows)
        if kind == Kind.VERGEMAAL:
            return await stores.folkeregister.load_guardianships(rows)
        if kind == Kind.NOTICES:
            return await stores.konkurs.load_notices(rows)
        return await stores.enhetsregister.load_organisations(rows)
    finally:
        await stores.db.close()


@app.command()
def load(
    kind: Annotated[str, typer.Argument(help="persons | vergemaal | notices | organisations | test-notices")],
    file: Annotated[Path | None, typer.Argument(exists=True, dir_okay=False, help="A .json or .csv file.")] = None,
) -> None:
    """Bulk load register data into the configured database."""
    if kind not in {k.value for k in Kind} | {"test-notices"}:
        raise typer.BadParameter(f"KIND must be persons, vergemaal, notices, organisations or test-notices, not {kind}")
    if kind != "test-notices" and file is None:
        raise typer.BadParameter(f"loading {kind} needs a FILE")
    try:
        count = asyncio.run(_load(RegistersSettings(), kind, file))
    except RegisterError as exc:
        raise _fail(exc) from None
    typer.echo(f"loaded {count} {kind}")


async def _show(settings: RegistersSettings, what: Shown, identifier: str) -> bytes | None:
    from opendsop.registers.app import Stores

    stores = Stores(settings.database_url, synthetic_allowed=settings.synthetic_allowed)
    try:
        await stores.db.create_schema()
        if what is Shown.PERSON:
            number = person_id(identifier, "FNR", synthetic_allowed=settings.synthetic_allowed)
            person = await stores.folkeregister.person(number)
            if person is None:
                return None
            guardianships = await stores.folkeregister.guardianships(number)
            return msgspec.json.encode({"person": person, "vergemaal": guardianships})
        number = org_id(identifier, "ORGNR", synthetic_allowed=settings.synthetic_allowed)
        enhet = await stores.enhetsregister.enhet(number)
        return None if enhet is None else msgspec.json.encode(enhet)
    finally:
        await stores.db.close()


@app.command()
def show(
    what: Annotated[Shown, typer.Argument(help="person or org")],
    identifier: Annotated[str, typer.Argument(help="fødselsnummer/D-number or organisasjonsnummer")],
) -> None:
    """Print a stored person (with vergemål) or organisation (with roles and rules) as JSON."""
    try:
        body = asyncio.run(_show(RegistersSettings(), what, identifier))
    except RegisterError as exc:
        raise _fail(exc) from None
    if body is None:
        typer.echo(f"no {what.value} {identifier} in the register", err=True)
        raise typer.Exit(code=1)
    sys.stdout.write(msgspec.json.format(body).decode("utf-8") + "\n")


__all__ = ["app"]
