# SPDX-License-Identifier: Apache-2.0
"""Storage shared by the three register stand-ins (SQLAlchemy 2 Core, async; SQLite or PostgreSQL).

Each record is kept as the canonical JSON of its ``models`` value next to the few columns it is
looked up or ordered by, so the same statements run on both backends and the wire form cannot
drift from the stored form.

Feeds (Folkeregister events, Konkursvarsel notices, Enhetsregister changes) decide one thing:
*a consumer that resumes from its cursor never misses nor re-reads an entry*, even while entries
are appended concurrently.  Every append first bumps its feed's row in ``registers_feed_head``
(``UPDATE … RETURNING``); that row stays locked until the appending transaction commits, so
appends are serialised and commit in sequence order.  A reader that sees entry *n + 1* therefore
also sees entry *n*.  Konkursvarsel timestamps are assigned under the same lock and strictly
increase with the sequence (millisecond steps), so the timestamp cursor of DSOP Konkurs “Løsningsbeskrivelse” is as
exact as a
sequence number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import msgspec
from sqlalchemy import BigInteger, Column, Index, MetaData, String, Table, Text, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from opendsop.clock import Clock
from opendsop.clock import utc_now as utcnow
from opendsop.contracts.registers.errors import Conflict, InvalidInput

T = TypeVar("T")
FEEDS = ("folkeregister", "konkursvarsel", "enhetsregister", "loyveregister", "grunnbok", "foretaksregister")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

metadata = MetaData()

feed_head = Table(
    "registers_feed_head",
    metadata,
    Column("feed", String(32), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("last_ms", BigInteger, nullable=False),
)

persons = Table(
    "registers_person",
    metadata,
    Column("identifikasjonsnummer", String(11), primary_key=True),
    Column("data", Text, nullable=False),
)

guardianships = Table(
    "registers_vergemaal",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("vergehaver", String(11), nullable=False, index=True),
    Column("verge", String(11), nullable=False, index=True),
    Column("data", Text, nullable=False),
)

events = Table(
    "registers_event",
    metadata,
    Column("feed", String(32), primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("subject", String(11), nullable=False),
    Column("data", Text, nullable=False),
)

notices = Table(
    "registers_konkursvarsel",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("registered_ms", BigInteger, nullable=False, unique=True),
    Column("debitor", String(11), nullable=False, index=True),
    Column("data", Text, nullable=False),
)

organisations = Table(
    "registers_organisasjon",
    metadata,
    Column("organisasjonsnummer", String(9), primary_key=True),
    Column("data", Text, nullable=False),
)

Index("registers_event_subject", events.c.feed, events.c.subject)


def to_ms(moment: datetime) -> int:
    """Milliseconds since the epoch: the precision of the Konkursvarsel timestamps."""
    delta = moment.astimezone(UTC) - EPOCH
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def from_ms(value: int) -> datetime:
    return EPOCH + timedelta(milliseconds=value)


def encode(value: msgspec.Struct) -> str:
    return msgspec.json.encode(value).decode("utf-8")


def decode(data: str, kind: type[T]) -> T:
    return msgspec.json.decode(data, type=kind)


def convert_rows(rows: Iterable[T | Mapping[str, Any]], kind: type[T], what: str) -> list[T]:
    """Rows from a loader file (mappings) or ready values, as ``kind``; a clear error names the row."""
    result: list[T] = []
    for index, row in enumerate(rows, start=1):
        if isinstance(row, kind):
            result.append(row)
            continue
        try:
            result.append(msgspec.convert(row, kind, strict=False))
        except msgspec.ValidationError as exc:
            raise InvalidInput(f"{what} {index} is invalid: {exc}", parameter=what) from None
    return result


class RegisterDatabase:
    """The engine, the schema and the feed heads; the three register stores share one instance."""

    def __init__(self, engine: AsyncEngine, *, clock: Clock | None = None) -> None:
        self.engine = engine
        self.clock: Clock = clock or utcnow

    async def create_schema(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        for feed in FEEDS:
            try:
                async with self.engine.begin() as conn:
                    if (await conn.execute(select(feed_head.c.feed).where(feed_head.c.feed == feed))).first() is None:
                        await conn.execute(insert(feed_head).values(feed=feed, seq=0, last_ms=0))
            except IntegrityError:  # another process created it first
                pass

    async def close(self) -> None:
        await self.engine.dispose()

    async def advance(self, conn: AsyncConnection, feed: str, *, at_ms: int | None = None) -> tuple[int, int]:
        """Take the next (sequence, timestamp in ms) of ``feed``, locking its head until commit.

        Without ``at_ms`` the timestamp is the clock's, bumped past the previous one; with it (a
        loader replaying history) it must lie after every timestamp already in the feed.
        """
        row = (
            await conn.execute(
                update(feed_head)
                .where(feed_head.c.feed == feed)
                .values(seq=feed_head.c.seq + 1)
                .returning(feed_head.c.seq, feed_head.c.last_ms)
            )
        ).one()
        seq, last_ms = int(row.seq), int(row.last_ms)
        if at_ms is None:
            stamp = max(to_ms(self.clock()), last_ms + 1)
        elif at_ms <= last_ms:
            raise Conflict(
                f"the {feed} feed already holds entries up to {from_ms(last_ms).isoformat()}; entries must be "
                "appended in registration order so that no consumer misses one",
                parameter="registreringstidspunkt",
            )
        else:
            stamp = at_ms
        await conn.execute(update(feed_head).where(feed_head.c.feed == feed).values(last_ms=stamp))
        return seq, stamp

    async def append_event(
        self, conn: AsyncConnection, feed: str, subject: str, build: Callable[[int, datetime], msgspec.Struct]
    ) -> Any:
        """Append an event built from its (sequence, timestamp) and return it."""
        seq, stamp = await self.advance(conn, feed)
        event = build(seq, from_ms(stamp))
        await conn.execute(insert(events).values(feed=feed, seq=seq, subject=subject, data=encode(event)))
        return event

    async def events_after(self, feed: str, after: int, limit: int, kind: type[T]) -> tuple[list[T], bool]:
        """Up to ``limit`` events with a sequence above ``after``, and whether more follow."""
        query = (
            select(events.c.data)
            .where(events.c.feed == feed, events.c.seq > after)
            .order_by(events.c.seq)
            .limit(limit + 1)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).scalars().all()
        return [decode(row, kind) for row in rows[:limit]], len(rows) > limit


__all__ = [
    "FEEDS",
    "Clock",
    "RegisterDatabase",
    "convert_rows",
    "decode",
    "encode",
    "events",
    "feed_head",
    "from_ms",
    "guardianships",
    "metadata",
    "notices",
    "organisations",
    "persons",
    "to_ms",
    "utcnow",
]
