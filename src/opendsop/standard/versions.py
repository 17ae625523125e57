"""Which rules judge a Control API request: the API version it was sent to, and whether the bank still
serves that version.

Only the MAJOR version is in the URL (``/v1``, ``/v2``), and an old major version gets "a reasonable
amount of time (e.g. 4 months)" to be phased out ("Specification of eOppslag", Versioning).  v2 is
current; v1 (Bank_v1.yaml, "Accounts API" 1.1.1) is "not supported" by the standard any more, so a
bank serves it only until a date it sets (``v1_served_until``).  While that window is open a v1
request is judged by v1's rules — v1's legal bases, v1's headers — and after it, answered with one
"version retired" error (410 ``ACC-014``: docs/decisions.md, "Control API v1 after its window").

The headers and query parameters that differ between the versions are rows of ``PARAMETER_RULES``,
each naming its source; ``rules_for(version)`` is the rule set ``standard.authorize`` applies.

>>> served(ApiVersion.V1, v1_served_until=date(2026, 12, 31), today=date(2027, 1, 1))
False
>>> rules_for(ApiVersion.V1).presence("RequesterID", Endpoint.ACCOUNTS).value
'not in this version'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from opendsop.standard.endpoints import CONTROL_ENDPOINTS, Endpoint
from opendsop.standard.services import PROFILES, ServiceProfile
from opendsop.standard.services.control_v1 import V1_PROFILES

RETIRED_CODE: Final = "ACC-014"


class ApiVersion(StrEnum):
    """The MAJOR version of the Control API a request was sent to (its URL prefix)."""

    V1 = "v1"
    V2 = "v2"


class Presence(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    NOT_IN_VERSION = "not in this version"  # ignored when sent: the outcome never depends on it
    NOT_IN_USE = "not in use"  # declared by the contract but refused when sent


@dataclass(frozen=True, slots=True, kw_only=True)
class ParameterRule:
    """One input of one API version: where it goes, whether it is needed, its values, and the source."""

    version: ApiVersion
    name: str
    location: str  # "header" or "query"
    presence: Presence
    endpoints: frozenset[Endpoint] = frozenset(CONTROL_ENDPOINTS)
    values: tuple[str, ...] = ()  # the contract's enum, when it has one
    source: str


_ACCOUNTS = frozenset({Endpoint.ACCOUNTS})
_V1 = "Bank_v1.yaml (Accounts API 1.1.1)"
_V2 = "Bank_v2.yaml (Control API 2.0.0)"


def _both(name: str, location: str, presence: Presence, what: str) -> tuple[ParameterRule, ...]:
    """An input both versions declare alike on all five operations."""
    return (
        ParameterRule(
            version=ApiVersion.V2,
            name=name,
            location=location,
            presence=presence,
            source=f"{_V2}, all five operations: {what}",
        ),
        ParameterRule(
            version=ApiVersion.V1,
            name=name,
            location=location,
            presence=presence,
            source=f"{_V1}, all five operations: {what}",
        ),
    )


PARAMETER_RULES: Final[tuple[ParameterRule, ...]] = (
    *_both("AccountInfoRequestID", "header", Presence.REQUIRED, "the case (uuid)"),
    *_both("CorrelationID", "header", Presence.REQUIRED, "the technical request (uuid)"),
    *_both("Legal-Mandate", "header", Presence.REQUIRED, "the legal basis, formatted encoded text"),
    *_both("AdditionalReferenceID", "header", Presence.OPTIONAL, "per AdditionalReferenceIDType"),
    *_both("fromDate", "query", Presence.OPTIONAL, "format date; absent means today"),
    *_both("toDate", "query", Presence.OPTIONAL, "format date; absent means today"),
    ParameterRule(
        version=ApiVersion.V2,
        name="PartyID",
        location="header",
        presence=Presence.REQUIRED,
        endpoints=_ACCOUNTS,
        source=f"{_V2} GET /accounts",
    ),
    ParameterRule(
        version=ApiVersion.V2,
        name="OnlyPrimaryOwner",
        location="query",
        presence=Presence.REQUIRED,
        endpoints=_ACCOUNTS,
        values=("true", "false"),
        source=f"{_V2} GET /accounts",
    ),
    ParameterRule(
        version=ApiVersion.V2,
        name="RequesterID",
        location="header",
        presence=Presence.OPTIONAL,
        source=f"{_V2}, all five operations",
    ),
    ParameterRule(
        version=ApiVersion.V2,
        name="AdditionalReferenceIDType",
        location="header",
        presence=Presence.OPTIONAL,
        values=("pol1", "srf"),
        source=f"{_V2}, all five operations",
    ),
    # v1's PartyID is optional beside AccountID, which is "Not in use per now": the party must be named.
    ParameterRule(
        version=ApiVersion.V1,
        name="PartyID",
        location="header",
        presence=Presence.REQUIRED,
        endpoints=_ACCOUNTS,
        source=f"{_V1} GET /accounts (AccountID 'Not in use per now')",
    ),
    ParameterRule(
        version=ApiVersion.V1,
        name="AccountID",
        location="header",
        presence=Presence.NOT_IN_USE,
        endpoints=_ACCOUNTS,
        source=f"{_V1} GET /accounts: 'Not in use per now'",
    ),
    ParameterRule(
        version=ApiVersion.V1,
        name="OnlyPrimaryOwner",
        location="query",
        presence=Presence.NOT_IN_VERSION,
        endpoints=_ACCOUNTS,
        source=f"{_V1} GET /accounts",
    ),
    ParameterRule(
        version=ApiVersion.V1,
        name="RequesterID",
        location="header",
        presence=Presence.NOT_IN_VERSION,
        source=f"{_V1}, all five operations",
    ),
    ParameterRule(
        version=ApiVersion.V1,
        name="AdditionalReferenceIDType",
        location="header",
        presence=Presence.OPTIONAL,
        values=("pol",),
        source=f"{_V1}, all five operations; Specification of eOppslag (v1)",
    ),
)
# Where this bank is stricter than a contract, and why (tests/standard/test_versions.py holds the rows
# against Bank_v1.yaml and Bank_v2.yaml).
STRICTER_THAN_CONTRACT: Final = frozenset({(ApiVersion.V1, "PartyID"), (ApiVersion.V1, "AccountID")})


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The services and inputs of one API version."""

    version: ApiVersion
    profiles: tuple[ServiceProfile, ...]
    parameters: tuple[ParameterRule, ...]

    def resolve(self, consumer_org: str, mandate_key: str, *, step: int | None = None) -> ServiceProfile | None:
        """The service a consumer calls under a mandate in this version (at ``step``, when given)."""
        for profile in self.profiles:
            if consumer_org in profile.consumer_orgs and mandate_key in profile.mandates:
                if step is not None and mandate_key not in profile.mandates_at(step):
                    return None
                return profile
        return None

    def knows(self, mandate_key: str) -> bool:
        """Whether any service of this version has the mandate."""
        return any(mandate_key in profile.mandates for profile in self.profiles)

    def rule(self, name: str, endpoint: Endpoint) -> ParameterRule | None:
        return next((rule for rule in self.parameters if rule.name == name and endpoint in rule.endpoints), None)

    def presence(self, name: str, endpoint: Endpoint) -> Presence:
        """How this version treats the input ``name`` on ``endpoint`` (unlisted: optional)."""
        rule = self.rule(name, endpoint)
        return rule.presence if rule is not None else Presence.OPTIONAL

    def values(self, name: str, endpoint: Endpoint) -> tuple[str, ...]:
        rule = self.rule(name, endpoint)
        return rule.values if rule is not None else ()


