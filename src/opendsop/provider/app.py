"""A bank's DSOP Control API v2 as a Litestar app (Bank_v2.yaml; DSOP “Architecture document”; DSOP “eOppslag”; DSOP
“Security design”).

Routes (the server URL of the contract is ``{base}/v2``)::

    GET /v2/accounts                                   listAccounts
    GET /v2/accounts/{accountReference}                showAccountById
    GET /v2/accounts/{accountReference}/transactions   listTransactions
    GET /v2/accounts/{accountReference}/cards          listCards
    GET /v2/accounts/{accountReference}/roles          listRoles
    GET /v2/openapi.json                               this bank's OpenAPI document (openapi.py)
    GET /v1/accounts…, /v1/openapi.json                the same for consumers still on v1 (v1.py)
    GET /metrics                                       Prometheus metrics (metrics.py)
    GET /health, /health/live                          liveness (the process serves)
    GET /health/ready                                  readiness: database answers, issuer keys loaded

Every handler hands the raw request to the pipeline (pipeline.py), which owns validation order,
encryption and the audit record.  Any method but GET is 405 ACC-012 (``Allow: GET``), an unknown
path 404 ACC-002, and both are audited and counted like every other request.  Error bodies are
``{code, message}``; nothing ever answers with a stack trace.  Every audit record is written after
its answer was sent and says whether it was delivered (``delivered.py``).

Wiring: everything the pipeline needs can be injected (tests pass the in-memory twins and an
``httpx.ASGITransport`` needs no lifespan then); what is not injected is built from settings —
the SQL store and audit log on ``DATABASE_URL``, a ``TokenVerifier`` on the issuer's JWKS, the
CertPub client, the register clients (``REGISTERS_URL``), the prosecution's JWKS.  Without
register facts the bank knows no deaths, rulings or guardianships, so OED, Konkurs and
Vergekontroll are refused (fail closed); without ``PROSECUTION_ROOTS`` no extradition order
verifies, so Politi is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import msgspec
from litestar import Litestar, Request, Response, get
from litestar.datastructures import State
from litestar.exceptions import HTTPException, MethodNotAllowedException
from litestar.middleware import ASGIMiddleware
from litestar.params import FromPath
from litestar.types import ASGIApp, Receive, Scope, Send

from opendsop.audit.api import audit_routes
from opendsop.audit.log import AuditLog, AuditRecord
from opendsop.availability import Readiness, health_routes
from opendsop.clock import Clock
from opendsop.contracts.registers.clients import Konkursregister
from opendsop.provider import answers, v1, v1_openapi, wiring
from opendsop.provider.delivered import Delivery, DeliveryWatch, delivery_of
from opendsop.provider.errors import MethodNotAllowed, error_body
from opendsop.provider.logs import log
from opendsop.provider.metrics import CONTENT_TYPE as METRICS_TYPE
from opendsop.provider.metrics import ProviderMetrics
from opendsop.provider.openapi import build_document
from opendsop.provider.ops import PREFIX as OPS_PREFIX
from opendsop.provider.ops import OpsConsole, console_for, default_staff
from opendsop.provider.pipeline import Answer, Dialect, Pipeline
from opendsop.provider.ports import Certificates, FactsSource, OrderVerifier, TokenVerifier
from opendsop.provider.ratelimit import limiter
from opendsop.provider.settings import ROUTE_PREFIX, SCOPE, ProviderSettings
from opendsop.provider.store.repository import BankStore
from opendsop.serving import observe
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.errors import DsopError
from opendsop.standard.versions import ApiVersion
from opendsop.web import StaffDirectory

STATE_KEY = "provider"
_PATH = re.compile(
    rf"^(?:{ROUTE_PREFIX}|{v1.V1_PREFIX})/accounts"
    r"(?:/(?P<ref>[^/]+)(?:/(?P<sub>transactions|cards|roles))?)?/?$"
)
_SUB_ENDPOINTS = {
    None: Endpoint.ACCOUNT_DETAILS,
    "transactions": Endpoint.TRANSACTIONS,
    "cards": Endpoint.CARDS,
    "roles": Endpoint.ROLES,
}


def _pipeline(request: Request[Any, Any, Any]) -> Pipeline:
    pipeline: Pipeline = request.app.state[STATE_KEY]
    return pipeline


def _response(answer: Answer, correlation: str | None = None) -> Response[bytes]:
    headers = dict(answer.headers)
    if correlation:
        headers["CorrelationID"] = correlation  # echoed for support cases (DSOP “eOppslag”)
    return Response(answer.body, status_code=answer.status, media_type=answer.media_type, headers=headers)


def _headers(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The request's headers as ``dict(request.headers)`` has them (a repeated name: its first value), names in
    lower case, read straight from the scope: the multidict was built per request for this copy alone."""
    headers: dict[str, str] = {}
    for name, value in request.scope["headers"]:
        headers.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return headers


