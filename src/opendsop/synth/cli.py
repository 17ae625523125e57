# SPDX-License-Identifier: Apache-2.0
"""``dsop synth``: generate the synthetic world into JSONL/CSV files, or print its statistics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from opendsop.synth.export import write_files
from opendsop.synth.presets import PRESETS
from opendsop.synth.world import Population, generate

app = typer.Typer(
    help="Deterministic synthetic Norway: persons, companies, banks, accounts, transactions.", no_args_is_help=True
)
console = Console()

PresetOption = Annotated[str, typer.Option("--preset", "-p", help=f"One of: {', '.join(PRESETS)}")]
SeedOption = Annotated[int, typer.Option("--seed", "-s", help="Same seed, same bytes.")]
TodayOption = Annotated[str | None, typer.Option("--today", help="Reference date YYYY-MM-DD (default: preset's)")]
ShardsOption = Annotated[int | None, typer.Option("--shards", help="Only the first N shards (a slice)")]


def _today(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"--today must be YYYY-MM-DD, got {value!r}") from None


def _check_preset(preset: str) -> None:
    if preset not in PRESETS:
        raise typer.BadParameter(f"unknown preset {preset!r}: choose one of {', '.join(PRESETS)}")


@app.command("generate")
def generate_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for the files")],
    preset: PresetOption = "tiny",
    seed: SeedOption = 0,
    today: TodayOption = None,
    shards: ShardsOption = None,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
    invalid_fraction: Annotated[float, typer.Option(help="Add this fraction of invalid records")] = 0.0,
) -> None:
    """Write every entity kind to OUT/<kind>.<format>, with a progress bar."""
    _check_preset(preset)
    if fmt not in ("jsonl", "csv"):
        raise typer.BadParameter(f"--format must be jsonl or csv, got {fmt!r}")
    world = generate(preset, seed=seed, today=_today(today), invalid_fraction=invalid_fraction)
    shard_count = world.preset.shard_count if shards is None else min(shards, world.preset.shard_count)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[transactions]:,} transactions"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("shards", total=shard_count, transactions=0)
        counted = [0]

        def on_account(transactions: int) -> None:
            counted[0] += transactions
            if counted[0] % 1000 < transactions:
                progress.update(task, transactions=counted[0])

        def tracked() -> Iterator[Population]:
            for population in world.shards(limit=shards):
                yield population
                progress.update(task, advance=1, transactions=counted[0])

        counts = write_files(tracked(), out, fmt=fmt, include_invalid=invalid_fraction > 0, on_account=on_account)
    table = Table("kind", "rows", title=f"{preset} (seed {seed}) → {out}")
    for kind, rows in counts.items():
        table.add_row(kind, f"{rows:,}")
    console.print(table)


def _stats(population: Population) -> Counter[str]:
    counts: Counter[str] = Counter(
        persons=len(population.persons),
        companies=len(population.companies),
        accounts=len(population.accounts),
        roles=len(population.roles),
        cards=len(population.cards),
        links=len(population.links),
        deaths=len(population.deaths),
        guardianships=len(population.guardianships),
        bankruptcies=len(population.bankruptcies),
    )
    for account in population.accounts:
        counts[f"accounts: {account.type.value}"] += 1
    return counts


@app.command("stats")
def stats_command(
    preset: PresetOption = "tiny",
    seed: SeedOption = 0,
    today: TodayOption = None,
    shards: ShardsOption = 1,
    transactions: Annotated[bool, typer.Option(help="Also count transactions (slower)")] = False,
) -> None:
    """Print what a preset produces (by default for its first shard only)."""
    _check_preset(preset)
    world = generate(preset, seed=seed, today=_today(today))
    total: Counter[str] = Counter()
    for population in world.shards(limit=shards):
        total += _stats(population)
        if transactions:
            total["transactions"] += sum(1 for _ in population.transactions())
    table = Table("what", "count", title=f"{preset}, seed {seed}, {shards or world.preset.shard_count} shard(s)")
    table.add_row(
        "banks (KAR / KFR)",
        f"{sum(b.reports_to == 'KAR' for b in world.banks)} / {sum(b.reports_to == 'KFR' for b in world.banks)}",
    )
    for key in sorted(total):
        table.add_row(key, f"{total[key]:,}")
    console.print(table)


__all__ = ["app"]
