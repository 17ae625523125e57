# SPDX-License-Identifier: Apache-2.0
"""Checks every service shares: HTTP method and media type, account references, Maskinporten tokens
(audience, scope, expiry, algorithm, issuer key), JWE to the agency's CertPub certificate and rate
limiting with ``Retry-After`` (Bank_v2.yaml; DSOP “Security design”; DSOP “eOppslag”).  They run as the
first selected service's agency.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from opendsop.conformance.checks._common import EOPPSLAG, SECURITY, denial, expect
from opendsop.conformance.context import JOSE, Answer, Context
from opendsop.conformance.model import Check, Failed, Severity
from opendsop.trust.errors import TrustError

CONTRACT = "Bank_v2.yaml"
RATE_PROBES = 1_000  # requests the rate-limit check sends at most before it expects a 429
RATE_BURST = 200  # sent at once


def protocol_checks(service: str) -> list[Check]:
    s = service

    def accounts(**headers: str | None) -> Any:
        async def send(ctx: Context) -> Answer:
            return await ctx.accounts(s, overrides=headers)

        return send

    def token(**options: Any) -> Any:
        async def send(ctx: Context) -> Answer:
            return await ctx.accounts(s, Authorization=f"Bearer {ctx.token(s, **options)}")

        return send

    async def post(ctx: Context) -> Answer:
        return await ctx.request("POST", "/accounts", headers=ctx.headers(s, party=ctx.subject(s).party))

    async def unknown(ctx: Context) -> Answer:
        return await ctx.get(s, "/accounts/kit-unknown-reference")

    async def other_case(ctx: Context) -> Answer:
        reference = await ctx.reference(s)
        return await ctx.get(s, f"/accounts/{reference}", case=ctx.case(s, "another case"))

    async def expired(ctx: Context) -> Answer:
        old = ctx.trust.mint(
            ctx.consumer(s), audience=ctx.audience, now=ctx.now() - timedelta(minutes=10), lifetime=120
        )
        return await ctx.accounts(s, Authorization=f"Bearer {old}")

    async def unsigned(ctx: Context) -> Answer:
        return await ctx.accounts(
            s, Authorization=f"Bearer {ctx.trust.unsigned(ctx.consumer(s), audience=ctx.audience, now=ctx.now())}"
        )

    async def forged(ctx: Context) -> Answer:
        return await ctx.accounts(s, Authorization=f"Bearer {ctx.token(s, key=ctx.trust.stray_key)}")

    async def method_run(ctx: Context) -> None:
        answer = await post(ctx)
        expect(answer, 405, "ACC-012")
        if "GET" not in answer.headers.get("allow", "").upper():
            raise Failed(f"405 without 'Allow: GET' (Allow: {answer.headers.get('allow')!r})")

    return [
        Check(
            f"{s}.http.method",
            "http.method",
            "POST /accounts → 405 ACC-012 with Allow: GET",
            CONTRACT,
            method_run,
            Severity.MUST,
            s,
        ),
        denial(
            f"{s}.http.accept", "http.accept", "Accept: text/html", CONTRACT, s, "ACC-013", accounts(Accept="text/html")
        ),
        denial(
            f"{s}.http.unknown-reference",
            "http.account_reference",
            "an accountReference the bank never issued",
            CONTRACT,
            s,
            "ACC-002",
            unknown,
        ),
        denial(
            f"{s}.http.reference-other-case",
            "http.account_reference",
            "an accountReference of another case",
            CONTRACT,
            s,
            "ACC-003",
            other_case,
        ),
        denial(
            f"{s}.token.missing",
            "token.missing",
            "no Authorization",
            SECURITY,
            s,
            "ACC-010",
            accounts(Authorization=None),
        ),
        denial(
            f"{s}.token.audience",
            "token.audience",
            "a token for another audience",
            SECURITY,
            s,
            "ACC-010",
            token(audience="https://another-bank.example/v2"),
        ),
        denial(
            f"{s}.token.scope",
            "token.scope",
            "a token without bits:kontoinformasjon",
            SECURITY,
            s,
            "ACC-011",
            token(scope="folkeregister:read"),
        ),
        denial(
            f"{s}.token.expired", "token.expiry", "a token that expired 8 minutes ago", SECURITY, s, "ACC-010", expired
        ),
        denial(
            f"{s}.token.alg-none", "token.algorithm", "an unsigned token (alg none)", SECURITY, s, "ACC-010", unsigned
        ),
        denial(
            f"{s}.token.unknown-key",
            "token.signature",
            "a token signed by a key the issuer never published",
            SECURITY,
            s,
            "ACC-010",
            forged,
        ),
        Check(
            f"{s}.jwe.certpub",
            "jwe.encrypted",
            "Accept: application/jose → JWE the agency's CertPub key decrypts",
            SECURITY,
            _jwe(s),
            Severity.MUST,
            s,
        ),
    ]


def _jwe(service: str) -> Any:
    async def run(ctx: Context) -> None:
        answer = await ctx.accounts(service, Accept=JOSE)
        expect(answer, 200)
        if answer.media_type != JOSE:
            raise Failed(f"Content-Type is {answer.media_type!r}, expected {JOSE}")
        try:
            plaintext = ctx.trust.decrypt(answer.text, ctx.consumer(service))
        except (TrustError, ValueError, KeyError) as error:
            raise Failed(
                f"the JWE does not decrypt with the key of the agency's CertPub certificate: {error}"
            ) from None
        try:
            body = json.loads(plaintext)
        except ValueError:
            raise Failed("the decrypted JWE is not JSON") from None
        if not isinstance(body, dict) or "accounts" not in body:
            raise Failed("the decrypted JWE is not an Accounts body")

    return run


def rate_check(service: str) -> Check:
    async def run(ctx: Context) -> None:
        headers = ctx.headers(service, party=ctx.subject(service).party)
        # A request refused for its date costs the bank no data lookup, so the burst outruns a limit of
        # a few dozen a second even on a slow bank; the limit counts every request of the consumer.
        params = {"OnlyPrimaryOwner": "true", "fromDate": "not-a-date"}
        sent = 0
        while sent < RATE_PROBES:
            ctx.exchanges.clear()  # keep only the last burst's exchanges for the report
            burst = [
                ctx.request("GET", "/accounts", headers={**headers, "CorrelationID": _uuid()}, params=params)
                for _ in range(RATE_BURST)
            ]
            answers = await asyncio.gather(*burst)  # concurrent, as a busy agency's fan-out is
            sent += len(answers)
            limited = [answer for answer in answers if answer.status == 429]
            if limited:
                expect(limited[0], 429, "ACC-022")
                retry = limited[0].headers.get("retry-after", "")
                if not retry.strip().isdigit():
                    raise Failed(f"429 after {sent} requests without a Retry-After in seconds (got {retry!r})")
                return
            odd = next((answer for answer in answers if answer.status not in (200, 400)), None)
            if odd is not None:
                raise Failed(f"a request of the burst was answered {odd.status} {odd.code() or ''}")
        raise Failed(
            f"{RATE_PROBES} requests in bursts of {RATE_BURST} from one consumer were never limited (429 ACC-022)"
        )

    return Check(
        f"{service}.ratelimit.retry-after",
        "ratelimit.retry_after",
        "a burst from one consumer is limited: 429 ACC-022 with Retry-After",
        EOPPSLAG,
        run,
        Severity.SHOULD,
        service,
        timeout=180.0,
    )


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


__all__ = ["CONTRACT", "protocol_checks", "rate_check"]
