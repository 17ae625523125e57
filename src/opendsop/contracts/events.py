"""Register events on NATS JetStream: the subjects the registers publish and every bank consumes.

The registers keep each feed as an ordered log in their own database (Konkursvarsel notices,
Folkeregister hendelser, Enhetsregister oppdateringer) and still serve it for polling.  A *relay*
(``registers.relay``) copies new entries to the stream ``DSOP_REGISTERS``, one message per entry,
``Nats-Msg-Id`` = feed and position, so a relay that crashes and publishes an entry again within the
stream's duplicate window stores it once.  Each bank is a *durable* pull consumer of the subjects it
needs (explicit ack): an entry is acknowledged only after the bank's own transaction applied it, so a
bank killed mid-batch gets every unacknowledged entry again (redelivery), and its handlers are
idempotent (a Konkursvarsel ``uuid`` already stored changes nothing), so a redelivered entry applies once.

Polling stays as the fallback and the reconciliation: without ``NATS_URL`` nothing here runs, and a
bank that also polls misses nothing an unavailable NATS did not deliver.

:func:`apply_pending` is the consumer loop, written against :class:`Source` so a test can drive it
with an in-memory stream that redelivers like JetStream.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger("opendsop.events")

NAMESPACE = "dsop"  # stream DSOP_REGISTERS, subjects dsop.registers.<feed>
KONKURSVARSEL = "konkursvarsel"
FOLKEREGISTER = "folkeregister"  # doedsfall and vergemaal hendelser
ENHETSREGISTER = "enhetsregister"
FEEDS = (KONKURSVARSEL, FOLKEREGISTER, ENHETSREGISTER)
POSITION_HEADER = "Dsop-Position"  # the entry's place in its register feed (sekvensnummer, or ms stamp)
ACK_WAIT = 30.0  # seconds an unacknowledged delivery waits before JetStream delivers it again


class Message(Protocol):
    """One delivery: its body, and its fate once the handler has run."""

    @property
    def data(self) -> bytes: ...

    async def ack(self) -> None: ...

    async def nak(self) -> None: ...


class Source(Protocol):
    """Deliveries of one durable consumer (JetStream's pull subscription, or a test's stream)."""

    async def fetch(self, batch: int) -> Sequence[Message]: ...


@dataclass
class Applied:
    """What one :func:`apply_pending` run did."""

    delivered: int = 0
    applied: int = 0
    failed: int = 0


async def apply_pending(
    source: Source, handle: Callable[[bytes], Awaitable[bool]], *, batch: int = 100, rounds: int | None = None
) -> Applied:
    """Fetch and handle deliveries until none is pending (or ``rounds`` fetches): each is acknowledged
    only after ``handle`` returned (True: it changed something, False: it was already applied); one whose
    handler raises is negatively acknowledged, so it comes again and nothing after it is lost."""
    done = Applied()
    fetched = 0
    while rounds is None or fetched < rounds:
        messages = await source.fetch(batch)
        fetched += 1
        if not messages:
            break
        for message in messages:
            done.delivered += 1
            try:
                changed = await handle(message.data)
            except Exception:  # the entry stays pending: JetStream delivers it again
                done.failed += 1
                log.exception("an event could not be applied; it will be delivered again")
                await message.nak()
                continue
            done.applied += 1 if changed else 0
            await message.ack()
    return done


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds`` or until ``stop`` is set, whichever comes first (the pause of a relay or consumer loop)."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass


class JetStream:
    """A connection to NATS with the registers' stream: publish (deduplicated) and durable pull sources."""

    def __init__(self, client: Any, context: Any, namespace: str = NAMESPACE) -> None:
        self._client, self._js = client, context
        self.stream = f"{namespace.upper()}_REGISTERS"
        self._namespace = namespace

    def subject(self, feed: str) -> str:
        """The subject of ``feed`` (``KONKURSVARSEL``, ``FOLKEREGISTER``, ``ENHETSREGISTER``)."""
        return f"{self._namespace}.registers.{feed}"

    @classmethod
    async def connect(cls, url: str, *, timeout: float = 2.0, namespace: str = NAMESPACE) -> JetStream:
        """Connect to ``url`` and make sure the stream exists; raises ``ConnectionError`` if NATS does not answer."""
        import nats
        from nats.js.api import StreamConfig
        from nats.js.errors import BadRequestError

        try:
            client = await nats.connect(
                url,
                connect_timeout=timeout,
                max_reconnect_attempts=3,
                reconnect_time_wait=0.5,
                allow_reconnect=True,
                error_cb=_client_error,
            )
        except Exception as error:  # nats raises several kinds for an unreachable server
            raise ConnectionError(f"NATS at {url} does not answer ({type(error).__name__})") from None
        stream = cls(client, client.jetstream(timeout=timeout), namespace)
        config = StreamConfig(
            name=stream.stream, subjects=[stream.subject(feed) for feed in FEEDS], duplicate_window=600.0
        )
        try:
            await stream._js.add_stream(config)
        except BadRequestError:  # it exists with another configuration: bring it to this one
            await stream._js.update_stream(config)
        return stream

    async def publish(self, feed: str, body: bytes, *, message_id: str, position: str) -> None:
        """Publish one entry of ``feed``; the same ``message_id`` again within 10 minutes is stored once."""
        await self._js.publish(self.subject(feed), body, headers={"Nats-Msg-Id": message_id, POSITION_HEADER: position})

    async def last_position(self, feed: str) -> str | None:
        """The position of the last entry published on ``feed``, if any (where a relay resumes)."""
        from nats.js.errors import NotFoundError

        try:
            message = await self._js.get_last_msg(self.stream, self.subject(feed))
        except NotFoundError:
            return None
        headers = message.headers or {}
        position = headers.get(POSITION_HEADER)
        return str(position) if position is not None else None

    async def durable(self, feed: str, name: str, *, ack_wait: float = ACK_WAIT) -> Source:
        """The durable pull consumer ``name`` of ``feed`` (created at first use, explicit ack)."""
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        config = ConsumerConfig(
            durable_name=name, ack_policy=AckPolicy.EXPLICIT, ack_wait=ack_wait, deliver_policy=DeliverPolicy.ALL
        )
        subscription = await self._js.pull_subscribe(
            self.subject(feed), durable=name, stream=self.stream, config=config
        )
        return _PullSource(subscription)

    async def delete_stream(self) -> None:
        """Remove the stream and its consumers (tests, and an operator starting over)."""
        await self._js.delete_stream(self.stream)

    async def close(self) -> None:
        # close, not drain: draining a pull subscription waits for fetches that never come (30 s)
        await self._client.close()


async def _client_error(error: Exception) -> None:
    # nats-py reports every failed (re)connect; the caller says in one line what it means for the party
    log.debug("nats: %s", error)


class _PullSource:
    def __init__(self, subscription: Any) -> None:
        self._subscription = subscription

    async def fetch(self, batch: int) -> Sequence[Message]:
        from nats.errors import TimeoutError as NatsTimeout

        try:
            return list(await self._subscription.fetch(batch, timeout=0.2))
        except (NatsTimeout, TimeoutError):  # nats-py raises either when nothing is pending
            return []


__all__ = [
    "ENHETSREGISTER",
    "FOLKEREGISTER",
    "KONKURSVARSEL",
    "FEEDS",
    "NAMESPACE",
    "POSITION_HEADER",
    "Applied",
    "JetStream",
    "Message",
    "Source",
    "apply_pending",
    "wait_or_stop",
]
