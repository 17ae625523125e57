"""Benchmark a bank's ``listTransactions`` over HTTP against the in-process floor, one account of 1,000,000 rows.

A plain script (prints figures, asserts nothing, not run in CI):

1. creates its own PostgreSQL database on 127.0.0.1:5432 (dropped at the end), migrates it and
   loads one party, one account and N transactions (default 1,000,000) with the store's loader
   (COPY);
2. starts the bank's Control API under uvicorn on a loopback port in a child process (the
   ``create_app`` of ``dsop provider serve``: SQL store, token verification against this script's
   issuer key, CertPub through a static certificate port, JWE on, memory audit log, no rate limit);
3. as Skatteetaten: lists the party's accounts, then reads ``--pages`` pages of 1000 transactions
   (default 200; ``--pages 0`` = the whole account) following the encrypted ``next`` links — the
   client decrypts each page to find the link, as a real consumer must; that client work is shown
   separately and not counted in the page latency;
4. measures the floor in the same run, in this process: the same keyset queries through the same
   store, the per-service filter and encoding, the continuation token and the JWE encryption,
   without HTTP, token verification or authorisation.

Prints transactions/s end to end (server latency and wall clock) and for the floor, their ratio
(target >= 0.5x) and the page latency p50/p95/max (target p95 <= 100 ms).

    .venv/bin/python bench/provider_transactions.py [--transactions 1000000] [--pages 200]
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
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import islice
from pathlib import Path
from random import Random
from typing import Any

import asyncpg
import httpx
import msgspec

ADMIN = os.environ.get("DSOP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
ISSUER = "https://bench-issuer.local/"
BANK_ORGNO = "910000001"
SKATT_ORG = "974761076"
ACCOUNT_ID = "bench-account-1"
ACCOUNT_NUMBER = "12345678903"
REFERENCE_SECRET = "bench-reference-secret-0123456789"
PAGING_KEY = "bench-paging-key-0123456789abcdef"
PAGE = 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def party_id() -> str:
    from opendsop.standard.identifiers import generate_fodselsnummer

    return generate_fodselsnummer(Random(7), date(1975, 3, 14), synthetic=True)


def period() -> tuple[date, date]:
    """Skatt may ask ten years back; the account's transactions fill the last two."""
    today = datetime.now(UTC).date()
    return today - timedelta(days=3 * 365), today


# ---- the data -------------------------------------------------------------------------------------


def transaction_rows(count: int) -> Iterator[Any]:
    from opendsop.provider.store import TransactionRow
    from opendsop.standard.control.v2 import (
        CounterParty,
        CounterPartyType,
        CreditOrDebit,
        Identifier,
        IdentifierType,
        Transaction,
        TransactionStatus,
    )

    end = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    step = timedelta(days=2 * 365) / count
    first = end - 2 * timedelta(days=365)
    shops = [
        CounterParty(
            name=f"Butikk {n} AS",
            type=CounterPartyType.CREDITOR,
            identifier=Identifier(
                country_of_residence="NO", value=f"9{n:08d}", type=IdentifierType.COUNTRY_IDENTIFICATION_CODE
            ),
        )
        for n in range(50)
    ]
    for n in range(count):
        booked = first + step * n
        yield TransactionRow(
            account_id=ACCOUNT_ID,
            transaction=Transaction(
                transaction_identifier=f"t{n:09d}",
                credit_debit_indicator=CreditOrDebit.DEBIT if n % 5 else CreditOrDebit.CREDIT,
                status=TransactionStatus.BOOKED,
                booking_date=booked,
                value_date=booked,
                counter_parties=(shops[n % 50],),
                additional_info=f"Varekjøp {n % 997}",
                amount=Decimal(f"{(n * 37) % 100000}.{n % 100:02d}"),
                currency="NOK",
            ),
        )


