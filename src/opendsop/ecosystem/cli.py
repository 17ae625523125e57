# SPDX-License-Identifier: Apache-2.0
"""``dsop ecosystem load``, ``dsop synth topology`` and ``dsop up``: a whole synthetic Norway on loopback.

* ``load`` — generate a world and write it into the stores under ``--var`` (idempotent, see load.py);
* ``topology`` — write the TOML topology of a world: every party, its port, every bank of the world and
  every agency of the standard (mounted as ``dsop synth topology``);
* ``up`` — start every party of the topology (``--topology``, else ``DSOP_ECOSYSTEM``, else the nearest
  ``var/ecosystem.toml``; without any of them a new ``./var/ecosystem.toml`` with the defaults),
  optionally run the scripted tour (``--tour``, or ``--tour STORY…`` for some stories), print the URLs
  and serve until Ctrl-C (mounted as ``dsop up``).

Every expected failure ends with one line ``error: …`` naming the cause and the fix, exit code 2;
Ctrl-C during a world load ends in one line saying how to carry on, exit code 130.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from opendsop.cli_errors import Interrupted
from opendsop.clock import oslo_today
from opendsop.ecosystem import discovery
from opendsop.ecosystem.topology import DEFAULT_TOPOLOGY, TopologyError, for_world, read, render
from opendsop.synth import generate
from opendsop.synth.presets import PRESETS

if TYPE_CHECKING:
    from opendsop.ecosystem.runner import Running

app = typer.Typer(help="Load a synthetic world into the local ecosystem's stores.", no_args_is_help=True)
console = Console()


@app.callback()
def main() -> None:
    """The local ecosystem."""


def _fail(message: str) -> typer.Exit:
    # one line whatever the console's width; escaped because "[authority]" is not markup
    console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def _preset(value: str) -> str:
    if value not in PRESETS:
        raise typer.BadParameter(f"--preset must be one of {', '.join(PRESETS)}, not {value!r}")
    return value


@app.command()
def load(
    preset: Annotated[str, typer.Option("--preset", "-p", help=f"One of: {', '.join(PRESETS)}")] = "tiny",
    seed: Annotated[int, typer.Option("--seed", "-s", help="Same seed, same world.")] = 0,
    var: Annotated[Path, typer.Option("--var", help="Directory of the stores' databases.")] = Path("var"),
    today: Annotated[
        str | None,
        typer.Option("--today", help="Reference date YYYY-MM-DD (default: the loaded world's, else today in Oslo)"),
    ] = None,
) -> None:
    """Generate the world and write it into the bank, registers and relations databases."""
    _preset(preset)
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        raise typer.BadParameter(f"--today must be YYYY-MM-DD, got {today!r}") from None
    from opendsop.ecosystem.load import WorldMismatch, load_world, stored_today  # the stores: only when loading

    world = generate(preset, seed=seed, today=day or stored_today(var) or oslo_today())
    loading = _LoadProgress(len(world.banks) * world.preset.shard_count)
    try:
        report = asyncio.run(load_world(world, var_dir=var, on_bank=loading))
    except WorldMismatch as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    except KeyboardInterrupt:
        raise Interrupted(
            f"the unfinished load was discarded; run `dsop ecosystem load --preset {preset} "
            f"--seed {seed} --var {var}` again to load the world"
        ) from None
    finally:
        loading.close()
    if not report.loaded:
        typer.echo(f"{report.var_dir} already holds preset {preset} seed {seed}: nothing to do")
        return
    summary = ", ".join(f"{value} {name}" for name, value in sorted(report.counts.items()))
    typer.echo(f"loaded into {report.var_dir}: {summary}")


def write_topology(
    out: Path, *, preset: str, seed: int, first_bank_port: int = 8101, today: date | None = None
) -> None:
    world = generate(preset, seed=seed)
    topology = for_world(
        out,
        preset=preset,
        seed=seed,
        banks=[(bank.orgnr, bank.name, bank.control_api) for bank in world.banks],
        first_bank_port=first_bank_port,
        today=today.isoformat() if today else None,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(topology), encoding="utf-8")


def topology_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the topology")] = DEFAULT_TOPOLOGY,
    preset: Annotated[str, typer.Option("--preset", "-p", help=f"One of: {', '.join(PRESETS)}")] = "demo",
    seed: Annotated[int, typer.Option("--seed", "-s", help="Same seed, same world.")] = 0,
    first_bank_port: Annotated[int, typer.Option(help="The first bank's port; the others follow")] = 8101,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing topology")] = False,
) -> None:
    """Write the TOML topology of a world: every party, its port, every bank and agency."""
    _preset(preset)
    if out.exists() and not force:
        raise _fail(
            f"{out} exists; pass --force to overwrite it (its var/ data then no longer matches if the "
            "preset or seed changes)"
        )
    write_topology(out, preset=preset, seed=seed, first_bank_port=first_bank_port)
    console.print(f"wrote {out}: preset {preset}, seed {seed}; start it with `dsop up --topology {out}`")


def _actors_table(running: Running) -> Table:
    """One URL per actor's pages, with the synthetic login to try (``ecosystem.pages``)."""
    from opendsop.ecosystem.pages import actor_urls

    population = running.world.population() if running.world.preset.shard_count == 1 else next(running.world.shards(1))
    return actors_table(actor_urls(running.topology, population))


