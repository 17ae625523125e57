"""Lånekassen "Saldo på studielån" as a consent-based data source (DSOP Saldo på studielån “Om”; DSOP SBL
“Samtykkeløsningen”; DSOP “Altinn 3.0”).

``GET /saldo/v1/Accounts`` with the headers of DSOP Saldo på studielån “Om”:

| Header          | Content                                                                 |
|-----------------|-------------------------------------------------------------------------|
| ``ApiKey``      | Lånekassen's static key                                                  |
| ``Authorization`` | the raw access token, **without** ``Bearer`` (a ``Bearer`` prefix is tolerated) |
| ``Consent-ID``  | optional here: the consent's id; when given it must name the consent used |
| ``PSU_ID``      | the customer's 11-digit fødselsnummer                                    |
| ``X-Request-Id`` | unique per request                                                     |

Answer: ``{"Accounts": [{"Balances": [{"BalanceType": "closingBooked", "BalanceAmount": {"currency":
"NOK", "amount": …}, "LastChangeDateTime": "…Z"}], "Name": "Lån|Renter|Gebyr|Omkostninger",
"Bban": <fnr>, "Assert": ""}], "TotalAmount": <sum>}`` with 0–4 sub-accounts.

Consent (Altinn 3 form of DSOP Saldo på studielån “Om”'s "exchange once, Lånekassen caches"): the **first** call carries
the
consent in the access token's ``authorization_details`` (resource ``lanekassen-saldo``, given to the
token's ``consumer`` by the person in ``PSU_ID``, at most one year).  After a 200 the consent is
cached under (consumer orgnr, fnr); later calls send an ordinary access token and the cache supplies
the consent.  A cached consent is trusted without asking the consent service for
``cache_ttl`` (default 5 minutes); after that it is re-checked once (revoked → evicted and 403) and
trusted again for ``cache_ttl``.  Its own ``validTo`` always applies: after expiry every call is refused.
A revocation reaches the cache at once: the consent service posts it to ``/internal/consent-events``
(``consent_events_route``), which drops every entry of that consent and refuses it from then on.

Errors (DSOP Saldo på studielån “Om”): 400 invalid headers, 401 access token invalid (or wrong ``ApiKey``), 403 consent
invalid, 404 ``PSU_ID`` unknown.  Body ``{"statusCode", "message"}`` (the shape is not documented).
Every answer is audit-logged.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar, Request, Response, get, post

from opendsop.audit.log import AuditLog, MemoryAuditLog
from opendsop.clock import utc_now as _utcnow
from opendsop.contracts.consent_events import CONSENT_EVENTS_PATH, ends_consent, parse_consent_event
from opendsop.contracts.verify import Principal, TokenVerifier
from opendsop.sources import _resources as resources
from opendsop.sources.consent_check import (
    ConsentGrant,
    ConsentRefused,
    ConsentStatus,
    check_grant_set,
    has_consent,
)
from opendsop.sources.data import Person, World
from opendsop.sources.gateway import Catalogue, Clock, Exchange, Failure, SourceError, SourceRuntime
from opendsop.standard.identifiers import validate_person_number

SCOPE = "lanekassen:lan/v1/saldoopplysninger"
REQUIRED_HEADERS = ("ApiKey", "Authorization", "PSU_ID", "X-Request-Id")
MAX_CACHE_ENTRIES = 100_000
# How long a cached consent is trusted before the consent service is asked again; revocations arrive at
# once through /internal/consent-events, this bounds the damage of a lost notice.
DEFAULT_CACHE_TTL = timedelta(minutes=5)
log = logging.getLogger("opendsop.sources")


def _body(code: str, status: int, message: str, _parameter: str | None, _correlation: str) -> dict[str, Any]:
    return {"statusCode": status, "message": message}


CATALOGUE = Catalogue(
    {
        Failure.TOKEN: "401",
        Failure.SCOPE: "401",
        Failure.INPUT: "400",
        Failure.CONSENT: "403",
        Failure.UNKNOWN_PARTY: "404",
        Failure.NO_DATA: "404",
        Failure.UNAVAILABLE: "500",
    },
    {"400": 400, "401": 401, "403": 403, "404": 404, "500": 500},
    _body,
)


@dataclass(slots=True)
class _Cached:
    grant: ConsentGrant
    checked_at: datetime


class ConsentCache:
    """Consents Lånekassen has accepted once, keyed by (consumer orgnr, fnr); bounded, oldest evicted first.

    ``end(consent_id)`` — the consent service says the consent is revoked (or used): every entry of it is
    dropped at once and the id is remembered, so neither the cache nor a re-presented token serves it
    again (an ended consent never becomes accepted again)."""

    def __init__(self, ttl: timedelta, *, max_entries: int = MAX_CACHE_ENTRIES) -> None:
        self.ttl = ttl
        self._entries: OrderedDict[tuple[str, str], _Cached] = OrderedDict()
        self._ended: OrderedDict[str, None] = OrderedDict()
        self._max = max_entries

    def put(self, org: str, fnr: str, grant: ConsentGrant, now: datetime) -> None:
        if grant.id in self._ended:
            return
        self._entries[(org, fnr)] = _Cached(grant, now)
        self._entries.move_to_end((org, fnr))
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def get(self, org: str, fnr: str) -> _Cached | None:
        return self._entries.get((org, fnr))

    def evict(self, org: str, fnr: str) -> None:
        self._entries.pop((org, fnr), None)

    def end(self, consent_id: str) -> int:
        """Forget every entry of ``consent_id`` and refuse it from now on; how many entries were dropped."""
        self._ended[consent_id] = None
        self._ended.move_to_end(consent_id)
        while len(self._ended) > self._max:
            self._ended.popitem(last=False)
        keys = [key for key, entry in self._entries.items() if entry.grant.id == consent_id]
        for key in keys:
            del self._entries[key]
        return len(keys)

    def ended(self, consent_id: str) -> bool:
        return consent_id in self._ended

    def __len__(self) -> int:
        return len(self._entries)


def _zulu(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def accounts_body(person: Person) -> dict[str, Any]:
    accounts = person.loan or ()
    return {
        "Accounts": [
            {
                "Balances": [
                    {
                        "BalanceType": "closingBooked",
                        "BalanceAmount": {"currency": "NOK", "amount": float(account.amount)},
                        "LastChangeDateTime": _zulu(account.last_change),
                    }
                ],
                "Name": account.name,
                "Bban": person.fnr,
                "Assert": "",
            }
            for account in accounts
        ],
        "TotalAmount": float(sum((account.amount for account in accounts), start=0)),
    }


def _consent_id_header(request: Request[Any, Any, Any]) -> str | None:
    value = request.headers.get("Consent-ID")
    if value is None:
        return None
    return value.strip().strip('"').strip("'").strip() or None  # DSOP Saldo på studielån “Om”: strip stray quotes


class _Saldo:
    """The endpoint's logic: headers, token, PSU_ID, the consent (from the token or the cache), the balance."""

    def __init__(self, world: World, runtime: SourceRuntime, api_key: str, cache: ConsentCache) -> None:
        self.world, self.runtime, self.api_key, self.cache = world, runtime, api_key, cache
        self.max_validity = resources.MAX_VALIDITY[resources.SALDO]

    def _check_cached(self, grant: ConsentGrant, principal: Principal, fnr: str) -> None:
        try:
            check_grant_set(
                [grant],
                principal,
                resource=resources.SALDO,
                now=self.runtime.clock(),
                subject=fnr,
                max_validity=self.max_validity,
            )
        except ConsentRefused as refused:
            raise SourceError(Failure.CONSENT, refused.message, parameter=refused.parameter) from None

    async def _presented(self, principal: Principal, fnr: str, named: str | None) -> ConsentGrant:
        """The one call that presents the consent: check it fully, ask the consent service, then cache it."""
        grant = self.runtime.consent(principal, resource=resources.SALDO, subject=fnr, max_validity=self.max_validity)
        if self.cache.ended(grant.id):
            raise SourceError(
                Failure.CONSENT, f"consent {grant.id} has been revoked", parameter="authorization_details"
            )
        if named is not None and named != grant.id:
            raise SourceError(
                Failure.CONSENT, "Consent-ID does not name the consent in the access token", parameter="Consent-ID"
            )
        await self.runtime.still_active(grant)
        self.cache.put(principal.consumer_org, fnr, grant, self.runtime.clock())
        return grant

    async def _cached(self, principal: Principal, fnr: str, named: str | None) -> ConsentGrant:
        entry = self.cache.get(principal.consumer_org, fnr)
        if entry is None:
            raise SourceError(
                Failure.CONSENT,
                "no consent has been presented for this customer by this organisation, and none is cached",
                parameter="Consent-ID",
            )
        if named is not None and named != entry.grant.id:
            raise SourceError(Failure.CONSENT, "Consent-ID does not name the cached consent", parameter="Consent-ID")
        try:
            self._check_cached(entry.grant, principal, fnr)
            if self.runtime.clock() - entry.checked_at >= self.cache.ttl:
                await self.runtime.still_active(entry.grant)
                entry.checked_at = self.runtime.clock()
        except SourceError as error:
            if error.failure is Failure.CONSENT:
                self.cache.evict(principal.consumer_org, fnr)
            raise
        return entry.grant

    async def consent_for(self, request: Request[Any, Any, Any], principal: Principal, fnr: str) -> ConsentGrant:
        named = _consent_id_header(request)
        if has_consent(principal):
            return await self._presented(principal, fnr, named)
        return await self._cached(principal, fnr, named)

    async def accounts(self, request: Request[Any, Any, Any]) -> Response[Any]:
        exchange = Exchange("Accounts", party_id=(request.headers.get("PSU_ID") or "").strip()[:64] or None)

        async def handle() -> dict[str, Any]:
            missing = [name for name in REQUIRED_HEADERS if not request.headers.get(name, "").strip()]
            if missing:
                raise SourceError(Failure.INPUT, f"required header {missing[0]} is missing", parameter=missing[0])
            if not hmac.compare_digest(request.headers["ApiKey"].strip().encode(), self.api_key.encode()):
                raise SourceError(Failure.TOKEN, "the ApiKey is not Lånekassen's", parameter="ApiKey")
            exchange.principal = principal = await self.runtime.principal(
                request.headers["Authorization"], any_scope=(SCOPE,), bearer=False
            )
            try:
                fnr = validate_person_number(request.headers["PSU_ID"].strip(), synthetic_allowed=True).value
            except ValueError as exc:
                raise SourceError(
                    Failure.INPUT, f"PSU_ID must be an 11-digit fødselsnummer: {exc}", parameter="PSU_ID"
                ) from None
            grant = await self.consent_for(request, principal, fnr)
            exchange.consent_id = grant.id
            person = self.world.persons.get(fnr)
            if person is None or person.loan is None:
                raise SourceError(Failure.UNKNOWN_PARTY, "PSU_ID is not a Lånekassen customer", parameter="PSU_ID")
            body = accounts_body(person)
            exchange.records = len(body["Accounts"])
            return body

        return await self.runtime.run(request, exchange, handle)


