"""The registers' feeds on NATS JetStream: relayed once each (resuming where the stream ends), consumed by
a bank's durable consumer that acknowledges after applying (127.0.0.1:4222 here and in CI)."""

from __future__ import annotations

import os
import random
import uuid
from datetime import date

import pytest

from opendsop.contracts.events import KONKURSVARSEL, JetStream, apply_pending
from opendsop.contracts.registers.models import KonkursType
from opendsop.provider.events import durable_name, konkurs_handler
from opendsop.registers.app import Stores
from opendsop.registers.relay import relay_once
from opendsop.standard.identifiers import generate_orgnr
from tests.provider import bank as seed
from tests.provider.harness import seeded_store

pytestmark = pytest.mark.anyio
NATS_URL = os.environ.get("DSOP_TEST_NATS", "nats://127.0.0.1:4222")


async def _stream() -> JetStream:
    try:
        return await JetStream.connect(NATS_URL, timeout=1.0, namespace=f"t{uuid.uuid4().hex[:12]}")
    except ConnectionError as error:
        pytest.skip(str(error))


async def test_notices_reach_a_bank_once_through_jetstream(sqlite_stores: Stores) -> None:
    debtors = [seed.FIRMA, generate_orgnr(random.Random(5))]
    for debtor in debtors:
        await sqlite_stores.konkurs.register(type=KonkursType.AAPNING, debitor=debtor, kjennelsesdato=date(2026, 1, 9))
    stream = await _stream()
    try:
        assert (await relay_once(sqlite_stores, stream)).published[KONKURSVARSEL] == 2
        assert (await relay_once(sqlite_stores, stream)).published[KONKURSVARSEL] == 0  # resumes after the last
        await sqlite_stores.konkurs.register(
            type=KonkursType.SLETTING, debitor=debtors[0], kjennelsesdato=date(2026, 1, 9)
        )
        assert (await relay_once(sqlite_stores, stream)).published[KONKURSVARSEL] == 1

        bank = await seeded_store()
        source = await stream.durable(KONKURSVARSEL, durable_name("910000001"), ack_wait=5.0)
        first = await apply_pending(source, konkurs_handler(bank))
        assert (first.delivered, first.applied) == (3, 3)
        again = await apply_pending(
            await stream.durable(KONKURSVARSEL, durable_name("910000001")), konkurs_handler(bank)
        )
        assert again.delivered == 0  # acknowledged: a restarted consumer is not given them again
        other = await apply_pending(
            await stream.durable(KONKURSVARSEL, durable_name("910000002")), konkurs_handler(await seeded_store())
        )
        assert other.applied == 3  # every bank has its own durable consumer and gets every notice
    finally:
        await stream.delete_stream()
        await stream.close()


async def test_nats_down_is_one_warning_and_polling_remains(caplog: pytest.LogCaptureFixture) -> None:
    import asyncio

    from opendsop.provider.events import follow_konkurs

    with caplog.at_level("WARNING", logger="opendsop.provider.events"):
        await follow_konkurs(await seeded_store(), "nats://127.0.0.1:1", "910000001", stop=asyncio.Event())
    assert [record.getMessage() for record in caplog.records] == [
        "NATS at nats://127.0.0.1:1 does not answer (NoServersError): Konkursvarsel notices arrive by polling only"
    ]
