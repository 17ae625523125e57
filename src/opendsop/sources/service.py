"""Assemble a data source app from ``SourcesSettings``: token verifier, audit log, consent-status port, data.

``create_app(source, settings)`` with ``source`` one of ``SOURCES`` ("skatteetaten", "lanekassen",
"nav", "krav").  The data is the synthetic world's of ``PRESET``/``SEED`` (``world_data``); the audit
log is ``SqlAuditLog`` on ``DATABASE_URL`` (schema created at startup) or in memory; the
consent-status port is ``HttpConsentStatus`` on ``CONSENT_SERVICE_URL`` or absent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from litestar import Litestar

from opendsop.audit.api import audit_routes
from opendsop.audit.log import AuditLog, MemoryAuditLog, MerkleLog, SqlAuditLog
from opendsop.availability import Readiness, health_routes
from opendsop.clock import utc_now
from opendsop.contracts.verify import TokenVerifier
from opendsop.serving import observe
from opendsop.sources import krav, lanekassen, nav, skatteetaten
from opendsop.sources.consent_check import ConsentStatus, HttpConsentStatus
from opendsop.sources.data import World, for_population
from opendsop.sources.otp_agreements import Agreements, MemoryAgreements, SqlAgreements
from opendsop.sources.settings import SourcesSettings
from opendsop.synth.aordning import AOrdning

SOURCES = ("skatteetaten", "lanekassen", "nav", "krav")


def _audience(source: str, settings: SourcesSettings) -> str:
    audience: str = getattr(settings, f"audience_{source}")
    return audience


def world_data(settings: SourcesSettings) -> World:
    """What the sources serve for the synthetic world of ``settings.preset`` and ``settings.seed``.

    A world of several shards (``large``) is served from its first shard, as the ecosystem's tour reads it.
    """
    return world_parts(settings)[0]


def world_parts(settings: SourcesSettings) -> tuple[World, AOrdning]:
    """The consent sources' data and the a-ordning (Ajourhold av OTP) of one world."""
    from opendsop.synth.aordning import for_population as aordning_for
    from opendsop.synth.world import generate

    population = next(generate(settings.preset, seed=settings.seed).shards(1))
    return for_population(population), aordning_for(population)


def agreements_of(settings: SourcesSettings) -> tuple[Agreements, SqlAgreements | None]:
    """The avtaleforhold registry of ``settings`` (SQL when ``otp_database_url`` is set) and its SQL side."""
    if not settings.otp_database_url:
        return MemoryAgreements(), None
    from opendsop.serving import create_engine

    sql = SqlAgreements(create_engine(settings.otp_database_url))
    return sql, sql


def create_app(
    source: str,
    settings: SourcesSettings,
    *,
    clock: Callable[[], datetime] | None = None,
    world: World | None = None,
    verifier: TokenVerifier | None = None,
    audit: AuditLog | None = None,
    consent_status: ConsentStatus | None = None,
    aordning: AOrdning | None = None,
    agreements: Agreements | None = None,
) -> Litestar:
    """The ``source`` app configured from ``settings``; keyword arguments override the settings' parts.

    Skatteetaten and NAV also serve Ajourhold av OTP over ``aordning`` (the world's, unless ``world`` is
    given without it) with ``agreements`` as the avtaleforhold registry (from the settings when not given).
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; one of {', '.join(SOURCES)}")
    if world is None:
        world, aordning = world_parts(settings) if aordning is None else (world_data(settings), aordning)
    registry: SqlAgreements | None = None
    if aordning is not None and agreements is None and source in ("skatteetaten", "nav"):
        agreements, registry = agreements_of(settings)
    verifier = verifier or TokenVerifier(settings.issuer, settings.resolved_jwks_url, _audience(source, settings), ())
    sql: SqlAuditLog | None = None
    if audit is None:
        if settings.database_url:
            from opendsop.audit.sql import party_log
            from opendsop.serving import create_engine

            audit = sql = party_log(
                create_engine(settings.database_url),
                origin=f"source-{source}",
                key_file=settings.audit_key_file,
                witness_url=settings.witness_url,
            )
        else:
            audit = MemoryAuditLog()
    if consent_status is None and settings.consent_service_url:
        token = settings.consent_service_token
        consent_status = HttpConsentStatus(
            settings.consent_service_url, bearer=token.get_secret_value() if token else None
        )
    options: dict[str, Any] = {"verifier": verifier, "audit": audit, "clock": clock, "consent_status": consent_status}
    if source == "skatteetaten":
        app = skatteetaten.create_app(world, aordning=aordning, agreements=agreements, **options)
    elif source == "lanekassen":
        events = settings.consent_events_token
        app = lanekassen.create_app(
            world,
            api_key=settings.lanekassen_api_key.get_secret_value(),
            cache_ttl=timedelta(seconds=settings.lanekassen_cache_seconds),
            events_token=events.get_secret_value() if events else None,
            **options,
        )
    elif source == "nav":
        app = nav.create_app(world, aordning=aordning, agreements=agreements, **options)
    else:
        app = krav.create_app(world, **options)
    if sql is not None:
        app.on_startup.append(sql.create_schema)
        app.on_shutdown.append(sql.engine.dispose)
    if registry is not None:
        app.on_startup.append(registry.create_schema)
        app.on_shutdown.append(registry.engine.dispose)
    readiness = Readiness()
    readiness.add_database(sql.engine if sql is not None else getattr(audit, "engine", None))
    keys_ready = getattr(verifier, "keys_ready", None)
    if keys_ready is not None:
        readiness.add("keys", keys_ready)
    for handler in health_routes(readiness):  # /health, /health/live, /health/ready (opendsop.availability)
        app.register(handler)
    _serve_audit(app, audit, settings, clock or utc_now)
    return observe(app, source, title=f"{source} (consent source / samtykkekilde)")


def _serve_audit(app: Litestar, audit: AuditLog, settings: SourcesSettings, clock: Callable[[], datetime]) -> None:
    """The audit API for the persons the log is about, the prosecution and auditors (``audit.api``)."""
    if isinstance(audit, MerkleLog):
        for handler in audit_routes(lambda: audit, keys_file=settings.audit_keys_file, clock=clock):
            app.register(handler)


__all__ = ["SOURCES", "agreements_of", "create_app", "world_data", "world_parts"]
