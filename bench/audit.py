"""Benchmark the verifiable audit log, each figure against a floor measured in the same run.

A plain script (prints figures, asserts nothing, not run in CI):

* **appends/s** — 64 concurrent writers append records through ``SqlAuditLog`` (salted commitments, two
  tables, group commit, checkpoints every 256 records signed) on a SQLite file and on PostgreSQL, against
  the raw INSERT floor: the same 64 writers each INSERTing the same body bytes into a one-table log,
  one transaction per record (what a plain audit table does).  Target ≥ 0.5× the floor.
* **verify** — the independent verifier over N records (commitment from salt and body, leaf hash, the
  running root; a checkpoint at the end) against a bare SHA-256 loop over the same bytes.
* **inclusion proofs** — at N leaves: time to generate one (writer's tree), to check one (verifier), and
  its size (hashes, bytes): O(log n).

    .venv/bin/python bench/audit.py [--records 1000000] [--appends 6400] [--no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from opendsop.audit.log import AuditRecord, encoder
from opendsop.audit.merkle import MerkleTree
from opendsop.audit.signing import Signer
from opendsop.audit.sql import SqlAuditLog
from opendsop.contracts.auditproof import LogRecord, LogVerifier, leaf_hash, verify_inclusion
from opendsop.serving import create_engine
from opendsop.standard import auditlog

ADMIN = os.environ.get("DSOP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
WRITERS = 64
NOW = datetime(2026, 12, 8, 3, tzinfo=UTC)


def record(index: int) -> AuditRecord:
    return AuditRecord(
        recorded_at=NOW,
        correlation_id=str(uuid.UUID(int=index)),
        account_info_request_id="d4a820ca-ddde-11ed-b5ea-0242ac120002",
        legal_mandate="kkl.%20%C2%A7156",
        consumer_org="974760673",
        service="konkurs",
        endpoint="accountList",
        party_id="31908612345",
        outcome="allowed",
        status=200,
        records=index % 7,
    )


async def _writers(total: int, append: object) -> float:
    per = total // WRITERS

    async def writer(number: int) -> None:
        for index in range(per):
            await append(record(number * per + index))  # type: ignore[operator]

    started = time.perf_counter()
    await asyncio.gather(*(writer(number) for number in range(WRITERS)))
    return per * WRITERS / (time.perf_counter() - started)


async def appends(url: str, total: int) -> tuple[float, float]:
    """(audit log appends/s, raw INSERT floor/s) on the database at ``url``."""
    engine = create_engine(url)
    log = SqlAuditLog(engine, origin="bank-bench", signer=Signer.generate("bank-bench"))
    await log.create_schema()
    raw = sa.Table(
        "raw_log",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
    )
    async with engine.begin() as conn:
        await conn.run_sync(raw.metadata.create_all)

    turn = asyncio.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()

    async def insert(value: AuditRecord) -> None:
        async with turn, engine.begin() as conn:  # SQLite: one writer at a time, as one process would
            await conn.execute(raw.insert().values(body=encoder.encode(value)))

    try:
        floor = await _writers(total, insert)
        started = time.perf_counter()  # a reference, not the floor: every row in one transaction, no writers
        async with engine.begin() as conn:
            await conn.execute(raw.insert(), [{"body": encoder.encode(record(index))} for index in range(total)])
        print(
            f"  (raw INSERT of all {total:,} rows in one transaction: {total / (time.perf_counter() - started):,.0f}/s)"
        )
        ours = await _writers(total, log.append)
        assert await log.verify() == total // WRITERS * WRITERS
    finally:
        await log.close()
        await engine.dispose()
    return ours, floor


async def postgres_appends(total: int) -> tuple[float, float]:
    import asyncpg

    name = f"dsop_bench_audit_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(ADMIN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        return await appends(f"{base}/{name}", total)
    finally:
        conn = await asyncpg.connect(ADMIN)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


def verify_vs_sha256(count: int) -> tuple[float, float, float]:
    """Records/s over ``count`` records: the verifier, one bare SHA-256 per record, every hash verify does."""
    bodies = [encoder.encode(record(index)) for index in range(1024)]
    salt = os.urandom(auditlog.SALT_BYTES)
    started = time.perf_counter()
    commitments = bytearray()
    for sequence in range(1, count + 1):
        commitments += auditlog.commitment(salt, sequence, bodies[sequence % 1024])
    print(f"  (wrote {count:,} commitments in {time.perf_counter() - started:.1f} s, not timed below)")

    started = time.perf_counter()
    for sequence in range(1, count + 1):  # the same bytes the verifier reads: salt, sequence, body, commitment
        hashlib.sha256(salt + sequence.to_bytes(8, "big") + bodies[sequence % 1024]).digest()
    floor = count / (time.perf_counter() - started)

    started = time.perf_counter()  # the same three hashes per record verify does, in a tight loop
    stack: list[bytes] = []
    for sequence in range(1, count + 1):
        position = sequence.to_bytes(8, "big")
        commitment = hashlib.sha256(salt + position + bodies[sequence % 1024]).digest()
        node = hashlib.sha256(b"\x00" + position + commitment).digest()
        size = sequence - 1
        while size & 1:
            node = hashlib.sha256(b"\x01" + stack.pop() + node).digest()
            size >>= 1
        stack.append(node)
    every = count / (time.perf_counter() - started)

    verifier = LogVerifier([], {}, origin="bank-bench")
    started = time.perf_counter()
    for sequence in range(1, count + 1):
        verifier.add(
            LogRecord(sequence, bytes(commitments[(sequence - 1) * 32 : sequence * 32]), salt, bodies[sequence % 1024])
        )
    verifier.finish()
    ours = count / (time.perf_counter() - started)
    return ours, floor, every


def proofs(count: int, samples: int = 200) -> None:
    tree = MerkleTree()
    started = time.perf_counter()
    for sequence in range(1, count + 1):
        tree.append_leaf(sequence.to_bytes(8, "big") + hashlib.sha256(sequence.to_bytes(8, "big")).digest())
    print(f"  (built the writer's tree of {count:,} leaves in {time.perf_counter() - started:.1f} s)")
    root = tree.root()
    picks = [1 + (index * 7_919_993) % count for index in range(samples)]
    made, checked, sizes = [], [], []
    for sequence in picks:
        t0 = time.perf_counter()
        path = tree.inclusion_proof(sequence - 1)
        t1 = time.perf_counter()
        leaf = leaf_hash(sequence.to_bytes(8, "big") + hashlib.sha256(sequence.to_bytes(8, "big")).digest())
        t2 = time.perf_counter()
        verify_inclusion(sequence - 1, count, leaf, path, root)
        t3 = time.perf_counter()
        made.append(t1 - t0)
        checked.append(t3 - t2)
        sizes.append(len(path))
    print(
        f"inclusion proof at {count:,} leaves:  generate {statistics.median(made) * 1e3:.3f} ms, "
        f"check {statistics.median(checked) * 1e3:.3f} ms (median of {samples}); "
        f"{max(sizes)} hashes = {max(sizes) * 32} bytes (log2 n = {count.bit_length()})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=1_000_000, help="records to verify and leaves to prove")
    parser.add_argument("--appends", type=int, default=6400, help="records appended by the 64 writers")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        ours, floor = asyncio.run(appends(f"sqlite+aiosqlite:///{Path(directory) / 'audit.db'}", args.appends))
    print(
        f"appends, SQLite, {WRITERS} writers:  {ours:>9,.0f}/s  raw INSERT {floor:>9,.0f}/s  ratio {ours / floor:.2f}×"
    )
    if not args.no_postgres:
        ours, floor = asyncio.run(postgres_appends(args.appends))
        print(
            f"appends, PostgreSQL, {WRITERS} writers:  {ours:>9,.0f}/s  raw INSERT {floor:>9,.0f}/s  "
            f"ratio {ours / floor:.2f}×"
        )
    ours, floor, every = verify_vs_sha256(args.records)
    print(
        f"verify {args.records:,} records: {ours:>10,.0f}/s  bare SHA-256 of each record {floor:>10,.0f}/s  "
        f"ratio {ours / floor:.2f}×  ({args.records / ours:.1f} s)"
    )
    print(
        f"   … against a bare SHA-256 loop over every byte verify hashes (record, leaf, nodes) {every:>10,.0f}/s  "
        f"ratio {ours / every:.2f}×"
    )
    proofs(args.records)


if __name__ == "__main__":
    main()
