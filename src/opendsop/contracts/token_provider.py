"""Access tokens for the agency: the RFC 7523 grant, the token request, and a cache per (audience, scope).

DSOP “Architecture document” step 5 and DSOP “Security design”: for each bank the agency asks the token service
(Maskinporten) for a token with scope ``bits:kontoinformasjon`` whose ``aud`` is that bank's base
URL, by putting ``resource: [<base URL>]`` in a JWT grant signed with its own key (``kid``) or its
enterprise certificate (``x5c``, leaf only unless agreed otherwise).  A grant lives at most 120 s
and is made fresh for every token request.  Tokens may be reused while valid, so they are cached
per (audience, scope) until ``expires_in`` minus a margin; concurrent callers for the same key
share one token request.  A refused token (401 ACC-010 at the bank) is dropped and fetched again.

``GrantSigner``, ``token_request`` and ``parse_token_response`` do no I/O; ``TokenProvider`` drives
them over any ``post`` coroutine (httpx, aiohttp) and owns the cache.

A case touching a hundred banks needs a hundred grants at once, and an RSA-2048 signature costs
about a millisecond of CPU.  So (measured in bench/fanout.py): the grant's header and key are
prepared once per signer and only the claims are encoded per grant; grants are signed in a thread
pool, since ``cryptography`` releases the GIL while signing, which keeps the event loop serving the
banks that already have their tokens; ``prefetch`` starts the token requests of a whole case at once.
"""

from __future__ import annotations

import asyncio
import base64
import os
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, Literal
from urllib.parse import urlencode

import msgspec
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from opendsop.clock import utc_now as _utc_now
from opendsop.contracts.errors import TokenError
from opendsop.contracts.http import HttpRequest, HttpResponse
from opendsop.trust.jwt import sign_jwt
from opendsop.trust.keys import as_jwk
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
        claims: dict[str, Any] = {
            "aud": self.issuer,
            "iss": self.client_id,
            "iat": issued,
            "exp": issued + int(GRANT_LIFETIME.total_seconds()),
            "jti": str(uuid.uuid4()),
            "scope": scope,
            "resource": [audience],
        }
        if self.consumer_org:
            claims["consumer_org"] = self.consumer_org
        prepared = self._rs256
        if prepared is None:  # another algorithm or key type: the general signer (and its errors)
            if isinstance(self.key, Credential):
                header = {"kid": None, "x5c": self.key.x5c()[:1]}
                return sign_jwt(claims, self.key.private_key, alg=self.alg, header=header)
            return sign_jwt(claims, self.key, alg=self.alg)
        header_b64, private_key = prepared
        signing_input = f"{header_b64}.{_b64(msgspec.json.encode(claims))}"
        signature = private_key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64(signature)}"

    @cached_property
    def _rs256(self) -> tuple[str, rsa.RSAPrivateKey] | None:
        """The encoded JOSE header and the native key, once per signer (RS256 with an RSA key only)."""
        if self.alg != "RS256":
            return None
        if isinstance(self.key, Credential):
            native = as_jwk(self.key.private_key).private_key
            header: dict[str, Any] = {"alg": "RS256", "typ": "JWT", "x5c": self.key.x5c()[:1]}
        else:
            jwk = as_jwk(self.key)
            native = getattr(jwk, "private_key", None)
            header = {"alg": "RS256", "typ": "JWT"} | ({"kid": jwk.kid} if jwk.kid is not None else {})
        if not isinstance(native, rsa.RSAPrivateKey):
            return None
        return _b64(msgspec.json.encode(header)), native


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_POOL_LOCK = threading.Lock()
_POOL: ThreadPoolExecutor | None = None


