"""The migrations' lock serves every event loop of the process, one migration at a time."""

from __future__ import annotations

import asyncio
import threading

from opendsop.audit.migrations import ONE_AT_A_TIME


async def _contend(events: list[str], name: str) -> None:
    async def one(tag: str) -> None:
        async with ONE_AT_A_TIME:
            events.append(f"{name}{tag}+")
            await asyncio.sleep(0)
            events.append(f"{name}{tag}-")

    await asyncio.gather(one("a"), one("b"))


def _assert_one_at_a_time(events: list[str]) -> None:
    for enter, leave in zip(events[::2], events[1::2], strict=True):
        assert enter.endswith("+") and leave == enter[:-1] + "-"


def test_a_second_event_loop_may_take_the_lock_after_the_first_waited_on_it() -> None:
    events: list[str] = []
    asyncio.run(_contend(events, "first"))
    asyncio.run(_contend(events, "second"))  # an asyncio.Lock would be bound to the first loop here
    assert len(events) == 8
    _assert_one_at_a_time(events)


def test_loops_in_two_threads_never_hold_it_together() -> None:
    events: list[str] = []
    threads = [threading.Thread(target=asyncio.run, args=(_contend(events, f"t{i}"),)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(events) == 8
    _assert_one_at_a_time(events)
