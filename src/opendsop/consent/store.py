"""SQL store of the consent service: consent requests, their event log, and the Altinn 2 signing key.

Tables (created with ``metadata.create_all``; SQLite and PostgreSQL):

* ``consent_requests`` — one row per request; times are epoch seconds; ``rights`` is canonical JSON;
  ``fingerprint`` decides whether a repeated ``id`` is an idempotent retry or a 409.  The ``id`` a
  consumer chooses is unique per sender (``sender_org`` = ``to``, ``request_id``): when another
  organisation already holds that id, the request gets a fresh one (the answer's ``id``), so an id
  cannot be squatted to lock the rightful sender out;
* ``consent_events`` — append-only; ``seq`` orders the paginated event feed (DSOP “Altinn 3.0”:
  "events are Accepted / Denied"; we log every status change);
* ``consent_keys`` — the private key signing Altinn 2 compatibility tokens, so a restart keeps it;
* ``consent_delegations`` / ``consent_redirects`` — the client registrations (``registry``);
* ``consent_sessions`` — the persons' logged-in sessions, so logout and revoke end them (``login``).

Status changes are one conditional ``UPDATE … WHERE status IN (allowed)`` plus the event row in the
same transaction, so two concurrent answers (accept and revoke) cannot both win.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    and_,
    exists,
    insert,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from opendsop.consent.requests import (
    ORGANISATION_URN,
    PERSON_URN,
    TRANSITIONS,
    ConsentError,
    ConsentRecord,
    ConsentRequest,
    ConsentRight,
    Party,
    Status,
)

metadata = MetaData()

consent_requests = Table(
    "consent_requests", metadata,
    Column("id", String(36), primary_key=True),
    Column("sender_org", String(9)),  # the `to` organisation; with request_id the consumer's own key
    Column("request_id", String(36)),  # the id the consumer chose (= id unless another sender held it)
    Column("from_urn", String(80), nullable=False),
    Column("to_org", String(9), nullable=False),
    Column("handled_by", String(9)),
    Column("valid_to", BigInteger, nullable=False),
    Column("rights", Text, nullable=False),
    Column("redirect_url", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("updated", BigInteger, nullable=False),
    Column("consented", BigInteger),
    Index("ix_consent_requests_from", "from_urn"),
    Index("ix_consent_requests_to", "to_org"),
    Index("ix_consent_requests_open", "status", "valid_to"),  # the expiry sweep
    Index("ux_consent_requests_sender", "sender_org", "request_id", unique=True),
)  # fmt: skip

consent_events = Table(
    "consent_events", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("consent_id", String(36), ForeignKey("consent_requests.id"), nullable=False),
    Column("event", String(16), nullable=False),
    Column("at", BigInteger, nullable=False),
    Index("ix_consent_events_consent", "consent_id"),
)  # fmt: skip

consent_keys = Table(
    "consent_keys", metadata,
    Column("name", String(32), primary_key=True),
    Column("pem", LargeBinary, nullable=False),
    Column("created", BigInteger, nullable=False),
)  # fmt: skip

# Administered through opendsop.consent.registry (dsop consent delegation / redirect).
consent_delegations = Table(
    "consent_delegations", metadata,
    Column("to_org", String(9), primary_key=True),
    Column("supplier_org", String(9), primary_key=True),
    Column("created", BigInteger, nullable=False),
)  # fmt: skip

consent_redirects = Table(
    "consent_redirects", metadata,
    Column("org", String(9), primary_key=True),
    Column("prefix", Text, primary_key=True),
    Column("created", BigInteger, nullable=False),
)  # fmt: skip

# The logged-in sessions of the approval pages (opendsop.consent.login.SessionStore).
consent_sessions = Table(
    "consent_sessions", metadata,
    Column("sid", String(40), primary_key=True),
    Column("pid", String(11), nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("expires", BigInteger, nullable=False),
    Column("ended", BigInteger),
    Index("ix_consent_sessions_pid", "pid"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    consent_id: str
    status: Status
    at: datetime


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _time(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _record(row: Any) -> ConsentRecord:
    urn: str = row.from_urn
    party = (
        Party("person", urn[len(PERSON_URN) :])
        if urn.startswith(PERSON_URN)
        else Party("organisation", urn[len(ORGANISATION_URN) :])
    )
    rights = tuple(ConsentRight(r["resource"], r["metaData"]) for r in json.loads(row.rights))
    request = ConsentRequest(
        row.id, party, row.to_org, row.handled_by, datetime.fromtimestamp(row.valid_to, UTC), rights, row.redirect_url
    )
    return ConsentRecord(
        request,
        Status(row.status),
        datetime.fromtimestamp(row.created, UTC),
        datetime.fromtimestamp(row.updated, UTC),
        _time(row.consented),
    )


def _add_sender_columns(conn: Any) -> None:
    """A database made before ids were scoped per sender: add the columns and fill them (id, ``to``)."""
    inspector = inspect(conn)
    if not inspector.has_table("consent_requests"):
        return
    columns = {column["name"] for column in inspector.get_columns("consent_requests")}
    for name, kind in (("sender_org", "VARCHAR(9)"), ("request_id", "VARCHAR(36)")):
        if name not in columns:
            conn.execute(text(f"ALTER TABLE consent_requests ADD COLUMN {name} {kind}"))
    conn.execute(
        update(consent_requests)
        .where(consent_requests.c.sender_org.is_(None))
        .values(sender_org=consent_requests.c.to_org, request_id=consent_requests.c.id)
    )


class ConsentStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def create_schema(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(_add_sender_columns)
            await conn.run_sync(metadata.create_all)

    async def close(self) -> None:
        await self.engine.dispose()

    async def create(self, request: ConsentRequest, *, now: datetime) -> tuple[ConsentRecord, bool]:
        """Store a new request; ``(existing, False)`` for an identical retry; 409 for another content.

        The consumer's ``id`` is kept unless another sender already holds it; then the record gets a fresh
        id (the record returned carries it)."""
        fingerprint = request.fingerprint()
        rights = json.dumps([{"resource": r.resource, "metaData": dict(r.metadata)} for r in request.rights])
        for stored_id in (request.id, str(uuid.uuid4())):
            existing = await self._sent(request.to_org, request.id)
            if existing is not None:
                return self._retry(existing, request, fingerprint), False
            try:
                async with self.engine.begin() as conn:
                    await conn.execute(
                        insert(consent_requests).values(
                            id=stored_id,
                            sender_org=request.to_org,
                            request_id=request.id,
                            from_urn=request.from_party.urn,
                            to_org=request.to_org,
                            handled_by=request.handled_by,
                            valid_to=_epoch(request.valid_to),
                            rights=rights,
                            redirect_url=request.redirect_url,
                            fingerprint=fingerprint,
                            status=Status.CREATED.value,
                            created=_epoch(now),
                            updated=_epoch(now),
                        )
                    )
                    await self._event(conn, stored_id, Status.CREATED, now)
            except IntegrityError:
                continue  # the same sender raced us (answered above), or another sender holds the id
            record = await self.get(stored_id)
            assert record is not None
            return record, True
        existing = await self._sent(request.to_org, request.id)
        if existing is None:
            raise ConsentError(409, "conflict", f"consent request {request.id} could not be stored; retry", "id")
        return self._retry(existing, request, fingerprint), False

    async def _sent(self, sender: str, request_id: str) -> Any:
        async with self.engine.connect() as conn:
            return (
                await conn.execute(
                    select(consent_requests).where(
                        consent_requests.c.sender_org == sender, consent_requests.c.request_id == request_id
                    )
                )
            ).first()

    @staticmethod
    def _retry(row: Any, request: ConsentRequest, fingerprint: str) -> ConsentRecord:
        if row.fingerprint != fingerprint:
            raise ConsentError(
                409,
                "conflict",
                f"a consent request with id {request.id} already exists with different content; choose a new id",
                "id",
            )
        return _record(row)

    async def get_sent(self, sender: str, consent_id: str) -> ConsentRecord | None:
        """The request ``sender`` created under its own ``consent_id``, else the one with that id."""
        row = await self._sent(sender, consent_id)
        return _record(row) if row is not None else await self.get(consent_id)

    async def get(self, consent_id: str) -> ConsentRecord | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(consent_requests).where(consent_requests.c.id == consent_id))).first()
        return None if row is None else _record(row)

    async def list_records(
        self, *, from_urn: str | None = None, org: str | None = None, limit: int = 100
    ) -> list[ConsentRecord]:
        """Newest first; ``org`` matches ``to`` or ``handledBy``."""
        query = select(consent_requests).order_by(consent_requests.c.created.desc(), consent_requests.c.id).limit(limit)
        if from_urn is not None:
            query = query.where(consent_requests.c.from_urn == from_urn)
        if org is not None:
            query = query.where(or_(consent_requests.c.to_org == org, consent_requests.c.handled_by == org))
        async with self.engine.connect() as conn:
            return [_record(row) for row in await conn.execute(query)]

    async def transition(self, consent_id: str, new: Status, *, now: datetime) -> bool:
        """Move to ``new`` if the stored status allows it; False if another change came first."""
        allowed = [status.value for status in TRANSITIONS[new]]
        values: dict[str, Any] = {"status": new.value, "updated": _epoch(now)}
        if new is Status.ACCEPTED:
            values["consented"] = _epoch(now)
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(consent_requests)
                .where(consent_requests.c.id == consent_id, consent_requests.c.status.in_(allowed))
                .values(**values)
            )
            if result.rowcount != 1:
                return False
            await self._event(conn, consent_id, new, now)
        return True

    async def expire_due(self, *, now: datetime) -> int:
        """Write ``expired`` (and its event) for every open consent whose ``validTo`` has passed."""
        open_statuses = [s.value for s in TRANSITIONS[Status.EXPIRED]]
        async with self.engine.begin() as conn:
            ids = list(
                (
                    await conn.execute(
                        select(consent_requests.c.id).where(
                            consent_requests.c.status.in_(open_statuses), consent_requests.c.valid_to <= _epoch(now)
                        )
                    )
                ).scalars()
            )
            for consent_id in ids:
                result = await conn.execute(
                    update(consent_requests)
                    .where(consent_requests.c.id == consent_id, consent_requests.c.status.in_(open_statuses))
                    .values(status=Status.EXPIRED.value, updated=_epoch(now))
                )
                if result.rowcount == 1:
                    await self._event(conn, consent_id, Status.EXPIRED, now)
        return len(ids)

    async def events(
        self, *, after: int = 0, limit: int = 100, org: str | None = None, consent_id: str | None = None
    ) -> list[Event]:
        query = (
            select(consent_events)
            .join(consent_requests, consent_requests.c.id == consent_events.c.consent_id)
            .where(consent_events.c.seq > after)
            .order_by(consent_events.c.seq)
            .limit(limit)
        )
        if org is not None:  # the recipient, or the handledBy supplier while the recipient delegates to it
            delegated = exists().where(
                consent_delegations.c.to_org == consent_requests.c.to_org, consent_delegations.c.supplier_org == org
            )
            query = query.where(
                or_(consent_requests.c.to_org == org, and_(consent_requests.c.handled_by == org, delegated))
            )
        if consent_id is not None:
            query = query.where(consent_events.c.consent_id == consent_id)
        async with self.engine.connect() as conn:
            return [
                Event(row.seq, row.consent_id, Status(row.event), datetime.fromtimestamp(row.at, UTC))
                for row in await conn.execute(query)
            ]

    async def key(self, name: str) -> bytes | None:
        async with self.engine.connect() as conn:
            return (await conn.execute(select(consent_keys.c.pem).where(consent_keys.c.name == name))).scalar()

    async def put_key_if_absent(self, name: str, pem: bytes, *, now: datetime) -> bytes:
        """Store ``pem`` unless a key of that name exists; returns the stored key (first writer wins)."""
        try:
            async with self.engine.begin() as conn:
                await conn.execute(insert(consent_keys).values(name=name, pem=pem, created=_epoch(now)))
        except IntegrityError:
            pass
        stored = await self.key(name)
        assert stored is not None
        return stored

    @staticmethod
    async def _event(conn: AsyncConnection, consent_id: str, status: Status, now: datetime) -> None:
        await conn.execute(insert(consent_events).values(consent_id=consent_id, event=status.value, at=_epoch(now)))


__all__ = ["ConsentStore", "Event", "consent_delegations", "consent_redirects", "consent_sessions", "metadata"]
