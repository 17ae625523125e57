"""Rows to v2 wire objects, shared by every store implementation (DSOP “Data model”).

Decides the wire form of stored facts: an identifier's ``type`` from its length (9 digits =
organisation, ``countryIdentificationCode``; otherwise a person, ``nationalIdentityNumber``), a
signed balance as a positive amount plus ``creditDebitIndicator`` (DSOP “Data model”), a booked balance
``registered`` at the end of its (Oslo) day but never in the future, and card numbers masked
(6+4, DSOP “Data model”) on every way out — the Cards list and ``transactions[].paymentCard``.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, time, tzinfo
from decimal import Decimal

import msgspec

from opendsop.clock import OSLO
from opendsop.provider.store.records import AccountRow, BookedBalanceRow, CardRow, PartyRow, RelationRow
from opendsop.provider.store.rules import BalanceKind, mask_card_number, utc
from opendsop.standard.control.v2 import (
    Account,
    AccountDetail,
    AccountRole,
    Balance,
    BalanceType,
    CreditOrDebit,
    FinancialInstitution,
    Identifier,
    IdentifierType,
    PaymentCard,
    Transaction,
)


def identifier(party_id: str, country: str | None = "NO") -> Identifier:
    kind = IdentifierType.COUNTRY_IDENTIFICATION_CODE if len(party_id) == 9 else IdentifierType.NATIONAL_IDENTITY_NUMBER
    return Identifier(country_of_residence=country or None, value=party_id, type=kind)


def role(relation: RelationRow, party: PartyRow | None) -> AccountRole:
    return AccountRole(
        permission=relation.permission,
        identifier=identifier(relation.party_id, party.country if party else "NO"),
        name=(party.name or None) if party else None,
        start_date=relation.start_date,
        end_date=relation.end_date,
    )


def servicer(account: AccountRow, default: FinancialInstitution | None) -> FinancialInstitution | None:
    if account.servicer_id is None:
        return default
    return FinancialInstitution(identifier=identifier(account.servicer_id), name=account.servicer_name or None)


def copied(institution: FinancialInstitution | None) -> FinancialInstitution | None:
    """A copy sharing nothing with ``institution``: an answer may be filtered in place."""
    if institution is None:
        return None
    identifier = institution.identifier
    return msgspec.structs.replace(institution, identifier=copy.copy(identifier) if identifier is not None else None)


def account(
    row: AccountRow, reference: str, owner: AccountRole | None, default_servicer: FinancialInstitution | None
) -> Account:
    # `accounts[].name` is "will not be delivered" in v2 (Bank_v2.yaml `GET /accounts`; every service
    # marks it "Utleveres ikke"), so the list never carries it; the details do (`account.name`).
    return Account(
        status=row.status,
        servicer=servicer(row, default_servicer),
        account_identifier=row.account_number,
        account_reference=reference,
        type=row.type,
        currency=row.currency,
        primary_owner=owner,
    )


def account_detail(
    row: AccountRow,
    reference: str,
    owner: AccountRole | None,
    balances: tuple[Balance, ...],
    default_servicer: FinancialInstitution | None,
) -> AccountDetail:
    return AccountDetail(
        status=row.status,
        servicer=servicer(row, default_servicer),
        account_identifier=row.account_number,
        account_reference=reference,
        type=row.type,
        currency=row.currency,
        name=row.name or None,
        balances=balances,
        primary_owner=owner,
        start_date=row.start_date,
        end_date=row.end_date,
    )


def _signed(amount: Decimal) -> tuple[Decimal, CreditOrDebit]:
    return (abs(amount), CreditOrDebit.CREDIT if amount >= 0 else CreditOrDebit.DEBIT)


def end_of_day(day: date, now: datetime, zone: tzinfo = OSLO) -> datetime:
    return min(utc(datetime.combine(day, time(23, 59, 59), zone)), utc(now))


def balances(
    row: AccountRow, kind: BalanceKind, booked: BookedBalanceRow | None, now: datetime, zone: tzinfo = OSLO
) -> tuple[Balance, ...]:
    """The DSOP “Endpoint Account details V.2.0” balances: none, booked at ``toDate``, or available now plus booked."""
    if kind is BalanceKind.NONE:
        return ()
    line_amount = row.credit_line_amount
    line_currency = row.credit_line_currency if line_amount is not None else None
    out = []
    if kind is BalanceKind.TODAY and row.available_amount is not None:
        amount, indicator = _signed(row.available_amount)
        out.append(
            Balance(
                credit_line_included=row.credit_line_included,
                amount=amount,
                credit_debit_indicator=indicator,
                registered=utc(row.available_registered) if row.available_registered else utc(now),
                type=BalanceType.AVAILABLE_BALANCE,
                currency=row.currency,
                credit_line_amount=line_amount,
                credit_line_currency=line_currency,
            )
        )
    if booked is not None:
        amount, indicator = _signed(booked.amount)
        out.append(
            Balance(
                credit_line_included=False,
                amount=amount,
                credit_debit_indicator=indicator,
                registered=end_of_day(booked.day, now, zone),
                type=BalanceType.BOOKED_BALANCE,
                currency=row.currency,
                credit_line_amount=line_amount,
                credit_line_currency=line_currency,
            )
        )
    return tuple(out)


def masked_card(card: PaymentCard) -> PaymentCard:
    return msgspec.structs.replace(card, card_identifier=mask_card_number(card.card_identifier))


def card(row: CardRow) -> PaymentCard:
    return masked_card(row.card)


def transaction(value: Transaction) -> Transaction:
    if value.payment_card is None:
        return value
    return msgspec.structs.replace(value, payment_card=masked_card(value.payment_card))


__all__ = [
    "account",
    "account_detail",
    "balances",
    "card",
    "copied",
    "end_of_day",
    "identifier",
    "masked_card",
    "role",
    "servicer",
    "transaction",
]