def actors_table(rows: list[tuple[str, str, str]]) -> Table:
    """``(actor, URL, login)`` rows as the table `dsop up` prints."""
    table = Table(title="Pages to try (synthetic logins)", title_justify="left")
    table.add_column("actor")
    # a URL is copied whole: never folded over two lines (the other columns wrap instead)
    table.add_column("URL", no_wrap=True, min_width=max((len(url) for _, url, _ in rows), default=3))
    table.add_column("log in with")
    for actor, url, login in rows:
        table.add_row(actor, url, login)
    return table


def _urls_table(urls: dict[str, str]) -> Table:
    table = Table(title="The local ecosystem")
    table.add_column("Party")
    table.add_column("URL")
    for party, url in urls.items():
        table.add_row(party, url)
    return table


def _party(name: str) -> str:
    """``bank-984851006``, ``984851006`` and ``bank 984851006`` all name that bank; services by name."""
    name = name.strip()
    if name.isdigit():
        return f"bank {name}"
    return name.replace("bank-", "bank ", 1)


def _logging(level: str) -> None:
    """The parties' JSON logs at ``level``; alembic's per-migration chatter only when asked for."""
    from opendsop.serving import configure_logging
    from opendsop.tracing import configure_tracing

    configure_logging(level)
    configure_tracing()  # DSOP_TRACES=console|otlp; off by default
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLevelName(level.upper())))


