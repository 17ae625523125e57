"""KFR (Kundeforholdsregisteret): customer-level ``DSOPBANK`` relations that institutions outside
NICS report, the batches they upload, and the read side the hub queries (DSOP Kundeforholdsregister “Om”).

* Adding is idempotent: an open relation for (institution, customer, type) already present
  answers "already present" (200) and changes nothing.
* Deleting closes the open relation with today's date (404 KFR-008 if none is open), so the
  history stays queryable for past periods.
* A batch is persisted as ``pending`` with its validated entries before the upload is answered;
  ``apply_batch`` then inserts every entry and marks the batch ``applied`` in **one**
  transaction (COPY into a temporary table and one ``INSERT … SELECT … ON CONFLICT DO NOTHING``
  on PostgreSQL, ``executemany`` on SQLite).  A crash or restart before the commit leaves the
  batch ``pending`` with nothing of it stored, and ``pending_batches`` lets startup resume it.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from opendsop.relations.batch import decode_payload, encode_payload, fingerprint
from opendsop.relations.sources import Relation, Role, SourceUnavailable
from opendsop.relations.store import Database, institution, kfr_batch, kfr_relation
from opendsop.serving import without_statement_timeout
from opendsop.standard.period import Period

DSOPBANK = "DSOPBANK"
_OPEN = kfr_relation.c.end_date.is_(None)
_PG_RELATIONS = (  # the hot read path on PostgreSQL (see Database.read_pool)
    "SELECT k.org_no, i.name, k.start_date, k.end_date FROM kfr_relation k "
    "LEFT JOIN institution i ON i.org_no = k.org_no "
    "WHERE k.customer_id = $1 AND k.start_date <= $2 AND (k.end_date IS NULL OR k.end_date >= $3)"
)
_STAGE_COLUMNS = ("org_no", "customer_id", "rel_type", "start_date", "end_date")
_COPY_THRESHOLD = 1000  # below this a multi-row INSERT … ON CONFLICT beats a temp table + COPY
_MERGE_STAGE = text(
    "INSERT INTO kfr_relation (org_no, customer_id, rel_type, start_date) "
    "SELECT CAST(:org_no AS varchar), s.customer_id, CAST(:rel_type AS varchar), s.start_date "
    "FROM kfr_batch_stage s WHERE NOT EXISTS (SELECT 1 FROM kfr_relation k WHERE k.org_no = CAST(:org_no AS varchar) "
    "AND k.customer_id = s.customer_id AND k.rel_type = CAST(:rel_type AS varchar) AND k.end_date IS NULL)"
)
_MERGE_STAGE_ON_CONFLICT = text(
    "INSERT INTO kfr_relation (org_no, customer_id, rel_type, start_date) "
    "SELECT CAST(:org_no AS varchar), customer_id, CAST(:rel_type AS varchar), start_date FROM kfr_batch_stage "
    "ON CONFLICT (org_no, customer_id, rel_type) WHERE end_date IS NULL DO NOTHING"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class KfrRow:
    """One relation for the bulk loader (``dsop relations kfr load``)."""

    org_no: str
    customer_id: str
    start: date
    end: date | None = None
    rel_type: str = DSOPBANK


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchStatus:
    batch_id: str
    org_no: str
    status: str  # pending | applied | failed
    total: int
    added: int | None
    unchanged: int | None
    created_at: datetime
    finished_at: datetime | None
    message: str | None
    correlation_id: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "batchId": self.batch_id,
            "organizationID": self.org_no,
            "status": self.status,
            "total": self.total,
            "added": self.added,
            "unchanged": self.unchanged,
            "createdAt": _iso(self.created_at),
            "finishedAt": _iso(self.finished_at) if self.finished_at else None,
            "message": self.message,
        }


def _iso(value: datetime) -> str:
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat().replace("+00:00", "Z")


async def _insert_relations(db: Database, conn: AsyncConnection, records: Sequence[tuple[object, ...]]) -> int:
    """Insert (org, customer, type, start, end) rows, skipping those already present; returns added.

    Open rows (end None) are skipped when an open twin exists (the partial unique index); closed
    rows, which only the bulk loader brings, when the identical closed row exists.
    """
    closed = [record for record in records if record[4] is not None]
    added = 0
    for record in closed:
        params = dict(zip(_STAGE_COLUMNS, record, strict=True))
        same = and_(*(kfr_relation.c[name] == value for name, value in params.items()))
        if (await conn.execute(select(kfr_relation.c.org_no).where(same).limit(1))).first() is None:
            await conn.execute(kfr_relation.insert().values(**params))
            added += 1
    if closed:
        records = [record for record in records if record[4] is None]
    if not records:
        return added
    if db.is_postgres and len(records) >= _COPY_THRESHOLD:
        await without_statement_timeout(conn)  # a bank's whole customer list: bulk work, not a lookup
        await conn.execute(
            text(
                "CREATE TEMP TABLE kfr_stage (org_no varchar(9), customer_id varchar(11), "
                "rel_type varchar(16), start_date date, end_date date) ON COMMIT DROP"
            )
        )
        raw = await conn.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            "kfr_stage", records=records, columns=_STAGE_COLUMNS
        )
        result = await conn.execute(
            text(
                "INSERT INTO kfr_relation (org_no, customer_id, rel_type, start_date, end_date) "
                "SELECT org_no, customer_id, rel_type, start_date, end_date FROM kfr_stage "
                "ON CONFLICT (org_no, customer_id, rel_type) WHERE end_date IS NULL DO NOTHING"
            )
        )
        return added + int(result.rowcount)
    rows = [dict(zip(_STAGE_COLUMNS, r, strict=True)) for r in records]
    conflict = {"index_elements": ["org_no", "customer_id", "rel_type"], "index_where": _OPEN}
    if db.is_postgres:
        # One multi-row statement: asyncpg's executemany reports no row count.
        result = await conn.execute(db.insert(kfr_relation).values(rows).on_conflict_do_nothing(**conflict))
    else:
        result = await conn.execute(db.insert(kfr_relation).on_conflict_do_nothing(**conflict), rows)
    return added + int(result.rowcount)


async def _copy_payload(conn: AsyncConnection, org_no: str, rel_type: str, payload: str) -> int:
    """PostgreSQL: the stored payload is already COPY text format ("customer date" lines), so it is
    streamed as is into a temporary table and merged with one INSERT … SELECT (no per-row Python)."""
    await without_statement_timeout(conn)  # a bank's whole customer list: bulk work, not a lookup
    await conn.execute(
        text("CREATE TEMP TABLE kfr_batch_stage (customer_id varchar(11), start_date date) ON COMMIT DROP")
    )
    raw = await conn.get_raw_connection()
    await raw.driver_connection.copy_to_table(  # type: ignore[union-attr]
        "kfr_batch_stage",
        source=io.BytesIO(payload.encode("ascii")),
        format="text",
        delimiter=" ",
        columns=("customer_id", "start_date"),
    )
    await conn.execute(text("ANALYZE kfr_batch_stage"))  # temp tables have no statistics otherwise
    params = {"org_no": org_no, "rel_type": rel_type}
    try:
        # Fast path: an anti-join is cheaper per row than ON CONFLICT's speculative insertion.
        async with conn.begin_nested():
            result = await conn.execute(_MERGE_STAGE, params)
    except IntegrityError:
        # A single add raced us between the anti-join and the insert: redo it the careful way.
        result = await conn.execute(_MERGE_STAGE_ON_CONFLICT, params)
    return int(result.rowcount)


async def load_kfr_relations(db: Database, rows: Iterable[KfrRow], *, names: dict[str, str] | None = None) -> int:
    """Bulk-load KFR relations in one transaction (already-open ones are skipped); returns how many were added."""
    records = [(r.org_no, r.customer_id, r.rel_type, r.start, r.end) for r in rows]
    async with db.engine.begin() as conn:
        await db.upsert_names(conn, names or {})
        return await _insert_relations(db, conn, records)


class KfrStore:
    """KFR reads and writes over the shared database."""

    name = "KFR"

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- single relations -------------------------------------------------------------------------

    async def add(self, org_no: str, customer_id: str, rel_type: str, start: date) -> bool:
        """True if added, False if an open relation was already present."""
        async with self._db.engine.begin() as conn:
            return await _insert_relations(self._db, conn, [(org_no, customer_id, rel_type, start, None)]) == 1

    async def delete(self, org_no: str, customer_id: str, rel_type: str, today: date) -> bool:
        """Close the open relation (end = today); False if none is open."""
        where = and_(
            kfr_relation.c.org_no == org_no,
            kfr_relation.c.customer_id == customer_id,
            kfr_relation.c.rel_type == rel_type,
            _OPEN,
        )
        async with self._db.engine.begin() as conn:
            result = await conn.execute(update(kfr_relation).where(where).values(end_date=today))
        return bool(result.rowcount)

    # -- reads ------------------------------------------------------------------------------------

    async def relations(self, customer_id: str, period: Period, *, org_no: str | None = None) -> Sequence[Relation]:
        try:
            if self._db.is_postgres:
                pool = await self._db.read_pool()
                sql, args = _PG_RELATIONS, [customer_id, period.to_date, period.from_date]
                if org_no is not None:
                    sql, args = sql + " AND k.org_no = $4", [*args, org_no]
                rows = await pool.fetch(sql, *args)
            else:
                conditions = [
                    kfr_relation.c.customer_id == customer_id,
                    kfr_relation.c.start_date <= period.to_date,
                    or_(kfr_relation.c.end_date.is_(None), kfr_relation.c.end_date >= period.from_date),
                ]
                if org_no is not None:
                    conditions.append(kfr_relation.c.org_no == org_no)
                query = (
                    select(
                        kfr_relation.c.org_no, institution.c.name, kfr_relation.c.start_date, kfr_relation.c.end_date
                    )
                    .select_from(kfr_relation.outerjoin(institution, institution.c.org_no == kfr_relation.c.org_no))
                    .where(and_(*conditions))
                )
                async with self._db.engine.connect() as conn:
                    rows = (await conn.execute(query)).all()
        except (SQLAlchemyError, asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
            raise SourceUnavailable("KFR", f"No response from data source (KFR): {type(error).__name__}") from None
        return [
            Relation(org_no=org, bank_name=name or org, role=Role.CUSTOMER, start=start, end=end)
            for org, name, start, end in rows
        ]

    # -- batches ----------------------------------------------------------------------------------

    async def submit_batch(
        self,
        org_no: str,
        rel_type: str,
        entries: Iterable[tuple[str, date]],
        *,
        now: datetime,
        correlation_id: str | None,
    ) -> BatchStatus:
        """Persist a validated batch as ``pending`` (before the upload is answered)."""
        payload = encode_payload(entries)
        total = payload.count("\n")
        batch_id = str(uuid.uuid4())
        values = {
            "batch_id": batch_id,
            "org_no": org_no,
            "rel_type": rel_type,
            "status": "pending",
            "correlation_id": correlation_id,
            "fingerprint": fingerprint(payload),
            "created_at": now,
            "total": total,
            "payload": payload,
        }
        async with self._db.engine.begin() as conn:
            await conn.execute(kfr_batch.insert().values(**values))
        return BatchStatus(
            batch_id=batch_id,
            org_no=org_no,
            status="pending",
            total=total,
            added=None,
            unchanged=None,
            created_at=now,
            finished_at=None,
            message=None,
            correlation_id=correlation_id,
        )

    async def apply_batch(
        self, batch_id: str, now: datetime, *, before_commit: Callable[[], Awaitable[None]] | None = None
    ) -> bool:
        """Apply a pending batch atomically; False if it was not pending (already applied, unknown).

        ``before_commit`` runs inside the transaction after the inserts (tests use it to crash there).
        """
        async with self._db.engine.begin() as conn:
            claim = await conn.execute(
                update(kfr_batch)
                .where(and_(kfr_batch.c.batch_id == batch_id, kfr_batch.c.status == "pending"))
                .values(finished_at=now)
            )
            if not claim.rowcount:
                return False  # the row lock (PostgreSQL) / write lock (SQLite) makes this the only applier
            row = (
                await conn.execute(
                    select(kfr_batch.c.org_no, kfr_batch.c.rel_type, kfr_batch.c.payload).where(
                        kfr_batch.c.batch_id == batch_id
                    )
                )
            ).one()
            org_no, rel_type, payload = row
            if self._db.is_postgres:
                total, added = payload.count("\n"), await _copy_payload(conn, org_no, rel_type, payload)
            else:
                records = [(org_no, customer, rel_type, start, None) for customer, start in decode_payload(payload)]
                total, added = len(records), await _insert_relations(self._db, conn, records)
            if before_commit is not None:
                await before_commit()
            await conn.execute(
                update(kfr_batch)
                .where(kfr_batch.c.batch_id == batch_id)
                .values(status="applied", added=added, unchanged=total - added, finished_at=now, payload="")
            )
        return True

    async def fail_batch(self, batch_id: str, now: datetime, message: str) -> None:
        async with self._db.engine.begin() as conn:
            await conn.execute(
                update(kfr_batch)
                .where(and_(kfr_batch.c.batch_id == batch_id, kfr_batch.c.status == "pending"))
                .values(status="failed", finished_at=now, message=message[:500])
            )

    async def batch(self, batch_id: str) -> BatchStatus | None:
        columns = [c for c in kfr_batch.c if c.name not in ("payload", "fingerprint", "rel_type")]
        async with self._db.engine.connect() as conn:
            row = (await conn.execute(select(*columns).where(kfr_batch.c.batch_id == batch_id))).mappings().first()
        if row is None:
            return None
        return BatchStatus(
            batch_id=row["batch_id"],
            org_no=row["org_no"],
            status=row["status"],
            total=row["total"],
            added=row["added"],
            unchanged=row["unchanged"],
            created_at=row["created_at"],
            finished_at=row["finished_at"] if row["status"] != "pending" else None,
            message=row["message"],
            correlation_id=row["correlation_id"],
        )

    async def batches_of(self, org_no: str, *, limit: int = 100) -> list[BatchStatus]:
        """The institution's batches, newest first (without their payload: no customer ids)."""
        query = (
            select(kfr_batch.c.batch_id).where(kfr_batch.c.org_no == org_no)
            .order_by(kfr_batch.c.created_at.desc()).limit(limit)
        )  # fmt: skip
        async with self._db.engine.connect() as conn:
            ids = list((await conn.execute(query)).scalars())
        return [found for batch_id in ids if (found := await self.batch(batch_id)) is not None]

    async def open_by_type(self, org_no: str) -> dict[str, int]:
        """How many open relations the institution has registered, per relationship type."""
        query = (
            select(kfr_relation.c.rel_type, func.count()).where(_OPEN, kfr_relation.c.org_no == org_no)
            .group_by(kfr_relation.c.rel_type).order_by(kfr_relation.c.rel_type)
        )  # fmt: skip
        async with self._db.engine.connect() as conn:
            return {str(kind): int(count) for kind, count in (await conn.execute(query)).all()}

    async def pending_batches(self) -> list[str]:
        query = select(kfr_batch.c.batch_id).where(kfr_batch.c.status == "pending").order_by(kfr_batch.c.created_at)
        async with self._db.engine.connect() as conn:
            return list((await conn.execute(query)).scalars())

    async def count_open(self, org_no: str | None = None) -> int:
        query = select(func.count()).select_from(kfr_relation).where(_OPEN)
        if org_no is not None:
            query = query.where(kfr_relation.c.org_no == org_no)
        async with self._db.engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())


__all__ = ["DSOPBANK", "BatchStatus", "KfrRow", "KfrStore", "load_kfr_relations"]
