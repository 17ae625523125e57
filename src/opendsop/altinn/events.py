"""Events: the feed a party polls, its webhook subscriptions, and the dispatcher that delivers them.

Feed: every event is a row of ``altinn_event`` written in the transaction of the change it reports
(the outbox), numbered in commit order; a party reads its own events after a cursor (``after``), so
nothing is lost across a restart and order holds per resource and recipient (globally, in fact).

Webhooks: a subscription has a cursor of its own.  The dispatcher posts each matching event after it,
in order, signed (``contracts.messaging.signature``); a 2xx moves the cursor on.  A failure is retried
with exponential backoff (``backoff`` doubling to ``backoff_cap``); after ``max_attempts`` the event is
dead-lettered (visible to the subscriber at ``…/subscriptions/{id}/deadletters``) and the cursor moves
past it, so one poisoned event cannot stall the rest.  Delivery is at least once: a crash after the
POST and before the cursor update delivers that event again (subscribers dedupe on the CloudEvent id).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import delete, func, insert, select, update

from opendsop.altinn import schema
from opendsop.altinn.common import Services
from opendsop.contracts.messaging.errors import InvalidRequest, NotFound
from opendsop.contracts.messaging.models import CloudEvent, DeadLetter, EventPage, Subscription, SubscriptionRequest
from opendsop.contracts.messaging.names import SIGNATURE_HEADER, bare_party
from opendsop.contracts.messaging.signature import sign

log = logging.getLogger("opendsop.altinn.events")
MAX_PAGE = 1000
Post = Callable[[str, bytes, dict[str, str]], Awaitable[int]]  # (url, body, headers) -> HTTP status


def _filters(query: Any, resource: str | None, type_: str | None, subject: str | None) -> Any:
    e = schema.events.c
    if resource:
        query = query.where(e.resource_id == resource.removeprefix("urn:altinn:resource:"))
    if type_:
        query = query.where(e.type == type_)
    if subject:
        query = query.where(e.party == bare_party(subject))
    return query


class Events:
    def __init__(self, services: Services, *, production: bool = False) -> None:
        self.s = services
        self.production = production

    async def feed(
        self,
        party: str,
        after: int,
        *,
        size: int = 100,
        resource: str | None = None,
        type_: str | None = None,
    ) -> EventPage:
        if after < 0 or not 1 <= size <= MAX_PAGE:
            raise InvalidRequest(f"after must be ≥ 0 and size 1–{MAX_PAGE}")
        e = schema.events.c
        query = _filters(select(e.data).where(e.party == party, e.seq > after), resource, type_, None)
        async with self.s.store.engine.connect() as conn:
            rows = (await conn.execute(query.order_by(e.seq).limit(size))).scalars().all()
        found = [msgspec.json.decode(row, type=CloudEvent) for row in rows]
        return EventPage(events=found, next=found[-1].sequence if found else after)

    # -- subscriptions ---------------------------------------------------------------------------------

    async def subscribe(self, party: str, request: SubscriptionRequest) -> Subscription:
        url = request.end_point
        if not url.startswith(("https://", "http://")) or len(url) > 2048:
            raise InvalidRequest("endPoint must be an http(s) URL of at most 2048 characters")
        if self.production and not url.startswith("https://"):
            raise InvalidRequest("endPoint must be an https:// URL in production")
        if request.subject_filter and bare_party(request.subject_filter) != party:
            raise InvalidRequest("subjectFilter may only name the subscriber itself")
        now = self.s.now()
        async with self.s.store.engine.connect() as conn:  # from now on: events already there are in the feed
            head = (await conn.execute(select(func.coalesce(func.max(schema.events.c.seq), 0)))).scalar_one()
        subscription = Subscription(
            id=str(uuid.uuid4()),
            end_point=url,
            consumer=party,
            created=now,
            resource_filter=request.resource_filter,
            subject_filter=request.subject_filter,
            type_filter=request.type_filter,
            secret=secrets.token_urlsafe(32),
            delivered_through=int(head),
        )
        async with self.s.store.write() as conn:
            await conn.execute(
                insert(schema.subscriptions).values(
                    id=subscription.id,
                    consumer=party,
                    end_point=url,
                    resource_filter=request.resource_filter,
                    subject_filter=request.subject_filter,
                    type_filter=request.type_filter,
                    secret=subscription.secret,
                    created=schema.to_us(now),
                    status="active",
                    cursor=int(head),
                    attempts=0,
                    next_attempt=0,
                )
            )
        return subscription

    @staticmethod
    def _subscription(row: Any) -> Subscription:
        return Subscription(
            id=row.id,
            end_point=row.end_point,
            consumer=row.consumer,
            created=schema.from_us(row.created),
            status=row.status,
            resource_filter=row.resource_filter,
            subject_filter=row.subject_filter,
            type_filter=row.type_filter,
            delivered_through=row.cursor,
        )

    async def subscriptions(self, party: str) -> list[Subscription]:
        query = select(schema.subscriptions).where(schema.subscriptions.c.consumer == party)
        async with self.s.store.engine.connect() as conn:
            return [
                self._subscription(row) for row in await conn.execute(query.order_by(schema.subscriptions.c.created))
            ]

    async def _own(self, party: str, sid: str) -> Any:
        query = select(schema.subscriptions).where(schema.subscriptions.c.id == sid)
        async with self.s.store.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None or row.consumer != party:
            raise NotFound(f"no subscription {sid[:40]!r} of this party")
        return row

    async def unsubscribe(self, party: str, sid: str) -> None:
        await self._own(party, sid)
        async with self.s.store.write() as conn:
            await conn.execute(delete(schema.subscriptions).where(schema.subscriptions.c.id == sid))

    async def dead_letters(self, party: str, sid: str) -> list[DeadLetter]:
        await self._own(party, sid)
        d, e = schema.dead_letters.c, schema.events.c
        query = (
            select(d.attempts, d.last_error, d.dead_at, e.data)
            .join(schema.events, e.seq == d.seq)
            .where(d.subscription_id == sid)
            .order_by(d.seq)
        )
        async with self.s.store.engine.connect() as conn:
            return [
                DeadLetter(
                    subscription_id=sid,
                    event=msgspec.json.decode(row.data, type=CloudEvent),
                    attempts=row.attempts,
                    last_error=row.last_error,
                    dead_at=schema.from_us(row.dead_at),
                )
                for row in await conn.execute(query)
            ]


class Dispatcher:
    """Delivers every subscription's events; ``run_once`` is one pass (tests drive it directly)."""

    def __init__(
        self,
        services: Services,
        post: Post,
        *,
        max_attempts: int = 8,
        backoff: float = 1.0,
        backoff_cap: float = 300.0,
        batch: int = 100,
    ) -> None:
        self.s = services
        self.post = post
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.backoff_cap = backoff_cap
        self.batch = batch
        self.wake = asyncio.Event()

    def _delay(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.backoff * 2 ** min(attempts - 1, 30), self.backoff_cap))

    async def run_once(self, now: datetime | None = None) -> int:
        """Deliver what is due; the number of events delivered (dead letters not counted)."""
        now = now or self.s.now()
        query = select(schema.subscriptions).where(
            schema.subscriptions.c.status == "active", schema.subscriptions.c.next_attempt <= schema.to_us(now)
        )
        async with self.s.store.engine.connect() as conn:
            due = (await conn.execute(query)).all()
        delivered = 0
        for subscription in due:
            delivered += await self._deliver(subscription, now)
        return delivered

    async def _deliver(self, sub: Any, now: datetime) -> int:
        """POST the subscription's pending events in order; the cursor moves once, after the batch
        (a crash in between re-delivers: at least once), or past an event that is dead-lettered."""
        e = schema.events.c
        query = _filters(
            select(e.seq, e.data).where(e.party == sub.consumer, e.seq > sub.cursor),
            sub.resource_filter,
            sub.type_filter,
            None,
        )
        async with self.s.store.engine.connect() as conn:
            pending = (await conn.execute(query.order_by(e.seq).limit(self.batch))).all()
        cursor, delivered, failed = sub.cursor, 0, None
        for seq, data in pending:
            body = data.encode("utf-8")
            headers = {
                "Content-Type": "application/cloudevents+json",
                SIGNATURE_HEADER: sign(sub.secret, body, int(now.timestamp())),
            }
            try:
                status = await self.post(sub.end_point, body, headers)
                error = None if 200 <= status < 300 else f"the endpoint answered HTTP {status}"
            except Exception as failure:  # any transport failure is the endpoint's: retry later
                error = f"{type(failure).__name__}: {str(failure)[:200]}"
            if error is not None:
                failed = (seq, error)
                break
            cursor, delivered = seq, delivered + 1
        if not delivered and failed is None:
            return 0
        values: dict[str, Any] = {"cursor": cursor, "attempts": 0, "next_attempt": 0, "last_error": None}
        async with self.s.store.write() as conn:
            if failed is not None:
                seq, error = failed
                attempts = 1 if delivered else sub.attempts + 1
                if attempts < self.max_attempts:
                    values |= {
                        "attempts": attempts,
                        "next_attempt": schema.to_us(now + self._delay(attempts)),
                        "last_error": error,
                    }
                else:  # given up: the subscriber sees it among its dead letters; later events flow on
                    log.warning("event %d dead-lettered for subscription %s: %s", seq, sub.id, error)
                    await conn.execute(
                        insert(schema.dead_letters).values(
                            subscription_id=sub.id,
                            seq=seq,
                            attempts=attempts,
                            last_error=error,
                            dead_at=schema.to_us(now),
                        )
                    )
                    values |= {"cursor": seq, "last_error": error}
            await conn.execute(update(schema.subscriptions).where(schema.subscriptions.c.id == sub.id).values(**values))
        return delivered

    async def run(self, *, tick: float = 0.5, linger: float = 0.02) -> None:
        """Forever: a pass on every wake-up (a commit with events) and every ``tick`` seconds.  After a
        wake-up it lingers ``linger`` seconds so that one pass carries the events of many commits (a
        pass costs a few statements however many events it delivers)."""
        while True:
            try:
                async with asyncio.timeout(tick):
                    await self.wake.wait()
                await asyncio.sleep(linger)
            except TimeoutError:
                pass
            self.wake.clear()
            try:
                while await self.run_once() >= self.batch:  # a backlog: keep going
                    pass
            except Exception as failure:  # the database or an endpoint misbehaved: next pass retries
                log.warning("webhook dispatch pass failed: %s", type(failure).__name__)


__all__ = ["Dispatcher", "Events", "Post"]
