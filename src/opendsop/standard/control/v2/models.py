"""Object schemas of the Control API v2 (Bank_v2.yaml ``components.schemas``) as msgspec Structs.

Decides the wire shape of every body a bank returns (DSOP “Data model”; DSOP “Endpoint … V.2.0” pages): field
names, JSON types, which fields the contract *requires* (no default) and which it leaves optional
(default ``None``, omitted from the JSON).  Field order follows the contract.  The documented
delivery markers (M/D/MC, DSOP “Data model”) ask for more than the contract's ``required`` lists; enforcing
them is the per-service filter's job, not the wire model's.

Arrays are tuples so that a frozen body is immutable all the way down.  An *empty* result must be
an empty list on the wire (DSOP “eOppslag”), so a list field defaults to ``None`` (omitted) and a service
answering "no hits" passes ``()`` explicitly, which is written as ``[]``.
"""

from __future__ import annotations

from opendsop.standard.control.v2.codes import DomainType, FamilyType, SubFamilyType
from opendsop.standard.control.v2.values import (
    AccountNumber,
    AccountPermissionType,
    AccountReference,
    AccountStatus,
    AccountType,
    AddressType,
    Amount,
    BalanceType,
    CardNumber,
    CardStatus,
    CardType,
    CounterPartyType,
    CountryCode,
    CreditOrDebit,
    CurrencyCode,
    IdentifierType,
    ISODate,
    ISODateTime,
    ISOYearMonth,
    ResponseStatus,
    Text1,
    Text16,
    Text35,
    Text50,
    Text70,
    Text140,
    Text500,
    TransactionReferenceType,
    TransactionStatus,
    TrueFalseIndicator,
)
from opendsop.standard.wire import WireStruct, check_amount, check_aware


class Identifier(WireStruct, kw_only=True, frozen=True):
    """A party: fødselsnummer/D-number (``nationalIdentityNumber``) or org no."""

    country_of_residence: CountryCode | None = None
    value: str
    type: IdentifierType


class FinancialInstitution(WireStruct, kw_only=True, frozen=True):
    identifier: Identifier | None = None  # required in v1, optional in v2
    name: Text140 | None = None


class AccountRole(WireStruct, kw_only=True, frozen=True):
    """``primaryOwner`` of an account and the items of ``roles``."""

    permission: AccountPermissionType | None = None
    identifier: Identifier | None = None
    name: Text140 | None = None
    start_date: ISODate | None = None
    end_date: ISODate | None = None


class ResponseDetails(WireStruct, kw_only=True, frozen=True):
    """Completeness of a 200 body (DSOP “eOppslag”); ``partial`` needs a ``message``, by the docs."""

    status: ResponseStatus
    message: Text500 | None = None


class Link(WireStruct, kw_only=True, frozen=True):
    """A pagination link (DSOP “eOppslag”): ``rel`` is ``next``/``self``/``prev``/``last``, ``href`` relative."""

    rel: Text50
    href: Text500


class PostalAddress(WireStruct, kw_only=True, frozen=True):
    post_code: Text16 | None = None
    type: AddressType | None = None
    street_name: Text70 | None = None
    building_number: Text16 | None = None
    town_name: Text35 | None = None
    country: CountryCode | None = None
    address_lines: tuple[Text70, ...] | None = None


class Account(WireStruct, kw_only=True, frozen=True):
    """An item of ``accounts`` in the Accounts response (DSOP “Endpoint Accounts V.2.0”)."""

    status: AccountStatus | None = None
    servicer: FinancialInstitution | None = None
    account_identifier: AccountNumber
    account_reference: AccountReference
    type: AccountType | None = None
    currency: CurrencyCode | None = None
    primary_owner: AccountRole | None = None
    name: Text70 | None = None  # "will not be delivered" in v2 (DSOP “Data model”)


class Balance(WireStruct, kw_only=True, frozen=True):
    """An item of ``account.balances`` (DSOP “Data model”; DSOP “Endpoint Account details V.2.0”)."""

    credit_line_included: TrueFalseIndicator | None = None
    amount: Amount | None = None
    credit_debit_indicator: CreditOrDebit | None = None
    registered: ISODateTime | None = None
    type: BalanceType | None = None
    credit_line_amount: Amount | None = None
    credit_line_currency: CurrencyCode | None = None
    currency: CurrencyCode | None = None

    def __post_init__(self) -> None:
        check_amount(self.amount, "amount")
        check_amount(self.credit_line_amount, "creditLineAmount")
        check_aware(self.registered, "registered")


