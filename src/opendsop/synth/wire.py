# SPDX-License-Identifier: Apache-2.0
"""The synthetic records as Control API v2 wire objects (``opendsop.standard.control.v2``).

A convenience for bank stores and tests: it shows how the flat generator model maps onto the
contract (DSOP “Data model”; DSOP “Endpoint … V.2.0” pages) and, round-tripped through the wire decoder, proves that
every generated value fits the contract's types, enums, lengths and patterns.
"""

from __future__ import annotations

from collections.abc import Mapping

from opendsop.standard.control.v2 import models as v2
from opendsop.synth.model import AccountRole, Address, Balance, Card, IdentifierType, Transaction
from opendsop.synth.model import TransactionReferenceType as Ref


def _identifier(value: str, type_: IdentifierType) -> v2.Identifier:
    return v2.Identifier(country_of_residence="NO", value=value, type=type_)


def _address(address: Address | None, type_: v2.AddressType) -> v2.PostalAddress | None:
    if address is None:
        return None
    return v2.PostalAddress(
        post_code=address.post_code,
        type=type_,
        street_name=address.street_name,
        building_number=address.building_number,
        town_name=address.town_name,
        country=address.country,
    )


def wire_card(card: Card) -> v2.PaymentCard:
    return v2.PaymentCard(
        card_identifier=card.card_identifier,
        holder_name=card.holder_name,
        start_date=card.start_date,
        expiry_date=card.expiry_date,
        card_issuer_name=card.issuer_name,
        type=card.type,
        card_status=card.status,
        version_number=card.version_number,
        card_issuer_identifier=_identifier(card.issuer_orgnr, IdentifierType.COUNTRY_IDENTIFICATION_CODE),
    )


def wire_transaction(tx: Transaction, cards: Mapping[int, Card]) -> v2.Transaction:
    """``transactions[]`` item; ``cards`` resolves ``card_id`` to the full card."""
    counterparty = None
    if tx.counterparty_type is not None and (tx.counterparty_name or tx.counterparty_account):
        identifier = None
        if tx.counterparty_id is not None and tx.counterparty_id_type is not None:
            identifier = _identifier(tx.counterparty_id, tx.counterparty_id_type)
        person = tx.counterparty_id_type is IdentifierType.NATIONAL_IDENTITY_NUMBER
        address = _address(tx.counterparty_address, v2.AddressType.RESIDENTIAL if person else v2.AddressType.BUSINESS)
        counterparty = (
            v2.CounterParty(
                account_identifier=tx.counterparty_account,
                identifier=identifier,
                name=tx.counterparty_name,
                type=tx.counterparty_type,
                postal_address=address,
            ),
        )
    exchange = None
    if tx.fx_exchange_rate is not None:
        exchange = v2.CurrencyExchange(
            original_amount=tx.fx_original_amount,
            source_currency=tx.fx_source_currency,
            target_currency=tx.fx_target_currency,
            unit_currency=tx.fx_unit_currency,
            exchange_rate=tx.fx_exchange_rate,
        )
    return v2.Transaction(
        transaction_identifier=tx.transaction_id,
        references=tuple(v2.TransactionReference(value=r.value, type=Ref(r.type)) for r in tx.references) or None,
        credit_debit_indicator=tx.credit_debit_indicator,
        reversal_indicator=tx.reversal_indicator,
        status=tx.status,
        transaction_code=v2.BankTransactionCode(
            domain=tx.domain, family=tx.family, sub_family=tx.sub_family, free_text=tx.free_text
        ),
        booking_date=tx.booking_date,
        value_date=tx.value_date,
        counter_parties=counterparty,
        additional_info=tx.additional_info,
        currency_exchange=exchange,
        merchant=tx.merchant,
        payment_card=None if tx.card_id is None else wire_card(cards[tx.card_id]),
        registered=tx.registered,
        amount=tx.amount,
        currency=tx.currency,
    )


def wire_role(role: AccountRole) -> v2.AccountRole:
    return v2.AccountRole(
        permission=role.permission,
        identifier=_identifier(role.party_id, role.identifier_type),
        name=role.name,
        start_date=role.start_date,
        end_date=role.end_date,
    )


def wire_balance(balance: Balance) -> v2.Balance:
    return v2.Balance(
        credit_line_included=balance.credit_line_included,
        amount=balance.amount,
        credit_debit_indicator=balance.credit_debit_indicator,
        registered=balance.registered,
        type=v2.BalanceType(balance.type),
        credit_line_amount=balance.credit_line_amount,
        credit_line_currency=balance.credit_line_currency,
        currency=balance.currency,
    )


__all__ = ["wire_balance", "wire_card", "wire_role", "wire_transaction"]
