"""The Customer Relations Overview's rule for what KAR and KFR say together: one entry per institution
in ``banks[]`` (KAR.yaml ``GET /customers/customerRelationships``; the DSOP documentation's "Customer
Relations Overview" and "Common data model" pages).

Pure: the sources' relations, the period and "today" in, the wire body out.  Per institution:

* ``activeAccount`` is ``true`` only if ``toDate`` is today and, per KAR, the customer *owns*
  (owner or secondary owner) an account that is reachable through NICS and still open today.
  A disponent owns nothing; KFR has no accounts, so a KFR-only institution is always ``false``.
* ``ownershipType`` is present only when ``onlyPrimaryOwner`` was sent (true *or* false, read
  literally): ``primaryOwner`` if KAR shows the customer as the primary owner of an account in the
  period, ``notPrimaryOwner`` if KAR shows only other roles, ``unknown`` if the institution is
  known from KFR only (customer level, no account data to tell the role from).
* ``onlyPrimaryOwner=true`` keeps ``primaryOwner`` and ``unknown`` institutions: an ``unknown``
  one may well be an owner relation, and leaving it out would hide a bank from the case
  (a choice, the standard is silent).

Institutions are sorted by name, then organisation number, so the answer is deterministic.

>>> owner = Relation(org_no="910000001", bank_name="Bank A", role=Role.OWNER, start=date(2020, 1, 1),
...                  nics_reachable=True)
>>> merge([owner], [], Period(date(2025, 1, 1), date(2025, 6, 1)), date(2025, 6, 1),
...       only_primary_owner=True).banks[0].active_account
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from opendsop.standard.period import Period
from opendsop.standard.relations import CustomerRelation, ListCustomerRelation, OwnershipType


class Role(StrEnum):
    """The customer's role in one relation."""

    OWNER = "owner"  # primary owner (kontohaver)
    SECONDARY_OWNER = "secondary_owner"  # co-owner (medkontohaver)
    DISPONENT = "disponent"  # may operate the account, does not own it
    CUSTOMER = "customer"  # KFR DSOPBANK: a customer relationship without account data

    @property
    def owns(self) -> bool:
        return self in (Role.OWNER, Role.SECONDARY_OWNER)


@dataclass(frozen=True, slots=True, kw_only=True)
class Relation:
    """One relation between a customer and an institution, valid ``[start, end]`` (end open if None)."""

    org_no: str
    bank_name: str
    role: Role
    start: date
    end: date | None = None
    account_no: str | None = None
    nics_reachable: bool = False

    def overlaps(self, period: Period) -> bool:
        """Period semantics: the relation counts if ``[start, end]`` overlaps the requested period."""
        return self.start <= period.to_date and (self.end is None or period.from_date <= self.end)

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def merge(
    kar: Iterable[Relation], kfr: Iterable[Relation], period: Period, today: date, *, only_primary_owner: bool | None
) -> ListCustomerRelation:
    """The ``customerRelationships`` body for the relations the two sources returned."""
    names: dict[str, str] = {}
    kar_roles: dict[str, list[Relation]] = {}
    kfr_orgs: set[str] = set()
    for rel in kar:
        if rel.overlaps(period):
            kar_roles.setdefault(rel.org_no, []).append(rel)
            names.setdefault(rel.org_no, rel.bank_name)
    for rel in kfr:
        if rel.overlaps(period):
            kfr_orgs.add(rel.org_no)
            names.setdefault(rel.org_no, rel.bank_name)
    current = period.to_date == today
    banks: list[CustomerRelation] = []
    for org in sorted(names, key=lambda org_no: (names[org_no].casefold(), org_no)):
        rels = kar_roles.get(org, [])
        active = current and any(r.role.owns and r.nics_reachable and r.active_on(today) for r in rels)
        ownership: OwnershipType | None = None
        if only_primary_owner is not None:
            if any(r.role is Role.OWNER for r in rels):
                ownership = OwnershipType.PRIMARY_OWNER
            elif rels:
                ownership = OwnershipType.NOT_PRIMARY_OWNER
            else:
                ownership = OwnershipType.UNKNOWN
            if only_primary_owner and ownership is OwnershipType.NOT_PRIMARY_OWNER:
                continue
        banks.append(
            CustomerRelation(
                organization_id=org, bank_name=names[org] or org, active_account=active, ownership_type=ownership
            )
        )
    return ListCustomerRelation(banks=tuple(banks))


__all__ = ["Relation", "Role", "merge"]
