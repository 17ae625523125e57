"""The audit log: one record per request, allowed or denied (DSOP “eOppslag”), verifiable by anyone.

What is kept is what the standard asks a bank to be able to prove later: ``CorrelationID``,
``AccountInfoRequestID``, ``Legal-Mandate`` *together with* ``AdditionalReferenceIDType``/``ID``,
``RequesterID``, the consumer (and supplier), endpoint, party or account reference, period, outcome
and the number of records returned.  It lives in the party's own database, never in plain logs.

Tamper evidence (``standard.auditlog``): each record is committed to as ``SHA-256(salt ‖ sequence ‖
body)``, the commitments are the leaves of an RFC 9162 Merkle tree, and every ``checkpoint_every``
records or ``checkpoint_seconds`` the party signs a checkpoint (size, root, time) with its own key.  The
personal part (body and salt) is kept apart from the commitment, so a retention purge or an erasure
removes it while the tree, the checkpoints and every other record's proof still verify.  Appends are
serialised (SQLite's write lock, a PostgreSQL advisory lock) and committed in groups.

Retention: the v1 legal page asked for 13 years for ``AccountInfoRequestID`` (limitation periods:
3 years plus up to 10 years' extension); v2 leaves it to each bank's legal department, so it is a
setting (``dsop audit purge --years``).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

import msgspec

from opendsop.audit.merkle import MerkleTree
from opendsop.audit.signing import Signer
from opendsop.clock import utc_now
from opendsop.contracts.auditproof import Checkpoint, LogRecord, LogVerifier, ProofError
from opendsop.standard import auditlog

DEFAULT_RETENTION_YEARS = 13
DEFAULT_CHECKPOINT_EVERY = 256
DEFAULT_CHECKPOINT_SECONDS = 60.0


class AuditRecord(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One decision.  NOTE: the canonical encoding of these fields is committed to; add fields only at
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
    consent_id: str | None = None  # the consent a consent-based disclosure rested on
    categories: tuple[str, ...] = ()  # the data categories delivered (never the data)
    embargo_until: date | None = None  # a covert request: hidden from the person until then (or a lift)
    lifts: str | None = None  # a lift message: the CorrelationID whose embargo ends now


@dataclass(frozen=True, slots=True)
class StoredRecord:
    sequence: int
    record: AuditRecord
    commitment: str  # hex

    @property
    def hash(self) -> str:
        return self.commitment


class ChainBroken(Exception):
    """``verify`` found the first record (``sequence``) or checkpoint where the log stops verifying."""

    def __init__(self, sequence: int, reason: str) -> None:
        super().__init__(f"audit log broken at record {sequence}: {reason}")
        self.sequence = sequence
        self.reason = reason


encoder = msgspec.json.Encoder(order="sorted")
_encoder = encoder  # older name
decoder = msgspec.json.Decoder(AuditRecord)


class AuditLog(Protocol):
    async def append(self, record: AuditRecord) -> StoredRecord: ...

    async def records(
        self, *, account_info_request_id: str | None = None, after: int = 0, limit: int = 1000
    ) -> Sequence[StoredRecord]: ...

    async def verify(self) -> int: ...

    async def purge_before(self, cutoff: datetime) -> int: ...


@dataclass(frozen=True, slots=True)
class Row:
    """One record as stored: the leaf part always, the personal part (salt, body) until purged."""

    sequence: int
    recorded_at: datetime
    commitment: bytes
    salt: bytes | None
    body: bytes | None

    def stored(self) -> StoredRecord | None:
        if self.body is None:
            return None
        return StoredRecord(self.sequence, decoder.decode(self.body), self.commitment.hex())


def new_row(sequence: int, record: AuditRecord) -> Row:
    salt, body = os.urandom(auditlog.SALT_BYTES), encoder.encode(record)
    return Row(sequence, record.recorded_at, auditlog.commitment(salt, sequence, body), salt, body)


class MerkleLog:
    """What both stores share: the tree over the leaves, checkpoints, proofs and ``verify``."""

    origin: str
    signer: Signer | None
    keys: dict[str, bytes]

    def _setup(
        self,
        origin: str,
        signer: Signer | None,
        checkpoint_every: int,
        checkpoint_seconds: float,
        clock: Callable[[], datetime],
    ) -> None:
        self.origin, self.signer, self.clock = origin, signer, clock
        self.checkpoint_every, self.checkpoint_seconds = checkpoint_every, checkpoint_seconds
        self.keys = {origin: signer.public_key} if signer else {}
        self._tree = MerkleTree()
        self._last_checkpoint: tuple[int, datetime] | None = None
        self.on_checkpoint: Callable[[Checkpoint], object] | None = None  # e.g. send it to the witness

    async def append(self, record: AuditRecord) -> StoredRecord:
        raise NotImplementedError

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
        raise NotImplementedError

    # storage hooks
    async def _leaves_after(self, size: int) -> Iterable[tuple[int, bytes]]:
        raise NotImplementedError

    async def store_checkpoint(self, checkpoint: Checkpoint) -> None:
        raise NotImplementedError

    async def checkpoints(self) -> list[Checkpoint]:
        raise NotImplementedError

    async def _rows(self, after: int, limit: int) -> Sequence[Row]:
        raise NotImplementedError

    async def rows_at(self, sequences: Iterable[int]) -> list[Row]:
        """The stored rows (personal part included) of ``sequences``, in order."""
        raise NotImplementedError

    async def tree(self) -> MerkleTree:
        """The tree over every leaf stored so far (brought up to date from the store)."""
        for sequence, commitment in await self._leaves_after(self._tree.size):
            if sequence != self._tree.size + 1:  # a gap: the store changed under us; rebuild from scratch
                self._tree = MerkleTree()
                return await self.tree()
            self._tree.append_leaf(auditlog.leaf(sequence, commitment))
        return self._tree

    async def checkpoint(self) -> Checkpoint:
        """Sign and keep a checkpoint of the log as it is now."""
        if self.signer is None:
            raise ProofError(f"the audit log of {self.origin} has no signing key")
        tree = await self.tree()
        signed = self.signer.sign(self.origin, tree.size, tree.root(), self.clock())
        await self.store_checkpoint(signed)
        self._last_checkpoint = (tree.size, self.clock())
        if self.on_checkpoint is not None:
            result = self.on_checkpoint(signed)
            if asyncio.iscoroutine(result):
                await result
        return signed

    async def _after_append(self, size: int) -> None:
        if self.signer is None:
            return
        if self._last_checkpoint is None:
            stored = await self.checkpoints()
            self._last_checkpoint = (stored[-1].size, self.clock()) if stored else (0, self.clock())
        done, when = self._last_checkpoint
        due = size - done >= self.checkpoint_every or (
            size > done and self.clock() - when >= timedelta(seconds=self.checkpoint_seconds)
        )
        if due:
            await self.checkpoint()

    async def inclusion_proof(self, sequence: int, size: int | None = None) -> list[bytes]:
        tree = await self.tree()
        return tree.inclusion_proof(sequence - 1, tree.size if size is None else size)

    async def consistency_proof(self, size1: int, size2: int) -> list[bytes]:
        return (await self.tree()).consistency_proof(size1, size2)

    async def verify(self, keys: dict[str, bytes] | None = None, *, since: int = 0) -> int:
        """Check every record and checkpoint with the independent verifier; returns the number of records.

        ``keys`` are the trusted public keys (the log's own by default); ``since`` only checks the
        checkpoints from that size on (records are always all checked).  Raises ``ChainBroken`` at the
        first bad position.
        """
        trusted = {**self.keys, **(keys or {})}
        try:
            verifier = LogVerifier(
                [c for c in await self.checkpoints() if c.size >= since], trusted, origin=self.origin
            )
            after = 0
            while chunk := await self._rows(after, 5000):
                for row in chunk:
                    verifier.add(LogRecord(row.sequence, row.commitment, row.salt, row.body))
                after = chunk[-1].sequence
            return verifier.finish()
        except ProofError as error:
            raise ChainBroken(error.position or 0, str(error)) from None


class MemoryAuditLog(MerkleLog):
    """In-process twin (tests, the demo)."""

    def __init__(
        self,
        *,
        origin: str = "audit",
        signer: Signer | None = None,
        checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
        checkpoint_seconds: float = DEFAULT_CHECKPOINT_SECONDS,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._setup(origin, signer, checkpoint_every, checkpoint_seconds, clock)
        self.rows: list[Row] = []
        self._checkpoints: dict[int, Checkpoint] = {}

    async def append(self, record: AuditRecord) -> StoredRecord:
        row = new_row(len(self.rows) + 1, record)
        self.rows.append(row)
        await self._after_append(row.sequence)
        stored = row.stored()
        assert stored is not None
        return stored

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
        found = [s for r in self.rows if r.sequence > after and (s := r.stored()) is not None]
        wanted = {
            "account_info_request_id": account_info_request_id,
            "party_id": subject,
            "consumer_org": consumer_org,
            "service": service,
        }
        return [
            row
            for row in found
            if all(value is None or getattr(row.record, name) == value for name, value in wanted.items())
            and (since is None or row.record.recorded_at >= since)
            and (until is None or row.record.recorded_at < until)
        ][:limit]

    async def _rows(self, after: int, limit: int) -> Sequence[Row]:
        return self.rows[after : after + limit]

    async def rows_at(self, sequences: Iterable[int]) -> list[Row]:
        return [self.rows[sequence - 1] for sequence in sorted(set(sequences)) if 0 < sequence <= len(self.rows)]

    async def _leaves_after(self, size: int) -> Iterable[tuple[int, bytes]]:
        return [(row.sequence, row.commitment) for row in self.rows[size:]]

    async def store_checkpoint(self, checkpoint: Checkpoint) -> None:
        self._checkpoints[checkpoint.size] = checkpoint

    async def checkpoints(self) -> list[Checkpoint]:
        return [self._checkpoints[size] for size in sorted(self._checkpoints)]

    async def purge_before(self, cutoff: datetime) -> int:
        purged = 0
        for index, row in enumerate(self.rows):
            if row.recorded_at < cutoff and row.body is not None:
                self.rows[index] = Row(row.sequence, row.recorded_at, row.commitment, None, None)
                purged += 1
        return purged


def retention_cutoff(now: datetime, years: int = DEFAULT_RETENTION_YEARS) -> datetime:
    """The moment before which records may be purged under a retention of ``years``."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


# The SQL store lives in its own module (this one stays short); imported last, as it builds on the above.
from opendsop.audit.sql import SqlAuditLog, audit_checkpoints, audit_leaves, audit_personal  # noqa: E402

__all__ = [
    "DEFAULT_RETENTION_YEARS",
    "AuditLog",
    "AuditRecord",
    "ChainBroken",
    "MemoryAuditLog",
    "MerkleLog",
    "Row",
    "SqlAuditLog",
    "StoredRecord",
    "audit_checkpoints",
    "audit_leaves",
    "audit_personal",
    "retention_cutoff",
]
