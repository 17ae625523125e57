# SPDX-License-Identifier: Apache-2.0
"""``dsop ecosystem load`` — generate a world and load it into the stores under ``--var``.

Idempotent (see ``load.py``): the same preset/seed/today again is a no-op; another world in the
same directory is refused with exit code 2 and a message saying how to fix it.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from opendsop.ecosystem.load import WorldMismatch, load_world
from opendsop.synth import generate
from opendsop.synth.presets import PRESETS

app = typer.Typer(help="Load a synthetic world into the local ecosystem's stores.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """The local ecosystem (a group, so that ``load`` stays a subcommand as more are added)."""


@app.command()
def load(
    preset: Annotated[str, typer.Option("--preset", "-p", help=f"One of: {', '.join(PRESETS)}")] = "tiny",
    seed: Annotated[int, typer.Option("--seed", "-s", help="Same seed, same world.")] = 0,
    var: Annotated[Path, typer.Option("--var", help="Directory of the stores' databases.")] = Path("var"),
    today: Annotated[str | None, typer.Option("--today", help="Reference date YYYY-MM-DD (default: preset's)")]
    = None,
) -> None:
    """Generate the world and write it into the bank, registers and relations databases."""
    if preset not in PRESETS:
        raise typer.BadParameter(f"--preset must be one of {', '.join(PRESETS)}, not {preset!r}")
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        raise typer.BadParameter(f"--today must be YYYY-MM-DD, got {today!r}") from None
    world = generate(preset, seed=seed, today=day)
    try:
        report = asyncio.run(load_world(world, var_dir=var))
    except WorldMismatch as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    if not report.loaded:
        typer.echo(f"{report.var_dir} already holds preset {preset} seed {seed}: nothing to do")
        return
    summary = ", ".join(f"{value} {name}" for name, value in sorted(report.counts.items()))
    typer.echo(f"loaded into {report.var_dir}: {summary}")


__all__ = ["app"]
