# SPDX-License-Identifier: Apache-2.0
"""Checks of every inbound rule of a service, derived from its profile (``opendsop.standard.services``):
the allowed calls, each denial with its status and code, the period window and its boundaries, and
the register facts the window hangs on (DSOP “Recommendations regarding validation”; the services'
“Løsningsbeskrivelse” pages).  A profile that changes changes these checks with it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from opendsop.conformance.checks._common import ORDER, VALIDATION, Send, allowed, denial, solution
from opendsop.conformance.context import SUFFIXES, VERSION_PROFILES, Answer, Context
from opendsop.conformance.model import Check
from opendsop.standard import mandate
from opendsop.standard.endpoints import CONTROL_ENDPOINTS, Endpoint
from opendsop.standard.period import MAX_LOOKBACK_YEARS, last_calendar_year, months_before, years_before
from opendsop.standard.services import (
    OwnerRule,
    PartyKind,
    PeriodRule,
    ReferenceKind,
    ServiceProfile,
)

BAD_UUID = "not-a-uuid"


def _call(service: str, endpoint: Endpoint, **overrides: str | None) -> Send:
    """A sender for ``endpoint`` of the service's subject with header/query ``overrides``."""
    query_names = {"fromDate", "toDate", "OnlyPrimaryOwner"}
    params = {name: value for name, value in overrides.items() if name in query_names}
    headers = {name: value for name, value in overrides.items() if name not in query_names}

    async def send(ctx: Context) -> Answer:
        if endpoint is Endpoint.ACCOUNTS:
            return await ctx.accounts(service, params=params, overrides=headers)
        reference = await ctx.reference(service)
        return await ctx.get(
            service,
            f"/accounts/{reference}{SUFFIXES[endpoint]}",
            params=params,
            **{str(k): v for k, v in headers.items()},
        )

    return send


def _other_mandate(profile: ServiceProfile, version: str) -> str:
    """A step-2 Legal-Mandate of another service (of the same API version), which is no basis for this consumer."""
    for other in VERSION_PROFILES[version].values():
        if other.key != profile.key and not (other.consumer_orgs & profile.consumer_orgs):
            return mandate.by_key(other.step2_mandates[0]).encoded
    raise AssertionError("no other service")  # pragma: no cover - seven services exist


def authorize_checks(service: str, version: str = "v2") -> list[Check]:
    profile = VERSION_PROFILES[version][service]
    v2 = version == "v2"
    src = solution(profile)
    s = service
    checks: list[Check] = []
    for endpoint in CONTROL_ENDPOINTS:
        name = endpoint.operation_id
        if profile.allows(endpoint):
            checks.append(
                allowed(
                    f"{s}.allowed.{name}",
                    "authorize.allowed",
                    f"{profile.name} may call {name}",
                    src,
                    s,
                    _call(s, endpoint),
                )
            )
        else:
            checks.append(
                denial(
                    f"{s}.endpoint-forbidden.{name}",
                    "authorize.endpoint_forbidden",
                    f"{profile.name} may not call {name}",
                    src,
                    s,
                    profile.forbidden_endpoint_code,
                    _call(s, endpoint),
                )
            )
    accounts = Endpoint.ACCOUNTS

    def refuse(
        check: str,
        rule: str,
        title: str,
        code: str,
        source: str = VALIDATION,
        headers: dict[str, str | None] | None = None,
        **overrides: str | None,
    ) -> None:
        send = _call(s, accounts, **(headers or {}), **overrides)
        checks.append(denial(f"{s}.{check}", rule, title, source, s, code, send))

    refuse("mandate.missing", "authorize.mandate", "no Legal-Mandate", "ACC-001", headers={"Legal-Mandate": None})
    refuse(
        "mandate.other-service",
        "authorize.mandate",
        "the Legal-Mandate of another service",
        "ACC-011",
        headers={"Legal-Mandate": _other_mandate(profile, version)},
    )
    refuse("correlation-id.missing", "authorize.correlation_id", "no CorrelationID", "ACC-001", CorrelationID=None)
    refuse(
        "correlation-id.malformed",
        "authorize.correlation_id",
        "a CorrelationID that is no UUID",
        "ACC-001",
        CorrelationID=BAD_UUID,
    )
    refuse(
        "case.missing",
        "authorize.account_info_request_id",
        "no AccountInfoRequestID",
        "ACC-001",
        AccountInfoRequestID=None,
    )
    refuse(
        "case.malformed",
        "authorize.account_info_request_id",
        "an AccountInfoRequestID that is no UUID",
        "ACC-001",
        AccountInfoRequestID=BAD_UUID,
    )
    refuse("party.missing", "authorize.party_id", "no PartyID", "ACC-001", PartyID=None)
    refuse(
        "party.checksum", "authorize.party_id", "a PartyID with a wrong check digit", "ACC-001", PartyID="12345678901"
    )
    if profile.party_kind is PartyKind.PERSON:

        async def organisation(ctx: Context) -> Answer:
            return await ctx.accounts(s, party=ctx.world.parties["firma"])

        checks.append(
            denial(
                f"{s}.party.person-only",
                "authorize.party_kind",
                "an organisation number as PartyID",
                src,
                s,
                "ACC-001",
                organisation,
            )
        )
    if v2:  # v1 has no OnlyPrimaryOwner (Bank_v1.yaml)
        refuse("owner.missing", "authorize.only_primary_owner", "no OnlyPrimaryOwner", "ACC-001", OnlyPrimaryOwner=None)
        refuse(
            "owner.malformed",
            "authorize.only_primary_owner",
            "OnlyPrimaryOwner=maybe",
            "ACC-001",
            OnlyPrimaryOwner="maybe",
        )
    if v2 and profile.owner_rule is OwnerRule.TRUE_ONLY:
        refuse(
            "owner.true-only",
            "authorize.only_primary_owner",
            "OnlyPrimaryOwner=false",
            "ACC-001",
            src,
            OnlyPrimaryOwner="false",
        )
    if profile.requester_id_required:
        refuse("requester.missing", "authorize.requester_id", "no RequesterID", "ACC-001", src, RequesterID=None)
    _reference_checks(profile, checks, refuse)
    checks += _period_checks(profile)
    return checks


