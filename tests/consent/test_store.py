"""The SQL store on SQLite and PostgreSQL: idempotent create, conditional status changes, expiry, events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from opendsop.consent.registry import Registry
from opendsop.consent.requests import ConsentError, Status, parse_request
from opendsop.consent.store import ConsentStore
from opendsop.serving import create_engine
from tests.consent.consent_helpers import BANK, ORG_URN, OTHER_BANK, START, request_body

pytestmark = pytest.mark.anyio


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[ConsentStore]:
    consent_store = ConsentStore(create_engine(database_url))
    await consent_store.create_schema()
    yield consent_store
    await consent_store.close()


def _request(**overrides: object):  # type: ignore[no-untyped-def]
    return parse_request(request_body(**overrides), now=START, synthetic_allowed=True)


async def test_round_trip_and_idempotent_create(store: ConsentStore) -> None:
    request = _request(handledBy=ORG_URN + OTHER_BANK)
    record, created = await store.create(request, now=START)
    assert created and record.status is Status.CREATED and record.request == request
    again, created_again = await store.create(request, now=START + timedelta(seconds=5))
    assert not created_again and again.request == request and again.created == START
    loaded = await store.get(request.id)
    assert loaded is not None and loaded.request == request


async def test_conflicting_content_under_the_same_id(store: ConsentStore) -> None:
    body = request_body()
    await store.create(parse_request(body, now=START, synthetic_allowed=True), now=START)
    changed = parse_request(dict(body, redirectUrl="https://bank.test/x"), now=START, synthetic_allowed=True)
    with pytest.raises(ConsentError) as conflict:
        await store.create(changed, now=START)
    assert conflict.value.status == 409


async def test_status_changes_only_from_allowed_states(store: ConsentStore) -> None:
    request = _request()
    await store.create(request, now=START)
    assert not await store.transition(request.id, Status.REVOKED, now=START)  # not accepted yet
    assert await store.transition(request.id, Status.ACCEPTED, now=START + timedelta(minutes=1))
    assert not await store.transition(request.id, Status.REJECTED, now=START)  # already answered
    record = await store.get(request.id)
    assert record is not None and record.status is Status.ACCEPTED
    assert record.consented == START + timedelta(minutes=1)
    assert await store.transition(request.id, Status.REVOKED, now=START + timedelta(minutes=2))
    events = await store.events(consent_id=request.id)
    assert [e.status for e in events] == [Status.CREATED, Status.ACCEPTED, Status.REVOKED]


async def test_expire_due_writes_expired_once(store: ConsentStore) -> None:
    short = _request(validTo=(START + timedelta(days=1)).isoformat())
    long = _request()
    for request in (short, long):
        await store.create(request, now=START)
    assert await store.expire_due(now=START + timedelta(hours=23)) == 0
    assert await store.expire_due(now=START + timedelta(days=1)) == 1
    assert await store.expire_due(now=START + timedelta(days=1)) == 0
    expired = await store.get(short.id)
    kept = await store.get(long.id)
    assert expired is not None and expired.status is Status.EXPIRED
    assert kept is not None and kept.status is Status.CREATED


async def test_events_and_lists_are_filtered_by_organisation(store: ConsentStore) -> None:
    mine = _request()
    theirs = _request(to=ORG_URN + OTHER_BANK)
    handled = _request(to=ORG_URN + OTHER_BANK, handledBy=ORG_URN + BANK)
    for request in (mine, theirs, handled):
        await store.create(request, now=START)
    # A handledBy supplier sees the events only while the recipient delegates to it.
    assert [e.consent_id for e in await store.events(org=BANK)] == [mine.id]
    await Registry(store.engine).add_delegation(OTHER_BANK, BANK, now=START)
    assert [e.consent_id for e in await store.events(org=BANK)] == [mine.id, handled.id]
    assert {r.id for r in await store.list_records(org=BANK)} == {mine.id, handled.id}
    first = await store.events(limit=1)
    assert [e.consent_id for e in await store.events(after=first[0].seq)] == [theirs.id, handled.id]


async def test_signing_key_first_writer_wins(store: ConsentStore) -> None:
    assert await store.key("altinn2") is None
    assert await store.put_key_if_absent("altinn2", b"first", now=START) == b"first"
    assert await store.put_key_if_absent("altinn2", b"second", now=START) == b"first"


async def test_an_id_is_unique_per_sender(store: ConsentStore) -> None:
    body = request_body()
    first, _ = await store.create(
        parse_request(dict(body, to=ORG_URN + OTHER_BANK), now=START, synthetic_allowed=True), now=START
    )
    second, created = await store.create(parse_request(body, now=START, synthetic_allowed=True), now=START)
    assert created and first.id == body["id"] and second.id != body["id"]
    assert second.request.to_org == BANK
    mine = await store.get_sent(BANK, body["id"])
    assert mine is not None and mine.id == second.id
    theirs = await store.get_sent(OTHER_BANK, body["id"])
    assert theirs is not None and theirs.id == first.id


async def test_a_database_from_before_sender_scoped_ids_is_upgraded(tmp_path: Path) -> None:
    from sqlalchemy import text

    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    request = _request()
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "CREATE TABLE consent_requests (id VARCHAR(36) PRIMARY KEY, from_urn VARCHAR(80) NOT NULL, "
                "to_org VARCHAR(9) NOT NULL, handled_by VARCHAR(9), valid_to BIGINT NOT NULL, rights TEXT NOT NULL, "
                "redirect_url TEXT NOT NULL, fingerprint VARCHAR(64) NOT NULL, status VARCHAR(16) NOT NULL, "
                "created BIGINT NOT NULL, updated BIGINT NOT NULL, consented BIGINT)"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO consent_requests VALUES (:id, :urn, :to, NULL, :valid, :rights, :redirect, :fp, "
                "'created', :now, :now, NULL)"
            ),
            {
                "id": request.id,
                "urn": request.from_party.urn,
                "to": BANK,
                "valid": int(request.valid_to.timestamp()),
                "rights": '[{"resource": "ske-sbl-inntekt", "metaData": {"inntektsaar": "2025"}}]',
                "redirect": request.redirect_url,
                "fp": request.fingerprint(),
                "now": int(START.timestamp()),
            },
        )
    old = ConsentStore(engine)
    await old.create_schema()
    again, created = await old.create(request, now=START)
    assert not created and again.id == request.id  # the old row answers the retry
    await old.close()


async def test_sessions_end_at_logout_and_for_every_device_of_a_person(store: ConsentStore) -> None:
    from opendsop.consent.login import SessionCodec, SessionStore
    from tests.consent.consent_helpers import OTHER_PERSON, PERSON

    codec = SessionCodec("a-secret-of-at-least-16", lifetime=timedelta(minutes=30))
    sessions = SessionStore(store.engine)
    laptop, phone, other = (codec.new(now=START, pid=pid) for pid in (PERSON, PERSON, OTHER_PERSON))
    for session in (laptop, phone, other):
        await sessions.start(session, now=START)
    assert await sessions.active(laptop, now=START)
    assert not await sessions.active(laptop, now=START + timedelta(minutes=30))  # expired
    await sessions.end(laptop.sid, now=START)
    assert not await sessions.active(laptop, now=START) and await sessions.active(phone, now=START)
    assert await sessions.end_person(PERSON, now=START) == 1
    assert not await sessions.active(phone, now=START) and await sessions.active(other, now=START)