def signing_pool() -> ThreadPoolExecutor:
    """The process's grant-signing threads, one per CPU (signing holds no GIL, so more would only queue)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="dsop-grant")
        return _POOL


def token_request(token_endpoint: str, assertion: str) -> tuple[HttpRequest, bytes]:
    """The form POST of RFC 7523 §2.1."""
    body = urlencode({"grant_type": JWT_BEARER, "assertion": assertion}).encode("ascii")
    return HttpRequest(
        "POST", token_endpoint, {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    ), body


def parse_token_response(response: HttpResponse, *, audience: str, scope: str, now: datetime) -> AccessToken:
    """The access token of a 200, or the ``TokenError`` of an OAuth2 error body (RFC 6749 §5.2)."""
    try:
        data = msgspec.json.decode(response.body)
    except msgspec.DecodeError:
        data = None
    if response.status != 200:
        error = data.get("error") if isinstance(data, dict) else None
        description = data.get("error_description") if isinstance(data, dict) else None
        raise TokenError(
            f"the token service refused a token for {audience} ({scope}): "
            f"{error or 'HTTP ' + str(response.status)}" + (f": {description}" if description else ""),
            error=error if isinstance(error, str) else None,
            status=response.status,
            retryable=response.status >= 500 or response.status == 429,
        )
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
        raise TokenError(f"the token service's answer for {audience} carries no access_token", status=200)
    expires_in = data.get("expires_in")
    lifetime = float(expires_in) if isinstance(expires_in, int | float) and expires_in > 0 else 120.0
    return AccessToken(data["access_token"], audience, scope, now + timedelta(seconds=lifetime))


Post = Callable[[HttpRequest, bytes], Awaitable[HttpResponse]]


Signing = Executor | Literal["threads", "inline"]
Key = tuple[str, str]  # (audience, scope)


class TokenProvider:
    """Cached, single-flight access tokens per (audience, scope).

    ``signing`` says where grants are signed: ``"threads"`` (``signing_pool()``, the default), another
    thread pool (the signer's key is not picklable, and a process pool is not needed: RSA signing
    runs without the GIL, 1.7× on two threads), or ``"inline"`` on the event loop.  ``prefetch`` signs
    the grants of many audiences in executor calls of at most ``batch`` grants (100 grants: 7 calls
    of 14 or 15): a thread that must take the GIL back from a busy event loop waits up to the switch
    interval (5 ms), so it is asked back once per call instead of once per grant, while the first
    token requests still leave before the last grant is signed (bench/fanout.py: batches of 8–16
    beat 50 and signing inline).
    """

    def __init__(
        self,
        signer: GrantSigner,
        post: Post,
        *,
        clock: Callable[[], datetime] = _utc_now,
        margin: timedelta = timedelta(seconds=10),
        signing: Signing = "threads",
        batch: int = 16,
        max_in_flight: int | None = None,
    ) -> None:
        self._signer = signer
        self._post = post
        self._clock = clock
        self._margin = margin
        self._signing = signing
        self._batch = max(1, batch)
        # token requests at once; None: unbounded.  A bound reuses a few kept-alive connections instead
        # of opening one per request, but each round costs a round trip to the token service.
        self._in_flight = asyncio.Semaphore(max_in_flight) if max_in_flight else None
        self._tokens: dict[Key, AccessToken] = {}
        self._pending: dict[Key, asyncio.Future[AccessToken]] = {}
        self._prefetching: set[asyncio.Task[None]] = set()
        self.requests = 0  # token requests made (for tests and metrics)

    def source(self, audience: str, scope: str) -> Callable[[], Awaitable[str]]:
        """A token source for one (audience, scope): what the register clients take as their ``token``."""

        async def token() -> str:
            return await self.get(audience, scope)

        return token

    async def get(self, audience: str, scope: str, *, refresh: bool = False) -> str:
        key = (audience, scope)
        if refresh:
            self._tokens.pop(key, None)
        cached = self._tokens.get(key)
        if cached is not None and self._clock() + self._margin < cached.expires_at:
            return cached.value
        pending = self._pending.get(key)
        if pending is None:
            pending = self._track(key, asyncio.ensure_future(self._fetch(audience, scope)))
        token = await asyncio.shield(pending)
        return token.value

    def prefetch(self, audiences: Iterable[str], scope: str) -> None:
        """Start the token requests for all ``audiences`` not cached, without waiting (``get`` takes them up)."""
        now = self._clock()
        wanted: list[Key] = []
        for audience in dict.fromkeys(audiences):
            key = (audience, scope)
            cached = self._tokens.get(key)
            if key not in self._pending and (cached is None or now + self._margin >= cached.expires_at):
                wanted.append(key)
        if not wanted:
            return
        loop = asyncio.get_running_loop()
        futures = {key: self._track(key, loop.create_future()) for key in wanted}
        task = asyncio.ensure_future(self._fetch_many(futures))
        self._prefetching.add(task)
        task.add_done_callback(self._prefetching.discard)

    def invalidate(self, audience: str, scope: str) -> None:
        self._tokens.pop((audience, scope), None)

    def _track(self, key: Key, future: asyncio.Future[AccessToken]) -> asyncio.Future[AccessToken]:
        self._pending[key] = future
        future.add_done_callback(lambda done: self._done(key, done))
        return future

    def _done(self, key: Key, done: asyncio.Future[AccessToken]) -> None:
        if self._pending.get(key) is done:
            del self._pending[key]
        if not done.cancelled():
            done.exception()  # a prefetch nobody awaited: its failure is met again by the next ``get``

    async def _sign(self, keys: list[Key], now: datetime) -> list[str]:
        if self._signing == "inline":
            return _sign_grants(self._signer, keys, now)
        executor = signing_pool() if self._signing == "threads" else self._signing
        return await asyncio.get_running_loop().run_in_executor(executor, _sign_grants, self._signer, keys, now)

    async def _fetch(self, audience: str, scope: str) -> AccessToken:
        now = self._clock()
        (assertion,) = await self._sign([(audience, scope)], now)
        return await self._exchange(audience, scope, assertion, now)

    async def _fetch_many(self, futures: dict[Key, asyncio.Future[AccessToken]]) -> None:
        now = self._clock()
        keys = list(futures)

        async def exchange(key: Key, assertion: str) -> None:
            try:
                token = await self._exchange(*key, assertion, now)
            except BaseException as error:  # the waiting ``get`` meets it; nothing is lost here
                if not futures[key].done():
                    futures[key].set_exception(error)
                if not isinstance(error, Exception):
                    raise
            else:
                if not futures[key].done():
                    futures[key].set_result(token)

        async def batch(part: list[Key]) -> None:
            try:
                assertions = await self._sign(part, now)
            except BaseException as error:
                for key in part:
                    if not futures[key].done():
                        futures[key].set_exception(error)
                if not isinstance(error, Exception):
                    raise
                return
            await asyncio.gather(*(exchange(key, assertion) for key, assertion in zip(part, assertions, strict=True)))

        parts = -(-len(keys) // self._batch)  # as few executor calls as the batch size allows, of equal size
        try:
            await asyncio.gather(*(batch(keys[i::parts]) for i in range(parts)))
        finally:
            for future in futures.values():
                future.cancel()  # only those still open: their fetch was cancelled

    async def _exchange(self, audience: str, scope: str, assertion: str, now: datetime) -> AccessToken:
        request, body = token_request(self._signer.token_endpoint, assertion)
        self.requests += 1
        try:
            if self._in_flight is None:
                response = await self._post(request, body)
            else:
                async with self._in_flight:
                    response = await self._post(request, body)
        except TokenError:
            raise
        except Exception as error:
            raise TokenError(
                f"the token service at {self._signer.token_endpoint} did not answer ({type(error).__name__})",
                retryable=True,
            ) from error
        token = parse_token_response(response, audience=audience, scope=scope, now=now)
        self._tokens[(audience, scope)] = token
        return token


def _sign_grants(signer: GrantSigner, keys: list[Key], now: datetime) -> list[str]:
    return [signer.assertion(audience=audience, scope=scope, now=now) for audience, scope in keys]


__all__ = [
    "JWT_BEARER",
    "AccessToken",
    "GrantSigner",
    "Post",
    "Signing",
    "TokenProvider",
    "parse_token_response",
    "signing_pool",
    "token_request",
]
