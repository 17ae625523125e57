"""A bank through outages: its database or the token service cut mid-case, and callers that leave.

What a caller must see (docs/decisions.md, "Outages"): 503 ACC-100 with ``Retry-After`` while a source
cannot answer (never 500), ``/health/ready`` 503 while ``/health/live`` stays 200, recovery as soon as
the source is back (no 30 s JWKS refresh floor after a failed fetch), and an audit log whose records
say whether each answer was delivered, in an unbroken hash chain (SQLite and PostgreSQL).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn

from opendsop.audit.log import AuditRecord
from opendsop.contracts.verify import TokenVerifier
from opendsop.provider.app import create_app
from opendsop.provider.ports import RegisterFacts, StaticCertificates
from opendsop.server import config as server_config
from tests.outages import database_cut
from tests.provider import bank as seed
from tests.provider.harness import CASE, Bank, Pki, default_period, registers, settings

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = seed.NOW

    def __call__(self) -> Any:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class TokenService:
    """The token service's JWKS endpoint as the bank's verifier reaches it; ``down`` is a stopped service."""

    def __init__(self, issuer: Any) -> None:
        self.issuer, self.down = issuer, False

    async def fetch(self, url: str) -> Mapping[str, Any]:
        if self.down:
            raise httpx.ConnectError(f"connection refused: {url}")
        return self.issuer.jwks  # type: ignore[no-any-return]


def _headers(token_issuer: Any, consumer: seed.Consumer = seed.NAV) -> dict[str, str]:
    token = token_issuer.mint(consumer.orgno, seed.SCOPE, seed.BASE_URL, now=seed.NOW)
    return {
        "Authorization": f"Bearer {token}",
        "CorrelationID": "14fbc062-aacb-4449-93c1-85c352d387a4",
        "AccountInfoRequestID": CASE,
        "Legal-Mandate": consumer.mandate.encoded,
        "PartyID": seed.ANNE,
        "Accept": "application/json",
    }


def _query(consumer: seed.Consumer = seed.NAV) -> dict[str, str]:
    return {"OnlyPrimaryOwner": "true", **default_period(consumer)}


@asynccontextmanager
async def _sql_bank(
    pki: Pki, token_issuer: Any, database_url: str, clock: Clock, tokens: TokenService
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    app = create_app(
        settings(database_url=database_url),
        clock=lambda: seed.NOW,
        tokens=TokenVerifier(
            token_issuer.issuer,
            token_issuer.issuer + "jwks",
            seed.BASE_URL,
            (seed.SCOPE,),
            fetch_jwks=tokens.fetch,
            clock=clock,
        ),
        facts=RegisterFacts(registers()),
        certificates=StaticCertificates({org: cred.certificate for org, cred in pki.encryption.items()}),
    )
    [startup], [shutdown] = app.on_startup, app.on_shutdown
    await startup(app)  # type: ignore[call-arg]
    try:
        await app.state["provider"].store.load(
            parties=seed.parties(),
            accounts=seed.accounts(),
            relations=seed.relations(),
            balances=seed.balances(),
            cards=seed.cards(),
            transactions=seed.transactions(),
        )
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://bank.test") as client:
            yield app, client
    finally:
        await shutdown()  # type: ignore[call-arg]


def _unavailable(response: httpx.Response) -> bool:
    return (
        response.status_code == 503
        and response.json()["code"] == "ACC-100"
        and response.headers["retry-after"].isdigit()
    )


async def test_token_service_and_database_cut_mid_case(
    pki: Pki, token_issuer: Any, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DSOP_SERVING_STATEMENT_TIMEOUT", "0.3")  # a locked SQLite file answers within 0.3 s
    clock, token_service = Clock(), TokenService(token_issuer)
    token_service.down = True  # the bank starts while the token service is stopped
    async with _sql_bank(pki, token_issuer, database_url, clock, token_service) as (app, client):
        refused = await client.get("/v2/accounts", params=_query(), headers=_headers(token_issuer))
        assert _unavailable(refused), refused.text
        ready = await client.get("/health/ready")
        assert (ready.status_code, ready.json()["checks"]["keys"]) == (503, "unavailable")
        assert (await client.get("/health/live")).status_code == 200

        token_service.down = False  # back: accepted within the retry backoff, not after the 30 s floor
        clock.advance(1)
        first = await client.get("/v2/accounts", params=_query(), headers=_headers(token_issuer))
        assert first.status_code == 200, first.text
        assert (await client.get("/health/ready")).json() == {
            "status": "ready",
            "checks": {"database": "ok", "keys": "ok"},
        }

        with database_cut(database_url):
            cut = await client.get("/v2/accounts", params=_query(), headers=_headers(token_issuer))
            if database_url.startswith("sqlite"):  # reads still work; this answer's record fails after it
                assert cut.status_code == 200
                cut = await client.get("/v2/accounts", params=_query(), headers=_headers(token_issuer))
            assert _unavailable(cut), cut.text  # no data without its record
            ready = await client.get("/health/ready")
            assert (ready.status_code, ready.json()["checks"]["database"]) == (503, "unavailable")
            assert ready.headers["retry-after"].isdigit()
            assert (await client.get("/health")).status_code == 200  # alive: no supervisor restarts it

        for _ in range(2):
            again = await client.get("/v2/accounts", params=_query(), headers=_headers(token_issuer))
            assert again.status_code == 200, again.text  # the first request after the cut is served
        assert (await client.get("/health/ready")).status_code == 200

        audit = app.state["provider"].audit
        records = [(r.status, r.delivered, r.api_version) for r in (s.record for s in await audit.records())]
        # The answers given while the database was cut could not be recorded.  The first data answer after it
        # was recorded before it left (delivery not known yet: the audit log had just failed), the next one
        # after it was delivered again; no record claims a delivery that did not happen, the chain holds.
        assert records == [(503, True, "v2"), (200, True, "v2"), (200, None, "v2"), (200, True, "v2")]
        assert await audit.verify() == len(records)


# -- callers that leave --------------------------------------------------------------------------------


def _scope(path: str, headers: Mapping[str, str], query: Mapping[str, str]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": urlencode(query).encode(),
        "root_path": "",
        "headers": [(b"host", b"bank.test"), *((k.lower().encode(), v.encode()) for k, v in headers.items())],
        "client": ("127.0.0.1", 50000),
        "server": ("bank.test", 443),
    }


async def _call(
    bank: Bank, path: str, *, leaves_while_working: bool, query: Mapping[str, str] | None = None
) -> tuple[list[dict[str, Any]], AuditRecord]:
    """One request straight through the ASGI app; with ``leaves_while_working`` the caller disconnects
    (its timeout) while the bank is still reading its store."""
    pipeline = bank.app.state["provider"]
    working, left = asyncio.Event(), asyncio.Event()
    original = pipeline.store.accounts_for_party

    async def slow_store(*args: Any, **kwargs: Any) -> Any:
        working.set()
        if leaves_while_working:
            await left.wait()
        return await original(*args, **kwargs)

    pipeline.store.accounts_for_party = slow_store
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        if leaves_while_working:
            await working.wait()
            left.set()
            return {"type": "http.disconnect"}
        await asyncio.Event().wait()  # a caller that stays until the response is complete
        raise AssertionError("unreachable")

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await bank.app(
        _scope(path, bank.headers(seed.SKATT, party=seed.ANNE), query if query is not None else _query()), receive, send
    )
    [stored] = (await bank.audit.records())[-1:]
    return sent, stored.record


async def test_an_answer_whose_caller_left_is_recorded_as_not_delivered(bank: Bank) -> None:
    sent, record = await _call(bank, "/v2/accounts", leaves_while_working=True)
    assert sent[0]["status"] == 200  # the bank answered, to a connection nobody listens on any more
    assert (record.outcome, record.status, record.delivered, record.api_version) == ("allowed", 200, False, "v2")
    assert await bank.audit.verify() == 1


async def test_an_answer_the_caller_waited_for_is_recorded_as_delivered(bank: Bank) -> None:
    _, record = await _call(bank, "/v2/accounts", leaves_while_working=False)
    assert (record.outcome, record.delivered, record.api_version) == ("allowed", True, "v2")


@pytest.mark.parametrize(
    ("path", "version"),
    [
        pytest.param("/v1/accounts", "v1", id="v1-pipeline"),
        pytest.param("/v2/accounts", "v2", id="v2-pipeline"),
        pytest.param("/v1/nothing-here", "v1", id="v1-unknown-path"),
        pytest.param("/elsewhere", "v2", id="outside-both"),
    ],
)
async def test_the_record_names_the_api_version(bank: Bank, path: str, version: str) -> None:
    await bank.client.get(path, params=_query(), headers=bank.headers(seed.SKATT, party=seed.ANNE))
    [stored] = await bank.audit.records()
    assert (stored.record.api_version, stored.record.delivered) == (version, True)


async def test_live_and_ready_without_a_database(bank: Bank) -> None:
    for path in ("/health", "/health/live"):
        assert (await bank.client.get(path)).json() == {"status": "ok"}
    ready = await bank.client.get("/health/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "checks": {"keys": "ok"}})


# -- the same over a real socket -------------------------------------------------------------------------

BOUND = 10.0  # seconds: a bound on every wait below, never a synchronisation


@contextmanager
def _served(app: Any) -> Iterator[tuple[str, int]]:
    """The bank's app under the project's uvicorn server, on an ephemeral loopback port, in a thread."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    server = uvicorn.Server(server_config(app, log_config=None, access_log=False, lifespan="off"))
    thread = threading.Thread(target=asyncio.run, args=(server.serve(sockets=[listener]),), daemon=True)
    thread.start()
    try:
        yield listener.getsockname()
    finally:
        server.should_exit = True
        thread.join(BOUND)
        listener.close()


