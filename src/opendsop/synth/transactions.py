# SPDX-License-Identifier: Apache-2.0
"""Transactions that look like life, generated lazily per account, and balances that agree.

Decides (DSOP “Data model” BankTransactionCode / CounterParty / CurrencyExchange /
PaymentCard, DSOP “Endpoint Account details V.2.0”; DSOP “Endpoint Transactions V.2.0”):

* One account's statement is generated on demand from two sources: the **links** it takes part
  in (salary, rent, transfers…: each link's events come from the link's own seeded stream, so the
  debit and its mirror credit on the other account — possibly at another bank — have the same
  amount, date and ``endToEndIdentification``), and its **own** events from the account's seeded
  stream (card purchases with merchant and masked card, cash withdrawals, AvtaleGiro bills,
  foreign purchases with a currency exchange, reversals, fees, interest, invoices, pensions and
  benefits from NAV for adults without an employer, withholding tax paid to Skatteetaten).
  Nothing is held for the whole world: large presets stream.
* Times are UTC (``Z``, one of the two forms DSOP “Data model” allows; PostgreSQL and the bulk loaders handle
  it fastest).  A card purchase is registered when made and booked the next morning; one whose
  booking day is after ``today`` is ``pending`` and has no booking or value date.  Everything
  else is ``booked``.
* Amounts are ≥ 0 in the account's currency with the sign in ``credit_debit_indicator``.
* Balances (DSOP “Endpoint Account details V.2.0”): ``bookedBalance`` = opening balance + Σ credits − Σ debits of booked
  transactions; ``availableBalance`` subtracts pending debits and adds the credit line when it is
  included (credit-card accounts).  ``accountWithoutBalance`` and closed accounts have none.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from random import Random
from typing import Any, Literal

from opendsop.synth._context import derive
from opendsop.synth.model import (
    Account,
    AccountType,
    Address,
    Balance,
    CounterPartyType,
    CreditOrDebit,
    DomainType,
    FamilyType,
    IdentifierType,
    Link,
    SubFamilyType,
    Transaction,
    TransactionReference,
    TransactionStatus,
)
from opendsop.synth.model import TransactionReferenceType as Ref

ZONE = UTC  # the zone every generated time carries
CREDIT, DEBIT = CreditOrDebit.CREDIT, CreditOrDebit.DEBIT
BOOKED, PENDING = TransactionStatus.BOOKED, TransactionStatus.PENDING
PERSON_ID = IdentifierType.NATIONAL_IDENTITY_NUMBER
ORG_ID = IdentifierType.COUNTRY_IDENTIFICATION_CODE
SKATTEETATEN = ("974761076", "Skatteetaten")  # the real agency, as the payee of withholding tax
NAV = ("889640782", "Arbeids- og velferdsetaten")  # the real agency, as the payer of pensions and benefits
NOK_PER_UNIT = {"EUR": 1150, "USD": 1060, "SEK": 100, "GBP": 1340, "DKK": 154}  # øre per unit
ZERO = Decimal("0.00")
T = AccountType

# (domain, family, subFamily, freeText) per kind of event; the freeText examples are the
# standard's own (Nettgiro, Varekjøp, Visa Varekjøp, Avtalegiro, Straksutbetaling …).
P, AM, FX = DomainType.PAYMENTS, DomainType.ACCOUNT_MANAGEMENT, DomainType.FOREIGN_EXCHANGE
F, S = FamilyType, SubFamilyType
CODES: dict[str, tuple[DomainType, FamilyType, SubFamilyType, str]] = {
    "salary-": (P, F.ISSUED_CREDIT_TRANSFERS, S.ACH_TRANSACTION_SALA, "Lønn"),
    "salary+": (P, F.RECEIVED_CREDIT_TRANSFERS, S.ACH_TRANSACTION_SALA, "Lønn"),
    "tax-": (P, F.ISSUED_CREDIT_TRANSFERS, S.TAXES, "Skattetrekk"),
    "tax+": (P, F.RECEIVED_CREDIT_TRANSFERS, S.TAXES, "Skattetrekk"),
    "rent-": (P, F.ISSUED_CREDIT_TRANSFERS, S.STANDING_ORDER, "Husleie"),
    "rent+": (P, F.RECEIVED_CREDIT_TRANSFERS, S.STANDING_ORDER, "Husleie"),
    "transfer-": (P, F.ISSUED_CREDIT_TRANSFERS, S.DOMESTIC_CREDIT_TRANSFER, "Straksbetaling"),
    "transfer+": (P, F.RECEIVED_CREDIT_TRANSFERS, S.DOMESTIC_CREDIT_TRANSFER, "Straksbetaling"),
    "savings-": (P, F.ISSUED_CREDIT_TRANSFERS, S.STANDING_ORDER, "Fast overføring"),
    "savings+": (P, F.RECEIVED_CREDIT_TRANSFERS, S.STANDING_ORDER, "Fast overføring"),
    "loan-": (P, F.ISSUED_CREDIT_TRANSFERS, S.STANDING_ORDER, "Terminbeløp lån"),
    "loan+": (P, F.RECEIVED_CREDIT_TRANSFERS, S.PRINCIPAL_PAYMENT, "Terminbeløp lån"),
    "card-": (P, F.ISSUED_CREDIT_TRANSFERS, S.AUTOMATIC_TRANSFER, "Kortregning"),
    "card+": (P, F.RECEIVED_CREDIT_TRANSFERS, S.CREDIT_CARD_PAYMENT, "Kortregning"),
    "fx-": (FX, F.OTHER, S.OTHER, "Valutakjøp"),
    "fx+": (FX, F.OTHER, S.OTHER, "Valutakjøp"),
    "allowance-": (P, F.ISSUED_CREDIT_TRANSFERS, S.STANDING_ORDER, "Ukepenger"),
    "allowance+": (P, F.RECEIVED_CREDIT_TRANSFERS, S.STANDING_ORDER, "Ukepenger"),
    "client-": (P, F.ISSUED_CREDIT_TRANSFERS, S.INTRA_COMPANY_TRANSFER, "Klientmidler"),
    "client+": (P, F.RECEIVED_CREDIT_TRANSFERS, S.INTRA_COMPANY_TRANSFER, "Klientmidler"),
    "debitcard": (P, F.CUSTOMER_CARD_TRANSACTIONS, S.POINT_OF_SALE_POS_PAYMENT, "Visa Varekjøp"),
    "creditcard": (P, F.CUSTOMER_CARD_TRANSACTIONS, S.CREDIT_CARD_PAYMENT, "Varekjøp kredittkort"),
    "cash": (P, F.CUSTOMER_CARD_TRANSACTIONS, S.CASH_WITHDRAWAL, "Minibank"),
    "bill": (P, F.ISSUED_DIRECT_DEBITS, S.DIRECT_DEBIT_PAYMENT, "Avtalegiro"),
    "invoice+": (P, F.RECEIVED_CREDIT_TRANSFERS, S.CREDIT_TRANSFER_WITH_AGREED_COMMERCIAL_INFORMATION, "Innbetaling"),
    "invoice-": (P, F.ISSUED_CREDIT_TRANSFERS, S.DOMESTIC_CREDIT_TRANSFER, "Nettgiro"),
    "taxpay": (P, F.ISSUED_CREDIT_TRANSFERS, S.TAXES, "Forskuddstrekk"),
    "pension": (P, F.RECEIVED_CREDIT_TRANSFERS, S.DOMESTIC_CREDIT_TRANSFER, "Pensjon"),
    "benefit": (P, F.RECEIVED_CREDIT_TRANSFERS, S.DOMESTIC_CREDIT_TRANSFER, "Trygd"),
    "fee": (AM, F.MISCELLANEOUS_DEBIT_OPERATIONS, S.FEES, "Gebyr"),
    "interest+": (AM, F.ADDITIONAL_MISCELLANEOUS_CREDIT_OPERATIONS, S.INTERESTS_GENERIC, "Renter"),
    "interest-": (AM, F.ADDITIONAL_MISCELLANEOUS_DEBIT_OPERATIONS, S.INTERESTS_GENERIC, "Renter"),
}
PURCHASE_RANGES = {  # NOK per category: (low, high)
    "groceries": (30, 900),
    "fuel": (300, 1100),
    "restaurant": (60, 700),
    "pharmacy": (40, 500),
    "clothing": (150, 1800),
    "electronics": (200, 5000),
    "transport": (40, 600),
    "online": (80, 2000),
}


_MONEY: dict[int, Decimal] = {}
_MONEY_LIMIT = 200_000  # distinct amounts remembered (Decimals are immutable, so sharing one is safe)


def _money(cents: int) -> Decimal:
    """``cents`` øre as NOK with 2 decimals; amounts repeat, and a lookup is ~10× cheaper than the Decimal."""
    found = _MONEY.get(cents)
    if found is None:
        if len(_MONEY) >= _MONEY_LIMIT:
            _MONEY.clear()
        found = _MONEY[cents] = Decimal(cents).scaleb(-2)
    return found


def _at(day: date, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=ZONE)


def months(start: date, end: date) -> Iterator[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _day_in(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def link_events(link: Link, seed: int) -> list[tuple[datetime, int, int, str]]:
    """(time, amount in øre of the source, amount in øre of the target, endToEndIdentification)."""
    rng = derive(seed, "link", link.link_id)
    out: list[tuple[datetime, int, int, str]] = []
    kind, base = link.kind, link.amount_cents
    for year, month in months(link.start, link.end):
        if kind == "transfer":
            days = [rng.randint(1, 28) for _ in range(rng.choice((0, 1, 1, 2)))]
        elif kind == "fx":
            days = [rng.randint(1, 28)] if rng.random() < 0.3 else []
        elif kind == "client":
            days = [link.day_of_month] if month % 3 == 1 else []
        else:
            days = [link.day_of_month]
        for day_number in days:
            day = _day_in(year, month, day_number)
            if not link.start <= day <= link.end:
                continue
            if kind in ("salary", "card"):
                amount = base + rng.randint(-base // 30, base // 30) // 100 * 100
            elif kind == "transfer":
                amount = max(1000, base * rng.randint(3, 20) // 1000 * 100)
            else:
                amount = base
            when = _at(day, 6 if kind == "salary" else rng.randint(7, 21), rng.randint(0, 59), rng.randint(0, 59))
            out.append((when, amount, amount, f"E2E{link.link_id}N{len(out)}"))
    return out


def fx_target_amount(currency: str, nok_cents: int, rng_rate: int) -> tuple[int, Decimal]:
    """(øre of the foreign amount, rate in NOK per unit) for a purchase of ``currency``."""
    rate_cents = NOK_PER_UNIT[currency] * rng_rate // 1000
    return nok_cents * 100 // rate_cents, _money(rate_cents)


class Counterparty:
    """What one account's statement shows about the other side of a payment."""

    __slots__ = ("account", "address", "id", "id_type", "name")

    def __init__(
        self,
        account: str | None,
        id_: str | None,
        id_type: IdentifierType | None,
        name: str | None,
        address: Address | None,
    ) -> None:
        self.account, self.id, self.id_type, self.name, self.address = account, id_, id_type, name, address

    def values(self, indicator: CreditOrDebit) -> tuple[Any, ...]:
        """The six counterparty columns of a ``Transaction``, in field order."""
        kind = CounterPartyType.DEBTOR if indicator is CREDIT else CounterPartyType.CREDITOR
        return (kind, self.account, self.id, self.id_type, self.name, self.address)


