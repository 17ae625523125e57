"""The bank as a durable consumer of Konkursvarsel events: killed 100 times mid-batch — between applying a
notice and acknowledging it, the worst moment — it misses no notice and applies none twice."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import msgspec
import pytest

from opendsop.contracts.events import Message, apply_pending
from opendsop.contracts.registers.models import KonkursType, Konkursvarsel
from opendsop.provider.events import konkurs_handler
from tests.provider import bank as seed
from tests.provider.harness import seeded_store

pytestmark = pytest.mark.anyio
NOTICES = 150
KILLS = 100


class Killed(Exception):
    """The consumer process died."""


class Stream:
    """JetStream's delivery rules in memory: an entry is delivered until acknowledged; what a dead consumer
    held unacknowledged is delivered again (its ack wait ran out), in order."""

    def __init__(self, bodies: list[bytes]) -> None:
        self.bodies = bodies
        self.pending: deque[int] = deque(range(len(bodies)))
        self.in_flight: list[int] = []
        self.acked: set[int] = set()

    def consumer(self, acks_before_dying: int | None) -> Consumer:
        return Consumer(self, acks_before_dying)

    def ack_wait_expired(self) -> None:
        self.pending.extendleft(reversed(sorted(self.in_flight)))
        self.in_flight.clear()


class Delivery:
    def __init__(self, consumer: Consumer, index: int) -> None:
        self.consumer, self.index = consumer, index

    @property
    def data(self) -> bytes:
        return self.consumer.stream.bodies[self.index]

    async def ack(self) -> None:
        consumer = self.consumer
        if consumer.budget is not None:
            if consumer.budget == 0:
                raise Killed  # applied, never acknowledged
            consumer.budget -= 1
        consumer.stream.in_flight.remove(self.index)
        consumer.stream.acked.add(self.index)

    async def nak(self) -> None:
        self.consumer.stream.in_flight.remove(self.index)
        self.consumer.stream.pending.appendleft(self.index)


class Consumer:
    def __init__(self, stream: Stream, budget: int | None) -> None:
        self.stream, self.budget = stream, budget

    async def fetch(self, batch: int) -> Sequence[Message]:
        taken = [self.stream.pending.popleft() for _ in range(min(batch, len(self.stream.pending)))]
        self.stream.in_flight.extend(taken)
        return [Delivery(self, index) for index in taken]


def _notices() -> list[Konkursvarsel]:
    start = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    debtors = [seed.FIRMA] + [f"9{n:08d}" for n in range(NOTICES - 1)]
    return [
        Konkursvarsel(
            uuid=f"00000000-0000-4000-8000-{n:012d}",
            registreringstidspunkt=start + timedelta(seconds=n),
            type=KonkursType.AAPNING,
            debitor=debtor,
            kjennelsesdato=date(2026, 1, 9),
        )
        for n, debtor in enumerate(debtors)
    ]


async def test_a_consumer_killed_a_hundred_times_mid_batch_misses_nothing_and_applies_nothing_twice() -> None:
    store = await seeded_store()
    notices = _notices()
    stream = Stream([msgspec.json.encode(notice) for notice in notices])
    handle = konkurs_handler(store)
    changed: list[bytes] = []

    async def counting(body: bytes) -> bool:
        applied = await handle(body)
        if applied:
            changed.append(body)
        return applied

    rng = random.Random(22)
    redelivered = 0
    for _ in range(KILLS):
        with pytest.raises(Killed):
            await apply_pending(stream.consumer(rng.randint(0, 3)), counting, batch=rng.randint(1, 9))
        redelivered += len(stream.in_flight)
        stream.ack_wait_expired()  # the dead consumer's unacknowledged notices come again
    assert stream.pending  # the kills came mid-stream, not after it
    await apply_pending(stream.consumer(None), counting, batch=25)

    assert stream.acked == set(range(NOTICES)) and not stream.pending and not stream.in_flight
    assert len(changed) == NOTICES and len(set(changed)) == NOTICES  # each notice applied exactly once
    assert redelivered >= KILLS  # every kill left an applied, unacknowledged notice to be delivered again
    for notice in notices:  # and all of them are in the bank: applying any again changes nothing
        assert (await store.apply_konkurs_notice(notice)).applied is False


async def test_a_message_that_is_not_a_notice_is_dropped_not_redelivered_forever() -> None:
    store = await seeded_store()
    stream = Stream([b'{"uuid": 1}', msgspec.json.encode(_notices()[1])])
    done = await apply_pending(stream.consumer(None), konkurs_handler(store))
    assert (done.delivered, done.applied, done.failed) == (2, 1, 0) and stream.acked == {0, 1}
