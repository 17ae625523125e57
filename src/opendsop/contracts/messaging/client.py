"""``MessagingClient``: what an agency, a bank or a register uses to talk to the message platform.

One async httpx client for the three APIs (paths as Altinn 3's; docs/decisions.md, "Message platform"):

* Correspondence — ``send`` (with attachments: one multipart call), ``initialize`` (existing
  attachments), ``upload_attachment``, ``search``/``inbox``, ``get``/``details``, ``mark_read``,
  ``confirm``, ``reply``, ``archive``, ``purge``, ``download_attachment``;
* Broker — ``initialize_file_transfer``, ``upload_file_transfer``, ``send_file`` (both),
  ``file_transfer``/``file_transfer_details``, ``file_transfers``/``available_file_transfers``,
  ``download_file_transfer``, ``confirm_download``;
* Events — ``events`` (poll the feed after a cursor), ``subscribe``, ``subscriptions``, ``unsubscribe``,
  ``dead_letters``; resource registry and roles — ``resource``, ``resources``, ``put_resource``,
  ``assign_role``, ``roles``, ``decide``.

``token`` is a bearer token or an async callable ``scope -> token`` (e.g. over a ``TokenProvider``:
``lambda scope: provider.get(platform_url, scope)``): each call asks for its operation's scope.
Every failure is a :class:`~opendsop.contracts.messaging.errors.MessagingError` subclass; a platform
that does not answer is ``Unavailable``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from opendsop.contracts.messaging import names
from opendsop.contracts.messaging.errors import MessagingError, Unavailable, from_problem
from opendsop.contracts.messaging.models import (
    AttachmentInit,
    CorrespondenceContent,
    CorrespondenceDetails,
    CorrespondenceOverview,
    CorrespondencePage,
    DeadLetter,
    Decision,
    DecisionRequest,
    EventPage,
    FileTransferDetails,
    FileTransferInitialize,
    FileTransferInitialized,
    FileTransferOverview,
    FileTransferPage,
    InitializeCorrespondences,
    InitializedCorrespondences,
    Resource,
    RoleAssignment,
    Subscription,
    SubscriptionRequest,
)
from opendsop.tracing import propagate

T = TypeVar("T")
ScopedToken = str | Callable[[str], Awaitable[str]]
CORRESPONDENCE = "/correspondence/api/v1/correspondence"
ATTACHMENT = "/correspondence/api/v1/attachment"
BROKER = "/broker/api/v1/filetransfer"
EVENTS = "/events/api/v1"
REGISTRY = "/resourceregistry/api/v1/resource"
ROLES = "/accessmanagement/api/v1/roles"
DECISION = "/authorization/api/v1/decision"


class FileUpload(msgspec.Struct, frozen=True):
    """An attachment to send: its name, bytes and media type."""

    file_name: str
    data: bytes
    data_type: str = "application/octet-stream"
    name: str | None = None


def _id(value: str) -> str:
    return quote(value, safe="")


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _params(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


class MessagingClient:
    def __init__(
        self,
        base_url: str,
        token: ScopedToken,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        correlation_id: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._correlation_id = correlation_id
        self._http = propagate(
            httpx.AsyncClient(
                base_url=self.base_url, transport=transport, timeout=httpx.Timeout(timeout), follow_redirects=False
            )
        )

    async def __aenter__(self) -> MessagingClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- plumbing ------------------------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        scope: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
        files: Any = None,
        data: Any = None,
    ) -> httpx.Response:
        token = self._token if isinstance(self._token, str) else await self._token(scope)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if self._correlation_id:
            headers["CorrelationID"] = self._correlation_id
        if json is not None:
            content, content_type = msgspec.json.encode(json), "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        try:
            response = await self._http.request(
                method, path, params=params, content=content, headers=headers, files=files, data=data
            )
        except httpx.HTTPError as error:
            raise Unavailable(
                f"the message platform at {self.base_url} did not answer ({type(error).__name__})"
            ) from None
        if response.status_code >= 400:
            raise self._error(response)
        return response

    @staticmethod
    def _error(response: httpx.Response) -> MessagingError:
        try:
            body = response.json()
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else {}
        detail = str(body.get("detail") or f"the message platform answered HTTP {response.status_code}")
        code = body.get("code") if isinstance(body.get("code"), str) else None
        return from_problem(response.status_code, code, detail)

    async def _json(self, kind: type[T], method: str, path: str, scope: str, **options: Any) -> T:
        response = await self._request(method, path, scope, **options)
        try:
            return msgspec.json.decode(response.content, type=kind)
        except msgspec.DecodeError as error:
            raise Unavailable(f"the message platform answered {path} with an unreadable body: {error}") from None

    # -- correspondence ------------------------------------------------------------------------------

    async def send(
        self, request: InitializeCorrespondences, attachments: Sequence[FileUpload] = ()
    ) -> InitializedCorrespondences:
        """Create the correspondence (one per recipient), uploading ``attachments`` in the same call."""
        if not attachments:
            return await self.initialize(request)
        content = request.correspondence.content
        listed = {a.file_name for a in content.attachments}
        extra = [
            AttachmentInit(file_name=f.file_name, name=f.name, data_type=f.data_type)
            for f in attachments
            if f.file_name not in listed
        ]
        if extra:
            content = msgspec.structs.replace(content, attachments=[*content.attachments, *extra])
            request = msgspec.structs.replace(
                request, correspondence=msgspec.structs.replace(request.correspondence, content=content)
            )
        files = [("attachments", (f.file_name, f.data, f.data_type)) for f in attachments]
        return await self._json(
            InitializedCorrespondences,
            "POST",
            CORRESPONDENCE + "/upload",
            names.CORRESPONDENCE_WRITE,
            files=files,
            data={"correspondence": msgspec.json.encode(request).decode("utf-8")},
        )

    async def initialize(self, request: InitializeCorrespondences) -> InitializedCorrespondences:
        """Create the correspondence with ``existingAttachments`` only (no bytes in this call)."""
        return await self._json(
            InitializedCorrespondences, "POST", CORRESPONDENCE, names.CORRESPONDENCE_WRITE, json=request
        )

    async def upload_attachment(self, meta: AttachmentInit, data: bytes) -> str:
        """A stand-alone attachment (``meta.resource_id`` set), ready for ``existingAttachments``."""
        response = await self._request("POST", ATTACHMENT, names.CORRESPONDENCE_WRITE, json=meta)
        attachment_id = msgspec.json.decode(response.content, type=str)
        await self._request(
            "POST",
            f"{ATTACHMENT}/{_id(attachment_id)}/upload",
            names.CORRESPONDENCE_WRITE,
            content=data,
            content_type="application/octet-stream",
        )
        return attachment_id

    async def search(
        self,
        *,
        role: str = names.Role.RECIPIENT,
        resource_id: str | None = None,
        status: str | None = None,
        on_behalf_of: str | None = None,
        sent_from: datetime | None = None,
        sent_to: datetime | None = None,
        senders_reference: str | None = None,
        idempotent_key: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> CorrespondencePage:
        """One page of correspondences the caller (or ``on_behalf_of``) sent or received; newest first."""
        scope = names.CORRESPONDENCE_WRITE if role == names.Role.SENDER else names.CORRESPONDENCE_READ
        params = _params(
            role=role,
            resourceId=resource_id,
            status=status,
            onBehalfOf=on_behalf_of,
            sendersReference=senders_reference,
            idempotentKey=idempotent_key,
            limit=limit,
            cursor=cursor,
            **{"from": _time(sent_from), "to": _time(sent_to)},
        )
        return await self._json(CorrespondencePage, "GET", CORRESPONDENCE, scope, params=params)

    async def inbox(self, **filters: Any) -> AsyncIterator[CorrespondenceOverview]:
        """Every correspondence received (all pages), newest first; ``filters`` as for :meth:`search`."""
        cursor: str | None = None
        while True:
            page = await self.search(role=names.Role.RECIPIENT, cursor=cursor, **filters)
            for item in page.items:
                yield item
            if not page.next:
                return
            cursor = page.next

    async def get(self, correspondence_id: str, *, on_behalf_of: str | None = None) -> CorrespondenceOverview:
        """The overview; a recipient's first look marks it ``Fetched``."""
        return await self._json(
            CorrespondenceOverview,
            "GET",
            f"{CORRESPONDENCE}/{_id(correspondence_id)}",
            names.CORRESPONDENCE_READ,
            params=_params(onBehalfOf=on_behalf_of),
        )

    async def details(self, correspondence_id: str, *, on_behalf_of: str | None = None) -> CorrespondenceDetails:
        return await self._json(
            CorrespondenceDetails,
            "GET",
            f"{CORRESPONDENCE}/{_id(correspondence_id)}/details",
            names.CORRESPONDENCE_READ,
            params=_params(onBehalfOf=on_behalf_of),
        )

    async def _act(self, correspondence_id: str, action: str, on_behalf_of: str | None) -> CorrespondenceOverview:
        return await self._json(
            CorrespondenceOverview,
            "POST",
            f"{CORRESPONDENCE}/{_id(correspondence_id)}/{action}",
            names.CORRESPONDENCE_READ,
            params=_params(onBehalfOf=on_behalf_of),
        )

    async def mark_read(self, correspondence_id: str, *, on_behalf_of: str | None = None) -> CorrespondenceOverview:
        return await self._act(correspondence_id, "markasread", on_behalf_of)

    async def confirm(self, correspondence_id: str, *, on_behalf_of: str | None = None) -> CorrespondenceOverview:
        return await self._act(correspondence_id, "confirm", on_behalf_of)

    async def archive(self, correspondence_id: str, *, on_behalf_of: str | None = None) -> CorrespondenceOverview:
        return await self._act(correspondence_id, "archive", on_behalf_of)

    async def purge(self, correspondence_id: str, *, on_behalf_of: str | None = None) -> CorrespondenceOverview:
        return await self._json(
            CorrespondenceOverview,
            "DELETE",
            f"{CORRESPONDENCE}/{_id(correspondence_id)}/purge",
            names.CORRESPONDENCE_READ,
            params=_params(onBehalfOf=on_behalf_of),
        )

    async def reply(
        self,
        correspondence_id: str,
        content: CorrespondenceContent,
        attachments: Sequence[FileUpload] = (),
        *,
        senders_reference: str = "reply",
        property_list: dict[str, str] | None = None,
        on_behalf_of: str | None = None,
        idempotent_key: str | None = None,
    ) -> InitializedCorrespondences:
        """Answer a received correspondence: a new one back to its sender on the same resource; the
        original becomes ``Replied``."""
        listed = {a.file_name for a in content.attachments}
        extra = [
            AttachmentInit(file_name=f.file_name, name=f.name, data_type=f.data_type)
            for f in attachments
            if f.file_name not in listed
        ]
        content = msgspec.structs.replace(content, attachments=[*content.attachments, *extra])
        body = {
            "sendersReference": senders_reference,
            "content": msgspec.to_builtins(content),
            "propertyList": property_list or {},
            "idempotentKey": idempotent_key,
        }
        path = f"{CORRESPONDENCE}/{_id(correspondence_id)}/reply"
        if not attachments:  # without files the platform reads the reply as a JSON body, not a form
            return await self._json(
                InitializedCorrespondences,
                "POST",
                path,
                names.CORRESPONDENCE_READ,
                params=_params(onBehalfOf=on_behalf_of),
                json=body,
            )
        return await self._json(
            InitializedCorrespondences,
            "POST",
            path,
            names.CORRESPONDENCE_READ,
            params=_params(onBehalfOf=on_behalf_of),
            files=[("attachments", (f.file_name, f.data, f.data_type)) for f in attachments] or None,
            data={"reply": msgspec.json.encode(body).decode("utf-8")},
        )

    async def download_attachment(
        self, correspondence_id: str, attachment_id: str, *, on_behalf_of: str | None = None
    ) -> bytes:
        response = await self._request(
            "GET",
            f"{CORRESPONDENCE}/{_id(correspondence_id)}/attachment/{_id(attachment_id)}/download",
            names.CORRESPONDENCE_READ,
            params=_params(onBehalfOf=on_behalf_of),
        )
        return response.content

    # -- broker ----------------------------------------------------------------------------------------

    async def initialize_file_transfer(self, request: FileTransferInitialize) -> str:
        found = await self._json(FileTransferInitialized, "POST", BROKER, names.BROKER_WRITE, json=request)
        return found.file_transfer_id

    async def upload_file_transfer(self, file_transfer_id: str, data: bytes) -> FileTransferOverview:
        return await self._json(
            FileTransferOverview,
            "POST",
            f"{BROKER}/{_id(file_transfer_id)}/upload",
            names.BROKER_WRITE,
            content=data,
            content_type="application/octet-stream",
        )

    async def send_file(self, request: FileTransferInitialize, data: bytes) -> FileTransferOverview:
        """Initialise and upload; a retry after a failed upload resumes the same transfer
        (give ``request.idempotent_key``)."""
        file_transfer_id = await self.initialize_file_transfer(request)
        return await self.upload_file_transfer(file_transfer_id, data)

    async def file_transfer(self, file_transfer_id: str) -> FileTransferOverview:
        return await self._json(FileTransferOverview, "GET", f"{BROKER}/{_id(file_transfer_id)}", names.BROKER_READ)

    async def file_transfer_details(self, file_transfer_id: str) -> FileTransferDetails:
        return await self._json(
            FileTransferDetails, "GET", f"{BROKER}/{_id(file_transfer_id)}/details", names.BROKER_READ
        )

    async def file_transfers(
        self,
        resource_id: str,
        *,
        role: str = names.Role.RECIPIENT,
        status: str | None = None,
        recipient_status: str | None = None,
        on_behalf_of: str | None = None,
        sent_from: datetime | None = None,
        sent_to: datetime | None = None,
        order_ascending: bool = True,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> FileTransferPage:
        params = _params(
            resourceId=resource_id,
            role=role,
            status=status,
            recipientStatus=recipient_status,
            onBehalfOf=on_behalf_of,
            orderAscending=str(order_ascending).lower(),
            limit=limit,
            cursor=cursor,
            **{"from": _time(sent_from), "to": _time(sent_to)},
        )
        return await self._json(FileTransferPage, "GET", BROKER, names.BROKER_READ, params=params)

    async def available_file_transfers(self, resource_id: str, *, on_behalf_of: str | None = None) -> list[str]:
        """Published transfers the caller has not yet confirmed downloading (oldest first, all pages)."""
        found: list[str] = []
        cursor: str | None = None
        while True:
            page = await self.file_transfers(
                resource_id,
                status=names.FileTransferStatus.PUBLISHED,
                recipient_status="available",
                on_behalf_of=on_behalf_of,
                cursor=cursor,
            )
            found += page.ids
            if not page.next:
                return found
            cursor = page.next

    async def download_file_transfer(self, file_transfer_id: str, *, on_behalf_of: str | None = None) -> bytes:
        response = await self._request(
            "GET",
            f"{BROKER}/{_id(file_transfer_id)}/download",
            names.BROKER_READ,
            params=_params(onBehalfOf=on_behalf_of),
        )
        return response.content

    async def confirm_download(self, file_transfer_id: str, *, on_behalf_of: str | None = None) -> FileTransferOverview:
        return await self._json(
            FileTransferOverview,
            "POST",
            f"{BROKER}/{_id(file_transfer_id)}/confirmdownload",
            names.BROKER_READ,
            params=_params(onBehalfOf=on_behalf_of),
        )

    # -- events ----------------------------------------------------------------------------------------

    async def events(
        self,
        after: int = 0,
        *,
        resource: str | None = None,
        type: str | None = None,
        subject: str | None = None,
        size: int | None = None,
    ) -> EventPage:
        """The caller's events after ``after`` (a sequence), oldest first; read on from ``page.next``."""
        params = _params(after=after, resource=resource, type=type, subject=subject, size=size)
        return await self._json(EventPage, "GET", EVENTS + "/events", names.EVENTS, params=params)

    async def subscribe(self, request: SubscriptionRequest) -> Subscription:
        """A webhook; the answer's ``secret`` (shown once) checks the deliveries' signatures."""
        return await self._json(Subscription, "POST", EVENTS + "/subscriptions", names.EVENTS, json=request)

    async def subscriptions(self) -> list[Subscription]:
        return await self._json(list[Subscription], "GET", EVENTS + "/subscriptions", names.EVENTS)

    async def unsubscribe(self, subscription_id: str) -> None:
        await self._request("DELETE", f"{EVENTS}/subscriptions/{_id(subscription_id)}", names.EVENTS)

    async def dead_letters(self, subscription_id: str) -> list[DeadLetter]:
        return await self._json(
            list[DeadLetter], "GET", f"{EVENTS}/subscriptions/{_id(subscription_id)}/deadletters", names.EVENTS
        )

    # -- resource registry and roles -------------------------------------------------------------------

    async def resource(self, identifier: str) -> Resource:
        return await self._json(Resource, "GET", f"{REGISTRY}/{_id(identifier)}", names.RESOURCE_REGISTRY)

    async def resources(self) -> list[Resource]:
        return await self._json(list[Resource], "GET", REGISTRY, names.RESOURCE_REGISTRY)

    async def put_resource(self, resource: Resource) -> Resource:
        """Register or change a resource the caller owns."""
        return await self._json(
            Resource, "PUT", f"{REGISTRY}/{_id(resource.identifier)}", names.RESOURCE_REGISTRY, json=resource
        )

    async def assign_role(self, assignment: RoleAssignment) -> RoleAssignment:
        """Delegate: the caller (the party) lets ``holder`` act for it with ``role``."""
        return await self._json(RoleAssignment, "POST", ROLES, names.RESOURCE_REGISTRY, json=assignment)

    async def roles(self, party: str) -> list[RoleAssignment]:
        return await self._json(
            list[RoleAssignment], "GET", ROLES, names.RESOURCE_REGISTRY, params={"party": names.bare_party(party)}
        )

    async def decide(self, request: DecisionRequest) -> Decision:
        return await self._json(Decision, "POST", DECISION, names.RESOURCE_REGISTRY, json=request)


__all__ = ["CORRESPONDENCE", "BROKER", "EVENTS", "FileUpload", "MessagingClient", "ScopedToken"]