async def _serve(
    request: Request[Any, Any, Any], endpoint: Endpoint, reference: str | None, dialect: Dialect | None = None
) -> Response[bytes]:
    headers = _headers(request)
    answer = await _pipeline(request).handle(
        endpoint,
        path=request.url.path,
        headers=headers,
        query=dict(request.query_params.items()),
        account_reference=reference,
        dialect=dialect,
        delivery=delivery_of(request.scope),
    )
    return _response(answer, answers.uuid_or_none(headers.get("correlationid")))


@get(f"{ROUTE_PREFIX}/accounts", include_in_schema=False)
async def list_accounts(request: Request[Any, Any, Any]) -> Response[bytes]:
    return await _serve(request, Endpoint.ACCOUNTS, None)


@get(f"{ROUTE_PREFIX}/accounts/{{accountReference:str}}", include_in_schema=False)
async def show_account(request: Request[Any, Any, Any], accountReference: FromPath[str]) -> Response[bytes]:  # noqa: N803
    return await _serve(request, Endpoint.ACCOUNT_DETAILS, accountReference)


@get(f"{ROUTE_PREFIX}/accounts/{{accountReference:str}}/transactions", include_in_schema=False)
async def list_transactions(request: Request[Any, Any, Any], accountReference: FromPath[str]) -> Response[bytes]:  # noqa: N803
    return await _serve(request, Endpoint.TRANSACTIONS, accountReference)


@get(f"{ROUTE_PREFIX}/accounts/{{accountReference:str}}/cards", include_in_schema=False)
async def list_cards(request: Request[Any, Any, Any], accountReference: FromPath[str]) -> Response[bytes]:  # noqa: N803
    return await _serve(request, Endpoint.CARDS, accountReference)


@get(f"{ROUTE_PREFIX}/accounts/{{accountReference:str}}/roles", include_in_schema=False)
async def list_roles(request: Request[Any, Any, Any], accountReference: FromPath[str]) -> Response[bytes]:  # noqa: N803
    return await _serve(request, Endpoint.ROLES, accountReference)


@get(f"{ROUTE_PREFIX}/openapi.json", include_in_schema=False)
async def openapi_document(request: Request[Any, Any, Any]) -> Response[Any]:
    document: dict[str, Any] = request.app.state["openapi"]
    return Response(document, media_type="application/json")


@get("/metrics", include_in_schema=False)
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    return Response(_pipeline(request).metrics.render(), media_type=METRICS_TYPE)


class _OnlyGet(ASGIMiddleware):
    """Litestar answers OPTIONS (and HEAD) itself; the Control API allows GET only (ACC-012)."""

    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        path = str(scope.get("path", ""))
        if scope.get("method") != "GET" and not path.startswith((OPS_PREFIX + "/", "/audit/")):
            raise MethodNotAllowedException()  # the console's forms and the audit API are not the Control API
        await next_app(scope, receive, send)


def _endpoint_of(path: str) -> tuple[Endpoint | None, str | None]:
    match = _PATH.match(path)
    if match is None:
        return None, None
    reference = match.group("ref")
    return (_SUB_ENDPOINTS[match.group("sub")], reference) if reference else (Endpoint.ACCOUNTS, None)


def _append_when_settled(delivery: Delivery | None, audit: AuditLog, record: AuditRecord) -> None:
    async def append(delivered: bool | None) -> None:
        try:
            await audit.append(msgspec.structs.replace(record, delivered=delivered))
        except Exception:
            log.exception("audit record of a refused request could not be written")

    if delivery is not None:
        delivery.settle_with(append)


