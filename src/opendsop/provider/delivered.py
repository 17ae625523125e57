"""Whether an answer reached the caller, so the audit record can say so truthfully.

An answer is *delivered* when its last body chunk was handed to the connection while the caller was
still there.  A caller that timed out or dropped the connection while the bank was still working
gets nothing (the ASGI server discards what is sent to a closed connection), so its record says
``delivered: false`` — the record of an answer is written after the answer was sent, never before.

``DeliveryWatch`` is a pure ASGI middleware: it is the only reader of ``receive`` (GET requests have no
body; the messages are passed on to the app in order) so it sees ``http.disconnect`` as soon as the
server reports it, and it marks the final ``http.response.body``.  The handler leaves a callback in the
scope (``Delivery.settle_with``) that runs once the outcome is known, after the response.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

DELIVERY_KEY = "opendsop.delivery"
log = logging.getLogger("opendsop.provider")

Settle = Callable[[bool], Awaitable[None]]


class Delivery:
    """One request's delivery outcome, and what to do with it once known."""

    __slots__ = ("delivered", "gone", "_settle")

    def __init__(self) -> None:
        self.gone = False  # the caller disconnected before the last body chunk was sent
        self.delivered = False
        self._settle: Settle | None = None

    def settle_with(self, settle: Settle) -> None:
        """Run ``settle(delivered)`` when the response has been sent or abandoned."""
        self._settle = settle

    async def settle(self) -> None:
        settle, self._settle = self._settle, None
        if settle is not None:
            await settle(self.delivered)


def delivery_of(scope: Scope) -> Delivery | None:
    delivery = scope.get(DELIVERY_KEY)
    return delivery if isinstance(delivery, Delivery) else None


class DeliveryWatch:
    """Wraps an ASGI app: every HTTP request gets a ``Delivery`` in its scope, settled after the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        delivery = Delivery()
        scope[DELIVERY_KEY] = delivery  # type: ignore[literal-required]
        inbox: asyncio.Queue[ReceiveMessage] = asyncio.Queue()

        async def watch() -> None:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    delivery.gone = delivery.gone or not delivery.delivered
                    await inbox.put(message)
                    return
                await inbox.put(message)

        async def from_inbox() -> Any:
            return await inbox.get()

        async def tracked(message: Message) -> None:
            final = message["type"] == "http.response.body" and not message.get("more_body", False)
            if final:
                await asyncio.sleep(0)  # let a disconnect the server already reported reach watch() first
                delivery.delivered = not delivery.gone
            await send(message)

        watcher = asyncio.create_task(watch())
        try:
            await self.app(scope, from_inbox, tracked)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            try:
                await delivery.settle()
            except Exception:  # the answer is gone already; the operator must see this
                log.exception("the audit record of a sent answer could not be written")


__all__ = ["DELIVERY_KEY", "Delivery", "DeliveryWatch", "delivery_of"]
