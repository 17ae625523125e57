"""Merging KAR and KFR into ``banks[]`` (spec/datamodel.md §2.7, protocol.md §2.2 and §6.1–6.3).

Pure: relations and dates in, the wire body out.  Per institution:

* ``activeAccount`` is ``true`` only if ``toDate`` is today and, per KAR, the customer *owns*
  (owner or secondary owner) an account that is reachable through NICS and still open today.
  A disponent owns nothing; KFR has no accounts, so a KFR-only institution is always ``false``.
* ``ownershipType`` is present only when ``onlyPrimaryOwner`` was sent (true *or* false;
  datamodel.md §6 item 26 is read literally): ``primaryOwner`` if KAR shows the customer as the
  primary owner of an account in the period, ``notPrimaryOwner`` if KAR shows only other roles,
  ``unknown`` if the institution is known from KFR only (customer level, no account data to
  tell the role from: protocol.md §6.3).
* ``onlyPrimaryOwner=true`` keeps ``primaryOwner`` and ``unknown`` institutions: an ``unknown``
  one may well be an owner relation, and leaving it out would hide a bank from the case
  (a choice, the standard is silent).

Institutions are sorted by name, then organisation number, so the answer is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from opendsop.relations.sources import Relation, Role
from opendsop.standard.period import Period
from opendsop.standard.relations import CustomerRelation, ListCustomerRelation, OwnershipType


def merge(kar: Iterable[Relation], kfr: Iterable[Relation], period: Period, today: date, *,
          only_primary_owner: bool | None) -> ListCustomerRelation:
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
        banks.append(CustomerRelation(organization_id=org, bank_name=names[org] or org,
                                      active_account=active, ownership_type=ownership))
    return ListCustomerRelation(banks=tuple(banks))


__all__ = ["merge"]
