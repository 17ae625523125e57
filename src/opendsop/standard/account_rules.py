"""Which accounts, balances and card numbers a bank's answer may carry: the Control API's data rules
as pure functions of plain values, so every store implementation applies the same ones.

Sources: the "Common data model" page of the DSOP documentation (account list, balances, card
numbers) and Bank_v2.yaml ``GET /accounts``, ``GET /accounts/{accountReference}``, ``GET .../cards``.

* **Account list.**  ``OnlyPrimaryOwner=true`` lists the accounts the party held as primary owner
  in the period; ``false`` adds secondary owner and disponent.  A guarantor or co-borrower relation
  never lists an account (:func:`listing_roles`).
* **Other rights.**  A service whose profile has ``flag_other_rights`` (Politi-utlevering,
  "Alternative 1") is told, by a ``partial`` answer, that an owner-only list left out accounts the
  party holds rights of disposal over (:func:`flags_other_rights`).
* **Balances.**  A deleted account, an ``accountWithoutBalance`` or an account closed in (or before
  the end of) the period gets none; a period ending today gets the available balance now and the
  booked one; a historical period the booked balance at ``toDate`` (:func:`balance_kind`).
* **Card numbers.**  At most the first 6 and last 4 digits, every other position ``X``
  (:func:`mask_card_number`).

>>> sorted(listing_roles(only_primary_owner=True))
[<RelationRole.PRIMARY_OWNER: 'primaryOwner'>]
>>> mask_card_number("4925 0000 1234 5678")
'492500XXXXXX5678'
"""

from __future__ import annotations

from datetime import date
from enum import Enum, StrEnum

from opendsop.standard.control.v2 import AccountStatus, AccountType
from opendsop.standard.period import Period
from opendsop.standard.services import ServiceProfile


class RelationRole(StrEnum):
    """A party's relation to an account."""

    PRIMARY_OWNER = "primaryOwner"
    SECONDARY_OWNER = "secondaryOwner"
    DISPONENT = "disponent"  # right of disposal without ownership
    GUARANTOR = "guarantor"  # kausjonist: never lists the account
    CO_BORROWER = "coBorrower"  # medlåntaker: the loan account is not listed


# Roles that make an account appear in the party's account list and in `roles`.
ACCESS_ROLES = frozenset({RelationRole.PRIMARY_OWNER, RelationRole.SECONDARY_OWNER, RelationRole.DISPONENT})
OWNER_ROLES = frozenset({RelationRole.PRIMARY_OWNER, RelationRole.SECONDARY_OWNER})
_PRIMARY_ONLY = frozenset({RelationRole.PRIMARY_OWNER})
_MASK = "X"


def listing_roles(*, only_primary_owner: bool) -> frozenset[RelationRole]:
    """The roles that put an account in the party's list for this ``OnlyPrimaryOwner``."""
    return _PRIMARY_ONLY if only_primary_owner else ACCESS_ROLES


def flags_other_rights(profile: ServiceProfile, *, only_primary_owner: bool) -> bool:
    """Whether an owner-only list must say (``partial``) that the party also disposes over other accounts."""
    return profile.flag_other_rights and only_primary_owner


class BalanceKind(Enum):
    NONE = "none"
    TODAY = "today"  # available now + booked
    HISTORICAL = "historical"  # booked at toDate


def balance_kind(
    *,
    status: AccountStatus,
    account_type: AccountType,
    start_date: date,
    end_date: date | None,
    period: Period,
    today: date,
) -> BalanceKind:
    """Which balances an account's details carry for ``period``."""
    if status is AccountStatus.DELETED or account_type is AccountType.ACCOUNT_WITHOUT_BALANCE:
        return BalanceKind.NONE
    if end_date is not None and end_date <= period.to_date:
        return BalanceKind.NONE  # closed in (or before the end of) the period
    if start_date > period.to_date:
        return BalanceKind.NONE
    return BalanceKind.TODAY if period.to_date >= today else BalanceKind.HISTORICAL


def mask_card_number(number: str) -> str:
    """A card number as the standard allows it out: first 6 and last 4 at most, the rest ``X``.

    Spaces and dashes are dropped.  Numbers shorter than 13 positions show only their last 4 (and
    4 or fewer positions show none), so a short number never becomes mostly visible.  A position
    that is not a digit (an already-masked ``*``, say) is written ``X``.  Never raises.
    """
    compact = [char for char in number if char not in " -\t"]
    length = len(compact)
    head = 6 if length >= 13 else 0
    tail = 4 if length > 4 else 0
    out = []
    for index, char in enumerate(compact):
        visible = index < head or index >= length - tail
        out.append(char if visible and char.isascii() and char.isdigit() else _MASK)
    return "".join(out)


__all__ = [
    "ACCESS_ROLES",
    "OWNER_ROLES",
    "BalanceKind",
    "RelationRole",
    "balance_kind",
    "flags_other_rights",
    "listing_roles",
    "mask_card_number",
]
