"""Correspondence: create (one per recipient), publish, and the recipient's life cycle (Altinn 3 shaped).

Life cycle (``CorrespondenceStatus``): ``Initialized`` → ``ReadyForPublish`` (a future
``requestedPublishTime``) → ``Published`` → ``Fetched`` (the recipient's first look) → ``Read`` →
``Confirmed`` / ``Replied`` → ``Archived``; ``PurgedByRecipient`` / ``PurgedByAltinn`` end it (after
``allowSystemDeleteAfter`` the platform purges).  Each change is a status-history row and, in the same
transaction, its event for the party who wants to know (the sender hears of read, confirm, reply,
archive and purge; the recipient of publication).

Creating is atomic: attachments are checked (size, checksum, virus scan) and stored by content hash
first, then every row, status and event is written in one transaction, so a crash leaves either
nothing visible or the whole correspondence; retrying with the same ``idempotentKey`` then returns
the first result.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from opendsop.altinn import schema
from opendsop.altinn.batching import GroupCommit
from opendsop.altinn.common import Services, check_key, remembered, request_hash
from opendsop.altinn.scanning import check_file
from opendsop.altinn.store import EventDraft
from opendsop.contracts.messaging.errors import InvalidRequest, NotFound, WrongStatus
from opendsop.contracts.messaging.models import (
    AttachmentInit,
    Correspondence,
    InitializeCorrespondences,
    InitializedCorrespondence,
    InitializedCorrespondences,
    Resource,
)
from opendsop.contracts.messaging.names import CorrespondenceStatus as S
from opendsop.contracts.messaging.names import EventType as E

MAX_RECIPIENTS = 500
PATH = "/correspondence/api/v1/correspondence/"
VISIBLE_TO_RECIPIENT = frozenset({S.PUBLISHED, S.FETCHED, S.READ, S.REPLIED, S.CONFIRMED, S.ARCHIVED})
AFTER_PUBLISH = VISIBLE_TO_RECIPIENT
PURGED = frozenset({S.PURGED_BY_RECIPIENT, S.PURGED_BY_ALTINN})


@dataclass(frozen=True, slots=True)
class Upload:
    file_name: str
    data: bytes
    data_type: str = "application/octet-stream"


def _limit(text: str | None, low: int, high: int, what: str) -> None:
    if text is None or not low <= len(text) <= high:
        raise InvalidRequest(f"{what} must be {low}–{high} characters")


def validate(correspondence: Correspondence) -> None:
    """The field rules of Altinn's ``BaseCorrespondenceExt`` and ``InitializeCorrespondenceContentExt``."""
    _limit(correspondence.senders_reference, 1, 4096, "sendersReference")
    content = correspondence.content
    _limit(content.message_title, 1, 255, "content.messageTitle")
    _limit(content.message_summary, 0, 255, "content.messageSummary")
    _limit(content.message_body, 1, 30_000, "content.messageBody")
    if not (len(content.language) == 2 and content.language.isalpha()):
        raise InvalidRequest("content.language must be an ISO 639-1 code such as nb, nn or en")
    if correspondence.message_sender is not None:
        _limit(correspondence.message_sender, 0, 255, "messageSender")
    names = [a.file_name for a in content.attachments]
    if len(set(names)) != len(names):
        raise InvalidRequest("content.attachments names a file twice; give each attachment its own fileName")
    for moment, what in (
        (correspondence.requested_publish_time, "requestedPublishTime"),
        (correspondence.due_date_time, "dueDateTime"),
        (correspondence.allow_system_delete_after, "allowSystemDeleteAfter"),
    ):
        if moment is not None and moment.tzinfo is None:
            raise InvalidRequest(f"{what} must carry a time zone (e.g. 2026-12-08T10:00:00Z)")


