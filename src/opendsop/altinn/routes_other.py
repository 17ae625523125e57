"""Broker (``/broker/api/v1/filetransfer``), events (``/events/api/v1``), the resource registry
(``/resourceregistry/api/v1/resource``), role assignments (``/accessmanagement/api/v1/roles``) and
the authorisation decision (``/authorization/api/v1/decision``)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, delete, get, post, put
from litestar.params import FromPath

from opendsop.altinn.http import answer, body_of, caller, int_query, platform, query
from opendsop.altinn.policy import acting_roles, may_receive, may_send
from opendsop.contracts.messaging.errors import InvalidRequest, NotAuthorized, NotFound
from opendsop.contracts.messaging.models import (
    Decision,
    DecisionRequest,
    FileTransferInitialize,
    FileTransferInitialized,
    Resource,
    RoleAssignment,
    SubscriptionRequest,
)
from opendsop.contracts.messaging.names import BROKER_READ, BROKER_WRITE, EVENTS, RESOURCE_REGISTRY, Role

BROKER = "/broker/api/v1/filetransfer"
EVENTS_BASE = "/events/api/v1"
REGISTRY = "/resourceregistry/api/v1/resource"
ROLES = "/accessmanagement/api/v1/roles"
DECISION = "/authorization/api/v1/decision"


@post(BROKER, status_code=200)
async def initialize_file_transfer(request: Request[Any, Any, Any]) -> Response[bytes]:
    holder = await caller(request, BROKER_WRITE)
    body = await body_of(request, FileTransferInitialize, "FileTransferInitialize body")
    fid = await platform(request).platform.broker.initialize(holder, body)
    return answer(FileTransferInitialized(file_transfer_id=fid))


@post(BROKER + "/{file_transfer_id:str}/upload", status_code=200)
async def upload_file_transfer(request: Request[Any, Any, Any], file_transfer_id: FromPath[str]) -> Response[bytes]:
    holder = await caller(request, BROKER_WRITE)
    p = platform(request).platform
    await p.broker.upload(holder, file_transfer_id, await request.body())
    return answer(await p.broker.overview(holder, file_transfer_id))


@get(BROKER + "/{file_transfer_id:str}")
async def file_transfer(request: Request[Any, Any, Any], file_transfer_id: FromPath[str]) -> Response[bytes]:
    holder = await caller(request, BROKER_READ)
    return answer(
        await platform(request).platform.broker.overview(holder, file_transfer_id, query(request, "onBehalfOf"))
    )


@get(BROKER + "/{file_transfer_id:str}/details")
async def file_transfer_details(request: Request[Any, Any, Any], file_transfer_id: FromPath[str]) -> Response[bytes]:
    holder = await caller(request, BROKER_READ)
    return answer(
        await platform(request).platform.broker.details(holder, file_transfer_id, query(request, "onBehalfOf"))
    )


@get(BROKER)
async def file_transfers(request: Request[Any, Any, Any]) -> Response[bytes]:
    holder = await caller(request, BROKER_READ)
    p = platform(request).platform
    resource_id = query(request, "resourceId")
    resource = await p.access.resource(resource_id, "broker")
    party = await p.access.acting_party(resource, holder, query(request, "onBehalfOf"))
    page = await p.broker.search(
        party,
        resource.identifier,
        role=query(request, "role") or Role.RECIPIENT,
        status=query(request, "status"),
        recipient_status=query(request, "recipientStatus"),
        ascending=(query(request, "orderAscending") or "true").lower() != "false",
        limit=int_query(request, "limit", 100),
        cursor=query(request, "cursor"),
    )
    return answer(page)


@get(BROKER + "/{file_transfer_id:str}/download")
async def download_file_transfer(request: Request[Any, Any, Any], file_transfer_id: FromPath[str]) -> Response[bytes]:
    holder = await caller(request, BROKER_READ)
    row, data = await platform(request).platform.broker.download(holder, file_transfer_id, query(request, "onBehalfOf"))
    return Response(data, media_type="application/octet-stream", headers={"X-Checksum-SHA256": row.sha256})


@post(BROKER + "/{file_transfer_id:str}/confirmdownload", status_code=200)
async def confirm_download(request: Request[Any, Any, Any], file_transfer_id: FromPath[str]) -> Response[bytes]:
    holder = await caller(request, BROKER_READ)
    return answer(
        await platform(request).platform.broker.confirm(holder, file_transfer_id, query(request, "onBehalfOf"))
    )


# -- events ----------------------------------------------------------------------------------------------


@get(EVENTS_BASE + "/events")
async def feed(request: Request[Any, Any, Any]) -> Response[bytes]:
    holder = await caller(request, EVENTS)
    page = await platform(request).platform.events.feed(
        holder,
        int_query(request, "after", 0),
        size=int_query(request, "size", 100),
        resource=query(request, "resource"),
        type_=query(request, "type"),
    )
    return answer(page)


@post(EVENTS_BASE + "/subscriptions", status_code=201)
async def subscribe(request: Request[Any, Any, Any]) -> Response[bytes]:
    holder = await caller(request, EVENTS)
    body = await body_of(request, SubscriptionRequest, "subscription")
    return answer(await platform(request).platform.events.subscribe(holder, body), 201)


@get(EVENTS_BASE + "/subscriptions")
async def subscriptions(request: Request[Any, Any, Any]) -> Response[bytes]:
    holder = await caller(request, EVENTS)
    return answer(await platform(request).platform.events.subscriptions(holder))


@delete(EVENTS_BASE + "/subscriptions/{subscription_id:str}", status_code=200)
async def unsubscribe(request: Request[Any, Any, Any], subscription_id: FromPath[str]) -> Response[bytes]:
    holder = await caller(request, EVENTS)
    await platform(request).platform.events.unsubscribe(holder, subscription_id)
    return answer({"deleted": subscription_id})


@get(EVENTS_BASE + "/subscriptions/{subscription_id:str}/deadletters")
async def dead_letters(request: Request[Any, Any, Any], subscription_id: FromPath[str]) -> Response[bytes]:
    holder = await caller(request, EVENTS)
    return answer(await platform(request).platform.events.dead_letters(holder, subscription_id))


# -- resource registry, roles, decisions -----------------------------------------------------------------


@get(REGISTRY)
async def resources(request: Request[Any, Any, Any]) -> Response[bytes]:
    await caller(request, RESOURCE_REGISTRY)
    return answer(await platform(request).platform.store.resources())


@get(REGISTRY + "/{identifier:str}")
async def resource(request: Request[Any, Any, Any], identifier: FromPath[str]) -> Response[bytes]:
    await caller(request, RESOURCE_REGISTRY)
    found = await platform(request).platform.store.resource(identifier)
    if found is None:
        raise NotFound(f"no resource {identifier[:80]!r}")
    return answer(found)


@put(REGISTRY + "/{identifier:str}", status_code=200)
async def put_resource(request: Request[Any, Any, Any], identifier: FromPath[str]) -> Response[bytes]:
    holder = await caller(request, RESOURCE_REGISTRY)
    body = await body_of(request, Resource, "resource")
    p = platform(request).platform
    if body.identifier != identifier or not 1 <= len(identifier) <= 255:
        raise InvalidRequest("the resource's identifier must match the path (1–255 characters)")
    existing = await p.store.resource(identifier)
    if body.owner != holder or (existing is not None and existing.owner != holder):
        raise NotAuthorized("only the resource's owner registers or changes it, as its owner")
    await p.store.put_resource(body)
    return answer(body)


@post(ROLES, status_code=200)
async def assign_role(request: Request[Any, Any, Any]) -> Response[bytes]:
    holder = await caller(request, RESOURCE_REGISTRY)
    body = await body_of(request, RoleAssignment, "role assignment")
    p = platform(request).platform
    assignment = RoleAssignment(
        holder=p.access.party(body.holder, "holder"), party=p.access.party(body.party, "party"), role=body.role
    )
    if assignment.party != holder:
        raise NotAuthorized("a party delegates only its own rights: the caller must be the assignment's party")
    if assignment.holder == assignment.party:  # a party's own roles come from the registers, not from itself
        raise NotAuthorized("a party cannot grant itself a role; its own roles are set by the platform's operator")
    if not 1 <= len(assignment.role) <= 255:
        raise InvalidRequest("role must be 1–255 characters")
    await p.store.assign_role(assignment)
    return answer(assignment)


@get(ROLES)
async def roles(request: Request[Any, Any, Any]) -> Response[bytes]:
    holder = await caller(request, RESOURCE_REGISTRY)
    p = platform(request).platform
    party = p.access.party(query(request, "party") or holder, "party")
    if party != holder:
        raise NotAuthorized("a party sees only its own role assignments")
    return answer(await p.store.role_assignments(party))


@post(DECISION, status_code=200)
async def decide(request: Request[Any, Any, Any]) -> Response[bytes]:
    await caller(request, RESOURCE_REGISTRY)
    body = await body_of(request, DecisionRequest, "decision request")
    p = platform(request).platform
    found = await p.store.resource(body.resource)
    if found is None:
        return answer(Decision(decision="NotApplicable", reason="unknown resource"))
    subject = p.access.party(body.subject, "subject")
    party = p.access.party(body.party, "party") if body.party else subject
    if subject != party and not (await p.store.roles_held(subject, party)) & acting_roles(found):
        return answer(Decision(decision="NotApplicable", reason="the subject holds no role for the party"))
    own = await p.store.roles_held(party, party)
    allowed = may_send(found, party, own) if body.action == "send" else may_receive(found, party, own)
    return answer(Decision(decision="Permit" if allowed else "NotApplicable", reason="" if allowed else "policy"))


ROUTES = [
    initialize_file_transfer,
    upload_file_transfer,
    file_transfer,
    file_transfer_details,
    file_transfers,
    download_file_transfer,
    confirm_download,
    feed,
    subscribe,
    subscriptions,
    unsubscribe,
    dead_letters,
    resources,
    resource,
    put_resource,
    assign_role,
    roles,
    decide,
]
