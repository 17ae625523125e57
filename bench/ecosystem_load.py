"""Benchmark ``load_world``'s bank path: banks of the ``demo`` preset generated and stored in SQLite.

Two paths write the same banks (``--banks`` of median size) into fresh SQLite files, in the same run:

* **ours**: what ``load_world`` does per bank on SQLite: the store's migrations, then
  ``loader.load_sqlite_file`` (stdlib driver, synchronous, no journal during the load) fed with
  the driver's parameters made in one pass (``TransactionColumns.sqlite_row``);
* **baseline**: the path ``load_world`` used before: column tuples (``TransactionColumns.row``)
  through the async loader (aiosqlite, bind conversion per batch, WAL).

Both generate the statements afresh (generation is part of the cost).  ``--full`` also times one
whole ``load_world`` of the preset with its default workers (its children's CPU is printed too).
The load average is printed because every figure scales with the CPU actually available.

    .venv/bin/python bench/ecosystem_load.py [--banks 2] [--rounds 3] [--seed 0] [--full]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from opendsop.ecosystem import load, load_world
from opendsop.ecosystem.load import _LOAD_SECRET, _bank_rows, sqlite_url
from opendsop.provider.store import SqlBankStore, loader
from opendsop.synth import generate
from opendsop.synth.world import Population


async def _baseline_bank(url: str, population: Population, orgno: str) -> int:
    rows = _bank_rows(population, orgno)
    store = await SqlBankStore.open(url, reference_secret=_LOAD_SECRET)
    try:
        return (await loader.load(store.engine, **rows)).transactions
    finally:
        await store.close()


def load_once(population: Population, banks: list[str], directory: Path, ours: bool) -> tuple[float, float, int]:
    """(seconds, CPU seconds, transactions stored) for generating and loading ``banks`` into fresh files.

    CPU counts every thread (the baseline's driver thread inserts while the loop converts), and it
    is what matters in ``load_world``, whose workers already keep every core busy."""
    started, cpu = time.perf_counter(), time.process_time()
    stored = 0
    for orgno in banks:
        url = sqlite_url(directory / f"bank-{orgno}.db")
        if ours:  # exactly what a forked worker of load_world runs
            load._worker_population = population
            stored += load._bank_in_child(url, orgno)["bank_transactions"]
        else:
            stored += asyncio.run(_baseline_bank(url, population, orgno))
    return time.perf_counter() - started, time.process_time() - cpu, stored


def main(bank_count: int, rounds: int, seed: int, full: bool) -> None:
    world = generate("demo", seed=seed)
    started = time.perf_counter()
    population = world.population()
    build = time.perf_counter() - started
    sizes = Counter(account.bank_orgnr for account in population.accounts)
    by_size = sorted(sizes, key=lambda orgno: sizes[orgno])
    middle = len(by_size) // 2
    banks = by_size[max(0, middle - bank_count // 2) :][:bank_count]
    ours: list[float] = []
    baseline: list[float] = []
    ours_cpu: list[float] = []
    baseline_cpu: list[float] = []
    stored = 0
    with tempfile.TemporaryDirectory(prefix="bench-ecosystem-") as scratch:
        for round_number in range(rounds):
            # Rounds alternate which path goes first, so that load from elsewhere hits both alike.
            for is_ours in (True, False) if round_number % 2 == 0 else (False, True):
                directory = Path(scratch) / f"r{round_number}-{'ours' if is_ours else 'baseline'}"
                directory.mkdir()
                seconds, cpu, stored = load_once(population, banks, directory, is_ours)
                (ours if is_ours else baseline).append(seconds)
                (ours_cpu if is_ours else baseline_cpu).append(cpu)
                shutil.rmtree(directory)  # 90 MB a bank: do not let the page cache fill up between rounds
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        mine, theirs = statistics.median(ours), statistics.median(baseline)
        mine_cpu, theirs_cpu = statistics.median(ours_cpu), statistics.median(baseline_cpu)
        print(
            f"'demo' preset, seed {seed}: {len(banks)} bank(s) of median size, {stored:,} transactions; shard built "
            f"in {build:.1f} s; median of {rounds} round(s); load average {load} on {os.cpu_count()} CPUs"
        )
        print(f"{'path':<58} {'seconds':>8} {'transactions/s':>15} {'× baseline':>11} {'CPU s':>7} {'× baseline':>11}")
        print(
            f"{'ours: one-pass parameters, sqlite3 file load (load_world)':<58} {mine:>8.1f} {stored / mine:>15,.0f} "
            f"{theirs / mine:>11.2f} {mine_cpu:>7.1f} {theirs_cpu / mine_cpu:>11.2f}"
        )
        print(
            f"{'baseline: column tuples, async loader (aiosqlite, WAL)':<58} {theirs:>8.1f} "
            f"{stored / theirs:>15,.0f} {1:>11.2f} {theirs_cpu:>7.1f} {1:>11.2f}"
        )
        if full:
            before, started = os.times(), time.perf_counter()
            report = asyncio.run(load_world(generate("demo", seed=seed), var_dir=Path(scratch) / "full"))
            whole, after = time.perf_counter() - started, os.times()
            cpu = sum(after[:4]) - sum(before[:4])
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(
                f"{'full load_world of demo (default workers)':<58} {whole:>8.1f} "
                f"{report.counts['bank_transactions'] / whole:>15,.0f}   CPU {cpu:.1f} s (with the workers); "
                f"load average after {load}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--banks", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--full", action="store_true")
    arguments = parser.parse_args()
    main(arguments.banks, arguments.rounds, arguments.seed, arguments.full)
