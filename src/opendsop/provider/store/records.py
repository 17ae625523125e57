"""The rows a bank's store holds: input shapes of the loader and of both store implementations.

Decides what a bank must know to answer the Control API (DSOP “Data model”): parties,
accounts (status, type, currency, servicer, start/end, credit line, available balance now),
account relations (who holds which role with which permission, when), booked balances per day,
cards and transactions.  Transactions and cards are stored *as the v2 wire objects* they will
become (``Transaction``, ``PaymentCard``), plus the account key: every v2 field has a home without
restating 35 fields, and the models validate amounts and time zones on construction.  Card numbers
may be held in clear here; they are masked on the way out (``standard.account_rules.mask_card_number``).

Relation roles beyond the three that give access (primary owner, secondary owner, disponent) exist
so the generic content rules (DSOP “Endpoint Accounts V.2.0”) can be enforced by the store rather than by every caller:
a ``guarantor`` (kausjonist) or ``coBorrower`` (medlåntaker) relation never lists an account and
never appears in ``roles``.

Dates are inclusive (``end_date`` is the last day the relation or account existed; ``None`` means
still open).  Amounts in balances are *signed* (negative = debit); the wire splits them into a
positive amount and ``creditDebitIndicator``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from opendsop.standard.account_rules import ACCESS_ROLES, OWNER_ROLES, RelationRole
from opendsop.standard.control.v1 import ElectronicAddressType
from opendsop.standard.control.v2 import (
    AccountPermissionType,
    AccountStatus,
    AccountType,
    PaymentCard,
    PostalAddress,
    Transaction,
)


class Delivery(StrEnum):
    """Whether the bank serves an account's details through the API."""

    ONLINE = "online"
    # Held outside the online systems: listed with accountReference "dataNotDelivered" where the
    # service allows it (Skatt, Politi; the DSOP services' “Løsningsbeskrivelse” pages), otherwise left out and the
    # answer is `partial`.
    MANUAL = "manual"


@dataclass(frozen=True, slots=True, kw_only=True)
class ElectronicAddressRow:
    """A phone number or e-mail address of a party (Bank_v1.yaml ``ElectronicAddress``)."""

    type: ElectronicAddressType
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PartyRow:
    """A customer: ``party_id`` is the fødselsnummer, D-number (11 digits) or org no. (9).

    ``postal_address`` and ``electronic_addresses`` are the contact details Bank_v1.yaml delivers
    on ``primaryOwner`` and ``roles[]`` (v2 removed them from the wire; the bank still holds them).
    """

    party_id: str
    name: str | None = None
    country: str | None = "NO"
    postal_address: PostalAddress | None = None
    electronic_addresses: tuple[ElectronicAddressRow, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountRow:
    """An account.  ``account_id`` is the bank's internal key; ``account_number`` the kontonr.

    ``available_amount`` is the signed available balance *now* (with ``available_registered``,
    when it was computed); ``history_from`` is the first day whose transactions are still online
    (older ones are archived: asking for them makes the answer ``partial``).
    """

    account_id: str
    account_number: str
    type: AccountType
    currency: str
    status: AccountStatus = AccountStatus.ENABLED
    start_date: date
    name: str | None = None  # the owner's nickname for the account (AccountDetail ``name``, 1–70)
    end_date: date | None = None
    servicer_id: str | None = None  # org no. of the servicing institution, when not this bank
    servicer_name: str | None = None
    credit_line_amount: Decimal | None = None
    credit_line_currency: str | None = None
    credit_line_included: bool = False
    available_amount: Decimal | None = None
    available_registered: datetime | None = None
    history_from: date | None = None
    delivery: Delivery = Delivery.ONLINE


@dataclass(frozen=True, slots=True, kw_only=True)
class RelationRow:
    """``party_id`` holds ``role`` on ``account_id`` from ``start_date`` to ``end_date`` (inclusive)."""

    account_id: str
    party_id: str
    role: RelationRole
    start_date: date
    end_date: date | None = None
    permission: AccountPermissionType | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BookedBalanceRow:
    """The signed booked balance of an account at the end of ``day``."""

    account_id: str
    day: date
    amount: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class CardRow:
    """A card on an account; ``card.card_identifier`` may hold the full number (masked on output).

    The card counts for a period when ``[linked_from, linked_to]`` overlaps it; when those are
    absent, the card's own validity (first day of ``startDate`` to last day of ``expiryDate``).
    """

    account_id: str
    card_id: str
    card: PaymentCard
    holder_party_id: str | None = None
    linked_from: date | None = None
    linked_to: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TransactionRow:
    """A transaction of ``account_id``; ``booking_date`` and ``transaction_identifier`` are required.

    ``transaction.transaction_identifier`` is unique within the account (the standard: within the
    bank); ``transaction.payment_card.card_identifier`` may be the full card number.
    """

    account_id: str
    transaction: Transaction


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountRecord:
    """What the request pipeline needs to know about an account (not a wire object)."""

    account_id: str
    account_number: str
    type: AccountType
    currency: str
    status: AccountStatus
    start_date: date
    end_date: date | None
    delivery: Delivery


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferencedAccount:
    """An account as resolved from an ``accountReference`` issued to ``consumer_org``.

    ``party_id`` and ``account_info_request_id`` are those of the Accounts request that issued the
    reference: the party the case concerns (``Facts.party_id`` for the step-2b endpoints) and the
    consumer's case.  The pipeline may refuse a reference used under another case (ACC-003).
    """

    reference: str
    consumer_org: str
    party_id: str
    account_info_request_id: str
    account: AccountRecord


@dataclass(frozen=True, slots=True)
class AccountGraph:
    """Accounts, *every* relation on them and the parties of those relations, as one read returns them.

    ``booked`` is the latest booked balance asked for with it (one account's details), and
    ``stored_references`` the references already stored for the consumer and case of an account
    list (issuing them again would write nothing).
    """

    accounts: dict[str, AccountRow]
    relations: list[RelationRow]
    parties: dict[str, PartyRow]
    booked: BookedBalanceRow | None = None
    stored_references: frozenset[str] = frozenset()


def record_of(row: AccountRow) -> AccountRecord:
    return AccountRecord(
        account_id=row.account_id,
        account_number=row.account_number,
        type=row.type,
        currency=row.currency,
        status=row.status,
        start_date=row.start_date,
        end_date=row.end_date,
        delivery=row.delivery,
    )


__all__ = [
    "ACCESS_ROLES",
    "OWNER_ROLES",
    "AccountGraph",
    "AccountRecord",
    "AccountRow",
    "BookedBalanceRow",
    "CardRow",
    "Delivery",
    "ElectronicAddressRow",
    "PartyRow",
    "ReferencedAccount",
    "RelationRole",
    "RelationRow",
    "TransactionRow",
    "record_of",
]
