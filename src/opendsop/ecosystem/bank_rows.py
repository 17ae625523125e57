# SPDX-License-Identifier: Apache-2.0
"""Synthetic bank records as the bank store's column tuples: the bulk path of the local ecosystem.

Separate from :mod:`.mapping` (which re-exports every name here) because this is the hot path of
``dsop ecosystem load``: ``TransactionColumns`` and the balance helpers give exactly the values
``loader.transaction_values`` / ``loader.balance_values`` would give, in ``loader.TRANSACTION_COLUMNS``
/ ``loader.BALANCE_COLUMNS`` order (or as the SQLite driver's parameters), without building v2 objects
per row.  The few v2 builders it shares with ``mapping.transaction`` and ``mapping.card_rows``
(counterparties, payment cards, booked balance rows) live here too, so neither module imports the other
both ways.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import msgspec

from opendsop.provider.store.loader import card_columns, sqlite_timestamp
from opendsop.provider.store.records import BookedBalanceRow
from opendsop.standard.control.v2 import (
    CounterParty,
    Identifier,
    IdentifierType,
    PaymentCard,
    PostalAddress,
    TransactionReference,
)
from opendsop.synth import model as synth
from opendsop.synth import transactions as synth_transactions

__all__ = [
    "TransactionColumns",
    "balance_columns",
    "balance_rows",
    "booked_values",
    "payment_card",
    "sqlite_balance_params",
    "sqlite_balance_values",
    "statement_balances",
]

_encode = msgspec.json.Encoder().encode
_NO_FX: tuple[None, ...] = (None,) * 5


def payment_card(card: synth.Card) -> PaymentCard:
    return PaymentCard(
        card_identifier=card.card_identifier,
        holder_name=card.holder_name,
        start_date=card.start_date,
        expiry_date=card.expiry_date,
        card_issuer_name=card.issuer_name,
        type=card.type,
        card_status=card.status,
        version_number=card.version_number,
        card_issuer_identifier=Identifier(
            value=card.issuer_orgnr, type=IdentifierType.COUNTRY_IDENTIFICATION_CODE, country_of_residence="NO"
        ),
    )


def _counter_parties(tx: synth.Transaction) -> tuple[CounterParty, ...] | None:
    if not (tx.counterparty_type or tx.counterparty_account or tx.counterparty_id or tx.counterparty_name):
        return None
    identifier = (
        Identifier(value=tx.counterparty_id, type=tx.counterparty_id_type or IdentifierType.NATIONAL_IDENTITY_NUMBER)
        if tx.counterparty_id
        else None
    )
    address = tx.counterparty_address
    postal = (
        PostalAddress(
            street_name=address.street_name,
            building_number=address.building_number,
            post_code=address.post_code,
            town_name=address.town_name,
            country=address.country,
        )
        if address
        else None
    )
    return (
        CounterParty(
            account_identifier=tx.counterparty_account,
            identifier=identifier,
            name=tx.counterparty_name,
            type=tx.counterparty_type,
            postal_address=postal,
        ),
    )


def _payment_card_of(tx: synth.Transaction, cards: dict[int, synth.Card]) -> PaymentCard | None:
    if tx.card_id is not None and tx.card_id in cards:
        return payment_card(cards[tx.card_id])
    if tx.card_identifier:
        return PaymentCard(card_identifier=tx.card_identifier)
    return None


class TransactionColumns:
    """Booked synthetic transactions straight to ``bank_transaction`` column tuples (the bulk path).

    Gives exactly the values ``loader.transaction_values(TransactionRow(account_id, transaction(tx,
    cards)))`` gives, in ``loader.TRANSACTION_COLUMNS`` order, without building the v2 objects per
    row: counterparties and cards repeat, so their JSON and columns are made once per bank.
    """

    def __init__(self, cards: dict[int, synth.Card]) -> None:
        self._cards = cards
        self._parties: dict[tuple[Any, ...], str | None] = {}
        self._card_columns: dict[tuple[int | None, str | None], tuple[Any, ...]] = {}
        self._stamp = sqlite_timestamp()

    def _counter_parties(self, tx: synth.Transaction) -> str | None:
        key = (
            tx.counterparty_type,
            tx.counterparty_account,
            tx.counterparty_id,
            tx.counterparty_id_type,
            tx.counterparty_name,
            tx.counterparty_address,
        )
        found = self._parties.get(key, False)
        if found is False:
            parties = _counter_parties(tx)
            found = _encode(parties).decode() if parties is not None else None
            self._parties[key] = found
        return found  # type: ignore[return-value]

    def _card(self, tx: synth.Transaction) -> tuple[Any, ...]:
        key = (tx.card_id, tx.card_identifier)
        found = self._card_columns.get(key)
        if found is None:
            found = tuple(card_columns(_payment_card_of(tx, self._cards)))
            self._card_columns[key] = found
        return found

    def row(self, account_id: str, tx: synth.Transaction) -> tuple[Any, ...]:
        assert tx.booking_date is not None  # only booked transactions reach here
        refs = _references(tx.references)
        if tx.fx_original_amount is not None or tx.fx_source_currency:
            fx: tuple[Any, ...] = (
                tx.fx_original_amount,
                tx.fx_source_currency,
                tx.fx_target_currency,
                tx.fx_unit_currency,
                tx.fx_exchange_rate,
            )
        else:
            fx = _NO_FX
        return (
            account_id,
            tx.transaction_id,
            tx.booking_date,
            tx.value_date,
            tx.registered,
            _text(tx.status),
            _text(tx.credit_debit_indicator),
            tx.reversal_indicator,
            tx.amount,
            tx.currency,
            tx.additional_info,
            tx.merchant,
            _text(tx.domain),
            _text(tx.family),
            _text(tx.sub_family),
            tx.free_text,
            refs,
            self._counter_parties(tx),
            *fx,
            *self._card(tx),
        )

    def sqlite_row(self, account_id: str, tx: synth.Transaction) -> tuple[Any, ...]:
        """``row`` as the SQLite driver's parameters (what the columns' bind processors make of it:
        UTC timestamp text, decimal text, 0/1), in one pass for ``loader.load_sqlite_file``.
        Enum members give their plain ``_value_`` string (``str()`` of a ``StrEnum`` copies it)."""
        stamp = self._stamp
        booking, value_date, registered = tx.booking_date, tx.value_date, tx.registered
        booked_at = stamp(booking)  # type: ignore[arg-type]  # only booked transactions reach here
        domain, family, sub_family = tx.domain, tx.family, tx.sub_family
        if tx.fx_original_amount is not None or tx.fx_source_currency:
            original, rate = tx.fx_original_amount, tx.fx_exchange_rate
            fx: tuple[Any, ...] = (
                str(original) if original is not None else None,
                tx.fx_source_currency,
                tx.fx_target_currency,
                tx.fx_unit_currency,
                str(rate) if rate is not None else None,
            )
        else:
            fx = _NO_FX
        return (
            account_id,
            tx.transaction_id,
            booked_at,
            booked_at if value_date is booking else stamp(value_date) if value_date is not None else None,
            booked_at if registered is booking else stamp(registered) if registered is not None else None,
            tx.status._value_,
            tx.credit_debit_indicator._value_,
            int(tx.reversal_indicator),
            str(tx.amount),
            tx.currency,
            tx.additional_info,
            tx.merchant,
            domain._value_ if domain is not None else None,
            family._value_ if family is not None else None,
            sub_family._value_ if sub_family is not None else None,
            tx.free_text,
            _references(tx.references),
            self._counter_parties(tx),
            *fx,
            *self._card(tx),
        )

    def sqlite_value_row(self, account_id: str, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """``sqlite_row`` of ``synth.Transaction(*values)`` straight from the generator's field tuple
        (``Population.statement_values``), without the object; counterparty and card columns,
        remembered per bank, build the object only the first time they are seen."""
        (
            _,
            _,
            amount,
            currency,
            indicator,
            status,
            registered,
            booking,
            value_date,
            domain,
            family,
            sub_family,
            free_text,
            info,
            reversal,
            references,
            *_,
            merchant,
            _,
            _,
            original,
            source,
            target,
            unit,
            rate,
            _,
        ) = values
        stamp = self._stamp
        booked_at = stamp(booking)
        parties = self._parties.get(values[16:22], False)
        if parties is False:
            parties = self._counter_parties(synth.Transaction(*values))
        card = self._card_columns.get(values[23:25])
        if card is None:
            card = self._card(synth.Transaction(*values))
        if original is not None or source:
            fx: tuple[Any, ...] = (
                str(original) if original is not None else None,
                source,
                target,
                unit,
                str(rate) if rate is not None else None,
            )
        else:
            fx = _NO_FX
        return (
            account_id,
            values[0],
            booked_at,
            booked_at if value_date is booking else stamp(value_date) if value_date is not None else None,
            booked_at if registered is booking else stamp(registered) if registered is not None else None,
            status._value_,
            indicator._value_,
            int(reversal),
            str(amount),
            currency,
            info,
            merchant,
            domain._value_ if domain is not None else None,
            family._value_ if family is not None else None,
            sub_family._value_ if sub_family is not None else None,
            free_text,
            _references(references),
            parties,
            *fx,
            *card,
        )


def _references(references: tuple[synth.TransactionReference, ...]) -> str | None:
    if not references:
        return None
    if len(references) == 1 and references[0].value.isascii() and references[0].value.isalnum():
        return f'[{{"value":"{references[0].value}","type":"{references[0].type}"}}]'  # no escaping needed
    return _encode(tuple(TransactionReference(value=r.value, type=r.type) for r in references)).decode()


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


def balance_columns(account: synth.Account, transactions: Iterable[synth.Transaction]) -> list[tuple[Any, ...]]:
    """``balance_rows`` as ``(account_id, day, amount)`` tuples (the bulk path)."""
    return [(row.account_id, row.day, row.amount) for row in balance_rows(account, transactions)]


def sqlite_balance_params(account: synth.Account, transactions: Iterable[synth.Transaction]) -> list[tuple[Any, ...]]:
    """``balance_columns`` as the SQLite driver's parameters: ``(account_id, 'YYYY-MM-DD', decimal text)``."""
    account_id = str(account.account_id)
    running = account.opening_balance
    by_day: dict[date, Decimal] = {account.balance_date: running}
    credit = synth.CreditOrDebit.CREDIT
    for tx in transactions:
        running += tx.amount if tx.credit_debit_indicator is credit else -tx.amount  # tx.signed_amount, inlined
        by_day[tx.booking_date.date()] = running  # type: ignore[union-attr]  # booked ones only
    return [(account_id, day.isoformat(), str(by_day[day])) for day in sorted(by_day)]


