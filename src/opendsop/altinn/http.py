"""The HTTP edge every route shares: who calls (token and scope), reading bodies, writing answers."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

import msgspec
from litestar import Request, Response

from opendsop.contracts.messaging.errors import (
    InsufficientScope,
    InvalidRequest,
    InvalidToken,
    MessagingError,
    Unavailable,
)
from opendsop.contracts.verify import InsufficientScope as ScopeMissing
from opendsop.contracts.verify import JwksUnavailable
from opendsop.trust.errors import InvalidToken as TokenRefused

T = TypeVar("T")
log = logging.getLogger("opendsop.altinn")


def platform(request: Request[Any, Any, Any]) -> Any:
    return request.app.state.altinn


async def caller(request: Request[Any, Any, Any], scope: str) -> str:
    """The organisation (or, with an ID-porten-like ``pid`` claim, the person) calling with ``scope``."""
    try:
        principal = await platform(request).verifier.verify_authorization(request.headers.get("authorization"))
    except ScopeMissing as error:
        raise InsufficientScope(str(error)) from None
    except TokenRefused as error:
        raise InvalidToken(str(error)) from None
    except JwksUnavailable:
        raise Unavailable("the token issuer's keys cannot be fetched; try again later") from None
    if scope not in principal.scopes:
        raise InsufficientScope(f"the token lacks the scope {scope}")
    pid = principal.claims.get("pid")
    return pid if isinstance(pid, str) and len(pid) == 11 and pid.isdigit() else str(principal.consumer_org)


def decode(body: bytes | str, kind: type[T], what: str) -> T:
    try:
        return msgspec.json.decode(body, type=kind)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise InvalidRequest(f"the {what} is not valid: {error}") from None


async def body_of(request: Request[Any, Any, Any], kind: type[T], what: str) -> T:
    return decode(await request.body(), kind, what)


def answer(value: Any, status: int = 200) -> Response[bytes]:
    return Response(msgspec.json.encode(value), status_code=status, media_type="application/json")


def problem(request: Request[Any, Any, Any], error: MessagingError) -> Response[bytes]:
    headers = {"Retry-After": "5"} if error.status == 503 else {}
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="altinn"'
    return Response(
        msgspec.json.encode(error.problem(request.url.path)),
        status_code=error.status,
        media_type="application/problem+json",
        headers=headers,
    )


def query(request: Request[Any, Any, Any], name: str) -> str | None:
    value = request.query_params.get(name)
    return value if value else None


def int_query(request: Request[Any, Any, Any], name: str, default: int) -> int:
    value = query(request, name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise InvalidRequest(f"{name} must be a whole number") from None


__all__ = ["answer", "body_of", "caller", "decode", "int_query", "platform", "problem", "query"]
