"""Reading correspondences: overviews, details with status history, the paged search, and the sweep
that publishes, reminds and purges on time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import and_, or_, select, update

from opendsop.altinn import schema
from opendsop.altinn.common import Services
from opendsop.altinn.correspondence import VISIBLE_TO_RECIPIENT, Correspondences
from opendsop.contracts.messaging.errors import InvalidRequest, WrongStatus
from opendsop.contracts.messaging.models import (
    AttachmentInit,
    AttachmentOverview,
    Correspondence,
    CorrespondenceDetails,
    CorrespondenceOverview,
    CorrespondencePage,
    StatusChange,
)
from opendsop.contracts.messaging.names import CorrespondenceStatus as S
from opendsop.contracts.messaging.names import EventType as E
from opendsop.contracts.messaging.names import Role, party_urn

DEFAULT_PAGE, MAX_PAGE = 50, 500


def _maybe(value: int | None) -> datetime | None:
    return None if value is None else schema.from_us(value)


class CorrespondenceViews:
    def __init__(self, services: Services, correspondences: Correspondences) -> None:
        self.s = services
        self.c = correspondences

    async def _attachments(self, ids: list[str]) -> dict[str, list[AttachmentOverview]]:
        if not ids:
            return {}
        query = (
            select(schema.correspondence_attachments.c.correspondence_id, schema.attachments)
            .join(schema.attachments, schema.attachments.c.id == schema.correspondence_attachments.c.attachment_id)
            .where(schema.correspondence_attachments.c.correspondence_id.in_(ids))
            .order_by(schema.correspondence_attachments.c.position)
        )
        found: dict[str, list[AttachmentOverview]] = {}
        async with self.s.store.engine.connect() as conn:
            for row in await conn.execute(query):
                meta = msgspec.json.decode(row.data, type=AttachmentInit)
                found.setdefault(row.correspondence_id, []).append(
                    AttachmentOverview(
                        attachment_id=row.id,
                        file_name=meta.file_name,
                        name=meta.name,
                        data_type=meta.data_type,
                        checksum=row.sha256 or "",
                        size=row.size,
                        status=row.status,
                        senders_reference=meta.senders_reference,
                        is_encrypted=meta.is_encrypted,
                    )
                )
        return found

    def overview(self, row: Any, attachments: list[AttachmentOverview]) -> CorrespondenceOverview:
        request = msgspec.json.decode(row.data, type=Correspondence)
        return CorrespondenceOverview(
            correspondence_id=row.id,
            resource_id=row.resource_id,
            sender=party_urn(row.sender),
            recipient=party_urn(row.recipient),
            senders_reference=row.senders_reference,
            status=row.status,
            status_changed=schema.from_us(row.status_changed),
            created=schema.from_us(row.created),
            content=request.content,
            attachments=attachments,
            message_sender=request.message_sender,
            published=_maybe(row.published),
            requested_publish_time=request.requested_publish_time,
            due_date_time=request.due_date_time,
            allow_system_delete_after=request.allow_system_delete_after,
            external_references=request.external_references,
            property_list=request.property_list,
            reply_options=request.reply_options,
            notification=request.notification,
            is_confirmation_needed=request.is_confirmation_needed,
            is_confidential=request.is_confidential,
            allow_forwarding=request.allow_forwarding,
            idempotent_key=row.idempotent_key,
            reply_to=row.reply_to,
        )

    async def get(self, holder: str, cid: str, on_behalf_of: str | None = None) -> CorrespondenceOverview:
        """The overview; the recipient's first look marks it ``Fetched``."""
        row, side = await self.c.row(holder, cid, on_behalf_of)
        if side == "recipient" and row.status == S.PUBLISHED:
            row = await self.c.act(holder, cid, "fetch", on_behalf_of)
        return self.overview(row, (await self._attachments([cid])).get(cid, []))

    async def details(self, holder: str, cid: str, on_behalf_of: str | None = None) -> CorrespondenceDetails:
        overview = await self.get(holder, cid, on_behalf_of)
        history = [
            StatusChange(
                status=h.status,
                status_changed=schema.from_us(h.at),
                by=party_urn(h.by) if h.by else None,
            )
            for h in await self.s.store.status_history(cid)
        ]
        return CorrespondenceDetails(**msgspec.structs.asdict(overview), status_history=history)

    async def overview_of(self, cid: str) -> CorrespondenceOverview:
        async with self.s.store.engine.connect() as conn:
            row = (await conn.execute(select(schema.correspondences).where(schema.correspondences.c.id == cid))).one()
        return self.overview(row, (await self._attachments([cid])).get(cid, []))

    async def search(
        self,
        party: str,
        *,
        role: str = Role.RECIPIENT,
        resource_id: str | None = None,
        status: str | None = None,
        sent_from: datetime | None = None,
        sent_to: datetime | None = None,
        senders_reference: str | None = None,
        idempotent_key: str | None = None,
        limit: int = DEFAULT_PAGE,
        cursor: str | None = None,
    ) -> CorrespondencePage:
        """Newest first, keyset-paged on (created, id); a recipient sees only what is published."""
        c = schema.correspondences.c
        as_recipient = and_(c.recipient == party, c.status.in_([str(s) for s in VISIBLE_TO_RECIPIENT]))
        if role == Role.RECIPIENT:
            where = [as_recipient]
        elif role == Role.SENDER:
            where = [c.sender == party]
        elif role == Role.RECIPIENT_AND_SENDER:
            where = [or_(as_recipient, c.sender == party)]
        else:
            raise InvalidRequest("role must be recipient, sender or recipientandsender")
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidRequest(f"limit must be 1–{MAX_PAGE}")
        if resource_id:
            where.append(c.resource_id == resource_id)
        if status:
            if status not in S.__members__.values():
                raise InvalidRequest(f"status {status[:40]!r} is not a correspondence status")
            where.append(c.status == status)
        if sent_from is not None:
            where.append(c.created >= schema.to_us(sent_from))
        if sent_to is not None:
            where.append(c.created < schema.to_us(sent_to))
        if senders_reference:
            where.append(c.senders_reference == senders_reference)
        if idempotent_key:
            where.append(c.idempotent_key == idempotent_key)
        if cursor:
            created, _, last_id = cursor.partition(":")
            if not created.isdigit() or not last_id:
                raise InvalidRequest("cursor is not one this platform gave out; start again without it")
            where.append(or_(c.created < int(created), and_(c.created == int(created), c.id < last_id)))
        query = select(schema.correspondences).where(*where).order_by(c.created.desc(), c.id.desc()).limit(limit + 1)
        async with self.s.store.engine.connect() as conn:
            rows = list((await conn.execute(query)).all())
        more = len(rows) > limit
        rows = rows[:limit]
        attachments = await self._attachments([r.id for r in rows])
        return CorrespondencePage(
            ids=[r.id for r in rows],
            items=[self.overview(r, attachments.get(r.id, [])) for r in rows],
            next=f"{rows[-1].created}:{rows[-1].id}" if more and rows else None,
        )

    async def sweep(self, now: datetime | None = None) -> int:
        """Publish what is due, tell senders of confirmations never given by ``dueDateTime``, purge after
        ``allowSystemDeleteAfter``; returns the number of changes.  Safe to run from many processes:
        every change is a conditional update."""
        now = now or self.s.now()
        at = schema.to_us(now)
        c = schema.correspondences.c
        changes = 0
        async with self.s.store.engine.connect() as conn:
            due = (
                await conn.execute(
                    select(schema.correspondences).where(c.status == S.READY_FOR_PUBLISH, c.publish_at <= at).limit(500)
                )
            ).all()
            unconfirmed = (
                await conn.execute(
                    select(schema.correspondences).where(
                        c.confirmation_needed.is_(True),
                        c.never_confirmed_sent.is_(False),
                        c.due.is_not(None),
                        c.due <= at,
                        c.status.in_([S.PUBLISHED, S.FETCHED, S.READ, S.REPLIED]),
                    )
                )
            ).all()
            expired = (
                await conn.execute(
                    select(schema.correspondences).where(
                        c.delete_after.is_not(None),
                        c.delete_after <= at,
                        c.status.not_in([S.PURGED_BY_ALTINN, S.PURGED_BY_RECIPIENT]),
                    )
                )
            ).all()
        for row in due:
            async with self.s.store.write() as conn:
                done = await conn.execute(
                    update(schema.correspondences)
                    .where(c.id == row.id, c.status == S.READY_FOR_PUBLISH)
                    .values(status=S.PUBLISHED, status_changed=at, published=at)
                )
                if done.rowcount == 1:
                    await self.s.store.record_status(conn, row.id, S.PUBLISHED, now)
                    drafts = self.c._published(row.resource_id, row.id, row.sender, row.recipient)
                    await self.s.store.append_events(conn, drafts, self.s.source_url)
                    changes += 1
        for row in unconfirmed:
            async with self.s.store.write() as conn:
                done = await conn.execute(
                    update(schema.correspondences)
                    .where(c.id == row.id, c.never_confirmed_sent.is_(False))
                    .values(never_confirmed_sent=True)
                )
                if done.rowcount == 1:
                    draft = self.c._draft(
                        E.RECEIVER_NEVER_CONFIRMED, row.sender, row.resource_id, row.id, row.recipient
                    )
                    await self.s.store.append_events(conn, [draft], self.s.source_url)
                    changes += 1
        for row in expired:
            async with self.s.store.write() as conn:
                try:
                    drafts = await self.c._advance(conn, row, S.PURGED_BY_ALTINN, row.sender)
                except WrongStatus:  # purged meanwhile
                    continue
                await self.s.store.append_events(conn, drafts, self.s.source_url)
                changes += 1
            await self.c.forget_files(row.id)  # allowSystemDeleteAfter: the bytes go too
        self.s.committed(changes)
        return changes


__all__ = ["CorrespondenceViews"]
