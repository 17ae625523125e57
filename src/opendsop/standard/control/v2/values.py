"""Value types and enumerations of the Control API v2 (Bank_v2.yaml ``components.schemas``).

Decides the Python type of every non-object schema of the contract, in the contract's own names
(DSOP “Data model”; Bank_v2.yaml schemas "Value schemas"): strings keep the contract's ``pattern``/length
exactly, ``ISODate`` is :class:`datetime.date`, ``ISODateTime`` a time-zone-aware
:class:`datetime.datetime`, ``Amount`` a :class:`decimal.Decimal` ≥ 0, and every ``enum`` a
:class:`enum.StrEnum` with the published values.

Patterns are copied verbatim.  OpenAPI (like msgspec) applies a pattern as a *search*, so the
unanchored ``[A-Z]{3,3}`` of ``CurrencyCode`` also lets ``"NOKK"`` through; we keep the contract's
reading rather than be stricter than it (tolerant reader, DSOP “eOppslag”).

Two enums are declared inline in the contract rather than as components, so they are not in
``SCHEMAS``: ``ResponseStatus`` (``ResponseDetails.status``) and ``AdditionalReferenceIDType``
(a request header).  ``LinkRel`` lists the documented ``rel`` values (DSOP “eOppslag”); the contract types
``Link.rel`` as a plain string, and so does the model.
"""

from __future__ import annotations

import datetime
import decimal
from enum import StrEnum
from typing import Annotated, TypeAlias

from msgspec import Meta

from opendsop.standard.wire import AMOUNT_MINIMUM

AccountNumber: TypeAlias = str
AccountReference: TypeAlias = str
CardNumber: TypeAlias = str
TrueFalseIndicator: TypeAlias = bool
ISODate: TypeAlias = datetime.date
ISODateTime: TypeAlias = Annotated[datetime.datetime, Meta(tz=True)]
ISOYearMonth: TypeAlias = Annotated[str, Meta(pattern="^[0-9]+-([0][1-9]|1[0-2])$")]
CountryCode: TypeAlias = Annotated[str, Meta(pattern="[A-Z]{2,2}")]
CurrencyCode: TypeAlias = Annotated[str, Meta(pattern="[A-Z]{3,3}")]
# Checked in __post_init__ (wire.check_amount): msgspec cannot constrain a Decimal.
Amount: TypeAlias = Annotated[decimal.Decimal, Meta(extra_json_schema={"minimum": AMOUNT_MINIMUM})]

# Free-text strings with the contract's minLength..maxLength (the object schemas use these).
Text1: TypeAlias = Annotated[str, Meta(min_length=1, max_length=1)]
Text16: TypeAlias = Annotated[str, Meta(min_length=1, max_length=16)]
Text35: TypeAlias = Annotated[str, Meta(min_length=1, max_length=35)]
Text50: TypeAlias = Annotated[str, Meta(min_length=1, max_length=50)]
Text70: TypeAlias = Annotated[str, Meta(min_length=1, max_length=70)]
Text140: TypeAlias = Annotated[str, Meta(min_length=1, max_length=140)]
Text500: TypeAlias = Annotated[str, Meta(min_length=1, max_length=500)]
Text2048: TypeAlias = Annotated[str, Meta(min_length=1, max_length=2048)]  # v1 ElectronicAddress


class AccountPermissionType(StrEnum):
    RIGHT_TO_USE_ALONE = "rightToUseAlone"
    RIGHT_TO_USE_WITH_OTHER = "rightToUseWithOther"
    RIGHT_TO_SEE_ONLY = "rightToSeeOnly"


class AccountStatus(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"  # also for accounts blocked because of bankruptcy (DSOP “Data model”)
    DELETED = "deleted"


class AccountType(StrEnum):
    LOAN_ACCOUNT = "loanAccount"
    SALARY_ACCOUNT = "salaryAccount"
    CURRENCY_ACCOUNT = "currencyAccount"
    SAVINGS_ACCOUNT = "savingsAccount"
    CLIENT_ACCOUNT = "clientAccount"
    TAX_DEDUCTION_ACCOUNT = "taxDeductionAccount"
    BUSINESS_ACCOUNT = "businessAccount"
    CREDIT_CARD_ACCOUNT = "creditCardAccount"
    PREPAID_CARD_ACCOUNT = "prepaidCardAccount"
    ACCOUNT_WITHOUT_BALANCE = "accountWithoutBalance"  # new in v2
    OTHER_ACCOUNT = "otherAccount"


class AddressType(StrEnum):
    RESIDENTIAL = "residential"
    BUSINESS = "business"
    MAIL_TO = "mailTo"
    DELIVERY_TO = "deliveryTo"


class BalanceType(StrEnum):
    AVAILABLE_BALANCE = "availableBalance"
    BOOKED_BALANCE = "bookedBalance"


class CardStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"


class CardType(StrEnum):
    DEBIT_CARD = "debitCard"
    CREDIT_CARD = "creditCard"


class CounterPartyType(StrEnum):
    DEBTOR = "debtor"
    CREDITOR = "creditor"
    ULTIMATE_DEBTOR = "ultimateDebtor"
    ULTIMATE_CREDITOR = "ultimateCreditor"


class CreditOrDebit(StrEnum):
    CREDIT = "credit"  # positive balance / funds in
    DEBIT = "debit"  # negative balance / funds out


class IdentifierType(StrEnum):
    COUNTRY_IDENTIFICATION_CODE = "countryIdentificationCode"  # organisation number
    NATIONAL_IDENTITY_NUMBER = "nationalIdentityNumber"  # fødselsnummer or D-number


class TransactionReferenceType(StrEnum):
    ACCOUNT_SERVICER_REFERENCE = "accountServicerReference"
    ARCHIVE_REFERENCE = "archiveReference"
    CHEQUE_NUMBER = "chequeNumber"
    END_TO_END_IDENTIFICATION = "endToEndIdentification"
    INSTRUCTION_IDENTIFICATION = "instructionIdentification"
    INVOICE_NUMBER = "invoiceNumber"
    MANDATE_IDENTIFICATION = "mandateIdentification"
    MESSAGE_IDENTIFICATION = "messageIdentification"
    OTHER_REFERENCE = "otherReference"
    PAYMENT_INFORMATION_IDENTIFICATION = "paymentInformationIdentification"
    REMITTANCE_REFERENCE = "remittanceReference"


class TransactionStatus(StrEnum):
    BOOKED = "booked"
    PENDING = "pending"
    INFO = "info"


class ResponseStatus(StrEnum):
    """``ResponseDetails.status`` (inline in v2; the component ``ResponseStatus`` in v1)."""

    PARTIAL = "partial"
    COMPLETE = "complete"


class AdditionalReferenceIDType(StrEnum):
    """The ``AdditionalReferenceIDType`` header (an inline parameter enum in the contract)."""

    POL1 = "pol1"  # Politi: a signed extradition order (JWS)
    SRF = "srf"  # Statsforvalteren (vergemål): the guardian's fødselsnummer


class LinkRel(StrEnum):
    """Documented ``Link.rel`` values (DSOP “eOppslag”); the contract itself declares no enum."""

    NEXT = "next"
    SELF = "self"
    PREV = "prev"
    LAST = "last"
