"""Benchmark what the consent checks cost the Lånekassen student-loan balance source, in one run.

A plain script (prints figures, asserts nothing, not run in CI).  In process, over
``httpx.ASGITransport``, sequential requests for ``GET /saldo/v1/Accounts`` of random customers:

* **baseline** — the same pipeline with a consent-free token and **no** consent check: headers,
  ``ApiKey``, token verification (signature, iss, aud, exp, scope), ``PSU_ID`` validation, the
  balance, the audit record and the JSON answer (built here from the source's own parts:
  ``SourceRuntime``, ``accounts_body``, the Lånekassen catalogue);
* **consent in token** — the real source; every request carries the consent in the token's
  ``authorization_details``: full ``check_consent`` + a status re-check through the
  ``ConsentStatus`` port (in-memory twin) + caching;
* **cached consent** — the real source in its steady state (DSOP Saldo på studielån “Om”): an ordinary
  token, the consent comes from Lånekassen's cache (validity re-checked, no status lookup).

Rounds of the three modes are interleaved, and each mode is compared with the baseline of the same
round (median of the ratios), so that CPU noise from other processes hits all alike.
Target: consent checks cost at most 30 % of throughput (consented ≥ 0.7 × baseline).

    .venv/bin/python bench/consent.py [--requests 400] [--rounds 12]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

import httpx
from litestar import Litestar, Request, Response, get

from opendsop.audit.log import MemoryAuditLog
from opendsop.contracts.verify import TokenVerifier
from opendsop.sources import lanekassen
from opendsop.sources.consent_check import MemoryConsentStatus
from opendsop.sources.data import generate_world
from opendsop.sources.gateway import Exchange, Failure, SourceError, SourceRuntime
from opendsop.standard.identifiers import validate_person_number
from opendsop.trust.jwt import sign_jwt
from opendsop.trust.keys import generate_rsa_key, public_jwks

ISSUER = "https://authority.bench/"
AUD = "https://ekstern01.api.test.lanekassen.no/"
BANK = "910000001"
API_KEY = "bench-key"


def baseline_app(world: Any, verifier: TokenVerifier) -> Litestar:
    """The Lånekassen pipeline without the consent: what the same fetch costs when nothing is consented."""
    runtime = SourceRuntime(
        service="lanekassen-saldo",
        catalogue=lanekassen.CATALOGUE,
        verifier=verifier,
        audit=MemoryAuditLog(),
        clock=lambda: datetime.now(UTC),
    )

    @get("/saldo/v1/Accounts")
    async def accounts(request: Request[Any, Any, Any]) -> Response[Any]:
        exchange = Exchange("Accounts", party_id=request.headers.get("PSU_ID"))

        async def handle() -> dict[str, Any]:
            if request.headers.get("ApiKey") != API_KEY:
                raise SourceError(Failure.TOKEN, "ApiKey")
            exchange.principal = await runtime.principal(
                request.headers.get("Authorization"), any_scope=(lanekassen.SCOPE,), bearer=False
            )
            fnr = validate_person_number(request.headers["PSU_ID"], synthetic_allowed=True).value
            body = lanekassen.accounts_body(world.persons[fnr])
            exchange.records = len(body["Accounts"])
            return body

        return await runtime.run(request, exchange, handle)

    return Litestar(route_handlers=[accounts], logging_config=None)


async def measure(
    client: httpx.AsyncClient, customers: list[str], tokens: dict[str, str], count: int, rng: Random
) -> float:
    start = time.perf_counter()
    for _ in range(count):
        fnr = rng.choice(customers)
        response = await client.get(
            "/saldo/v1/Accounts",
            headers={"ApiKey": API_KEY, "Authorization": tokens[fnr], "PSU_ID": fnr, "X-Request-Id": str(uuid.uuid4())},
        )
        if response.status_code != 200:
            raise SystemExit(f"unexpected {response.status_code}: {response.text}")
    return count / (time.perf_counter() - start)


async def main(requests: int, rounds: int) -> None:
    now = datetime.now(UTC)
    world = generate_world(2026, today=now.date(), persons=200)
    customers = [fnr for fnr, person in world.persons.items() if person.loan is not None]
    key = generate_rsa_key(kid="bench-1")
    jwks = public_jwks([key])

    async def fetch(_url: str) -> dict[str, Any]:
        return jwks

    def mint(details: list[dict[str, Any]] | None = None) -> str:
        issued = int(now.timestamp())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUD,
            "scope": lanekassen.SCOPE,
            "iat": issued,
            "exp": issued + 3600,
            "jti": str(uuid.uuid4()),
            "client_id": "bench",
            "token_type": "Bearer",
            "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{BANK}"},
        }
        if details is not None:
            claims["authorization_details"] = details
        return sign_jwt(claims, key, alg="RS256", header={"kid": "bench-1"})

    status = MemoryConsentStatus()
    consented: dict[str, str] = {}
    for fnr in customers:
        consent_id = str(uuid.uuid4())
        status.set(consent_id, "accepted")
        consented[fnr] = mint(
            [
                {
                    "type": "urn:altinn:consent",
                    "id": consent_id,
                    "from": f"urn:altinn:person:identifier-no:{fnr}",
                    "to": {"authority": "iso6523-actorid-upis", "ID": f"0192:{BANK}"},
                    "consented": (now - timedelta(days=1)).isoformat(),
                    "validTo": (now + timedelta(days=300)).isoformat(),
                    "consentRights": [
                        {
                            "action": ["consent"],
                            "resource": [{"type": "urn:altinn:resource", "value": "lanekassen-saldo"}],
                        }
                    ],
                }
            ]
        )
    plain = dict.fromkeys(customers, mint())

    def verifier() -> TokenVerifier:
        return TokenVerifier(ISSUER, ISSUER + "jwks", AUD, (), fetch_jwks=fetch)

    source = lanekassen.create_app(
        world, verifier=verifier(), api_key=API_KEY, consent_status=status, cache_ttl=timedelta(hours=1)
    )
    base = baseline_app(world, verifier())
    results: dict[str, list[float]] = {"baseline (no consent)": [], "consent in token": [], "cached consent": []}
    base_transport = httpx.ASGITransport(app=base)  # type: ignore[arg-type]
    source_transport = httpx.ASGITransport(app=source)  # type: ignore[arg-type]
    async with (
        httpx.AsyncClient(transport=base_transport, base_url="http://lk") as base_client,
        httpx.AsyncClient(transport=source_transport, base_url="http://lk") as client,
    ):
        rng = Random(1)
        await measure(base_client, customers, plain, 200, rng)  # warm-up: JWKS fetch, imports, caches
        for fnr in customers:  # every customer presents the consent once: the cache knows them all
            await measure(client, [fnr], consented, 1, rng)
        for _ in range(rounds):
            results["baseline (no consent)"].append(await measure(base_client, customers, plain, requests, rng))
            results["consent in token"].append(await measure(client, customers, consented, requests, rng))
            results["cached consent"].append(await measure(client, customers, plain, requests, rng))
    # The machine is shared: compare each mode with the baseline of the same round, take medians.
    baseline_runs = results["baseline (no consent)"]
    print(f"{len(customers)} customers, {rounds} interleaved rounds × {requests} sequential requests per mode")
    for mode, values in results.items():
        ratio = statistics.median(v / b for v, b in zip(values, baseline_runs, strict=True))
        print(
            f"  {mode:24s} median {statistics.median(values):6.0f} fetches/s  (min {min(values):.0f}, "
            f"max {max(values):.0f})  median ratio to baseline {ratio:6.1%}"
        )
    for mode in ("consent in token", "cached consent"):
        cost = 1 - statistics.median(v / b for v, b in zip(results[mode], baseline_runs, strict=True))
        print(
            f"  consent checks cost ({mode}): {cost:.1%} of throughput — target ≤ 30 %: "
            f"{'met' if cost <= 0.30 else 'NOT met'}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=12)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.requests, arguments.rounds))
