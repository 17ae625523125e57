# SPDX-License-Identifier: Apache-2.0
"""Checks of every inbound rule of a service, derived from its profile (``opendsop.standard.services``):
the allowed calls, each denial with its status and code, the period window and its boundaries, and
the register facts the window hangs on (DSOP “Recommendations regarding validation”; the services'
“Løsningsbeskrivelse” pages).  A profile that changes changes these checks with it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from opendsop.conformance.checks._common import ORDER, VALIDATION, Send, allowed, denial, solution
from opendsop.conformance.checks.periods import period_checks
from opendsop.conformance.context import SUFFIXES, VERSION_PROFILES, Answer, Context
from opendsop.conformance.model import Check
from opendsop.standard import mandate
from opendsop.standard.endpoints import CONTROL_ENDPOINTS, Endpoint
from opendsop.standard.services import (
    OwnerRule,
    PartyKind,
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
    checks += period_checks(profile, _call)
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


__all__ = ["authorize_checks"]
