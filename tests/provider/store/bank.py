"""A small, hand-made bank for the store contract suite: every rule of DSOP “Data model” has a row here.

Today is 2025-06-15 (the fixed clock).  Parties and what each one demonstrates:

* ALICE — primary owner of SALARY (open), LOAN, CLOSED (closed 2024-03-31), MANUAL (served
  manually); owned SAVINGS until 2022-12-31; secondary owner of JOINT.
* BOB — disponent on SALARY 2023-01-01..2024-06-30; owns SAVINGS from 2023-01-01; primary owner of
  JOINT.
* GUARANTOR — only a guarantor (kausjonist) on LOAN.
* COBORROWER — co-borrower (medlåntaker) on LOAN.
* COMPANY — an organisation (9-digit id) owning BUSINESS.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from opendsop.provider.store import (
    AccountRow,
    BookedBalanceRow,
    CardRow,
    Delivery,
    PartyRow,
    RelationRole,
    RelationRow,
    TransactionRow,
)
from opendsop.standard.control.v2 import (
    AccountPermissionType,
    AccountStatus,
    AccountType,
    AddressType,
    BankTransactionCode,
    CardStatus,
    CardType,
    CounterParty,
    CounterPartyType,
    CreditOrDebit,
    CurrencyExchange,
    DomainType,
    FamilyType,
    FinancialInstitution,
    Identifier,
    IdentifierType,
    PaymentCard,
    PostalAddress,
    SubFamilyType,
    Transaction,
    TransactionReference,
    TransactionReferenceType,
    TransactionStatus,
)

NOW = datetime(2025, 6, 15, 10, 0, tzinfo=UTC)
TODAY = date(2025, 6, 15)
SECRET = b"bank-reference-secret-0123456789"
BANK = FinancialInstitution(
    identifier=Identifier(
        country_of_residence="NO", value="910000001", type=IdentifierType.COUNTRY_IDENTIFICATION_CODE
    ),
    name="Testbanken ASA",
)
SKATT = "974761076"
POLITI = "915429785"
CASE = "7b0b2a7e-8f58-4a61-9a2c-3a54f1c0d001"
OTHER_CASE = "7b0b2a7e-8f58-4a61-9a2c-3a54f1c0d002"

ALICE, BOB, GUARANTOR, COBORROWER, COMPANY = "01017012345", "02027023456", "03037034567", "04047045678", "910000099"

SALARY, SAVINGS, LOAN, CLOSED, JOINT, MANUAL, BUSINESS = (
    "acc-salary",
    "acc-savings",
    "acc-loan",
    "acc-closed",
    "acc-joint",
    "acc-manual",
    "acc-business",
)
NUMBERS = {
    SALARY: "12000000001",
    SAVINGS: "12000000002",
    LOAN: "12000000003",
    CLOSED: "12000000004",
    JOINT: "12000000005",
    MANUAL: "12000000006",
    BUSINESS: "12000000007",
}

FULL_CARD = "4925000012345678"
ALONE = AccountPermissionType.RIGHT_TO_USE_ALONE


def parties() -> list[PartyRow]:
    return [
        PartyRow(party_id=ALICE, name="Alice Nordmann"),
        PartyRow(party_id=BOB, name="Bob Nordmann"),
        PartyRow(party_id=GUARANTOR, name="Gunnar Garantist"),
        PartyRow(party_id=COBORROWER, name="Cecilie Med"),
        PartyRow(party_id=COMPANY, name="Firma AS"),
    ]


def _account(account_id: str, type_: AccountType, start: date, end: date | None = None, **extra: object) -> AccountRow:
    return AccountRow(
        account_id=account_id,
        account_number=NUMBERS[account_id],
        type=type_,
        currency="NOK",
        start_date=start,
        end_date=end,
        **extra,
    )  # type: ignore[arg-type]


def accounts() -> list[AccountRow]:
    return [
        _account(
            SALARY,
            AccountType.SALARY_ACCOUNT,
            date(2015, 1, 1),
            available_amount=Decimal("3000.00"),
            available_registered=NOW - timedelta(minutes=5),
            credit_line_amount=Decimal("1000"),
            credit_line_currency="NOK",
        ),
        _account(SAVINGS, AccountType.SAVINGS_ACCOUNT, date(2018, 1, 1), available_amount=Decimal("10")),
        _account(LOAN, AccountType.LOAN_ACCOUNT, date(2021, 1, 1), available_amount=Decimal("-150000")),
        _account(CLOSED, AccountType.SAVINGS_ACCOUNT, date(2019, 1, 1), date(2024, 3, 31)),
        _account(JOINT, AccountType.SALARY_ACCOUNT, date(2020, 1, 1)),
        _account(MANUAL, AccountType.OTHER_ACCOUNT, date(2020, 1, 1), delivery=Delivery.MANUAL),
        _account(
            BUSINESS,
            AccountType.BUSINESS_ACCOUNT,
            date(2020, 1, 1),
            servicer_id="910000002",
            servicer_name="Samarbeidsbanken",
        ),
    ]


def _rel(
    account: str,
    party: str,
    role: RelationRole,
    start: date,
    end: date | None = None,
    permission: AccountPermissionType | None = ALONE,
) -> RelationRow:
    return RelationRow(
        account_id=account, party_id=party, role=role, start_date=start, end_date=end, permission=permission
    )


def relations() -> list[RelationRow]:
    owner, second, disp = RelationRole.PRIMARY_OWNER, RelationRole.SECONDARY_OWNER, RelationRole.DISPONENT
    return [
        _rel(SALARY, ALICE, owner, date(2015, 1, 1)),
        _rel(SALARY, BOB, disp, date(2023, 1, 1), date(2024, 6, 30), AccountPermissionType.RIGHT_TO_USE_WITH_OTHER),
        _rel(SAVINGS, ALICE, owner, date(2018, 1, 1), date(2022, 12, 31)),
        _rel(SAVINGS, BOB, owner, date(2023, 1, 1)),
        _rel(LOAN, ALICE, owner, date(2021, 1, 1)),
        _rel(LOAN, COBORROWER, RelationRole.CO_BORROWER, date(2021, 1, 1), permission=None),
        _rel(LOAN, GUARANTOR, RelationRole.GUARANTOR, date(2021, 1, 1), permission=None),
        _rel(CLOSED, ALICE, owner, date(2019, 1, 1), date(2024, 3, 31)),
        _rel(JOINT, BOB, owner, date(2020, 1, 1)),
        _rel(JOINT, ALICE, second, date(2020, 1, 1), permission=AccountPermissionType.RIGHT_TO_USE_WITH_OTHER),
        _rel(MANUAL, ALICE, owner, date(2020, 1, 1)),
        _rel(BUSINESS, COMPANY, owner, date(2020, 1, 1)),
    ]


# Booked balances of SALARY: one per month end, signed; value = month number * 100 (debit in 2023).
def balances() -> list[BookedBalanceRow]:
    rows = []
    for year in (2023, 2024, 2025):
        for month in range(1, 13):
            day = date(year, month, 28)
            if day > TODAY:
                break
            sign = -1 if year == 2023 else 1
            rows.append(BookedBalanceRow(account_id=SALARY, day=day, amount=Decimal(sign * month * 100)))
    rows.append(BookedBalanceRow(account_id=SALARY, day=TODAY, amount=Decimal("3500.50")))
    rows.append(BookedBalanceRow(account_id=CLOSED, day=date(2024, 3, 1), amount=Decimal("77")))
    return rows


def card(number: str = FULL_CARD, *, start: str = "2023-01", expiry: str = "2026-12") -> PaymentCard:
    return PaymentCard(
        card_identifier=number,
        holder_name="Alice Nordmann",
        start_date=start,
        expiry_date=expiry,
        card_issuer_name="Testbanken ASA",
        type=CardType.DEBIT_CARD,
        card_status=CardStatus.ACTIVE,
        version_number="2",
        card_issuer_identifier=Identifier(
            country_of_residence="NO", value="910000001", type=IdentifierType.COUNTRY_IDENTIFICATION_CODE
        ),
    )


def cards() -> list[CardRow]:
    return [
        CardRow(account_id=SALARY, card_id="c1", card=card(), holder_party_id=ALICE),
        CardRow(account_id=SALARY, card_id="c2", card=card("5555 4444 3333 2222", start="2018-01", expiry="2020-12")),
        CardRow(
            account_id=SALARY,
            card_id="c3",
            card=card("4111111111111111"),
            linked_from=date(2024, 1, 1),
            linked_to=date(2024, 1, 31),
        ),
    ]


def full_transaction(identifier: str, booked: datetime) -> Transaction:
    """A transaction with every v2 field set."""
    return Transaction(
        transaction_identifier=identifier,
        references=(
            TransactionReference(value="REF-1", type=TransactionReferenceType.ARCHIVE_REFERENCE),
            TransactionReference(value="E2E-9", type=TransactionReferenceType.END_TO_END_IDENTIFICATION),
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
        booking_date=booked,
        value_date=booked + timedelta(days=1),
        counter_parties=(
            CounterParty(
                account_identifier="98760000001",
                name="Butikken AS",
                type=CounterPartyType.CREDITOR,
                identifier=Identifier(
                    country_of_residence="NO", value="910000003", type=IdentifierType.COUNTRY_IDENTIFICATION_CODE
                ),
                postal_address=PostalAddress(
                    post_code="0150",
                    type=AddressType.BUSINESS,
                    street_name="Storgata",
                    building_number="1",
                    town_name="Oslo",
                    country="NO",
                    address_lines=("Storgata 1", "0150 Oslo"),
                ),
            ),
        ),
        additional_info="Kortkjøp Butikken",
        currency_exchange=CurrencyExchange(
            original_amount=Decimal("10.50"),
            source_currency="EUR",
            target_currency="NOK",
            unit_currency="EUR",
            exchange_rate=Decimal("11.7234567891"),
        ),
        merchant="Butikken Storgata",
        payment_card=card(),
        registered=booked - timedelta(hours=2),
        amount=Decimal("123.0900"),
        currency="NOK",
    )


def simple_transaction(identifier: str, booked: datetime, amount: str = "10") -> Transaction:
    return Transaction(
        transaction_identifier=identifier,
        credit_debit_indicator=CreditOrDebit.CREDIT,
        status=TransactionStatus.BOOKED,
        booking_date=booked,
        value_date=booked,
        amount=Decimal(amount),
        currency="NOK",
    )


# SALARY transactions: 3 per booking instant on 8 instants (ties), in 2024; one full one.
TIE_INSTANTS = [datetime(2024, 2, day, 12, 0, tzinfo=UTC) for day in range(1, 9)]
FULL_ID = "tx-full"
FULL_BOOKED = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)


def transactions() -> list[TransactionRow]:
    rows = [TransactionRow(account_id=SALARY, transaction=full_transaction(FULL_ID, FULL_BOOKED))]
    for index, instant in enumerate(TIE_INSTANTS):
        for suffix in ("b", "a", "c"):  # inserted out of order on purpose
            rows.append(
                TransactionRow(account_id=SALARY, transaction=simple_transaction(f"tx-{index:02d}-{suffix}", instant))
            )
    # 2024-12-31 23:30 UTC is 2025-01-01 00:30 in Oslo: it belongs to the Norwegian day 2025-01-01.
    new_year = datetime(2024, 12, 31, 23, 30, tzinfo=UTC)
    rows.append(TransactionRow(account_id=SALARY, transaction=simple_transaction("tx-newyear", new_year)))
    rows.append(
        TransactionRow(
            account_id=SALARY, transaction=simple_transaction("tx-old", datetime(2016, 5, 5, 8, 0, tzinfo=UTC))
        )
    )
    return rows


def load_kwargs() -> dict[str, object]:
    return {
        "parties": parties(),
        "accounts": accounts(),
        "relations": relations(),
        "balances": balances(),
        "cards": cards(),
        "transactions": transactions(),
    }


ACCOUNT_STATUS_AFTER_KONKURS = AccountStatus.DISABLED
