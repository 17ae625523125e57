"""The one seam between the consumer's protocol logic and the network (httpx ``BaseTransport`` style).

A ``Transport`` sends one ``HttpRequest`` and returns the whole ``HttpResponse`` within ``timeout``
seconds — headers *and* body, so a bank that stalls mid-body is a timeout, not a hang.  Failures
are only two kinds: ``TimeoutError`` and ``ConnectionError`` (refused, reset, TLS); the client
turns them into ``BankTimeout``/``BankUnavailable`` for the bank concerned.

* ``AiohttpTransport`` — the fan-out's default (aiohttp: measured 5× httpx at 100-wide);
* ``HttpxTransport`` — any ``httpx.AsyncClient``, e.g. over ``httpx.ASGITransport`` in tests.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import aiohttp
import httpx

from opendsop.contracts.http import HttpRequest, HttpResponse
from opendsop.tracing import client_span, record_status

MAX_BODY = 64 * 1024 * 1024  # a generous bound: a 1000-transaction page is about 1 MB


class Transport(Protocol):
    async def send(self, request: HttpRequest, body: bytes | None = None, *, timeout: float) -> HttpResponse: ...


class HttpxTransport:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def send(self, request: HttpRequest, body: bytes | None = None, *, timeout: float) -> HttpResponse:
        headers = dict(request.headers)
        with client_span(request.method, request.url, headers) as span:  # sends the W3C traceparent
            try:
                async with asyncio.timeout(timeout):
                    response = await self._client.request(request.method, request.url, headers=headers, content=body)
            except httpx.TimeoutException as error:
                raise TimeoutError(str(error)) from error
            except httpx.HTTPError as error:
                raise ConnectionError(f"{type(error).__name__}: {error}") from error
            record_status(span, response.status_code)
        return HttpResponse(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content)


class AiohttpTransport:
    """Over one shared ``aiohttp.ClientSession`` (connection pooling across banks and calls)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    @classmethod
    def session(cls, *, limit: int = 200) -> aiohttp.ClientSession:
        """A session fit for a fan-out: a pool of ``limit`` connections, no cookie jar, no auto-decompress."""
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=limit, limit_per_host=0),
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=True,
            timeout=aiohttp.ClientTimeout(total=None),
        )

    async def send(self, request: HttpRequest, body: bytes | None = None, *, timeout: float) -> HttpResponse:
        sent = dict(request.headers)
        with client_span(request.method, request.url, sent) as span:  # sends the W3C traceparent
            try:
                async with asyncio.timeout(timeout):
                    async with self._session.request(
                        request.method, request.url, headers=sent, data=body, allow_redirects=False
                    ) as response:
                        if (response.content_length or 0) > MAX_BODY:
                            raise ConnectionError(f"the answer is larger than {MAX_BODY} bytes")
                        content = await response.read()
                        headers = {k.lower(): v for k, v in response.headers.items()}
                        record_status(span, response.status)
                        return HttpResponse(response.status, headers, content)
            except TimeoutError:
                raise
            except aiohttp.ClientError as error:
                raise ConnectionError(f"{type(error).__name__}: {error}") from error


def poster(transport: Transport, *, timeout: float = 10.0) -> Any:
    """A ``TokenProvider`` ``post`` over a transport (the token service is called like any server)."""

    async def post(request: HttpRequest, body: bytes) -> HttpResponse:
        return await transport.send(request, body, timeout=timeout)

    return post


__all__ = ["AiohttpTransport", "HttpxTransport", "Transport", "poster"]
