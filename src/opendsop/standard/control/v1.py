"""The DSOP Control API v1 wire models (Bank_v1.yaml, "Accounts API" v1.x).

v1 is no longer supported by the standard (DSOP “eOppslag”); these models exist so that a
consumer can read an old provider and so that migration code can name the differences
(DSOP “Change log” "Changes from v1.x to v2").  Decides which v1 schemas *are* the v2 ones and which differ:

* identical, re-used from :mod:`opendsop.standard.control.v2`: ``Identifier``, ``Balance``,
  ``BankTransactionCode``, ``CounterParty``, ``CurrencyExchange``, ``Link``, ``PostalAddress``,
  ``TransactionReference``, the error bodies and all enums except ``AccountType``;
* different, defined here:
  - ``AccountType`` has 10 values (no ``accountWithoutBalance``);
  - ``ElectronicAddress``/``ElectronicAddressType`` exist only in v1;
  - ``AccountRole`` also carries ``postalAddress`` and ``electronicAddresses``;
  - ``FinancialInstitution`` requires ``identifier``;
  - ``Account`` carries per-account ``links``;
  - ``PaymentCard`` has no ``cardStatus``/``versionNumber``;
  - the five response bodies carry an optional ``responseStatus`` string instead of the
    required ``responseDetails`` object;
  - ``Transaction`` and ``AccountDetail`` differ only through the types above.

``CardType`` lists ``creditCard, debitCard`` in v1 and ``debitCard, creditCard`` in v2: the
same set, so the v2 class serves both.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from opendsop.standard.control import v2
from opendsop.standard.control.v2 import (
    AccountNumber,
    AccountPermissionType,
    AccountReference,
    AccountStatus,
    AddressType,
    Amount,
    Balance,
    BalanceType,
    BankTransactionCode,
    CardNumber,
    CardType,
    CounterParty,
    CounterPartyType,
    CountryCode,
    CreditOrDebit,
    CurrencyCode,
    CurrencyExchange,
    DomainType,
    Error,
    FamilyType,
    Identifier,
    IdentifierType,
    ISODate,
    ISODateTime,
    ISOYearMonth,
    Link,
    PostalAddress,
    ResponseStatus,
    SubFamilyType,
    TransactionReference,
    TransactionReferenceType,
    TransactionStatus,
    TrueFalseIndicator,
)
from opendsop.standard.control.v2.values import Text70, Text140, Text500, Text2048
from opendsop.standard.wire import WireStruct, check_amount, check_aware


class AccountType(StrEnum):
    """The v1.1 account types: v2's list without ``accountWithoutBalance``."""

    LOAN_ACCOUNT = "loanAccount"
    SALARY_ACCOUNT = "salaryAccount"
    CURRENCY_ACCOUNT = "currencyAccount"
    SAVINGS_ACCOUNT = "savingsAccount"
    CLIENT_ACCOUNT = "clientAccount"
    TAX_DEDUCTION_ACCOUNT = "taxDeductionAccount"
    BUSINESS_ACCOUNT = "businessAccount"
    CREDIT_CARD_ACCOUNT = "creditCardAccount"
    PREPAID_CARD_ACCOUNT = "prepaidCardAccount"
    OTHER_ACCOUNT = "otherAccount"


class ElectronicAddressType(StrEnum):
    PHONE_NUMBER = "phoneNumber"
    EMAIL_ADDRESS = "emailAddress"


class ElectronicAddress(WireStruct, kw_only=True, frozen=True):
    type: ElectronicAddressType
    value: Text2048


class FinancialInstitution(WireStruct, kw_only=True, frozen=True):
    identifier: Identifier  # required in v1 only
    name: Text140 | None = None


class AccountRole(WireStruct, kw_only=True, frozen=True):
    permission: AccountPermissionType | None = None
    identifier: Identifier | None = None
    name: Text140 | None = None
    start_date: ISODate | None = None
    end_date: ISODate | None = None
    postal_address: PostalAddress | None = None
    electronic_addresses: tuple[ElectronicAddress, ...] | None = None


class Account(WireStruct, kw_only=True, frozen=True):
    status: AccountStatus | None = None
    servicer: FinancialInstitution | None = None
    links: tuple[Link, ...] | None = None  # per-account links: removed in v2
    account_identifier: AccountNumber
    account_reference: AccountReference
    type: AccountType | None = None
    currency: CurrencyCode | None = None
    primary_owner: AccountRole | None = None
    name: Text70 | None = None


class AccountDetail(WireStruct, kw_only=True, frozen=True):
    status: AccountStatus | None = None
    servicer: FinancialInstitution | None = None
    account_identifier: AccountNumber
    account_reference: AccountReference
    type: AccountType | None = None
    currency: CurrencyCode | None = None
    name: Text70 | None = None
    balances: tuple[Balance, ...] | None = None
    primary_owner: AccountRole | None = None
    start_date: ISODate | None = None
    end_date: ISODate | None = None


