"""Wire models of the Customer Relations Overview (KAR/KFR, run by Bits): step 1 of every case.

Decides the bodies of ``customerRelationships``, ``accountServicingProvider`` and the KFR write
API (KAR.yaml "Kundeforholdregister" v1.1.2, the newest contract at hand, plus the v2 fields of
DSOP “Endpoint customerRelationships V.2.0”; DSOP “Endpoint accountServicingProvider V.2.0”; DSOP Kundeforholdsregister
“Om”):

* ``ListCustomerRelation`` / ``CustomerRelation``: ``banks[]`` of ``organizationID`` (exactly 9
  characters), ``bankName``, ``activeAccount`` and the v2 addition ``ownershipType``
  (``primaryOwner`` | ``notPrimaryOwner`` | ``unknown``), present only when the request carried
  ``onlyPrimaryOwner``, hence optional;
* ``AccountServicingProvider`` (contract schema ``Bank``): one object, not a list;
* ``CustomerBatch``: the ``multipart/form-data`` fields of the KFR bulk load (``customer_type``
  is snake_case on the wire);
* ``ErrorResponse`` ``{errorCode, errorMessage, timestamp}`` for ``ERR-xxx`` and ``KFR-xxx``, and
  ``ErrorResponse401`` ``{statusCode, message}``, the 401 of ``accountServicingProvider`` only.

``organizationID`` vs ``organizationId`` on ``accountServicingProvider`` (DSOP “Endpoint accountServicingProvider
V.2.0”; DSOP “Endpoint customerRelationships V.2.0”): KAR v1.1.2 renamed the property to ``organizationID`` on the two
``customerRelationships`` operations but left ``organizationId`` in the ``Bank`` schema of this
one, while the v2 documentation spells it ``organizationID`` everywhere.  The model **emits**
``organizationID`` (the v2 documentation is the standard we implement, and one spelling for both
step-1 answers is what a consumer expects) and **accepts** either spelling (a gateway still on
KAR v1.1.2 must stay readable: tolerant reader, DSOP “eOppslag”).  A body with neither is
invalid, since the organisation number is the whole point of the answer.
"""

from __future__ import annotations

import datetime
import decimal
from enum import StrEnum
from typing import Annotated, Any, Final, TypeAlias

from msgspec import Meta, field
from msgspec.structs import force_setattr

from opendsop.standard.wire import WireStruct, check_aware

# KAR: `type: string, minLength: 9, maxLength: 9` (no digit pattern; validating an org no. is
# the identifier module's job, not the wire model's).
OrganizationNumber: TypeAlias = Annotated[str, Meta(min_length=9, max_length=9)]
DateTime: TypeAlias = Annotated[datetime.datetime, Meta(tz=True)]


class OwnershipType(StrEnum):
    """``banks[].ownershipType`` (v2, DSOP “Endpoint customerRelationships V.2.0”)."""

    PRIMARY_OWNER = "primaryOwner"  # owns at least one payment or funds account
    NOT_PRIMARY_OWNER = "notPrimaryOwner"  # has or had a relationship, no such ownership
    UNKNOWN = "unknown"  # historical data is missing


class RelationshipType(StrEnum):
    """The KFR relationship type (path ``{type}`` and ``customer_type``): only ``DSOPBANK``."""

    DSOPBANK = "DSOPBANK"


class CustomerRelation(WireStruct, kw_only=True, frozen=True):
    """One institution where the customer had a relationship in the period."""

    organization_id: OrganizationNumber = field(name="organizationID")
    bank_name: str
    # True only if the customer owns a NICS-creditable account and toDate is today; always
    # false for institutions known only from KFR.
    active_account: bool
    ownership_type: OwnershipType | None = None  # v2; only when onlyPrimaryOwner was sent


class ListCustomerRelation(WireStruct, kw_only=True, frozen=True):
    """200 body of ``customerRelationships``: an empty ``banks`` is still sent as ``[]``."""

    banks: tuple[CustomerRelation, ...]


class AccountServicingProvider(WireStruct, kw_only=True, frozen=True):
    """200 body of ``accountServicingProvider`` (contract schema ``Bank``).

    Build it with ``organization_id``; ``legacy_organization_id`` exists only so that a KAR
    v1.1.2 body (``organizationId``) decodes, and is folded into ``organization_id`` at once.
    """

    organization_id: OrganizationNumber | None = field(default=None, name="organizationID")
    bank_name: str
    legacy_organization_id: OrganizationNumber | None = field(default=None, name="organizationId")

    def __post_init__(self) -> None:
        if self.legacy_organization_id is not None:
            if self.organization_id is None:
                force_setattr(self, "organization_id", self.legacy_organization_id)
            elif self.organization_id != self.legacy_organization_id:
                raise ValueError(
                    "`organizationID` and `organizationId` disagree "
                    f"({self.organization_id!r} vs {self.legacy_organization_id!r})"
                )
            force_setattr(self, "legacy_organization_id", None)
        if self.organization_id is None:
            raise ValueError("Object missing required field `organizationID`")


class CustomerBatch(WireStruct, kw_only=True, frozen=True):
    """Form fields of ``POST /customers/financialInstitutions/{fid}/batch`` (KFR bulk load).

    ``customers`` is the CSV text: comma-separated 9- or 11-digit identifiers, each optionally
    ``ID#YYYY-MM-DD`` (DSOP Kundeforholdsregister “Om”); parsing it is the KFR service's job.
    """

    customer_type: RelationshipType = field(name="customer_type")
    customers: str


class ErrorResponse(WireStruct, kw_only=True, frozen=True):
    """Error body of the Customer Relations Overview (``ERR-xxx``) and KFR (``KFR-xxx``)."""

    error_code: str
    error_message: str
    timestamp: DateTime

    def __post_init__(self) -> None:
        check_aware(self.timestamp, "timestamp")


class ErrorResponse401(WireStruct, kw_only=True, frozen=True):
    """401 body of ``accountServicingProvider``: ``{"statusCode": 401, "message": "..."}``."""

    status_code: decimal.Decimal  # the contract says `number`, not `integer`
    message: str


# Contract schema name -> implementing class.
SCHEMAS: Final[dict[str, Any]] = {
    "Bank": AccountServicingProvider,
    "CustomerBatch": CustomerBatch,
    "CustomerRelation": CustomerRelation,
    "ListCustomerRelation": ListCustomerRelation,
    "ErrorResponse": ErrorResponse,
    "ErrorResponse401": ErrorResponse401,
}

__all__ = [
    "SCHEMAS",
    "AccountServicingProvider",
    "CustomerBatch",
    "CustomerRelation",
    "DateTime",
    "ErrorResponse",
    "ErrorResponse401",
    "ListCustomerRelation",
    "OrganizationNumber",
    "OwnershipType",
    "RelationshipType",
]
