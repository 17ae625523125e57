"""``ServiceProfile``: one DSOP service's rules as a single value (STYLE habit 2).

The generic engine in ``standard.authorize`` and ``standard.filtering`` interprets profiles; a new
service is a new module holding one ``ServiceProfile`` and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from opendsop.standard.delivery import DeliveryTable
from opendsop.standard.endpoints import Endpoint


class OwnerRule(StrEnum):
    """What ``OnlyPrimaryOwner`` may be (the DSOP services' “Løsningsbeskrivelse” pages)."""

    EITHER = "either"  # TRUE or FALSE (Skatt, NAV)
    TRUE_ONLY = "true_only"  # Konkurs, OED, Verge, FI-Utlegg
    PER_ORDER = "per_order"  # Politi: the extradition order decides


class PeriodRule(StrEnum):
    """The window ``fromDate``/``toDate`` must lie in (the DSOP services' “Løsningsbeskrivelse” pages, DSOP
    “eOppslag”)."""

    TEN_YEARS = "ten_years"  # ≤ 10 years back, ≤ today (Skatt, Politi, NAV)
    BEFORE_KJENNELSESDATO = "before_kjennelsesdato"  # ≥ ruling − 12 months, toDate = today (Konkurs)
    AROUND_DEATH = "around_death"  # ≥ death − 3 months, toDate = today (OED)
    LAST_CALENDAR_YEAR = "last_calendar_year"  # 1 Jan – 31 Dec last year, inside the guardianship (Verge)
    TODAY_ONLY = "today_only"  # fromDate = toDate = today (FI-Utlegg)


class ReferenceKind(StrEnum):
    """What ``AdditionalReferenceID`` carries for a service."""

    EXTRADITION_ORDER = "pol1"  # a signed utleveringspålegg (JWS)
    GUARDIAN = "srf"  # the guardian's fødselsnummer or D-number
    POLICE_REQUESTER = "pol"  # Control API v1 only: "<police district>;<firstname lastname>"


class PartyKind(StrEnum):
    ANY = "any"  # person or organisation
    PERSON = "person"  # fødselsnummer or D-number only (the deceased, the ward)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceProfile:
    """One service's rules.

    ``step1_mandates`` are the Legal-Mandate keys the relations hub accepts (customer relations,
    step 1), ``step2_mandates`` those the Control API accepts (account data, step 2).  A text that is
    the basis of one step only is refused at the other.
    """

    key: str
    name: str
    consumer: str
    consumer_orgs: frozenset[str]
    step1_mandates: tuple[str, ...]
    step2_mandates: tuple[str, ...]
    endpoints: frozenset[Endpoint]
    owner_rule: OwnerRule
    period_rule: PeriodRule
    delivery: DeliveryTable
    party_kind: PartyKind = PartyKind.ANY
    requester_id_required: bool = False
    reference: ReferenceKind | None = None
    data_not_delivered_allowed: bool = False
    forbidden_endpoint_code: str = "ACC-001"
    provisional: bool = False
    notes: tuple[str, ...] = field(default=())
    source: str = ""  # the public page the profile's rules come from
    # How far fromDate may reach back before the register fact the period hangs on (Konkurs: the
    # kjennelsesdato, OED: the date of death); read by the bank's checks and the agency's planning alike.
    lookback_months: int | None = None
    # Politi-utlevering "Alternative 1": list owned accounts only, and mark the answer partial when the
    # party also holds rights of disposal over accounts it does not own.
    flag_other_rights: bool = False

    @property
    def mandates(self) -> frozenset[str]:
        """Every Legal-Mandate key of the service, whichever step."""
        return frozenset((*self.step1_mandates, *self.step2_mandates))

    def mandates_at(self, step: int) -> tuple[str, ...]:
        """The Legal-Mandate keys accepted at ``step`` (1: relations hub, 2: Control API)."""
        return self.step1_mandates if step == 1 else self.step2_mandates

    def relations_mandate(self, step2_mandate: str) -> str:
        """The step-1 mandate a consumer sends to the hub in a case run under ``step2_mandate``."""
        if step2_mandate in self.step1_mandates:
            return step2_mandate
        return self.step1_mandates[0]

    def allows(self, endpoint: Endpoint) -> bool:
        return endpoint in self.endpoints


__all__ = ["OwnerRule", "PartyKind", "PeriodRule", "ReferenceKind", "ServiceProfile"]
