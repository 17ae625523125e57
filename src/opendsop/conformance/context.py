# SPDX-License-Identifier: Apache-2.0
"""The kit's session with the bank under test: requests as each agency sends them, answers read
defensively, and every exchange kept for the report and the schema checks.

Nothing the bank answers can crash the kit: a body that is not JSON, not an object, or JSON of the
wrong shape is a ``Failed`` verdict naming what was wrong; a connection that fails or hangs past the
timeout is ``Unreachable`` (the check errs, the run goes on).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
import msgspec

from opendsop.conformance.model import Exchange, Failed, Skipped
from opendsop.conformance.trust import KitTrust
from opendsop.conformance.world import Subject, World
from opendsop.standard import mandate
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services import PROFILES, PeriodRule, ReferenceKind, ServiceProfile
from opendsop.standard.services.control_v1 import KONKURS_V1, NAV_V1, POLITI_210_V1, SKATT_V1

# The services each API version is checked for, keyed as the kit names them.
VERSION_PROFILES: dict[str, Mapping[str, ServiceProfile]] = {
    "v2": PROFILES,
    "v1": {"skatt": SKATT_V1, "politi": POLITI_210_V1, "nav": NAV_V1, "konkurs": KONKURS_V1},
}
POLICE_REQUESTER = "Oslo politidistrikt;Kari Kontroll"  # v1 ``pol``: "<police district>;<firstname lastname>"

JSON = "application/json"
JOSE = "application/jose"
SUFFIXES = {
    Endpoint.ACCOUNT_DETAILS: "",
    Endpoint.TRANSACTIONS: "/transactions",
    Endpoint.CARDS: "/cards",
    Endpoint.ROLES: "/roles",
}
_OPERATION = re.compile(r"/accounts(?:/(?P<ref>[^/?]+)(?:/(?P<sub>transactions|cards|roles))?)?/?(?:\?|$)")
_OPERATIONS = {
    None: "listAccounts",
    "": "showAccountById",
    "transactions": "listTransactions",
    "cards": "listCards",
    "roles": "listRoles",
}


class Unreachable(Exception):  # noqa: N818
    """The bank gave no answer (refused, reset, timed out)."""


def operation_of(path: str) -> str | None:
    """The contract's operationId for a request path under the API base, or None."""
    match = _OPERATION.search(path)
    if match is None:
        return None
    if match.group("ref") is None:
        return _OPERATIONS[None]
    return _OPERATIONS[match.group("sub") or ""]


@dataclass(slots=True)
class Answer:
    status: int
    headers: dict[str, str]
    text: str
    url: str

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        try:
            return msgspec.json.decode(self.text.encode("utf-8", "replace"))
        except msgspec.DecodeError:
            raise Failed(f"the body is not JSON ({self.media_type or 'no content type'}): {self.text[:80]!r}") from None

    def object(self) -> dict[str, Any]:
        body = self.json()
        if not isinstance(body, dict):
            raise Failed(f"the body is JSON but not an object: {type(body).__name__}")
        return body

    def code(self) -> str | None:
        try:
            body = msgspec.json.decode(self.text.encode("utf-8", "replace"))
        except msgspec.DecodeError:
            return None
        code = body.get("code") if isinstance(body, dict) else None
        return code if isinstance(code, str) else None


@dataclass(slots=True)
class Seen:
    """A body the bank sent, for the schema checks: operation, status, media type, text."""

    operation: str
    status: int
    media_type: str
    text: str
    url: str


