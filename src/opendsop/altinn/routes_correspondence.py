"""Correspondence routes (``/correspondence/api/v1``), paths as Altinn 3's Correspondence API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.params import FromPath

from opendsop.altinn.correspondence import Upload
from opendsop.altinn.http import answer, body_of, caller, decode, int_query, platform, query
from opendsop.contracts.messaging.errors import InvalidRequest
from opendsop.contracts.messaging.models import (
    AttachmentInit,
    Correspondence,
    CorrespondenceContent,
    ExternalReference,
    InitializeCorrespondences,
)
from opendsop.contracts.messaging.names import CORRESPONDENCE_READ, CORRESPONDENCE_WRITE, Role

BASE = "/correspondence/api/v1/correspondence"
ATTACHMENT = "/correspondence/api/v1/attachment"


async def _form(request: Request[Any, Any, Any], field: str) -> tuple[str, list[Upload]]:
    form = await request.form()
    value = form.get(field)
    if not isinstance(value, str):
        raise InvalidRequest(f"the multipart body needs a {field!r} part holding the JSON request")
    uploads = []
    for part in form.getall("attachments") if "attachments" in form else []:
        if isinstance(part, str):
            raise InvalidRequest("each 'attachments' part must be a file")
        uploads.append(
            Upload(part.filename or "attachment", await part.read(), part.content_type or "application/octet-stream")
        )
    return value, uploads


async def _audited(request: Request[Any, Any, Any], holder: str, body: Any, made: Any) -> None:
    """One record per letter sent: who sent it, on which resource, to whom (never its content)."""
    log = platform(request).audit
    if log is None:
        return
    from opendsop.audit.log import AuditRecord
    from opendsop.clock import utc_now
    from opendsop.contracts.messaging.names import bare_party

    for letter in made.correspondences:
        recipient = bare_party(letter.recipient)
        await log.append(
            AuditRecord(
                recorded_at=utc_now(),
                correlation_id=letter.correspondence_id,
                consumer_org=holder,
                supplier_org=recipient if len(recipient) == 9 else None,
                service=body.correspondence.resource_id,
                endpoint="correspondence",
                party_id=recipient if len(recipient) == 11 else None,
                outcome="allowed",
                status=200,
                categories=("melding",),
            )
        )


@post(BASE, status_code=200)
async def initialize(request: Request[Any, Any, Any]) -> Response[bytes]:
    holder = await caller(request, CORRESPONDENCE_WRITE)
    body = await body_of(request, InitializeCorrespondences, "InitializeCorrespondences body")
    made = await platform(request).platform.correspondences.create(holder, body)
    await _audited(request, holder, body, made)
    return answer(made)


@post(BASE + "/upload", status_code=200)
async def upload(request: Request[Any, Any, Any]) -> Response[bytes]:
    holder = await caller(request, CORRESPONDENCE_WRITE)
    text, uploads = await _form(request, "correspondence")
    body = decode(text, InitializeCorrespondences, "correspondence part")
    made = await platform(request).platform.correspondences.create(holder, body, uploads)
    await _audited(request, holder, body, made)
    return answer(made)


def _moment(request: Request[Any, Any, Any], name: str) -> datetime | None:
    value = query(request, name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidRequest(f"{name} must be an ISO 8601 time with a zone") from None
    if moment.tzinfo is None:
        raise InvalidRequest(f"{name} must carry a time zone")
    return moment


@get(BASE)
async def search(request: Request[Any, Any, Any]) -> Response[bytes]:
    role = query(request, "role") or Role.RECIPIENT
    holder = await caller(request, CORRESPONDENCE_WRITE if role == Role.SENDER else CORRESPONDENCE_READ)
    p = platform(request).platform
    party = holder
    on_behalf_of = query(request, "onBehalfOf")
    resource_id = query(request, "resourceId")
    if on_behalf_of:
        if not resource_id:
            raise InvalidRequest("onBehalfOf needs resourceId: rights are given per resource")
        resource = await p.access.resource(resource_id, "correspondence")
        party = await p.access.acting_party(resource, holder, on_behalf_of)
    page = await p.views.search(
        party,
        role=role,
        resource_id=resource_id,
        status=query(request, "status"),
        sent_from=_moment(request, "from"),
        sent_to=_moment(request, "to"),
        senders_reference=query(request, "sendersReference"),
        idempotent_key=query(request, "idempotentKey"),
        limit=int_query(request, "limit", 50),
        cursor=query(request, "cursor"),
    )
    return answer(page)


@get(BASE + "/{correspondence_id:str}")
async def overview(request: Request[Any, Any, Any], correspondence_id: FromPath[str]) -> Response[bytes]:
    holder = await caller(request, CORRESPONDENCE_READ)
    return answer(await platform(request).platform.views.get(holder, correspondence_id, query(request, "onBehalfOf")))


@get(BASE + "/{correspondence_id:str}/details")
async def details(request: Request[Any, Any, Any], correspondence_id: FromPath[str]) -> Response[bytes]:
    holder = await caller(request, CORRESPONDENCE_READ)
    return answer(
        await platform(request).platform.views.details(holder, correspondence_id, query(request, "onBehalfOf"))
    )


@get(BASE + "/{correspondence_id:str}/content")
async def content(request: Request[Any, Any, Any], correspondence_id: FromPath[str]) -> Response[bytes]:
    holder = await caller(request, CORRESPONDENCE_READ)
    found = await platform(request).platform.views.get(holder, correspondence_id, query(request, "onBehalfOf"))
    return Response(found.content.message_body.encode("utf-8"), media_type="text/markdown; charset=utf-8")


async def _act(request: Request[Any, Any, Any], correspondence_id: str, action: str) -> Response[bytes]:
    holder = await caller(request, CORRESPONDENCE_READ)
    p = platform(request).platform
    await p.correspondences.act(holder, correspondence_id, action, query(request, "onBehalfOf"))
    return answer(await p.views.overview_of(correspondence_id))


@post(BASE + "/{correspondence_id:str}/markasread", status_code=200)
async def mark_read(request: Request[Any, Any, Any], correspondence_id: FromPath[str]) -> Response[bytes]:
    return await _act(request, correspondence_id, "read")


@post(BASE + "/{correspondence_id:str}/confirm", status_code=200)
async def confirm(request: Request[Any, Any, Any], correspondence_id: FromPath[str]) -> Response[bytes]:
    return await _act(request, correspondence_id, "confirm")


@post(BASE + "/{correspondence_id:str}/archive", status_code=200)
async def archive(request: Request[Any, Any, Any], correspondence_id: FromPath[str]) -> Response[bytes]:
    return await _act(request, correspondence_id, "archive")


@delete(BASE + "/{correspondence_id:str}/purge", status_code=200)
async def purge(request: Request[Any, Any, Any], correspondence_id: FromPath[str]) -> Response[bytes]:
    return await _act(request, correspondence_id, "purge")


class _Reply(msgspec.Struct, rename="camel", kw_only=True):
    content: CorrespondenceContent
    senders_reference: str = "reply"
    property_list: dict[str, str] = {}
    idempotent_key: str | None = None


@post(BASE + "/{correspondence_id:str}/reply", status_code=200)
async def reply(request: Request[Any, Any, Any], correspondence_id: FromPath[str]) -> Response[bytes]:
    """Ours: answer a received correspondence — a new one back to its sender, the original ``Replied``."""
    holder = await caller(request, CORRESPONDENCE_READ)
    p = platform(request).platform
    if (request.headers.get("content-type") or "").startswith("multipart/"):
        text, uploads = await _form(request, "reply")
    else:
        text, uploads = (await request.body()).decode("utf-8", "replace"), []
    body = decode(text, _Reply, "reply")
    original, side = await p.correspondences.row(holder, correspondence_id, query(request, "onBehalfOf"))
    if side != "recipient":
        raise InvalidRequest("only the recipient of a correspondence replies to it")
    request_body = InitializeCorrespondences(
        correspondence=msgspec.convert(
            {
                "resourceId": original.resource_id,
                "sendersReference": body.senders_reference,
                "content": msgspec.to_builtins(body.content),
                "propertyList": body.property_list,
            },
            type=Correspondence,
        ),
        recipients=[original.sender],
        idempotent_key=body.idempotent_key,
    )
    request_body.correspondence.external_references.append(
        ExternalReference(reference_value=original.id, reference_type="Generic")
    )
    return answer(await p.correspondences.create(holder, request_body, uploads, reply_to=original))


@get(BASE + "/{correspondence_id:str}/attachment/{attachment_id:str}/download")
async def download(
    request: Request[Any, Any, Any], correspondence_id: FromPath[str], attachment_id: FromPath[str]
) -> Response[bytes]:
    holder = await caller(request, CORRESPONDENCE_READ)
    row, data = await platform(request).platform.correspondences.attachment(
        holder, correspondence_id, attachment_id, query(request, "onBehalfOf")
    )
    meta = decode(row.data, AttachmentInit, "attachment")
    safe = meta.file_name.replace('"', "").replace("\r", "").replace("\n", "")
    return Response(
        data,
        media_type=meta.data_type,
        headers={"Content-Disposition": f'attachment; filename="{safe}"', "X-Checksum-SHA256": row.sha256},
    )


@post(ATTACHMENT, status_code=200)
async def initialize_attachment(request: Request[Any, Any, Any]) -> Response[bytes]:
    holder = await caller(request, CORRESPONDENCE_WRITE)
    meta = await body_of(request, AttachmentInit, "attachment body")
    return answer(await platform(request).platform.initialize_attachment(holder, meta))


@post(ATTACHMENT + "/{attachment_id:str}/upload", status_code=200)
async def upload_attachment(request: Request[Any, Any, Any], attachment_id: FromPath[str]) -> Response[bytes]:
    holder = await caller(request, CORRESPONDENCE_WRITE)
    return answer(await platform(request).platform.upload_attachment(holder, attachment_id, await request.body()))


@get(ATTACHMENT + "/{attachment_id:str}")
async def attachment_overview(request: Request[Any, Any, Any], attachment_id: FromPath[str]) -> Response[bytes]:
    holder = await caller(request, CORRESPONDENCE_WRITE)
    return answer(await platform(request).platform.attachment(holder, attachment_id))


ROUTES = [
    initialize,
    upload,
    search,
    overview,
    details,
    content,
    mark_read,
    confirm,
    archive,
    purge,
    reply,
    download,
    initialize_attachment,
    upload_attachment,
    attachment_overview,
]
