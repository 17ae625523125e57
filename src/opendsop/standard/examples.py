"""Realistic, deterministic example bodies for the Control API v2, for docs, tests and benchmarks.

Built from a ``random.Random`` so every run with the same seed is identical; the numbers are
synthetic (Tenor month + 80 for persons), never a real person's.  The synthetic-Norway generator
(``opendsop.synth``) produces whole populations; this module only shapes single responses.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from random import Random

from opendsop.standard.control.v2 import (
    Account,
    AccountDetail,
    AccountDetails,
    AccountRole,
    Accounts,
    Balance,
    BankTransactionCode,
    CounterParty,
    CurrencyExchange,
    FinancialInstitution,
    Identifier,
    Link,
    PaymentCard,
    PostalAddress,
    ResponseDetails,
    Transaction,
    TransactionReference,
    Transactions,
)
from opendsop.standard.control.v2.codes import DomainType, FamilyType, SubFamilyType
from opendsop.standard.control.v2.values import (
    AccountPermissionType,
    AccountStatus,
    AccountType,
    AddressType,
    BalanceType,
    CardStatus,
    CardType,
    CounterPartyType,
    CreditOrDebit,
    IdentifierType,
    ResponseStatus,
    TransactionReferenceType,
    TransactionStatus,
)
from opendsop.standard.identifiers import generate_fodselsnummer, generate_kontonr, generate_orgnr

BANK = FinancialInstitution(
    identifier=Identifier(
        country_of_residence="NO", value="984851006", type=IdentifierType.COUNTRY_IDENTIFICATION_CODE
    ),
    name="DNB Bank ASA",
)
_MERCHANTS = (
    "REMA 1000 GRUNERLOKKA",
    "KIWI 512 TORSHOV",
    "VINMONOPOLET OSLO S",
    "NARVESEN JERNBANETORGET",
    "CIRCLE K MAJORSTUEN",
    "COOP EXTRA SAGENE",
    "APOTEK 1 STORO",
)
_STREETS = ("Storgata", "Kirkeveien", "Bogstadveien", "Thorvald Meyers gate", "Trondheimsveien")
_TOWNS = (("0182", "OSLO"), ("5003", "BERGEN"), ("7010", "TRONDHEIM"), ("4006", "STAVANGER"))


def _owner(rng: Random, today: date) -> AccountRole:
    birth = date(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28))
    return AccountRole(
        permission=AccountPermissionType.RIGHT_TO_USE_ALONE,
        identifier=Identifier(
            country_of_residence="NO",
            value=generate_fodselsnummer(rng, birth, synthetic=True),
            type=IdentifierType.NATIONAL_IDENTITY_NUMBER,
        ),
        name="Kari Nordmann",
        start_date=today - timedelta(days=rng.randint(400, 4000)),
    )


def accounts_page(rng: Random, today: date, *, count: int = 3) -> Accounts:
    owner = _owner(rng, today)
    accounts = tuple(
        Account(
            status=AccountStatus.ENABLED,
            servicer=BANK,
            account_identifier=generate_kontonr(rng, "1503"),
            account_reference=f"ref-{rng.getrandbits(64):016x}",
            type=rng.choice(list(AccountType)),
            currency="NOK",
            primary_owner=owner,
            name="Brukskonto",
        )
        for _ in range(count)
    )
    return Accounts(response_details=ResponseDetails(status=ResponseStatus.COMPLETE), accounts=accounts)


def account_details(rng: Random, today: date) -> AccountDetails:
    registered = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    booked = Decimal(rng.randint(0, 5_000_000)) / 100
    return AccountDetails(
        response_details=ResponseDetails(status=ResponseStatus.COMPLETE),
        account=AccountDetail(
            status=AccountStatus.ENABLED,
            servicer=BANK,
            account_identifier=generate_kontonr(rng, "1503"),
            account_reference=f"ref-{rng.getrandbits(64):016x}",
            type=AccountType.SALARY_ACCOUNT,
            currency="NOK",
            name="Brukskonto",
            primary_owner=_owner(rng, today),
            start_date=today - timedelta(days=2000),
            balances=(
                Balance(
                    credit_line_included=False,
                    amount=booked,
                    credit_debit_indicator=CreditOrDebit.CREDIT,
                    registered=registered,
                    type=BalanceType.BOOKED_BALANCE,
                    currency="NOK",
                ),
                Balance(
                    credit_line_included=False,
                    amount=booked,
                    credit_debit_indicator=CreditOrDebit.CREDIT,
                    registered=registered,
                    type=BalanceType.AVAILABLE_BALANCE,
                    currency="NOK",
                ),
            ),
        ),
    )


def _counterparty(rng: Random) -> CounterParty:
    post_code, town = rng.choice(_TOWNS)
    return CounterParty(
        account_identifier=generate_kontonr(rng, "8601"),
        identifier=Identifier(
            country_of_residence="NO",
            value=generate_orgnr(rng, synthetic=True),
            type=IdentifierType.COUNTRY_IDENTIFICATION_CODE,
        ),
        name="Eiendom AS",
        type=CounterPartyType.CREDITOR,
        postal_address=PostalAddress(
            post_code=post_code,
            type=AddressType.BUSINESS,
            street_name=rng.choice(_STREETS),
            building_number=str(rng.randint(1, 120)),
            town_name=town,
            country="NO",
        ),
    )


def transaction(rng: Random, index: int, booked_at: datetime) -> Transaction:
    card = rng.random() < 0.5
    foreign = rng.random() < 0.1
    amount = Decimal(rng.randint(100, 2_000_000)) / 100
    return Transaction(
        transaction_identifier=f"TX{index:012d}",
        references=(
            TransactionReference(value=f"{rng.getrandbits(40):012d}", type=TransactionReferenceType.ARCHIVE_REFERENCE),
        ),
        credit_debit_indicator=CreditOrDebit.DEBIT,
        reversal_indicator=False,
        status=TransactionStatus.BOOKED,
        transaction_code=BankTransactionCode(
            domain=DomainType.PAYMENTS,
            family=FamilyType.CUSTOMER_CARD_TRANSACTIONS,
            sub_family=SubFamilyType.POINT_OF_SALE_POS_PAYMENT,
            free_text="Varekjøp",
        ),
        booking_date=booked_at,
        value_date=booked_at,
        counter_parties=None if card else (_counterparty(rng),),
        additional_info="Varekjøp" if card else "Husleie",
        currency_exchange=CurrencyExchange(
            original_amount=amount,
            source_currency="EUR",
            target_currency="NOK",
            unit_currency="EUR",
            exchange_rate=Decimal("11.6523"),
        )
        if foreign
        else None,
        merchant=rng.choice(_MERCHANTS) if card else None,
        payment_card=PaymentCard(
            card_identifier="457123XXXXXX" + f"{rng.randint(0, 9999):04d}",
            holder_name="KARI NORDMANN",
            start_date="2023-01",
            expiry_date="2027-12",
            card_issuer_name="DNB Bank ASA",
            type=CardType.DEBIT_CARD,
            card_status=CardStatus.ACTIVE,
            version_number="1",
            card_issuer_identifier=Identifier(
                country_of_residence="NO", value="984851006", type=IdentifierType.COUNTRY_IDENTIFICATION_CODE
            ),
        )
        if card
        else None,
        registered=booked_at,
        amount=amount,
        currency="NOK",
    )


def transactions_page(rng: Random, today: date, *, count: int = 1000, next_href: str | None = None) -> Transactions:
    start = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    items = tuple(transaction(rng, index, start - timedelta(hours=7 * index)) for index in range(count))
    links = (Link(rel="next", href=next_href),) if next_href else None
    return Transactions(
        response_details=ResponseDetails(status=ResponseStatus.COMPLETE), transactions=items, links=links
    )


__all__ = ["BANK", "account_details", "accounts_page", "transaction", "transactions_page"]