@pytest.mark.parametrize("caller_waits", [True, False], ids=["caller-waits", "caller-times-out"])
async def test_over_a_socket_the_record_says_whether_the_caller_got_the_answer(bank: Bank, caller_waits: bool) -> None:
    """A caller that gives up (its timeout) while the bank reads its store: the bank still answers, into a
    closed connection, and its record says ``delivered: false``; a caller that waits: ``true``."""
    pipeline = bank.app.state["provider"]
    working, server_saw_disconnect, recorded = threading.Event(), threading.Event(), threading.Event()
    original, append = pipeline.store.accounts_for_party, bank.audit.append

    async def slow_store(*args: Any, **kwargs: Any) -> Any:
        working.set()
        if not caller_waits:  # the bank is still busy when the caller's connection is gone
            await asyncio.to_thread(server_saw_disconnect.wait, BOUND)
        return await original(*args, **kwargs)

    async def noting_append(record: AuditRecord) -> Any:
        stored = await append(record)
        recorded.set()
        return stored

    pipeline.store.accounts_for_party, bank.audit.append = slow_store, noting_append

    async def outermost(scope: Any, receive: Any, send: Any) -> None:  # sees what the server reports
        async def watched() -> Any:
            message = await receive()
            if message["type"] == "http.disconnect":
                server_saw_disconnect.set()
            return message

        await bank.app(scope, watched, send)

    headers = bank.headers(seed.SKATT, party=seed.ANNE)
    request = (
        f"GET /v2/accounts?{urlencode(_query(seed.SKATT))} HTTP/1.1\r\nHost: bank.test\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        + "\r\n"
    ).encode()

    def call(address: tuple[str, int]) -> bytes:
        with socket.create_connection(address, timeout=BOUND) as sock:
            sock.sendall(request)
            if not caller_waits:
                assert working.wait(BOUND)
                return b""  # gone: the socket closes here
            answer = b""
            while b"\r\n\r\n" not in answer or b'"accounts"' not in answer:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
            return answer

    with _served(outermost) as address:
        answer = await asyncio.to_thread(call, address)
        assert await asyncio.to_thread(recorded.wait, BOUND)
    [stored] = await bank.audit.records()
    assert (stored.record.outcome, stored.record.status, stored.record.delivered) == ("allowed", 200, caller_waits)
    assert answer.startswith(b"HTTP/1.1 200") == caller_waits


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(ConnectionRefusedError(111, "Connect call failed"), id="connection-refused"),
        pytest.param(TimeoutError(), id="timeout"),
    ],
)
@pytest.mark.parametrize("version", ["v1", "v2"])
async def test_a_store_that_cannot_answer_is_503_at_both_versions(bank: Bank, version: str, failure: Exception) -> None:
    from tests.provider.test_v1 import v1_accounts

    async def down(*_args: Any, **_kwargs: Any) -> Any:
        raise failure

    bank.app.state["provider"].store.accounts_for_party = down
    response = (
        await v1_accounts(bank, seed.NAV, seed.ANNE) if version == "v1" else await bank.accounts(seed.NAV, seed.ANNE)
    )
    assert (response.status_code, response.json()["code"]) == (503, "ACC-100"), response.text
    assert response.headers["retry-after"].isdigit()
    [stored] = await bank.audit.records()
    assert (stored.record.outcome, stored.record.api_version, stored.record.delivered) == ("ACC-100", version, True)
