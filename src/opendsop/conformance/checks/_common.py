# SPDX-License-Identifier: Apache-2.0
"""Shared helpers of the check modules: expectations and sources."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from opendsop.conformance.context import Answer, Context
from opendsop.conformance.model import Check, Failed, Severity
from opendsop.standard.errors import status_for
from opendsop.standard.services import ServiceProfile

VALIDATION = "DSOP “Recommendations regarding validation”"
SECURITY = "DSOP “Security design”"
EOPPSLAG = "DSOP “eOppslag”"
DATA_MODEL = "DSOP “Data model”"
ORDER = "DSOP Politi “Utleveringspålegg”"

Send = Callable[[Context], Awaitable[Answer]]


def solution(profile: ServiceProfile) -> str:
    """The service's own page, where its rules are written."""
    return profile.source or f"DSOP {profile.name} “Løsningsbeskrivelse”"


def expect(answer: Answer, status: int, code: str | None = None) -> None:
    got_code = answer.code()
    if answer.status == status and (code is None or got_code == code):
        return
    wanted = f"{status} {code}" if code else str(status)
    got = f"{answer.status} {got_code}" if got_code else str(answer.status)
    detail = answer.text[:160].replace("\n", " ")
    raise Failed(f"expected {wanted}, got {got}: {detail!r}")


def denial(
    check_id: str,
    rule: str,
    title: str,
    source: str,
    service: str | None,
    code: str,
    send: Send,
    *,
    severity: Severity = Severity.MUST,
) -> Check:
    """A request the bank must refuse with ``code`` (and the status the catalogue gives it)."""
    status = status_for(code)

    async def run(ctx: Context) -> None:
        expect(await send(ctx), status, code)

    return Check(check_id, rule, f"{title} → {status} {code}", source, run, severity, service)


def allowed(check_id: str, rule: str, title: str, source: str, service: str | None, send: Send) -> Check:
    async def run(ctx: Context) -> None:
        expect(await send(ctx), 200)

    return Check(check_id, rule, f"{title} → 200", source, run, Severity.MUST, service)


__all__ = [
    "DATA_MODEL",
    "EOPPSLAG",
    "ORDER",
    "SECURITY",
    "VALIDATION",
    "Send",
    "allowed",
    "denial",
    "expect",
    "solution",
]
