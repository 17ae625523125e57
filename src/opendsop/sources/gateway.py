"""The policy enforcement point every consent-based data source shares.

One request runs as: verify the Maskinporten-like token (signature, iss, aud, expiry — ``TokenVerifier``),
check the scope the endpoint needs, check the consent (``consent_check``), optionally re-check its
status with the consent service, answer from the synthetic data — and **audit-log every answer,
allowed or refused** (``opendsop.audit.log``).

A refusal is a ``SourceError`` carrying a ``Failure`` kind; each source owns a ``Catalogue`` that
turns the kind into its documented code, HTTP status and error body (Skatteetaten
``{"kode", "melding", "korrelasjonsid"}``; Lånekassen and NAV their own shapes).  Messages never
echo a person number (they go to the audit log, which keeps the party id in its own field).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from enum import StrEnum
from typing import Any

from litestar import Request, Response

from opendsop.audit.log import AuditLog, AuditRecord
from opendsop.availability import RETRY_AFTER, cannot_answer
from opendsop.clock import Clock
from opendsop.contracts.verify import InsufficientScope, JwksUnavailable, Principal, TokenVerifier
from opendsop.serving import correlation_id, redact
from opendsop.sources.consent_check import (
    ConsentGrant,
    ConsentRefused,
    ConsentStatus,
    check_consent,
    ensure_active,
)
from opendsop.standard.errors import DsopError
from opendsop.trust.errors import InvalidToken

log = logging.getLogger("opendsop.sources")


class Failure(StrEnum):
    TOKEN = "token"  # noqa: S105 — missing, tampered or expired access token (a kind, not a secret)
    SCOPE = "scope"  # valid token without the scope the endpoint needs
    CONSENT = "consent"  # consent missing, expired, revoked, someone else's, other resource/period
    INPUT = "input"  # malformed header, path or query value
    UNKNOWN_PARTY = "unknown_party"  # no such person / organisation
    NO_DATA = "no_data"  # the party exists but has nothing for the request
    UNAVAILABLE = "unavailable"  # a dependency (issuer keys, consent service) did not answer
    FORBIDDEN = "forbidden"  # a statutory rule refuses (OTP: no avtaleforhold, outside its months)
    FORMAT = "format"  # the Accept header asks for a format the source does not serve (406)


class SourceError(Exception):
    def __init__(self, failure: Failure, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.failure = failure
        self.message = message
        self.parameter = parameter


BodyFactory = Callable[[str, int, str, str | None, str], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Catalogue:
    """A source's documented error codes: failure kind → code, code → HTTP status, and the body shape."""

    codes: Mapping[Failure, str]
    statuses: Mapping[str, int]
    body: BodyFactory

    def answer(self, error: SourceError, correlation: str) -> tuple[str, int, dict[str, Any]]:
        code = self.codes[error.failure]
        status = self.statuses[code]
        return code, status, self.body(code, status, error.message, error.parameter, correlation)


def skatteetaten_body(
    code: str, _status: int, message: str, _parameter: str | None, correlation: str
) -> dict[str, Any]:
    """Skatteetaten's error format (api-dokumentasjon "Feil"): ``{"kode", "melding", "korrelasjonsid"}``."""
    return {"kode": code, "melding": message, "korrelasjonsid": correlation}


