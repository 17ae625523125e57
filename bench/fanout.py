"""Fan-out of one case to 100 banks, each answering after 100 ms with 3 pages, against the ideal critical path.

Target: efficiency = ideal / measured ≥ 0.75, where the ideal is what no client can beat:
one token round trip (measured in the same run, against the same token service: grant signed,
verified, access token signed) plus three sequential 100 ms pages.

The parties run as separate processes, as they are separate machines in reality:

* the **token service** (a Maskinporten stand-in): verifies each RS256 grant against the agency's
  key and signs an RS256 access token restricted to the bank (``--token-service signing``), or
  hands out unsigned tokens (``stub``, to see the client's share alone);
* the **banks**: 100 Control APIs on one port (``/{variant}/b000/v2`` …), each checking that the
  token is for itself.  A lean HTTP/1.1 server with the answers prepared once per URL, so the
  banks' own CPU (they are 100 machines in reality) takes as little as possible of the cores the
  client is measured on.

Variants: plaintext (test mode, ``Accept: application/json``), and JWE answers with RSA-OAEP-256
and with ECDH-ES+A256KW to the agency's key (DSOP “Security design” leaves alg/enc open), the JWE
ones also with decryption in worker processes (``+w``, ``DsopClient(crypto=ProcessPoolExecutor)``).
Cold = a new client (no token, no connection); warm = the next case within the tokens' 120 s.
Each figure is the median of ``--repeat`` runs, interleaved with a bare-aiohttp floor (the same
requests, no token and no protocol), since on a shared machine the load moves between runs.

The cold line also gives the CPU each party spent on the case (client, token service, banks):
on a machine shared with other work these move much less than the wall times.

    .venv/bin/python bench/fanout.py [--banks 100] [--delay 0.1] [--pages 3] [--repeat 5] [--workers 2]
                                     [--variants plain,rsa,ec] [--token-service signing|stub] [--token-threads 0]
                                     [--signing threads|inline] [--batch 16] [--token-in-flight N]
                                     [--loop uvloop|asyncio]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import multiprocessing
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import msgspec

from opendsop.consumer.client import DsopClient, jwe_decryptor
from opendsop.consumer.fanout import FanOut, Outcome, Plan
from opendsop.consumer.protocol import SCOPE, BankEndpoint, CaseParameters, HttpRequest, HttpResponse
from opendsop.contracts.token_provider import GrantSigner, TokenProvider, token_request
from opendsop.contracts.transport import AiohttpTransport, poster
from opendsop.standard import mandate
from opendsop.trust.keys import generate_ec_key, generate_rsa_key, public_jwk

CASE = CaseParameters(
    account_info_request_id="5d1e0c2a-7b3f-4a9e-8c6d-2f1e0a9b8c7d",
    mandate=mandate.SKATT,
    party_id="01017012345",
    requester_id="bench",
)
ISSUER = "http://authority.bench/"
CLIENT_ID = "bench-agency"
SPAWN = multiprocessing.get_context("spawn")


# -- a lean HTTP/1.1 server (keep-alive, no pipelining needed: aiohttp does not pipeline) ---------


Handler = Callable[["HttpConnection", str, str, dict[str, str], bytes], None]


class HttpConnection(asyncio.Protocol):
    opened = 0  # connections accepted by this process (GET /stats)

    def __init__(self, handle: Handler) -> None:
        self.handle = handle
        self.buffer = b""
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        HttpConnection.opened += 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = self.buffer[:end].decode("latin-1").split("\r\n")
            method, target, _version = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            self.handle(self, method, target, headers, body)

    def respond(self, status: int, content_type: str, body: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}.get(status, "Error")
        self.transport.write(
            b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s"
            % (status, reason.encode(), content_type.encode(), len(body), body)
        )


def _run(coroutine: Any, loop: str) -> Any:
    if loop == "uvloop":
        import uvloop

        return uvloop.run(coroutine)
    return asyncio.run(coroutine)


def _listen(port_queue: Any, handle: Handler, loop: str) -> None:
    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(
            lambda: HttpConnection(handle), "127.0.0.1", 0, backlog=4096
        )
        port_queue.put(server.sockets[0].getsockname()[1])
        await asyncio.Event().wait()

    _run(main(), loop)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return msgspec.json.decode(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


# -- the token service ---------------------------------------------------------------------------


def serve_tokens(port_queue: Any, grant_public: dict[str, Any], mode: str, threads: int, loop: str) -> None:
    """POST /token: RFC 7523 grant in (verified RS256 against the agency's key), access token out."""
    from datetime import UTC, datetime

    from opendsop.trust.jwt import sign_jwt, verify_jwt
    from opendsop.trust.keys import as_jwk

    agency = as_jwk(grant_public)
    own = generate_rsa_key(kid="authority-bench")
    pool = ThreadPoolExecutor(threads) if threads else None

    def issue(body: bytes) -> tuple[int, bytes]:
        try:
            form = dict(parse_qsl(body.decode()))
            if mode == "stub":
                claims = _claims(form["assertion"])
            else:
                _header, claims = verify_jwt(
                    form["assertion"], agency, algorithms=("RS256",), audience=ISSUER, now=datetime.now(UTC)
                )
        except Exception as error:  # noqa: BLE001 - any broken grant is the client's error
            return 400, msgspec.json.encode({"error": "invalid_grant", "error_description": str(error)})
        issued = int(time.time())
        token_claims = {
            "iss": ISSUER,
            "aud": claims["resource"][0],
            "scope": claims["scope"],
            "client_id": claims["iss"],
            "iat": issued,
            "exp": issued + 120,
            "jti": str(uuid.uuid4()),
        }
        token = (
            f"{_b64(b'{}')}.{_b64(msgspec.json.encode(token_claims))}."
            if mode == "stub"
            else sign_jwt(token_claims, own, alg="RS256")
        )
        return 200, msgspec.json.encode({"access_token": token, "token_type": "Bearer", "expires_in": 120})

    def handle(connection: HttpConnection, method: str, target: str, headers: dict[str, str], body: bytes) -> None:
        if target == "/stats":
            connection.respond(200, "application/json", msgspec.json.encode({"connections": HttpConnection.opened}))
            return
        if pool is None:
            status, payload = issue(body)
            connection.respond(status, "application/json", payload)
            return
        future = asyncio.get_running_loop().run_in_executor(pool, issue, body)
        future.add_done_callback(
            lambda done: connection.respond(done.result()[0], "application/json", done.result()[1])
        )

    _listen(port_queue, handle, loop)


# -- the banks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BankShape:
    delay: float = 0.1
    account_pages: int = 3  # pages of the account list
    accounts_per_page: int = 5
    transaction_pages: int = 1


def _body(bank: str, rest: str, page: int, shape: BankShape, path: str) -> bytes:
    complete = {"status": "complete"}
    if not rest:  # the account list
        more = page + 1 < shape.account_pages
        return msgspec.json.encode(
            {
                "responseDetails": complete,
                "accounts": [
                    {
                        "accountIdentifier": f"{bank}{page:03d}{i}",
                        "accountReference": f"r{page}-{i}",
                        "type": "salaryAccount",
                        "currency": "NOK",
                    }
                    for i in range(shape.accounts_per_page)
                ],
                "links": [{"rel": "next", "href": f"{path}?page={page + 1}"}] if more else [],
            }
        )
    reference, _, what = rest.partition("/")
    if what == "transactions":
        more = page + 1 < shape.transaction_pages
        return msgspec.json.encode(
            {
                "responseDetails": complete,
                "transactions": [
                    {
                        "transactionIdentifier": f"{reference}-{page}-{i}",
                        "amount": 100 + i,
                        "creditDebitIndicator": "debit",
                        "bookingDate": "2025-03-01T12:00:00Z",
                    }
                    for i in range(3)
                ],
                "links": [{"rel": "next", "href": f"{path}?page={page + 1}"}] if more else [],
            }
        )
    if what == "roles":
        return msgspec.json.encode({"responseDetails": complete, "roles": [{"name": "Kari Nordmann"}]})
    return msgspec.json.encode(
        {
            "responseDetails": complete,
            "account": {"accountIdentifier": f"{bank}{reference}", "accountReference": reference, "currency": "NOK"},
        }
    )


def serve_banks(port_queue: Any, shape: BankShape, keys: dict[str, dict[str, Any]], loop: str) -> None:
    """GET /{variant}/{bank}/v2/accounts[/{ref}[/transactions|/roles]]: after ``shape.delay``, the answer.

    A request with a token must carry one for this bank (``aud`` = its base URL); one without any
    is the floor's.  Answers are prepared once per URL and variant (a JWE is still one per answer
    to the agency's key; the client decrypts each).
    """
    from opendsop.trust.jwe import encrypt_compact
    from opendsop.trust.keys import as_jwk

    recipients = {name: as_jwk(jwk) for name, jwk in keys.items()}
    prepared: dict[str, tuple[str, bytes]] = {}
    audiences: dict[str, str] = {}

    def answer(target: str) -> tuple[int, str, bytes]:
        found = prepared.get(target)
        if found is None:
            split = urlsplit(target)
            parts = split.path.split("/", 5)  # '', variant, bank, v2, accounts, rest
            if len(parts) < 5 or parts[4] != "accounts":
                return 404, "application/json", b'{"code":"ACC-404","message":"no such resource"}'
            variant, bank, rest = parts[1], parts[2], parts[5] if len(parts) > 5 else ""
            page = int(dict(parse_qsl(split.query)).get("page", "0"))
            body = _body(bank, rest, page, shape, split.path)
            if variant == "plain":
                found = ("application/json", body)
            else:
                alg = "RSA-OAEP-256" if variant == "rsa" else "ECDH-ES+A256KW"
                found = ("application/jose", encrypt_compact(body, recipients[variant], alg=alg).encode())
            prepared[target] = found
        return 200, *found

    def handle(connection: HttpConnection, method: str, target: str, headers: dict[str, str], body: bytes) -> None:
        authorization = headers.get("authorization")
        if authorization is not None:
            token = authorization.removeprefix("Bearer ")
            audience = audiences.get(token)
            if audience is None:
                audience = audiences[token] = _claims(token)["aud"]
            base = "/".join(target.split("/", 4)[:4])  # /variant/bank/v2
            if not audience.endswith(base):
                connection.respond(401, "application/json", b'{"code":"ACC-010","message":"not for this bank"}')
                return
        status, content_type, payload = answer(target)
        asyncio.get_running_loop().call_later(shape.delay, connection.respond, status, content_type, payload)

    _listen(port_queue, handle, loop)


@dataclass
class Parties:
    tokens: str  # base URL of the token service
    banks: str  # base URL of the banks
    processes: list[Any]

    def cpu(self) -> tuple[float, float]:
        """CPU seconds used so far by the token service and by the banks (Linux /proc; 0 elsewhere)."""
        return _cpu(self.processes[0].pid), _cpu(self.processes[1].pid)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.join(5)


def _cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    except (OSError, ValueError, IndexError):
        return 0.0


def start_parties(
    shape: BankShape,
    keys: dict[str, dict[str, Any]],
    grant_public: dict[str, Any],
    *,
    token_mode: str = "signing",
    token_threads: int = 0,
    loop: str = "uvloop",
) -> Parties:
    """The token service and the banks, each in its own process."""
    processes, urls = [], []
    for target, args in (
        (serve_tokens, (grant_public, token_mode, token_threads, loop)),
        (serve_banks, (shape, keys, loop)),
    ):
        queue: Any = SPAWN.Queue()
        process = SPAWN.Process(target=target, args=(queue, *args), daemon=True)
        process.start()
        processes.append(process)
        urls.append(f"http://127.0.0.1:{queue.get(timeout=60)}")
    return Parties(urls[0], urls[1], processes)


# -- the client side -----------------------------------------------------------------------------


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


class TimedPost:
    """The token provider's ``post``, noting when the last token arrived (seconds after ``started``)."""

    def __init__(self, post: Any) -> None:
        self.post, self.started, self.last = post, time.perf_counter(), 0.0

    async def __call__(self, request: HttpRequest, body: bytes) -> HttpResponse:
        response = await self.post(request, body)
        self.last = time.perf_counter() - self.started
        return response


async def token_trip(session: aiohttp.ClientSession, token_url: str, grant_key: Any) -> float:
    """One grant signed and exchanged for a token (the median of 5): the token part of the ideal."""
    transport = AiohttpTransport(session)
    signer = GrantSigner(CLIENT_ID, ISSUER, token_url, grant_key)
    trips = []
    for _ in range(5):
        started = time.perf_counter()
        request, body = token_request(
            token_url, signer.assertion(audience="http://bank.bench/warmup/v2", scope=SCOPE, now=_now())
        )
        response = await transport.send(request, body, timeout=10)
        assert response.status == 200, response.body
        trips.append(time.perf_counter() - started)
    return statistics.median(trips)


def bank_endpoints(parties: Parties, variant: str, banks: int) -> list[BankEndpoint]:
    return [
        BankEndpoint(f"{910000000 + i}", f"{parties.banks}/{variant}/b{i:03d}/v2", "v2", f"b{i:03d}")
        for i in range(banks)
    ]


def new_client(
    session: aiohttp.ClientSession,
    parties: Parties,
    variant: str,
    private_key: Any,
    grant_key: Any,
    *,
    crypto: Any = None,
    signing: str = "threads",
    batch: int = 16,
    global_limit: int = 200,
    token_in_flight: int | None = None,
) -> tuple[DsopClient, TimedPost]:
    transport = AiohttpTransport(session)
    timed = TimedPost(poster(transport))
    signer = GrantSigner(CLIENT_ID, ISSUER, parties.tokens + "/token", grant_key)
    client = DsopClient(
        transport,
        TokenProvider(
            signer,
            timed,
            signing=signing,
            batch=batch,  # type: ignore[arg-type]
            max_in_flight=token_in_flight,
        ),
        jwe_decryptor(private_key, algorithms=("RSA-OAEP-256", "ECDH-ES+A256KW")),
        plaintext=variant == "plain",
        global_limit=global_limit,
        per_bank_limit=4,
        rng=random.Random(1),
        crypto=crypto,
    )
    return client, timed


async def run_variant(
    parties: Parties,
    banks: int,
    variant: str,
    private_key: Any,
    grant_key: Any,
    *,
    crypto: Any = None,
    signing: str = "threads",
    batch: int = 16,
    token_in_flight: int | None = None,
) -> dict[str, float]:
    async with AiohttpTransport.session(limit=300) as session:
        trip = await token_trip(session, parties.tokens + "/token", grant_key)
    # the case proper: a new session, as an agency starting a case meets the banks afresh
    async with AiohttpTransport.session(limit=300) as session:
        client, timed = new_client(
            session,
            parties,
            variant,
            private_key,
            grant_key,
            crypto=crypto,
            signing=signing,
            batch=batch,
            token_in_flight=token_in_flight,
        )
        endpoints = bank_endpoints(parties, variant, banks)
        cpu, (token_cpu, bank_cpu) = time.process_time(), parties.cpu()
        started = timed.started = time.perf_counter()
        results = await FanOut(client).run(CASE, endpoints, Plan(endpoints=()))
        measured = time.perf_counter() - started
        cpu = time.process_time() - cpu
        token_cpu, bank_cpu = (
            after - before for after, before in zip(parties.cpu(), (token_cpu, bank_cpu), strict=True)
        )
        # the next case within the tokens' 120 s: every token is cached, none is on the critical path
        started = time.perf_counter()
        again = await FanOut(client).run(CASE, endpoints, Plan(endpoints=()))
        warm = time.perf_counter() - started
    for run in (results, again):
        assert all(r.outcome is Outcome.OK for r in run), [r.reason for r in run if r.outcome is not Outcome.OK]
        assert sum(len(r.accounts) for r in run) == banks * 15
    return {
        "token_trip": trip,
        "measured": measured,
        "warm": warm,
        "last_token": timed.last,
        "cpu": cpu,
        "token_cpu": token_cpu,
        "bank_cpu": bank_cpu,
    }


async def raw_floor(parties: Parties, banks: int) -> float:
    """Bare aiohttp: the same requests, pages followed, no token, no headers, no checks (the machine's floor)."""
    async with AiohttpTransport.session(limit=300) as session:

        async def one(index: int) -> None:
            url: str | None = f"{parties.banks}/plain/b{index:03d}/v2/accounts"
            while url:
                async with session.get(url) as response:
                    links = msgspec.json.decode(await response.read())["links"]
                url = parties.banks + links[0]["href"] if links else None

        started = time.perf_counter()
        await asyncio.gather(*(one(index) for index in range(banks)))
        return time.perf_counter() - started


async def bench(parties: Parties, args: argparse.Namespace, keys: dict[str, Any], grant_key: Any) -> None:
    """Each variant ``--repeat`` times, interleaved with the raw floor; the median of each."""
    print(
        f"{args.banks} banks × {args.pages} pages × {args.delay * 1000:.0f} ms; results all ok, "
        f"{args.banks * args.pages * 5} accounts; {args.loop}; token service: {args.token_service}"
        f"{f' ({args.token_threads} threads)' if args.token_threads else ''}; grants signed {args.signing} "
        f"in batches of {args.batch}, {args.token_in_flight or 'unbounded'} token requests at once; "
        f"median of {args.repeat}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    pages = args.pages * args.delay
    pool = ProcessPoolExecutor(args.workers, mp_context=SPAWN) if args.workers else None
    variants: list[tuple[str, Any]] = [(name, None) for name in args.variants.split(",")]
    if pool is not None:
        variants += [(f"{name}+w", pool) for name in args.variants.split(",") if name != "plain"]
    for variant, crypto in variants:
        name = variant.split("+")[0]
        await raw_floor(parties, 5)
        options = {
            "crypto": crypto,
            "signing": args.signing,
            "batch": args.batch,
            "token_in_flight": args.token_in_flight,
        }
        await run_variant(parties, 5, name, keys[name], grant_key, **options)  # warm-up
        floors, runs = [], []
        for _ in range(args.repeat):
            floors.append(await raw_floor(parties, args.banks))
            runs.append(await run_variant(parties, args.banks, name, keys[name], grant_key, **options))
        floor = statistics.median(floors)
        trip, cold, warm, last, cpu, token_cpu, bank_cpu = (
            statistics.median(run[key] for run in runs)
            for key in ("token_trip", "measured", "warm", "last_token", "cpu", "token_cpu", "bank_cpu")
        )
        ideal = pages + trip
        print(
            f"  {variant:7s} cold  token trip {trip * 1000:5.1f} ms  ideal {ideal * 1000:6.1f} ms  "
            f"measured {cold * 1000:7.1f} ms  efficiency {ideal / cold:.2f}  (last token at {last * 1000:.0f} ms, "
            f"CPU ms: client {cpu * 1000:.0f}, token service {token_cpu * 1000:.0f}, banks {bank_cpu * 1000:.0f}; "
            f"raw floor {floor * 1000:.0f} ms + token trip: {(floor + trip) / cold:.2f})"
        )
        print(
            f"  {variant:7s} warm  tokens cached        ideal {pages * 1000:6.1f} ms  "
            f"measured {warm * 1000:7.1f} ms  efficiency {pages / warm:.2f}  (raw floor: {floor / warm:.2f})"
        )
    print(f"  raw aiohttp floor alone: efficiency {pages / floor:.2f} (the same requests: no token, no protocol)")
    if pool is not None:
        pool.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--banks", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--variants", default="plain,rsa,ec", help="comma-separated: plain, rsa, ec")
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="also run JWE variants decrypting in this many worker processes (+w); 0: no",
    )
    parser.add_argument(
        "--token-service",
        choices=("signing", "stub"),
        default="signing",
        help="signing: verifies grants and signs tokens (RS256) like Maskinporten; stub: neither",
    )
    parser.add_argument(
        "--token-threads",
        type=int,
        default=0,
        help="the token service signs in this many threads (0: on its event loop)",
    )
    parser.add_argument(
        "--signing",
        choices=("threads", "inline"),
        default="threads",
        help="where the client signs its grants (TokenProvider(signing=...))",
    )
    parser.add_argument("--batch", type=int, default=16, help="grants signed per executor call (TokenProvider)")
    parser.add_argument(
        "--token-in-flight",
        type=int,
        default=None,
        help="token requests at once (TokenProvider(max_in_flight=...)); default unbounded",
    )
    parser.add_argument(
        "--loop",
        choices=("uvloop", "asyncio"),
        default="uvloop",
        help="event loop of all parties (uvicorn[standard] runs on uvloop)",
    )
    args = parser.parse_args()
    rsa_key, ec_key, grant_key = generate_rsa_key(kid="enc"), generate_ec_key(kid="enc-ec"), generate_rsa_key(kid="g")
    keys = {"plain": rsa_key, "rsa": rsa_key, "ec": ec_key}
    parties = start_parties(
        BankShape(args.delay, args.pages),
        {"rsa": public_jwk(rsa_key), "ec": public_jwk(ec_key)},
        public_jwk(grant_key),
        token_mode=args.token_service,
        token_threads=args.token_threads,
        loop=args.loop,
    )
    try:
        _run(bench(parties, args, keys, grant_key), args.loop)
    finally:
        parties.stop()


if __name__ == "__main__":
    main()
