"""ASGI app of the authority: a local stand-in for Maskinporten (DSOP SBL “Integrasjon mot Maskinporten”, DSOP “Security
design”).

Routes:

* ``POST /token`` — the RFC 7523 JWT-bearer grant (rules in ``authority.grants``); answers
  ``{access_token, token_type, expires_in, scope}`` or an RFC 6749 §5.2 error body
  ``{error, error_description}`` (400, or 401 for ``invalid_client``), never a stack trace;
* ``GET /.well-known/oauth-authorization-server`` — RFC 8414 metadata, shaped like Maskinporten's;
* ``GET /jwks`` — the public signing keys (current and not-yet-expired retired keys);
* ``GET /health``, ``/health/live``, ``/health/ready`` — liveness, and readiness (the database
  answers, a signing key is loaded; ``opendsop.availability``).

A database that cannot answer is 503 ``temporarily_unavailable`` with ``Retry-After``, never 500.

``create_app`` creates the schema and, on first start, the first signing key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from litestar import Litestar, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin

from opendsop.authority.consent import ConsentLookup, HttpConsentLookup
from opendsop.authority.errors import OAuthError, TemporarilyUnavailable
from opendsop.authority.grants import GRANT_ALGORITHMS, JWT_BEARER, GrantRules, parse_token_form
from opendsop.authority.service import TokenService
from opendsop.authority.settings import AuthoritySettings
from opendsop.authority.signing import TOKEN_ALGORITHM, SigningKeys
from opendsop.authority.store import AuthorityStore
from opendsop.availability import RETRY_AFTER, Readiness, cannot_answer, health_routes
from opendsop.clock import utc_now
from opendsop.serving import create_engine, observe
from opendsop.trust.pki import TrustStore

log = logging.getLogger("opendsop.authority")

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1


def load_pki_roots(settings: AuthoritySettings) -> list[x509.Certificate]:
    """The root certificates of every PEM bundle named in ``settings.pki_roots``."""
    return _load_pem_bundles(settings.pki_roots)


def load_pki_intermediates(settings: AuthoritySettings) -> list[x509.Certificate]:
    """The known issuing CAs of every PEM bundle named in ``settings.pki_intermediates``."""
    return _load_pem_bundles(settings.pki_intermediates)


def _load_pem_bundles(paths: Sequence[Path]) -> list[x509.Certificate]:
    certificates: list[x509.Certificate] = []
    for path in paths:
        certificates.extend(x509.load_pem_x509_certificates(path.read_bytes()))
    return certificates


def metadata_document(settings: AuthoritySettings) -> dict[str, Any]:
    return {
        "issuer": settings.issuer,
        "token_endpoint": settings.token_endpoint,
        "jwks_uri": settings.jwks_uri,
        "grant_types_supported": [JWT_BEARER],
        "authorization_details_types_supported": ["urn:altinn:consent"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": list(GRANT_ALGORITHMS),
        "access_token_signing_alg_values_supported": [TOKEN_ALGORITHM],
    }


def create_app(
    settings: AuthoritySettings,
    *,
    clock: Callable[[], datetime] | None = None,
    trust_roots: Sequence[x509.Certificate] | None = None,
    trust_intermediates: Sequence[x509.Certificate] | None = None,
    consent_lookup: ConsentLookup | None = None,
) -> Litestar:
    """The authority app.  ``clock`` pins time in tests; ``trust_roots`` and ``trust_intermediates``
    replace ``settings.pki_roots`` and ``settings.pki_intermediates``; ``consent_lookup`` replaces
    the HTTP client to ``settings.consent_url``."""
    if consent_lookup is None and settings.consent_url:
        consent_lookup = HttpConsentLookup(settings.consent_url, settings.consent_admin_token)
    now = clock or utc_now
    roots = list(trust_roots) if trust_roots is not None else load_pki_roots(settings)
    intermediates = list(trust_intermediates) if trust_intermediates is not None else load_pki_intermediates(settings)
    store = AuthorityStore(create_engine(settings.database_url))
    lifetime = timedelta(seconds=settings.token_lifetime_seconds)
    skew = timedelta(seconds=settings.clock_skew_seconds)
    keys = SigningKeys(store, token_lifetime=lifetime, clock_skew=skew)
    spent = None
    if settings.redis_url:  # several workers or machines: the used-jti set in Redis
        from opendsop.contracts.state import RedisOnce, redis_client

        spent = RedisOnce(redis_client(settings.redis_url), prefix="dsop:authority:jti:")
    service = TokenService(
        store,
        keys,
        rules=GrantRules(
            issuer=settings.issuer,
            max_lifetime=timedelta(seconds=settings.max_grant_lifetime_seconds),
            clock_skew=skew,
        ),
        token_lifetime=lifetime,
        trust_store=TrustStore(tuple(roots), tuple(intermediates)) if roots else None,
        delegation_source=settings.delegation_source or settings.issuer,
        clock=now,
        consent_lookup=consent_lookup,
        spent=spent,
    )
    metadata = metadata_document(settings)

    @post("/token", status_code=200)
    async def token(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        assertion = parse_token_form(await request.body(), request.headers.get("content-type"))
        return Response(await service.issue(assertion), headers=_NO_STORE)

    @get("/.well-known/oauth-authorization-server")
    async def server_metadata() -> dict[str, Any]:
        return metadata

    @get("/jwks")
    async def jwks() -> Response[dict[str, Any]]:
        return Response(await keys.published(now=now()), headers={"Cache-Control": "public, max-age=60"})

    readiness = Readiness()
    readiness.add_database(store.engine)

    async def signing_key_loaded() -> bool:
        return bool((await keys.published(now=now())).get("keys"))

    readiness.add("keys", signing_key_loaded)

    async def startup() -> None:
        await store.create_schema()
        await keys.ensure_active(now=now())

    async def shutdown() -> None:
        await store.close()
        if spent is not None:
            await spent.aclose()

    app = Litestar(
        route_handlers=[token, server_metadata, jwks, *health_routes(readiness)],
        on_startup=[startup],
        on_shutdown=[shutdown],
        exception_handlers={
            OAuthError: _oauth_error,
            HTTPException: _http_error,
            500: _internal_error,
        },
        request_max_body_size=64 * 1024,
        # Its own OpenAPI document (JSON only, no UI pulling scripts from a CDN), as every party has.
        openapi_config=OpenAPIConfig(
            title="opendsop token service", version="1", path="/schema", render_plugins=[JsonRenderPlugin()]
        ),
        logging_config=None,  # the process (CLI `serve`, the ecosystem runner) configures logging
    )
    app.state.store = store
    app.state.signing_keys = keys
    app.state.consent_lookup = consent_lookup
    return observe(app, "authority", title="Token service / tokentjeneste")


def _oauth_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, str]]:
    assert isinstance(exc, OAuthError)
    # The description names clients, organisations and scopes: organisation data, never personal data.
    log.info("token request refused: %s: %s", exc.error, exc.description)
    headers = {**_NO_STORE, **RETRY_AFTER} if isinstance(exc, TemporarilyUnavailable) else _NO_STORE
    return Response(exc.body(), status_code=exc.status, headers=headers)


def _http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, str]]:
    assert isinstance(exc, HTTPException)
    error = "invalid_request" if exc.status_code < 500 else "server_error"
    return Response({"error": error, "error_description": str(exc.detail)}, status_code=exc.status_code)


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, str]]:
    if cannot_answer(exc):
        log.warning("the token service's database did not answer (%s)", type(exc).__name__)
        return _oauth_error(
            request,
            TemporarilyUnavailable(
                "the token service cannot answer now; retry after the number of seconds in Retry-After"
            ),
        )
    log.error("internal error", exc_info=exc)
    return Response(
        {"error": "server_error", "error_description": "the authority could not handle the request"},
        status_code=500,
    )
