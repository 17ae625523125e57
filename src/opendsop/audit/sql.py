"""The audit log in the party's SQL database (SQLite or PostgreSQL), appended in groups.

Three tables (``audit.migrations`` 0003): ``audit_leaves`` (sequence, time, commitment and the
non-personal columns an auditor filters on), ``audit_personal`` (salt, body and the subject: what a purge
or an erasure removes) and ``audit_checkpoints`` (the signed checkpoints, with the witness's cosignature
once it has given it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from opendsop.audit.log import (
    DEFAULT_CHECKPOINT_EVERY,
    DEFAULT_CHECKPOINT_SECONDS,
    AuditRecord,
    MerkleLog,
    Row,
    StoredRecord,
    decoder,
    new_row,
)
from opendsop.audit.signing import Signer
from opendsop.clock import utc_now
from opendsop.contracts.auditproof import Checkpoint

_ADVISORY_LOCK = 0x44534F50  # "DSOP": serialises appends across processes on PostgreSQL
_MAX_BATCH = 1000
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

metadata = sa.MetaData()
audit_leaves = sa.Table(
    "audit_leaves",
    metadata,
    sa.Column("sequence", _ID, primary_key=True, autoincrement=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("commitment", sa.LargeBinary(32), nullable=False),
    # copies of the committed body's non-personal fields, to query by (not part of the proof)
    sa.Column("account_info_request_id", sa.String(64), index=True),
    sa.Column("consumer_org", sa.String(16), index=True),
    sa.Column("service", sa.String(64)),
    sa.Column("outcome", sa.String(32)),
    sa.Column("delivered", sa.Boolean(), nullable=True),
    sa.Column("api_version", sa.String(8), nullable=True),
)
audit_personal = sa.Table(
    "audit_personal",
    metadata,
    sa.Column("sequence", _ID, primary_key=True, autoincrement=False),
    sa.Column("salt", sa.LargeBinary(16), nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("subject", sa.String(64), index=True),  # whom the record is about (innsyn looks it up)
)
audit_checkpoints = sa.Table(
    "audit_checkpoints",
    metadata,
    sa.Column("size", _ID, primary_key=True, autoincrement=False),
    sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("body", sa.Text, nullable=False),  # the checkpoint's JSON with every signature
)


def _leaf_values(row: Row, record: AuditRecord) -> dict[str, object]:
    return {
        "sequence": row.sequence,
        "recorded_at": row.recorded_at,
        "commitment": row.commitment,
        "account_info_request_id": record.account_info_request_id,
        "consumer_org": record.consumer_org,
        "service": record.service,
        "outcome": record.outcome[:32],
        "delivered": record.delivered,
        "api_version": record.api_version,
    }


def _row(row: Any) -> Row:
    salt, body = row.salt, row.body
    return Row(
        row.sequence,
        row.recorded_at,
        bytes(row.commitment),
        bytes(salt) if salt is not None else None,
        bytes(body) if body is not None else None,
    )


class SqlAuditLog(MerkleLog):
    """The verifiable audit log on ``engine``."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        origin: str = "audit",
        signer: Signer | None = None,
        checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
        checkpoint_seconds: float = DEFAULT_CHECKPOINT_SECONDS,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._setup(origin, signer, checkpoint_every, checkpoint_seconds, clock)
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

        Concurrent appends are committed together (group commit): sequences are contiguous, so appends
        are serialised, and one transaction per waiting batch instead of per record keeps a busy party
        from queueing behind its own audit log.
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
            with contextlib.suppress(Exception):  # a checkpoint that fails is retried on the next append
                await self._after_append(stored[-1].sequence)
            for (_, done), row in zip(batch, stored, strict=True):
                if not done.done():
                    done.set_result(row)

    async def _commit(self, records: Sequence[AuditRecord]) -> list[StoredRecord]:
        async with self.engine.begin() as conn:
            if self._postgres:
                await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
            else:  # SQLite: take the write lock before reading the last sequence (another worker may append)
                await conn.execute(audit_leaves.delete().where(sa.false()))
            last = (await conn.execute(sa.select(sa.func.max(audit_leaves.c.sequence)))).scalar()
            sequence = (last or 0) + 1
            rows = [new_row(sequence + offset, record) for offset, record in enumerate(records)]
            await conn.execute(
                audit_leaves.insert(), [_leaf_values(row, record) for row, record in zip(rows, records, strict=True)]
            )
            await conn.execute(
                audit_personal.insert(),
                [
                    {"sequence": row.sequence, "salt": row.salt, "body": row.body, "subject": record.party_id}
                    for row, record in zip(rows, records, strict=True)
                ],
            )
        return [
            StoredRecord(row.sequence, record, row.commitment.hex()) for row, record in zip(rows, records, strict=True)
        ]

    async def close(self) -> None:
        """Stop the writer (records already appended are committed)."""
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await self._writer
        self._writer = self._queue = self._loop = None

    def _joined(self) -> sa.Select[tuple[object, ...]]:
        return sa.select(
            audit_leaves.c.sequence,
            audit_leaves.c.recorded_at,
            audit_leaves.c.commitment,
            audit_personal.c.salt,
            audit_personal.c.body,
        ).select_from(audit_leaves.outerjoin(audit_personal, audit_personal.c.sequence == audit_leaves.c.sequence))

    async def records(
        self,
        *,
        account_info_request_id: str | None = None,
        after: int = 0,
        limit: int = 1000,
        subject: str | None = None,
        consumer_org: str | None = None,
        service: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Sequence[StoredRecord]:
        """Records (not purged) in order, filtered by any of the keywords."""
        query = (
            self._joined()
            .where(audit_leaves.c.sequence > after, audit_personal.c.body.is_not(None))
            .order_by(audit_leaves.c.sequence)
            .limit(limit)
        )
        for column, value in (
            (audit_leaves.c.account_info_request_id, account_info_request_id),
            (audit_personal.c.subject, subject),
            (audit_leaves.c.consumer_org, consumer_org),
            (audit_leaves.c.service, service),
        ):
            if value is not None:
                query = query.where(column == value)
        if since is not None:
            query = query.where(audit_leaves.c.recorded_at >= since)
        if until is not None:
            query = query.where(audit_leaves.c.recorded_at < until)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [StoredRecord(row.sequence, decoder.decode(row.body), bytes(row.commitment).hex()) for row in rows]

    async def _rows(self, after: int, limit: int) -> Sequence[Row]:
        query = self._joined().where(audit_leaves.c.sequence > after).order_by(audit_leaves.c.sequence).limit(limit)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_row(row) for row in rows]

    async def rows_at(self, sequences: Iterable[int]) -> list[Row]:
        wanted, found = sorted(set(sequences)), []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            query = self._joined().where(audit_leaves.c.sequence.in_(chunk)).order_by(audit_leaves.c.sequence)
            async with self.engine.connect() as conn:
                found += [_row(row) for row in (await conn.execute(query)).all()]
        return found

    async def _leaves_after(self, size: int) -> Iterable[tuple[int, bytes]]:
        query = (
            sa.select(audit_leaves.c.sequence, audit_leaves.c.commitment)
            .where(audit_leaves.c.sequence > size)
            .order_by(audit_leaves.c.sequence)
        )
        async with self.engine.connect() as conn:
            return [(row.sequence, bytes(row.commitment)) for row in (await conn.execute(query)).all()]

    async def store_checkpoint(self, checkpoint: Checkpoint) -> None:
        body = json.dumps(checkpoint.to_json(), sort_keys=True)
        async with self.engine.begin() as conn:
            await conn.execute(audit_checkpoints.delete().where(audit_checkpoints.c.size == checkpoint.size))
            await conn.execute(
                audit_checkpoints.insert().values(size=checkpoint.size, signed_at=self.clock(), body=body)
            )

    async def checkpoints(self) -> list[Checkpoint]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(sa.select(audit_checkpoints.c.body).order_by(audit_checkpoints.c.size))).all()
        return [Checkpoint.from_json(json.loads(row.body)) for row in rows]

    async def purge_before(self, cutoff: datetime) -> int:
        """Remove the personal part of every record before ``cutoff``; the leaves and checkpoints stay."""
        async with self.engine.begin() as conn:
            old = sa.select(audit_leaves.c.sequence).where(audit_leaves.c.recorded_at < cutoff)
            purged = (await conn.execute(audit_personal.delete().where(audit_personal.c.sequence.in_(old)))).rowcount
            await conn.execute(
                audit_leaves.update().where(audit_leaves.c.recorded_at < cutoff).values(account_info_request_id=None)
            )
        return int(purged or 0)


def party_log(
    engine: AsyncEngine, *, origin: str, key_file: str | None = None, witness_url: str | None = None
) -> SqlAuditLog:
    """A party's log on ``engine``: signed with the key in ``key_file`` (made on first use), witnessed at
    ``witness_url``; unsigned (no checkpoints) without a key."""
    from pathlib import Path

    signer = Signer.from_file(origin, Path(key_file), create=True) if key_file else None
    log = SqlAuditLog(engine, origin=origin, signer=signer)
    if witness_url and signer is not None:
        from opendsop.audit.witnessing import attach

        attach(log, witness_url)
    return log


__all__ = ["SqlAuditLog", "audit_checkpoints", "audit_leaves", "audit_personal", "metadata", "party_log"]
