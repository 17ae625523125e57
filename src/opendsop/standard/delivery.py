"""Field-level delivery: which response fields each service may receive (DSOP “Data model”).

Each service document classes every leaf field of every endpoint:

====  =====================  ====================================================================
TO    Teknisk obligatorisk   always delivered (follows the M/MC marker)
SU    Skal utleveres         delivered when the bank holds it
KF    Kan filtreres bort     may be filtered out; the agency must delete it if received
UI    Utleveres ikke         never delivered
TV    Til vurdering          undecided
====  =====================  ====================================================================

Our defaults, and why (both configurable through ``DeliveryPolicy``):

* **KF is withheld.**  The agency has said it does not need the field and must delete it on
  receipt, so sending it only creates data the recipient has to destroy (data minimisation).
* **TV is delivered.**  The common standard's overriding principle is to fill every field the bank
  can "unless the specific DSOP service says otherwise" (DSOP “Data model”); an undecided field has
  not been excluded.  Withholding it would also empty Konkurs, where almost every field is TV.

Paths are the wire paths without array markers (``transactions.counterParties.name``).  The service
tables' own spellings are mapped once here: ``roles.accountRole.*`` → ``roles.*`` (Bank_v2.yaml has
no ``accountRole`` wrapper) and ``creditDebitIdicator`` (sic) → ``creditDebitIndicator``.

>>> Category.KF.delivered(DEFAULT_POLICY), Category.TV.delivered(DEFAULT_POLICY)
(False, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from opendsop.standard.endpoints import Endpoint


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How the two undecided categories are treated; everything else is fixed by the standard."""

    deliver_kf: bool = False
    deliver_tv: bool = True


DEFAULT_POLICY = DeliveryPolicy()


class Category(StrEnum):
    TO = "TO"
    SU = "SU"
    KF = "KF"
    UI = "UI"
    TV = "TV"

    def delivered(self, policy: DeliveryPolicy = DEFAULT_POLICY) -> bool:
        if self is Category.KF:
            return policy.deliver_kf
        if self is Category.TV:
            return policy.deliver_tv
        return self is not Category.UI


def _paths(prefix: str, leaves: str) -> tuple[str, ...]:
    return tuple(f"{prefix}.{leaf}" if prefix else leaf for leaf in leaves.split())


_IDENTIFIER = "countryOfResidence value type"
_OWNER = "permission identifier.countryOfResidence identifier.value identifier.type name startDate endDate"
_RESPONSE_DETAILS = _paths("responseDetails", "status message")
_LINKS = _paths("links", "rel href")
_SERVICER = _paths("servicer", "identifier.countryOfResidence identifier.value identifier.type name")


def _account(prefix: str) -> tuple[str, ...]:
    return (
        f"{prefix}.status",
        *(f"{prefix}.{path}" for path in _SERVICER),
        *_paths(prefix, "accountIdentifier accountReference type currency"),
        *_paths(f"{prefix}.primaryOwner", _OWNER),
        f"{prefix}.name",
    )


# Every leaf field of DSOP “Data model”, per endpoint, in the order of the service tables.
FIELDS: Mapping[Endpoint, tuple[str, ...]] = MappingProxyType(
    {
        Endpoint.ACCOUNTS: (*_RESPONSE_DETAILS, *_account("accounts"), *_LINKS),
        Endpoint.ACCOUNT_DETAILS: (
            *_RESPONSE_DETAILS,
            *_account("account"),
            *_paths(
                "account.balances",
                "creditLineIncluded amount creditDebitIndicator registered type "
                "creditLineAmount creditLineCurrency currency",
            ),
            *_paths("account", "startDate endDate"),
        ),
        Endpoint.TRANSACTIONS: (
            *_RESPONSE_DETAILS,
            *_paths(
                "transactions",
                "transactionIdentifier references.value references.type creditDebitIndicator "
                "reversalIndicator status transactionCode.domain transactionCode.family "
                "transactionCode.subFamily transactionCode.freeText bookingDate valueDate",
            ),
            "transactions.counterParties.accountIdentifier",
            *_paths("transactions.counterParties.identifier", _IDENTIFIER),
            *_paths("transactions.counterParties", "name type"),
            *_paths(
                "transactions.counterParties.postalAddress",
                "postCode type streetName buildingNumber townName country addressLines",
            ),
            "transactions.additionalInfo",
            *_paths(
                "transactions.currencyExchange",
                "originalAmount sourceCurrency targetCurrency unitCurrency exchangeRate",
            ),
            "transactions.merchant",
            *_paths(
                "transactions.paymentCard",
                "cardIdentifier holderName startDate expiryDate cardIssuerName type cardStatus versionNumber",
            ),
            *_paths("transactions.paymentCard.cardIssuerIdentifier", _IDENTIFIER),
            *_paths("transactions", "registered amount currency"),
            *_LINKS,
        ),
        Endpoint.CARDS: (
            *_RESPONSE_DETAILS,
            *_paths(
                "paymentCards",
                "cardIdentifier holderName startDate expiryDate cardIssuerName type cardStatus versionNumber",
            ),
            *_paths("paymentCards.cardIssuerIdentifier", _IDENTIFIER),
        ),
        Endpoint.ROLES: (*_RESPONSE_DETAILS, *_paths("roles", _OWNER)),
    }
)