class PaymentCard(WireStruct, kw_only=True, frozen=True):
    card_identifier: CardNumber
    holder_name: Text140 | None = None
    start_date: ISOYearMonth | None = None
    expiry_date: ISOYearMonth | None = None
    card_issuer_name: Text140 | None = None
    type: CardType | None = None
    card_issuer_identifier: Identifier | None = None


class Transaction(WireStruct, kw_only=True, frozen=True):
    transaction_identifier: str
    references: tuple[TransactionReference, ...] | None = None
    credit_debit_indicator: CreditOrDebit | None = None
    reversal_indicator: TrueFalseIndicator | None = None
    status: TransactionStatus | None = None
    transaction_code: BankTransactionCode | None = None
    booking_date: ISODateTime | None = None
    value_date: ISODateTime | None = None
    counter_parties: tuple[CounterParty, ...] | None = None
    additional_info: Text500 | None = None
    currency_exchange: CurrencyExchange | None = None
    merchant: Text140 | None = None
    payment_card: PaymentCard | None = None
    registered: ISODateTime | None = None
    amount: Amount | None = None
    currency: CurrencyCode | None = None

    def __post_init__(self) -> None:
        check_amount(self.amount, "amount")
        check_aware(self.booking_date, "bookingDate")
        check_aware(self.value_date, "valueDate")
        check_aware(self.registered, "registered")


class Accounts(WireStruct, kw_only=True, frozen=True):
    response_status: ResponseStatus | None = None
    accounts: tuple[Account, ...] | None = None
    links: tuple[Link, ...] | None = None


class AccountDetails(WireStruct, kw_only=True, frozen=True):
    response_status: ResponseStatus | None = None
    account: AccountDetail | None = None


class Transactions(WireStruct, kw_only=True, frozen=True):
    response_status: ResponseStatus | None = None
    transactions: tuple[Transaction, ...] | None = None
    links: tuple[Link, ...] | None = None


class Cards(WireStruct, kw_only=True, frozen=True):
    response_status: ResponseStatus | None = None
    payment_cards: tuple[PaymentCard, ...] | None = None


class Roles(WireStruct, kw_only=True, frozen=True):
    response_status: ResponseStatus | None = None
    roles: tuple[AccountRole, ...] | None = None


_OWN: Final[dict[str, Any]] = {
    "Account": Account,
    "AccountDetail": AccountDetail,
    "AccountDetails": AccountDetails,
    "AccountRole": AccountRole,
    "AccountType": AccountType,
    "Accounts": Accounts,
    "Cards": Cards,
    "ElectronicAddress": ElectronicAddress,
    "ElectronicAddressType": ElectronicAddressType,
    "FinancialInstitution": FinancialInstitution,
    "PaymentCard": PaymentCard,
    "ResponseStatus": ResponseStatus,
    "Roles": Roles,
    "Transaction": Transaction,
    "Transactions": Transactions,
}
# v1 lacks three v2 schemas (`CardStatus`, `Error406`, `ResponseDetails`); everything else not
# defined above is the v2 implementation.
_NOT_IN_V1: Final = frozenset({"CardStatus", "Error406", "ResponseDetails"})

# Contract schema name -> implementing Struct, StrEnum or type alias.
SCHEMAS: Final[dict[str, Any]] = {
    **{name: impl for name, impl in v2.SCHEMAS.items() if name not in _NOT_IN_V1},
    **_OWN,
}

__all__ = [
    "SCHEMAS",
    "Account",
    "AccountDetail",
    "AccountDetails",
    "AccountNumber",
    "AccountPermissionType",
    "AccountReference",
    "AccountRole",
    "Accounts",
    "AccountStatus",
    "AccountType",
    "AddressType",
    "Amount",
    "Balance",
    "BalanceType",
    "BankTransactionCode",
    "CardNumber",
    "Cards",
    "CardType",
    "CounterParty",
    "CounterPartyType",
    "CountryCode",
    "CreditOrDebit",
    "CurrencyCode",
    "CurrencyExchange",
    "DomainType",
    "ElectronicAddress",
    "ElectronicAddressType",
    "Error",
    "FamilyType",
    "FinancialInstitution",
    "Identifier",
    "IdentifierType",
    "ISODate",
    "ISODateTime",
    "ISOYearMonth",
    "Link",
    "PaymentCard",
    "PostalAddress",
    "ResponseStatus",
    "Roles",
    "SubFamilyType",
    "Transaction",
    "TransactionReference",
    "TransactionReferenceType",
    "Transactions",
    "TransactionStatus",
    "TrueFalseIndicator",
]