@dataclass(slots=True)
class Exchange:
    """What the audit record of one request needs, filled in as the request is handled."""

    endpoint: str
    party_id: str | None = None
    principal: Principal | None = None
    records: int = 0
    from_date: date | None = None
    to_date: date | None = None
    consent_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class SourceRuntime:
    """The shared machinery of one data source app."""

    def __init__(
        self,
        *,
        service: str,
        catalogue: Catalogue,
        verifier: TokenVerifier,
        audit: AuditLog,
        clock: Clock,
        consent_status: ConsentStatus | None = None,
        correlation_header: str = "X-Request-Id",
    ) -> None:
        self.service = service
        self.catalogue = catalogue
        self.verifier = verifier
        self.audit = audit
        self.clock = clock
        self.consent_status = consent_status
        self.correlation_header = correlation_header

    # -- checks ------------------------------------------------------------------------------------

    async def principal(self, token: str | None, *, any_scope: Collection[str], bearer: bool = True) -> Principal:
        """The verified caller; ``any_scope``: at least one of these scopes is required."""
        try:
            if bearer:
                principal = await self.verifier.verify_authorization(token)
            else:
                if not token or not token.strip():
                    raise InvalidToken("the Authorization header with the access token is missing")
                raw = token.strip()
                if raw.lower().startswith("bearer "):
                    raw = raw[7:].strip()
                principal = await self.verifier.verify(raw)
        except InsufficientScope as exc:
            raise SourceError(Failure.SCOPE, exc.message, parameter="Authorization") from None
        except JwksUnavailable as exc:
            raise SourceError(Failure.UNAVAILABLE, exc.message) from None
        except InvalidToken as exc:
            raise SourceError(
                Failure.TOKEN, f"the access token is not valid: {exc.message}", parameter="Authorization"
            ) from None
        if any_scope and not principal.scopes & frozenset(any_scope):
            raise SourceError(
                Failure.SCOPE,
                f"the access token lacks the scope {' or '.join(sorted(any_scope))}",
                parameter="Authorization",
            )
        return principal

    def consent(
        self,
        principal: Principal,
        *,
        resource: str,
        subject: str,
        max_validity: timedelta | None,
        parameters: Mapping[str, str] | None = None,
    ) -> ConsentGrant:
        try:
            return check_consent(
                principal,
                resource=resource,
                now=self.clock(),
                parameters=parameters,
                subject=subject,
                max_validity=max_validity,
            )
        except ConsentRefused as refused:
            raise SourceError(Failure.CONSENT, refused.message, parameter=refused.parameter) from None

    async def still_active(self, grant: ConsentGrant) -> None:
        """Re-check revocation with the consent service when a port is configured."""
        if self.consent_status is None:
            return
        try:
            await ensure_active(grant, self.consent_status)
        except ConsentRefused as refused:
            raise SourceError(Failure.CONSENT, refused.message, parameter=refused.parameter) from None
        except Exception as exc:  # the consent service is down: fail closed, never serve unchecked
            log.warning("consent status lookup failed: %s", type(exc).__name__)
            raise SourceError(Failure.UNAVAILABLE, "the consent service could not be asked about the consent") from None

    # -- running a request ---------------------------------------------------------------------------

    async def run(
        self, request: Request[Any, Any, Any], exchange: Exchange, handler: Callable[[], Awaitable[Any]]
    ) -> Response[Any]:
        """Run ``handler``; answer its result (200) or the refusal, and audit-log either."""
        correlation = correlation_id(request.headers.get(self.correlation_header))
        headers = {self.correlation_header: correlation}
        try:
            return await self._run(exchange, handler, correlation, headers)
        except Exception as error:
            if not cannot_answer(error):
                raise
            # the audit database cannot take the record: nothing leaves unrecorded; the caller retries
            log.warning("%s: the audit log did not answer (%s)", self.service, type(error).__name__)
            unavailable = SourceError(Failure.UNAVAILABLE, "the service cannot answer now; retry later")
            _, status, body = self.catalogue.answer(unavailable, correlation)
            return Response(body, status_code=status, headers={**headers, **RETRY_AFTER})

    async def _run(
        self, exchange: Exchange, handler: Callable[[], Awaitable[Any]], correlation: str, headers: dict[str, str]
    ) -> Response[Any]:
        try:
            result = await handler()
        except SourceError as error:
            code, status, body = self.catalogue.answer(error, correlation)
            await self._record(exchange, correlation, outcome=code, status=status, message=error.message)
            if error.failure is Failure.TOKEN:
                headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return Response(body, status_code=status, headers=headers)
        except DsopError as error:  # identifier validation from the rules core
            wrapped = SourceError(Failure.INPUT, error.message, parameter=error.parameter)
            code, status, body = self.catalogue.answer(wrapped, correlation)
            await self._record(exchange, correlation, outcome=code, status=status, message=error.message)
            return Response(body, status_code=status, headers=headers)
        await self._record(exchange, correlation, outcome="allowed", status=200, message=None)
        return Response(result, status_code=200, headers={**headers, **exchange.headers})

    async def _record(
        self, exchange: Exchange, correlation: str, *, outcome: str, status: int, message: str | None
    ) -> None:
        principal = exchange.principal
        note = message
        if exchange.consent_id:
            note = f"consent {exchange.consent_id}" + (f": {message}" if message else "")
        record = AuditRecord(
            recorded_at=self.clock().astimezone(UTC),
            correlation_id=correlation,
            consumer_org=principal.consumer_org if principal else None,
            supplier_org=principal.supplier_org if principal else None,
            service=self.service,
            endpoint=exchange.endpoint,
            party_id=exchange.party_id,
            from_date=exchange.from_date,
            to_date=exchange.to_date,
            outcome=outcome,
            status=status,
            records=exchange.records,
            message=note,
            consent_id=exchange.consent_id,
        )
        await self.audit.append(record)
        if outcome != "allowed":
            log.info("%s %s refused %s: %s", self.service, exchange.endpoint, outcome, redact(message or ""))


__all__ = [
    "Catalogue",
    "Exchange",
    "Failure",
    "SourceError",
    "SourceRuntime",
    "skatteetaten_body",
]
