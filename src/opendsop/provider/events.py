"""The bank as a durable JetStream consumer of Konkursvarsel notices (``contracts.events``).

Each notice is applied in the bank's own transaction (``BankStore.apply_konkurs_notice``: block on
``aapning``, reopen on ``sletting``) and acknowledged only afterwards; a notice whose ``uuid`` the bank
already stored — a redelivery after a crash, or one the poller read first — changes nothing.  The
notices arriving this way keep their own cursor (``EVENTS_FEED``), so the poller's cursor, the
fallback when NATS is not configured or not answering, never skips a notice JetStream has not delivered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import msgspec

from opendsop.contracts.events import KONKURSVARSEL, JetStream, apply_pending, wait_or_stop
from opendsop.contracts.registers.models import Konkursvarsel
from opendsop.provider.store.repository import BankStore
from opendsop.serving import redact

log = logging.getLogger("opendsop.provider.events")

EVENTS_FEED = "konkursvarsel-jetstream"
_decoder = msgspec.json.Decoder(Konkursvarsel)


def konkurs_handler(store: BankStore) -> Callable[[bytes], Awaitable[bool]]:
    """The handler of one Konkursvarsel message: True if it changed the bank, False if already applied.
    A message that is not a notice is dropped with a warning (it would never become one)."""

    async def handle(body: bytes) -> bool:
        try:
            notice = _decoder.decode(body)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as error:
            log.warning("a Konkursvarsel message that is not a notice was dropped: %s", redact(str(error))[:200])
            return False
        outcome = await store.apply_konkurs_notice(notice, feed=EVENTS_FEED)
        return outcome.applied

    return handle


def durable_name(bank_orgno: str) -> str:
    """Each bank's own durable consumer: it receives every notice, whatever other banks acknowledged."""
    return f"bank-{bank_orgno}"


async def follow_konkurs(
    store: BankStore, url: str, bank_orgno: str, *, stop: asyncio.Event, idle: float = 1.0
) -> None:
    """Apply Konkursvarsel notices from JetStream as they come, until ``stop``.  NATS not answering at
    start is one warning (the poller, ``KONKURS_POLL``, remains the way notices arrive)."""
    try:
        stream = await JetStream.connect(url)
    except ConnectionError as error:
        log.warning("%s: Konkursvarsel notices arrive by polling only", error)
        return
    try:
        source = await stream.durable(KONKURSVARSEL, durable_name(bank_orgno))
        handle = konkurs_handler(store)
        while not stop.is_set():
            try:
                done = await apply_pending(source, handle)
                if done.applied:
                    log.info("konkursvarsel events: %d delivered, %d applied", done.delivered, done.applied)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reading Konkursvarsel events failed; retrying")
            await wait_or_stop(stop, idle)
    finally:
        await stream.close()


__all__ = ["EVENTS_FEED", "durable_name", "follow_konkurs", "konkurs_handler"]