@dataclass
class _Write:
    """The rows one create writes, gathered before its (possibly shared) transaction."""

    reply_to: Any = None
    idempotency: dict[str, Any] | None = None
    blobs: list[tuple[str, bytes]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    correspondences: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    drafts: list[EventDraft] = field(default_factory=list)


class Correspondences:
    def __init__(self, services: Services) -> None:
        self.s = services
        self._writer: GroupCommit[_Write] = GroupCommit(services.store, self._apply, services.committed)

    # -- create ----------------------------------------------------------------------------------------

    async def create(
        self,
        holder: str,
        request: InitializeCorrespondences,
        uploads: Sequence[Upload] = (),
        *,
        reply_to: Any = None,
    ) -> InitializedCorrespondences:
        s, correspondence = self.s, request.correspondence
        validate(correspondence)
        resource = await s.access.resource(correspondence.resource_id, "correspondence")
        sender, recipients = await self._parties(holder, request, resource, reply_to)
        key = check_key(request.idempotent_key)
        fingerprint = request_hash(request, [(u.file_name, u.data_type, len(u.data)) for u in uploads])
        if key is not None:
            async with s.store.engine.connect() as conn:
                found = await remembered(conn, sender, "correspondence", key, fingerprint)
            if found is not None:
                return msgspec.json.decode(found, type=InitializedCorrespondences)

        now = s.now()
        publish_at, due, delete_after = self._times(correspondence, now)
        stored = await self._check_files(resource, correspondence, uploads)
        existing = await self._existing(sender, request.existing_attachments)

        published = publish_at <= now
        result = InitializedCorrespondences(
            correspondences=[
                InitializedCorrespondence(
                    correspondence_id=str(uuid.uuid4()),
                    status=S.PUBLISHED if published else S.READY_FOR_PUBLISH,
                    recipient=recipient,
                )
                for recipient in recipients
            ],
            attachment_ids=[a[0] for a in stored] + existing,
        )
        data = msgspec.json.encode(correspondence).decode("utf-8")
        write = _Write(reply_to=reply_to)
        if key is not None:
            write.idempotency = {
                "sender": sender,
                "kind": "correspondence",
                "key": key,
                "request_hash": fingerprint,
                "result": msgspec.json.encode(result).decode("utf-8"),
            }
        at = schema.to_us(now)
        for attachment_id, meta, digest, content in stored:
            write.blobs.append((digest, content))
            write.attachments.append(
                {
                    "id": attachment_id,
                    "resource_id": resource.identifier,
                    "sender": sender,
                    "status": "Published",
                    "sha256": digest,
                    "size": len(content),
                    "created": at,
                    "data": msgspec.json.encode(meta).decode("utf-8"),
                }
            )
        for made in result.correspondences:
            cid, recipient = made.correspondence_id, made.recipient
            write.correspondences.append(
                {
                    "id": cid,
                    "resource_id": resource.identifier,
                    "sender": sender,
                    "recipient": recipient,
                    "senders_reference": correspondence.senders_reference,
                    "status": made.status,
                    "status_changed": at,
                    "created": at,
                    "published": at if published else None,
                    "publish_at": schema.to_us(publish_at),
                    "due": schema.to_us(due) if due else None,
                    "delete_after": schema.to_us(delete_after) if delete_after else None,
                    "confirmation_needed": correspondence.is_confirmation_needed,
                    "never_confirmed_sent": False,
                    "idempotent_key": key,
                    "reply_to": reply_to.id if reply_to is not None else None,
                    "data": data,
                }
            )
            write.links += [
                {"correspondence_id": cid, "position": i, "attachment_id": a}
                for i, a in enumerate(result.attachment_ids)
            ]
            write.statuses += [
                {"object_id": cid, "status": S.INITIALIZED, "at": now, "by": sender},
                {"object_id": cid, "status": made.status, "at": now, "by": sender},
            ]
            write.drafts.append(self._draft(E.CORRESPONDENCE_INITIALIZED, sender, resource.identifier, cid, recipient))
            if published:
                write.drafts += self._published(resource.identifier, cid, sender, recipient)
        try:
            await self._writer.submit(write)
        except IntegrityError:
            if key is None:
                raise
            async with s.store.engine.connect() as conn:  # the same key committed concurrently: its result
                found = await remembered(conn, sender, "correspondence", key, fingerprint)
            if found is None:
                raise
            return msgspec.json.decode(found, type=InitializedCorrespondences)
        return result

    async def _apply(self, conn: AsyncConnection, writes: list[_Write]) -> int:
        """Every row of ``writes`` in ``conn``'s transaction, one statement per table; the events written."""
        s = self.s
        keys = [w.idempotency for w in writes if w.idempotency is not None]
        if keys:
            await conn.execute(insert(schema.idempotency), keys)
        for digest, content in dict(b for w in writes for b in w.blobs).items():  # stored by content hash
            await s.store.put_blob(digest, content, conn)
        s.crash_point("correspondence.blobs_stored")
        for table, rows in (
            (schema.attachments, [r for w in writes for r in w.attachments]),
            (schema.correspondences, [r for w in writes for r in w.correspondences]),
            (schema.correspondence_attachments, [r for w in writes for r in w.links]),
        ):
            if rows:
                await conn.execute(insert(table), rows)
        await s.store.record_statuses(conn, [r for w in writes for r in w.statuses])
        drafts = [d for w in writes for d in w.drafts]
        for w in writes:
            if w.reply_to is not None:
                drafts += await self._advance(conn, w.reply_to, S.REPLIED, w.reply_to.recipient)
        await s.store.append_events(conn, drafts, s.source_url)
        return len(drafts)

    async def _parties(
        self, holder: str, request: InitializeCorrespondences, resource: Resource, reply_to: Any
    ) -> tuple[str, list[str]]:
        """The sender (the caller, or the party it acts for) and the recipients, each checked against the
        resource's policy; a reply goes back to the original sender without a sending right."""
        access = self.s.access
        if reply_to is not None:
            sender = reply_to.recipient
        else:
            sender = await access.acting_party(resource, holder, request.correspondence.sender)
            await access.check_sender(resource, sender)
        if not request.recipients or len(request.recipients) > MAX_RECIPIENTS:
            raise InvalidRequest(f"recipients must list 1–{MAX_RECIPIENTS} parties")
        recipients = list(dict.fromkeys(access.party(r, "recipient") for r in request.recipients))
        if reply_to is None:
            for recipient in recipients:
                await access.check_recipient(resource, recipient)
        return sender, recipients

    @staticmethod
    def _times(correspondence: Correspondence, now: datetime) -> tuple[datetime, datetime | None, datetime | None]:
        publish_at = max(correspondence.requested_publish_time or now, now)
        due, delete_after = correspondence.due_date_time, correspondence.allow_system_delete_after
        if due is not None and due <= publish_at:
            raise InvalidRequest("dueDateTime must lie after the publish time")
        if delete_after is not None and (delete_after <= publish_at or (due is not None and delete_after <= due)):
            raise InvalidRequest("allowSystemDeleteAfter must lie after the publish time and dueDateTime")
        return publish_at, due, delete_after

    async def _check_files(
        self, resource: Resource, correspondence: Correspondence, uploads: Sequence[Upload]
    ) -> list[tuple[str, AttachmentInit, str, bytes]]:
        """Check each upload (size, checksum, virus scan): (attachment id, meta, sha256, bytes)."""
        s = self.s
        listed = {a.file_name: a for a in correspondence.content.attachments}
        missing = sorted(set(listed) - {u.file_name for u in uploads})
        if missing:
            raise InvalidRequest(f"content.attachments lists {', '.join(missing)} but no such file was uploaded")
        limit = min(s.max_attachment_bytes, resource.max_attachment_bytes or s.max_attachment_bytes)
        stored: list[tuple[str, AttachmentInit, str, bytes]] = []
        for upload in uploads:
            meta = listed.get(upload.file_name) or AttachmentInit(
                file_name=upload.file_name, data_type=upload.data_type
            )
            digest = check_file(
                upload.data,
                limit=limit,
                what=f"attachment {upload.file_name!r}",
                checksum=meta.checksum,
                scanner=s.scanner,
            )
            stored.append((str(uuid.uuid4()), meta, digest, upload.data))
        return stored

    async def _existing(self, sender: str, ids: Sequence[str]) -> list[str]:
        if not ids:
            return []
        query = select(schema.attachments.c.id, schema.attachments.c.sender, schema.attachments.c.status).where(
            schema.attachments.c.id.in_(list(ids))
        )
        async with self.s.store.engine.connect() as conn:
            rows = {row.id: row for row in await conn.execute(query)}
        for attachment_id in ids:
            row = rows.get(attachment_id)
            if row is None or row.sender != sender:
                raise InvalidRequest(f"existingAttachments: no attachment {attachment_id[:40]!r} of this sender")
            if row.status != "Published":
                raise InvalidRequest(
                    f"existingAttachments: attachment {attachment_id[:40]!r} is {row.status}, not uploaded"
                )
        return list(dict.fromkeys(ids))

    def _draft(self, type_: str, party: str, resource_id: str, cid: str, other: str | None, **data: Any) -> EventDraft:
        return EventDraft(
            type=type_,
            party=party,
            resource_id=resource_id,
            instance=cid,
            time=self.s.now(),
            path=PATH + cid,
            other=other,
            data={"correspondenceId": cid, **data},
        )

    def _published(self, resource_id: str, cid: str, sender: str, recipient: str) -> list[EventDraft]:
        return [
            self._draft(E.CORRESPONDENCE_PUBLISHED, recipient, resource_id, cid, sender),
            self._draft(E.CORRESPONDENCE_PUBLISHED, sender, resource_id, cid, recipient),
        ]

    # -- the recipient's actions -----------------------------------------------------------------------

    async def row(self, holder: str, cid: str, on_behalf_of: str | None) -> tuple[Any, str]:
        """The correspondence and the caller's side of it (``sender``/``recipient``); ``NotFound`` when the
        caller is neither, or is the recipient of one not yet published."""
        async with self.s.store.engine.connect() as conn:
            row = (await conn.execute(select(schema.correspondences).where(schema.correspondences.c.id == cid))).first()
        if row is None:
            raise NotFound(f"no correspondence {cid[:40]!r}")
        party = holder
        if on_behalf_of:
            resource = await self.s.access.resource(row.resource_id, "correspondence")
            party = await self.s.access.acting_party(resource, holder, on_behalf_of)
        if row.recipient == party and row.status in VISIBLE_TO_RECIPIENT:
            return row, "recipient"
        if row.sender == party:
            return row, "sender"
        raise NotFound(f"no correspondence {cid[:40]!r} for this party")

    async def act(self, holder: str, cid: str, action: str, on_behalf_of: str | None = None) -> Any:
        """``fetch`` | ``read`` | ``confirm`` | ``archive`` | ``purge`` as the recipient (a sender may purge
        before publication); answers the row after the change."""
        row, side = await self.row(holder, cid, on_behalf_of)
        target = {
            "fetch": S.FETCHED,
            "read": S.READ,
            "confirm": S.CONFIRMED,
            "archive": S.ARCHIVED,
            "purge": S.PURGED_BY_RECIPIENT,
        }[action]
        if side == "sender":
            if action == "fetch":
                return row
            if action != "purge" or row.status not in (S.INITIALIZED, S.READY_FOR_PUBLISH):
                raise WrongStatus(
                    f"only the recipient may {action} a correspondence; the sender may purge it before publication"
                )
            target = S.PURGED_BY_ALTINN
        async with self.s.store.write() as conn:
            drafts = await self._advance(conn, row, target, row.recipient if side == "recipient" else row.sender)
            await self.s.store.append_events(conn, drafts, self.s.source_url)
        self.s.committed(len(drafts))
        if target in PURGED and drafts:
            await self.forget_files(cid)
        async with self.s.store.engine.connect() as conn:
            return (
                await conn.execute(select(schema.correspondences).where(schema.correspondences.c.id == cid))
            ).first()

    async def forget_files(self, cid: str) -> int:
        """Delete the bytes of a purged correspondence's attachments that nothing live still refers to (another
        recipient's copy, an attachment not yet sent, a file transfer); the number of files deleted."""
        a, link, c = schema.attachments.c, schema.correspondence_attachments.c, schema.correspondences.c
        f = schema.file_transfers.c
        candidates = (
            select(a.sha256)
            .join(schema.correspondence_attachments, link.attachment_id == a.id)
            .where(link.correspondence_id == cid, a.sha256.is_not(None))
        )
        deleted = 0
        async with self.s.store.engine.connect() as conn:
            hashes = set((await conn.execute(candidates)).scalars())
        for digest in hashes:
            live_letter = (
                select(a.id)
                .join(schema.correspondence_attachments, link.attachment_id == a.id)
                .join(schema.correspondences, c.id == link.correspondence_id)
                .where(a.sha256 == digest, c.status.not_in([str(p) for p in PURGED]))
            )
            linked = select(link.attachment_id)
            unsent = select(a.id).where(a.sha256 == digest, a.id.not_in(linked))
            live_file = select(f.id).where(f.sha256 == digest, f.status != "Purged")
            async with self.s.store.write() as conn:
                if any([(await conn.execute(q.limit(1))).first() for q in (live_letter, unsent, live_file)]):
                    continue
                await conn.execute(delete(schema.blobs).where(schema.blobs.c.sha256 == digest))
                await conn.execute(update(schema.attachments).where(a.sha256 == digest).values(status="Purged"))
                deleted += 1
        return deleted

    async def _advance(self, conn: AsyncConnection, row: Any, target: str, by: str) -> list[EventDraft]:
        """Move ``row`` to ``target`` when the life cycle allows; a repeat is a no-op, a step back refused."""
        allowed = {
            S.FETCHED: {S.PUBLISHED},
            S.READ: {S.PUBLISHED, S.FETCHED},
            S.CONFIRMED: {S.PUBLISHED, S.FETCHED, S.READ, S.REPLIED},
            S.REPLIED: {S.PUBLISHED, S.FETCHED, S.READ, S.CONFIRMED},
            S.ARCHIVED: AFTER_PUBLISH - {S.ARCHIVED},
            S.PURGED_BY_RECIPIENT: AFTER_PUBLISH,
            S.PURGED_BY_ALTINN: {S.INITIALIZED, S.READY_FOR_PUBLISH, *AFTER_PUBLISH},
        }[S(target)]
        current = (
            await conn.execute(select(schema.correspondences.c.status).where(schema.correspondences.c.id == row.id))
        ).scalar_one()
        if current == target:
            return []
        if current not in allowed:
            if target in (S.FETCHED, S.READ) or (target == S.CONFIRMED and current == S.ARCHIVED):
                return []  # already past it
            raise WrongStatus(f"the correspondence is {current}; it cannot become {target}")
        now = self.s.now()
        changed = await conn.execute(
            update(schema.correspondences)
            .where(schema.correspondences.c.id == row.id, schema.correspondences.c.status == current)
            .values(status=target, status_changed=schema.to_us(now))
        )
        if changed.rowcount != 1:
            raise WrongStatus("the correspondence changed meanwhile; try again")
        drafts: list[EventDraft] = []
        if target == S.CONFIRMED and current in (S.PUBLISHED, S.FETCHED):
            await self.s.store.record_status(conn, row.id, S.READ, now, by=by)  # confirming implies reading
            drafts.append(self._draft(E.RECEIVER_READ, row.sender, row.resource_id, row.id, row.recipient))
        await self.s.store.record_status(conn, row.id, target, now, by=by)
        event = {
            S.READ: E.RECEIVER_READ,
            S.CONFIRMED: E.RECEIVER_CONFIRMED,
            S.REPLIED: E.RECEIVER_REPLIED,
            S.ARCHIVED: E.CORRESPONDENCE_ARCHIVED,
            S.PURGED_BY_RECIPIENT: E.CORRESPONDENCE_PURGED,
            S.PURGED_BY_ALTINN: E.CORRESPONDENCE_PURGED,
        }.get(S(target))
        if event is not None:
            drafts.append(self._draft(event, row.sender, row.resource_id, row.id, row.recipient, status=target))
        return drafts

    async def attachment(
        self, holder: str, cid: str, attachment_id: str, on_behalf_of: str | None
    ) -> tuple[Any, bytes]:
        """The attachment's row and bytes for the sender or the recipient of a live correspondence."""
        row, side = await self.row(holder, cid, on_behalf_of)
        query = (
            select(schema.attachments)
            .join(
                schema.correspondence_attachments,
                schema.correspondence_attachments.c.attachment_id == schema.attachments.c.id,
            )
            .where(
                schema.correspondence_attachments.c.correspondence_id == cid,
                schema.attachments.c.id == attachment_id,
            )
        )
        async with self.s.store.engine.connect() as conn:
            found = (await conn.execute(query)).first()
        if found is None or found.sha256 is None:
            raise NotFound(f"correspondence {cid[:40]!r} has no attachment {attachment_id[:40]!r}")
        data = await self.s.store.blob(found.sha256)
        if data is None:
            raise NotFound(f"the attachment {attachment_id[:40]!r} has been purged")
        if side == "recipient":
            async with self.s.store.write() as conn:  # Altinn's status 12; written first (SQLite's write lock)
                await self.s.store.record_status(conn, cid, S.ATTACHMENTS_DOWNLOADED, self.s.now(), by=row.recipient)
                drafts = [
                    self._draft(
                        E.ATTACHMENT_DOWNLOADED,
                        row.sender,
                        row.resource_id,
                        cid,
                        row.recipient,
                        attachmentId=attachment_id,
                    )
                ]
                await self.s.store.append_events(conn, drafts, self.s.source_url)
            self.s.committed(1)
        return found, data


__all__ = ["PATH", "Correspondences", "Upload", "validate"]
