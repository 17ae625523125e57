"""Benchmark the KFR batch ingest on PostgreSQL against a bare COPY of the same rows, in the same run.

What it measures (a plain script: prints figures and the ratio, asserts nothing, not run in CI):

1. validation throughput of the upload path (``parse_batch`` over a 100,000-entry file), for context;
2. ``KfrStore.apply_batch`` of one accepted batch of N relationships (default 1,000,000): the
   exact path a background task runs, one transaction (COPY into a temp table + INSERT … SELECT …
   ON CONFLICT DO NOTHING into the indexed ``kfr_relation``, and the batch marked applied);
3. the same batch applied again (idempotent: everything ``unchanged``);
4. a bare ``asyncpg.copy_records_to_table`` of the same rows into a table created ``LIKE
   kfr_relation INCLUDING ALL`` (same columns and indexes).

It creates its own database on 127.0.0.1:5432 and drops it at the end.

    .venv/bin/python bench/kfr_ingest.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from datetime import UTC, date, datetime
from random import Random

import asyncpg

from opendsop.relations.batch import parse_batch
from opendsop.relations.kfr import DSOPBANK, KfrStore
from opendsop.relations.store import Database
from opendsop.standard.identifiers import generate_dnummer, generate_fodselsnummer

ADMIN = os.environ.get("DSOP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
ORG = "920426530"
NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)


def customers(count: int, seed: int = 7) -> list[str]:
    """Distinct valid synthetic fødselsnummer/D-numbers (what a real batch holds)."""
    rng, seen = Random(seed), set[str]()
    while len(seen) < count:
        born = date(1930 + rng.randrange(90), 1 + rng.randrange(12), 1 + rng.randrange(28))
        make = generate_dnummer if rng.random() < 0.1 else generate_fodselsnummer
        seen.add(make(rng, born, synthetic=True))
    return sorted(seen)


async def admin(statement: str) -> None:
    conn = await asyncpg.connect(ADMIN)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def run(rows: int) -> None:
    name = f"dsop_bench_kfr_{uuid.uuid4().hex[:10]}"
    await admin(f'CREATE DATABASE "{name}"')
    base = ADMIN.rsplit("/", 1)[0]
    try:
        started = time.perf_counter()
        ids = customers(rows)
        print(f"generated {rows:,} distinct customer ids in {time.perf_counter() - started:.1f} s (not timed below)")
        starts = [date(2015 + i % 10, 1 + i % 12, 1 + i % 28) for i in range(rows)]
        entries = list(zip(ids, starts, strict=True))

        sample = ",".join(f"{c}#{d.isoformat()}" for c, d in entries[:100_000])
        t0 = time.perf_counter()
        parsed = parse_batch(sample, today=NOW.date(), synthetic_allowed=True)
        validate_s = time.perf_counter() - t0
        assert parsed.ok
        print(
            f"upload validation (parse_batch):    {100_000 / validate_s:>12,.0f} entries/s  "
            f"({len(sample) / 1e6:.1f} MB in {validate_s:.2f} s)"
        )

        db = Database.from_url(f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}")
        await db.create_schema()
        kfr = KfrStore(db)
        t0 = time.perf_counter()
        status = await kfr.submit_batch(ORG, DSOPBANK, entries, now=NOW, correlation_id=None)
        submit_s = time.perf_counter() - t0
        print(f"persist accepted batch (pending):   {rows / submit_s:>12,.0f} rel/s      ({submit_s:.2f} s)")

        t0 = time.perf_counter()
        assert await kfr.apply_batch(status.batch_id, NOW)
        apply_s = time.perf_counter() - t0
        done = await kfr.batch(status.batch_id)
        assert done is not None and done.added == rows, done
        apply_rate = rows / apply_s
        print(
            f"batch apply (one transaction):      {apply_rate:>12,.0f} rel/s      "
            f"({apply_s:.2f} s, added {done.added:,})"
        )

        again = await kfr.submit_batch(ORG, DSOPBANK, entries, now=NOW, correlation_id=None)
        t0 = time.perf_counter()
        assert await kfr.apply_batch(again.batch_id, NOW)
        reapply_s = time.perf_counter() - t0
        redo = await kfr.batch(again.batch_id)
        assert redo is not None and redo.added == 0
        print(f"same batch again (all unchanged):   {rows / reapply_s:>12,.0f} rel/s      ({reapply_s:.2f} s)")
        await db.close()

        conn = await asyncpg.connect(f"{base}/{name}")
        try:
            await conn.execute("CREATE TABLE kfr_copy (LIKE kfr_relation INCLUDING ALL)")
            records = [(ORG, c, DSOPBANK, d, None) for c, d in entries]
            t0 = time.perf_counter()
            await conn.copy_records_to_table(
                "kfr_copy", records=records, columns=("org_no", "customer_id", "rel_type", "start_date", "end_date")
            )
            copy_s = time.perf_counter() - t0
        finally:
            await conn.close()
        copy_rate = rows / copy_s
        print(f"bare COPY (same rows, same indexes):{copy_rate:>12,.0f} rel/s      ({copy_s:.2f} s)")
        print(
            f"ratio apply / COPY:                 {apply_rate / copy_rate:>12.2f}x   "
            f"(targets: >= 100,000 rel/s and >= 0.3x COPY)"
        )
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    asyncio.run(run(parser.parse_args().rows))


if __name__ == "__main__":
    main()
