"""Token issuance through the token service, end to end on one core: grant verified, client and jti
checked in the database (SQLite file), access token signed RS256 — against PyJWT signing the same
access-token claims with the same RSA key in the same run (the unavoidable floor: RSA-2048 signing).

Run twice: the used-``jti`` set in the database (one transaction per grant), and in Redis
(``DSOP_BENCH_REDIS``, default ``redis://127.0.0.1:6379/0``; one ``SET NX EX``, as with several workers);
the load average is printed beside the figures.

Target: issuance ≥ 1,500 tokens/s on one core; ≥ 0.5× bare RS256 signing.  The script also prints OpenSSL's own
RSA-2048 signing rate on this machine when `openssl` is available, since no RS256 issuer can sign
faster than that.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt as pyjwt

from opendsop.authority.grants import GrantRules
from opendsop.authority.service import TokenService
from opendsop.authority.signing import SigningKeys
from opendsop.authority.store import AUTH_PRIVATE_KEY_JWT, AuthorityStore, ClientRecord
from opendsop.serving import create_engine
from opendsop.trust.jwt import sign_jwt
from opendsop.trust.keys import generate_rsa_key, private_key_pem, public_jwks

ISSUER = "https://authority.bench/"
ROUNDS = 5
PER_ROUND = 100


async def main() -> None:
    import os

    await run_once(None)
    from opendsop.contracts.state import RedisOnce, check_reachable, redis_client

    url = os.environ.get("DSOP_BENCH_REDIS", "redis://127.0.0.1:6379/0")
    if (problem := check_reachable(url)) is not None:
        print(f"(no Redis run: {problem})")
    else:
        spent = RedisOnce(redis_client(url), prefix=f"dsop-bench:{uuid.uuid4()}:")
        await run_once(spent)
        await spent.aclose()
    print(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


async def run_once(spent: object) -> None:
    directory = Path(tempfile.mkdtemp(prefix="dsop-bench-"))
    try:
        engine = create_engine(f"sqlite+aiosqlite:///{directory / 'authority.db'}")
        store = AuthorityStore(engine)
        await store.create_schema()
        now = datetime.now(UTC)
        client_key = generate_rsa_key(kid="bench-client")
        await store.add_client(
            ClientRecord(
                "bench",
                "974761076",
                AUTH_PRIVATE_KEY_JWT,
                frozenset({"bits:kontoinformasjon"}),
                public_jwks([client_key]),
            ),
            now=int(now.timestamp()),
        )
        keys = SigningKeys(store, token_lifetime=timedelta(seconds=120), clock_skew=timedelta(seconds=10))
        await keys.ensure_active(now=now)
        service = TokenService(
            store,
            keys,
            rules=GrantRules(issuer=ISSUER, max_lifetime=timedelta(seconds=120), clock_skew=timedelta(seconds=10)),
            token_lifetime=timedelta(seconds=120),
            trust_store=None,
            delegation_source=ISSUER,
            clock=lambda: datetime.now(UTC),
            spent=spent,
        )

        def grant() -> str:
            issued = int(time.time())
            return sign_jwt(
                {
                    "aud": ISSUER,
                    "iss": "bench",
                    "scope": "bits:kontoinformasjon",
                    "iat": issued,
                    "exp": issued + 60,
                    "jti": str(uuid.uuid4()),
                    "resource": "https://bank.bench/v2",
                },
                client_key,
                alg="RS256",
                header={"kid": "bench-client"},
            )

        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        signer = load_pem_private_key(private_key_pem(generate_rsa_key()), password=None)
        claims = {
            "iss": ISSUER,
            "aud": "https://bank.bench/v2",
            "scope": "bits:kontoinformasjon",
            "consumer": {"authority": "iso6523-actorid-upis", "ID": "0192:974761076"},
            "client_id": "bench",
            "token_type": "Bearer",
            "iat": 0,
            "exp": 120,
            "jti": "x",
        }
        ours, floor = [], []
        for _ in range(ROUNDS):
            grants = [grant() for _ in range(PER_ROUND)]  # the client's cost, not the issuer's
            start = time.perf_counter()
            for assertion in grants:
                await service.issue(assertion)
            ours.append(PER_ROUND / (time.perf_counter() - start))
            start = time.perf_counter()
            for index in range(PER_ROUND):
                pyjwt.encode({**claims, "jti": str(index)}, signer, algorithm="RS256")
            floor.append(PER_ROUND / (time.perf_counter() - start))
        await engine.dispose()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    issued, reference = statistics.median(ours), statistics.median(floor)
    where = "SQLite" if spent is None else "Redis jti"
    print(f"token service, grant → access token ({where}): {issued:8,.0f} tokens/s (median of {ROUNDS})")
    ratio = issued / reference
    print(f"PyJWT RS256 signing of the same claims:        {reference:8,.0f} tokens/s   ratio {ratio:.2f}x")
    if spent is None and shutil.which("openssl"):
        result = subprocess.run(
            ["openssl", "speed", "-seconds", "2", "rsa2048"], capture_output=True, text=True, check=False, timeout=60
        )
        line = next((row for row in result.stdout.splitlines() if row.startswith("rsa 2048")), "")
        if line:
            print(f"OpenSSL RSA-2048 signs/s on this machine:      {float(line.split()[-2]):8,.0f}")


if __name__ == "__main__":
    asyncio.run(main())
