"""What every service workflow shares: the refusal, the plan value, step 1 and step 2 (DSOP “Architecture document”; the
DSOP services' “Løsningsbeskrivelse” pages).

A workflow is **pure planning** (``plan_*`` functions in the service modules: inputs and register
facts in, a ``CasePlan`` or a ``WorkflowRefused`` out, no I/O) followed by **execution** here:

* step 1 — ``customerRelationships`` through a ``RelationsClient`` (the relations hub over HTTP, or
  ``MemoryRelations`` in tests), which names the institutions; step 1 is optional (DSOP “Architecture document”), so
  a plan may instead name its banks directly;
* step 2 — every institution found is resolved in a ``Directory`` (API catalogue or static list);
  institutions without a Control API are reported as "digital letter" (DSOP “Architecture document”), the rest go
  through ``FanOut`` with the plan's 2b endpoints.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import httpx
import msgspec

from opendsop.consumer.fanout import BankResult, FanOut, Plan
from opendsop.consumer.protocol import BankEndpoint, CaseParameters
from opendsop.standard import scopes, wire
from opendsop.standard.authorize import configured_mandate
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.errors import DsopError, InvalidRequest
from opendsop.standard.identifiers import validate_party_id
from opendsop.standard.mandate import Mandate, by_key, encode_uri_component
from opendsop.standard.period import MAX_LOOKBACK_YEARS, Period, months_before, years_before
from opendsop.standard.relations import AccountServicingProvider, CustomerRelation, ListCustomerRelation
from opendsop.standard.services import ServiceProfile, relations_mandate, resolve
from opendsop.standard.services._profile import PartyKind
from opendsop.standard.services.fi_utlegg import relations_scope

SCOPE_RELATIONS = scopes.CUSTOMER_RELATIONS
SCOPE_ACCOUNT = scopes.ACCOUNT_SERVICING_PROVIDER
TEN_YEARS = MAX_LOOKBACK_YEARS


class WorkflowRefused(InvalidRequest):
    """The workflow will not ask: the service may not (or the facts do not allow it).  Nothing was sent."""


# -- the plan ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CasePlan:
    """One case ready to run: the parameters every call carries and the 2b endpoints to fetch."""

    service: str  # the service profile's key
    case: CaseParameters
    plan: Plan
    facts: Mapping[str, str | date] = field(default_factory=dict)  # what the period was computed from
    step1: bool = True  # False: go straight to ``banks`` (DSOP “Architecture document”)
    banks: tuple[str, ...] = ()  # institutions (org.nr) already known, e.g. from accountServicingProvider

    @property
    def period(self) -> Period | None:
        c = self.case
        return Period(c.from_date, c.to_date) if c.from_date and c.to_date else None


def new_case_id() -> str:
    return str(uuid.uuid4())


def party(value: str, profile: ServiceProfile, *, parameter: str) -> str:
    """A valid fnr/d-nr/org.nr, and a person where the service asks about persons only."""
    try:
        parsed = validate_party_id(value, synthetic_allowed=True)  # the bank decides per environment
    except DsopError as error:
        raise WorkflowRefused(f"{parameter}: {error.message}", parameter=parameter) from None
    compact = parsed.value
    if profile.party_kind is PartyKind.PERSON and len(compact) != 11:
        raise WorkflowRefused(
            f"{parameter}: {profile.name} asks about a person (fødselsnummer or D-number), not an organisation",
            parameter=parameter,
        )
    return compact


def requester(profile: ServiceProfile, value: str | None, *, who: str = "the case handler") -> str | None:
    """The RequesterID to send: required where the profile says so (refused before any call), else optional."""
    text = (value or "").strip()
    if profile.requester_id_required and not text:
        raise WorkflowRefused(f"RequesterID: {profile.name} must name {who}", parameter="RequesterID")
    return text or None


def endpoints(profile: ServiceProfile, wanted: Collection[Endpoint] | None) -> Plan:
    """The 2b plan; asking for an endpoint the service may not call is refused (the DSOP services' “Løsningsbeskrivelse”
    pages), not skipped."""
    if wanted is not None:
        forbidden = sorted(e.operation_id for e in wanted if not profile.allows(e))
        if forbidden:
            raise WorkflowRefused(
                f"endpoints: {profile.name} may not call {', '.join(forbidden)} "
                f"(the bank would answer 400 {profile.forbidden_endpoint_code})",
                parameter="endpoints",
            )
    return Plan.for_service(profile, wanted=wanted)


def ten_year_period(from_date: date | None, to_date: date | None, today: date) -> tuple[date, date]:
    """Skatt, Politi and NAV: from at most 10 years back, to today at the latest, to ≥ from."""
    start, end = from_date or years_before(today, 1), to_date or today
    if start < years_before(today, TEN_YEARS):
        raise WorkflowRefused(
            f"fromDate {start} is more than {TEN_YEARS} years back (earliest {years_before(today, TEN_YEARS)})",
            parameter="fromDate",
        )
    if end > today:
        raise WorkflowRefused(f"toDate {end} is in the future (today is {today})", parameter="toDate")
    if end < start:
        raise WorkflowRefused(f"toDate {end} is before fromDate {start}", parameter="toDate")
    return start, end


def lookback_months(profile: ServiceProfile) -> int:
    """How far before its register fact the service's period may start, as the profile says."""
    if profile.lookback_months is None:
        raise ValueError(f"{profile.name} names no lookback_months")
    return profile.lookback_months