class AccountDetail(WireStruct, kw_only=True, frozen=True):
    """``account`` in the AccountDetails response (DSOP “Endpoint Account details V.2.0”)."""

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


class BankTransactionCode(WireStruct, kw_only=True, frozen=True):
    """ISO 20022 Bank Transaction Code, or the bank's own ``freeText`` code (DSOP “Data model”)."""

    domain: DomainType | None = None
    family: FamilyType | None = None
    sub_family: SubFamilyType | None = None
    free_text: Text500 | None = None


class CounterParty(WireStruct, kw_only=True, frozen=True):
    account_identifier: AccountNumber | None = None
    identifier: Identifier | None = None
    name: Text140 | None = None
    type: CounterPartyType | None = None
    postal_address: PostalAddress | None = None


class CurrencyExchange(WireStruct, kw_only=True, frozen=True):
    original_amount: Amount | None = None
    source_currency: CurrencyCode | None = None
    target_currency: CurrencyCode | None = None
    unit_currency: CurrencyCode | None = None
    exchange_rate: Amount | None = None

    def __post_init__(self) -> None:
        check_amount(self.original_amount, "originalAmount")
        check_amount(self.exchange_rate, "exchangeRate")


class PaymentCard(WireStruct, kw_only=True, frozen=True):
    """A card: ``paymentCards[]`` and ``transactions[].paymentCard``; masked number (6+4, DSOP “Data model”)."""

    card_identifier: CardNumber
    holder_name: Text140 | None = None
    start_date: ISOYearMonth | None = None
    expiry_date: ISOYearMonth | None = None
    card_issuer_name: Text140 | None = None
    type: CardType | None = None
    card_status: CardStatus | None = None  # new in v2
    version_number: Text1 | None = None  # new in v2: "1".."9"
    card_issuer_identifier: Identifier | None = None


class TransactionReference(WireStruct, kw_only=True, frozen=True):
    value: str
    type: TransactionReferenceType


class Transaction(WireStruct, kw_only=True, frozen=True):
    """An item of ``transactions`` (DSOP “Endpoint Transactions V.2.0”); ``amount`` is positive, the sign is the
    indicator."""

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
    """200 body of ``GET /accounts`` (listAccounts)."""

    response_details: ResponseDetails
    accounts: tuple[Account, ...] | None = None
    links: tuple[Link, ...] | None = None


class AccountDetails(WireStruct, kw_only=True, frozen=True):
    """200 body of ``GET /accounts/{accountReference}`` (showAccountById)."""

    response_details: ResponseDetails
    account: AccountDetail | None = None


class Transactions(WireStruct, kw_only=True, frozen=True):
    """200 body of ``GET /accounts/{accountReference}/transactions`` (listTransactions)."""

    response_details: ResponseDetails
    transactions: tuple[Transaction, ...] | None = None
    links: tuple[Link, ...] | None = None


class Cards(WireStruct, kw_only=True, frozen=True):
    """200 body of ``GET /accounts/{accountReference}/cards`` (listCards)."""

    response_details: ResponseDetails
    payment_cards: tuple[PaymentCard, ...] | None = None


class Roles(WireStruct, kw_only=True, frozen=True):
    """200 body of ``GET /accounts/{accountReference}/roles`` (listRoles)."""

    response_details: ResponseDetails
    roles: tuple[AccountRole, ...] | None = None


class Error(WireStruct, kw_only=True, frozen=True):
    """Every Control API error body, ``{"code": "ACC-xxx", "message": "..."}`` (DSOP “eOppslag”).

    The contract declares nine schemas (``Error400`` … ``Error500``, ``Error``) of this one shape
    and requires neither field; ``opendsop`` always sends both.
    """

    code: str | None = None
    message: str | None = None


# The per-status error schemas are the same shape; one class keeps `isinstance` checks simple.
Error400 = Error401 = Error403 = Error404 = Error405 = Error406 = Error429 = Error500 = Error
