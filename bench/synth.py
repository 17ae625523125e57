"""Benchmark opendsop.synth: transactions generated *and* stored per second into PostgreSQL.

The slice is the first ``--shards`` shards of the ``large`` preset (10,000 persons each, about
800,000 transactions per shard), optionally capped at ``--transactions``.  Two paths load the same
rows into the same index-free table, in the same run:

* **ours**: build the shards (persons, companies, accounts, links), then generate every statement
  and stream its rows straight into ``COPY`` (asyncpg ``copy_records_to_table``);
* **floor**: the very same rows, built beforehand into a list, loaded by a bare ``COPY``.

With ``--workers N`` both paths use N forked processes, each with its own connection and an
interleaved share of the accounts (the populations are built once, before the fork).  Targets:
≥ 50,000 transactions/s and ≥ 0.3× the COPY floor.  The machine's load average is
printed because both figures scale with the CPU actually available.

The script creates its own database on 127.0.0.1:5432 (user postgres), drops it at the end,
prints a table and asserts nothing.

    .venv/bin/python bench/synth.py [--shards 1] [--transactions N] [--workers 1] [--rounds 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import multiprocessing
import os
import statistics
import time
from collections.abc import Iterator
from typing import Any

import asyncpg

from opendsop.synth import Population, generate
from opendsop.synth.export import TRANSACTION_COLUMNS, values_row

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
TYPES = {
    "amount": "numeric(18,2)",
    "fx_original_amount": "numeric(18,2)",
    "fx_exchange_rate": "numeric(18,2)",
    "registered": "timestamptz",
    "booking_date": "timestamptz",
    "value_date": "timestamptz",
    "reversal_indicator": "boolean",
    "card_id": "bigint",
}
DDL = "CREATE TABLE transactions ({})".format(
    ", ".join(f"{column} {TYPES.get(column, 'text')}" for column in TRANSACTION_COLUMNS)
)
COLUMNS = list(TRANSACTION_COLUMNS)


def share(populations: list[Population], index: int, workers: int, limit: int | None) -> Iterator[tuple[Any, ...]]:
    """Worker ``index``'s rows: every ``workers``-th account, generated on the fly."""

    def all_rows() -> Iterator[tuple[Any, ...]]:
        for population in populations:
            for number, account in enumerate(population.accounts):
                if number % workers == index:
                    yield from (values_row(values) for values in population.statement_values(account))

    return all_rows() if limit is None else itertools.islice(all_rows(), limit // workers)


async def _copy(dsn: str, records: Any) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        result = await conn.copy_records_to_table("transactions", records=records, columns=COLUMNS)
        return int(result.split()[-1])
    finally:
        await conn.close()


def _child(dsn: str, records: Any, out: Any) -> None:
    out.put(asyncio.run(_copy(dsn, records)))


def run_parallel(dsn: str, shares: list[Any]) -> tuple[float, int]:
    """COPY each share in its own forked process; (seconds, rows stored)."""
    if len(shares) == 1:
        started = time.perf_counter()
        stored = asyncio.run(_copy(dsn, shares[0]))
        return time.perf_counter() - started, stored
    context = multiprocessing.get_context("fork")  # the children inherit the populations: no pickling
    out = context.Queue()
    started = time.perf_counter()
    children = [context.Process(target=_child, args=(dsn, records, out)) for records in shares]
    for child in children:
        child.start()
    stored = sum(out.get() for _ in children)
    for child in children:
        child.join()
    return time.perf_counter() - started, stored


async def _admin(statement: str, dsn: str = ADMIN_DSN) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def main(shards: int, limit: int | None, workers: int, seed: int, rounds: int) -> None:
    database = f"bench_synth_{os.getpid()}"
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{database}"
    asyncio.run(_admin(f'CREATE DATABASE "{database}"'))
    ours: list[float] = []
    floors: list[float] = []
    try:
        asyncio.run(_admin(DDL, dsn))
        gc.collect()
        started = time.perf_counter()
        populations = list(generate("large", seed=seed).shards(limit=shards))
        build = time.perf_counter() - started
        prebuilt = [list(share(populations, i, workers, limit)) for i in range(workers)]
        stored = sum(len(rows) for rows in prebuilt)
        # The shards and the floor's rows live for the whole run: out of the collector's sight, as
        # load_world does, so neither path pays for re-scanning them (without it, ours ran ~2× slower).
        gc.freeze()
        # Rounds alternate which path goes first, so that load from elsewhere hits both alike.
        for round_number in range(rounds):
            paths = [("ours", None), ("floor", prebuilt)]
            for name, rows in paths if round_number % 2 == 0 else paths[::-1]:
                asyncio.run(_admin("TRUNCATE transactions", dsn))
                records = rows if rows is not None else [share(populations, i, workers, limit) for i in range(workers)]
                seconds, count = run_parallel(dsn, records)
                assert count == stored, (name, count, stored)
                (ours if name == "ours" else floors).append(seconds)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    stream, floor_seconds = statistics.median(ours), statistics.median(floors)
    total, streaming, floor = stored / (build + stream), stored / stream, stored / floor_seconds
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"slice of 'large': {shards} shard(s), {stored:,} transactions, {len(COLUMNS)} columns, "
        f"{workers} worker(s), median of {rounds} round(s), seed {seed}; load average {load} on "
        f"{os.cpu_count()} CPUs"
    )
    print(f"{'path':<55} {'seconds':>8} {'transactions/s':>15} {'× floor':>8}")
    print(f"{'ours: build shards + generate + COPY':<55} {build + stream:>8.1f} {total:>15,.0f} {total / floor:>8.2f}")
    print(f"{'  of which building the shards (once)':<55} {build:>8.1f}")
    print(
        f"{'  of which generating + COPY of the transactions':<55} {stream:>8.1f} {streaming:>15,.0f} "
        f"{streaming / floor:>8.2f}"
    )
    print(f"{'floor: bare COPY of the same pre-built rows':<55} {floor_seconds:>8.1f} {floor:>15,.0f} {1:>8.2f}")
    verdict = "met" if total >= 50_000 and total / floor >= 0.3 else "NOT met"
    print(f"targets >= 50,000/s and >= 0.30x floor: {verdict}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--shards", type=int, default=1)
    parser.add_argument("--transactions", type=int, default=None, help="cap on the rows loaded")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    main(arguments.shards, arguments.transactions, arguments.workers, arguments.seed, arguments.rounds)
