"""Many fake Control APIs and a fake token service on one loopback aiohttp server, with injected faults.

Each bank lives under ``/{name}/v2``; its ``Behaviour`` says how it answers.  The token service
issues ``tok:<resource>`` and each bank accepts only its own audience's token, so a token sent to
the wrong bank is a 401.  Answers are JWE for the agency's key (or plaintext when asked).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from aiohttp import web

from opendsop.trust.jwe import encrypt_compact
from opendsop.trust.jwt import unverified_claims

BANK_ORG_BASE = 900_000_000


@dataclass
class Behaviour:
    fault: str | None = None  # timeout, 500, flaky500, tx500, 429, garbage, stranger, hang_body, deny, partial
    delay: float = 0.0  # seconds before each answer
    account_pages: int = 1
    transaction_pages: int = 2
    accounts: tuple[str, ...] = ()  # account numbers (default: one per bank)
    version: str = "v2"
    calls: int = 0
    seen: list[dict[str, str]] = field(default_factory=list)  # request headers
    urls: list[str] = field(default_factory=list)  # path and query


@dataclass
class FakeWorld:
    base: str
    banks: dict[str, Behaviour]
    token_requests: int = 0
    token_delay: float = 0.0

    def url(self, name: str) -> str:
        return f"{self.base}/{name}/{self.banks[name].version}"


def _accounts(name: str, behaviour: Behaviour) -> list[str]:
    return list(behaviour.accounts) or [f"{name}-acct"]


def _page_link(path: str, page: int, pages: int) -> list[dict[str, str]]:
    return [{"rel": "next", "href": f"{path}?page={page + 1}"}] if page + 1 < pages else []


def make_app(  # noqa: C901
    world: FakeWorld, agency_key: Any, stranger_key: Any, stop: asyncio.Event, plaintext: bool = False
) -> web.Application:
    async def token(request: web.Request) -> web.Response:
        world.token_requests += 1
        if world.token_delay:
            await asyncio.sleep(world.token_delay)
        form = dict(parse_qsl((await request.read()).decode()))
        resource = unverified_claims(form["assertion"])["resource"][0]
        return web.json_response({"access_token": f"tok:{resource}", "expires_in": 120, "token_type": "Bearer"})

    async def answer(request: web.Request, body: dict[str, Any], behaviour: Behaviour) -> web.StreamResponse:
        if behaviour.version == "v1":  # v1 says responseStatus instead of responseDetails
            body["responseStatus"] = body.pop("responseDetails")["status"]
        plain = msgspec.json.encode(body)
        if behaviour.fault == "garbage":
            return web.Response(body=b"<html>oops</html>", content_type="application/jose")
        if plaintext and request.headers.get("Accept") == "application/json":
            return web.Response(body=plain, content_type="application/json")
        key = stranger_key if behaviour.fault == "stranger" else agency_key
        return web.Response(body=encrypt_compact(plain, key).encode(), content_type="application/jose")

    async def bank(request: web.Request) -> web.StreamResponse:
        name = request.match_info["bank"]
        behaviour = world.banks[name]
        behaviour.calls += 1
        behaviour.seen.append(dict(request.headers))
        behaviour.urls.append(str(request.rel_url))
        if request.headers.get("Authorization") != f"Bearer tok:{world.url(name)}":
            return web.json_response({"code": "ACC-010", "message": "wrong audience"}, status=401)
        if behaviour.delay:
            await asyncio.sleep(behaviour.delay)
        fault = behaviour.fault
        if fault == "timeout":
            await stop.wait()
        if fault == "500" or (fault == "flaky500" and behaviour.calls == 1):
            return web.json_response({"code": "ACC-500", "message": "core system down"}, status=500)
        if fault == "429" and behaviour.calls == 1:
            return web.json_response(
                {"code": "ACC-022", "message": "slow down"}, status=429, headers={"Retry-After": "7"}
            )
        if fault == "tx500" and request.path.endswith("/transactions"):
            return web.json_response({"code": "ACC-100", "message": "archive offline"}, status=500)
        if fault == "deny":
            return web.json_response({"code": "ACC-011", "message": "not for you"}, status=403)
        if fault == "hang_body":
            response = web.StreamResponse(headers={"Content-Type": "application/jose", "Content-Length": "5000"})
            await response.prepare(request)
            await response.write(b"eyJhbGciOi")
            await stop.wait()
            return response
        page = int(request.query.get("page", "0"))
        rest = request.match_info.get("rest", "")
        status = (
            {"status": "partial", "message": "older data archived"} if fault == "partial" else {"status": "complete"}
        )
        if not rest:
            numbers = _accounts(name, behaviour)
            chunk = numbers[page :: behaviour.account_pages]
            body = {
                "responseDetails": status,
                "accounts": [
                    {
                        "accountIdentifier": number,
                        "type": "salaryAccount",
                        "accountReference": "dataNotDelivered" if number.startswith("dnd") else f"ref-{number}",
                    }
                    for number in chunk
                ],
                "links": _page_link(request.path, page, behaviour.account_pages),
            }
        elif rest.endswith("/transactions"):
            number = rest.split("/")[0].removeprefix("ref-")
            body = {
                "responseDetails": status,
                "transactions": [
                    {
                        "transactionIdentifier": f"{number}-t{page}-{i}",
                        "amount": 10,
                        "creditDebitIndicator": "debit",
                        "bookingDate": "2025-03-01T12:00:00Z",
                    }
                    for i in range(2)
                ],
                "links": _page_link(request.path, page, behaviour.transaction_pages),
            }
        else:
            number = rest.removeprefix("ref-")
            body = {
                "responseDetails": status,
                "account": {"accountIdentifier": number, "accountReference": rest, "currency": "NOK"},
            }
        return await answer(request, body, behaviour)

    app = web.Application()
    app.router.add_post("/token", token)
    app.router.add_get("/{bank}/{version:v[12]}/accounts", bank)
    app.router.add_get("/{bank}/{version:v[12]}/accounts/{rest:.+}", bank)
    return app


@asynccontextmanager
async def serve(
    banks: dict[str, Behaviour], agency_key: Any, stranger_key: Any, *, plaintext: bool = False
) -> AsyncIterator[FakeWorld]:
    stop = asyncio.Event()
    world = FakeWorld("", banks)
    runner = web.AppRunner(
        make_app(world, agency_key, stranger_key, stop, plaintext), access_log=None, handle_signals=False
    )
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    world.base = f"http://127.0.0.1:{port}"
    try:
        yield world
    finally:
        stop.set()
        await runner.cleanup()
