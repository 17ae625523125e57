"""Benchmark a bank's account list (``GET /v2/accounts``) at 64 concurrent connections against a bare endpoint.

A plain script (prints figures, asserts nothing, not run in CI):

1. creates its own PostgreSQL database on 127.0.0.1:5432 (dropped at the end) and loads one party
   with ``--accounts`` accounts (default 5) and a few transactions;
2. starts the bank's Control API under uvicorn in a child process (the same set-up as
   ``provider_transactions.py``: SQL store, token verification, static CertPub port, JWE on,
   memory audit log, no rate limit) and, in another child, a bare ASGI endpoint under the same
   uvicorn that answers every request with the bytes of one real account-list answer (Starlette is
   not installed; a raw ASGI callable is the stricter floor, a bare Litestar handler is measured
   too, to show the framework's share); and the **same-work floor**: a bare ASGI app doing per request
   one asyncpg query of the same rows, an HMAC reference per account, msgspec encoding and the JWE
   (target: the bank >= 0.5x its rate, <= 0.5 ms server CPU per list, p99 <= 50 ms);
3. for each target, drives ``--seconds`` (default 10) of requests (``--fresh-cases``: each bank request in a
   case of its own, so each one stores its references; by default all repeat one case) from 64 concurrent aiohttp
   connections (after a 2 s warm-up) and prints requests/s, p50/p99/max latency and the ratio of the
   bank to each bare endpoint (target >= 0.5x, p99 <= 50 ms);
4. prints the CPU each server process spent per measured request (``/proc``: user + system time), and for the
   bank the CPU of the PostgreSQL backends serving its database: figures that other load on the machine
   disturbs far less than requests/s.

``--repeat N`` runs steps 3–4 N times on the same servers and prints the median of each figure.

``--profile`` instead runs the in-process pipeline (``Pipeline.handle``, no HTTP) for ``--requests``
account lists (``--concurrency`` of them in flight), once plain (prints lists/s and CPU ms per list) and
once under cProfile timed by process CPU time, and prints the top functions by cumulative and own time;
``--replay-store`` replays the store's first answer, leaving the pipeline's own CPU.

    .venv/bin/python bench/provider_accounts.py [--seconds 10] [--connections 64] [--repeat 3] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
from litestar import Litestar, Response, get

sys.path.insert(0, str(Path(__file__).resolve().parent))
import provider_transactions as common  # noqa: E402  (the shared set-up of the two bank benchmarks)

CONNECTIONS = 64


async def load(url: str, accounts: int) -> None:
    from opendsop.provider.store import AccountRow, PartyRow, RelationRole, RelationRow, SqlBankStore
    from opendsop.standard.control.v2 import AccountType

    store = await SqlBankStore.open(url, reference_secret=common.REFERENCE_SECRET.encode())
    try:
        party = common.party_id()
        rows = [
            AccountRow(
                account_id=f"acc-{n}",
                account_number=f"1234567{n:04d}",
                type=AccountType.SALARY_ACCOUNT,
                currency="NOK",
                start_date=date(2010, 1, 1),
            )
            for n in range(accounts)
        ]
        await store.load(
            parties=[PartyRow(party_id=party, name="Bench Person")],
            accounts=rows,
            relations=[
                RelationRow(
                    account_id=row.account_id,
                    party_id=party,
                    role=RelationRole.PRIMARY_OWNER,
                    start_date=date(2010, 1, 1),
                )
                for row in rows
            ],
        )
    finally:
        await store.close()


# ---- the bare endpoints (child process) ------------------------------------------------------------


def serve_bare(port: int, body_file: str, kind: str) -> None:
    import uvicorn

    body = Path(body_file).read_bytes()
    headers = [(b"content-type", b"application/jose"), (b"content-length", str(len(body)).encode())]

    async def raw(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    app: Any = raw
    if kind == "samework":
        app = same_work_app(body_file)
    if kind == "litestar":

        @get("/v2/accounts", sync_to_thread=False)
        def accounts() -> Response[bytes]:
            return Response(body, media_type="application/jose")

        app = Litestar([accounts], openapi_config=None, logging_config=None)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, log_config=None)


def same_work_app(settings_file: str) -> Any:
    """The same-work floor: per request one asyncpg query of the party's accounts (with their relation and
    owner), an HMAC accountReference per account, one msgspec encoding and the JWE to the consumer — the
    irreducible work of an account list, with no framework, token check, rules or audit record."""
    import hashlib
    import hmac

    import asyncpg
    import msgspec
    from cryptography import x509

    from opendsop.trust.jwe import encrypt_compact_bytes

    given = json.loads(Path(settings_file).read_text())
    certificate = x509.load_pem_x509_certificate(given["certificate"].encode())
    secret = common.REFERENCE_SECRET.encode()
    encode = msgspec.json.Encoder().encode
    query = (
        "SELECT a.account_id, a.account_number, a.type, a.currency, a.status, a.start_date, a.servicer_id,"
        " a.servicer_name, p.party_id, p.name, r.role FROM bank_account_relation r"
        " JOIN bank_account a ON a.account_id = r.account_id JOIN bank_party p ON p.party_id = r.party_id"
        " WHERE r.party_id = $1 ORDER BY a.account_number"
    )
    headers = [(b"content-type", b"application/jose")]
    state: dict[str, Any] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                if message["type"] == "lifespan.startup":
                    state["pool"] = await asyncpg.create_pool(given["database"], min_size=4, max_size=10)
                    await send({"type": "lifespan.startup.complete"})
            await state["pool"].close()
            await send({"type": "lifespan.shutdown.complete"})
            return
        party = dict(scope["headers"]).get(b"partyid", b"").decode()
        rows = await state["pool"].fetch(query, party)
        accounts = [
            {
                "accountIdentifier": row["account_number"],
                "accountReference": hmac.new(secret, row["account_id"].encode(), hashlib.sha256).hexdigest(),
                "type": row["type"],
                "currency": row["currency"],
                "status": row["status"],
                "startDate": row["start_date"],
                "servicer": {"identifier": row["servicer_id"], "name": row["servicer_name"]},
                "primaryOwner": {"identifier": row["party_id"], "name": row["name"], "role": row["role"]},
            }
            for row in rows
        ]
        body = encrypt_compact_bytes(encode({"accounts": accounts}), certificate)
        length = (b"content-length", str(len(body)).encode())
        await send({"type": "http.response.start", "status": 200, "headers": [*headers, length]})
        await send({"type": "http.response.body", "body": body})

    return app


# ---- the load ------------------------------------------------------------------------------------


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds each of ``pids`` has used so far (Linux ``/proc``; none elsewhere)."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: proc(5)
    return used


async def backend_pids(database: str) -> list[int]:
    """The PostgreSQL backends connected to ``database`` (the bank's pool)."""
    import asyncpg

    admin = await asyncpg.connect(common.ADMIN)
    try:
        return [
            row["pid"] for row in await admin.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", database)
        ]
    finally:
        await admin.close()


Result = tuple[int, list[float], float, int, dict[str, float]]
Pids = Callable[[], Awaitable[list[int]]]


def fixed(*pids: int) -> Pids:
    async def listed() -> list[int]:
        return list(pids)

    return listed


async def drive(
    port: int,
    request_headers: dict[str, str],
    params: dict[str, str],
    *,
    seconds: float,
    warmup: float,
    connections: int,
    fresh_cases: bool = False,
    watch: dict[str, Pids] | None = None,
) -> Result:
    """(requests, latencies in ms, measured seconds, errors, CPU seconds per watched group) from ``connections``
    concurrent loops; ``fresh_cases``: a new AccountInfoRequestID per request (so every list stores its
    references); ``watch``: name -> the processes whose CPU time over the measured window is reported (asked
    again at its end: a pool may open connections meanwhile)."""
    url = f"http://127.0.0.1:{port}/v2/accounts"
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        begin = time.perf_counter()
        measure_from = begin + warmup
        stop_at = measure_from + seconds

        async def loop() -> None:
            nonlocal errors
            while (now := time.perf_counter()) < stop_at:
                sent = request_headers
                if fresh_cases:
                    sent = {**request_headers, "AccountInfoRequestID": str(uuid.uuid4())}
                async with session.get(url, params=params, headers=sent) as response:
                    await response.read()
                    ok = response.status == 200
                done = time.perf_counter()
                if now >= measure_from:
                    latencies.append((done - now) * 1000)
                    errors += 0 if ok else 1

        watched = watch or {}
        cpu_from: dict[str, dict[int, float]] = {}

        async def snapshot() -> None:
            await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
            cpu_from.update({group: cpu_seconds(await pids()) for group, pids in watched.items()})

        await asyncio.gather(snapshot(), *(loop() for _ in range(connections)))
        cpu = {}
        for group, pids in watched.items():
            cpu[group] = sum(used - cpu_from[group].get(pid, 0.0) for pid, used in cpu_seconds(await pids()).items())
    return len(latencies), latencies, seconds, errors, cpu


Figures = dict[str, float]


def describe(name: str, result: Result) -> Figures:
    count, latencies, seconds, errors, cpu = result
    q = statistics.quantiles(sorted(latencies), n=100, method="inclusive")
    figures = {"rate": count / seconds, "p50": q[49], "p99": q[98], "max": max(latencies)}
    figures.update({f"cpu {group}": used * 1000 / count for group, used in cpu.items()})
    cpu_text = "".join(f"   {group} CPU {used * 1000 / count:.2f} ms/req" for group, used in cpu.items())
    print(
        f"  {name:<28} {figures['rate']:>8,.0f} req/s   p50 {q[49]:6.1f} ms  p99 {q[98]:6.1f} ms  "
        f"max {max(latencies):6.1f} ms   ({count:,} requests, {errors} errors){cpu_text}",
        flush=True,
    )
    return figures


def summarise(runs: list[dict[str, Figures]]) -> None:
    """The median of each figure over ``runs`` (each: target -> figures) and the median ratios."""
    print(f"median of {len(runs)} runs:")
    for target in runs[0]:
        medians = {key: statistics.median(run[target][key] for run in runs) for key in runs[0][target]}
        cpu_text = "".join(f"   {key} {value:.2f} ms/req" for key, value in medians.items() if key.startswith("cpu"))
        print(
            f"  {target:<28} {medians['rate']:>8,.0f} req/s   p50 {medians['p50']:6.1f} ms  "
            f"p99 {medians['p99']:6.1f} ms{cpu_text}"
        )
    for floor in ("same-work floor", "bare ASGI", "bare Litestar"):
        ratio = statistics.median(run["bank"]["rate"] / run[floor]["rate"] for run in runs)
        print(f"  ratio bank/{floor} {ratio:.2f}x (median of the per-run ratios)")


async def wait_ready(port: int, path: str) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(300):
            try:
                await client.get(path)
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


async def run(accounts: int, seconds: float, connections: int, fresh_cases: bool = False, repeat: int = 1) -> None:
    import httpx

    name, database_url = await common.create_database("dsop_bench_acc")
    children: list[subprocess.Popen[bytes]] = []
    material = body_file = same_work_file = None
    try:
        await load(database_url, accounts)
        child, port, _credential, token, material = common.start_server(common.__file__, database_url)
        children.append(child)
        party, case = common.party_id(), str(uuid.uuid4())
        start, end = common.period()
        params = {"OnlyPrimaryOwner": "false", "fromDate": start.isoformat(), "toDate": end.isoformat()}
        request_headers = common.headers(token, party, case)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            await common.wait_for(client)
            sample = await client.get("/v2/accounts", params=params, headers=request_headers)
        if sample.status_code != 200:
            raise RuntimeError(f"accounts: {sample.status_code} {sample.text[:300]}")
        body_file = str(Path(material).with_suffix(".body"))
        Path(body_file).write_bytes(sample.content)
        same_work_file = str(Path(material).with_suffix(".samework"))
        Path(same_work_file).write_text(
            json.dumps({"database": database_url.replace("+asyncpg", ""), **json.loads(Path(material).read_text())})
        )
        bare_ports = {}
        for kind in ("raw", "litestar", "samework"):
            bare_ports[kind] = common.free_port()
            children.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        __file__,
                        "--bare",
                        kind,
                        "--port",
                        str(bare_ports[kind]),
                        "--body",
                        str(same_work_file if kind == "samework" else body_file),
                    ]
                )
            )
            await wait_ready(bare_ports[kind], "/v2/accounts")
        print(
            f"account list of {accounts} accounts ({len(sample.content):,} bytes JWE), {connections} connections, "
            f"{seconds:.0f} s each after 2 s warm-up; 1 uvicorn worker each, h11, asyncio loop; "
            f"client aiohttp on the same 2 cores"
        )

        async def backends() -> list[int]:
            return await backend_pids(name)

        watch_bank = {"server": fixed(child.pid), "postgres": backends}
        runs: list[dict[str, Figures]] = []
        for _ in range(repeat):
            bank = describe(
                "bank (full pipeline)" + (", new cases" if fresh_cases else ""),
                await drive(
                    port,
                    request_headers,
                    params,
                    seconds=seconds,
                    warmup=2,
                    connections=connections,
                    fresh_cases=fresh_cases,
                    watch=watch_bank,
                ),
            )
            raw = describe(
                "bare ASGI, same bytes",
                await drive(
                    bare_ports["raw"],
                    request_headers,
                    params,
                    seconds=seconds,
                    warmup=2,
                    connections=connections,
                    watch={"server": fixed(children[1].pid)},
                ),
            )
            lite = describe(
                "bare Litestar, same bytes",
                await drive(
                    bare_ports["litestar"],
                    request_headers,
                    params,
                    seconds=seconds,
                    warmup=2,
                    connections=connections,
                    watch={"server": fixed(children[2].pid)},
                ),
            )
            same = describe(
                "same-work floor (asyncpg+msgspec+JWE)",
                await drive(
                    bare_ports["samework"],
                    request_headers,
                    params,
                    seconds=seconds,
                    warmup=2,
                    connections=connections,
                    watch={"server": fixed(children[3].pid), "postgres": backends},
                ),
            )
            print(
                f"  ratio bank/same-work floor {bank['rate'] / same['rate']:.2f}x (target >= 0.5x), server CPU "
                f"{bank['cpu server']:.2f} vs {same['cpu server']:.2f} ms/req (target <= 0.5 ms); "
                f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}",
                flush=True,
            )
            print(
                f"  ratio bank/bare ASGI {bank['rate'] / raw['rate']:.2f}x, "
                f"bank/bare Litestar {bank['rate'] / lite['rate']:.2f}x   target >= 0.5x: "
                f"{'met' if bank['rate'] / raw['rate'] >= 0.5 else 'NOT met'} (vs ASGI);   "
                f"p99 {bank['p99']:.1f} ms, target <= 50 ms: {'met' if bank['p99'] <= 50 else 'NOT met'}",
                flush=True,
            )
            runs.append({"bank": bank, "same-work floor": same, "bare ASGI": raw, "bare Litestar": lite})
        if repeat > 1:
            summarise(runs)
    finally:
        for child in children:
            child.terminate()
            child.wait(timeout=10)
        for path in (material, body_file, same_work_file):
            if path:
                os.unlink(path)
        await common.drop_database(name)