async def load(url: str, count: int) -> float:
    from opendsop.provider.store import AccountRow, PartyRow, RelationRole, RelationRow, SqlBankStore
    from opendsop.standard.control.v2 import AccountType

    started = time.perf_counter()
    store = await SqlBankStore.open(url, reference_secret=REFERENCE_SECRET.encode())
    try:
        party = party_id()
        await store.load(
            parties=[PartyRow(party_id=party, name="Bench Person")],
            accounts=[
                AccountRow(
                    account_id=ACCOUNT_ID,
                    account_number=ACCOUNT_NUMBER,
                    type=AccountType.SALARY_ACCOUNT,
                    currency="NOK",
                    start_date=date(2010, 1, 1),
                )
            ],
            relations=[
                RelationRow(
                    account_id=ACCOUNT_ID, party_id=party, role=RelationRole.PRIMARY_OWNER, start_date=date(2010, 1, 1)
                )
            ],
        )
        done = 0
        rows = transaction_rows(count)
        while done < count:  # one COPY transaction per chunk, so progress shows
            batch = list(islice(rows, 100_000))
            await store.load(transactions=batch)
            done += len(batch)
            print(f"  loaded {done:>10,} transactions ({time.perf_counter() - started:.0f} s)", flush=True)
    finally:
        await store.close()
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return time.perf_counter() - started


# ---- the server (child process) ----------------------------------------------------------------


def serve(database_url: str, port: int, material_file: str, page_size: int) -> None:
    import uvicorn
    from cryptography import x509

    from opendsop.audit.log import MemoryAuditLog
    from opendsop.contracts.verify import TokenVerifier
    from opendsop.provider.app import create_app
    from opendsop.provider.ports import MemoryRegisters, RegisterFacts, StaticCertificates
    from opendsop.provider.settings import SCOPE, ProviderSettings
    from opendsop.provider.store import SqlBankStore

    material = json.loads(Path(material_file).read_text())
    certificate = x509.load_pem_x509_certificate(material["certificate"].encode())
    settings = ProviderSettings(
        bank_orgno=BANK_ORGNO,
        base_url=f"http://127.0.0.1:{port}/v2",
        database_url=database_url,
        page_size=page_size,
        rate_per_second=0,
        paging_key=PAGING_KEY,
        reference_secret=REFERENCE_SECRET,
        token_issuer=ISSUER,
    )

    async def fetch(_url: str) -> dict[str, Any]:
        return dict(material["jwks"])

    tokens = TokenVerifier(ISSUER, ISSUER + "jwks", settings.audience, (SCOPE,), fetch_jwks=fetch)

    async def main() -> None:
        store = await SqlBankStore.open(database_url, migrate=False, reference_secret=REFERENCE_SECRET.encode())
        app = create_app(
            settings,
            store=store,
            tokens=tokens,
            facts=RegisterFacts(MemoryRegisters()),
            certificates=StaticCertificates({SKATT_ORG: certificate}),
            audit=MemoryAuditLog(),
        )
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", access_log=False, log_config=None
        )
        await uvicorn.Server(config).serve()

    # DSOP_BENCH_PROFILE_SERVER=<file>: cProfile the server process, stats written to <file> at exit.
    profile_to = os.environ.get("DSOP_BENCH_PROFILE_SERVER")
    if not profile_to:
        asyncio.run(main())
        return
    import cProfile
    import signal

    # uvicorn re-raises the SIGTERM it handled once it has shut down: exit through `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        asyncio.run(main())
    finally:
        profiler.disable()
        profiler.dump_stats(profile_to)


def start_server(
    script: str, database_url: str, page_size: int = PAGE
) -> tuple[subprocess.Popen[bytes], int, Any, str, str]:
    """Start ``script --serve`` with fresh key material; returns (child, port, credential, token, jwks file)."""
    from opendsop.trust.jwt import sign_jwt
    from opendsop.trust.keys import generate_rsa_key, public_jwks
    from opendsop.trust.pki import CertificateAuthority

    now = datetime.now(UTC)
    root = CertificateAuthority.create_root("bench root", now=now - timedelta(days=1))
    issuing = root.issue_intermediate("bench enterprise CA", now=now - timedelta(days=1))
    credential = issuing.issue_enterprise(
        SKATT_ORG, organisation_name="SKATTEETATEN", now=now - timedelta(days=1), purpose="encryption"
    )
    from cryptography.hazmat.primitives.serialization import Encoding

    key = generate_rsa_key(kid="bench-1")
    port = free_port()
    stamp = int(now.timestamp())
    claims = {
        "iss": ISSUER,
        "aud": f"http://127.0.0.1:{port}/v2",
        "scope": "bits:kontoinformasjon",
        "iat": stamp,
        "exp": stamp + 7200,
        "jti": str(uuid.uuid4()),
        "client_id": "bench",
        "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{SKATT_ORG}"},
    }
    token = sign_jwt(claims, key, alg="RS256", header={"kid": "bench-1"})
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(
            {"jwks": public_jwks([key]), "certificate": credential.certificate.public_bytes(Encoding.PEM).decode()},
            handle,
        )
    child = subprocess.Popen(
        [
            sys.executable,
            script,
            "--serve",
            database_url,
            "--port",
            str(port),
            "--material",
            handle.name,
            "--page-size",
            str(page_size),
        ]
    )
    return child, port, credential, token, handle.name


