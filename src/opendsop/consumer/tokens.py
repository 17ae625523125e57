"""Access tokens for the agency: the RFC 7523 grant, the token request, and a cache per (audience, scope).

spec/protocol.md §1.3 step 5 and §3.1: for each bank the agency asks the token service
(Maskinporten) for a token with scope ``bits:kontoinformasjon`` whose ``aud`` is that bank's base
URL, by putting ``resource: [<base URL>]`` in a JWT grant signed with its own key (``kid``) or its
enterprise certificate (``x5c``, leaf only unless agreed otherwise).  A grant lives at most 120 s
and is made fresh for every token request.  Tokens may be reused while valid, so they are cached
per (audience, scope) until ``expires_in`` minus a margin; concurrent callers for the same key
share one token request.  A refused token (401 ACC-010 at the bank) is dropped and fetched again.

``GrantSigner``, ``token_request`` and ``parse_token_response`` do no I/O; ``TokenProvider`` drives
them over any ``post`` coroutine (httpx, aiohttp) and owns the cache.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import msgspec

from opendsop.clock import utc_now as _utc_now
from opendsop.consumer.errors import TokenError
from opendsop.consumer.protocol import HttpRequest, HttpResponse
from opendsop.trust.jwt import sign_jwt
from opendsop.trust.pki import Credential

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GRANT_LIFETIME = timedelta(seconds=60)  # well inside Maskinporten's 120 s maximum


@dataclass(frozen=True, slots=True)
class AccessToken:
    value: str
    audience: str
    scope: str
    expires_at: datetime


@dataclass(frozen=True)
class GrantSigner:
    """Signs JWT grants as the agency's client.

    ``key`` is a private JWK (``kid`` in the header) or a ``Credential`` (enterprise certificate:
    ``x5c`` with the leaf only, no ``kid``).  ``consumer_org`` is set only when a supplier
    (leverandør) asks on behalf of an agency (delegation).
    """

    client_id: str
    issuer: str  # the token service's identifier: the grant's aud
    token_endpoint: str
    key: Any
    consumer_org: str | None = None
    alg: str = "RS256"

    def assertion(self, *, audience: str, scope: str, now: datetime) -> str:
        issued = int(now.timestamp())
        claims: dict[str, Any] = {"aud": self.issuer, "iss": self.client_id, "iat": issued,
                                  "exp": issued + int(GRANT_LIFETIME.total_seconds()), "jti": str(uuid.uuid4()),
                                  "scope": scope, "resource": [audience]}
        if self.consumer_org:
            claims["consumer_org"] = self.consumer_org
        if isinstance(self.key, Credential):
            header = {"kid": None, "x5c": self.key.x5c()[:1]}
            return sign_jwt(claims, self.key.private_key, alg=self.alg, header=header)
        return sign_jwt(claims, self.key, alg=self.alg)


def token_request(token_endpoint: str, assertion: str) -> tuple[HttpRequest, bytes]:
    """The form POST of RFC 7523 §2.1."""
    body = urlencode({"grant_type": JWT_BEARER, "assertion": assertion}).encode("ascii")
    return HttpRequest("POST", token_endpoint, {"Content-Type": "application/x-www-form-urlencoded",
                                                "Accept": "application/json"}), body


def parse_token_response(response: HttpResponse, *, audience: str, scope: str, now: datetime) -> AccessToken:
    """The access token of a 200, or the ``TokenError`` of an OAuth2 error body (RFC 6749 §5.2)."""
    try:
        data = msgspec.json.decode(response.body)
    except msgspec.DecodeError:
        data = None
    if response.status != 200:
        error = data.get("error") if isinstance(data, dict) else None
        description = data.get("error_description") if isinstance(data, dict) else None
        raise TokenError(f"the token service refused a token for {audience} ({scope}): "
                         f"{error or 'HTTP ' + str(response.status)}" + (f": {description}" if description else ""),
                         error=error if isinstance(error, str) else None, status=response.status,
                         retryable=response.status >= 500 or response.status == 429)
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
        raise TokenError(f"the token service's answer for {audience} carries no access_token", status=200)
    expires_in = data.get("expires_in")
    lifetime = float(expires_in) if isinstance(expires_in, int | float) and expires_in > 0 else 120.0
    return AccessToken(data["access_token"], audience, scope, now + timedelta(seconds=lifetime))


Post = Callable[[HttpRequest, bytes], Awaitable[HttpResponse]]


class TokenProvider:
    """Cached, single-flight access tokens per (audience, scope)."""

    def __init__(self, signer: GrantSigner, post: Post, *, clock: Callable[[], datetime] = _utc_now,
                 margin: timedelta = timedelta(seconds=10)) -> None:
        self._signer = signer
        self._post = post
        self._clock = clock
        self._margin = margin
        self._tokens: dict[tuple[str, str], AccessToken] = {}
        self._pending: dict[tuple[str, str], asyncio.Future[AccessToken]] = {}
        self.requests = 0  # token requests made (for tests and metrics)

    async def get(self, audience: str, scope: str, *, refresh: bool = False) -> str:
        key = (audience, scope)
        if refresh:
            self._tokens.pop(key, None)
        cached = self._tokens.get(key)
        if cached is not None and self._clock() + self._margin < cached.expires_at:
            return cached.value
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._fetch(audience, scope))
            self._pending[key] = pending
            pending.add_done_callback(lambda _f: self._pending.pop(key, None))
        token = await asyncio.shield(pending)
        return token.value

    def invalidate(self, audience: str, scope: str) -> None:
        self._tokens.pop((audience, scope), None)

    async def _fetch(self, audience: str, scope: str) -> AccessToken:
        now = self._clock()
        request, body = token_request(self._signer.token_endpoint,
                                      self._signer.assertion(audience=audience, scope=scope, now=now))
        self.requests += 1
        try:
            response = await self._post(request, body)
        except TokenError:
            raise
        except Exception as error:
            raise TokenError(f"the token service at {self._signer.token_endpoint} did not answer "
                             f"({type(error).__name__})", retryable=True) from error
        token = parse_token_response(response, audience=audience, scope=scope, now=now)
        self._tokens[(audience, scope)] = token
        return token


__all__ = ["JWT_BEARER", "AccessToken", "GrantSigner", "Post", "TokenProvider", "parse_token_response",
           "token_request"]
