"""Events: the feed survives a restart and keeps order; webhooks are signed, retried with backoff and
dead-lettered where the subscriber (and only it) can see them."""

from __future__ import annotations

import msgspec
import pytest

from opendsop.contracts.messaging import errors as E
from opendsop.contracts.messaging.models import (
    Correspondence,
    CorrespondenceContent,
    InitializeCorrespondences,
    SubscriptionRequest,
)
from opendsop.contracts.messaging.names import SIGNATURE_HEADER, EventType, org_urn
from opendsop.contracts.messaging.signature import verify
from tests.altinn.conftest import AGENCY, BANK, LETTER, OTHER_BANK, Harness, open_platform

pytestmark = pytest.mark.anyio


def letter(n: int) -> InitializeCorrespondences:
    return InitializeCorrespondences(
        correspondence=Correspondence(
            resource_id=LETTER,
            senders_reference=f"ref-{n}",
            content=CorrespondenceContent(message_title=f"Brev {n}", message_body="..."),
        ),
        recipients=[org_urn(BANK)],
    )


async def test_the_feed_resumes_from_its_cursor_across_a_restart_without_loss_or_repeat(harness: Harness) -> None:
    agency, bank = harness.client(AGENCY), harness.client(BANK)
    for n in range(3):
        await agency.send(letter(n))
    first = await bank.events(size=2)
    assert len(first.events) == 2
    url = str(harness.platform.store.engine.url.render_as_string(hide_password=False))
    restarted = await open_platform(url, harness.clock, harness.webhooks)
    try:
        rest = await restarted.events.feed(BANK, first.next)
    finally:
        await restarted.close()
    seen = [*first.events, *rest.events]
    assert [e.type for e in seen] == [EventType.CORRESPONDENCE_PUBLISHED] * 3
    assert [e.sequence for e in seen] == sorted({e.sequence for e in seen})
    assert [e.data["correspondenceId"] for e in seen] == [
        c for n in range(3) for c in (await bank.search(senders_reference=f"ref-{n}")).ids
    ]
    assert (await harness.client(OTHER_BANK).events()).events == []  # only one's own events


async def test_a_webhook_gets_signed_deliveries_in_order(harness: Harness) -> None:
    bank = harness.client(BANK)
    subscription = await bank.subscribe(SubscriptionRequest(end_point="http://bank.test/hook", resource_filter=LETTER))
    assert subscription.secret
    for n in range(2):
        await harness.client(AGENCY).send(letter(n))
    assert await harness.platform.dispatcher.run_once() == 2
    bodies = []
    for url, body, headers in harness.webhooks.received:
        assert url == "http://bank.test/hook"
        assert verify(subscription.secret, body, headers[SIGNATURE_HEADER], now=harness.clock.now)
        assert not verify("another secret", body, headers[SIGNATURE_HEADER], now=harness.clock.now)
        bodies.append(msgspec.json.decode(body))
    assert [b["sequence"] for b in bodies] == sorted(b["sequence"] for b in bodies)
    assert await harness.platform.dispatcher.run_once() == 0  # each event once


async def test_a_webhook_that_is_down_is_retried_with_backoff_then_dead_lettered(harness: Harness) -> None:
    bank = harness.client(BANK)
    subscription = await bank.subscribe(SubscriptionRequest(end_point="http://bank.test/hook"))
    await harness.client(AGENCY).send(letter(1))
    harness.webhooks.down = True
    dispatcher = harness.platform.dispatcher
    assert await dispatcher.run_once() == 0  # attempt 1 fails: next in 1 s
    assert await dispatcher.run_once() == 0  # not due yet: no attempt
    harness.clock.advance(seconds=1)
    assert await dispatcher.run_once() == 0  # attempt 2 fails: next in 2 s
    harness.clock.advance(seconds=1)
    await dispatcher.run_once()
    (current,) = await bank.subscriptions()
    assert current.delivered_through == subscription.delivered_through  # still waiting, not skipped
    harness.clock.advance(seconds=1)
    await dispatcher.run_once()  # attempt 3 of 3 fails: dead letter, the cursor moves on
    (dead,) = await bank.dead_letters(subscription.id)
    assert dead.attempts == 3 and "refused" in dead.last_error
    assert dead.event.type == EventType.CORRESPONDENCE_PUBLISHED
    with pytest.raises(E.NotFound):
        await harness.client(OTHER_BANK).dead_letters(subscription.id)

    harness.webhooks.down = False
    await harness.client(AGENCY).send(letter(2))
    harness.clock.advance(seconds=1)
    assert await dispatcher.run_once() == 1  # later events flow again
