"""A Vergekontroll batch: 1,000 cases fanned out through the consumer's engine, in banks per second.

Reports banks/s for a batch of 1,000 Vergekontroll cases.  Each case is planned by the
Vergekontroll workflow (``plan_verge``: last calendar year, ``OnlyPrimaryOwner``, the guardian as
``AdditionalReferenceID``; step 2b Account details, Transactions and Roles) and touches
``--banks-per-case`` of ``--banks`` banks; each bank lists ``--accounts`` accounts and answers
every call after ``--delay``.  So a bank of a case costs 1 + 3 × accounts calls.

One ``DsopClient`` serves the whole batch (``FanOut`` per case, ``--in-flight`` cases at a time),
so the tokens — one per bank, valid 120 s — are fetched once and reused across cases.  The token
service and the banks are the processes of bench/fanout.py.  The figure is banks/s (bank visits
of cases completed per second, median of ``--repeat`` runs) and its ratio to the bare-aiohttp
floor of the same requests with the same concurrency (no token, no protocol, no decoding),
measured interleaved in the same run.  The client's CPU per request is printed too: on a shared
machine it moves less than the wall time.

    .venv/bin/python bench/verge_batch.py [--cases 1000] [--banks 100] [--banks-per-case 2] [--accounts 2]
                                          [--delay 0.05] [--in-flight 100] [--global-limit 200] [--repeat 3]
                                          [--variant plain|rsa|ec]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from datetime import date
from typing import Any

import fanout as world  # noqa: I001 - bench/fanout.py, the parties (run from the repository root)
import msgspec

from opendsop.consumer.fanout import FanOut, Outcome
from opendsop.consumer.workflows._base import CasePlan
from opendsop.consumer.workflows.verge import plan_verge
from opendsop.contracts.transport import AiohttpTransport
from opendsop.trust.keys import generate_ec_key, generate_rsa_key, public_jwk

TODAY = date(2026, 3, 2)
PER_BANK_LIMIT = 4  # bench/fanout.new_client's per_bank_limit (the DsopClient default)
_W1, _W2 = (3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check(digits: str, weights: tuple[int, ...]) -> int | None:
    check = (11 - sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11) % 11
    return None if check == 10 else check


def people(count: int) -> list[str]:
    """``count`` distinct valid fødselsnumre (mod 11), born 1940–1999."""
    found: list[str] = []
    serial = 0
    while len(found) < count:
        serial += 1
        day, month, year, individual = 1 + serial % 28, 1 + serial // 28 % 12, 40 + serial // 336 % 60, serial % 500
        base = f"{day:02d}{month:02d}{year:02d}{individual:03d}"
        first = _check(base, _W1)
        second = None if first is None else _check(base + str(first), _W2)
        if second is not None and (number := f"{base}{first}{second}") not in found:
            found.append(number)
    return found


def plans(cases: int) -> list[CasePlan]:
    persons = people(2 * cases)
    return [plan_verge(persons[2 * i], persons[2 * i + 1], today=TODAY) for i in range(cases)]


def banks_of(case: int, banks: int, per_case: int) -> list[int]:
    return sorted({(case * 7 + j * 37) % banks for j in range(per_case)})


async def run_batch(
    parties: world.Parties, batch: list[CasePlan], args: argparse.Namespace, key: Any, grant_key: Any
) -> dict[str, float]:
    endpoints = world.bank_endpoints(parties, args.variant, args.banks)
    async with AiohttpTransport.session(limit=args.global_limit + 50) as session:
        client, _timed = world.new_client(
            session, parties, args.variant, key, grant_key, global_limit=args.global_limit
        )
        fanout = FanOut(client)
        slots = asyncio.Semaphore(args.in_flight)
        visits = 0

        async def case(index: int, plan: CasePlan) -> None:
            nonlocal visits
            chosen = [endpoints[i] for i in banks_of(index, args.banks, args.banks_per_case)]
            async with slots:
                results = await fanout.run(plan.case, chosen, plan.plan)
            for result in results:
                assert result.outcome is Outcome.OK, result.reason
                assert len(result.accounts) == args.accounts
                assert all(len(account.answers) == 3 for account in result.accounts)
            visits += len(results)

        cpu = time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(case(index, plan) for index, plan in enumerate(batch)))
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
    return {
        "banks_per_s": visits / seconds,
        "seconds": seconds,
        "tokens": client.tokens.requests,
        "requests": client.sent,
        "cpu": cpu,
    }


def protocol_headers(parties: world.Parties, batch: list[CasePlan], banks: int) -> list[dict[str, str]]:
    """Per bank, the headers a call of the first case carries, with a token-sized bearer for that bank."""
    from opendsop.consumer.protocol import build_request
    from opendsop.standard.endpoints import Endpoint

    headers = []
    for bank in world.bank_endpoints(parties, "plain", banks):
        claims = msgspec.json.encode(
            {
                "iss": world.ISSUER,
                "aud": bank.base_url,
                "scope": "bits:kontoinformasjon",
                "client_id": world.CLIENT_ID,
                "iat": 0,
                "exp": 0,
                "jti": "x" * 36,
            }
        )
        token = f"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.{world._b64(claims)}.{'s' * 342}"  # RS256-2048 sized
        request = build_request(bank, batch[0].case, Endpoint.ACCOUNTS, token=token)
        headers.append({**request.headers, "Accept": "application/json"})
    return headers


async def raw_floor(
    parties: world.Parties,
    batch: list[CasePlan],
    args: argparse.Namespace,
    *,
    headers: list[dict[str, str]] | None = None,
) -> dict[str, float]:
    """Bare aiohttp, the same requests with the same bounds (cases in flight, global, per bank): accounts,
    then each account's three calls; no typed decoding, and no headers unless ``headers`` (per bank)."""
    from opendsop.consumer.protocol import new_correlation_id

    async with AiohttpTransport.session(limit=args.global_limit + 50) as session:
        bound, slots = asyncio.Semaphore(args.global_limit), asyncio.Semaphore(args.in_flight)
        per_bank = [asyncio.Semaphore(PER_BANK_LIMIT) for _ in range(args.banks)]

        async def get(index: int, url: str) -> Any:
            sent = None if headers is None else {**headers[index], "CorrelationID": new_correlation_id()}
            async with per_bank[index], bound, session.get(url, headers=sent) as response:
                return msgspec.json.decode(await response.read())

        async def bank(index: int) -> None:
            base, period = f"{parties.banks}/plain/b{index:03d}/v2", "fromDate=2025-01-01&toDate=2025-12-31"
            listed = await get(index, f"{base}/accounts?OnlyPrimaryOwner=true&{period}")
            await asyncio.gather(
                *(
                    get(index, f"{base}/accounts/{account['accountReference']}{tail}?{period}")
                    for account in listed["accounts"]
                    for tail in ("", "/transactions", "/roles")
                )
            )

        async def case(index: int) -> int:
            chosen = banks_of(index, args.banks, args.banks_per_case)
            async with slots:
                await asyncio.gather(*(bank(i) for i in chosen))
            return len(chosen)

        cpu, started = time.process_time(), time.perf_counter()
        visits = sum(await asyncio.gather(*(case(index) for index in range(len(batch)))))
        return {"banks_per_s": visits / (time.perf_counter() - started), "cpu": time.process_time() - cpu}