# Positions in a ``synth.Transaction`` field tuple (``Population.statement_values``).
_AMOUNT, _INDICATOR, _STATUS, _BOOKING, _INVALID = 2, 4, 5, 7, 30


def booked_values(values: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """``booked`` for field tuples."""
    return [v for v in values if v[_BOOKING] is not None and v[_INVALID] is None]


def statement_balances(account: synth.Account, values: Iterable[tuple[Any, ...]], today: date) -> list[synth.Balance]:
    """``synth.transactions.balances`` of the statement given as field tuples (summed in the same order)."""
    if not synth_transactions.has_balances(account):
        return []
    booked, pending = account.opening_balance, synth_transactions.ZERO
    credit, debit = synth.CreditOrDebit.CREDIT, synth.CreditOrDebit.DEBIT
    is_booked, is_pending = synth.TransactionStatus.BOOKED, synth.TransactionStatus.PENDING
    for v in values:
        status = v[_STATUS]
        if status is is_booked and v[_INVALID] is None and v[_BOOKING] is not None:
            booked += v[_AMOUNT] if v[_INDICATOR] is credit else -v[_AMOUNT]
        if status is is_pending and v[_INDICATOR] is debit:
            pending += v[_AMOUNT]
    return synth_transactions.balances_of(account, booked, pending, today)


def sqlite_balance_values(account: synth.Account, booked: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """``sqlite_balance_params`` of booked field tuples."""
    account_id = str(account.account_id)
    running = account.opening_balance
    by_day: dict[date, Decimal] = {account.balance_date: running}
    credit = synth.CreditOrDebit.CREDIT
    for v in booked:
        running += v[_AMOUNT] if v[_INDICATOR] is credit else -v[_AMOUNT]
        by_day[v[_BOOKING].date()] = running
    return [(account_id, day.isoformat(), str(by_day[day])) for day in sorted(by_day)]


def balance_rows(account: synth.Account, transactions: Iterable[synth.Transaction]) -> Iterator[BookedBalanceRow]:
    """The signed booked balance at the end of the opening day and of every day with bookings.

    ``opening_balance`` is the balance at the start of ``balance_date``, before any generated
    transaction (synth.model.Account), so each day adds its booked transactions to it.
    """
    account_id = str(account.account_id)
    running = account.opening_balance
    by_day: dict[date, Decimal] = {account.balance_date: running}
    for tx in transactions:
        assert tx.booking_date is not None  # only booked transactions reach here
        running += tx.signed_amount
        by_day[tx.booking_date.date()] = running
    for day in sorted(by_day):
        yield BookedBalanceRow(account_id=account_id, day=day, amount=by_day[day])