def headers(token: str, party: str, case: str) -> dict[str, str]:
    from opendsop.standard.mandate import SKATT

    return {
        "Authorization": f"Bearer {token}",
        "CorrelationID": str(uuid.uuid4()),
        "AccountInfoRequestID": case,
        "Legal-Mandate": SKATT.encoded,
        "PartyID": party,
        "RequesterID": "bench",
        "Accept": "application/jose",
    }


async def wait_for(client: httpx.AsyncClient) -> None:
    for _ in range(300):
        try:
            if (await client.get("/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the bank did not start")


class _Links(msgspec.Struct):
    href: str
    rel: str


class _Page(msgspec.Struct):
    transactions: list[msgspec.Raw] = []
    links: list[_Links] | None = None


class _Listed(msgspec.Struct):
    accountReference: str  # noqa: N815


class _Accounts(msgspec.Struct):
    accounts: list[_Listed]


# ---- the measurements ----------------------------------------------------------------------------


async def over_http(
    port: int, token: str, credential: Any, pages: int
) -> tuple[str, str, list[float], int, float, float]:
    """Returns (reference, case, page latencies in ms, transactions, client decrypt s, wall s)."""
    from opendsop.trust.jwe import decrypt_compact

    party, case = party_id(), str(uuid.uuid4())
    start, end = period()
    window = {"fromDate": start.isoformat(), "toDate": end.isoformat()}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30.0) as client:
        await wait_for(client)
        listed = await client.get(
            "/v2/accounts", params={"OnlyPrimaryOwner": "false", **window}, headers=headers(token, party, case)
        )
        if listed.status_code != 200:
            raise RuntimeError(f"accounts: {listed.status_code} {listed.text[:300]}")
        accounts = msgspec.json.decode(decrypt_compact(listed.text, credential.private_key), type=_Accounts)
        reference = accounts.accounts[0].accountReference
        url: str | None = f"/v2/accounts/{reference}/transactions"
        params: dict[str, str] | None = window
        latencies: list[float] = []
        count, decrypting = 0, 0.0
        wall = time.perf_counter()
        while url is not None and (pages == 0 or len(latencies) < pages):
            started = time.perf_counter()
            response = await client.get(url, params=params, headers=headers(token, party, case))
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"transactions: {response.status_code} {response.text[:300]}")
            opened = time.perf_counter()
            page = msgspec.json.decode(decrypt_compact(response.text, credential.private_key), type=_Page)
            decrypting += time.perf_counter() - opened
            count += len(page.transactions)
            following = [link.href for link in page.links or () if link.rel == "next"]
            # hrefs are relative to the API base (/v2), as a consumer appends them to it
            url, params = ("/v2" + following[0], None) if following else (None, None)
        wall = time.perf_counter() - wall
    return reference, case, latencies, count, decrypting, wall


