"""The message platform's ASGI app (``dsop altinn serve``): correspondence, broker, events, registry.

Routes and scopes (Altinn 3 paths; docs/decisions.md, "Message platform"):

* ``/correspondence/api/v1/correspondence`` (``altinn:correspondence.write`` to send and search as
  sender, ``altinn:correspondence.read`` to read, act on and download as recipient) and
  ``/correspondence/api/v1/attachment``;
* ``/broker/api/v1/filetransfer`` (``altinn:broker.write`` to initialise and upload,
  ``altinn:broker.read`` to list, download and confirm);
* ``/events/api/v1/events`` and ``/events/api/v1/subscriptions`` (``altinn:events``);
* ``/resourceregistry/api/v1/resource``, ``/accessmanagement/api/v1/roles`` and
  ``/authorization/api/v1/decision`` (``altinn:resourceregistry``).

Errors are RFC 9457 problem details with an ``MSG-xxx`` code (contracts/messaging/errors.py), never a
trace; a database that cannot answer is 503 with ``Retry-After``.  In the background the app delivers
webhooks (woken by every commit that writes events) and sweeps scheduled work every
``SWEEP_INTERVAL`` seconds; at start it migrates the database and finishes interrupted uploads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.exceptions import HTTPException

from opendsop.altinn.http import problem
from opendsop.altinn.platform import Platform
from opendsop.altinn.routes_correspondence import ROUTES as CORRESPONDENCE_ROUTES
from opendsop.altinn.routes_other import ROUTES as OTHER_ROUTES
from opendsop.altinn.settings import AltinnSettings
from opendsop.altinn.store import MessageStore
from opendsop.availability import Readiness, cannot_answer, health_routes
from opendsop.contracts.messaging.errors import InvalidRequest, MessagingError, NotFound, TooLarge, Unavailable
from opendsop.contracts.verify import TokenVerifier
from opendsop.serving import correlation_id, observe

log = logging.getLogger("opendsop.altinn")


@dataclass
class AltinnState:
    platform: Platform
    verifier: Any
    audit: Any = None  # the platform's verifiable log of letters sent (audit.sql.SqlAuditLog), when kept


def _audit_log(settings: AltinnSettings, platform: Platform) -> Any:
    """The platform's verifiable log of letters sent, on its own database, when a key is configured."""
    if not settings.audit_key_file:
        return None
    from opendsop.audit.sql import party_log

    return party_log(
        platform.store.engine, origin="altinn", key_file=settings.audit_key_file, witness_url=settings.witness_url
    )


def _audit_routes(settings: AltinnSettings, audit: Any) -> list[Any]:
    """The audit API over that log: innsyn for a person sent a letter, auditors (``audit.api``)."""
    if audit is None:
        return []
    from opendsop.audit.api import audit_routes
    from opendsop.clock import utc_now

    return audit_routes(lambda: audit, keys_file=settings.audit_keys_file, clock=utc_now)


def _messaging_error(request: Request[Any, Any, Any], error: MessagingError) -> Response[bytes]:
    return problem(request, error)


def _http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[bytes]:
    if error.status_code == 413:
        return problem(request, TooLarge("the request body is over the platform's limit"))
    if error.status_code == 404:
        return problem(request, NotFound(str(error.detail)))
    mapped = InvalidRequest(str(error.detail)) if error.status_code < 500 else Unavailable(str(error.detail))
    return problem(request, mapped)


def _internal_error(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    if cannot_answer(error):
        log.warning("the platform's database did not answer (%s)", type(error).__name__)
        return problem(request, Unavailable("the platform cannot answer now; retry after Retry-After seconds"))
    reference = correlation_id(request.headers.get("correlationid"))
    log.error("internal error %s on %s %s: %s", reference, request.method, request.url.path, type(error).__name__)
    return problem(request, MessagingError(f"the platform failed to answer; quote reference {reference}"))


async def _sweeper(platform: Platform, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await platform.sweep()
        except Exception as failure:  # the next pass retries
            log.warning("sweep failed: %s", type(failure).__name__)


def create_app(
    settings: AltinnSettings,
    *,
    platform: Platform | None = None,
    verifier: Any = None,
    background: bool = True,
) -> Litestar:
    """The platform's app; ``platform``/``verifier`` override what ``settings`` would build (tests)."""
    platform = platform or Platform(MessageStore.from_url(settings.database_url), settings)
    verifier = verifier or TokenVerifier(settings.issuer, settings.token_jwks_url, settings.token_audience, ())
    audit = _audit_log(settings, platform)

    @contextlib.asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await platform.start()
        if audit is not None:
            await audit.create_schema()
        tasks = []
        if background:
            tasks = [
                asyncio.create_task(platform.dispatcher.run(), name="altinn-webhooks"),
                asyncio.create_task(_sweeper(platform, settings.sweep_interval), name="altinn-sweep"),
            ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await platform.close()

    readiness = Readiness()
    readiness.add_database(platform.store.engine)
    keys_ready = getattr(verifier, "keys_ready", None)
    if keys_ready is not None:
        readiness.add("keys", keys_ready)

    return observe(
        Litestar(
            route_handlers=[
                *CORRESPONDENCE_ROUTES,
                *OTHER_ROUTES,
                *health_routes(readiness),
                *_audit_routes(settings, audit),
            ],
            exception_handlers={
                MessagingError: _messaging_error,
                HTTPException: _http_error,
                Exception: _internal_error,
            },
            lifespan=[lifespan],
            state=State({"altinn": AltinnState(platform, verifier, audit)}),
            request_max_body_size=max(settings.max_file_bytes, settings.max_attachment_bytes * 4) + 1024 * 1024,
            logging_config=None,
        ),
        "altinn",
        title="Message platform (Altinn 3 shaped: correspondence, broker, events)",
    )


__all__ = ["AltinnState", "create_app"]