# Technically mandatory (TO) in every service's table: identifiers, references, status, paging.
TECHNICAL: frozenset[str] = frozenset(
    {
        "responseDetails.status",
        "links.rel",
        "links.href",
        "accounts.servicer.identifier.value",
        "accounts.servicer.identifier.type",
        "accounts.accountIdentifier",
        "accounts.accountReference",
        "accounts.primaryOwner.identifier.value",
        "accounts.primaryOwner.identifier.type",
        "account.servicer.identifier.value",
        "account.servicer.identifier.type",
        "account.accountIdentifier",
        "account.accountReference",
        "account.primaryOwner.identifier.value",
        "account.primaryOwner.identifier.type",
        "transactions.transactionIdentifier",
        "transactions.counterParties.identifier.value",
        "transactions.counterParties.identifier.type",
        "transactions.paymentCard.cardIdentifier",
        "transactions.paymentCard.cardIssuerIdentifier.value",
        "transactions.paymentCard.cardIssuerIdentifier.type",
        "paymentCards.cardIdentifier",
        "paymentCards.cardIssuerIdentifier.value",
        "paymentCards.cardIssuerIdentifier.type",
        "roles.identifier.value",
        "roles.identifier.type",
    }
)

# Never delivered by any service: "Will not be delivered" in the common model (DSOP “Endpoint Accounts V.2.0”).
NEVER_DELIVERED: frozenset[str] = frozenset({"accounts.name"})


@dataclass(frozen=True, slots=True)
class DeliveryTable:
    """One service's column of DSOP “Data model”: a category for every leaf of every endpoint it may call."""

    categories: Mapping[Endpoint, Mapping[str, Category]]

    def category(self, endpoint: Endpoint, path: str) -> Category | None:
        return self.categories.get(endpoint, {}).get(path)

    def withheld(self, endpoint: Endpoint, policy: DeliveryPolicy = DEFAULT_POLICY) -> frozenset[str]:
        """The leaf paths that must not leave the bank under ``policy``."""
        return frozenset(
            path for path, category in self.categories.get(endpoint, {}).items() if not category.delivered(policy)
        )


def delivery_table(
    endpoints: Iterable[Endpoint],
    *,
    default: Category = Category.SU,
    overrides: Mapping[str, Category] | None = None,
    technical_extra: Iterable[str] = (),
) -> DeliveryTable:
    """Build a service column: TO for the technical fields, UI for ``NEVER_DELIVERED``, ``default``
    for every other leaf, then the service's documented ``overrides``.

    ``responseDetails.message`` is SU in every table, whatever the default.
    """
    overrides = dict(overrides or {})
    known = {path for paths in FIELDS.values() for path in paths}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"override for unknown field path(s): {sorted(unknown)}")
    technical = TECHNICAL | frozenset(technical_extra)
    columns: dict[Endpoint, Mapping[str, Category]] = {}
    for endpoint in endpoints:
        column: dict[str, Category] = {}
        for path in FIELDS[endpoint]:
            if path in technical:
                column[path] = Category.TO
            elif path in NEVER_DELIVERED:
                column[path] = Category.UI
            elif path == "responseDetails.message":
                column[path] = Category.SU
            else:
                column[path] = overrides.get(path, default)
        columns[endpoint] = MappingProxyType(column)
    return DeliveryTable(MappingProxyType(columns))


__all__ = [
    "DEFAULT_POLICY",
    "FIELDS",
    "NEVER_DELIVERED",
    "TECHNICAL",
    "Category",
    "DeliveryPolicy",
    "DeliveryTable",
    "delivery_table",
]
