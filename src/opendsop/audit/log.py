"""The audit log: one record per request, allowed or denied (DSOP “eOppslag”).

What is kept is what the standard asks a bank to be able to prove later: ``CorrelationID``,
``AccountInfoRequestID``, ``Legal-Mandate`` *together with* ``AdditionalReferenceIDType``/``ID``,
``RequesterID``, the consumer (and supplier), endpoint, party or account reference, period, outcome
and the number of records returned.  It lives in the party's own database, never in plain logs.

Tamper evidence: every record carries ``hash = SHA-256(previous hash ‖ canonical JSON of the record)``,
so editing or deleting a row in the middle breaks ``verify`` from that row on.  Appends are
serialised (one writer at a time: SQLite's write lock, a PostgreSQL advisory lock) because each
record depends on the one before it.

Retention: the v1 legal page asked for 13 years for ``AccountInfoRequestID`` (limitation periods:
3 years plus up to 10 years' extension); v2 leaves it to each bank's legal department, so it is a
setting.  Purging removes the oldest prefix of the chain and records the hash it ended on as the new
anchor, so the rest still verifies.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

GENESIS = "0" * 64
DEFAULT_RETENTION_YEARS = 13
_ADVISORY_LOCK = 0x44534F50  # "DSOP": serialises appends across processes on PostgreSQL
_MAX_BATCH = 500


class AuditRecord(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One decision.  NOTE: the canonical encoding of these fields is hashed; add fields only at
    the end with a default, never rename or reorder them."""

    recorded_at: datetime
    correlation_id: str | None = None
    account_info_request_id: str | None = None
    legal_mandate: str | None = None
    additional_reference_id_type: str | None = None
    additional_reference_id: str | None = None
    requester_id: str | None = None
    consumer_org: str | None = None
    supplier_org: str | None = None
    service: str | None = None
    endpoint: str
    party_id: str | None = None
    account_reference: str | None = None
    from_date: date | None = None
    to_date: date | None = None
    outcome: str  # "allowed" or the error code (ACC-011, ERR-002, ...)
    status: int
    records: int = 0
    message: str | None = None
    # Whether the answer reached the caller (written after it was sent); None where that is not
    # known (records from before this field, callers that append before answering).
    delivered: bool | None = None
    api_version: str | None = None  # "v1" or "v2" at a bank's Control API


@dataclass(frozen=True, slots=True)
class StoredRecord:
    sequence: int
    record: AuditRecord
    previous_hash: str
    hash: str


class ChainBroken(Exception):
    """``verify`` found a record whose hash does not follow from its predecessor."""

    def __init__(self, sequence: int, reason: str) -> None:
        super().__init__(f"audit chain broken at record {sequence}: {reason}")
        self.sequence = sequence


_encoder = msgspec.json.Encoder(order="sorted")


def record_hash(previous_hash: str, record: AuditRecord) -> str:
    return hashlib.sha256(previous_hash.encode("ascii") + _encoder.encode(record)).hexdigest()


class AuditLog(Protocol):
    async def append(self, record: AuditRecord) -> StoredRecord: ...

    async def records(
        self, *, account_info_request_id: str | None = None, after: int = 0, limit: int = 1000
    ) -> Sequence[StoredRecord]: ...

    async def verify(self) -> int: ...

    async def purge_before(self, cutoff: datetime) -> int: ...


def verify_chain(anchor: str, rows: Iterable[StoredRecord]) -> int:
    """Check a run of records against the hash they must start from; returns how many were checked."""
    previous, count = anchor, 0
    for row in rows:
        if row.previous_hash != previous:
            raise ChainBroken(row.sequence, "it does not follow the record before it (a row was removed)")
        if record_hash(previous, row.record) != row.hash:
            raise ChainBroken(row.sequence, "its content does not match its hash (the row was changed)")
        previous, count = row.hash, count + 1
    return count


class MemoryAuditLog:
    """In-process twin (tests, the demo)."""

    def __init__(self) -> None:
        self._rows: list[StoredRecord] = []
        self._anchor = GENESIS

    async def append(self, record: AuditRecord) -> StoredRecord:
        previous = self._rows[-1].hash if self._rows else self._anchor
        stored = StoredRecord(
            len(self._rows) + 1 if not self._rows else self._rows[-1].sequence + 1,
            record,
            previous,
            record_hash(previous, record),
        )
        self._rows.append(stored)
        return stored

    async def records(
        self, *, account_info_request_id: str | None = None, after: int = 0, limit: int = 1000
    ) -> Sequence[StoredRecord]:
        rows = [
            row
            for row in self._rows
            if row.sequence > after
            and (account_info_request_id is None or row.record.account_info_request_id == account_info_request_id)
        ]
        return rows[:limit]

    async def verify(self) -> int:
        return verify_chain(self._anchor, self._rows)

    async def purge_before(self, cutoff: datetime) -> int:
        keep = [row for row in self._rows if row.record.recorded_at >= cutoff]
        purged = len(self._rows) - len(keep)
        if purged:
            self._anchor = self._rows[purged - 1].hash
            self._rows = self._rows[purged:]
        return purged


