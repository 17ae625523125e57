"""Benchmark one pension institution's monthly Ajourhold av OTP sync of an employer with 10,000 employees.

A plain script (prints figures, asserts nothing, not run in CI):

1. a child process generates a stand-alone a-ordning of one employer with N employees
   (``synth.aordning.one_employer``) and serves Skatteetaten's OTP APIs and NAV's Aa-registeret OTP API
   (the real apps, with an in-memory avtaleforhold registry and a verifier trusting this script's key)
   under uvicorn on one loopback port, next to a bare ``GET /bench/ping``;
2. the institution's sync (``pension.sync``: register the agreement, list the employees, then per person
   Inntekt + Aa-registeret GraphQL, 32 at a time, the results stored in batches in SQLite) runs for the last
   complete month, end to end over HTTP;
3. the floor: the same number of bare HTTP round trips (1 + 1 + 2 N) to ``/bench/ping`` on the same
   connection pool with the same concurrency, measured in the same run.

It prints persons/s of both and their ratio (the target is ≥ 0.5× the floor), each the median of ``--runs``.

    .venv/bin/python bench/otp.py [--employees 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ISSUER = "https://bench-issuer.local/"
AUDIENCE = "http://127.0.0.1/"
EMPLOYER = "974942003"
SEED = 20
CONCURRENCY = 32


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(port: int, jwks_file: str, employees: int) -> None:
    """Child process: Skatteetaten's and NAV's OTP APIs over one employer, plus a bare ping."""
    import uvicorn

    from opendsop.clock import oslo_today
    from opendsop.contracts.verify import TokenVerifier
    from opendsop.sources import nav, skatteetaten
    from opendsop.sources.data import generate_world
    from opendsop.sources.otp_agreements import MemoryAgreements
    from opendsop.synth.aordning import one_employer

    async def fetch(_url: str) -> dict[str, object]:
        found: dict[str, object] = json.loads(Path(jwks_file).read_text())  # the parent's key, once it is known
        return found

    today = oslo_today()
    aordning = one_employer(SEED, today, employees=employees, orgnr=EMPLOYER)
    small = generate_world(1, today=today, persons=2, organisations=1)
    agreements = MemoryAgreements()
    verifier = TokenVerifier(ISSUER, ISSUER + "jwks", AUDIENCE, (), fetch_jwks=fetch)
    ske = skatteetaten.create_app(small, verifier=verifier, aordning=aordning, agreements=agreements)
    aareg = nav.create_app(small, verifier=verifier, aordning=aordning, agreements=agreements)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/bench/ping":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"ok"})
            return
        target = aareg if scope.get("path", "").startswith("/aareg") else ske
        await target(scope, receive, send)

    providers = aordning.employers[EMPLOYER].providers
    Path(jwks_file + ".ready").write_text(json.dumps({str(m): p for m, p in providers.items()}))
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=75
    )


def _tokens(institution: str) -> tuple[dict[str, str], dict[str, Any]]:
    from opendsop.standard import otp
    from opendsop.trust.jwt import sign_jwt
    from opendsop.trust.keys import generate_rsa_key, public_jwks

    key = generate_rsa_key(kid="bench-1")
    now = int(datetime.now(UTC).timestamp())
    tokens = {}
    for scope in otp.SCOPES:
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "scope": scope,
            "iat": now,
            "exp": now + 3600,
            "jti": str(uuid.uuid4()),
            "client_id": "bench",
            "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{institution}"},
        }
        tokens[scope] = sign_jwt(claims, key, alg="RS256", header={"kid": "bench-1"})
    return tokens, public_jwks([key])


async def _sync(base: str, tokens: dict[str, str], institution: str, database: Path) -> tuple[float, int]:
    from opendsop.clock import oslo_today
    from opendsop.pension.bransjenorm import DEFAULT_TABLE
    from opendsop.pension.client import OtpClient
    from opendsop.pension.store import PensionStore
    from opendsop.pension.sync import sync
    from opendsop.serving import create_engine
    from opendsop.standard import otp

    async def token(_audience: str, scope: str) -> str:
        return tokens[scope]

    today = oslo_today()
    month = otp.last_complete_month(today)
    store = PensionStore(create_engine(f"sqlite+aiosqlite:///{database}"))
    await store.create_schema()
    limits = httpx.Limits(max_connections=CONCURRENCY * 2, max_keepalive_connections=CONCURRENCY * 2)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        client = OtpClient(
            http, token, skatteetaten_url=base, skatteetaten_audience=AUDIENCE, nav_url=base, nav_audience=AUDIENCE
        )
        started = time.perf_counter()
        report = await sync(
            client, store, DEFAULT_TABLE, institution=institution, employer=EMPLOYER, first=month, today=today,
            concurrency=CONCURRENCY,
        )  # fmt: skip
        seconds = time.perf_counter() - started
    await store.close()
    return seconds, report.persons


async def _floor(base: str, requests: int) -> float:
    limits = httpx.Limits(max_connections=CONCURRENCY * 2, max_keepalive_connections=CONCURRENCY * 2)
    gate = asyncio.Semaphore(CONCURRENCY * 2)  # the sync asks Inntekt and Aa-registeret at once per person
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:

        async def one() -> None:
            async with gate:
                (await http.get(base + "/bench/ping")).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(requests)))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve[0]), args.serve[1], int(args.serve[2]))
        return
    from opendsop.clock import oslo_today
    from opendsop.standard import otp

    with tempfile.TemporaryDirectory() as tmp:
        jwks_file = Path(tmp) / "jwks.json"
        # the institution is the one the a-melding names; the child tells it once the world is made
        port = _free_port()
        provisional, jwks = _tokens("000000000")
        jwks_file.write_text(json.dumps(jwks))
        child = subprocess.Popen([sys.executable, __file__, "--serve", str(port), str(jwks_file), str(args.employees)])
        try:
            ready = Path(str(jwks_file) + ".ready")
            started = time.perf_counter()
            while not ready.exists():
                if child.poll() is not None:
                    raise SystemExit("the server process ended")
                time.sleep(0.2)
            print(f"a-ordning of {args.employees:,} employees made in {time.perf_counter() - started:.1f} s")
            providers = json.loads(ready.read_text())
            institution = providers[str(otp.last_complete_month(oslo_today()))]
            tokens, jwks = _tokens(institution)
            jwks_file.write_text(json.dumps(jwks))  # read by the child's verifier on its first token
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    httpx.get(base + "/bench/ping", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
            del provisional
            syncs, floors = [], []
            for run in range(args.runs):
                seconds, persons = asyncio.run(_sync(base, tokens, institution, Path(tmp) / f"pension-{run}.db"))
                requests = 2 + 2 * persons  # register, the employee list, then Inntekt + Aa-registeret per person
                floor = asyncio.run(_floor(base, requests))
                syncs.append(persons / seconds)
                floors.append(persons / floor)
                print(
                    f"run {run + 1}: sync {persons:,} persons in {seconds:.1f} s ({persons / seconds:,.0f} persons/s); "
                    f"floor {requests:,} bare round trips in {floor:.1f} s ({persons / floor:,.0f} persons/s)"
                )
            sync_rate, floor_rate = statistics.median(syncs), statistics.median(floors)
            print(
                f"median: sync {sync_rate:,.0f} persons/s, floor {floor_rate:,.0f} persons/s, "
                f"ratio {sync_rate / floor_rate:.2f}× (target ≥ 0.5×)"
            )
        finally:
            child.terminate()
            child.wait(timeout=10)


if __name__ == "__main__":
    main()
