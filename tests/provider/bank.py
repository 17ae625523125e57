"""A tiny seeded bank for the Control API tests, and the consumers that call it.

Today is 2026-01-15 (fixed clock, ``NOW``).  Parties and what each one is for:

* ANNE — Skatt/Politi/NAV subject: owns SALARY (7 transactions in 2025, one card, BERIT is a
  disponent) and SAVINGS.
* DAG — deceased 2025-12-01 (OED): owns ESTATE, whose transactions carry counterparty accounts,
  addresses and currency exchange (KF for OED).
* FIRMA — organisation under bankruptcy (Konkurs), ``kjennelsesdato`` 2025-11-03: owns BUSINESS.
* WARD — under guardianship by GUARDIAN (representasjonDagligbank, from 2024-06-01): owns WARD_MAIN,
  on which GUARDIAN is a disponent, and WARD_OTHER, on which GUARDIAN has no right.
* SKJERMET — shielded address: owns HIDDEN.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from opendsop.provider.store import (
    AccountRow,
    BookedBalanceRow,
    CardRow,
    PartyRow,
    RelationRole,
    RelationRow,
    TransactionRow,
)
from opendsop.standard import mandate
from opendsop.standard.control.v2 import (
    AccountPermissionType,
    AccountStatus,
    AccountType,
    AddressType,
    CardStatus,
    CardType,
    CounterParty,
    CounterPartyType,
    CreditOrDebit,
    CurrencyExchange,
    FinancialInstitution,
    Identifier,
    IdentifierType,
    PaymentCard,
    PostalAddress,
    Transaction,
    TransactionStatus,
)
from opendsop.standard.identifiers import generate_fodselsnummer, generate_orgnr
from opendsop.standard.request import Guardianship

NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
TODAY = date(2026, 1, 15)
BASE_URL = "https://bank.test/v2"
BANK_ORGNO = "910000001"
REFERENCE_SECRET = b"provider-tests-reference-secret!"
PAGING_KEY = b"provider-tests-paging-key-012345"
SCOPE = "bits:kontoinformasjon"

_rng = random.Random(2026)
ANNE = generate_fodselsnummer(_rng, date(1980, 5, 17))
BERIT = generate_fodselsnummer(_rng, date(1982, 3, 2))
DAG = generate_fodselsnummer(_rng, date(1940, 8, 9))
FIRMA = generate_orgnr(_rng)
WARD = generate_fodselsnummer(_rng, date(1935, 1, 20))
GUARDIAN = generate_fodselsnummer(_rng, date(1965, 11, 30))
SKJERMET = generate_fodselsnummer(_rng, date(1990, 6, 6))
STRANGER = generate_fodselsnummer(_rng, date(1970, 2, 2))

DEATH = date(2025, 12, 1)
RULING = date(2025, 11, 3)

SALARY, SAVINGS, ESTATE, BUSINESS, WARD_MAIN, WARD_OTHER, HIDDEN = (
    "acc-salary",
    "acc-savings",
    "acc-estate",
    "acc-business",
    "acc-ward-main",
    "acc-ward-other",
    "acc-hidden",
)
NUMBERS = {
    SALARY: "12000000001",
    SAVINGS: "12000000002",
    ESTATE: "12000000003",
    BUSINESS: "12000000004",
    WARD_MAIN: "12000000005",
    WARD_OTHER: "12000000006",
    HIDDEN: "12000000007",
}
SERVICER = FinancialInstitution(
    identifier=Identifier(country_of_residence="NO", value=BANK_ORGNO, type=IdentifierType.COUNTRY_IDENTIFICATION_CODE),
    name="Testbanken ASA",
)
SALARY_TRANSACTIONS = 7


@dataclass(frozen=True)
class Consumer:
    """A calling agency: its org number and the step-2 Legal-Mandate of its service."""

    service: str
    orgno: str
    mandate: mandate.Mandate


SKATT = Consumer("skatt", "974761076", mandate.SKATT)
POLITI = Consumer("politi", "915429785", mandate.POLITI_STRAFFESAK)
NAV = Consumer("nav", "889640782", mandate.NAV)
KONKURS = Consumer("konkurs", "974760673", mandate.KONKURS)
OED = Consumer("oed", "991825827", mandate.OED)
VERGE = Consumer("verge", "986186999", mandate.VERGE)
CONSUMERS = (SKATT, POLITI, NAV, KONKURS, OED, VERGE)


def parties() -> list[PartyRow]:
    names = {
        ANNE: "Anne Nordmann",
        BERIT: "Berit Disponent",
        DAG: "Dag Avdød",
        FIRMA: "Firma Konkurs AS",
        WARD: "Vera Vergehaver",
        GUARDIAN: "Geir Verge",
        SKJERMET: "Skjermet Person",
    }
    return [PartyRow(party_id=party, name=name) for party, name in names.items()]


def _account(account_id: str, type_: AccountType, start: date, **extra: Any) -> AccountRow:
    return AccountRow(
        account_id=account_id,
        account_number=NUMBERS[account_id],
        type=type_,
        currency="NOK",
        start_date=start,
        available_amount=Decimal("1500.00"),
        available_registered=NOW - timedelta(minutes=1),
        **extra,
    )


def accounts() -> list[AccountRow]:
    return [
        _account(SALARY, AccountType.SALARY_ACCOUNT, date(2015, 1, 1)),
        _account(SAVINGS, AccountType.SAVINGS_ACCOUNT, date(2018, 1, 1)),
        _account(ESTATE, AccountType.SALARY_ACCOUNT, date(2000, 1, 1)),
        _account(BUSINESS, AccountType.BUSINESS_ACCOUNT, date(2019, 1, 1), status=AccountStatus.DISABLED),
        _account(WARD_MAIN, AccountType.SALARY_ACCOUNT, date(2010, 1, 1)),
        _account(WARD_OTHER, AccountType.SAVINGS_ACCOUNT, date(2010, 1, 1)),
        _account(HIDDEN, AccountType.SALARY_ACCOUNT, date(2012, 1, 1)),
    ]


def relations() -> list[RelationRow]:
    owner, disponent = RelationRole.PRIMARY_OWNER, RelationRole.DISPONENT
    alone = AccountPermissionType.RIGHT_TO_USE_ALONE

    def rel(account: str, party: str, role: RelationRole, start: date) -> RelationRow:
        return RelationRow(account_id=account, party_id=party, role=role, start_date=start, permission=alone)

    return [
        rel(SALARY, ANNE, owner, date(2015, 1, 1)),
        rel(SALARY, BERIT, disponent, date(2020, 1, 1)),
        rel(SAVINGS, ANNE, owner, date(2018, 1, 1)),
        rel(ESTATE, DAG, owner, date(2000, 1, 1)),
        rel(BUSINESS, FIRMA, owner, date(2019, 1, 1)),
        rel(WARD_MAIN, WARD, owner, date(2010, 1, 1)),
        rel(WARD_MAIN, GUARDIAN, disponent, date(2024, 1, 1)),
        rel(WARD_OTHER, WARD, owner, date(2010, 1, 1)),
        rel(HIDDEN, SKJERMET, owner, date(2012, 1, 1)),
    ]


def balances() -> list[BookedBalanceRow]:
    return [
        BookedBalanceRow(account_id=account, day=date(2025, 12, 31), amount=Decimal("2500.00")) for account in NUMBERS
    ]


def card() -> PaymentCard:
    return PaymentCard(
        card_identifier="4925000012345678",
        holder_name="Anne Nordmann",
        start_date="2024-01",
        expiry_date="2027-12",
        card_issuer_name="Testbanken ASA",
        type=CardType.DEBIT_CARD,
        card_status=CardStatus.ACTIVE,
        version_number="1",
        card_issuer_identifier=Identifier(
            country_of_residence="NO", value=BANK_ORGNO, type=IdentifierType.COUNTRY_IDENTIFICATION_CODE
        ),
    )


def transaction(identifier: str, booked: datetime, *, rich: bool = False) -> Transaction:
    """A booked debit; ``rich`` adds counterparty account and address and a currency exchange."""
    counterparty = CounterParty(
        account_identifier="98760000001" if rich else None,
        name="Butikken AS",
        type=CounterPartyType.CREDITOR,
        identifier=Identifier(
            country_of_residence="NO", value="910000003", type=IdentifierType.COUNTRY_IDENTIFICATION_CODE
        ),
        postal_address=PostalAddress(
            post_code="0150", type=AddressType.BUSINESS, street_name="Storgata", town_name="Oslo", country="NO"
        )
        if rich
        else None,
    )
    exchange = (
        CurrencyExchange(
            original_amount=Decimal("10.50"),
            source_currency="EUR",
            target_currency="NOK",
            exchange_rate=Decimal("11.5"),
        )
        if rich
        else None
    )
    return Transaction(
        transaction_identifier=identifier,
        credit_debit_indicator=CreditOrDebit.DEBIT,
        status=TransactionStatus.BOOKED,
        booking_date=booked,
        value_date=booked,
        counter_parties=(counterparty,),
        currency_exchange=exchange,
        additional_info="Varekjøp",
        amount=Decimal("120.75"),
        currency="NOK",
    )


def transactions() -> list[TransactionRow]:
    rows = [
        TransactionRow(
            account_id=SALARY, transaction=transaction(f"s-{index}", datetime(2025, 2 + index, 10, 12, tzinfo=UTC))
        )
        for index in range(SALARY_TRANSACTIONS)
    ]
    rows += [
        TransactionRow(account_id=ESTATE, transaction=transaction(f"e-{index}", booked, rich=True))
        for index, booked in enumerate((datetime(2025, 10, 15, 9, tzinfo=UTC), datetime(2025, 11, 20, 9, tzinfo=UTC)))
    ]
    rows += [
        TransactionRow(
            account_id=account, transaction=transaction(f"{account}-1", datetime(2025, 11, 20, 9, tzinfo=UTC))
        )
        for account in (BUSINESS, WARD_MAIN, HIDDEN)
    ]
    return rows


def cards() -> list[CardRow]:
    return [CardRow(account_id=SALARY, card_id="c1", card=card(), holder_party_id=ANNE)]


def guardianships() -> tuple[Guardianship, ...]:
    return (Guardianship(ward=WARD, guardian=GUARDIAN, valid_from=date(2024, 6, 1)),)