def booked_balance(account: Account, transactions: list[Transaction], on: date | None = None) -> Decimal:
    """Opening balance + credits − debits of the booked transactions booked on or before ``on``."""
    total = account.opening_balance
    for tx in transactions:
        if (
            tx.status is BOOKED
            and tx.invalid_reason is None
            and tx.booking_date is not None
            and (on is None or tx.booking_date.date() <= on)
        ):
            total += tx.amount if tx.credit_debit_indicator is CREDIT else -tx.amount
    return total


def balances(account: Account, transactions: list[Transaction], today: date) -> list[Balance]:
    """The booked and available balance at the end of ``today`` (none for accounts without one)."""
    if not has_balances(account):
        return []
    booked = booked_balance(account, transactions)
    pending = sum(
        (tx.amount for tx in transactions if tx.status is PENDING and tx.credit_debit_indicator is DEBIT), ZERO
    )
    return balances_of(account, booked, pending, today)


def has_balances(account: Account) -> bool:
    return account.type is not T.ACCOUNT_WITHOUT_BALANCE and account.closed is None


def balances_of(account: Account, booked: Decimal, pending: Decimal, today: date) -> list[Balance]:
    """``balances`` from the booked balance and the pending debits (for callers that summed them)."""
    included = account.credit_limit is not None
    available = booked - pending + (account.credit_limit or ZERO)
    registered = _at(today, 23, 59, 59)
    out = []
    kinds: tuple[tuple[Literal["bookedBalance", "availableBalance"], Decimal], ...] = (
        ("bookedBalance", booked),
        ("availableBalance", available),
    )
    for kind, value in kinds:
        out.append(
            Balance(
                kontonr=account.kontonr,
                type=kind,
                amount=abs(value),
                credit_debit_indicator=CREDIT if value >= 0 else DEBIT,
                registered=registered,
                currency=account.currency,
                credit_line_included=included and kind == "availableBalance",
                credit_line_amount=account.credit_limit,
                credit_line_currency=account.currency if included else None,
            )
        )
    return out


def reference(kind: Ref, value: str) -> TransactionReference:
    return TransactionReference(kind, value)


def make_rng(seed: int, account: Account) -> Random:
    return derive(seed, "account", account.account_id)


__all__ = [
    "CODES",
    "ZONE",
    "Counterparty",
    "balances",
    "balances_of",
    "booked_balance",
    "has_balances",
    "link_events",
    "months",
]
