# SPDX-License-Identifier: Apache-2.0
"""How DSVE actors send and fetch shipments: a small interface over the message platform's broker.

Every DSVE message is one broker file transfer (resource ``kv_dsve``; Altinn 2 service 4752): the ZIP
plus the manifest property list.  ``Transport`` is what the actors need of the broker — send, list
what waits, download, confirm — so they run unchanged on the in-memory transport (tests) and on the
platform (``BrokerTransport``).  ``Outbox`` adds the two duties of a sender: consult AKELDO before every
send (the receiver's mottaksliste, the sender's sendeliste) and never send what a receiver would
refuse (the shipment is checked against the model first).  ``receive`` is the receiver's check.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from opendsop.contracts.dsve.zipfiles import pack, unzip
from opendsop.standard.dsve.catalogue import RESOURCE_PROD, Role
from opendsop.standard.dsve.errors import DsveError
from opendsop.standard.dsve.messages import Outgoing
from opendsop.standard.dsve.rules import Aktoer, check_akeldo
from opendsop.standard.dsve.shipment import Shipment, check_shipment


@dataclass(frozen=True)
class Delivery:
    """A shipment as the broker hands it to its recipient."""

    transfer_id: str
    sender: str
    recipient: str
    properties: Mapping[str, str]
    payload: bytes
    senders_reference: str = ""


class Transport(Protocol):
    async def send(
        self, sender: str, recipient: str, properties: Mapping[str, str], payload: bytes, *, reference: str
    ) -> str:
        """Publish one shipment; returns its transfer id (a retry with the same reference returns the same id)."""

    async def available(self, recipient: str) -> list[str]:
        """Published transfers to ``recipient`` not yet confirmed downloaded, oldest first."""

    async def fetch(self, transfer_id: str, recipient: str) -> Delivery: ...

    async def confirm(self, transfer_id: str, recipient: str) -> None: ...


@dataclass
class MemoryTransport:
    """The broker's behaviour in memory (tests, and a process that plays every actor)."""

    transfers: dict[str, Delivery] = field(default_factory=dict)
    confirmed: set[str] = field(default_factory=set)
    _by_reference: dict[tuple[str, str], str] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def send(
        self, sender: str, recipient: str, properties: Mapping[str, str], payload: bytes, *, reference: str
    ) -> str:
        key = (sender, reference)
        if key in self._by_reference:
            return self._by_reference[key]
        transfer_id = f"ft-{next(self._ids):06d}"
        self.transfers[transfer_id] = Delivery(transfer_id, sender, recipient, dict(properties), payload, reference)
        self._by_reference[key] = transfer_id
        return transfer_id

    async def available(self, recipient: str) -> list[str]:
        return [t for t, d in self.transfers.items() if d.recipient == recipient and t not in self.confirmed]

    async def fetch(self, transfer_id: str, recipient: str) -> Delivery:
        found = self.transfers.get(transfer_id)
        if found is None or found.recipient != recipient:
            raise DsveError("DSVE-004", f"no transfer {transfer_id} for {recipient}")
        return found

    async def confirm(self, transfer_id: str, recipient: str) -> None:
        await self.fetch(transfer_id, recipient)
        self.confirmed.add(transfer_id)


Directory = Callable[[str], Awaitable[Aktoer | None]]


@dataclass
class Outbox:
    """One organisation's sending side: AKELDO consulted and the shipment self-checked before each send."""

    orgnr: str
    transport: Transport
    akeldo: Directory
    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (message type, recipient, transfer id)

    async def send(self, recipient: str, message: Outgoing, *, reference: str) -> str:
        check_akeldo(
            await self.akeldo(self.orgnr),
            await self.akeldo(recipient),
            message.message_type,
            sender_id=self.orgnr,
            receiver_id=recipient,
        )
        check_shipment(message.properties, message.files)  # what the receiver will run: refuse to send a bad one
        transfer = await self.transport.send(
            self.orgnr, recipient, message.properties, pack(message.files), reference=reference
        )
        self.sent.append((message.message_type, recipient, transfer))
        return transfer


@dataclass(frozen=True)
class Received:
    delivery: Delivery
    shipment: Shipment | None  # None: the shipment broke a rule (``error``)
    error: DsveError | None = None


async def receive(transport: Transport, recipient: str) -> list[Received]:
    """Download, check and confirm every waiting shipment to ``recipient`` (a broken one is confirmed too:
    the sender gets its NACK, and the broker must not hand it out again)."""
    found: list[Received] = []
    for transfer_id in await transport.available(recipient):
        delivery = await transport.fetch(transfer_id, recipient)
        try:
            shipment: Shipment | None = check_shipment(delivery.properties, unzip(delivery.payload))
            error = None
        except DsveError as exc:
            shipment, error = None, exc
        await transport.confirm(transfer_id, recipient)
        found.append(Received(delivery, shipment, error))
    return found


def akeldo_entry(orgnr: str, navn: str, rolle: Role, *, without: frozenset[str] = frozenset()) -> Aktoer:
    """An AKELDO entry listing the role's whole message set (minus ``without`` received)."""
    from opendsop.standard.dsve.rules import default_lists

    sends, receives = default_lists(rolle)
    return Aktoer(orgnr, navn, rolle, sends, receives - without)


RESOURCE = RESOURCE_PROD

__all__ = [
    "RESOURCE",
    "Delivery",
    "Directory",
    "MemoryTransport",
    "Outbox",
    "Received",
    "Transport",
    "akeldo_entry",
    "receive",
]
