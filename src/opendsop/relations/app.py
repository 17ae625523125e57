"""The Customer Relations Overview run by Bits (``opendsop.relations``): app factory and shared plumbing.

Routes (KAR.yaml v1.1.2 paths, v2 fields of DSOP “Endpoint customerRelationships V.2.0”; DSOP “Endpoint
accountServicingProvider V.2.0”):

* ``GET /customers/customerRelationships`` and ``GET /customers/accountServicingProvider``
  (routes_lookup.py): step 1 of every case, merging KAR and KFR;
* the KFR write API under ``/customers/financialInstitutions/{fid}/…`` (routes_kfr.py);
* ``GET|PUT /catalogue/kontrollinformasjon`` and ``POST /internal/kar/relations``
  (routes_admin.py): the API catalogue and the stand-in's KAR feed;
* ``GET /health``, ``/health/live`` (liveness) and ``/health/ready`` (the database answers, the token
  issuer's keys are loaded).

A data source that does not answer is 504 ERR-504 on the lookups (KAR.yaml) and the hub's own database
503 elsewhere, both with ``Retry-After``.

Tokens are verified with ``opendsop.contracts.verify.TokenVerifier`` behind the hub's own token rules
(tokens.py: a bare token without ``Bearer``; ``aud``, when present, is this hub's base URL) and a
cache that never outlives a token's ``exp``; each route checks its own
scope so that it can answer with its own error catalogue.  With both SQL stand-ins on one
PostgreSQL database, customerRelationships reads KAR and KFR in one round trip (combined.py).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.exceptions import HTTPException

from opendsop.availability import RETRY_AFTER, Readiness, cannot_answer, health_routes
from opendsop.clock import Clock, oslo_today
from opendsop.clock import utc_now as _utcnow
from opendsop.contracts.verify import InsufficientScope, JwksUnavailable, Principal, TokenVerifier
from opendsop.relations.catalogue import CatalogueStore
from opendsop.relations.combined import CombinedSqlRelations
from opendsop.relations.errors import HubError
from opendsop.relations.kar import KarSource
from opendsop.relations.kfr import KfrStore
from opendsop.relations.settings import RelationsSettings
from opendsop.relations.sources import AccountRegister, RelationSource
from opendsop.relations.store import Database
from opendsop.relations.tokens import HubVerifier
from opendsop.relations.worker import BatchWorker
from opendsop.serving import correlation_id, observe
from opendsop.standard.request import Environment
from opendsop.trust.errors import InvalidToken

log = logging.getLogger("opendsop.relations")


@dataclass(slots=True)
class Hub:
    """What the handlers need, kept in ``app.state.relations``."""

    db: Database
    kar: RelationSource
    accounts: AccountRegister
    kfr_source: RelationSource
    kfr: KfrStore
    catalogue: CatalogueStore
    worker: BatchWorker
    verifier: Any  # TokenVerifier or a stand-in with ``verify_authorization``
    clock: Clock
    environment: Environment
    source_timeout: float
    admin_token: str | None
    combined: CombinedSqlRelations | None = None  # both SQL stand-ins on one PostgreSQL: one round trip
    configured_mandates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # FI_UTLEGG_MANDATES

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return oslo_today(self.clock)  # "today" in the standard is the Norwegian calendar day


def hub(request: Request[Any, Any, Any]) -> Hub:
    service: Hub = request.app.state.relations
    return service


async def authenticate(
    request: Request[Any, Any, Any], scope: str | tuple[str, ...], *, unauthenticated: HubError, forbidden: HubError
) -> Principal:
    """The caller of a valid token holding ``scope`` (or one of them); raises the route's own 401/403 otherwise."""
    try:
        principal: Principal = await hub(request).verifier.verify_authorization(request.headers.get("authorization"))
    except InsufficientScope as error:
        raise _with_detail(forbidden, str(error)) from None
    except InvalidToken as error:
        raise _with_detail(unauthenticated, str(error)) from None
    except JwksUnavailable:
        log.error("token issuer keys unavailable")
        raise HubError(
            503,
            unauthenticated.code,
            "the token issuer's keys cannot be fetched; try again later",
            unauthorized_401=unauthenticated.unauthorized_401,
            headers=unauthenticated.headers,
        ) from None
    wanted = (scope,) if isinstance(scope, str) else scope
    if not principal.scopes & set(wanted):
        raise _with_detail(forbidden, f"the token lacks the scope {' or '.join(wanted)}")
    return principal


