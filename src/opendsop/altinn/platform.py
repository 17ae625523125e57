"""The message platform as one object: store, access checks, the three services and their upkeep.

``Platform.open`` migrates the database and finishes what a crash interrupted (``recover``);
``sweep`` runs the scheduled work; ``dispatcher`` delivers webhooks.  The app (app.py) and the
benchmark drive the same object, and tests may inject a clock, a scanner, a fault hook and an HTTP
poster.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sqlalchemy import insert, select, update

from opendsop.altinn import schema
from opendsop.altinn.broker import Broker
from opendsop.altinn.common import Fault, Services
from opendsop.altinn.correspondence import Correspondences
from opendsop.altinn.correspondence_views import CorrespondenceViews
from opendsop.altinn.events import Dispatcher, Events, Post
from opendsop.altinn.policy import Access
from opendsop.altinn.scanning import Scanner, check_file, load_scanner
from opendsop.altinn.settings import AltinnSettings
from opendsop.altinn.store import MessageStore
from opendsop.clock import Clock, utc_now
from opendsop.contracts.messaging.errors import InvalidRequest, NotFound, WrongStatus
from opendsop.contracts.messaging.models import AttachmentInit, AttachmentOverview


class Platform:
    def __init__(
        self,
        store: MessageStore,
        settings: AltinnSettings,
        *,
        clock: Clock | None = None,
        scanner: Scanner | None = None,
        fault: Fault | None = None,
        post: Post | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.services = Services(
            store=store,
            access=Access(store, synthetic_allowed=settings.synthetic_allowed),
            clock=clock or utc_now,
            source_url=settings.public_url,
            max_attachment_bytes=settings.max_attachment_bytes,
            max_file_bytes=settings.max_file_bytes,
            scanner=scanner or load_scanner(settings.scanner),
            fault=fault,
        )
        self.correspondences = Correspondences(self.services)
        self.views = CorrespondenceViews(self.services, self.correspondences)
        self.broker = Broker(self.services)
        self.events = Events(self.services, production=settings.production)
        self.dispatcher = Dispatcher(
            self.services,
            post or http_poster(settings.webhook_timeout),
            max_attempts=settings.webhook_max_attempts,
            backoff=settings.webhook_backoff,
            backoff_cap=settings.webhook_backoff_cap,
        )
        self.services.on_events = self.dispatcher.wake.set

    @property
    def access(self) -> Access:
        return self.services.access

    @classmethod
    async def open(cls, settings: AltinnSettings, **options: Any) -> Platform:
        platform = cls(MessageStore.from_url(settings.database_url), settings, **options)
        await platform.start()
        return platform

    async def start(self) -> None:
        await self.store.migrate()
        await self.recover()

    async def recover(self) -> int:
        """Finish uploads a crash interrupted; run at every start."""
        return await self.broker.recover()

    async def sweep(self) -> int:
        return await self.views.sweep()

    async def close(self) -> None:
        await self.store.close()

    # -- stand-alone attachments (POST attachment, then upload) ---------------------------------------

    async def initialize_attachment(self, holder: str, meta: AttachmentInit) -> str:
        resource = await self.access.resource(meta.resource_id, "correspondence")
        await self.access.check_sender(resource, holder)
        if not meta.file_name or len(meta.file_name) > 255:
            raise InvalidRequest("fileName is required (1–255 characters)")
        attachment_id = str(uuid.uuid4())
        async with self.store.write() as conn:
            await conn.execute(
                insert(schema.attachments).values(
                    id=attachment_id,
                    resource_id=resource.identifier,
                    sender=holder,
                    status="Initialized",
                    size=0,
                    created=schema.to_us(self.services.now()),
                    data=msgspec.json.encode(meta).decode("utf-8"),
                )
            )
        return attachment_id

    async def _attachment_row(self, holder: str, attachment_id: str) -> Any:
        async with self.store.engine.connect() as conn:
            row = (
                await conn.execute(select(schema.attachments).where(schema.attachments.c.id == attachment_id))
            ).first()
        if row is None or row.sender != holder:
            raise NotFound(f"no attachment {attachment_id[:40]!r} of this sender")
        return row

    async def upload_attachment(self, holder: str, attachment_id: str, data: bytes) -> AttachmentOverview:
        row = await self._attachment_row(holder, attachment_id)
        if row.status != "Initialized":
            raise WrongStatus(f"the attachment is {row.status}; upload to a newly initialised one")
        meta = msgspec.json.decode(row.data, type=AttachmentInit)
        resource = await self.access.resource(row.resource_id, "correspondence")
        s = self.services
        limit = min(s.max_attachment_bytes, resource.max_attachment_bytes or s.max_attachment_bytes)
        digest = check_file(
            data, limit=limit, what=f"attachment {meta.file_name!r}", checksum=meta.checksum, scanner=s.scanner
        )
        await self.store.put_blob(digest, data)
        async with self.store.write() as conn:
            await conn.execute(
                update(schema.attachments)
                .where(schema.attachments.c.id == attachment_id)
                .values(status="Published", sha256=digest, size=len(data))
            )
        return await self.attachment(holder, attachment_id)

    async def attachment(self, holder: str, attachment_id: str) -> AttachmentOverview:
        row = await self._attachment_row(holder, attachment_id)
        meta = msgspec.json.decode(row.data, type=AttachmentInit)
        return AttachmentOverview(
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


def http_poster(timeout: float) -> Post:
    """Webhook POSTs over one shared httpx client."""
    import httpx

    client: list[httpx.AsyncClient] = []

    async def post(url: str, body: bytes, headers: dict[str, str]) -> int:
        if not client:
            client.append(httpx.AsyncClient(timeout=httpx.Timeout(timeout), follow_redirects=False))
        response = await client[0].post(url, content=body, headers=headers)
        return response.status_code

    return post


__all__ = ["Platform", "http_poster"]
