"""What the correspondence and broker services share: the clock, the store, the access checks, the
upload checks, idempotency keys and the simulated-crash hook tests use."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import msgspec
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from opendsop.altinn import schema
from opendsop.altinn.policy import Access
from opendsop.altinn.scanning import Scanner
from opendsop.altinn.store import MessageStore
from opendsop.clock import Clock
from opendsop.contracts.messaging.errors import IdempotencyConflict, InvalidRequest

Fault = Callable[[str], None]  # called at named points; a test raises there to simulate a crash
MAX_KEY = 64


class SimulatedCrash(RuntimeError):
    """Raised by a test's fault hook: the process "dies" at that point (nothing after it runs)."""


@dataclass
class Services:
    store: MessageStore
    access: Access
    clock: Clock
    source_url: str  # the platform's public URL: CloudEvents' source
    max_attachment_bytes: int
    max_file_bytes: int
    scanner: Scanner
    fault: Fault | None = None
    on_events: Callable[[], None] | None = None  # wakes the webhook dispatcher after a commit

    def now(self) -> datetime:
        return self.clock()

    def crash_point(self, name: str) -> None:
        if self.fault is not None:
            self.fault(name)

    def committed(self, events: int) -> None:
        if events and self.on_events is not None:
            self.on_events()


def request_hash(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(msgspec.json.encode(part))
    return digest.hexdigest()


def check_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not key.strip() or len(key) > MAX_KEY:
        raise InvalidRequest(f"idempotentKey must be 1–{MAX_KEY} characters (a UUID)")
    return key.strip()


async def remembered(conn: AsyncConnection, sender: str, kind: str, key: str, fingerprint: str) -> str | None:
    """The stored result of an earlier request with this key, or ``None``; a different request with
    the same key is refused."""
    row = (
        await conn.execute(
            select(schema.idempotency.c.request_hash, schema.idempotency.c.result).where(
                schema.idempotency.c.sender == sender,
                schema.idempotency.c.kind == kind,
                schema.idempotency.c.key == key,
            )
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise IdempotencyConflict(
            f"idempotentKey {key!r} was already used for a different {kind}; use a new key for a new message"
        )
    return str(row.result)


async def remember(conn: AsyncConnection, sender: str, kind: str, key: str, fingerprint: str, result: str) -> None:
    await conn.execute(
        insert(schema.idempotency).values(sender=sender, kind=kind, key=key, request_hash=fingerprint, result=result)
    )


__all__ = ["Fault", "Services", "SimulatedCrash", "check_key", "remember", "remembered", "request_hash"]