# ---- cProfile of the in-process path ----------------------------------------------------------------


class ReplayStore:
    """The SQL store's first account list, replayed for every later one (``--replay-store``): the pipeline's
    own CPU without the database's share.  Its bodies are shared, so they are filtered by copy."""

    fresh_bodies = False

    def __init__(self, store: Any) -> None:
        self._store, self._listed = store, None

    async def accounts_for_party(self, *args: Any, **kwargs: Any) -> Any:
        if self._listed is None:
            self._listed = await self._store.accounts_for_party(*args, **kwargs)
        return self._listed


async def profile(accounts: int, requests: int, concurrency: int = 1, replay_store: bool = False) -> None:
    import cProfile
    import pstats

    from opendsop.audit.log import MemoryAuditLog
    from opendsop.contracts.verify import TokenVerifier
    from opendsop.provider.pipeline import Pipeline
    from opendsop.provider.ports import MemoryRegisters, RegisterFacts, StaticCertificates
    from opendsop.provider.settings import SCOPE
    from opendsop.provider.store import SqlBankStore
    from opendsop.standard.endpoints import Endpoint
    from opendsop.standard.request import Environment
    from opendsop.trust.jwt import sign_jwt
    from opendsop.trust.keys import generate_rsa_key, public_jwks
    from opendsop.trust.pki import CertificateAuthority

    name, database_url = await common.create_database("dsop_bench_prof")
    try:
        await load(database_url, accounts)
        from datetime import UTC, datetime, timedelta

        now = datetime.now(UTC)
        root = CertificateAuthority.create_root("r", now=now - timedelta(days=1))
        credential = root.issue_intermediate("i", now=now - timedelta(days=1)).issue_enterprise(
            common.SKATT_ORG, organisation_name="SKATT", now=now - timedelta(days=1), purpose="encryption"
        )
        key = generate_rsa_key(kid="p-1")
        audience = "http://127.0.0.1:1/v2"
        stamp = int(now.timestamp())
        token = sign_jwt(
            {
                "iss": common.ISSUER,
                "aud": audience,
                "scope": SCOPE,
                "iat": stamp,
                "exp": stamp + 3600,
                "jti": "p",
                "client_id": "bench",
                "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{common.SKATT_ORG}"},
            },
            key,
            alg="RS256",
            header={"kid": "p-1"},
        )
        jwks = public_jwks([key])

        async def fetch(_url: str) -> Any:
            return jwks

        store = await SqlBankStore.open(database_url, migrate=False, reference_secret=common.REFERENCE_SECRET.encode())
        pipeline = Pipeline(
            environment=Environment.TEST,
            tokens=TokenVerifier(common.ISSUER, common.ISSUER + "jwks", audience, (SCOPE,), fetch_jwks=fetch),
            store=ReplayStore(store) if replay_store else store,
            facts=RegisterFacts(MemoryRegisters()),
            certificates=StaticCertificates({common.SKATT_ORG: credential.certificate}),
            audit=MemoryAuditLog(),
            paging_key=common.PAGING_KEY.encode(),
        )
        start, end = common.period()
        query = {"OnlyPrimaryOwner": "false", "fromDate": start.isoformat(), "toDate": end.isoformat()}
        request_headers = common.headers(token, common.party_id(), str(uuid.uuid4()))

        async def one() -> None:
            answer = await pipeline.handle(Endpoint.ACCOUNTS, path="/v2/accounts", headers=request_headers, query=query)
            if answer.status != 200:
                raise RuntimeError(answer.body[:300])

        async def many() -> float:
            async def worker(count: int) -> None:
                for _ in range(count):
                    await one()

            started = time.perf_counter()
            await asyncio.gather(*(worker(requests // concurrency) for _ in range(concurrency)))
            return time.perf_counter() - started

        for _ in range(50):
            await one()
        done = requests // concurrency * concurrency
        cpu_started = time.process_time()
        elapsed = await many()
        cpu = time.process_time() - cpu_started
        what = f"in-process pipeline{' (store replayed)' if replay_store else ''}, {concurrency} concurrent"
        print(
            f"{what}: {done / elapsed:,.0f} account lists/s without profiler, {cpu / done * 1000:.3f} ms CPU each "
            "(this process)"
        )
        # CPU time, not wall time: on 2 shared cores a wall-clock profile charges preemption (by PostgreSQL,
        # other load) to whichever call was running, e.g. a socket send.
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        elapsed = await many()
        profiler.disable()
        print(f"{what}: {done / elapsed:,.0f} account lists/s under cProfile ({elapsed / done * 1000:.2f} ms each)")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(45)
        await store.close()
    finally:
        await common.drop_database(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--repeat", type=int, default=1, help="measure each target N times, print the medians")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--fresh-cases",
        action="store_true",
        help="a new AccountInfoRequestID per bank request: every list stores new references "
        "(the default repeats one case, whose references are stored after the first list)",
    )
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=1, help="with --profile: requests in flight")
    parser.add_argument(
        "--replay-store",
        action="store_true",
        help="with --profile: replay the store's first answer (the pipeline without the database)",
    )
    parser.add_argument("--bare", choices=("raw", "litestar", "samework"))
    parser.add_argument("--port", type=int)
    parser.add_argument("--body")
    args = parser.parse_args()
    if args.bare:
        serve_bare(args.port, args.body, args.bare)
        return
    if args.profile:
        asyncio.run(profile(args.accounts, args.requests, args.concurrency, args.replay_store))
        return
    asyncio.run(run(args.accounts, args.seconds, args.connections, args.fresh_cases, args.repeat))


if __name__ == "__main__":
    main()
