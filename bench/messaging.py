"""The message platform's throughput and event latency, each against a floor measured in the same run.

1. Correspondences created and delivered per second (one per recipient, 1 kB markdown body): every
   letter created through ``Platform.correspondences.create`` (policy checks, status history, outbox
   events in one transaction) and its ``published`` event delivered to the recipient's webhook by the
   dispatcher running alongside — against a raw INSERT of the same rows (the letter's JSON, one
   transaction per row) on the same database.
2. The same with one 1 MB attachment per letter (checked, scanned, stored by content hash) — against
   raw INSERTs of the same rows with the same bytes as a BLOB.
3. Broker throughput in MB/s: initialise, upload (hash, scan, store), publish, download and confirm
   1 MB and 8 MB files — against a bare file copy of the same bytes (``shutil.copyfile`` of each
   file; also printed with an fsync per file, since the platform's commits are durable).  A transfer's
   life cycle is some forty statements whatever its size, so small files measure round trips, not bytes.
4. Event delivery latency: p50/p95 from an event's time (stamped just before its commit) to its
   signed webhook POST arriving (an in-process endpoint: the platform's own path, not the network).

Targets: ≥ 0.3× each floor, p95 ≤ 250 ms.  ``--postgres URL`` runs on PostgreSQL instead of a SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import Column, LargeBinary, MetaData, String, Table, Text, insert

from opendsop.altinn.correspondence import Upload
from opendsop.altinn.platform import Platform
from opendsop.altinn.settings import AltinnSettings
from opendsop.altinn.store import MessageStore
from opendsop.clock import utc_now
from opendsop.contracts.messaging.models import (
    Correspondence,
    CorrespondenceContent,
    FileTransferInitialize,
    InitializeCorrespondences,
    Resource,
    SubscriptionRequest,
)
from opendsop.contracts.messaging.names import org_urn

AGENCY, BANK = "974760673", "984851006"
LETTERS, FILES = "bench-letter", "bench-files"
MB = 1024 * 1024
CONCURRENCY = 4
ROUNDS = 3


def report(what: str, rates: list[float], floors: list[float], unit: str, floor_name: str) -> None:
    rate, floor = statistics.median(rates), statistics.median(floors)
    print(f"{what}: {rate:.1f}{unit} vs {floor_name} {floor:.1f}{unit}, ratio {rate / floor:.2f}× (target ≥ 0.3×)")


class Receiver:
    """The recipient's webhook endpoint: counts deliveries and how long each event took to arrive."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.arrived = asyncio.Event()
        self.expected = 0

    async def post(self, _url: str, body: bytes, _headers: dict[str, str]) -> int:
        event = msgspec.json.decode(body)
        sent = msgspec.convert(event["time"], type=type(utc_now()))
        self.latencies.append((utc_now() - sent).total_seconds())
        if len(self.latencies) >= self.expected:
            self.arrived.set()
        return 204

    def expect(self, count: int) -> None:
        self.latencies.clear()
        self.arrived.clear()
        self.expected = count


def letter(n: int, body: str, files: list[str]) -> InitializeCorrespondences:
    return InitializeCorrespondences(
        correspondence=Correspondence(
            resource_id=LETTERS,
            senders_reference=f"bench-{n}",
            content=CorrespondenceContent(message_title=f"Brev {n}", message_body=body),
            property_list={"AccountInfoRequestID": str(uuid.uuid4())},
        ),
        recipients=[org_urn(BANK)],
    )


async def _bounded(items: list[Any], work: Any) -> None:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(item: Any) -> None:
        async with gate:
            await work(item)

    await asyncio.gather(*(one(item) for item in items))


async def correspondences(platform: Platform, receiver: Receiver, count: int, attachment: int) -> float:
    body = ("Forespørsel om kontoopplysninger. " * 40)[:1024]
    blobs = [os.urandom(attachment) for _ in range(count)] if attachment else []
    receiver.expect(count)
    started = time.perf_counter()

    async def send(n: int) -> None:
        files = [Upload(f"vedlegg-{n}.bin", blobs[n])] if attachment else []
        await platform.correspondences.create(AGENCY, letter(n, body, []), files)

    await _bounded(list(range(count)), send)
    await asyncio.wait_for(receiver.arrived.wait(), timeout=120)
    return count / (time.perf_counter() - started)