def _with_detail(template: HubError, detail: str) -> HubError:
    return HubError(
        template.status, template.code, detail, headers=template.headers, unauthorized_401=template.unauthorized_401
    )


def require_admin(request: Request[Any, Any, Any]) -> None:
    expected = hub(request).admin_token
    if expected is None:
        raise HubError(403, "ERR-001", "administration is disabled: no DSOP_RELATIONS_ADMIN_TOKEN is configured")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise HubError(401, "ERR-001", "Authorization: Bearer <admin token> is missing or wrong")


def _is_kfr_write(request: Request[Any, Any, Any]) -> bool:
    return "/financialInstitutions/" in request.url.path and request.method != "GET"


def _hub_error(request: Request[Any, Any, Any], error: HubError) -> Response[Any]:
    return error.render(hub(request).now())


def _http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    status, headers = error.status_code, {}
    if _is_kfr_write(request):
        status, code = (400, "KFR-004") if status in (400, 413) else (status, "KFR-004" if status < 500 else "KFR-007")
        detail = "the upload exceeds 10 MB" if error.status_code == 413 else str(error.detail)
        headers["CorrelationID"] = request.headers.get("CorrelationID") or correlation_id(None)
    else:
        code, detail = f"ERR-{status}", str(error.detail)
    return HubError(status, code, detail, headers=headers).render(hub(request).now())


def _internal_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    code = "KFR-007" if _is_kfr_write(request) else "ERR-500"
    if cannot_answer(error):  # the hub's database: retry later, not a bug
        log.warning(
            "the hub's database did not answer on %s %s (%s)", request.method, request.url.path, type(error).__name__
        )
        return HubError(
            503, code, "The hub cannot answer now; retry after Retry-After seconds", headers=RETRY_AFTER
        ).render(hub(request).now())
    log.exception("internal error on %s %s", request.method, request.url.path, exc_info=error)
    return HubError(500, code, "Internal error").render(hub(request).now())


def create_app(
    settings: RelationsSettings,
    *,
    clock: Clock | None = None,
    verifier: Any = None,
    db: Database | None = None,
    kar: RelationSource | None = None,
    accounts: AccountRegister | None = None,
    kfr_source: RelationSource | None = None,
    resume_batches: bool = True,
) -> Litestar:
    """The hub.  ``verifier``/``db``/sources override what ``settings`` would build (tests, benchmarks)."""
    from opendsop.relations.routes_admin import ROUTES as ADMIN_ROUTES
    from opendsop.relations.routes_kfr import ROUTES as KFR_ROUTES
    from opendsop.relations.routes_lookup import ROUTES as LOOKUP_ROUTES

    database = db or Database.from_url(settings.database_url)
    kar_source = KarSource(database)
    kfr_store = KfrStore(database)
    clock = clock or _utcnow
    token_verifier = verifier or TokenVerifier(settings.issuer, settings.jwks_url, None, ())
    service = Hub(
        db=database,
        kar=kar or kar_source,
        accounts=accounts or kar_source,
        kfr_source=kfr_source or kfr_store,
        kfr=kfr_store,
        catalogue=CatalogueStore(database),
        worker=BatchWorker(kfr_store, clock),
        # aud is the hub's own rule (tokens.py): the verifier checks everything else
        verifier=HubVerifier(token_verifier, audience=settings.audience),
        clock=clock,
        environment=settings.environment,
        source_timeout=settings.source_timeout,
        admin_token=settings.admin_token.get_secret_value() if settings.admin_token else None,
        combined=CombinedSqlRelations(database)
        if database.is_postgres and kar is None and kfr_source is None
        else None,
        configured_mandates=settings.fi_utlegg_mandates,
    )

    readiness = Readiness()
    readiness.add_database(database.engine)
    keys_ready = getattr(token_verifier, "keys_ready", None)
    if keys_ready is not None:
        readiness.add("keys", keys_ready)

    async def startup() -> None:
        await database.create_schema()
        if resume_batches:
            await service.worker.resume()

    async def shutdown() -> None:
        await service.worker.close()
        await database.close()

    return observe(
        Litestar(
            route_handlers=[*LOOKUP_ROUTES, *KFR_ROUTES, *ADMIN_ROUTES, *health_routes(readiness)],
            exception_handlers={HubError: _hub_error, HTTPException: _http_error, Exception: _internal_error},
            on_startup=[startup],
            on_shutdown=[shutdown],
            state=State({"relations": service}),
            logging_config=None,
        ),
        "relations",
        title="Relations hub / Kontoopplysninger-hub",
    )


__all__ = ["Hub", "authenticate", "create_app", "hub", "require_admin"]
