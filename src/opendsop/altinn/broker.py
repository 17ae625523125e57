"""Broker: file transfers of a ZIP with a property list, shaped after Altinn 3's Broker API.

File life cycle: ``Initialized`` → ``UploadProcessing`` (bytes stored by content hash, scan pending)
→ ``Published`` (or ``Failed`` when the scan refuses it) → ``AllConfirmedDownloaded`` once every
recipient has confirmed.  Each recipient's own: ``Initialized`` → ``DownloadStarted`` →
``DownloadConfirmed``.

Crash safety: the upload commits ``UploadProcessing`` together with the blob's hash before the scan and
publication run; recipients see only ``Published`` transfers.  A process that dies in between leaves a
transfer in ``UploadProcessing`` that ``recover`` (run at every start) scans and publishes — nothing is
ever half published, and the sender need not upload again.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sqlalchemy import and_, insert, or_, select, update

from opendsop.altinn import schema
from opendsop.altinn.common import Services, check_key, remember, remembered, request_hash
from opendsop.altinn.scanning import check_file
from opendsop.altinn.store import EventDraft
from opendsop.contracts.messaging.errors import InvalidRequest, NotFound, Rejected, WrongStatus
from opendsop.contracts.messaging.models import (
    FileTransferDetails,
    FileTransferInitialize,
    FileTransferOverview,
    FileTransferPage,
    RecipientFileTransferStatus,
    StatusChange,
)
from opendsop.contracts.messaging.names import EventType as E
from opendsop.contracts.messaging.names import FileTransferStatus as F
from opendsop.contracts.messaging.names import RecipientStatus as R
from opendsop.contracts.messaging.names import Role, party_urn

PATH = "/broker/api/v1/filetransfer/"
MAX_RECIPIENTS = 100
AVAILABLE = "available"  # ours: recipientStatus filter for "not yet confirmed by me"


class Broker:
    def __init__(self, services: Services) -> None:
        self.s = services

    def _draft(self, type_: str, party: str, resource_id: str, fid: str, other: str | None = None) -> EventDraft:
        return EventDraft(
            type=type_,
            party=party,
            resource_id=resource_id,
            instance=fid,
            time=self.s.now(),
            path=PATH + fid,
            other=other,
            data={"fileTransferId": fid},
        )

    async def initialize(self, holder: str, request: FileTransferInitialize) -> str:
        s = self.s
        if not request.file_name or len(request.file_name) > 255:
            raise InvalidRequest("fileName is required (1–255 characters)")
        if len(request.senders_file_transfer_reference) > 4096:
            raise InvalidRequest("sendersFileTransferReference is at most 4096 characters")
        resource = await s.access.resource(request.resource_id, "broker")
        sender = await s.access.acting_party(resource, holder, request.sender)
        await s.access.check_sender(resource, sender)
        if not request.recipients or len(request.recipients) > MAX_RECIPIENTS:
            raise InvalidRequest(f"recipients must list 1–{MAX_RECIPIENTS} organisations")
        recipients = list(dict.fromkeys(s.access.party(r, "recipient") for r in request.recipients))
        for recipient in recipients:
            await s.access.check_recipient(resource, recipient)
        key = check_key(request.idempotent_key)
        fingerprint = request_hash(request)
        if key is not None:
            async with s.store.engine.connect() as conn:
                found = await remembered(conn, sender, "filetransfer", key, fingerprint)
            if found is not None:
                return found
        fid, now = str(uuid.uuid4()), s.now()
        at = schema.to_us(now)
        async with s.store.write() as conn:
            if key is not None:
                await remember(conn, sender, "filetransfer", key, fingerprint, fid)
            await conn.execute(
                insert(schema.file_transfers).values(
                    id=fid,
                    resource_id=resource.identifier,
                    sender=sender,
                    status=F.INITIALIZED,
                    status_changed=at,
                    created=at,
                    size=0,
                    data=msgspec.json.encode(request).decode("utf-8"),
                )
            )
            await conn.execute(
                insert(schema.file_recipients),
                [
                    {"file_transfer_id": fid, "recipient": r, "status": R.INITIALIZED, "status_changed": at}
                    for r in recipients
                ],
            )
            await s.store.record_status(conn, fid, F.INITIALIZED, now, by=sender)
            drafts = [self._draft(E.FILE_TRANSFER_INITIALIZED, sender, resource.identifier, fid)]
            await s.store.append_events(conn, drafts, s.source_url)
        s.committed(1)
        return fid

    async def _row(self, fid: str) -> Any:
        async with self.s.store.engine.connect() as conn:
            row = (await conn.execute(select(schema.file_transfers).where(schema.file_transfers.c.id == fid))).first()
        if row is None:
            raise NotFound(f"no file transfer {fid[:40]!r}")
        return row

    async def upload(self, holder: str, fid: str, data: bytes) -> None:
        s, row = self.s, await self._row(fid)
        if row.sender != holder:
            resource = await s.access.resource(row.resource_id, "broker")
            if await s.access.acting_party(resource, holder, row.sender) != row.sender:
                raise NotFound(f"no file transfer {fid[:40]!r} of this sender")
        if row.status not in (F.INITIALIZED, F.UPLOAD_STARTED):
            raise WrongStatus(f"the file transfer is {row.status}; only an initialised transfer takes an upload")
        request = msgspec.json.decode(row.data, type=FileTransferInitialize)
        digest = check_file(data, limit=s.max_file_bytes, what=f"file {request.file_name!r}", checksum=request.checksum)
        now = s.now()
        async with s.store.write() as conn:  # the bytes and UploadProcessing commit together
            done = await conn.execute(
                update(schema.file_transfers)
                .where(
                    schema.file_transfers.c.id == fid,
                    schema.file_transfers.c.status.in_([F.INITIALIZED, F.UPLOAD_STARTED]),
                )
                .values(status=F.UPLOAD_PROCESSING, status_changed=schema.to_us(now), sha256=digest, size=len(data))
            )
            if done.rowcount != 1:
                raise WrongStatus("the file transfer was uploaded meanwhile")
            await s.store.put_blob(digest, data, conn)
            await s.store.record_status(conn, fid, F.UPLOAD_PROCESSING, now, by=row.sender)
            drafts = [self._draft(E.UPLOAD_PROCESSING, row.sender, row.resource_id, fid)]
            await s.store.append_events(conn, drafts, s.source_url)
        s.committed(1)
        s.crash_point("broker.upload_processing")
        await self.process(fid, data)

    async def process(self, fid: str, data: bytes | None = None) -> str:
        """Scan an uploaded transfer and publish it (or fail it); idempotent, so ``recover`` may repeat it.
        ``data`` is the uploaded bytes when the caller still holds them (else they are read back)."""
        s, row = self.s, await self._row(fid)
        if row.status != F.UPLOAD_PROCESSING:
            return str(row.status)
        request = msgspec.json.decode(row.data, type=FileTransferInitialize)
        if data is None:
            data = await s.store.blob(row.sha256)
        reason = None if request.disable_virus_scan or data is None else s.scanner(data)
        if data is None:
            reason = "the uploaded bytes are missing; upload again"
        target = F.FAILED if reason else F.PUBLISHED
        now = s.now()
        async with s.store.write() as conn:
            done = await conn.execute(
                update(schema.file_transfers)
                .where(schema.file_transfers.c.id == fid, schema.file_transfers.c.status == F.UPLOAD_PROCESSING)
                .values(status=target, status_changed=schema.to_us(now))
            )
            if done.rowcount != 1:
                return str(target)
            await s.store.record_status(conn, fid, target, now)
            if reason:
                drafts = [self._draft(E.UPLOAD_FAILED, row.sender, row.resource_id, fid)]
            else:
                recipients = (
                    await conn.execute(
                        select(schema.file_recipients.c.recipient).where(
                            schema.file_recipients.c.file_transfer_id == fid
                        )
                    )
                ).scalars()
                drafts = [self._draft(E.PUBLISHED, r, row.resource_id, fid, row.sender) for r in recipients]
                drafts.append(self._draft(E.PUBLISHED, row.sender, row.resource_id, fid))
            await s.store.append_events(conn, drafts, s.source_url)
        s.committed(len(drafts))
        if reason:
            raise Rejected(f"file {request.file_name!r} was refused by the virus scan: {reason}")
        return str(target)

    async def recover(self) -> int:
        """Finish every upload a crash interrupted (``UploadProcessing``); the number finished."""
        async with self.s.store.engine.connect() as conn:
            pending = (
                (
                    await conn.execute(
                        select(schema.file_transfers.c.id).where(schema.file_transfers.c.status == F.UPLOAD_PROCESSING)
                    )
                )
                .scalars()
                .all()
            )
        for fid in pending:
            try:
                await self.process(fid)
            except Rejected:
                pass
        return len(pending)

    async def _side(self, holder: str, fid: str, on_behalf_of: str | None) -> tuple[Any, str, str]:
        row = await self._row(fid)
        party = holder
        if on_behalf_of:
            resource = await self.s.access.resource(row.resource_id, "broker")
            party = await self.s.access.acting_party(resource, holder, on_behalf_of)
        if row.sender == party:
            return row, "sender", party
        async with self.s.store.engine.connect() as conn:
            mine = (
                await conn.execute(
                    select(schema.file_recipients.c.status).where(
                        schema.file_recipients.c.file_transfer_id == fid, schema.file_recipients.c.recipient == party
                    )
                )
            ).first()
        if mine is None or row.status not in (F.PUBLISHED, F.ALL_CONFIRMED_DOWNLOADED):
            raise NotFound(f"no file transfer {fid[:40]!r} for this party")
        return row, "recipient", party

    async def overview(self, holder: str, fid: str, on_behalf_of: str | None = None) -> FileTransferOverview:
        row, _, _ = await self._side(holder, fid, on_behalf_of)
        return await self._overview(row)

    async def _overview(self, row: Any) -> FileTransferOverview:
        request = msgspec.json.decode(row.data, type=FileTransferInitialize)
        async with self.s.store.engine.connect() as conn:
            recipients = (
                await conn.execute(
                    select(schema.file_recipients)
                    .where(schema.file_recipients.c.file_transfer_id == row.id)
                    .order_by(schema.file_recipients.c.recipient)
                )
            ).all()
        return FileTransferOverview(
            file_transfer_id=row.id,
            resource_id=row.resource_id,
            file_name=request.file_name,
            sender=party_urn(row.sender),
            recipients=[party_urn(r.recipient) for r in recipients],
            file_transfer_status=row.status,
            file_transfer_status_changed=schema.from_us(row.status_changed),
            created=schema.from_us(row.created),
            senders_file_transfer_reference=request.senders_file_transfer_reference,
            property_list=request.property_list,
            checksum=row.sha256,
            file_transfer_size=row.size,
            recipient_file_transfer_status_details=[
                RecipientFileTransferStatus(
                    recipient=party_urn(r.recipient),
                    current_recipient_file_transfer_status_code=r.status,
                    current_recipient_file_transfer_status_changed=schema.from_us(r.status_changed),
                )
                for r in recipients
            ],
        )

    async def details(self, holder: str, fid: str, on_behalf_of: str | None = None) -> FileTransferDetails:
        overview = await self.overview(holder, fid, on_behalf_of)
        file_history: list[StatusChange] = []
        recipient_history: list[StatusChange] = []
        for h in await self.s.store.status_history(fid):
            change = StatusChange(
                status=h.status, status_changed=schema.from_us(h.at), by=party_urn(h.by) if h.by else None
            )
            (recipient_history if h.recipient else file_history).append(change)
        return FileTransferDetails(
            **msgspec.structs.asdict(overview),
            file_transfer_status_history=file_history,
            recipient_file_transfer_status_history=recipient_history,
        )

    async def download(self, holder: str, fid: str, on_behalf_of: str | None = None) -> tuple[Any, bytes]:
        row, side, party = await self._side(holder, fid, on_behalf_of)
        data = await self.s.store.blob(row.sha256) if row.sha256 else None
        if data is None or row.status not in (F.PUBLISHED, F.ALL_CONFIRMED_DOWNLOADED):
            raise WrongStatus(f"the file transfer is {row.status}; only a published transfer can be downloaded")
        if side == "recipient":
            now = self.s.now()
            async with self.s.store.write() as conn:
                done = await conn.execute(
                    update(schema.file_recipients)
                    .where(
                        schema.file_recipients.c.file_transfer_id == fid,
                        schema.file_recipients.c.recipient == party,
                        schema.file_recipients.c.status == R.INITIALIZED,
                    )
                    .values(status=R.DOWNLOAD_STARTED, status_changed=schema.to_us(now))
                )
                if done.rowcount == 1:
                    await self.s.store.record_status(conn, fid, R.DOWNLOAD_STARTED, now, by=party, recipient=party)
        return row, data

    async def confirm(self, holder: str, fid: str, on_behalf_of: str | None = None) -> FileTransferOverview:
        row, side, party = await self._side(holder, fid, on_behalf_of)
        if side != "recipient":
            raise WrongStatus("only a recipient confirms a download")
        now, s = self.s.now(), self.s
        drafts: list[EventDraft] = []
        async with s.store.write() as conn:
            done = await conn.execute(
                update(schema.file_recipients)
                .where(
                    schema.file_recipients.c.file_transfer_id == fid,
                    schema.file_recipients.c.recipient == party,
                    schema.file_recipients.c.status != R.DOWNLOAD_CONFIRMED,
                )
                .values(status=R.DOWNLOAD_CONFIRMED, status_changed=schema.to_us(now))
            )
            if done.rowcount == 1:
                await s.store.record_status(conn, fid, R.DOWNLOAD_CONFIRMED, now, by=party, recipient=party)
                drafts.append(self._draft(E.DOWNLOAD_CONFIRMED, row.sender, row.resource_id, fid, party))
                left = (
                    await conn.execute(
                        select(schema.file_recipients.c.recipient).where(
                            schema.file_recipients.c.file_transfer_id == fid,
                            schema.file_recipients.c.status != R.DOWNLOAD_CONFIRMED,
                        )
                    )
                ).first()
                if left is None:
                    all_done = await conn.execute(
                        update(schema.file_transfers)
                        .where(schema.file_transfers.c.id == fid, schema.file_transfers.c.status == F.PUBLISHED)
                        .values(status=F.ALL_CONFIRMED_DOWNLOADED, status_changed=schema.to_us(now))
                    )
                    if all_done.rowcount == 1:
                        await s.store.record_status(conn, fid, F.ALL_CONFIRMED_DOWNLOADED, now)
                        drafts.append(self._draft(E.ALL_CONFIRMED_DOWNLOADED, row.sender, row.resource_id, fid))
                await s.store.append_events(conn, drafts, s.source_url)
        s.committed(len(drafts))
        return await self._overview(await self._row(fid))

    async def search(
        self,
        party: str,
        resource_id: str,
        *,
        role: str = Role.RECIPIENT,
        status: str | None = None,
        recipient_status: str | None = None,
        ascending: bool = True,
        limit: int = 100,
        cursor: str | None = None,
    ) -> FileTransferPage:
        t, r = schema.file_transfers.c, schema.file_recipients.c
        mine = select(r.file_transfer_id).where(r.recipient == party)
        if recipient_status == AVAILABLE:
            mine = mine.where(r.status != R.DOWNLOAD_CONFIRMED)
        elif recipient_status:
            mine = mine.where(r.status == recipient_status)
        as_recipient = and_(t.id.in_(mine), t.status.in_([F.PUBLISHED, F.ALL_CONFIRMED_DOWNLOADED]))
        where = [t.resource_id == resource_id]
        if role == Role.RECIPIENT:
            where.append(as_recipient)
        elif role == Role.SENDER:
            where.append(t.sender == party)
        elif role == Role.RECIPIENT_AND_SENDER:
            where.append(or_(as_recipient, t.sender == party))
        else:
            raise InvalidRequest("role must be recipient, sender or recipientandsender")
        if status:
            where.append(t.status == status)
        if not 1 <= limit <= 1000:
            raise InvalidRequest("limit must be 1–1000")
        order = (t.created, t.id) if ascending else (t.created.desc(), t.id.desc())
        if cursor:
            created, _, last = cursor.partition(":")
            if not created.isdigit() or not last:
                raise InvalidRequest("cursor is not one this platform gave out; start again without it")
            after = int(created)
            where.append(
                or_(t.created > after, and_(t.created == after, t.id > last))
                if ascending
                else or_(t.created < after, and_(t.created == after, t.id < last))
            )
        query = select(t.id, t.created).where(*where).order_by(*order).limit(limit + 1)
        async with self.s.store.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        return FileTransferPage(
            ids=[row.id for row in rows], next=f"{rows[-1].created}:{rows[-1].id}" if more and rows else None
        )


__all__ = ["AVAILABLE", "PATH", "Broker"]