async def raw_inserts(platform: Platform, count: int, attachment: int) -> float:
    """The floor: the same rows (the letter's JSON, its blob) by plain INSERT, one transaction each."""
    metadata = MetaData()
    table = Table(
        f"bench_raw_{uuid.uuid4().hex[:8]}",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("data", Text, nullable=False),
        Column("blob", LargeBinary),
    )
    engine = platform.store.engine
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    body = ("Forespørsel om kontoopplysninger. " * 40)[:1024]
    rows = [
        {
            "id": str(uuid.uuid4()),
            "data": msgspec.json.encode(letter(n, body, [])).decode(),
            "blob": os.urandom(attachment) if attachment else None,
        }
        for n in range(count)
    ]
    started = time.perf_counter()

    async def put(row: dict[str, Any]) -> None:
        async with engine.begin() as conn:
            await conn.execute(insert(table).values(**row))

    await _bounded(rows, put)
    elapsed = time.perf_counter() - started
    async with engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
    return count / elapsed


async def broker(platform: Platform, receiver: Receiver, count: int, size: int) -> float:
    files = [os.urandom(size) for _ in range(count)]
    receiver.expect(count)
    started = time.perf_counter()

    async def transfer(data: bytes) -> None:
        request = FileTransferInitialize(file_name="melding.zip", resource_id=FILES, recipients=[org_urn(BANK)])
        fid = await platform.broker.initialize(AGENCY, request)
        await platform.broker.upload(AGENCY, fid, data)
        _, got = await platform.broker.download(BANK, fid)
        assert len(got) == len(data)
        await platform.broker.confirm(BANK, fid)

    await _bounded(files, transfer)
    await asyncio.wait_for(receiver.arrived.wait(), timeout=120)
    return count * size / MB / (time.perf_counter() - started)


def file_copy(directory: Path, count: int, size: int, *, fsync: bool) -> float:
    sources = []
    for n in range(count):
        path = directory / f"src-{n}.bin"
        path.write_bytes(os.urandom(size))
        sources.append(path)
    started = time.perf_counter()
    for n, path in enumerate(sources):
        target = directory / f"dst-{n}.bin"
        shutil.copyfile(path, target)
        if fsync:
            with target.open("rb+") as handle:
                os.fsync(handle.fileno())
    return count * size / MB / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a postgresql+asyncpg:// URL of an empty database")
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument("--attachments", type=int, default=15)
    parser.add_argument("--files", type=int, default=15)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="dsop-bench-messaging-"))
    url = args.postgres or f"sqlite+aiosqlite:///{directory / 'altinn.db'}"
    receiver = Receiver()
    settings = AltinnSettings(database_url=url, max_attachment_bytes=2 * MB, max_file_bytes=9 * MB)
    platform = Platform(MessageStore.from_url(url), settings, post=receiver.post)
    await platform.start()
    for identifier, kinds in ((LETTERS, ["correspondence"]), (FILES, ["broker"])):
        await platform.store.put_resource(
            Resource(identifier=identifier, owner=AGENCY, title=identifier, kinds=kinds, recipients=["*"])
        )
    await platform.events.subscribe(BANK, SubscriptionRequest(end_point="http://bank.bench/hook"))
    dispatcher = asyncio.create_task(platform.dispatcher.run(tick=0.05))
    try:
        await correspondences(platform, receiver, 20, 0)  # warm-up
        print(
            f"message platform on {'PostgreSQL' if args.postgres else 'SQLite'}, {CONCURRENCY} senders at once, "
            f"median of {ROUNDS} rounds, each alternating with its floor"
        )
        rates, floors, latencies = [], [], []
        for _ in range(ROUNDS):
            rates.append(await correspondences(platform, receiver, args.letters, 0))
            latencies += receiver.latencies
            floors.append(await raw_inserts(platform, args.letters, 0))
        report("1 kB letters created+delivered", rates, floors, "/s", "raw INSERT")
        latencies.sort()
        p50, p95 = statistics.median(latencies), latencies[int(0.95 * (len(latencies) - 1))]
        print(f"event delivery latency (webhook): p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms (target ≤ 250 ms)")
        rates, floors = [], []
        for _ in range(ROUNDS):
            rates.append(await correspondences(platform, receiver, args.attachments, MB))
            floors.append(await raw_inserts(platform, args.attachments, MB))
        report("letters with a 1 MB attachment", rates, floors, "/s", "raw INSERT")
        for size, count in ((1, args.files), (8, max(3, args.files // 4))):
            rates, floors, durable = [], [], []
            for _ in range(ROUNDS):
                rates.append(await broker(platform, receiver, count, size * MB))
                floors.append(file_copy(directory, count, size * MB, fsync=False))
                durable.append(file_copy(directory, count, size * MB, fsync=True))
            report(f"broker, {size} MB files up+down", rates, floors, " MB/s", "file copy")
            print(
                f"    (against a copy with fsync per file: {statistics.median(durable):.1f} MB/s, "
                f"ratio {statistics.median(rates) / statistics.median(durable):.2f}×)"
            )
    finally:
        dispatcher.cancel()
        await asyncio.gather(dispatcher, return_exceptions=True)
        await platform.close()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
