"""Applies accepted KFR batches in the background and resumes the pending ones at startup
(DSOP “Architecture document”: "KFR batch load — asynchronous: the HTTP response only says the request and
data were valid").

Each batch is one task running ``KfrStore.apply_batch`` (one transaction).  A database error marks
the batch ``failed`` with the reason; a cancelled task (shutdown) leaves it ``pending``, to be
resumed by the next start.  Nothing here reads the clock except through the injected ``clock``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from opendsop.relations.kfr import KfrStore

log = logging.getLogger("opendsop.relations.worker")


class BatchWorker:
    def __init__(self, store: KfrStore, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock
        self._tasks: set[asyncio.Task[None]] = set()
        self._scheduled: set[str] = set()

    def schedule(self, batch_id: str) -> None:
        if batch_id in self._scheduled:
            return
        self._scheduled.add(batch_id)
        task = asyncio.get_running_loop().create_task(self._run(batch_id), name=f"kfr-batch-{batch_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, batch_id: str) -> None:
        try:
            if await self._store.apply_batch(batch_id, self._clock()):
                log.info("KFR batch %s applied", batch_id)
        except asyncio.CancelledError:
            log.warning("KFR batch %s interrupted; it stays pending and resumes at the next start", batch_id)
            raise
        except Exception as error:  # any database failure: record it, never lose the batch silently
            log.exception("KFR batch %s failed", batch_id)
            try:
                await self._store.fail_batch(batch_id, self._clock(), f"{type(error).__name__}: {error}")
            except Exception:
                log.exception("could not mark KFR batch %s as failed; it stays pending", batch_id)
        finally:
            self._scheduled.discard(batch_id)

    async def resume(self) -> int:
        """Schedule every pending batch (startup)."""
        pending = await self._store.pending_batches()
        for batch_id in pending:
            self.schedule(batch_id)
        if pending:
            log.info("resuming %d pending KFR batch(es)", len(pending))
        return len(pending)

    async def drain(self) -> None:
        """Wait until every scheduled batch has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self, grace: float = 5.0) -> None:
        """Give running batches ``grace`` seconds, then cancel them (they stay pending)."""
        if not self._tasks:
            return
        _, running = await asyncio.wait(list(self._tasks), timeout=grace)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)


__all__ = ["BatchWorker"]