async def bench(parties: world.Parties, args: argparse.Namespace, key: Any, grant_key: Any) -> None:
    batch = plans(args.cases)
    calls = 1 + 3 * args.accounts
    print(
        f"Vergekontroll batch: {args.cases} cases × {args.banks_per_case} of {args.banks} banks, {args.accounts} "
        f"accounts each ({calls} calls a bank), {args.delay * 1000:.0f} ms a call; {args.in_flight} cases in flight, "
        f"global limit {args.global_limit}; {args.variant}; median of {args.repeat}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    await raw_floor(parties, batch[:20], args)
    await run_batch(parties, batch[:20], args, key, grant_key)  # warm-up: imports, first connections
    headers = protocol_headers(parties, batch, args.banks)
    floors, header_floors, runs = [], [], []
    for _ in range(args.repeat):
        floors.append(await raw_floor(parties, batch, args))
        header_floors.append(await raw_floor(parties, batch, args, headers=headers))
        runs.append(await run_batch(parties, batch, args, key, grant_key))
    floor = statistics.median(run["banks_per_s"] for run in floors)
    floor_cpu = statistics.median(run["cpu"] for run in floors)
    header_floor = statistics.median(run["banks_per_s"] for run in header_floors)
    header_floor_cpu = statistics.median(run["cpu"] for run in header_floors)
    rate = statistics.median(run["banks_per_s"] for run in runs)
    seconds = statistics.median(run["seconds"] for run in runs)
    cpu = statistics.median(run["cpu"] for run in runs)
    tokens = max(run["tokens"] for run in runs)
    requests = statistics.median(run["requests"] for run in runs)
    per_request = cpu * 1e6 / max(requests, 1)
    floor_per_request = floor_cpu * 1e6 / (args.cases * args.banks_per_case * calls)
    print(
        f"  engine      {rate:7.0f} banks/s  ({args.cases * args.banks_per_case} bank visits in {seconds:.2f} s, "
        f"{requests:.0f} requests, {tokens:.0f} tokens; client CPU {per_request:.0f} µs a request)"
    )
    print(
        f"  raw aiohttp {floor:7.0f} banks/s  (the same requests, no token, no protocol; client CPU "
        f"{floor_per_request:.0f} µs a request)"
    )
    header_per_request = header_floor_cpu * 1e6 / (args.cases * args.banks_per_case * calls)
    print(
        f"  raw aiohttp {header_floor:7.0f} banks/s  with the protocol's headers (a token-sized bearer, the case's "
        f"headers, a fresh CorrelationID; client CPU {header_per_request:.0f} µs a request)"
    )
    print(
        f"  ratio to the floor: {rate / floor:.2f} in banks/s, {floor_per_request / per_request:.2f} in client CPU; "
        f"to the floor with headers: {rate / header_floor:.2f} and {header_per_request / per_request:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--banks", type=int, default=100)
    parser.add_argument("--banks-per-case", type=int, default=2)
    parser.add_argument("--accounts", type=int, default=2)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--in-flight", type=int, default=100, help="cases run at once")
    parser.add_argument("--global-limit", type=int, default=200, help="requests in flight (DsopClient global_limit)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--variant", choices=("plain", "rsa", "ec"), default="plain")
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop")
    args = parser.parse_args()
    rsa_key, ec_key, grant_key = generate_rsa_key(kid="enc"), generate_ec_key(kid="enc-ec"), generate_rsa_key(kid="g")
    key = ec_key if args.variant == "ec" else rsa_key
    shape = world.BankShape(args.delay, account_pages=1, accounts_per_page=args.accounts)
    parties = world.start_parties(
        shape, {"rsa": public_jwk(rsa_key), "ec": public_jwk(ec_key)}, public_jwk(grant_key), loop=args.loop
    )
    try:
        world._run(bench(parties, args, key, grant_key), args.loop)
    finally:
        parties.stop()


if __name__ == "__main__":
    main()