class _LoadProgress:
    """A progress bar over the banks being loaded, shown only when a first start loads them."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, orgno: str) -> None:
        if self.progress is None:
            self.progress = Progress(
                TextColumn("loading the world's banks"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("banks", total=self.total)
        assert self.task is not None
        self.progress.advance(self.task)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


async def _up(
    path: Path, *, tour: tuple[str, ...], stay: bool, log_level: str, only: list[str] | None = None, workers: int = 1
) -> None:
    from opendsop.ecosystem.runner import start

    _logging(log_level)
    topology = read(path)
    if only:
        console.print(f"starting {', '.join(only)} from {path}")
    else:
        console.print(
            f"starting {len(topology.banks)} banks and {len(topology.ports)} services from {path} "
            f"(world {topology.preset}/{topology.seed}; the first start generates and loads it)"
        )
    loading = _LoadProgress(len(topology.banks))
    try:
        async with start(topology, log_level=log_level, only=only, on_bank=loading, workers=workers) as running:
            loading.close()
            await _serve(running, tour=tour, stay=stay, log_level=log_level)
    finally:
        loading.close()


async def _serve(running: Running, *, tour: tuple[str, ...], stay: bool, log_level: str) -> None:
    _logging(log_level)  # again: a framework's default logging config may have replaced it at startup
    console.print(_urls_table(running.urls))
    if tour:
        from opendsop.ecosystem.tour import run_tour

        await run_tour(running, console, tour)
        console.print(_urls_table(running.urls))  # again, where the tour's output ends
    if "agency-ui" in running.urls:
        console.print(_actors_table(running))
    if not stay:
        return
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    console.print(
        "[bold]Every party is running.[/bold] In another terminal: `dsop case konkurs --debtor …` "
        "(see the tour above). Ctrl-C stops them all."
    )
    await stop.wait()
    console.print("stopping every party …")


def up_command(
    topology: Annotated[
        Path | None,
        typer.Option(
            "--topology",
            "-t",
            help="The TOML topology (default: $DSOP_ECOSYSTEM, else the nearest "
            "var/ecosystem.toml, else a new ./var/ecosystem.toml)",
        ),
    ] = None,
    preset: Annotated[str, typer.Option("--preset", "-p", help="World for a new topology")] = "demo",
    seed: Annotated[int, typer.Option("--seed", "-s", help="Seed for a new topology")] = 0,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            help="Pin a new topology's world to this date YYYY-MM-DD (default: today in Oslo, kept on later starts)",
        ),
    ] = None,
    stories: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="STORY",
            help="With --tour: only these stories (names or comma lists): konkurs, oed, verge, "
            "politi, signaturrett, lan, studielan, forsikring, krav; groups dsop, samtykke",
            show_default=False,
        ),
    ] = None,
    tour: Annotated[
        bool,
        typer.Option(
            "--tour/--no-tour", help="Run the scripted tour once started (every story, or the STORY arguments)"
        ),
    ] = False,
    stay: Annotated[
        bool, typer.Option("--stay/--exit", help="Keep serving until Ctrl-C (or exit after the tour)")
    ] = True,
    log_level: Annotated[str, typer.Option(help="The parties' log level")] = "WARNING",
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Start only this party (repeatable): authority, certpub, relations, registers, "
            "prosecution, consent, skatteetaten, lanekassen, nav, krav, callbacks or bank-<orgno>; "
            "the others run elsewhere",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, max=16, help="Processes serving each bank (they share its port; 1: all in this one)"
        ),
    ] = 1,
) -> None:
    """Start every party of the local ecosystem on loopback ports (Ctrl-C stops them all)."""
    from opendsop.ecosystem.runner import EcosystemError
    from opendsop.ecosystem.tour import pick_stories

    _preset(preset)
    try:
        chosen = pick_stories(stories or ()) if (tour or stories) else ()
    except ValueError as error:
        raise _fail(str(error)) from None
    try:
        pinned = date.fromisoformat(today) if today else None
    except ValueError:
        raise typer.BadParameter(f"--today must be YYYY-MM-DD, got {today!r}") from None
    path = topology or DEFAULT_TOPOLOGY
    try:
        path = _topology(topology, preset=preset, seed=seed, today=pinned)
        parties = [_party(name) for name in only] if only else None
        if parties and chosen:
            raise _fail("--tour needs every party: drop --only")
        asyncio.run(_up(path, tour=chosen, stay=stay, log_level=log_level, only=parties, workers=workers))
    except (TopologyError, EcosystemError, discovery.NoEcosystem) as error:
        raise _fail(str(error)) from None
    except KeyboardInterrupt:  # Ctrl-C before the servers were up: start() has stopped what it started
        raise Interrupted(
            f"nothing is serving; an unfinished world load was discarded — `dsop up --topology {path}` starts again"
        ) from None


def _topology(named: Path | None, *, preset: str, seed: int, today: date | None) -> Path:
    """The topology to start: the one named or found (discovery.py), else a new default one under ./var."""
    if named is not None or discovery.ENVIRONMENT in os.environ:
        return discovery.find(named)
    found = discovery.nearest()
    if found is not None:
        return found
    write_topology(DEFAULT_TOPOLOGY, preset=preset, seed=seed, today=today)
    console.print(f"wrote the default topology {DEFAULT_TOPOLOGY} (preset {preset}, seed {seed})")
    return DEFAULT_TOPOLOGY


__all__ = ["app", "topology_command", "up_command", "write_topology"]
