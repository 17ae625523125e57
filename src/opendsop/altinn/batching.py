"""Group commit: concurrent writes of the same kind share one transaction.

A transaction costs its round trips and its commit whatever it carries, and SQLite lets one writer at a
time; so letters sent at once are written together — one INSERT per table for the lot — while each
sender still waits for its own commit.  If a shared transaction fails, each write is tried on its own,
so one bad write (a reused idempotency key, a simulated crash) fails only its sender.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from opendsop.altinn.store import MessageStore

T = TypeVar("T")
Apply = Callable[[AsyncConnection, list[T]], Awaitable[int]]  # writes the items; the events written


class GroupCommit(Generic[T]):
    def __init__(
        self, store: MessageStore, apply: Apply[T], on_commit: Callable[[int], None], *, max_batch: int = 64
    ) -> None:
        self.store = store
        self.apply = apply
        self.on_commit = on_commit
        self.max_batch = max_batch
        self._queue: list[tuple[T, asyncio.Future[None]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> None:
        """Write ``item`` (with whatever else is waiting); returns once it is committed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.ensure_future(self._drain())
        await future

    async def _drain(self) -> None:
        batch: list[tuple[T, asyncio.Future[None]]] = []
        try:
            while self._queue:
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
                try:
                    async with self.store.write() as conn:
                        events = await self.apply(conn, [item for item, _ in batch])
                except Exception as failure:
                    if len(batch) == 1:
                        _settle(batch[0][1], failure)
                        continue
                    for item, future in batch:  # one at a time: only the bad one fails
                        try:
                            async with self.store.write() as conn:
                                events = await self.apply(conn, [item])
                        except Exception as alone:
                            _settle(future, alone)
                        else:
                            self.on_commit(events)
                            _settle(future, None)
                    continue
                self.on_commit(events)
                for _, future in batch:
                    _settle(future, None)
        except BaseException as stopped:  # cancelled (shutdown): nobody may wait forever
            for _, future in [*batch, *self._queue]:
                _settle(future, RuntimeError("the platform stopped during the write; it may or may not be stored"))
            self._queue.clear()
            if not isinstance(stopped, Exception):
                raise


def _settle(future: asyncio.Future[None], failure: BaseException | None) -> None:
    if future.done():
        return
    if failure is None:
        future.set_result(None)
    else:
        future.set_exception(failure)


__all__ = ["GroupCommit"]
