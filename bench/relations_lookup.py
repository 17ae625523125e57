"""Benchmark ``GET /customers/customerRelationships`` latency over HTTP with many relationships loaded.

A plain script (prints figures, asserts nothing, not run in CI):

1. creates its own PostgreSQL database on 127.0.0.1:5432 (dropped at the end) with the hub's schema;
2. loads N KAR relationships (default 10,000,000; the load stops early, and says so, if it would
   take more than ``--load-budget`` seconds) plus N/10 KFR relationships by COPY, then builds the
   lookup indexes (``customer_id, org_no`` on both tables);
3. starts the hub under uvicorn on a loopback port in a child process (same code as ``dsop
   relations serve``, with a verifier trusting this script's key);
4. sends sequential requests for random customers (each has 4 KAR + 1 KFR relationships) with a
   real Maskinporten-shaped token, Skatt's Legal-Mandate and a 5-year period, and prints the p50,
   p90, p99 and max latency.  Every request goes through token verification, ``authorize``,
   both sources and the merge.

    .venv/bin/python bench/relations_lookup.py [--relations 10000000] [--requests 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random

import asyncpg
import httpx

ADMIN = os.environ.get("DSOP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
ISSUER = "https://bench-issuer.local/"
AUDIENCE = "http://127.0.0.1"
SKATT_ORG = "974761076"
BANKS = [f"9{n:08d}" for n in range(100)]
QUERY_CUSTOMERS = 2000
CHUNK = 250_000


def _available(module: str, fallback: str) -> str:
    """What uvicorn's "auto" picks: the C implementation when installed."""
    try:
        __import__(module)
    except ImportError:
        return fallback
    return module


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _query_customers(rng: Random) -> list[str]:
    from opendsop.standard.identifiers import generate_fodselsnummer

    seen: set[str] = set()
    while len(seen) < QUERY_CUSTOMERS:
        seen.add(
            generate_fodselsnummer(
                rng, date(1940 + rng.randrange(60), 1 + rng.randrange(12), 1 + rng.randrange(28)), synthetic=True
            )
        )
    return sorted(seen)


