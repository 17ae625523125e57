"""The registers' relay to NATS JetStream: each new entry of the three feeds becomes one message.

The feeds in the registers' database stay the source of truth (an entry is committed with the change
it announces, and polling clients read them as before); the relay copies what it has not published
yet — resuming after the position of the last message on each subject, so a relay restarted (or a
second one) continues where the stream ends, and an entry published twice within the stream's
duplicate window is stored once (``Nats-Msg-Id``: feed and key).  See ``contracts.events``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import msgspec

from opendsop.contracts.events import ENHETSREGISTER, FOLKEREGISTER, KONKURSVARSEL, JetStream, wait_or_stop
from opendsop.registers.store import from_ms, to_ms

if TYPE_CHECKING:
    from opendsop.registers.app import Stores

log = logging.getLogger("opendsop.registers.relay")
_encode = msgspec.json.Encoder().encode


@dataclass
class Relayed:
    """Messages published per feed by one :func:`relay_once`."""

    published: dict[str, int] = field(default_factory=lambda: {KONKURSVARSEL: 0, FOLKEREGISTER: 0, ENHETSREGISTER: 0})


async def relay_once(stores: Stores, stream: JetStream, *, batch: int = 500) -> Relayed:
    """Publish every feed entry after the stream's last one, oldest first."""
    done = Relayed()
    last = await stream.last_position(KONKURSVARSEL)
    after = from_ms(int(last)) if last else None
    while True:
        found, more = await stores.konkurs.notices_after(after, batch)
        for notice in found:
            stamp = to_ms(notice.registreringstidspunkt)
            await stream.publish(
                KONKURSVARSEL, _encode(notice), message_id=f"konkursvarsel:{notice.uuid}", position=str(stamp)
            )
            after = notice.registreringstidspunkt
            done.published[KONKURSVARSEL] += 1
        if not more:
            break

    async def hendelser(after: int) -> tuple[list[tuple[int, Any]], bool]:
        page = await stores.folkeregister.events_after(after, batch)
        return [(event.sekvensnummer, event) for event in page.hendelser], page.flere

    async def oppdateringer(after: int) -> tuple[list[tuple[int, Any]], bool]:
        page = await stores.enhetsregister.changes_after(after, batch)
        return [(change.oppdateringsid, change) for change in page.oppdateringer], page.flere

    for feed, read in ((FOLKEREGISTER, hendelser), (ENHETSREGISTER, oppdateringer)):
        done.published[feed] = await _relay_numbered(stream, feed, read)
    return done


async def _relay_numbered(
    stream: JetStream, feed: str, read: Callable[[int], Awaitable[tuple[list[tuple[int, Any]], bool]]]
) -> int:
    """Publish the entries of a feed numbered by sequence after the stream's last one; returns how many."""
    sequence, published = int(await stream.last_position(feed) or 0), 0
    while True:
        entries, more = await read(sequence)
        for number, entry in entries:
            await stream.publish(feed, _encode(entry), message_id=f"{feed}:{number}", position=str(number))
            sequence, published = number, published + 1
        if not more:
            return published


async def relay_forever(stores: Stores, url: str, *, interval: float = 1.0, stop: asyncio.Event) -> None:
    """Connect to NATS at ``url`` and :func:`relay_once` every ``interval`` seconds until ``stop``; a failed
    round is logged and retried.  NATS not answering at start is one warning: the feeds are still served
    for polling, which is what banks fall back to."""
    try:
        stream = await JetStream.connect(url)
    except ConnectionError as error:
        log.warning("%s: register events are not relayed to JetStream (banks poll the feeds)", error)
        return
    try:
        await _relay_loop(stores, stream, interval, stop)
    finally:
        await stream.close()


async def _relay_loop(stores: Stores, stream: JetStream, interval: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            done = await relay_once(stores, stream)
            if any(done.published.values()):
                log.info("relayed to JetStream: %s", done.published)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("relaying the register feeds to JetStream failed; retrying")
        await wait_or_stop(stop, interval)


__all__ = ["Relayed", "relay_forever", "relay_once"]
