"""The request pipeline of a bank's Control API: one GET in, one answer out, one audit record always.

Order (DSOP “Architecture document” step 8, DSOP “Recommendations regarding validation”; DSOP “Security design”; DSOP
“eOppslag”):

1. **token** — Maskinporten access token: signature against the issuer's JWKS, ``aud`` = this
   bank's registered base URL, scope ``bits:kontoinformasjon``; the caller is the ``consumer``
   claim (401 ACC-010 / 403 ACC-011); a token verified moments ago is not checked again
   (the verifier's cache, ``contracts.verify``: until its ``exp``, at most 30 s);
2. **rate limit** per consumer (429 ACC-022 + Retry-After) and **Accept** (406 ACC-013);
3. **accountReference** (2b endpoints) — issued to this consumer (else 404 ACC-002), usable in this
   request (``dataNotDelivered`` or another case: 404 ACC-003); it names the party of the case;
4. **service** from consumer + Legal-Mandate, then the **facts** that service's rules need (date of
   death, guardianships, shielding, ``kjennelsesdato``) and, for Politi, the **verified
   extradition order**;
5. ``standard.authorize`` — formats, legal basis, endpoint, period, facts → ``Allowed``/``Denied``;
6. **data** from the bank's store (shielded person ⇒ empty list, ``complete``), transactions paged
   with a continuation token bound to consumer, account, case and period;
7. ``standard.filter_response`` for the service;
8. **JWE** to the consumer's CertPub certificate, or plaintext only in test with
   ``Accept: application/json``;
9. **audit record** (every request, allowed or denied), JSON log line and metrics.

Errors are plain ``application/json`` ``{code, message}`` and never encrypted; an unexpected
failure is 500 ACC-500 with its traceback in the server log only.  A database that cannot answer
(refused or dropped connection, statement timeout, locked) is 503 ACC-100 with ``Retry-After``
(``opendsop.availability``), never 500.

Served over HTTP (``app.py``), the audit record is written once the answer has been sent, and says
whether it was delivered (``delivered.py``): a caller that timed out or went away is not recorded as
having received data.  Called directly without a ``Delivery``, the record is written before
the answer is returned, and an answer whose record cannot be written is withheld; the same holds for
data answers while the audit log is failing.

Every request carries its API version (``Trace.api_version``, ``ControlRequest.api_version``): an
older version (v1, provider/v1.py) is a ``Dialect``.  While the bank's window for it is open
(``v1_served_until``) its requests are judged by that version's rules (``standard.versions``) and
the filtered body is rendered in its wire shape before step 8; once the window has closed, every
request to it is answered 410 ACC-014 before anything else.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol

from opendsop.audit.log import AuditLog, AuditRecord
from opendsop.availability import cannot_answer
from opendsop.clock import in_oslo, oslo_date, utc_date
from opendsop.contracts.certpub.errors import CertPubError
from opendsop.contracts.verify import InsufficientScope, Principal
from opendsop.contracts.verify import JwksUnavailable as IssuerKeysUnavailable
from opendsop.provider import answers
from opendsop.provider.delivered import Delivery
from opendsop.provider.errors import (
    INTERNAL_ERROR_CODE,
    INTERNAL_ERROR_MESSAGE,
    Forbidden,
    NotAcceptable,
    ReferenceNotHere,
    SourceUnavailable,
    TooManyRequests,
    Unauthenticated,
    UnknownReference,
    error_body,
    error_headers,
)
from opendsop.provider.logs import log
from opendsop.provider.metrics import ProviderMetrics
from opendsop.provider.negotiation import JOSE
from opendsop.provider.ports import Certificates, Clock, FactsSource, OrderVerifier, TokenVerifier
from opendsop.provider.ratelimit import Limiter, RateLimiter
from opendsop.provider.store.records import PartyRow, ReferencedAccount
from opendsop.provider.store.references import is_data_not_delivered
from opendsop.provider.store.repository import BankStore
from opendsop.provider.trace import Trace, audit_record, log_fields
from opendsop.standard import mandate as mandates
from opendsop.standard import wire
from opendsop.standard.authorize import authorize, configured_mandate
from opendsop.standard.decision import Denied
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.errors import DsopError, VersionRetired
from opendsop.standard.filtering import filter_response
from opendsop.standard.period import parse_date
from opendsop.standard.request import ControlRequest, Environment, Facts
from opendsop.standard.services import ReferenceKind, ServiceProfile, get_profile
from opendsop.standard.versions import ApiVersion, retired_message, rules_for, served
from opendsop.trust.errors import InvalidToken
from opendsop.trust.jwe import encrypt_compact_bytes

# Step 2b: the endpoints that take an accountReference (and only these may answer 404).
ACCOUNT_ENDPOINTS = frozenset({Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS, Endpoint.CARDS, Endpoint.ROLES})


class Dialect(Protocol):
    """Another version of the Control API (provider/v1.py): its rules are ``standard.versions``'."""

    version: ApiVersion

    def holders(self, body: Any) -> Collection[str]:
        """The parties whose stored records (``BankStore.party``) the rendering of ``body`` needs."""
        ...

    def render(self, endpoint: Endpoint, body: Any, *, path: str, parties: Mapping[str, PartyRow]) -> Any:
        """The already filtered v2 ``body`` as this version's wire object (``path`` = request path,
        ``parties`` the records of :meth:`holders`)."""
        ...


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes
    media_type: str
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Pipeline:
    """Everything one bank needs to answer Control API requests; shared by all requests."""

    environment: Environment
    tokens: TokenVerifier
    store: BankStore
    facts: FactsSource
    certificates: Certificates
    audit: AuditLog
    paging_key: bytes
    orders: OrderVerifier | None = None
    limiter: Limiter = field(default_factory=lambda: RateLimiter(0, 1))
    metrics: ProviderMetrics = field(default_factory=ProviderMetrics)
    clock: Clock = field(default_factory=lambda: answers.utc_now)
    monotonic: Callable[[], float] = time.perf_counter
    page_size: int = 1000
    v1_served_until: date | None = None  # the last day Control API v1 is answered; None: not at all
    configured_mandates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # FI_UTLEGG_MANDATES
    jwe_alg: str = "RSA-OAEP-256"
    jwe_enc: str = "A256GCM"
    audit_failing: bool = False  # the last record could not be written: no data leaves until one can
    record_first: bool = False  # commit each record before its answer leaves (a killed worker loses none)

    # -- entry points ------------------------------------------------------------------------------

    async def handle(
        self,
        endpoint: Endpoint,
        *,
        path: str,
        headers: Mapping[str, str],
        query: Mapping[str, str],
        account_reference: str | None = None,
        dialect: Dialect | None = None,
        delivery: Delivery | None = None,
    ) -> Answer:
        """Answer one GET on ``endpoint`` (headers with any case; ``path`` decoded, absolute);
        ``dialect`` for a request to another API version than v2; with ``delivery`` the audit record is
        written when it settles (after the answer was sent), else before returning."""
        started = self.monotonic()
        trace = Trace(
            endpoint,
            {name.lower(): value for name, value in headers.items()},
            account_reference,
            dialect=dialect,
            api_version=dialect.version if dialect is not None else ApiVersion.V2,
        )
        trace.from_date, trace.to_date = _query_date(query, "fromDate"), _query_date(query, "toDate")
        try:
            answer = await self._serve(trace, path=path, query=query)
        except DsopError as error:
            answer = self._error(error)
        except Exception as error:
            answer = self._failure(error, trace)
        answer = await self._record(trace, answer, delivery)
        self._observe(trace, answer, started)
        return answer

    def refuse(
        self,
        error: DsopError,
        *,
        endpoint: Endpoint | None,
        headers: Mapping[str, str],
        account_reference: str | None = None,
        api_version: ApiVersion = ApiVersion.V2,
    ) -> tuple[Answer, AuditRecord]:
        """An answer decided before the pipeline runs (405, unknown path): logged and counted now,
        its audit record returned for the caller to append (e.g. in a background task)."""
        trace = Trace(
            endpoint,
            {name.lower(): value for name, value in headers.items()},
            account_reference,
            api_version=api_version,
        )
        answer = self._error(error)
        self._observe(trace, answer, self.monotonic())
        return answer, audit_record(trace, answer, self.clock())

    # -- the steps ---------------------------------------------------------------------------------

    async def _serve(self, trace: Trace, *, path: str, query: Mapping[str, str]) -> Answer:
        endpoint = trace.endpoint
        assert endpoint is not None
        if not served(trace.api_version, v1_served_until=self.v1_served_until, today=oslo_date(self.clock())):
            raise VersionRetired(retired_message(trace.api_version))
        principal = await self._authenticate(trace)
        retry_after = await self.limiter.check(principal.consumer_org)
        if retry_after:
            raise TooManyRequests(
                f"Too many requests from consumer {principal.consumer_org}; retry after {retry_after} s",
                retry_after=retry_after,
            )
        media_type = answers.media_type(
            trace.headers.get("accept"), plaintext_allowed=self.environment is Environment.TEST
        )
        if media_type is None:
            raise NotAcceptable(
                "Accept must allow application/jose"
                + (" or application/json" if self.environment is Environment.TEST else "")
            )
        request = ControlRequest.from_http(
            endpoint,
            principal.consumer_org,
            trace.headers,
            query,
            account_reference=trace.account_reference,
            api_version=trace.api_version,
        )
        referenced = await self._referenced(trace, request) if endpoint in ACCOUNT_ENDPOINTS else None
        party = referenced.party_id if referenced else (request.party_id or "").strip() or None
        trace.party_id = party
        service = _service_of(request, self.configured_mandates)
        facts, order_error = await self._facts(request, service, party)
        now = self.clock()
        decision = authorize(
            request,
            facts,
            oslo_date(now),
            environment=self.environment,
            now=in_oslo(now),
            utc_date=utc_date(now),
            configured_mandates=self.configured_mandates,
        )  # a UTC host's date counts as today after Oslo midnight
        if isinstance(decision, Denied):
            trace.service = decision.service
            raise _denial(decision, order_error)
        trace.service = decision.service
        trace.from_date, trace.to_date = decision.period.from_date, decision.period.to_date
        body, trace.records = await answers.fetch(self, decision, request, referenced, path=path, query=query)
        return await self._deliver(
            get_profile(decision.service),
            endpoint,
            body,
            media_type,
            principal.consumer_org,
            dialect=trace.dialect,
            path=path,
        )

    async def _authenticate(self, trace: Trace) -> Principal:
        authorization = trace.headers.get("authorization")
        principal = await self._verify(authorization)
        trace.consumer_org, trace.supplier_org = principal.consumer_org, principal.supplier_org
        return principal

    async def _verify(self, authorization: str | None) -> Principal:
        try:
            principal = await self.tokens.verify_authorization(authorization)
        except InsufficientScope as error:
            raise Forbidden(f"Authorization: {error.message}") from None
        except IssuerKeysUnavailable as error:
            raise SourceUnavailable(f"The token issuer's keys could not be fetched: {error.message}") from None
        except InvalidToken as error:
            raise Unauthenticated(f"Authorization: {error.message}") from None
        return principal

    async def _referenced(self, trace: Trace, request: ControlRequest) -> ReferencedAccount:
        reference = request.account_reference or ""
        if is_data_not_delivered(reference):
            raise ReferenceNotHere(
                "accountReference dataNotDelivered names an account this bank serves only "
                "manually; ask through the digital letter channel"
            )
        try:
            referenced = await self.store.account_by_reference(reference, consumer_org=request.consumer_org)
        except Exception as error:
            raise SourceUnavailable(f"The account store did not answer ({type(error).__name__})") from error
        if referenced is None:
            raise UnknownReference(
                "accountReference is unknown: use a reference from this consumer's Accounts response"
            )
        case = (request.account_info_request_id or "").strip().lower()
        if answers.is_uuid(case) and case != referenced.account_info_request_id.lower():
            raise ReferenceNotHere(
                "accountReference was issued in another case: AccountInfoRequestID must be "
                "the one of the Accounts request"
            )
        return referenced

    async def _facts(
        self, request: ControlRequest, service: ServiceProfile | None, party: str | None
    ) -> tuple[Facts, DsopError | None]:
        if service is None:  # authorize reports the mandate; no register is asked for nothing
            return Facts(party_id=party), None
        lookup = self._valid_party(party)  # a malformed party is authorize's 400, never a register call
        try:
            facts = await self.facts.facts_for(lookup, service=service, request=request)
        except DsopError:
            raise
        except Exception as error:
            raise SourceUnavailable(f"A register did not answer ({type(error).__name__})") from error
        if facts.party_id != party:
            facts = replace(facts, party_id=party)
        if service.reference is not ReferenceKind.EXTRADITION_ORDER or self.orders is None:
            return facts, None
        jws = (request.additional_reference_id or "").strip()
        if (request.additional_reference_id_type or "").strip() != ReferenceKind.EXTRADITION_ORDER.value or not jws:
            return facts, None
        try:
            order = await self.orders.verify(jws, now=self.clock())
        except DsopError as error:
            if error.code == "ACC-100":
                raise SourceUnavailable(error.message) from None
            return facts, error
        except Exception as error:
            raise SourceUnavailable(f"The extradition order could not be verified ({type(error).__name__})") from error
        return replace(facts, extradition_order=order), None

    def _valid_party(self, party: str | None) -> str | None:
        if not party:
            return None
        valid = answers.valid_party(
            party, synthetic_allowed=self.environment is Environment.TEST, today=oslo_date(self.clock())
        )
        return party if valid else None

    async def _deliver(
        self,
        service: ServiceProfile,
        endpoint: Endpoint,
        body: Any,
        media_type: str,
        consumer_org: str,
        *,
        dialect: Dialect | None = None,
        path: str = "",
    ) -> Answer:
        in_place = answers.fresh_bodies(self.store)
        if dialect is None:
            plaintext = answers.encode_filtered(service, endpoint, body, in_place=in_place)
        else:  # filtered as v2 by the service's rules, then shaped for the older version
            filtered = filter_response(service, endpoint, body, in_place=in_place)
            parties = {
                party_id: found
                for party_id in sorted(dialect.holders(filtered))
                if (found := await self.store.party(party_id)) is not None
            }
            plaintext = wire.encode(dialect.render(endpoint, filtered, path=path, parties=parties))
        if media_type != JOSE:
            return Answer(200, plaintext, answers.JSON)
        try:
            certificate = await self.certificates.encryption_certificate(consumer_org)
        except CertPubError as error:
            raise SourceUnavailable(
                f"No usable encryption certificate for consumer {consumer_org} in CertPub: {error.message}"
            ) from None
        return Answer(200, encrypt_compact_bytes(plaintext, certificate, alg=self.jwe_alg, enc=self.jwe_enc), JOSE)

    # -- answers, audit, logs, metrics ----------------------------------------------------------

    @staticmethod
    def _error(error: DsopError) -> Answer:
        return Answer(error.status, error_body(error.code, error.message), answers.JSON, error_headers(error))

    def _failure(self, error: Exception, trace: Trace) -> Answer:
        """503 ACC-100 when the database (or another source) cannot answer now; 500 ACC-500 for a bug."""
        if cannot_answer(error):
            log.warning("the bank's database did not answer (%s)", type(error).__name__, extra=log_fields(trace))
            return self._error(
                SourceUnavailable(f"The bank's database did not answer ({type(error).__name__}); retry later")
            )
        log.exception("unexpected failure", extra=log_fields(trace))
        return Answer(500, error_body(INTERNAL_ERROR_CODE, INTERNAL_ERROR_MESSAGE), answers.JSON)

    async def _record(self, trace: Trace, answer: Answer, delivery: Delivery | None) -> Answer:
        # While the audit log is failing, a data answer's record is written before it leaves (delivery then
        # unknown), so no data leaves without one and the first success ends the failing state at once.
        if delivery is not None and not self.record_first and not (self.audit_failing and answer.status == 200):

            async def settle(delivered: bool) -> None:
                await self._append(trace, answer, delivered)

            delivery.settle_with(settle)
            return answer
        try:
            await self.audit.append(audit_record(trace, answer, self.clock()))
        except Exception as error:
            log.exception("audit record could not be written; answer withheld", extra=log_fields(trace))
            if cannot_answer(error):
                return self._error(
                    SourceUnavailable("The bank's audit log did not answer; no data is sent until it does")
                )
            return Answer(500, error_body(INTERNAL_ERROR_CODE, INTERNAL_ERROR_MESSAGE), answers.JSON)
        self.audit_failing = False
        return answer

    async def _append(self, trace: Trace, answer: Answer, delivered: bool) -> None:
        """The record of an answer already sent (or abandoned by its caller)."""
        try:
            await self.audit.append(audit_record(trace, answer, self.clock(), delivered))
        except Exception:
            self.audit_failing = True
            log.exception(
                "the audit record of a sent answer could not be written; data answers are refused "
                "until the audit log accepts records",
                extra=log_fields(trace),
            )
            return
        self.audit_failing = False

    def _observe(self, trace: Trace, answer: Answer, started: float) -> None:
        elapsed = max(0.0, self.monotonic() - started)
        endpoint = trace.endpoint.operation_id if trace.endpoint else "unknown"
        self.metrics.observe(service=trace.service, endpoint=endpoint, status=answer.status, seconds=elapsed)
        if not log.isEnabledFor(logging.INFO):  # the fields below are the line's only use
            return
        code, _ = answers.code_and_message(answer)
        log.info(
            "control request",
            extra={
                **log_fields(trace),
                "status": answer.status,
                "code": code,
                "records": trace.records,
                "duration_ms": round(elapsed * 1000, 2),
            },
        )


def _service_of(request: ControlRequest, configured: Mapping[str, tuple[str, ...]]) -> ServiceProfile | None:
    hit = configured_mandate(request.legal_mandate, configured)
    try:
        legal_basis = hit[0] if hit is not None else mandates.parse(request.legal_mandate)
    except DsopError:
        return None
    return rules_for(request.api_version).resolve(request.consumer_org, legal_basis.key, step=request.endpoint.step)


def _denial(decision: Denied, order_error: DsopError | None) -> DsopError:
    # For Politi the only 403 naming AdditionalReferenceID is "no verified order": when the order was
    # present but failed verification, say why instead (authorize ran first so format errors win).
    if order_error is not None and decision.code == "ACC-011" and decision.parameter == "AdditionalReferenceID":
        return order_error
    return DsopError(decision.message, parameter=decision.parameter, code=decision.code)


def _query_date(query: Mapping[str, str], name: str) -> date | None:
    """The requested date for the audit record, if it is one (an allowed period replaces it)."""
    try:
        return parse_date(query[name], parameter=name) if query.get(name) else None
    except DsopError:
        return None


__all__ = ["Answer", "Dialect", "Pipeline", "Trace"]
