"""The platform's database: opening and migrating it, and the few operations every part shares.

* ``put_blob`` — content-addressed storage: a file is kept once per SHA-256, however often it is sent;
* ``append_events`` — the outbox: events join the caller's transaction and take their sequence
  numbers under the feed head's row lock (``UPDATE … RETURNING``), so sequence order is commit order;
* ``record_status`` — the status history every message keeps;
* resource and role look-ups for the policy checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from opendsop.altinn import schema
from opendsop.contracts.messaging.models import CloudEvent, Resource, RoleAssignment
from opendsop.contracts.messaging.names import RESOURCE_RIGHT_URN, party_urn
from opendsop.serving import create_engine

RESOURCE_TTL = 2.0  # seconds a resource's policy is served from memory


class MessageStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # SQLite has one writer at a time: connections of this process take turns here instead of
        # meeting SQLite's busy handler, which sleeps (1, 2, 5 … 100 ms) while another holds the lock.
        self._one_writer = engine.dialect.name == "sqlite"
        self._writer: asyncio.Lock | None = None
        self._resources: dict[str, tuple[float, Resource]] = {}

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction (committed on exit, rolled back on an error)."""
        if not self._one_writer:
            async with self.engine.begin() as conn:
                yield conn
            return
        if self._writer is None:
            self._writer = asyncio.Lock()
        async with self._writer, self.engine.begin() as conn:
            yield conn

    @classmethod
    def from_url(cls, database_url: str) -> MessageStore:
        return cls(create_engine(database_url))

    async def migrate(self) -> None:
        from opendsop.altinn.migrations import upgrade_engine

        await upgrade_engine(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()

    # -- blobs -----------------------------------------------------------------------------------------

    async def put_blob(self, sha256: str, data: bytes, conn: AsyncConnection | None = None) -> None:
        """Keep ``data`` under its hash, once (the same bytes sent again are not stored again); inside
        ``conn``'s transaction when given, so the file and what refers to it commit together."""
        if conn is None:
            async with self.write() as own:
                await self.put_blob(sha256, data, own)
            return
        dialect = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
        statement = dialect(schema.blobs).values(sha256=sha256, size=len(data), data=data)
        await conn.execute(statement.on_conflict_do_nothing(index_elements=["sha256"]))

    async def blob(self, sha256: str) -> bytes | None:
        async with self.engine.connect() as conn:
            found = (await conn.execute(select(schema.blobs.c.data).where(schema.blobs.c.sha256 == sha256))).first()
        return None if found is None else bytes(found[0])

    # -- events and history ----------------------------------------------------------------------------

    async def append_events(self, conn: AsyncConnection, drafts: Sequence[EventDraft], source: str) -> list[int]:
        """Write ``drafts`` to the feed inside ``conn``'s transaction; their sequence numbers.  On SQLite the
        transaction must already have written (so it holds the database's one write lock)."""
        if not drafts:
            return []
        if conn.dialect.name == "sqlite":
            # One writer at a time in SQLite: the next numbers after the highest are commit order.
            top = (await conn.execute(select(func.coalesce(func.max(schema.events.c.seq), 0)))).scalar_one()
            first = int(top) + 1
        else:  # PostgreSQL: the head row's lock, held to commit, orders concurrent writers
            head = (
                await conn.execute(
                    update(schema.feed_head)
                    .where(schema.feed_head.c.id == 1)
                    .values(seq=schema.feed_head.c.seq + len(drafts))
                    .returning(schema.feed_head.c.seq)
                )
            ).scalar_one()
            first = int(head) - len(drafts) + 1
        rows = []
        for offset, draft in enumerate(drafts):
            seq = first + offset
            event = CloudEvent(
                id=str(uuid.uuid4()),
                type=draft.type,
                source=f"{source}{draft.path}",
                time=draft.time,
                resource=RESOURCE_RIGHT_URN + draft.resource_id,
                resourceinstance=draft.instance,
                subject=party_urn(draft.party),
                alternativesubject=party_urn(draft.other) if draft.other else None,
                sequence=seq,
                data=draft.data,
            )
            rows.append(
                {
                    "seq": seq,
                    "party": draft.party,
                    "resource_id": draft.resource_id,
                    "type": draft.type,
                    "time": schema.to_us(draft.time),
                    "data": msgspec.json.encode(event).decode("utf-8"),
                }
            )
        await conn.execute(insert(schema.events), rows)
        return list(range(first, first + len(drafts)))

    @staticmethod
    async def record_status(
        conn: AsyncConnection,
        object_id: str,
        status: str,
        at: datetime,
        *,
        by: str | None = None,
        recipient: str | None = None,
    ) -> None:
        await conn.execute(
            insert(schema.history).values(
                object_id=object_id, status=status, at=schema.to_us(at), by=by, recipient=recipient
            )
        )

    @staticmethod
    async def record_statuses(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
        """Several status changes at once: ``{object_id, status, at (datetime), by, recipient}``."""
        if rows:
            await conn.execute(
                insert(schema.history),
                [
                    {
                        "object_id": r["object_id"],
                        "status": r["status"],
                        "at": schema.to_us(r["at"]),
                        "by": r.get("by"),
                        "recipient": r.get("recipient"),
                    }
                    for r in rows
                ],
            )

    async def status_history(self, object_id: str) -> list[Any]:
        query = select(schema.history).where(schema.history.c.object_id == object_id).order_by(schema.history.c.id)
        async with self.engine.connect() as conn:
            return list((await conn.execute(query)).all())

    # -- resources and roles ---------------------------------------------------------------------------

    async def resource(self, identifier: str) -> Resource | None:
        """The resource, from a short cache: a policy change made elsewhere holds within ``RESOURCE_TTL``."""
        now = time.monotonic()
        cached = self._resources.get(identifier)
        if cached is not None and now - cached[0] < RESOURCE_TTL:
            return cached[1]
        query = select(schema.resources.c.data).where(schema.resources.c.identifier == identifier)
        async with self.engine.connect() as conn:
            found = (await conn.execute(query)).scalar_one_or_none()
        resource = None if found is None else msgspec.json.decode(found, type=Resource)
        if resource is not None:
            self._resources[identifier] = (now, resource)
        return resource

    async def resources(self) -> list[Resource]:
        query = select(schema.resources.c.data).order_by(schema.resources.c.identifier)
        async with self.engine.connect() as conn:
            return [msgspec.json.decode(row, type=Resource) for row in (await conn.execute(query)).scalars()]

    async def put_resource(self, resource: Resource) -> None:
        self._resources.pop(resource.identifier, None)
        data = msgspec.json.encode(resource).decode("utf-8")
        async with self.write() as conn:
            changed = await conn.execute(
                update(schema.resources)
                .where(schema.resources.c.identifier == resource.identifier)
                .values(owner=resource.owner, data=data)
            )
            if changed.rowcount == 0:
                await conn.execute(
                    insert(schema.resources).values(identifier=resource.identifier, owner=resource.owner, data=data)
                )

    async def assign_role(self, assignment: RoleAssignment) -> None:
        try:
            async with self.write() as conn:
                await conn.execute(
                    insert(schema.roles).values(holder=assignment.holder, party=assignment.party, role=assignment.role)
                )
        except IntegrityError:  # already held
            pass

    async def roles_held(self, holder: str, party: str) -> set[str]:
        """The roles ``holder`` holds for ``party``."""
        query = select(schema.roles.c.role).where(schema.roles.c.holder == holder, schema.roles.c.party == party)
        async with self.engine.connect() as conn:
            return set((await conn.execute(query)).scalars())

    async def role_assignments(self, party: str) -> list[RoleAssignment]:
        query = (
            select(schema.roles)
            .where((schema.roles.c.party == party) | (schema.roles.c.holder == party))
            .order_by(schema.roles.c.party, schema.roles.c.holder, schema.roles.c.role)
        )
        async with self.engine.connect() as conn:
            return [RoleAssignment(holder=r.holder, party=r.party, role=r.role) for r in (await conn.execute(query))]


class EventDraft(msgspec.Struct, frozen=True, kw_only=True):
    """An event before it has its sequence number: who sees it (``party``) and about what."""

    type: str
    party: str
    resource_id: str
    instance: str
    time: datetime
    path: str  # appended to the platform's URL as the CloudEvent's source
    other: str | None = None
    data: dict[str, Any] = {}


__all__ = ["EventDraft", "MessageStore"]