metadata = sa.MetaData()
audit_records = sa.Table(
    "audit_records",
    metadata,
    sa.Column("sequence", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("account_info_request_id", sa.String(64), index=True),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("previous_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("delivered", sa.Boolean(), nullable=True),  # copies of the hashed body's fields, to query by
    sa.Column("api_version", sa.String(8), nullable=True),
)
audit_anchor = sa.Table(
    "audit_anchor",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("last_sequence", sa.BigInteger, nullable=False),
)
_decoder = msgspec.json.Decoder(AuditRecord)


class SqlAuditLog:
    """The audit log in the party's SQL database (SQLite or PostgreSQL)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[tuple[AuditRecord, asyncio.Future[StoredRecord]]] | None = None
        self._writer: asyncio.Task[None] | None = None

    async def create_schema(self) -> None:
        """Bring the audit tables to the current revision (alembic, ``audit.migrations``)."""
        from opendsop.audit.migrations import upgrade_engine

        await upgrade_engine(self.engine)

    async def append(self, record: AuditRecord) -> StoredRecord:
        """Store one record; returns once it is committed (a response is never sent before its record).

        Concurrent appends are committed together (group commit): each record depends on the one before
        it, so appends are serialised, and one transaction per waiting batch instead of per record
        keeps a busy bank from queueing behind its own audit log.
        """
        loop = asyncio.get_running_loop()
        if self._queue is None or self._loop is not loop:
            self._loop, self._queue = loop, asyncio.Queue()
            self._writer = loop.create_task(self._write_batches(self._queue))
        done: asyncio.Future[StoredRecord] = loop.create_future()
        await self._queue.put((record, done))
        return await done

    async def _write_batches(self, queue: asyncio.Queue[tuple[AuditRecord, asyncio.Future[StoredRecord]]]) -> None:
        while True:
            batch = [await queue.get()]
            while not queue.empty() and len(batch) < _MAX_BATCH:
                batch.append(queue.get_nowait())
            try:
                stored = await self._commit([record for record, _ in batch])
            except Exception as error:  # noqa: BLE001 - handed to every waiting caller, none is lost
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
                continue
            for (_, done), row in zip(batch, stored, strict=True):
                if not done.done():
                    done.set_result(row)

    async def _commit(self, records: Sequence[AuditRecord]) -> list[StoredRecord]:
        async with self.engine.begin() as conn:
            if self._postgres:
                await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
            last = (
                await conn.execute(
                    sa.select(audit_records.c.sequence, audit_records.c.hash)
                    .order_by(audit_records.c.sequence.desc())
                    .limit(1)
                )
            ).first()
            if last is None:
                anchor = (await conn.execute(sa.select(audit_anchor.c.hash, audit_anchor.c.last_sequence))).first()
                previous, sequence = (anchor.hash, anchor.last_sequence + 1) if anchor else (GENESIS, 1)
            else:
                previous, sequence = last.hash, last.sequence + 1
            stored, rows = [], []
            for record in records:
                digest = record_hash(previous, record)
                stored.append(StoredRecord(sequence, record, previous, digest))
                rows.append(
                    {
                        "sequence": sequence,
                        "recorded_at": record.recorded_at,
                        "account_info_request_id": record.account_info_request_id,
                        "body": _encoder.encode(record),
                        "previous_hash": previous,
                        "hash": digest,
                        "delivered": record.delivered,
                        "api_version": record.api_version,
                    }
                )
                previous, sequence = digest, sequence + 1
            await conn.execute(audit_records.insert(), rows)
        return stored

    async def close(self) -> None:
        """Stop the writer (records already appended are committed)."""
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await self._writer
        self._writer = self._queue = self._loop = None

    async def records(
        self, *, account_info_request_id: str | None = None, after: int = 0, limit: int = 1000
    ) -> Sequence[StoredRecord]:
        query = (
            sa.select(audit_records)
            .where(audit_records.c.sequence > after)
            .order_by(audit_records.c.sequence)
            .limit(limit)
        )
        if account_info_request_id is not None:
            query = query.where(audit_records.c.account_info_request_id == account_info_request_id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [StoredRecord(row.sequence, _decoder.decode(row.body), row.previous_hash, row.hash) for row in rows]

    async def verify(self) -> int:
        async with self.engine.connect() as conn:
            anchor = (await conn.execute(sa.select(audit_anchor.c.hash))).scalar()
        previous, checked, after = anchor or GENESIS, 0, 0
        while True:
            batch = await self.records(after=after, limit=5000)
            if not batch:
                return checked
            checked += verify_chain(previous, batch)
            previous, after = batch[-1].hash, batch[-1].sequence

    async def purge_before(self, cutoff: datetime) -> int:
        async with self.engine.begin() as conn:
            if self._postgres:
                await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
            last = (
                await conn.execute(
                    sa.select(audit_records.c.sequence, audit_records.c.hash)
                    .where(audit_records.c.recorded_at < cutoff)
                    .order_by(audit_records.c.sequence.desc())
                    .limit(1)
                )
            ).first()
            if last is None:
                return 0
            purged = (
                await conn.execute(audit_records.delete().where(audit_records.c.sequence <= last.sequence))
            ).rowcount
            await conn.execute(audit_anchor.delete())
            await conn.execute(audit_anchor.insert().values(id=1, hash=last.hash, last_sequence=last.sequence))
        return int(purged or 0)


def retention_cutoff(now: datetime, years: int = DEFAULT_RETENTION_YEARS) -> datetime:
    """The moment before which records may be purged under a retention of ``years``."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


__all__ = [
    "DEFAULT_RETENTION_YEARS",
    "GENESIS",
    "AuditLog",
    "AuditRecord",
    "ChainBroken",
    "MemoryAuditLog",
    "SqlAuditLog",
    "StoredRecord",
    "record_hash",
    "retention_cutoff",
    "verify_chain",
]