def _reference_checks(profile: ServiceProfile, checks: list[Check], refuse: Callable[..., None]) -> None:
    s, src = profile.key, solution(profile)
    if profile.reference is None:
        refuse(
            "reference.unexpected",
            "authorize.additional_reference",
            "an AdditionalReferenceIDType the mandate has none of",
            "ACC-001",
            src,
            AdditionalReferenceIDType=ReferenceKind.GUARDIAN.value,
            AdditionalReferenceID="12345678901",
        )
        return
    refuse(
        "reference.missing",
        "authorize.additional_reference",
        "no AdditionalReferenceIDType/ID",
        "ACC-001",
        src,
        AdditionalReferenceIDType=None,
        AdditionalReferenceID=None,
    )
    if profile.reference is ReferenceKind.POLICE_REQUESTER:
        refuse(
            "reference.malformed",
            "authorize.additional_reference",
            "AdditionalReferenceID pol without '<district>;<firstname lastname>'",
            "ACC-001",
            src,
            AdditionalReferenceID="Oslo",
        )
    if profile.reference is ReferenceKind.GUARDIAN:

        async def stranger(ctx: Context) -> Answer:
            return await ctx.accounts(s, AdditionalReferenceID=ctx.world.parties["stranger"])

        checks.append(
            denial(
                f"{s}.guardian.not-registered",
                "facts.guardianship",
                "a guardian Folkeregisteret does not know",
                src,
                s,
                "ACC-011",
                stranger,
            )
        )
    if profile.reference is ReferenceKind.EXTRADITION_ORDER:
        checks += _order_checks(profile)


def _order_checks(profile: ServiceProfile) -> list[Check]:
    s = profile.key

    def with_order(endpoint: Endpoint, **claims: object) -> Send:
        async def send(ctx: Context) -> Answer:
            order = ctx.order(ctx.subject(s).party, **claims)
            if endpoint is Endpoint.ACCOUNTS:
                return await ctx.accounts(s, AdditionalReferenceID=order)
            reference = await ctx.reference(s)
            return await ctx.get(s, f"/accounts/{reference}{SUFFIXES[endpoint]}", AdditionalReferenceID=order)

        return send

    async def other_party(ctx: Context) -> Answer:
        return await ctx.accounts(s, AdditionalReferenceID=ctx.order(ctx.world.parties["berit"]))

    async def forged(ctx: Context) -> Answer:
        order = ctx.order(ctx.subject(s).party)
        head, body, signature = order.split(".")
        return await ctx.accounts(s, AdditionalReferenceID=f"{head}.{body}.{signature[::-1]}")

    async def narrower(ctx: Context) -> Answer:
        today = ctx.world.today
        order = ctx.order(ctx.subject(s).party, fromDate=(today - timedelta(days=30)).isoformat())
        return await ctx.accounts(s, AdditionalReferenceID=order)

    return [
        denial(
            f"{s}.order.other-party",
            "extradition.order",
            "an order for another party",
            ORDER,
            s,
            "ACC-011",
            other_party,
        ),
        denial(
            f"{s}.order.signature",
            "extradition.signature",
            "an order whose signature is broken",
            ORDER,
            s,
            "ACC-011",
            forged,
        ),
        denial(
            f"{s}.order.period", "extradition.order", "a period wider than the order's", ORDER, s, "ACC-011", narrower
        ),
        denial(
            f"{s}.order.cards",
            "extradition.order",
            "cards when the order does not allow them",
            ORDER,
            s,
            "ACC-011",
            with_order(Endpoint.CARDS, cards=False),
        ),
        denial(
            f"{s}.order.roles",
            "extradition.order",
            "roles when the order does not allow them",
            ORDER,
            s,
            "ACC-011",
            with_order(Endpoint.ROLES, roles=False),
        ),
    ]