def _refused(request: Request[Any, Any, Any], error: DsopError) -> Response[bytes]:
    endpoint, reference = _endpoint_of(request.url.path)
    pipeline: Pipeline | None = request.app.state.get(STATE_KEY)
    if pipeline is None:  # not started (no lifespan ran): still answer in the standard's shape
        return _response(Answer(error.status, error_body(error.code, error.message), answers.JSON))
    version = ApiVersion.V1 if request.url.path.startswith(f"{v1.V1_PREFIX}/") else ApiVersion.V2
    answer, record = pipeline.refuse(
        error, endpoint=endpoint, headers=dict(request.headers), account_reference=reference, api_version=version
    )
    _append_when_settled(delivery_of(request.scope), pipeline.audit, record)
    return _response(answer, answers.uuid_or_none(request.headers.get("correlationid")))


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    if exc.status_code == 405:
        error: DsopError = MethodNotAllowed(f"Only GET is supported, not {request.method}")
    elif exc.status_code == 404:
        error = DsopError(f"No such resource: {request.url.path[:200]}", code="ACC-002")
    elif exc.status_code < 500:
        error = DsopError(str(exc.detail)[:200] or "Invalid request", code="ACC-001")
    else:
        error = DsopError("Internal error", code="ACC-500")
    return _refused(request, error)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.error("unhandled %s outside the pipeline", type(exc).__name__, exc_info=exc)
    return _refused(
        request, DsopError("Internal error; quote the CorrelationID when contacting the bank", code="ACC-500")
    )


class _Poller:
    """The optional background Konkursvarsel poller (``KONKURS_POLL``)."""

    def __init__(
        self, settings: ProviderSettings, resources: wiring.Resources, konkurs: Konkursregister | None, clock: Clock
    ) -> None:
        self._settings, self._resources, self._konkurs, self._clock = settings, resources, konkurs, clock
        self._stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.events: asyncio.Task[None] | None = None

    def start(self, store: BankStore) -> None:
        settings = self._settings
        if settings.nats_url and self.events is None:  # notices from JetStream as they are published
            from opendsop.provider.events import follow_konkurs

            self.events = asyncio.create_task(
                follow_konkurs(store, settings.nats_url, settings.bank_orgno, stop=self._stop), name="konkurs-events"
            )
        if not settings.konkurs_poll or self.task is not None:
            return
        register = self._konkurs or wiring.konkurs_register(settings, self._resources)
        if register is None:
            log.warning("KONKURS_POLL is on but no REGISTERS_URL is set: the Konkursvarsel feed is not polled")
            return
        from opendsop.provider.feeds import KonkursFeed

        feed = KonkursFeed(store, register, clock=self._clock, lookback=timedelta(days=settings.konkurs_lookback_days))
        self.task = asyncio.create_task(
            feed.run(interval=settings.konkurs_interval, stop=self._stop), name="konkursvarsel-poller"
        )

    async def stop(self) -> None:
        self._stop.set()
        if self.events is not None:
            self.events.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.events
            self.events = None
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None