RULE_SETS: Final = MappingProxyType(
    {
        ApiVersion.V2: RuleSet(
            ApiVersion.V2,
            tuple(PROFILES.values()),
            tuple(rule for rule in PARAMETER_RULES if rule.version is ApiVersion.V2),
        ),
        ApiVersion.V1: RuleSet(
            ApiVersion.V1, V1_PROFILES, tuple(rule for rule in PARAMETER_RULES if rule.version is ApiVersion.V1)
        ),
    }
)


def rules_for(version: ApiVersion) -> RuleSet:
    return RULE_SETS[version]


def served(version: ApiVersion, *, v1_served_until: date | None, today: date) -> bool:
    """Whether the bank still answers ``version``: v2 always, v1 up to and including ``v1_served_until``
    (``None``: v1 is not served at all)."""
    if version is ApiVersion.V2:
        return True
    return v1_served_until is not None and today <= v1_served_until


def retired_message(version: ApiVersion) -> str:
    return (
        f"Control API {version.value} is retired at this bank: its phase-out window has closed; "
        f"use Control API v2 (/v2)"
    )


__all__ = [
    "PARAMETER_RULES",
    "RETIRED_CODE",
    "RULE_SETS",
    "STRICTER_THAN_CONTRACT",
    "ApiVersion",
    "ParameterRule",
    "Presence",
    "RuleSet",
    "retired_message",
    "rules_for",
    "served",
]
