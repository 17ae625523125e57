"""The inputs of a decision: the request exactly as received, and the register facts the bank looked
up for the party (DSOP “eOppslag”, DSOP “Recommendations regarding validation”).

``ControlRequest`` holds raw header/query strings so that *all* format validation happens in one
place (``standard.authorize``) and every failure names the offending parameter.  ``Facts`` are what
the provider fetched from Folkeregisteret, the Konkursvarsel feed and the prosecution's signature
check; the rules core never fetches anything itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from opendsop.standard.endpoints import Endpoint
from opendsop.standard.versions import ApiVersion

if TYPE_CHECKING:
    from opendsop.standard.extradition import ExtraditionOrder

REPRESENTASJON_DAGLIGBANK = "representasjonDagligbank"


class Environment(StrEnum):
    """Test allows what production must refuse: synthetic identities, test mandates, plaintext."""

    TEST = "test"
    PRODUCTION = "production"


# Header and query names exactly as Bank_v2.yaml / KAR.yaml spell them.
HEADER_NAMES: Mapping[str, str] = {
    "legal_mandate": "Legal-Mandate",
    "account_info_request_id": "AccountInfoRequestID",
    "correlation_id": "CorrelationID",
    "party_id": "PartyID",
    "customer_id": "CustomerID",
    "account_id": "AccountID",
    "additional_reference_id_type": "AdditionalReferenceIDType",
    "additional_reference_id": "AdditionalReferenceID",
    "requester_id": "RequesterID",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ControlRequest:
    """One request to either API, as received (``None`` = header or query value absent).

    ``party_id`` carries ``PartyID`` (Control API) or ``CustomerID`` (customerRelationships);
    ``account_id`` carries ``AccountID`` (accountServicingProvider); ``only_primary_owner`` is
    the raw query value (``OnlyPrimaryOwner`` / ``onlyPrimaryOwner``).  ``api_version`` is the Control
    API version the request was sent to: it chooses the rules (``standard.versions``).
    """

    endpoint: Endpoint
    consumer_org: str
    legal_mandate: str | None = None
    account_info_request_id: str | None = None
    correlation_id: str | None = None
    party_id: str | None = None
    account_id: str | None = None
    account_reference: str | None = None
    only_primary_owner: str | None = None
    additional_reference_id_type: str | None = None
    additional_reference_id: str | None = None
    requester_id: str | None = None
    from_date: str | None = None
    to_date: str | None = None
    api_version: ApiVersion = ApiVersion.V2

    @classmethod
    def from_http(
        cls,
        endpoint: Endpoint,
        consumer_org: str,
        headers: Mapping[str, str],
        query: Mapping[str, str],
        *,
        account_reference: str | None = None,
        api_version: ApiVersion = ApiVersion.V2,
    ) -> ControlRequest:
        """Build from HTTP headers (case-insensitive) and query parameters."""
        lowered = {name.lower(): value for name, value in headers.items()}

        def header(name: str) -> str | None:
            return lowered.get(name.lower())

        party = header("PartyID") if endpoint.step == 2 else header("CustomerID")
        owner = query.get("OnlyPrimaryOwner", query.get("onlyPrimaryOwner"))
        return cls(
            endpoint=endpoint,
            consumer_org=consumer_org,
            legal_mandate=header("Legal-Mandate"),
            account_info_request_id=header("AccountInfoRequestID"),
            correlation_id=header("CorrelationID"),
            party_id=party,
            account_id=header("AccountID"),
            account_reference=account_reference,
            only_primary_owner=owner,
            additional_reference_id_type=header("AdditionalReferenceIDType"),
            additional_reference_id=header("AdditionalReferenceID"),
            requester_id=header("RequesterID"),
            from_date=query.get("fromDate"),
            to_date=query.get("toDate"),
            api_version=api_version,
        )


@dataclass(frozen=True, slots=True)
class Guardianship:
    """A vergemål or fremtidsfullmakt from Folkeregisteret (information model ch. 5.20)."""

    ward: str
    guardian: str
    valid_from: date
    valid_to: date | None = None
    tasks: frozenset[str] = field(default=frozenset({REPRESENTASJON_DAGLIGBANK}))

    def covers(self, day_from: date, day_to: date) -> bool:
        return self.valid_from <= day_to and (self.valid_to is None or day_from <= self.valid_to)


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """What the bank knows about the party from the registers and its own systems.

    ``party_id`` is the party the request concerns when the request itself does not carry it
    (the step-2b endpoints, where the bank resolves it from the ``accountReference``).
    ``extradition_order`` must already have passed the signature check (contracts.extradition_order).
    """

    party_id: str | None = None
    date_of_death: date | None = None
    shielded: bool = False
    kjennelsesdato: date | None = None
    guardianships: tuple[Guardianship, ...] = ()
    extradition_order: ExtraditionOrder | None = None


NO_FACTS = Facts()

__all__ = [
    "HEADER_NAMES",
    "NO_FACTS",
    "REPRESENTASJON_DAGLIGBANK",
    "ControlRequest",
    "Environment",
    "Facts",
    "Guardianship",
]