def create_app(
    settings: ProviderSettings,
    *,
    clock: Clock | None = None,
    store: BankStore | None = None,
    tokens: TokenVerifier | None = None,
    facts: FactsSource | None = None,
    orders: OrderVerifier | None = None,
    certificates: Certificates | None = None,
    audit: AuditLog | None = None,
    monotonic: Callable[[], float] | None = None,
    konkurs: Konkursregister | None = None,
    ops_staff: StaffDirectory | None = None,
    ops_sections: Sequence[Callable[[OpsConsole], None]] = (),
) -> Litestar:
    """The Control API of the bank ``settings.bank_orgno``; injected parts replace the configured ones.

    With ``KONKURS_POLL`` on, a background task follows the Konkursvarsel feed (``konkurs``, else
    the client on ``REGISTERS_URL``) into the store from startup to shutdown (feeds.py).

    The operations console (``/ops``, :mod:`.ops`) is served for ``ops_staff``; in the test environment
    without one, for the synthetic ``drift`` and ``brev`` users; in production only when given.  Each of
    ``ops_sections`` adds a section to it (``OpsConsole.add_section``: digital letters, guarantees …).
    """
    state = State(
        {
            "openapi": build_document(settings.base_url, bank_name=settings.bank_name),
            v1.OPENAPI_STATE_KEY: v1_openapi.build_document(
                v1.server_url(settings.base_url), bank_name=settings.bank_name
            ),
        }
    )
    paging_key = (
        settings.paging_key.get_secret_value().encode() if settings.paging_key else secrets.token_bytes(32)
    )  # test only (settings refuse production without a key)
    clock = clock or answers.utc_now
    resources = wiring.Resources(settings, clock=clock)
    if certificates is None:
        resources.certpub_trust()  # a missing trust store is a configuration error now, not at the first answer
    options: dict[str, Any] = {
        "environment": settings.rules_environment,
        "tokens": tokens or wiring.token_verifier(settings),
        "facts": facts or wiring.facts_source(settings, resources),
        "paging_key": paging_key,
        "page_size": settings.page_size,
        "orders": orders,
        "v1_served_until": settings.v1_window,
        "configured_mandates": settings.fi_utlegg_mandates,
        "limiter": limiter(
            settings.rate_per_second, settings.rate_burst, workers=settings.workers, redis_url=settings.redis_url
        ),
        "metrics": ProviderMetrics(),
        "record_first": settings.record_first,
        "jwe_alg": settings.jwe_alg,
        "jwe_enc": settings.jwe_enc,
        "clock": clock,
    }
    if monotonic is not None:
        options["monotonic"] = monotonic
    if store is not None and audit is not None and certificates is not None:
        state[STATE_KEY] = Pipeline(
            store=store,
            audit=audit,
            certificates=certificates,
            **{**options, "facts": wiring.with_stored_notices(settings, options["facts"], store)},
        )
    poller = _Poller(settings, resources, konkurs, clock)
    readiness: dict[int, Readiness] = {}  # built once per pipeline, injected or opened at startup

    def current_readiness() -> Readiness | None:
        pipeline: Pipeline | None = app.state.get(STATE_KEY)
        if pipeline is None:
            return None
        if id(pipeline) not in readiness:
            readiness.clear()
            readiness[id(pipeline)] = wiring.readiness(pipeline)
        return readiness[id(pipeline)]

    async def startup(app: Litestar) -> None:
        if STATE_KEY not in app.state:
            app.state[STATE_KEY] = await resources.open(
                options, store=store, audit=audit, certificates=certificates, orders=orders
            )
        poller.start(app.state[STATE_KEY].store)

    async def shutdown() -> None:
        await poller.stop()
        await resources.close()
        close = getattr(options["limiter"], "aclose", None)
        if close is not None:
            await close()

    if ops_staff is None and settings.environment == "test":
        ops_staff = default_staff(settings.bank_orgno)
    console = (
        console_for(
            settings.bank_orgno,
            settings.bank_name or settings.bank_orgno,
            lambda: app.state[STATE_KEY],
            ops_staff,
            clock=clock,
        )
        if ops_staff is not None
        else None
    )
    if console is not None:
        for add_section in ops_sections:
            add_section(console)
    app = Litestar(
        route_handlers=[
            *([console.router()] if console is not None else []),
            list_accounts,
            show_account,
            list_transactions,
            list_cards,
            list_roles,
            openapi_document,
            *v1.route_handlers(_serve),
            metrics,
            *health_routes(current_readiness),
        ],
        middleware=[_OnlyGet()],
        exception_handlers={HTTPException: _http_error, Exception: _unexpected},
        on_startup=[startup],
        on_shutdown=[shutdown],
        openapi_config=None,
        logging_config=None,
        state=state,
    )
    _serve_audit(app, settings, clock)
    app.asgi_handler = DeliveryWatch(app.asgi_handler)  # sees the final body chunk and disconnects
    return observe(
        app,
        "bank",
        bank=settings.bank_orgno,
        openapi_url=f"{ROUTE_PREFIX}/openapi.json",
        title=f"{settings.bank_name} — Control API",
    )


def _serve_audit(app: Litestar, settings: ProviderSettings, clock: Clock) -> None:
    """The bank's audit API: for the persons it is about, the prosecution and auditors (``audit.api``)."""
    for handler in audit_routes(
        lambda: getattr(app.state.get(STATE_KEY), "audit", None), keys_file=settings.audit_keys_file, clock=clock
    ):
        app.register(handler)


__all__ = ["SCOPE", "create_app"]
