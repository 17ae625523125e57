# SPDX-License-Identifier: Apache-2.0
"""One ASGI app for the three national registers as local stand-ins (``dsop registers serve``).

One process, one database, three path prefixes — the registers are separate services in Norway,
but a bank talks to each through its own client and base URL, so they can be split later without
touching a consumer.

Folkeregisteret (scope ``folkeregister:read``)
    ``GET /folkeregisteret/api/v1/personer/{fnr}`` — the person (address withheld when shielded);
    ``GET /folkeregisteret/api/v1/personer/{fnr}/vergemaal`` — guardianships where fnr is the ward;
    ``GET /folkeregisteret/api/v1/hendelser?etter=<seq>&antall=<n>`` — deaths and guardianship
    changes after sequence ``etter``; resume with the page's ``neste``.
Konkursregisteret, Konkursvarsel (scope ``konkursvarsel:read``; DSOP Konkurs “Løsningsbeskrivelse”)
    ``GET /konkursvarsel/api/konkursvarsler/oppdatert/{registreringstidspunkt}?antall=<n>`` — notices
    registered after the timestamp, oldest first, each with its ``lenke``; ``flere`` says a next
    page exists (call again with the last notice's ``registreringstidspunkt``);
    ``GET /konkursvarsel/api/konkursvarsler`` — the feed from its start; ``?debitor=`` every notice
    about one debtor;
    ``GET /konkursvarsel/api/konkursvarsler/{uuid}`` — the full dataset of one notice.
Enhetsregisteret (scope ``enhetsregister:read``)
    ``GET /enhetsregisteret/api/enheter/{orgnr}`` and ``…/{orgnr}/roller`` (roles + signatur/prokura
    rules); ``POST /enhetsregisteret/api/signaturrett`` with ``{"organisasjonsnummer", "person",
    "sammenMed": [...]}`` — "maskinell kontroll av signaturrett og prokura", answered
    ``{allowed, rule: {rettighet, kind, text}, requires: [{count, role, persons}], reason}``;
    ``GET /enhetsregisteret/api/oppdateringer/enheter?etter=<id>`` — the change feed.

Errors are JSON ``{"error", "message", "parameter"}`` (errors.py): 400 ``invalid_identifier``,
``invalid_cursor``, ``invalid_request``; 401 ``unauthorized``; 403 ``insufficient_scope``;
404 ``not_found``; 409 ``conflict``; 503 ``unavailable`` (keys, or the database cannot answer: with
``Retry-After``); 500 ``internal_error`` — never a trace.  ``/health`` and ``/health/live`` say the
process serves, ``/health/ready`` that the database answers and the token issuer's keys are loaded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.exceptions import HTTPException

from opendsop.availability import RETRY_AFTER, Readiness, cannot_answer, health_routes
from opendsop.contracts.registers.errors import RegisterError
from opendsop.contracts.verify import TokenVerifier
from opendsop.registers.api import ROUTES, Registers
from opendsop.registers.enhetsregister import EnhetsregisterStore
from opendsop.registers.folkeregister import FolkeregisterStore
from opendsop.registers.foretak import ForetakStore
from opendsop.registers.grunnbok import GrunnbokStore
from opendsop.registers.grunnbok_pages import grunnbok_pages
from opendsop.registers.kartverket_api import KARTVERKET_ROUTES
from opendsop.registers.konkursregister import KonkursStore
from opendsop.registers.loyve_api import LOYVE_ROUTES
from opendsop.registers.loyveregister import LoyveStore
from opendsop.registers.settings import RegistersSettings
from opendsop.registers.store import RegisterDatabase, utcnow
from opendsop.serving import correlation_id, create_engine, observe
from opendsop.trust.chain import TrustStore

log = logging.getLogger("opendsop.registers")


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def _register_error(_: Request[Any, Any, Any], exc: RegisterError) -> Response[Any]:
    headers = {"WWW-Authenticate": 'Bearer realm="registers"'} if exc.status == 401 else None
    if exc.status == 403:
        headers = {"WWW-Authenticate": 'Bearer realm="registers", error="insufficient_scope"'}
    return _json(exc.status, exc.body(), headers)


def _http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    error = (
        "invalid_request"
        if exc.status_code == 400
        else "not_found"
        if exc.status_code == 404
        else f"http_{exc.status_code}"
    )
    return _json(
        exc.status_code, {"error": error, "message": str(exc.detail), "parameter": None}, dict(exc.headers or {})
    )


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    reference = correlation_id(request.headers.get("correlationid"))
    if cannot_answer(exc):
        log.warning("the register's database did not answer (%s) %s", type(exc).__name__, reference)
        return _json(
            503,
            {
                "error": "unavailable",
                "parameter": None,
                "message": "the register cannot answer now; retry after Retry-After seconds",
            },
            RETRY_AFTER,
        )
    log.error("internal error %s on %s: %s", reference, request.method, type(exc).__name__)
    return _json(
        500,
        {
            "error": "internal_error",
            "parameter": None,
            "message": f"the register failed to answer; quote reference {reference}",
        },
    )


class Stores:
    """The database and the three register stores on it (also used by the CLI's ``load``)."""

    def __init__(
        self,
        database_url: str,
        *,
        synthetic_allowed: bool = True,
        clock: Callable[[], datetime] | None = None,
        signing_trust: TrustStore | None = None,
    ) -> None:
        self.db = RegisterDatabase(create_engine(database_url), clock=clock)
        self.folkeregister = FolkeregisterStore(self.db, synthetic_allowed=synthetic_allowed)
        self.konkurs = KonkursStore(self.db, synthetic_allowed=synthetic_allowed)
        self.enhetsregister = EnhetsregisterStore(self.db, synthetic_allowed=synthetic_allowed)
        self.loyve = LoyveStore(self.db, synthetic_allowed=synthetic_allowed)  # SVV løyveregister, Finanstilsynet
        self.grunnbok = GrunnbokStore(self.db, trust=signing_trust)  # Kartverket: grunnbok, e-tinglysing, AKELDO
        self.foretak = ForetakStore(self.db, trust=signing_trust)  # Foretaksregisteret's founding intake


def create_app(
    settings: RegistersSettings,
    *,
    clock: Callable[[], datetime] | None = None,
    verifier: TokenVerifier | None = None,
    stores: Stores | None = None,
) -> Litestar:
    """The registers app; ``verifier``/``stores`` override what ``settings`` would build."""
    stores = stores or Stores(
        settings.database_url,
        synthetic_allowed=settings.synthetic_allowed,
        clock=clock,
        signing_trust=settings.signing_trust(),
    )
    verifier = verifier or TokenVerifier(settings.issuer, settings.token_jwks_url, settings.token_audience, ())
    registers = Registers(
        folkeregister=stores.folkeregister,
        konkurs=stores.konkurs,
        enhetsregister=stores.enhetsregister,
        verifier=verifier,
        public_url=settings.public_url,
        synthetic_allowed=settings.synthetic_allowed,
        max_page=settings.max_page,
        clock=clock or utcnow,
        audit=_audit_log(settings, stores),
    )

    state: dict[str, Any] = {
        "registers": registers,
        "loyve": stores.loyve,
        "grunnbok": stores.grunnbok,
        "foretak": stores.foretak,
    }
    closing: list[Callable[[], Any]] = [stores.db.close]
    if settings.altinn_url and settings.svv_client_id and settings.svv_key_file:
        from opendsop.registers.loyve_post import post_office

        state["loyve_post"], close_post = post_office(settings, stores, clock)
        closing.insert(0, close_post)
    if settings.altinn_url and settings.brreg_client_id and settings.brreg_key_file:
        from opendsop.registers.foretak_post import intake

        state["foretak_post"], close_intake = intake(settings, stores, clock)
        closing.insert(0, close_intake)
    polling: list[asyncio.Task[None]] = []

    async def stop_polling() -> None:
        for task in polling:
            task.cancel()
        await asyncio.gather(*polling, return_exceptions=True)

    closing.insert(0, stop_polling)

    async def startup() -> None:
        await stores.db.create_schema()
        if registers.audit is not None:
            await registers.audit.create_schema()
        if "loyve_post" in state and settings.loyve_poll_interval > 0:  # cases filed over the platform
            from opendsop.registers.loyve_post import poll

            polling.append(asyncio.create_task(poll(state["loyve_post"], settings.loyve_poll_interval)))
        if "foretak_post" in state and settings.foretak_poll_interval > 0:  # share-capital confirmations
            from opendsop.registers import foretak_post

            polling.append(
                asyncio.create_task(foretak_post.poll(state["foretak_post"], settings.foretak_poll_interval))
            )
        if settings.nats_url:  # the feeds on JetStream too (contracts.events)
            from opendsop.registers.relay import relay_forever

            relayed = relay_forever(stores, settings.nats_url, interval=settings.relay_interval, stop=asyncio.Event())
            polling.append(asyncio.create_task(relayed, name="jetstream-relay"))
        if settings.load_test_notices and not (await stores.konkurs.notices_after(None, 1))[0]:
            count = await stores.konkurs.load_test_notices()
            log.info("loaded %d Konkursvarsel test notices", count)

    readiness = Readiness()
    readiness.add_database(stores.db.engine)
    keys_ready = getattr(verifier, "keys_ready", None)
    if keys_ready is not None:
        readiness.add("keys", keys_ready)

    return observe(
        Litestar(
            route_handlers=[
                *ROUTES,
                *LOYVE_ROUTES,
                *KARTVERKET_ROUTES,
                grunnbok_pages(),
                *health_routes(readiness),
                *_audit_routes(settings, registers, clock or utcnow),
            ],
            exception_handlers={
                RegisterError: _register_error,
                HTTPException: _http_error,
                Exception: _internal_error,
            },
            on_startup=[startup],
            on_shutdown=closing,
            state=State(state),
            logging_config=None,
        ),
        "registers",
        title="Registers (Folkeregisteret, Konkursregisteret)",
    )


def _audit_log(settings: RegistersSettings, stores: Stores) -> Any:
    """The registers' verifiable log of person lookups, on their own database, when a key is configured."""
    if not settings.audit_key_file:
        return None
    from opendsop.audit.sql import party_log

    return party_log(
        stores.db.engine, origin="registers", key_file=settings.audit_key_file, witness_url=settings.witness_url
    )


def _audit_routes(settings: RegistersSettings, registers: Registers, clock: Callable[[], datetime]) -> list[Any]:
    """The audit API over that log: innsyn for the persons looked up, auditors (``audit.api``)."""
    if registers.audit is None:
        return []
    from opendsop.audit.api import audit_routes

    log = registers.audit
    return audit_routes(lambda: log, keys_file=settings.audit_keys_file, clock=clock)


__all__ = ["Stores", "create_app"]
