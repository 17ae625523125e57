"""The prosecution stand-in (påtalemyndigheten): signs extradition orders and publishes its keys.

``POST /extradition-orders``
    JSON body: the order's fields except those the service fills (orders.py): ``partyID``,
    ``mandate`` (the §210 (3) text, or ``straffesak``/``savnet``), ``fromDate``, ``toDate``,
    ``onlyPrimaryOwner``, ``accountDetails``, ``transactions``, ``cards``, ``roles``,
    ``district {districtID, districtLabel}``, ``approval {approvedByID, approvedByName,
    approvedByRole}``, ``caseID``; optional ``extraditionOrderID``, ``reason``, ``accountList``
    and ``validityDays`` (1‥90, default from settings).  Answers 201 with the compact JWS as
    ``application/jwt``, or with ``Accept: application/json``
    ``{"extraditionOrder": <JWS>, "claims": {...}}``.  ``Authorization: Bearer <API token>`` when
    one is configured (always in production).
``GET /.well-known/finans-jwks.json``
    the JWKS as politiet.no publishes it (kid, use, alg, x5c leaf → intermediates, root excluded).
``POST /fraud-reports``, ``GET /.well-known/report-confirmation-jwks.json``
    the police intake stand-in: a fraud report in, ``{"caseNumber", "confirmation"}`` out (confirmations.py);
    refusals are ``{"error": "FRD-xxx", "message"}`` with the code's status.

Errors are JSON ``{"error", "message", "parameter"}``: 400 ``invalid_request`` (malformed or
missing fields), 422 ``invalid_order`` (the finished order would fail a bank's content check),
401 ``unauthorized``.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from litestar import Litestar, Request, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import HTTPException

from opendsop.availability import Readiness, health_routes
from opendsop.clock import Clock
from opendsop.clock import utc_now as _utcnow
from opendsop.contracts.report_confirmation import JWKS_PATH as CONFIRMATION_JWKS_PATH
from opendsop.prosecution import confirmations
from opendsop.prosecution.keystore import SigningKey, check_subject, load_or_create
from opendsop.prosecution.orders import (
    JWKS_PATH,
    issue_extradition_order,
    jwks_document,
    new_order,
    order_claims,
)
from opendsop.prosecution.settings import ProsecutionSettings
from opendsop.serving import observe
from opendsop.standard import fraud
from opendsop.standard.errors import DsopError, InvalidExtraditionOrder, InvalidRequest
from opendsop.standard.json_body import load_json

MAX_BODY_BYTES = 64 * 1024
JWT_TYPE = "application/jwt"
JSON_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class _Service:
    key: SigningKey
    clock: Clock
    validity: timedelta
    api_token: str | None
    new_id: Callable[[], uuid.UUID]
    jwks: dict[str, Any]
    synthetic_allowed: bool  # Tenor's synthetic party numbers, in the test environment only
    confirmation_key: SigningKey | None = None  # none installed (production): the intake refuses
    legal_basis: dict[str, str | None] | None = None


class _Unauthorized(Exception):
    pass


def _service(request: Request[Any, Any, Any]) -> _Service:
    service: _Service = request.app.state.prosecution
    return service


def _validity(value: object, default: timedelta) -> timedelta:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 90:
        raise InvalidRequest("validityDays must be a whole number of days from 1 to 90", parameter="validityDays")
    return timedelta(days=value)


def _authorized(request: Request[Any, Any, Any]) -> _Service:
    service = _service(request)
    if service.api_token is not None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), service.api_token.encode()):
            raise _Unauthorized
    return service


@post("/extradition-orders", request_max_body_size=MAX_BODY_BYTES, status_code=201)
async def create_order(request: Request[Any, Any, Any]) -> Response[Any]:
    service = _authorized(request)
    try:
        fields = load_json(await request.body(), max_bytes=MAX_BODY_BYTES)
    except InvalidRequest as exc:
        raise InvalidRequest(
            f"the body must be a JSON object of order fields: {exc.message}", parameter="body"
        ) from None
    if not isinstance(fields, dict):
        raise InvalidRequest("the body must be a JSON object of order fields", parameter="body")
    validity = _validity(fields.pop("validityDays", None), service.validity)
    order = new_order(
        fields,
        now=service.clock(),
        validity=validity,
        new_id=service.new_id,
        synthetic_allowed=service.synthetic_allowed,
    )
    jws = issue_extradition_order(order, service.key.credential, kid=service.key.kid)
    if request.accept.best_match([JWT_TYPE, JSON_TYPE], default=JWT_TYPE) == JSON_TYPE:
        return Response({"extraditionOrder": jws, "claims": order_claims(order)}, status_code=201, media_type=JSON_TYPE)
    return Response(jws, status_code=201, media_type=JWT_TYPE)


@get(JWKS_PATH)
async def finans_jwks(request: Request[Any, Any, Any]) -> Response[Any]:
    return Response(_service(request).jwks, media_type=JSON_TYPE, headers={"Cache-Control": "public, max-age=3600"})


@post("/fraud-reports", request_max_body_size=MAX_BODY_BYTES, status_code=201)
async def fraud_report(request: Request[Any, Any, Any]) -> Response[Any]:
    service = _authorized(request)  # the intake takes reports from the banks it knows
    if service.confirmation_key is None:
        raise fraud.FraudError("FRD-010", "no report-confirmation key is installed at this intake")
    report = load_json(await request.body(), max_bytes=MAX_BODY_BYTES)
    answer = confirmations.intake(
        report,
        service.confirmation_key,
        now=service.clock(),
        legal_basis=service.legal_basis or {},
        synthetic_allowed=service.synthetic_allowed,
    )
    return Response(answer, status_code=201, media_type=JSON_TYPE)


@get(CONFIRMATION_JWKS_PATH)
async def confirmation_jwks(request: Request[Any, Any, Any]) -> Response[Any]:
    key = _service(request).confirmation_key
    document = jwks_document([(key.kid, key.credential)] if key else [])
    return Response(document, media_type=JSON_TYPE, headers={"Cache-Control": "public, max-age=3600"})


def _fraud_error(_: Request[Any, Any, Any], exc: fraud.FraudError) -> Response[Any]:
    return _error(exc.status, exc.code, exc.message)


def _error(
    status: int, error: str, message: str, parameter: str | None = None, headers: dict[str, str] | None = None
) -> Response[Any]:
    body = {"error": error, "message": message, "parameter": parameter}
    return Response(body, status_code=status, media_type=JSON_TYPE, headers=headers)


def _dsop_error(_: Request[Any, Any, Any], exc: DsopError) -> Response[Any]:
    if isinstance(exc, InvalidExtraditionOrder):
        return _error(422, "invalid_order", exc.message, exc.parameter)
    return _error(400, "invalid_request", exc.message, exc.parameter)


def _unauthorized(_: Request[Any, Any, Any], exc: _Unauthorized) -> Response[Any]:
    return _error(
        401,
        "unauthorized",
        "Authorization: Bearer <API token> is missing or wrong",
        headers={"WWW-Authenticate": 'Bearer realm="prosecution"'},
    )


def _http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    return _error(exc.status_code, f"http_{exc.status_code}", str(exc.detail), headers=dict(exc.headers or {}))


def create_app(
    settings: ProsecutionSettings,
    *,
    clock: Clock | None = None,
    key: SigningKey | None = None,
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
    confirmation_key: SigningKey | None = None,
) -> Litestar:
    """The prosecution app.  ``key`` overrides the credential in ``settings.key_dir``."""
    clock = clock or _utcnow
    if key is None:
        key = load_or_create(settings.key_dir, now=clock(), environment=settings.environment)
    else:
        check_subject(key.credential, settings.environment)
    if confirmation_key is None:
        try:
            confirmation_key = confirmations.load_or_create_key(
                settings.key_dir, now=clock(), environment=settings.environment
            )
        except FileNotFoundError:
            confirmation_key = None
    service = _Service(
        key=key,
        clock=clock,
        validity=timedelta(days=settings.validity_days),
        api_token=settings.api_token.get_secret_value() if settings.api_token else None,
        new_id=new_id,
        jwks=jwks_document([(key.kid, key.credential)]),
        synthetic_allowed=settings.environment == "test",
        confirmation_key=confirmation_key,
        legal_basis=settings.fraud_legal_bases(),
    )
    readiness = Readiness()  # no database: ready once its signing key is loaded (it is, or create_app failed)

    async def signing_key_loaded() -> bool:
        return bool(service.jwks.get("keys"))

    readiness.add("keys", signing_key_loaded)
    return observe(
        Litestar(
            route_handlers=[create_order, finans_jwks, fraud_report, confirmation_jwks, *health_routes(readiness)],
            exception_handlers={
                DsopError: _dsop_error,
                fraud.FraudError: _fraud_error,
                _Unauthorized: _unauthorized,
                HTTPException: _http_error,
            },
            state=State({"prosecution": service}),
            logging_config=None,  # the process (CLI `serve`, the ecosystem runner) configures logging
        ),
        "prosecution",
        title="Prosecution (påtalemyndigheten)",
    )


__all__ = ["create_app"]
