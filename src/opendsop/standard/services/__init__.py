"""The DSOP service profiles, one module each, and the registry that sees them all.

``resolve`` answers the question every provider must answer first ("Recommendations regarding
validation of requests in Control API"): which *service* is calling, from the consumer organisation
in the token and the Legal-Mandate, at the step the request belongs to.

>>> resolve("974761076", "skatt_placeholder") is None
True
"""

from __future__ import annotations

from types import MappingProxyType

from opendsop.standard.services._profile import (
    OwnerRule,
    PartyKind,
    PeriodRule,
    ReferenceKind,
    ServiceProfile,
)
from opendsop.standard.services.fi_utlegg import FI_UTLEGG, FI_UTLEGG_AN
from opendsop.standard.services.konkurs import KONKURS
from opendsop.standard.services.nav import NAV
from opendsop.standard.services.oed import OED
from opendsop.standard.services.politi import POLITI
from opendsop.standard.services.skatt import SKATT
from opendsop.standard.services.verge import VERGE

PROFILES: MappingProxyType[str, ServiceProfile] = MappingProxyType(
    {profile.key: profile for profile in (SKATT, POLITI, NAV, KONKURS, OED, VERGE, FI_UTLEGG, FI_UTLEGG_AN)}
)
_BY_CONSUMER_AND_MANDATE = MappingProxyType(
    {
        (org, mandate_key): profile
        for profile in PROFILES.values()
        for org in profile.consumer_orgs
        for mandate_key in profile.mandates
    }
)


def all_profiles() -> tuple[ServiceProfile, ...]:
    return tuple(PROFILES.values())


def get_profile(key: str) -> ServiceProfile:
    try:
        return PROFILES[key]
    except KeyError:
        raise KeyError(f"unknown DSOP service {key!r}; known: {', '.join(PROFILES)}") from None


def resolve(consumer_org: str, mandate_key: str, *, step: int | None = None) -> ServiceProfile | None:
    """The service a consumer calls under a mandate, or None when that pair is no legal basis.

    With ``step`` (1: relations hub, 2: Control API), only a service that accepts the mandate at that
    step: Vergekontroll's step-1 text names the service but is no basis for account data.
    """
    profile = _BY_CONSUMER_AND_MANDATE.get((consumer_org, mandate_key))
    if profile is not None and step is not None and mandate_key not in profile.mandates_at(step):
        return None
    return profile


def relations_mandate(mandate_key: str) -> str:
    """The step-1 mandate key a consumer sends to the relations hub in a case run under a step-2 mandate."""
    for profile in PROFILES.values():
        if mandate_key in profile.step2_mandates:
            return profile.relations_mandate(mandate_key)
    raise KeyError(f"no DSOP service has {mandate_key!r} as its step-2 Legal-Mandate")


def services_for_consumer(consumer_org: str) -> tuple[ServiceProfile, ...]:
    return tuple(profile for profile in PROFILES.values() if consumer_org in profile.consumer_orgs)


__all__ = [
    "FI_UTLEGG",
    "FI_UTLEGG_AN",
    "KONKURS",
    "NAV",
    "OED",
    "POLITI",
    "PROFILES",
    "SKATT",
    "VERGE",
    "OwnerRule",
    "PartyKind",
    "PeriodRule",
    "ReferenceKind",
    "ServiceProfile",
    "all_profiles",
    "get_profile",
    "relations_mandate",
    "resolve",
    "services_for_consumer",
]
