"""A bank served by 1 and then 2 worker processes (``serve --workers N``) under the same load: how close
to linear the second worker brings it on this machine's 2 cores.

A plain script (prints figures, asserts nothing, not run in CI):

1. creates its own PostgreSQL database (dropped at the end) and loads one party with ``--accounts`` accounts;
2. for N in 1, 2: starts the bank's Control API with ``opendsop.server.run(..., workers=N)`` in a child
   (SQL store and the SQL audit log on that database, records committed before the answer leaves as
   with several workers, token verification against this script's key, JWE on, no rate limit), and
   drives ``--seconds`` of account lists from ``--connections`` concurrent aiohttp connections (each a
   case agency asking again), printing requests/s, p50/p99 and the server CPU per request;
3. prints the ratio of the two rates (2.0 = linear) and the load average: on 2 cores shared with the
   load generator and PostgreSQL, the ceiling is well below 2.

``DSOP_BENCH_RECORD_FIRST=0`` writes audit records after the answer instead (one worker's default).

    .venv/bin/python bench/bank_workers.py [--seconds 10] [--connections 64] [--accounts 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import provider_accounts as accounts_bench  # noqa: E402
import provider_transactions as common  # noqa: E402


def build(database_url: str, port: int, material_file: str) -> Any:
    """The bank app in one worker (module level: each spawned worker builds its own)."""
    from cryptography import x509

    from opendsop.contracts.verify import TokenVerifier
    from opendsop.provider.app import create_app
    from opendsop.provider.ports import MemoryRegisters, RegisterFacts, StaticCertificates
    from opendsop.provider.settings import SCOPE, ProviderSettings

    material = json.loads(Path(material_file).read_text())
    settings = ProviderSettings(
        bank_orgno=common.BANK_ORGNO,
        base_url=f"http://127.0.0.1:{port}/v2",
        database_url=database_url,
        rate_per_second=0,
        paging_key=common.PAGING_KEY,
        reference_secret=common.REFERENCE_SECRET,
        token_issuer=common.ISSUER,
        audit_before_send=os.environ.get("DSOP_BENCH_RECORD_FIRST", "1") == "1",
    )

    async def fetch(_url: str) -> dict[str, Any]:
        return dict(material["jwks"])

    return create_app(
        settings,
        tokens=TokenVerifier(common.ISSUER, common.ISSUER + "jwks", settings.audience, (SCOPE,), fetch_jwks=fetch),
        facts=RegisterFacts(MemoryRegisters()),
        certificates=StaticCertificates(
            {common.SKATT_ORG: x509.load_pem_x509_certificate(material["certificate"].encode())}
        ),
    )


def serve(database_url: str, port: int, material_file: str) -> None:
    from opendsop.server import Factory, run
    from opendsop.serving import configure_logging

    configure_logging("WARNING")
    workers = int(os.environ.get("DSOP_BENCH_WORKERS", "1"))
    factory = Factory(build, database_url, port, material_file)
    run(factory, host="127.0.0.1", port=port, workers=workers, access_log=False)


async def measure(database_url: str, workers: int, seconds: float, connections: int) -> dict[str, float]:
    import httpx

    os.environ["DSOP_BENCH_WORKERS"] = str(workers)
    child, port, _credential, token, material = common.start_server(__file__, database_url)
    try:
        start, end = common.period()
        params = {"OnlyPrimaryOwner": "false", "fromDate": start.isoformat(), "toDate": end.isoformat()}
        request_headers = common.headers(token, common.party_id(), str(uuid.uuid4()))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            await common.wait_for(client)
            for _ in range(20 * workers):  # every worker has started and opened its pool
                sample = await client.get("/v2/accounts", params=params, headers=request_headers)
                if sample.status_code != 200:
                    raise RuntimeError(f"accounts: {sample.status_code} {sample.text[:300]}")

        async def server_pids() -> list[int]:
            children = Path(f"/proc/{child.pid}/task/{child.pid}/children").read_text().split()
            return [child.pid, *(int(pid) for pid in children)]

        return accounts_bench.describe(
            f"bank, {workers} worker{'s' if workers > 1 else ''}",
            await accounts_bench.drive(
                port,
                request_headers,
                params,
                seconds=seconds,
                warmup=2,
                connections=connections,
                watch={"server": server_pids},
            ),
        )
    finally:
        child.terminate()
        child.wait(timeout=30)
        os.unlink(material)


async def run(accounts: int, seconds: float, connections: int) -> None:
    name, database_url = await common.create_database("dsop_bench_workers")
    try:
        await accounts_bench.load(database_url, accounts)
        print(f"account list of {accounts} accounts, {connections} connections, {seconds:.0f} s after 2 s warm-up")
        one = await measure(database_url, 1, seconds, connections)
        two = await measure(database_url, 2, seconds, connections)
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"  workers 1 → 2: {two['rate'] / one['rate']:.2f}x the requests/s (2.00 = linear); load average {load}")
    finally:
        await common.drop_database(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--serve", metavar="DATABASE_URL")
    parser.add_argument("--port", type=int)
    parser.add_argument("--material")
    parser.add_argument("--page-size", type=int)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.material)
        return
    asyncio.run(run(args.accounts, args.seconds, args.connections))


if __name__ == "__main__":
    main()