@dataclass
class Context:
    client: httpx.AsyncClient
    world: World
    trust: KitTrust
    audience: str
    clock: Callable[[], datetime]
    services: tuple[str, ...]
    timeout: float = 10.0
    version: str = "v2"
    exchanges: list[Exchange] = field(default_factory=list)  # of the running check
    seen: list[Seen] = field(default_factory=list)
    _references: dict[tuple[str, str], str] = field(default_factory=dict)
    _bodies: dict[tuple[str, Endpoint], Any] = field(default_factory=dict)
    _tokens: dict[str, tuple[datetime, str]] = field(default_factory=dict)
    _orders: dict[str, str] = field(default_factory=dict)

    # -- who asks ------------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock()

    def profile(self, service: str) -> ServiceProfile:
        return VERSION_PROFILES[self.version][service]

    def consumer(self, service: str) -> str:
        return sorted(self.profile(service).consumer_orgs)[0]

    def subject(self, service: str) -> Subject:
        return self.world.subject(service)

    @staticmethod
    def case(service: str, variant: str = "") -> str:
        """The AccountInfoRequestID of the service's case (one case per service and variant)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"opendsop-conformance/{service}/{variant}"))

    def token(self, service: str, **options: Any) -> str:
        """A token as the agency holds it: reused for a minute (as a client caches it), fresh when options differ."""
        if options:
            return self.trust.mint(self.consumer(service), **{"audience": self.audience, "now": self.now(), **options})
        now = self.now()
        cached = self._tokens.get(service)
        if cached is None or (now - cached[0]).total_seconds() > 60 or now < cached[0]:
            cached = (now, self.trust.mint(self.consumer(service), audience=self.audience, now=now))
            self._tokens[service] = cached
        return cached[1]

    def order(self, party: str, **fields: Any) -> str:
        key = repr((party, sorted(fields.items())))
        if key not in self._orders:
            self._orders[key] = self.trust.order(party, now=self.now(), today=self.world.today, **fields)
        return self._orders[key]

    def headers(
        self, service: str, *, party: str | None = None, case: str | None = None, **overrides: str | None
    ) -> dict[str, str]:
        """The headers the service's agency sends; an override of None leaves a header out."""
        profile = self.profile(service)
        subject = self.subject(service)
        headers = {
            "Authorization": f"Bearer {self.token(service)}",
            "CorrelationID": str(uuid.uuid4()),
            "AccountInfoRequestID": case or self.case(service),
            "Legal-Mandate": mandate.by_key(profile.step2_mandates[0]).encoded,
            "Accept": JSON,
        }
        if party is not None:
            headers["PartyID"] = party
        if profile.requester_id_required:
            headers["RequesterID"] = "saksbehandler-17"
        if profile.reference is ReferenceKind.EXTRADITION_ORDER:
            headers["AdditionalReferenceIDType"] = ReferenceKind.EXTRADITION_ORDER.value
            headers["AdditionalReferenceID"] = self.order(party or subject.party)
        elif profile.reference is ReferenceKind.POLICE_REQUESTER:
            headers["AdditionalReferenceIDType"] = ReferenceKind.POLICE_REQUESTER.value
            headers["AdditionalReferenceID"] = quote(POLICE_REQUESTER)
        elif profile.reference is ReferenceKind.GUARDIAN:
            headers["AdditionalReferenceIDType"] = ReferenceKind.GUARDIAN.value
            headers["AdditionalReferenceID"] = self.world.parties["guardian"]
        for name, value in overrides.items():
            if value is None:
                headers.pop(name, None)
            else:
                headers[name] = value
        return headers

    def period(self, service: str) -> dict[str, str]:
        subject = self.subject(service)
        return {"fromDate": subject.from_date.isoformat(), "toDate": subject.to_date.isoformat()}

    # -- asking ----------------------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str | None] | None = None,
    ) -> Answer:
        query = {name: value for name, value in (params or {}).items() if value is not None}
        url = str(self.client.build_request(method, path, params=query or None).url)
        exchange = Exchange(method=method, url=url, request_headers=dict(headers))
        self.exchanges.append(exchange)
        try:
            response = await self.client.request(method, path, headers=dict(headers), params=query or None)
            text = response.text
        except httpx.TimeoutException:
            exchange.error = f"no answer within {self.timeout:g} s"
            raise Unreachable(exchange.error) from None
        except (httpx.HTTPError, OSError, UnicodeError) as error:
            exchange.error = f"{type(error).__name__}: {str(error)[:200]}"
            raise Unreachable(f"the bank could not be reached ({exchange.error})") from None
        answer = Answer(
            response.status_code, {k.lower(): v for k, v in response.headers.items()}, text, str(response.url)
        )
        exchange.status, exchange.response_headers, exchange.body = answer.status, answer.headers, text
        operation = operation_of(response.url.path)
        if method == "GET" and operation is not None:
            self.seen.append(Seen(operation, answer.status, answer.media_type, text, url))
        return answer

    async def get(
        self,
        service: str,
        path: str,
        *,
        party: str | None = None,
        params: Mapping[str, str | None] | None = None,
        case: str | None = None,
        **header_overrides: str | None,
    ) -> Answer:
        query: dict[str, str | None] = {**self.period(service), **(params or {})}
        return await self.request(
            "GET", path, headers=self.headers(service, party=party, case=case, **header_overrides), params=query
        )

    async def accounts(
        self,
        service: str,
        *,
        party: str | None = None,
        params: Mapping[str, str | None] | None = None,
        case: str | None = None,
        overrides: Mapping[str, str | None] | None = None,
        **header_overrides: str | None,
    ) -> Answer:
        subject = self.subject(service)
        owner = {"OnlyPrimaryOwner": "true"} if self.version == "v2" else {}  # v1 has no such parameter
        query: dict[str, str | None] = {**owner, **(params or {})}
        headers = {**(overrides or {}), **header_overrides}
        return await self.get(service, "/accounts", party=party or subject.party, params=query, case=case, **headers)

    async def reference(self, service: str, *, case: str | None = None, account: str | None = None) -> str:
        """The accountReference of the service's subject account in ``case`` (issued by one Accounts call)."""
        subject = self.subject(service)
        number = account or subject.account
        key = (service, f"{case}|{number}")
        if key not in self._references:
            answer = await self.accounts(service, case=case)
            if answer.status != 200:
                raise Skipped(f"the Accounts request the check builds on was answered {answer.status} {answer.code()}")
            listed = answer.object().get("accounts")
            found = [
                item.get("accountReference")
                for item in listed or ()
                if isinstance(item, dict) and item.get("accountIdentifier") == number
            ]
            if not found or not isinstance(found[0], str):
                raise Skipped(f"account {number} of the test-data bundle is not listed for {service}")
            self._references[key] = found[0]
        return self._references[key]

    async def body(self, service: str, endpoint: Endpoint) -> Any:
        """The service's 200 answer for its subject at ``endpoint`` (transactions: every page joined)."""
        key = (service, endpoint)
        if key not in self._bodies:
            self._bodies[key] = await self._fetch(service, endpoint)
        return self._bodies[key]

    async def _fetch(self, service: str, endpoint: Endpoint) -> Any:
        if endpoint is Endpoint.ACCOUNTS:
            answer = await self.accounts(service)
            _expect_ok(answer)
            return answer.object()
        reference = await self.reference(service)
        answer = await self.get(service, f"/accounts/{reference}{SUFFIXES[endpoint]}")
        _expect_ok(answer)
        body = answer.object()
        if endpoint is Endpoint.TRANSACTIONS:
            body = {**body, "transactions": list(_items(body, "transactions"))}
            body["first_page"] = len(body["transactions"])
            pages = 1
            while (following := next_href(answer.object())) is not None:
                pages += 1
                if pages > 50:
                    raise Failed("more than 50 pages of transactions: the next links do not end")
                answer = await self.request("GET", following, headers=self.headers(service))
                _expect_ok(answer)
                body["transactions"] += list(_items(answer.object(), "transactions"))
            body["pages"] = pages
        return body

    def reset(self) -> None:
        self.exchanges = []

    def needs_facts(self, service: str) -> bool:
        return self.profile(service).period_rule is not PeriodRule.TEN_YEARS


def _items(body: dict[str, Any], name: str) -> list[Any]:
    items = body.get(name)
    if items is None:
        return []
    if not isinstance(items, list):
        raise Failed(f"'{name}' is not an array")
    return items


def _expect_ok(answer: Answer) -> None:
    if answer.status != 200:
        raise Failed(f"expected 200, got {answer.status} {answer.code() or ''} {answer.text[:200]!r}".strip())


def next_href(body: Any) -> str | None:
    """The ``next`` link of a page (Bank_v2.yaml ``links``), or None; a malformed link list fails."""
    if not isinstance(body, dict):
        return None
    links = body.get("links")
    if links is None:
        return None
    if not isinstance(links, list):
        raise Failed("'links' is not an array")
    for link in links:
        if isinstance(link, dict) and link.get("rel") == "next":
            href = link.get("href")
            if not isinstance(href, str) or not href:
                raise Failed("a 'next' link has no href")
            return href
    return None


__all__ = ["JOSE", "JSON", "SUFFIXES", "Answer", "Context", "Seen", "Unreachable", "next_href", "operation_of"]
