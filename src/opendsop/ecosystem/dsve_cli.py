# SPDX-License-Identifier: Apache-2.0
"""``dsop dsve``: digital eiendomshandel and company founding from the command line.

* ``catalogue`` — the message types: direction, files, manifest keys, reply and statuses;
* ``check FILE.zip --property messageType=… [--property key=value]`` — what a receiver would say of a
  shipment (offline: manifest, ZIP, file names, the XML model);
* ``akeldo ORGNR`` — an actor's AKELDO entry in the local ecosystem;
* ``grunnbok ENHET`` — a unit of the local grunnbok (``0301-208-12-0-0`` or ``borett-<orgnr>-<andel>``), read
  as the ecosystem's first bank;
* ``sale`` and ``found`` — the tour's home sale and company founding against the running ecosystem, over
  the registers and the message platform.

Heavy imports happen inside the commands, so ``--help`` loads no HTTP client or store.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="Digital eiendomshandel (DSVE) and company founding.", no_args_is_help=True)


@app.command()
def catalogue() -> None:
    """The DSVE message types (manifest messageType), who sends them, their files and replies."""
    from rich.console import Console
    from rich.table import Table

    from opendsop.standard.dsve.catalogue import MESSAGES

    table = Table(title="DSVE message catalogue (broker resource kv_dsve, Altinn 2 service 4752)")
    for column in ("messageType", "from → to", "files", "keys", "reply / statuses"):
        table.add_column(column, overflow="fold")
    for spec in MESSAGES.values():
        files = ", ".join(f"{r.pattern} ({r.min}..{r.max})" for r in spec.files)
        direction = f"{'/'.join(sorted(spec.senders))} → {'/'.join(sorted(spec.receivers))}"
        answer = spec.reply or ", ".join(spec.statuses) or "—"
        table.add_row(spec.message_type, direction, files, ", ".join(("messageType", *spec.required_keys)), answer)
    Console().print(table)


@app.command()
def check(
    zip_file: Annotated[Path, typer.Argument(help="the shipment's ZIP", exists=True, dir_okay=False)],
    prop: Annotated[list[str], typer.Option("--property", "-p", help="a manifest key=value (messageType=…)")] = [],  # noqa: B006
) -> None:
    """Check a shipment as its receiver would; exit 2 with the rule it breaks."""
    from opendsop.contracts.dsve.zipfiles import unzip
    from opendsop.standard.dsve.shipment import check_shipment

    properties: dict[str, str] = {}
    for item in prop:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{item!r} is not key=value", param_hint="--property")
        properties[key.strip()] = value.strip()
    shipment = check_shipment(properties, unzip(zip_file.read_bytes()))
    documents = ", ".join(f"{name} ({root.tag})" for name, root in shipment.documents.items()) or "none"
    typer.echo(f"{shipment.message_type}: accepted — {len(shipment.files)} file(s); documents: {documents}")


def _topology() -> Any:
    from opendsop.ecosystem.agencies import topology_path
    from opendsop.ecosystem.topology import read

    return read(topology_path())


@app.command()
def akeldo(orgnr: Annotated[str, typer.Argument(help="the organisation's number")]) -> None:
    """An organisation's AKELDO entry: role, sendeliste and mottaksliste."""
    import httpx

    from opendsop.contracts.registers.errors import org_id

    number = org_id(orgnr, "orgnr", synthetic_allowed=True)
    answer = httpx.get(f"{_topology().url('registers')}/akeldo/aktoer/{number}", timeout=10)
    if answer.status_code == 404:
        typer.echo(f"error: {number} is not registered in AKELDO — no DSVE message may be sent to it", err=True)
        raise typer.Exit(2)
    answer.raise_for_status()
    entry = answer.json()
    typer.echo(f"{entry['navn']} ({entry['organisasjonsnummer']}), {entry['rolle']}")
    typer.echo("sends:    " + ", ".join(entry["sendeliste"]))
    typer.echo("receives: " + ", ".join(entry["mottaksliste"]))


@app.command()
def grunnbok(
    enhet: Annotated[str, typer.Argument(help="0301-208-12-0-0 (kommune-gnr-bnr-fnr-snr) or borett-<orgnr>-<andel>")],
) -> None:
    """A unit of the local grunnbok: title holders and mortgages in priority order."""
    from rich.console import Console

    from opendsop.ecosystem.dsve_tour import show_unit

    topology = _topology()
    found = asyncio.run(show_unit(topology, enhet))
    if found is None:
        typer.echo(f"error: no unit {enhet} in the grunnbok — see `dsop dsve sale` for one that exists", err=True)
        raise typer.Exit(2)
    Console().print(found)


def _running() -> Any:
    from opendsop.ecosystem.load import LoadReport
    from opendsop.ecosystem.provision import provision
    from opendsop.ecosystem.runner import Running, world_of

    topology = _topology()
    world = world_of(topology)
    report = LoadReport(topology.preset, topology.seed, world.today, False, topology.var_dir)
    return Running(topology, provision(topology), world, report)


def _story(name: str) -> None:
    from rich.console import Console

    from opendsop.ecosystem.dsve_tour import DSVE_STORIES
    from opendsop.ecosystem.tour import TourReport

    running = _running()
    population = running.world.population() if running.world.preset.shard_count == 1 else next(running.world.shards(1))
    asyncio.run(DSVE_STORIES[name](running, population, Console(), TourReport()))


@app.command()
def sale() -> None:
    """Sell one house in the running ecosystem: intention → contract → deed → e-tinglysing → payoff → deletion."""
    _story("eiendom")


@app.command()
def found() -> None:
    """Found one company in the running ecosystem: share capital confirmed by a bank, registered by Brreg."""
    _story("selskap")


__all__ = ["app"]