async def load(url: str, relations: int, budget: float) -> tuple[int, int, list[str], float]:
    """Fill KAR and KFR; returns (KAR rows, KFR rows, customers to query, seconds)."""
    rng = Random(11)
    queried = _query_customers(rng)
    starts = [date(2012 + y, 1 + m, 1) for y in range(12) for m in range(12)]
    roles = ("owner", "owner", "secondary_owner", "disponent")
    conn = await asyncpg.connect(url)
    started = time.perf_counter()
    try:
        await conn.execute(
            "DROP INDEX ix_kar_relation_customer; DROP INDEX ix_kar_relation_account; "
            "DROP INDEX ix_kfr_relation_customer"
        )
        await conn.copy_records_to_table(
            "institution", records=[(b, f"Bank {b}") for b in BANKS], columns=("org_no", "name")
        )
        kar_columns = ("customer_id", "org_no", "account_no", "role", "start_date", "end_date", "nics_reachable")
        kfr_columns = ("org_no", "customer_id", "rel_type", "start_date", "end_date")
        kar_rows = kfr_rows = 0
        # the customers we query: 4 KAR relations (one closed long ago) and 1 KFR relation each
        kar = [
            (
                c,
                BANKS[(i + k) % 100],
                f"7{i:06d}{k:04d}",
                roles[k],
                starts[(i + k) % len(starts)],
                date(2013, 1, 1) if k == 3 else None,
                True,
            )
            for i, c in enumerate(queried)
            for k in range(4)
        ]
        kfr = [(BANKS[(i + 50) % 100], c, "DSOPBANK", starts[i % len(starts)], None) for i, c in enumerate(queried)]
        await conn.copy_records_to_table("kar_relation", records=kar, columns=kar_columns)
        await conn.copy_records_to_table("kfr_relation", records=kfr, columns=kfr_columns)
        kar_rows, kfr_rows = len(kar), len(kfr)
        # filler customers: 4 KAR relations each (ids outside the synthetic range of the queried ones)
        customer = 0
        while kar_rows < relations:
            if time.perf_counter() - started > budget:
                print(f"  load budget of {budget:.0f} s reached: stopping at {kar_rows:,} KAR relations")
                break
            size = min(CHUNK, relations - kar_rows)
            chunk = []
            for n in range(size):
                who = customer + n // 4
                chunk.append(
                    (
                        f"0{who:010d}",
                        BANKS[(who * 7 + n) % 100],
                        f"8{who:08d}{n % 4:02d}",
                        roles[n % 4],
                        starts[who % len(starts)],
                        None,
                        True,
                    )
                )
            customer += size // 4 + 1
            await conn.copy_records_to_table("kar_relation", records=chunk, columns=kar_columns)
            kar_rows += size
            if kar_rows // 10 > kfr_rows:
                filler = [
                    (BANKS[(customer - n) % 100], f"0{customer - n:010d}", "DSOPBANK", starts[n % len(starts)], None)
                    for n in range(1, min(size // 10, customer))
                ]
                await conn.copy_records_to_table("kfr_relation", records=filler, columns=kfr_columns)
                kfr_rows += len(filler)
            print(
                f"  loaded {kar_rows:>12,} KAR / {kfr_rows:>11,} KFR relations ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
        index_started = time.perf_counter()
        await conn.execute("CREATE INDEX ix_kar_relation_customer ON kar_relation (customer_id, org_no)")
        await conn.execute("CREATE INDEX ix_kar_relation_account ON kar_relation (account_no)")
        await conn.execute("CREATE INDEX ix_kfr_relation_customer ON kfr_relation (customer_id, org_no)")
        await conn.execute("ANALYZE")
        print(f"  indexes built in {time.perf_counter() - index_started:.0f} s")
    finally:
        await conn.close()
    return kar_rows, kfr_rows, queried, time.perf_counter() - started


def serve(database_url: str, port: int, jwks_file: str) -> None:
    """Child process: the hub under uvicorn."""
    import uvicorn

    from opendsop.contracts.verify import TokenVerifier
    from opendsop.relations.app import create_app
    from opendsop.relations.settings import RelationsSettings
    from opendsop.standard.request import Environment

    jwks = json.loads(Path(jwks_file).read_text())

    async def fetch(_url: str) -> dict[str, object]:
        return jwks

    settings = RelationsSettings(
        database_url=database_url, issuer=ISSUER, audience=AUDIENCE, environment=Environment.TEST
    )
    verifier = TokenVerifier(ISSUER, ISSUER + "jwks", AUDIENCE, (), fetch_jwks=fetch)
    app = create_app(settings, verifier=verifier, resume_batches=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _token() -> tuple[str, dict[str, object]]:
    from opendsop.trust.jwt import sign_jwt
    from opendsop.trust.keys import generate_rsa_key, public_jwks

    key = generate_rsa_key(kid="bench-1")
    now = int(datetime.now(UTC).timestamp())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "scope": "bits:kundeforhold",
        "iat": now,
        "exp": now + 3600,
        "jti": str(uuid.uuid4()),
        "client_id": "bench",
        "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{SKATT_ORG}"},
    }
    return sign_jwt(claims, key, alg="RS256", header={"kid": "bench-1"}), public_jwks([key])


async def measure(port: int, token: str, customers: list[str], requests: int) -> list[float]:
    from opendsop.standard.mandate import SKATT

    today = datetime.now(UTC).date()
    params = {
        "fromDate": (today - timedelta(days=5 * 365)).isoformat(),
        "toDate": today.isoformat(),
        "onlyPrimaryOwner": "false",
    }
    rng = Random(5)
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=10.0) as client:
        for _ in range(200):  # wait for startup
            try:
                await client.get("/catalogue/kontrollinformasjon")
                break
            except httpx.TransportError:
                await asyncio.sleep(0.1)
        latencies: list[float] = []
        for n in range(requests + 200):
            headers = {
                "Authorization": f"Bearer {token}",
                "CustomerID": rng.choice(customers),
                "CorrelationID": str(uuid.uuid4()),
                "AccountInfoRequestID": str(uuid.uuid4()),
                "Legal-Mandate": SKATT.encoded,
            }
            started = time.perf_counter()
            response = await client.get("/customers/customerRelationships", params=params, headers=headers)
            elapsed = time.perf_counter() - started
            if response.status_code != 200 or not response.json()["banks"]:
                raise RuntimeError(f"unexpected answer {response.status_code}: {response.text[:200]}")
            if n >= 200:  # the first 200 warm caches and connection pools
                latencies.append(elapsed * 1000)
    return latencies


async def run(relations: int, requests: int, budget: float) -> None:
    from opendsop.relations.store import Database

    name = f"dsop_bench_lookup_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    base = ADMIN.rsplit("/", 1)[0]
    database_url = f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    child: subprocess.Popen[bytes] | None = None
    try:
        db = Database.from_url(database_url)
        await db.create_schema()
        await db.close()
        print(f"loading up to {relations:,} KAR relationships (+10% KFR)…")
        kar_rows, kfr_rows, customers, load_s = await load(f"{base}/{name}", relations, budget)
        token, jwks = _token()
        port = _free_port()
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(jwks, handle)
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", database_url, "--port", str(port), "--jwks", handle.name]
        )
        latencies = await measure(port, token, customers, requests)
        latencies.sort()
        q = statistics.quantiles(latencies, n=100)
        print(f"loaded {kar_rows:,} KAR + {kfr_rows:,} KFR relationships in {load_s:.0f} s")
        print(
            f"customerRelationships over HTTP, {len(latencies):,} sequential requests (1 uvicorn worker, "
            f"loop {_available('uvloop', 'asyncio')}, http {_available('httptools', 'h11')}):"
        )
        print(
            f"  p50 {q[49]:.2f} ms   p90 {q[89]:.2f} ms   p99 {q[98]:.2f} ms   max {latencies[-1]:.2f} ms   "
            f"({1000 / statistics.mean(latencies):.0f} req/s)   target p99 <= 10 ms: "
            f"{'met' if q[98] <= 10 else 'NOT met'} ({q[98] / 10:.2f}x of target)"
        )
        os.unlink(handle.name)
    finally:
        if child is not None:
            child.terminate()
            child.wait(timeout=10)
        admin = await asyncpg.connect(ADMIN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relations", type=int, default=10_000_000)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--load-budget", type=float, default=300.0)
    parser.add_argument("--serve", metavar="DATABASE_URL")
    parser.add_argument("--port", type=int)
    parser.add_argument("--jwks")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.jwks)
        return
    asyncio.run(run(args.relations, args.requests, args.load_budget))


if __name__ == "__main__":
    main()