def _period_checks(profile: ServiceProfile) -> list[Check]:
    s, src = profile.key, solution(profile)
    accounts = Endpoint.ACCOUNTS
    checks: list[Check] = []

    def dates(
        check: str, rule: str, title: str, code: str | None, compute: Callable[[Context], tuple[date, date]]
    ) -> None:
        async def send(ctx: Context) -> Answer:
            from_date, to_date = compute(ctx)
            params = {"fromDate": from_date.isoformat(), "toDate": to_date.isoformat()}
            return await ctx.accounts(s, params=params)

        if code is None:
            checks.append(allowed(f"{s}.{check}", rule, title, src, s, send))
        else:
            checks.append(denial(f"{s}.{check}", rule, title, src, s, code, send))

    checks.append(
        denial(
            f"{s}.period.malformed",
            "period.format",
            "fromDate 2025-13-01",
            VALIDATION,
            s,
            "ACC-001",
            _call(s, accounts, fromDate="2025-13-01"),
        )
    )
    sub = lambda ctx: ctx.subject(s)  # noqa: E731
    dates(
        "period.future",
        "period.future",
        "toDate tomorrow",
        "ACC-001",
        lambda c: (sub(c).from_date, c.world.today + timedelta(days=1)),
    )
    dates(
        "period.reversed",
        "period.order",
        "toDate before fromDate",
        "ACC-001",
        lambda c: (sub(c).to_date, sub(c).to_date - timedelta(days=1)),
    )
    rule = profile.period_rule
    if rule is PeriodRule.TEN_YEARS:
        ten = lambda c: years_before(c.world.today, MAX_LOOKBACK_YEARS)  # noqa: E731
        dates(
            "period.ten-years.limit",
            "period.ten_years",
            "fromDate exactly 10 years back",
            None,
            lambda c: (ten(c), c.world.today),
        )
        dates(
            "period.ten-years.beyond",
            "period.ten_years",
            "fromDate 10 years and a day back",
            "ACC-001",
            lambda c: (ten(c) - timedelta(days=1), c.world.today),
        )
    elif rule is PeriodRule.BEFORE_KJENNELSESDATO:
        months = profile.lookback_months or 12
        edge = lambda c: months_before(c.world.ruling, months)  # noqa: E731
        dates(
            "period.ruling.limit",
            "period.kjennelsesdato",
            f"fromDate {months} months before the ruling",
            None,
            lambda c: (edge(c), c.world.today),
        )
        dates(
            "period.ruling.beyond",
            "period.kjennelsesdato",
            f"fromDate a day earlier than {months} months before the ruling",
            "ACC-001",
            lambda c: (edge(c) - timedelta(days=1), c.world.today),
        )
        dates(
            "period.to-today",
            "period.to_today",
            "toDate yesterday",
            "ACC-001",
            lambda c: (edge(c), c.world.today - timedelta(days=1)),
        )
        checks.append(_no_fact(s, "facts.konkurs_ruling", "a party with no bankruptcy registered", src))
    elif rule is PeriodRule.AROUND_DEATH:
        months = profile.lookback_months or 3
        edge = lambda c: months_before(c.world.death, months)  # noqa: E731
        dates(
            "period.death.limit",
            "period.death",
            f"fromDate {months} months before the death",
            None,
            lambda c: (edge(c), c.world.today),
        )
        dates(
            "period.death.beyond",
            "period.death",
            f"fromDate a day earlier than {months} months before the death",
            "ACC-001",
            lambda c: (edge(c) - timedelta(days=1), c.world.today),
        )
        dates(
            "period.to-today",
            "period.to_today",
            "toDate yesterday",
            "ACC-001",
            lambda c: (edge(c), c.world.today - timedelta(days=1)),
        )
        checks.append(_no_fact(s, "facts.death", "a party Folkeregisteret has not registered as dead", src))
    elif rule is PeriodRule.LAST_CALENDAR_YEAR:
        year = lambda c: last_calendar_year(c.world.today)  # noqa: E731
        dates(
            "period.year.inside",
            "period.last_calendar_year",
            "the whole last calendar year",
            None,
            lambda c: (year(c).from_date, year(c).to_date),
        )
        dates(
            "period.year.before",
            "period.last_calendar_year",
            "fromDate the day before last year",
            "ACC-001",
            lambda c: (year(c).from_date - timedelta(days=1), year(c).to_date),
        )
        dates(
            "period.year.after",
            "period.last_calendar_year",
            "toDate in this year",
            "ACC-001",
            lambda c: (year(c).from_date, c.world.today),
        )
    elif rule is PeriodRule.TODAY_ONLY:
        dates(
            "period.today.yesterday",
            "period.today_only",
            "fromDate yesterday",
            "ACC-001",
            lambda c: (c.world.today - timedelta(days=1), c.world.today),
        )
    return checks


def _no_fact(service: str, rule: str, title: str, source: str) -> Check:
    async def send(ctx: Context) -> Answer:
        return await ctx.accounts(service, party=ctx.world.anne)

    return denial(f"{service}.{rule.replace('_', '-')}", rule, title, source, service, "ACC-011", send)


__all__ = ["authorize_checks"]