async def in_process(database_url: str, reference: str, credential: Any, pages: int) -> tuple[list[float], int]:
    """The floor: the same keyset pages through the same store, filtered, encoded, tokened, encrypted."""
    from opendsop.provider.answers import encode_filtered
    from opendsop.provider.store import SqlBankStore
    from opendsop.standard.control.v2 import Link
    from opendsop.standard.endpoints import Endpoint
    from opendsop.standard.paging import encode_continuation
    from opendsop.standard.period import Period
    from opendsop.standard.services import get_profile
    from opendsop.trust.jwe import encrypt_compact

    profile = get_profile("skatt")
    store = await SqlBankStore.open(database_url, migrate=False, reference_secret=REFERENCE_SECRET.encode())
    try:
        referenced = await store.account_by_reference(reference, consumer_org=SKATT_ORG)
        assert referenced is not None
        start, end = period()
        window = Period(start, end)
        after = None
        latencies: list[float] = []
        count = 0
        while pages == 0 or len(latencies) < pages:
            started = time.perf_counter()
            page = await store.transactions_page(referenced, period=window, after=after, limit=PAGE)
            links: tuple[Link, ...] = ()
            if page.next_position is not None:
                token = encode_continuation(PAGING_KEY.encode(), tuple(page.next_position), binding="bench")
                links = (Link(rel="next", href=f"/v2/accounts/{reference}/transactions?continuationToken={token}"),)
            plaintext = encode_filtered(profile, Endpoint.TRANSACTIONS, page.body(links))
            encrypt_compact(plaintext, credential.certificate)
            latencies.append((time.perf_counter() - started) * 1000)
            count += len(page.transactions)
            if page.next_position is None:
                break
            after = page.next_position
    finally:
        await store.close()
    return latencies, count


def describe(name: str, latencies: list[float], count: int, seconds: float) -> float:
    ordered = sorted(latencies)
    q = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
    rate = count / seconds if seconds else 0.0
    print(
        f"  {name:<34} {len(ordered):>5} pages {count:>9,} tx  {rate:>9,.0f} tx/s   "
        f"p50 {q[49]:6.1f} ms  p95 {q[94]:6.1f} ms  max {ordered[-1]:6.1f} ms"
    )
    return rate


async def create_database(prefix: str) -> tuple[str, str]:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(ADMIN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = ADMIN.rsplit("/", 1)[0]
    return name, f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"


async def drop_database(name: str) -> None:
    admin = await asyncpg.connect(ADMIN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def run(count: int, pages: int) -> None:
    name, database_url = await create_database("dsop_bench_tx")
    child: subprocess.Popen[bytes] | None = None
    material = None
    try:
        print(f"loading {count:,} transactions into one account…", flush=True)
        load_s = await load(database_url, count)
        child, port, credential, token, material = start_server(__file__, database_url)
        reference, _case, http_ms, http_count, decrypt_s, wall_s = await over_http(port, token, credential, pages)
        floor_ms, floor_count = await in_process(database_url, reference, credential, len(http_ms))
        print(
            f"loaded {count:,} transactions in {load_s:.0f} s (COPY); read "
            f"{'the whole account' if pages == 0 else f'{len(http_ms)} pages of {PAGE}'}; "
            f"1 uvicorn worker, h11, asyncio loop, JWE {'RSA-OAEP-256/A256GCM'}"
        )
        served = describe("HTTP (server latency)", http_ms, http_count, sum(http_ms) / 1000)
        walled = describe("HTTP (wall, incl. client decrypt)", http_ms, http_count, wall_s)
        floor = describe("in-process floor", floor_ms, floor_count, sum(floor_ms) / 1000)
        p95 = statistics.quantiles(sorted(http_ms), n=100, method="inclusive")[94] if len(http_ms) > 1 else http_ms[0]
        print(f"  client decrypt + decode: {decrypt_s:.1f} s in total ({decrypt_s / len(http_ms) * 1000:.1f} ms/page)")
        print(
            f"  ratio HTTP/floor: {served / floor:.2f}x (server latency), {walled / floor:.2f}x (wall)   "
            f"target >= 0.5x: {'met' if served / floor >= 0.5 else 'NOT met'};   "
            f"p95 page {p95:.1f} ms, target <= 100 ms: {'met' if p95 <= 100 else 'NOT met'}"
        )
    finally:
        if child is not None:
            child.terminate()
            child.wait(timeout=10)
        if material:
            os.unlink(material)
        await drop_database(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--pages", type=int, default=200, help="pages to read (0 = all)")
    parser.add_argument("--serve", metavar="DATABASE_URL")
    parser.add_argument("--port", type=int)
    parser.add_argument("--material")
    parser.add_argument("--page-size", type=int, default=PAGE)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.material, args.page_size)
        return
    asyncio.run(run(args.transactions, args.pages))


if __name__ == "__main__":
    main()