def consent_events_route(cache: ConsentCache, token: str) -> Any:
    """``POST /internal/consent-events``: the consent service's notice that a consent has ended.

    ``Authorization: Bearer <token>`` (the secret shared with the consent service); body
    ``{"consentId": "<id>", "status": "revoked"|"used"|…}``.  Any status but ``accepted`` ends the
    consent in the cache at once."""

    def refuse(status: int, message: str) -> Response[Any]:
        return Response({"statusCode": status, "message": message}, status_code=status)

    @post(CONSENT_EVENTS_PATH, status_code=200)
    async def consent_events(request: Request[Any, Any, Any]) -> Response[Any]:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return refuse(401, "the consent-events endpoint needs the consent service's token")
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return refuse(400, "the body is not JSON")
        event = parse_consent_event(body)
        if event is None:
            return refuse(400, 'the body must be {"consentId": "<id>", "status": "<status>"}')
        consent_id, status = event
        if not ends_consent(status):
            return Response({"consentId": consent_id, "evicted": 0}, status_code=200)
        evicted = cache.end(consent_id)
        log.info("consent %s is %s: %d cached entries dropped", consent_id, status[:16], evicted)
        return Response({"consentId": consent_id, "evicted": evicted}, status_code=200)

    return consent_events


def create_app(
    world: World,
    *,
    verifier: TokenVerifier,
    api_key: str,
    audit: AuditLog | None = None,
    clock: Clock | None = None,
    consent_status: ConsentStatus | None = None,
    cache_ttl: timedelta = DEFAULT_CACHE_TTL,
    cache: ConsentCache | None = None,
    events_token: str | None = None,
) -> Litestar:
    """The Lånekassen saldo source over ``world``; ``verifier`` needs no required scopes; with
    ``events_token`` the consent service can end cached consents at once (``consent_events_route``)."""
    cache = cache if cache is not None else ConsentCache(cache_ttl)
    runtime = SourceRuntime(
        service="lanekassen-saldo",
        catalogue=CATALOGUE,
        verifier=verifier,
        audit=audit or MemoryAuditLog(),
        clock=clock or _utcnow,
        consent_status=consent_status,
    )
    service = _Saldo(world, runtime, api_key, cache)

    @get("/saldo/v1/Accounts")
    async def accounts(request: Request[Any, Any, Any]) -> Response[Any]:
        return await service.accounts(request)

    handlers: list[Any] = [accounts]
    if events_token:
        handlers.append(consent_events_route(cache, events_token))
    app = Litestar(route_handlers=handlers, logging_config=None)
    app.state.consent_cache = cache
    return app


__all__ = [
    "CATALOGUE",
    "DEFAULT_CACHE_TTL",
    "SCOPE",
    "ConsentCache",
    "accounts_body",
    "consent_events_route",
    "create_app",
]
