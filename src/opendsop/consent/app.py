"""ASGI app of the consent service: an Altinn 3-style consent broker (DSOP SBL “Samtykkeløsningen”; DSOP “Altinn 3.0”).

Consumer API (Maskinporten-like bearer token; see ``context`` for scopes and who may act)::

    POST   /accessmanagement/api/v1/enterprise/consentrequests/        create (201; 200 for an identical retry;
                                                                       the id is the sender's own: see store)
    GET    /accessmanagement/api/v1/enterprise/consentrequests/{id}    status + consentRequestEvents
    DELETE /accessmanagement/api/v1/enterprise/consentrequests/{id}    withdraw an unanswered request
    GET    /accessmanagement/api/v1/enterprise/consentrequests/events?after=<seq>&limit=<n>
                                                                       the caller's event feed; ``next`` link

Internal API for the token service (``Authorization: Bearer <DSOP_CONSENT_ADMIN_TOKEN>``, a shared
secret standing in for mTLS; disabled when the setting is empty)::

    GET  /internal/consents/{id}        the consent with its *effective* status (expiry computed)
    POST /internal/consents/{id}/used   mark a one-time consent used after its first token

Pages for the person (``portal``) and the Altinn 2 façade (``altinn2``) are mounted alongside.
Errors are JSON ``{"code", "message", "parameter"}``; never a stack trace.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from litestar import Litestar, Request, Response, delete, get, post
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.params import FromPath

from opendsop.availability import RETRY_AFTER, Readiness, cannot_answer, health_routes
from opendsop.clock import utc_now
from opendsop.consent import altinn2, portal
from opendsop.consent.context import (
    API_BASE,
    SCOPE_READ,
    SCOPE_WRITE,
    Context,
    admit_new,
    change_status,
    may_read,
    require_actor,
    templates,
)
from opendsop.consent.login import SessionCodec, SessionStore
from opendsop.consent.notify import RevocationHooks
from opendsop.consent.parties import (
    MappingNames,
    MappingRepresentatives,
    OrganisationNames,
    Representatives,
)
from opendsop.consent.registry import Registry
from opendsop.consent.requests import (
    EVENT_TYPES,
    ConsentError,
    ConsentRecord,
    Status,
    parse_json_body,
    parse_request,
    rfc3339,
)
from opendsop.consent.settings import ConsentSettings
from opendsop.consent.store import ConsentStore, Event
from opendsop.contracts.verify import TokenVerifier
from opendsop.serving import correlation_id, create_engine, observe
from opendsop.standard.values import parse_whole_number

log = logging.getLogger("opendsop.consent")


def _event(event: Event) -> dict[str, Any]:
    return {
        "sequence": event.seq,
        "consentRequestId": event.consent_id,
        "eventType": EVENT_TYPES[event.status],
        "created": rfc3339(event.at),
    }


def _count(value: str | None, parameter: str, default: int) -> int:
    if value is None:
        return default
    try:
        return parse_whole_number(value, parameter=parameter, maximum=10**12 - 1)
    except ValueError:
        raise ConsentError(400, "invalid_request", f"{parameter} must be a non-negative integer", parameter) from None


async def _owned(ctx: Context, consent_id: str, authorization: str | None, scope: str) -> ConsentRecord:
    """The request, if the caller is its consumer (or handledBy); for reads also the owning data source."""
    principal = await ctx.principal(authorization, scope)
    record = await ctx.store.get_sent(principal.consumer_org, consent_id)  # its own id, even if re-issued
    if record is None:
        raise ConsentError(404, "not_found", f"consent request {consent_id[:40]} does not exist", "id")
    if not (scope == SCOPE_READ and await may_read(ctx, principal, record.request)):
        await require_actor(ctx, principal, record.request)
    return record


def api_routes(ctx: Context) -> list[Any]:
    def view_uri(consent_id: str) -> str:
        return f"{ctx.settings.public_url}/request/{consent_id}"

    @post(API_BASE + "/", status_code=201)
    async def create(request: Request[Any, Any, Any]) -> Response[Any]:
        principal = await ctx.principal(request.headers.get("authorization"), SCOPE_WRITE)
        body = parse_json_body(await request.body())
        consent = parse_request(body, now=ctx.now(), synthetic_allowed=ctx.settings.test_mode)
        await admit_new(ctx, principal, consent)
        record, created = await ctx.store.create(consent, now=ctx.now())
        log.info("consent request %s %s for %s", record.id, "created" if created else "re-sent", consent.to_org)
        answer = record.wire(ctx.now()) | {"viewUri": view_uri(record.id)}
        return Response(answer, status_code=201 if created else 200)

    @get(API_BASE + "/events")
    async def events(request: Request[Any, Any, Any]) -> dict[str, Any]:
        principal = await ctx.principal(request.headers.get("authorization"), SCOPE_READ)
        after = _count(request.query_params.get("after"), "after", 0)
        size = min(
            _count(request.query_params.get("limit"), "limit", ctx.settings.event_page_size) or 1,
            ctx.settings.event_page_size,
        )
        await ctx.store.expire_due(now=ctx.now())
        page = await ctx.store.events(after=after, limit=size, org=principal.consumer_org)
        following = None
        if len(page) == size:
            following = f"{ctx.settings.public_url}{API_BASE}/events?after={page[-1].seq}&limit={size}"
        return {"events": [_event(e) for e in page], "next": following}

    @get(API_BASE + "/{consent_id:str}")
    async def read(request: Request[Any, Any, Any], consent_id: FromPath[str]) -> dict[str, Any]:
        record = await _owned(ctx, consent_id, request.headers.get("authorization"), SCOPE_READ)
        await ctx.store.expire_due(now=ctx.now())  # so the events below include a due expiry
        history = await ctx.store.events(consent_id=record.id, limit=1000)
        return record.wire(ctx.now()) | {
            "viewUri": view_uri(record.id),
            "consentRequestEvents": [_event(e) for e in history],
        }

    @delete(API_BASE + "/{consent_id:str}", status_code=200)
    async def remove(request: Request[Any, Any, Any], consent_id: FromPath[str]) -> dict[str, Any]:
        record = await _owned(ctx, consent_id, request.headers.get("authorization"), SCOPE_WRITE)
        await change_status(ctx, record, Status.DELETED)
        return {"id": record.id, "status": Status.DELETED.value}

    return [create, events, read, remove]


def internal_routes(ctx: Context) -> list[Any]:
    def authorise(request: Request[Any, Any, Any]) -> None:
        secret = ctx.settings.admin_token
        given = request.headers.get("authorization", "")
        if not secret or not hmac.compare_digest(given.encode(), f"Bearer {secret}".encode()):
            raise ConsentError(401, "unauthorized", "the internal API needs the admin token", "Authorization")

    @get("/internal/consents/{consent_id:str}")
    async def lookup(request: Request[Any, Any, Any], consent_id: FromPath[str]) -> dict[str, Any]:
        authorise(request)
        record = await ctx.store.get(consent_id)
        if record is None:
            raise ConsentError(404, "not_found", f"consent {consent_id[:40]} does not exist", "id")
        return record.wire(ctx.now()) | {"oneTime": record.request.one_time}

    @post("/internal/consents/{consent_id:str}/used", status_code=200)
    async def used(request: Request[Any, Any, Any], consent_id: FromPath[str]) -> dict[str, Any]:
        authorise(request)
        record = await ctx.store.get(consent_id)
        if record is None:
            raise ConsentError(404, "not_found", f"consent {consent_id[:40]} does not exist", "id")
        await change_status(ctx, record, Status.USED)
        return {"id": record.id, "status": Status.USED.value}

    return [lookup, used]


def _consent_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, ConsentError)
    headers = {"WWW-Authenticate": 'Bearer realm="consent"'} if exc.status == 401 else None
    return Response(exc.body(), status_code=exc.status, headers=headers, media_type="application/json")


def _http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, HTTPException)
    code = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return Response(
        {"code": code, "message": str(exc.detail), "parameter": None},
        status_code=exc.status_code,
        media_type="application/json",
    )


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    reference = correlation_id(request.headers.get("correlationid"))
    if cannot_answer(exc):  # its database: retry later (docs/decisions.md "Outages")
        log.warning("the consent service's database did not answer %s (%s)", reference, type(exc).__name__)
        return Response(
            {
                "code": "temporarily_unavailable",
                "parameter": None,
                "message": "the consent service cannot answer now; retry after Retry-After seconds",
            },
            status_code=503,
            media_type="application/json",
            headers=RETRY_AFTER,
        )
    log.error("internal error %s on %s %s: %s", reference, request.method, request.url.path, type(exc).__name__)
    return Response(
        {"code": "internal_error", "message": f"the consent service failed; quote {reference}", "parameter": None},
        status_code=500,
        media_type="application/json",
    )


def create_app(
    settings: ConsentSettings,
    *,
    clock: Callable[[], datetime] | None = None,
    verifier: TokenVerifier | None = None,
    names: OrganisationNames | None = None,
    representatives: Representatives | None = None,
    altinn2_key: Any = None,
    hooks_client: httpx.AsyncClient | None = None,
) -> Litestar:
    """The consent app; the keyword arguments replace what ``settings`` would build (tests)."""
    store = ConsentStore(create_engine(settings.database_url))
    ctx = Context(
        settings=settings,
        store=store,
        registry=Registry(store.engine),
        clock=clock or utc_now,
        verifier=verifier or TokenVerifier(settings.issuer, settings.token_jwks_url, settings.token_audience, ()),
        names=names or MappingNames(settings.organisation_names),
        representatives=representatives or MappingRepresentatives(settings.representatives),
        # No secret in test mode: a random one per start (settings refuse that outside test mode).
        sessions=SessionCodec(
            settings.session_secret or secrets.token_urlsafe(32), lifetime=timedelta(minutes=settings.session_minutes)
        ),
        session_store=SessionStore(store.engine),
        pages=templates(),
        altinn2_key=altinn2_key,
        hooks=RevocationHooks(settings.revocation_hooks, settings.revocation_hook_token, client=hooks_client)
        if settings.revocation_hooks
        else None,
    )

    async def startup() -> None:
        await store.create_schema()
        await altinn2.ensure_key(ctx)

    readiness = Readiness()
    readiness.add_database(store.engine)
    keys_ready = getattr(ctx.verifier, "keys_ready", None)
    if keys_ready is not None:
        readiness.add("keys", keys_ready)

    app = Litestar(
        route_handlers=[
            *api_routes(ctx),
            *internal_routes(ctx),
            *portal.routes(ctx),
            *altinn2.routes(ctx),
            *health_routes(readiness),
        ],
        on_startup=[startup],
        on_shutdown=[store.close],
        exception_handlers={ConsentError: _consent_error, HTTPException: _http_error, 500: _internal_error},
        request_max_body_size=64 * 1024,
        # Its own OpenAPI document (JSON only, no UI pulling scripts from a CDN), as every party has.
        openapi_config=OpenAPIConfig(
            title="opendsop consent service", version="1", path="/schema", render_plugins=[JsonRenderPlugin()]
        ),
        logging_config=None,
    )
    app.state.consent = ctx
    return observe(app, "consent", title="Consent service / samtykketjeneste")


__all__ = ["create_app", "utc_now"]