def start_after_fact(
    fact: date, *, months: int, fact_name: str, parameter: str, today: date, from_date: date | None
) -> date:
    """fromDate for a period running from at most ``months`` before a register fact to today
    (Konkurs: the kjennelsesdato, OED: the date of death); the fact may not lie in the future."""
    if fact > today:
        raise WorkflowRefused(f"{fact_name} {fact} is after today ({today})", parameter=parameter)
    earliest = months_before(fact, months)
    start = from_date or earliest
    if start < earliest:
        raise WorkflowRefused(
            f"fromDate {start} is more than {months} months before {fact_name} {fact} (earliest {earliest})",
            parameter="fromDate",
        )
    if start > today:
        raise WorkflowRefused(f"fromDate {start} is after today ({today})", parameter="fromDate")
    return start


def service_mandate(
    profile: ServiceProfile, *, production: bool, configured: Mapping[str, Sequence[str]] | None = None
) -> Mandate:
    """The step-2 Legal-Mandate a case of ``profile`` carries: in production a text configured for it
    (``DSOP_CONSUMER_FI_UTLEGG_MANDATES``) first, else the profile's first text valid where the agency runs.
    A test-only text (FI-Utlegg's "FI-Utlegg-Test") is refused in production before any call, as every bank
    would refuse it there."""
    texts_for = (configured or {}).get(profile.key, ())
    if production and texts_for:
        hit = configured_mandate(encode_uri_component(texts_for[0]), configured or {})
        if hit is not None:
            return hit[0]
    for key in profile.step2_mandates:
        legal_basis = by_key(key)
        if not (production and legal_basis.test_only):
            return legal_basis
    texts = ", ".join(repr(by_key(key).text) for key in profile.step2_mandates)
    raise WorkflowRefused(
        f"Legal-Mandate: {profile.name} has only the test text {texts}, which production banks "
        f'refuse — set DSOP_CONSUMER_FI_UTLEGG_MANDATES to {{"{profile.key}": ["<production text>"]}}',
        parameter="Legal-Mandate",
    )


def step1_mandate(mandate: Mandate) -> str:
    """The encoded Legal-Mandate of step 1, as the service's profile names it (Vergekontroll cites
    vergemålsforskriften § 20a first paragraph letter a there, the account data's letters b-e in step 2)."""
    step1 = relations_mandate(mandate.key)
    return mandate.encoded if step1 == mandate.key else by_key(step1).encoded  # a configured text: the same


# -- step 1: the relations port --------------------------------------------------------------------


