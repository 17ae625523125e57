# SPDX-License-Identifier: Apache-2.0
"""``dsop conformance agency``: a mock bank an agency's client is pointed at.  It answers like a bank
holding the kit's world and judges every request it receives:

* the request itself, by the standard's own ``authorize`` (headers, the mandate for the service,
  RequesterID, AdditionalReference, the period rules) against the world's register facts;
* the token (``aud`` = this bank's base URL, scope ``bits:kontoinformasjon``, unexpired, RS256/PS256);
* across requests: a new CorrelationID for every call; an accountReference used in the case
  (AccountInfoRequestID) it was issued in; after a 429, nothing before ``Retry-After`` has passed;
  every ``next`` link it hands out followed.

Each rule becomes a check in the same reports as the bank run (passed, or failed with the first
request that broke it, personal data masked).  The clock is injectable (tests advance it).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from opendsop.conformance.model import Exchange, Outcome, Result, Severity
from opendsop.conformance.world import World
from opendsop.standard import scopes
from opendsop.standard.authorize import authorize
from opendsop.standard.decision import Denied
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.extradition import parse_claims
from opendsop.standard.request import ControlRequest, Environment, Facts, Guardianship

PAGE_SIZE = 2
_SUFFIX = {
    "": Endpoint.ACCOUNT_DETAILS,
    "transactions": Endpoint.TRANSACTIONS,
    "cards": Endpoint.CARDS,
    "roles": Endpoint.ROLES,
}

# rule id → (title, public source, severity)
RULES: dict[str, tuple[str, str, Severity]] = {
    "agency.authorize": (
        "every request is one the standard allows (headers, mandate, period, references)",
        "DSOP “Recommendations regarding validation”",
        Severity.MUST,
    ),
    "agency.token": (
        "the token is for this bank (aud), carries bits:kontoinformasjon, is unexpired and RS256/PS256",
        "DSOP “Security design”",
        Severity.MUST,
    ),
    "agency.correlation_id": ("a new CorrelationID on every call", "DSOP “eOppslag”", Severity.MUST),
    "agency.case_id": (
        "an accountReference is used in the case (AccountInfoRequestID) it was issued in",
        "DSOP “eOppslag”",
        Severity.MUST,
    ),
    "agency.retry_after": (
        "after 429, nothing is sent before Retry-After has passed",
        "RFC 9110 §10.2.3; DSOP “eOppslag”",
        Severity.MUST,
    ),
    "agency.next": ("every next link is followed to the last page", "DSOP “eOppslag”", Severity.MUST),
    "agency.jwe": (
        "an encrypted answer is read: an accountReference sent only inside a JWE comes back",
        "DSOP “Security design”",
        Severity.MUST,
    ),
    "agency.accept": (
        "Accept asks for application/jose (or application/json in test)",
        "DSOP “Security design”",
        Severity.SHOULD,
    ),
}


@dataclass
class Inspector:
    world: World
    base_url: str  # the mock bank's base URL, ending in /v2: the audience the tokens must carry
    clock: Callable[[], datetime]
    retry_after: int = 2  # seconds the mock asks for in its 429
    throttle_every: int = 5  # every n-th request of a consumer is answered 429 (0: never)
    certificates: dict[str, Any] = field(default_factory=dict)  # agency orgno → its encryption certificate
    violations: dict[str, list[tuple[str, Exchange]]] = field(default_factory=dict)
    asked: dict[str, int] = field(default_factory=dict)  # rule → requests it judged
    _correlations: set[str] = field(default_factory=set)
    _references: dict[str, str] = field(default_factory=dict)  # accountReference → its case
    _blocked_until: dict[str, datetime] = field(default_factory=dict)  # consumer → earliest allowed retry
    _counts: dict[str, int] = field(default_factory=dict)
    _next_links: dict[str, Exchange] = field(default_factory=dict)  # pending href → where it was given
    _sealed: dict[str, Exchange] = field(default_factory=dict)  # accountReference sent only inside a JWE
    _hub_cases: dict[tuple[str, str], str] = field(default_factory=dict)  # (consumer, party) → case at the hub
    bank_orgno: str = "910000001"

    # -- judging ------------------------------------------------------------------------------------

    def _judge(self, rule: str, ok: bool, why: str, exchange: Exchange) -> None:
        self.asked[rule] = self.asked.get(rule, 0) + 1
        if not ok:
            self.violations.setdefault(rule, []).append((why, exchange))

    def results(self) -> list[Result]:
        out = []
        for rule, (title, source, severity) in RULES.items():
            found = list(self.violations.get(rule, ()))
            if rule == "agency.next":
                found += [("a next link was never requested", ex) for ex in self._next_links.values()]
            if rule == "agency.jwe" and self._sealed and not self.asked.get(rule):
                found += [("no accountReference of an encrypted answer came back", next(iter(self._sealed.values())))]
            asked = self.asked.get(rule, 0) or (1 if found else 0)
            outcome = Outcome.FAILED if found else Outcome.PASSED if asked else Outcome.SKIPPED
            message = (
                f"{len(found)} violation(s); first: {found[0][0]}"
                if found
                else ("" if asked else "no request needed this rule")
            )
            out.append(
                Result(
                    rule,
                    rule,
                    title,
                    source,
                    severity.value,
                    "agency",
                    outcome,
                    message,
                    0.0,
                    [ex.as_dict() for _, ex in found[:3]],
                )
            )
        return out

    # -- answering ------------------------------------------------------------------------------------

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path, query_string = scope["path"], scope.get("query_string", b"").decode("latin-1")
        status, body, extra = self.answer(scope["method"], path, query_string, headers)
        payload = json.dumps(body).encode()
        media = "application/json"
        certificate = self.certificates.get(self._consumer_of(headers))
        if status == 200 and certificate is not None and "application/jose" in headers.get("accept", ""):
            from opendsop.trust.jwe import encrypt_compact_bytes

            payload, media = encrypt_compact_bytes(payload, certificate), "application/jose"
            for account in body.get("accounts") or ():
                self._sealed[account["accountReference"]] = Exchange("GET", path, {})
        response_headers = [(b"content-type", media.encode()), *((k.encode(), v.encode()) for k, v in extra.items())]
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": payload})

    def answer(
        self, method: str, path: str, query_string: str, headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        query = dict(parse_qsl(query_string, keep_blank_values=True))
        exchange = Exchange(method, f"{path}?{query_string}" if query_string else path, dict(headers))
        if path.rstrip("/") == "/customers/customerRelationships":
            return self._hub(method, query, headers, exchange)
        route = self._route(path)
        if route is None or method != "GET":
            return (
                404 if route is None else 405,
                {"code": "ACC-002" if route is None else "ACC-012", "message": "not here"},
                {},
            )
        endpoint, reference = route
        if self._next_links.pop(f"{path}?{query_string}", None) is not None:
            self._judge("agency.next", True, "", exchange)
        consumer = self._token(headers, exchange)
        now = self.clock()
        blocked = self._blocked_until.get(consumer)
        self._judge(
            "agency.retry_after",
            blocked is None or now >= blocked,
            f"sent {(blocked - now).total_seconds() if blocked else 0:.1f} s before Retry-After had passed",
            exchange,
        )
        correlation = (headers.get("correlationid") or "").strip().lower()
        self._judge(
            "agency.correlation_id",
            bool(correlation) and correlation not in self._correlations,
            "a CorrelationID was sent twice" if correlation else "no CorrelationID",
            exchange,
        )
        self._correlations.add(correlation)
        accept = headers.get("accept", "")
        self._judge(
            "agency.accept",
            "application/jose" in accept or "application/json" in accept,
            f"Accept is {accept!r}",
            exchange,
        )
        self._counts[consumer] = count = self._counts.get(consumer, 0) + 1
        if self.throttle_every and count % self.throttle_every == 0:
            self._blocked_until[consumer] = now + _seconds(self.retry_after)
            return (
                429,
                {"code": "ACC-022", "message": f"Too many requests; retry after {self.retry_after} s"},
                {"Retry-After": str(self.retry_after)},
            )
        self._blocked_until.pop(consumer, None)
        case = (headers.get("accountinforequestid") or "").strip().lower()
        if endpoint is Endpoint.ACCOUNTS:
            hub_case = self._hub_cases.get((consumer, (headers.get("partyid") or "").strip()))
            self._judge(
                "agency.case_id",
                hub_case is None or hub_case == case,
                "the AccountInfoRequestID changed between the relations hub and the bank",
                exchange,
            )
        party = None
        if reference is not None:
            if self._sealed.pop(reference, None) is not None:
                self._judge("agency.jwe", True, "", exchange)
            issued = self._references.get(reference)
            self._judge(
                "agency.case_id",
                issued is None or issued == case,
                "an accountReference was used in another case",
                exchange,
            )
            party = reference.removeprefix("kit-ref-").split(".")[0] if issued else None
        request = ControlRequest.from_http(endpoint, consumer, headers, query, account_reference=reference)
        facts = self._facts(party or (headers.get("partyid") or "").strip(), headers)
        decision = authorize(request, facts, self.world.today, environment=Environment.TEST)
        if isinstance(decision, Denied):
            self._judge("agency.authorize", False, f"{decision.code}: {decision.message}", exchange)
            return decision.status, {"code": decision.code, "message": decision.message}, {}
        self._judge("agency.authorize", True, "", exchange)
        return (
            200,
            self._body(endpoint, decision.party.value if decision.party else party or "", case, path, query, exchange),
            {},
        )

    @property
    def hub_url(self) -> str:
        """The mock relations hub's base URL (the audience of its tokens): the bank's host, without /v2."""
        return self.base_url.removesuffix("/v2")

    def _hub(
        self, method: str, query: dict[str, str], headers: dict[str, str], exchange: Exchange
    ) -> tuple[int, Any, dict[str, str]]:
        """Customer Relations Overview, step 1 (KAR.yaml getCustomerRelation): judged like the bank's calls."""
        stamp = self.clock().isoformat()
        if method != "GET":
            return 405, {"errorCode": "ERR-001", "errorMessage": "GET only", "timestamp": stamp}, {}
        consumer = self._token(headers, exchange, audience=self.hub_url, scope=scopes.CUSTOMER_RELATIONS)
        correlation = (headers.get("correlationid") or "").strip().lower()
        if correlation:  # optional at the hub, but never the same twice
            self._judge(
                "agency.correlation_id",
                correlation not in self._correlations,
                "a CorrelationID was sent twice",
                exchange,
            )
            self._correlations.add(correlation)
        party = (headers.get("customerid") or "").strip()
        request = ControlRequest.from_http(Endpoint.CUSTOMER_RELATIONSHIPS, consumer, headers, query)
        decision = authorize(request, self._facts(party, headers), self.world.today, environment=Environment.TEST)
        if isinstance(decision, Denied):
            self._judge("agency.authorize", False, f"{decision.code}: {decision.message}", exchange)
            return (
                decision.status,
                {"errorCode": decision.code, "errorMessage": decision.message, "timestamp": stamp},
                {},
            )
        self._judge("agency.authorize", True, "", exchange)
        case = (headers.get("accountinforequestid") or "").strip().lower()
        if case:
            self._hub_cases[(consumer, party)] = case
        bank = {"organizationID": self.bank_orgno, "bankName": "Kontrollbanken (mock)", "activeAccount": True}
        return 200, {"banks": [bank]}, {}

    def _route(self, path: str) -> tuple[Endpoint, str | None] | None:
        parts = path.strip("/").split("/")
        if parts[:2] != ["v2", "accounts"] or len(parts) > 4:
            return None
        if len(parts) == 2:
            return Endpoint.ACCOUNTS, None
        endpoint = _SUFFIX.get(parts[3] if len(parts) == 4 else "")
        return (endpoint, parts[2]) if endpoint else None

    def _token(
        self,
        headers: dict[str, str],
        exchange: Exchange,
        *,
        audience: str | None = None,
        scope: str = scopes.ACCOUNT_INFORMATION,
    ) -> str:
        """The consumer organisation of the (unverified) token; its claims are judged here."""
        scheme, _, token = (headers.get("authorization") or "").partition(" ")
        try:
            head, claims = (json.loads(_b64(part)) for part in token.split(".")[:2])
        except (ValueError, TypeError):
            self._judge("agency.token", False, "no readable Bearer token", exchange)
            return "unknown"
        now = self.clock().timestamp()
        problems = []
        if scheme.lower() != "bearer":
            problems.append("the Authorization scheme is not Bearer")
        wanted = audience or self.base_url
        if claims.get("aud") != wanted:
            problems.append(f"aud is {claims.get('aud')!r}, not {wanted}")
        if scope not in str(claims.get("scope", "")).split():
            problems.append(f"scope {claims.get('scope')!r} lacks {scope}")
        if not isinstance(claims.get("exp"), int | float) or claims["exp"] < now:
            problems.append("the token has expired")
        if head.get("alg") not in ("RS256", "PS256", "RS384", "RS512", "ES256"):
            problems.append(f"alg {head.get('alg')!r}")
        self._judge("agency.token", not problems, "; ".join(problems), exchange)
        consumer = (claims.get("consumer") or {}).get("ID", "") if isinstance(claims.get("consumer"), dict) else ""
        return str(consumer).rpartition(":")[2] or "unknown"

    @staticmethod
    def _consumer_of(headers: dict[str, str]) -> str:
        try:
            claims = json.loads(_b64((headers.get("authorization") or "").partition(" ")[2].split(".")[1]))
            return str((claims.get("consumer") or {}).get("ID", "")).rpartition(":")[2]
        except (ValueError, IndexError, AttributeError, TypeError):
            return ""

    def _facts(self, party: str, headers: dict[str, str]) -> Facts:
        world = self.world
        p = world.parties
        order = None
        if headers.get("additionalreferenceidtype", "").strip() == "pol1":
            try:
                order = parse_claims(_b64(headers.get("additionalreferenceid", "").split(".")[1]))
            except (ValueError, IndexError):
                order = None  # authorize reports "no verified order"
        return Facts(
            party_id=party or None,
            date_of_death=world.death if party == p["dag"] else None,
            shielded=party == p["skjermet"],
            kjennelsesdato=world.ruling if party == p["firma"] else None,
            guardianships=(Guardianship(ward=p["ward"], guardian=p["guardian"], valid_from=world.guardianship_from),)
            if party == p["ward"] and world.guardianship_from
            else (),
            extradition_order=order,
        )

    def _body(
        self, endpoint: Endpoint, party: str, case: str, path: str, query: dict[str, str], exchange: Exchange
    ) -> Any:
        details = {"status": "complete"}
        if endpoint is Endpoint.ACCOUNTS:
            reference = f"kit-ref-{party}.{uuid.uuid4().hex[:8]}"
            self._references[reference] = case
            account = {
                "accountIdentifier": "12345678903",
                "accountReference": reference,
                "type": "salaryAccount",
                "currency": "NOK",
                "status": "enabled",
            }
            return {"responseDetails": details, "accounts": [account]}
        if endpoint is Endpoint.TRANSACTIONS:
            page = int(query.get("page", "0") or 0)
            items = [
                {
                    "transactionIdentifier": f"t-{page}-{i}",
                    "bookingDate": f"{self.world.today.isoformat()}T09:00:00Z",
                    "amount": "10.00",
                    "currency": "NOK",
                    "creditDebitIndicator": "debit",
                }
                for i in range(PAGE_SIZE)
            ]
            body: dict[str, Any] = {"responseDetails": details, "transactions": items}
            if page < 2:
                following = {**query, "page": str(page + 1)}
                href = path.removeprefix("/v2") + "?" + "&".join(f"{k}={v}" for k, v in following.items())
                body["links"] = [{"rel": "next", "href": href}]
                self._next_links["/v2" + href] = exchange
            return body
        if endpoint is Endpoint.CARDS:
            return {"responseDetails": details, "paymentCards": []}
        if endpoint is Endpoint.ROLES:
            return {"responseDetails": details, "roles": []}
        reference = path.split("/")[3] if path.count("/") >= 3 else ""
        account = {"accountIdentifier": "12345678903", "accountReference": reference, "currency": "NOK"}
        return {"responseDetails": details, "account": account}


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _seconds(value: int) -> Any:
    from datetime import timedelta

    return timedelta(seconds=value)


__all__ = ["PAGE_SIZE", "RULES", "Inspector"]
