"""Correspondence over HTTP: a letter's whole life cycle, the inbox, attachments and the refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from opendsop.altinn import schema
from opendsop.altinn.common import SimulatedCrash
from opendsop.altinn.correspondence import Upload
from opendsop.contracts.messaging import FileUpload
from opendsop.contracts.messaging import errors as E
from opendsop.contracts.messaging.models import (
    AttachmentInit,
    Correspondence,
    CorrespondenceContent,
    InitializeCorrespondences,
)
from opendsop.contracts.messaging.names import CORRESPONDENCE_READ, CorrespondenceStatus, EventType, Role, org_urn
from tests.altinn.conftest import AGENCY, BANK, LETTER, OTHER_BANK, OUTSIDER, PERSON, Harness, open_platform

pytestmark = pytest.mark.anyio


def letter(*recipients: str, key: str | None = None, **fields: Any) -> InitializeCorrespondences:
    return InitializeCorrespondences(
        correspondence=Correspondence(
            resource_id=fields.pop("resource_id", LETTER),
            senders_reference="case-1",
            content=CorrespondenceContent(message_title="Forespørsel om kontoopplysninger", message_body="# Hei\n..."),
            property_list={"AccountInfoRequestID": "a1b2"},
            is_confirmation_needed=True,
            **fields,
        ),
        recipients=[org_urn(r) if len(r) == 9 else r for r in recipients],
        idempotent_key=key,
    )


async def test_a_letter_goes_through_its_life_cycle_and_the_sender_hears_each_step(harness: Harness) -> None:
    agency, bank = harness.client(AGENCY), harness.client(BANK)
    sent = await agency.send(letter(BANK), [FileUpload("request.json", b'{"ask": "accounts"}', "application/json")])
    (made,) = sent.correspondences
    assert made.status == CorrespondenceStatus.PUBLISHED and made.recipient == BANK

    page = await bank.search()
    assert page.ids == [made.correspondence_id]
    seen = await bank.get(made.correspondence_id)
    assert seen.status == CorrespondenceStatus.FETCHED
    assert seen.property_list == {"AccountInfoRequestID": "a1b2"}
    (attachment,) = seen.attachments
    data = await bank.download_attachment(made.correspondence_id, attachment.attachment_id)
    assert data == b'{"ask": "accounts"}'
    assert (await bank.mark_read(made.correspondence_id)).status == CorrespondenceStatus.READ
    assert (await bank.confirm(made.correspondence_id)).status == CorrespondenceStatus.CONFIRMED
    answer = await bank.reply(
        made.correspondence_id,
        CorrespondenceContent(message_title="Svar", message_body="Se vedlegg"),
        [FileUpload("svar.xlsx", b"PK\x03\x04 xlsx bytes", "application/vnd.ms-excel")],
    )
    assert (await bank.archive(made.correspondence_id)).status == CorrespondenceStatus.ARCHIVED

    (reply_id,) = (await agency.search()).ids
    assert reply_id == answer.correspondences[0].correspondence_id
    reply = await agency.get(reply_id)
    assert reply.reply_to == made.correspondence_id and reply.sender == org_urn(BANK)
    assert await agency.download_attachment(reply_id, reply.attachments[0].attachment_id) == b"PK\x03\x04 xlsx bytes"

    history = [h.status for h in (await agency.details(made.correspondence_id)).status_history]
    assert history == [
        "Initialized",
        "Published",
        "Fetched",
        "AttachmentsDownloaded",
        "Read",
        "Confirmed",
        "Replied",
        "Archived",
    ]
    types = [e.type for e in (await agency.events()).events if e.resourceinstance == made.correspondence_id]
    assert types == [
        EventType.CORRESPONDENCE_INITIALIZED,
        EventType.CORRESPONDENCE_PUBLISHED,
        EventType.ATTACHMENT_DOWNLOADED,
        EventType.RECEIVER_READ,
        EventType.RECEIVER_CONFIRMED,
        EventType.RECEIVER_REPLIED,
        EventType.CORRESPONDENCE_ARCHIVED,
    ]
    bank_events = (await bank.events()).events
    assert [e.type for e in bank_events][:1] == [EventType.CORRESPONDENCE_PUBLISHED]


async def test_one_correspondence_per_recipient_and_the_inbox_pages(sqlite_harness: Harness) -> None:
    agency = sqlite_harness.client(AGENCY)
    for n in range(3):
        sqlite_harness.clock.advance(seconds=1)
        await agency.send(letter(BANK, OTHER_BANK, key=f"k{n}"))
    bank = sqlite_harness.client(BANK)
    first = await bank.search(limit=2)
    assert len(first.ids) == 2 and first.next
    rest = await bank.search(limit=2, cursor=first.next)
    assert len(rest.ids) == 1 and rest.next is None
    assert len({*first.ids, *rest.ids}) == 3
    assert len([c async for c in sqlite_harness.client(OTHER_BANK).inbox()]) == 3
    assert len((await agency.search(role=Role.SENDER, limit=10)).ids) == 6


async def test_a_duplicate_send_returns_the_first_result_and_a_reused_key_is_refused(harness: Harness) -> None:
    agency = harness.client(AGENCY)
    first = await agency.send(letter(BANK, key="dup-1"))
    again = await agency.send(letter(BANK, key="dup-1"))
    assert again == first
    assert len((await harness.client(BANK).search()).ids) == 1
    with pytest.raises(E.IdempotencyConflict):
        await agency.send(letter(OTHER_BANK, key="dup-1"))


async def test_a_scheduled_letter_is_hidden_until_its_publish_time(sqlite_harness: Harness) -> None:
    agency, bank = sqlite_harness.client(AGENCY), sqlite_harness.client(BANK)
    at = sqlite_harness.clock.now + timedelta(hours=1)
    sent = await agency.send(letter(BANK, requested_publish_time=at))
    assert sent.correspondences[0].status == CorrespondenceStatus.READY_FOR_PUBLISH
    assert (await bank.search()).ids == []
    assert await sqlite_harness.platform.sweep() == 0
    sqlite_harness.clock.advance(hours=1)
    assert await sqlite_harness.platform.sweep() == 1
    assert (await bank.search()).ids == [sent.correspondences[0].correspondence_id]


async def test_due_date_passes_unconfirmed_and_the_system_deletes_after_its_time(harness: Harness) -> None:
    agency, bank = harness.client(AGENCY), harness.client(BANK)
    now = harness.clock.now
    sent = await agency.send(
        letter(BANK, due_date_time=now + timedelta(days=1), allow_system_delete_after=now + timedelta(days=2)),
        [FileUpload("kontoutskrift.pdf", b"%PDF-1.7 personal data")],
    )
    cid = sent.correspondences[0].correspondence_id
    harness.clock.advance(days=1, seconds=1)
    await harness.platform.sweep()
    harness.clock.advance(days=1)
    await harness.platform.sweep()
    types = [e.type for e in (await agency.events()).events if e.resourceinstance == cid]
    assert EventType.RECEIVER_NEVER_CONFIRMED in types and types[-1] == EventType.CORRESPONDENCE_PURGED
    with pytest.raises(E.NotFound):
        await bank.get(cid)
    (attachment,) = (await agency.get(cid)).attachments
    assert attachment.status == "Purged"  # the bytes are gone with the letter
    with pytest.raises(E.NotFound):
        await agency.download_attachment(cid, attachment.attachment_id)


EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("unknown resource", E.UnknownResource),
        ("sender without the right", E.NotAuthorized),
        ("recipient without the right", E.NotAuthorized),
        ("malformed recipient", E.InvalidRequest),
        ("attachment over the limit", E.TooLarge),
        ("virus", E.Rejected),
        ("checksum mismatch", E.ChecksumMismatch),
        ("title too long", E.InvalidRequest),
        ("due before publish", E.InvalidRequest),
        ("missing scope", E.InsufficientScope),
    ],
)
async def test_bad_sends_are_refused_with_their_own_error(sqlite_harness: Harness, case: str, error: type) -> None:
    agency = sqlite_harness.client(AGENCY)
    request, files = letter(BANK), [FileUpload("a.txt", b"hello")]
    if case == "unknown resource":
        request = letter(BANK, resource_id="no-such-resource")
    elif case == "sender without the right":
        agency = sqlite_harness.client(OUTSIDER)
    elif case == "recipient without the right":
        request = letter(BANK, resource_id="svv-transportloyvegaranti")
    elif case == "malformed recipient":
        request = letter("123")
    elif case == "attachment over the limit":
        files = [FileUpload("big.bin", b"x" * (64 * 1024 + 1))]
    elif case == "virus":
        files = [FileUpload("eicar.com", EICAR)]
    elif case == "checksum mismatch":
        request.correspondence.content.attachments.append(AttachmentInit(file_name="a.txt", checksum="00" * 32))
    elif case == "title too long":
        request.correspondence.content.message_title = "x" * 256
    elif case == "due before publish":
        request = letter(BANK, due_date_time=sqlite_harness.clock.now - timedelta(days=1))
    elif case == "missing scope":
        agency = sqlite_harness.client(AGENCY, scopes=(CORRESPONDENCE_READ,))
    with pytest.raises(error):
        await agency.send(request, files)
    assert (await sqlite_harness.client(BANK).search()).ids == []  # nothing half made


async def test_only_the_parties_see_a_letter_and_a_person_reads_their_own(sqlite_harness: Harness) -> None:
    agency = sqlite_harness.client(AGENCY)
    sent = await agency.send(letter(BANK, PERSON))
    to_bank, to_person = (c.correspondence_id for c in sent.correspondences)
    with pytest.raises(E.NotFound):
        await sqlite_harness.client(OTHER_BANK).get(to_bank)
    with pytest.raises(E.NotFound):
        await sqlite_harness.client(BANK).get(to_person)
    person = sqlite_harness.client("974760673", pid=PERSON)  # an ID-porten-like token names the person
    assert (await person.get(to_person)).recipient.endswith(PERSON)
    with pytest.raises(E.WrongStatus):
        await agency.mark_read(to_bank)  # only the recipient acts on it


async def test_a_crash_while_sending_leaves_no_letter_and_the_retry_sends_it_once(harness: Harness) -> None:
    def crash(point: str) -> None:
        if point == "correspondence.blobs_stored":
            raise SimulatedCrash(point)

    url = harness.platform.store.engine.url.render_as_string(hide_password=False)
    dying = await open_platform(url, harness.clock, harness.webhooks, fault=crash)
    files = [Upload("a.pdf", b"%PDF-1.7 same bytes")]
    with pytest.raises(SimulatedCrash):
        await dying.correspondences.create(AGENCY, letter(BANK, key="crash-1"), files)
    await dying.close()
    bank = harness.client(BANK)
    assert (await bank.search()).ids == []  # nothing half sent
    first = await harness.platform.correspondences.create(AGENCY, letter(BANK, key="crash-1"), files)
    again = await harness.platform.correspondences.create(AGENCY, letter(BANK, key="crash-1"), files)
    assert again == first and len((await bank.search()).ids) == 1
    other = await harness.client(AGENCY).send(letter(OTHER_BANK), [FileUpload("b.pdf", b"%PDF-1.7 same bytes")])
    seen = await harness.client(OTHER_BANK).get(other.correspondences[0].correspondence_id)
    mine = await bank.get(first.correspondences[0].correspondence_id)
    assert seen.attachments[0].checksum == mine.attachments[0].checksum
    async with harness.platform.store.engine.connect() as conn:  # one stored copy, by content hash
        assert (await conn.execute(select(func.count()).select_from(schema.blobs))).scalar_one() == 1