class RelationsError(Exception):
    """The relations hub refused or failed (KAR error body: ``errorCode``, ``errorMessage``)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class RelationsClient(Protocol):
    async def customer_relationships(self, case: CaseParameters) -> list[CustomerRelation]: ...

    async def account_servicing_provider(self, account: str, case: CaseParameters) -> AccountServicingProvider: ...


class MemoryRelations:
    """The in-memory twin: who has relations where, and who services which account number."""

    def __init__(
        self,
        relations: Mapping[str, Iterable[tuple[str, str]]] | None = None,
        servicers: Mapping[str, tuple[str, str]] | None = None,
    ) -> None:
        self.relations = {p: list(banks) for p, banks in (relations or {}).items()}
        self.servicers = dict(servicers or {})
        self.asked: list[tuple[str, str]] = []  # (operation, mandate key): what a test can assert on

    async def customer_relationships(self, case: CaseParameters) -> list[CustomerRelation]:
        self.asked.append(("customerRelationships", case.mandate.key))
        return [
            CustomerRelation(organization_id=org, bank_name=name, active_account=False)
            for org, name in self.relations.get(case.party_id, ())
        ]

    async def account_servicing_provider(self, account: str, case: CaseParameters) -> AccountServicingProvider:
        self.asked.append(("accountServicingProvider", case.mandate.key))
        found = self.servicers.get("".join(ch for ch in account if ch.isdigit()))
        if found is None:
            raise RelationsError(400, "ERR-004", "AccountID: no institution in KAR services this account number")
        return AccountServicingProvider(organization_id=found[0], bank_name=found[1])


class HttpRelations:
    """The relations hub (KAR.yaml paths) over ``httpx``; ``token(scope)`` returns an access token."""

    def __init__(
        self,
        base_url: str,
        http: httpx.AsyncClient,
        token: Callable[[str], Awaitable[str]],
        *,
        consumer_org: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.token = token
        self.consumer_org = consumer_org

    def _step1_scope(self, case: CaseParameters) -> str:
        """FI-Utlegg's alminnelig namsmann asks step 1 with its own scope; everyone else with bits:kundeforhold."""
        if self.consumer_org is None:
            return SCOPE_RELATIONS
        profile = resolve(self.consumer_org, case.mandate.key)
        return relations_scope(profile.key, self.consumer_org) if profile else SCOPE_RELATIONS

    async def _get(
        self,
        path: str,
        scope: str,
        case: CaseParameters,
        headers: Mapping[str, str],
        params: Mapping[str, str],
        kind: type[Any],
    ) -> Any:
        all_headers = {
            "Authorization": f"Bearer {await self.token(scope)}",
            "CorrelationID": new_case_id(),
            "AccountInfoRequestID": case.account_info_request_id,
            "Legal-Mandate": step1_mandate(case.mandate),
            **headers,
        }
        response = await self.http.get(f"{self.base_url}{path}", headers=all_headers, params=dict(params))
        if response.status_code != 200:
            try:
                body = response.json()
            except ValueError:
                body = {}
            body = body if isinstance(body, dict) else {}
            raise RelationsError(
                response.status_code,
                str(body.get("errorCode", "")),
                str(body.get("errorMessage") or body.get("message") or response.reason_phrase),
            )
        try:
            return wire.decode(response.content, kind)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as error:
            raise RelationsError(502, "", f"the relations hub's answer does not decode: {error}") from None

    async def customer_relationships(self, case: CaseParameters) -> list[CustomerRelation]:
        params = {"onlyPrimaryOwner": "true" if case.only_primary_owner else "false"}
        if case.from_date:
            params["fromDate"] = case.from_date.isoformat()
        if case.to_date:
            params["toDate"] = case.to_date.isoformat()
        body = await self._get(
            "/customers/customerRelationships",
            self._step1_scope(case),
            case,
            {"CustomerID": case.party_id},
            params,
            ListCustomerRelation,
        )
        return list(body.banks)

    async def account_servicing_provider(self, account: str, case: CaseParameters) -> AccountServicingProvider:
        body: AccountServicingProvider = await self._get(
            "/customers/accountServicingProvider",
            SCOPE_ACCOUNT,
            case,
            {"AccountID": account},
            {},
            AccountServicingProvider,
        )
        return body


# -- execution -----------------------------------------------------------------------------------


class Directory(Protocol):
    async def endpoint(self, org_no: str) -> BankEndpoint | None: ...


@dataclass(slots=True)
class Found:
    """The banks of a case after step 1 and the catalogue."""

    banks: list[BankEndpoint]
    without_api: list[tuple[str, str]]  # (org.nr, name): ask by digital letter (DSOP “Architecture document”)


async def find_banks(plan: CasePlan, relations: RelationsClient | None, directory: Directory) -> Found:
    """Step 1 (when the plan wants it and a relations client is given), then the catalogue."""
    named: dict[str, str] = {org: "" for org in plan.banks}
    if plan.step1 and relations is not None:
        for relation in await relations.customer_relationships(plan.case):
            named.setdefault(str(relation.organization_id), relation.bank_name)
    found = Found([], [])
    for org, name in named.items():
        bank = await directory.endpoint(org)
        if bank is None:
            found.without_api.append((org, name))
        else:
            found.banks.append(
                bank if bank.name or not name else BankEndpoint(bank.org_no, bank.base_url, bank.version, name)
            )
    return found


async def run_case(plan: CasePlan, fanout: FanOut, banks: Sequence[BankEndpoint]) -> AsyncIterator[BankResult]:
    """Step 2 across ``banks``, each bank's result as it ends."""
    async for result in fanout.stream(plan.case, banks, plan.plan):
        yield result


__all__ = [
    "SCOPE_ACCOUNT",
    "SCOPE_RELATIONS",
    "CasePlan",
    "Directory",
    "Found",
    "HttpRelations",
    "MemoryRelations",
    "RelationsClient",
    "RelationsError",
    "WorkflowRefused",
    "endpoints",
    "find_banks",
    "new_case_id",
    "party",
    "requester",
    "run_case",
    "service_mandate",
    "step1_mandate",
    "ten_year_period",
]
