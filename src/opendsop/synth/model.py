# SPDX-License-Identifier: Apache-2.0
"""The synthetic world's typed, in-memory model: plain frozen ``msgspec.Struct`` values.

Decides what the generator produces, in DSOP's own vocabulary (DSOP “Data model”; DSOP “Endpoint … V.2.0” pages):
the 11 account types, the three account statuses, ``primaryOwner``/``secondaryOwner``/``disponent``
roles with the v2 ``permission`` values, ISO 20022 transaction codes, masked (6+4) card numbers,
booked/available balances.  The register side (FREG, Brreg, KAR/KFR, Konkursvarsel) is modelled
just far enough for the DSOP rules: deaths, address protection (``fortrolig`` /
``strengtFortrolig``), vergemål with ``tjenesteoppgaver``, bankruptcies with their notice.

* Amounts are :class:`decimal.Decimal` with two decimals.  On a ``Transaction`` the amount is
  ≥ 0 and the sign lives in ``credit_debit_indicator`` (DSOP “Data model”); an account's ``opening_balance``
  is *signed* (a loan starts negative).
* Transactions are **flat** (counterparty, card and currency-exchange columns side by side),
  because millions of them are streamed into bulk loaders; ``opendsop.synth.export`` documents
  the row shapes.  Pending items have no booking or value date (they are not booked yet).
* ``invalid_reason`` is ``None`` for every valid record; records made on request for negative
  tests (``invalid_fraction``) carry the reason and are never produced otherwise.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

import msgspec

from opendsop.standard.control.v2.codes import DomainType, FamilyType, SubFamilyType
from opendsop.standard.control.v2.values import (
    AccountPermissionType,
    AccountStatus,
    AccountType,
    CardStatus,
    CardType,
    CounterPartyType,
    CreditOrDebit,
    IdentifierType,
    TransactionReferenceType,
    TransactionStatus,
)

AddressProtection = Literal["fortrolig", "strengtFortrolig"]
PersonIdKind = Literal["fodselsnummer", "dnummer"]
PartyKind = Literal["person", "organisation"]
OrgForm = Literal["AS", "ASA", "ENK", "DA", "ANS", "SA", "NUF"]
CompanyKind = Literal["employer", "merchant"]
CompanyRoleKind = Literal["innehaver", "dagligLeder", "styreleder", "styremedlem"]
SignatureKind = Literal["alene", "iFellesskap", "styret"]
RoleKind = Literal["primaryOwner", "secondaryOwner", "disponent"]
Register = Literal["KAR", "KFR"]
NoticeType = Literal["aapning", "sletting", "oppheving", "avslutning"]

# FREG ``vergeTjenesteoppgave`` values used here.  Only ``representasjonDagligbank`` is named by
# the DSOP Verge service (the DSOP services' “Løsningsbeskrivelse” pages); the others are illustrative.
REPRESENTASJON_DAGLIGBANK = "representasjonDagligbank"
OTHER_TJENESTEOPPGAVER = ("representasjonNav", "representasjonSkatteetaten", "salgAvFastEiendom")

__all__ = [
    "OTHER_TJENESTEOPPGAVER",
    "REPRESENTASJON_DAGLIGBANK",
    "Account",
    "AccountPermissionType",
    "AccountRole",
    "AccountStatus",
    "AccountType",
    "Address",
    "Balance",
    "Bank",
    "Bankruptcy",
    "Card",
    "CardStatus",
    "CardType",
    "Company",
    "CompanyRole",
    "CounterPartyType",
    "CreditOrDebit",
    "Death",
    "DomainType",
    "FamilyType",
    "Guardianship",
    "Household",
    "IdentifierType",
    "Link",
    "Person",
    "SignatureRule",
    "SubFamilyType",
    "Transaction",
    "TransactionReference",
    "TransactionReferenceType",
    "TransactionStatus",
]


class Address(msgspec.Struct, frozen=True, kw_only=True):
    street_name: str
    building_number: str
    post_code: str
    town_name: str
    country: str = "NO"


class Person(msgspec.Struct, frozen=True, kw_only=True):
    """A FREG person.  ``person_id`` is a synthetic (month + 80) fødselsnummer or D-number."""

    person_id: str
    id_kind: PersonIdKind
    given_name: str
    family_name: str
    birth_date: date
    female: bool
    address: Address
    household_id: int
    date_of_death: date | None = None
    address_protection: AddressProtection | None = None
    invalid_reason: str | None = None

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def status(self) -> Literal["alive", "dead"]:
        return "alive" if self.date_of_death is None else "dead"

    def is_alive_on(self, day: date) -> bool:
        return self.birth_date <= day and (self.date_of_death is None or day < self.date_of_death)


class Household(msgspec.Struct, frozen=True, kw_only=True):
    """A family at one address: adults (a couple or a single adult) and their minor children."""

    household_id: int
    adults: tuple[str, ...]
    children: tuple[str, ...]
    address: Address


class Death(msgspec.Struct, frozen=True, kw_only=True):
    person_id: str
    date_of_death: date


class CompanyRole(msgspec.Struct, frozen=True, kw_only=True):
    """A Brreg role: the person holding it and since when."""

    role: CompanyRoleKind
    person_id: str
    start_date: date


class SignatureRule(msgspec.Struct, frozen=True, kw_only=True):
    """Who may sign (``signatur``) or act under ``prokura`` for the company.

    ``alene``: each holder alone; ``iFellesskap``: the holders jointly; ``styret``: the board.
    """

    kind: SignatureKind
    holders: tuple[str, ...]


class Company(msgspec.Struct, frozen=True, kw_only=True):
    orgnr: str
    name: str
    org_form: OrgForm
    kind: CompanyKind
    address: Address
    founded: date
    roles: tuple[CompanyRole, ...]
    signature: SignatureRule | None
    prokura: SignatureRule | None = None
    merchant_category: str | None = None
    invalid_reason: str | None = None


class Bank(msgspec.Struct, frozen=True, kw_only=True):
    """A real Norwegian bank from the schwifty-derived registry.

    ``orgnr_synthetic`` is ``True`` when the organisation number was generated (leading 2 or 3)
    because the real one is not in this code base.  ``reports_to`` says whether the bank's
    customer relations are in KAR (NICS) or only in KFR.
    """

    orgnr: str
    name: str
    bank_codes: tuple[str, ...]
    bic: str
    reports_to: Register
    api_base_url: str
    orgnr_synthetic: bool
    control_api: bool = True  # False: not in the API catalogue; agencies ask it by digital letter


class Account(msgspec.Struct, frozen=True, kw_only=True):
    """An account at ``bank_orgnr``.

    ``opening_balance`` (signed) is the booked balance at the start of ``balance_date``, before
    any generated transaction; the booked balance at any later date is that plus credits minus
    debits of the booked transactions up to it.  ``blocked_from`` is set when the account was
    disabled (bankruptcy, death).  ``accountWithoutBalance`` accounts have no transactions.
    """

    account_id: int
    kontonr: str
    bank_orgnr: str
    type: AccountType
    currency: str
    status: AccountStatus
    owner_id: str
    owner_kind: PartyKind
    opened: date
    closed: date | None
    balance_date: date
    opening_balance: Decimal
    credit_limit: Decimal | None = None
    blocked_from: date | None = None
    invalid_reason: str | None = None


class AccountRole(msgspec.Struct, frozen=True, kw_only=True):
    """A party's role on an account (``roles[]`` of the Roles endpoint; ``primaryOwner``)."""

    kontonr: str
    party_id: str
    party_kind: PartyKind
    name: str
    role: RoleKind
    permission: AccountPermissionType
    start_date: date
    end_date: date | None = None

    @property
    def identifier_type(self) -> IdentifierType:
        if self.party_kind == "person":
            return IdentifierType.NATIONAL_IDENTITY_NUMBER
        return IdentifierType.COUNTRY_IDENTIFICATION_CODE


class Card(msgspec.Struct, frozen=True, kw_only=True):
    """A payment card on an account; ``card_identifier`` is masked (first 6, last 4, ``X``)."""

    card_id: int
    kontonr: str
    card_identifier: str
    holder_id: str
    holder_name: str
    type: CardType
    status: CardStatus
    start_date: str  # YYYY-MM
    expiry_date: str  # YYYY-MM
    version_number: str  # "1".."9"
    issuer_name: str
    issuer_orgnr: str


class TransactionReference(msgspec.Struct, frozen=True, array_like=True):
    type: TransactionReferenceType
    value: str


class Transaction(msgspec.Struct, frozen=True, gc=False):
    """One line on one account's statement (flat; see the module docstring).

    Positional construction is allowed (and ~6× faster than keywords, which matters for tens of
    millions of rows); the field order is the column order of ``export.TRANSACTION_COLUMNS``.
    """

    transaction_id: str
    kontonr: str
    amount: Decimal
    currency: str
    credit_debit_indicator: CreditOrDebit
    status: TransactionStatus
    registered: datetime
    booking_date: datetime | None
    value_date: datetime | None
    domain: DomainType | None = None
    family: FamilyType | None = None
    sub_family: SubFamilyType | None = None
    free_text: str | None = None
    additional_info: str | None = None
    reversal_indicator: bool = False
    references: tuple[TransactionReference, ...] = ()
    counterparty_type: CounterPartyType | None = None
    counterparty_account: str | None = None
    counterparty_id: str | None = None
    counterparty_id_type: IdentifierType | None = None
    counterparty_name: str | None = None
    counterparty_address: Address | None = None
    merchant: str | None = None
    card_id: int | None = None
    card_identifier: str | None = None
    fx_original_amount: Decimal | None = None
    fx_source_currency: str | None = None
    fx_target_currency: str | None = None
    fx_unit_currency: str | None = None
    fx_exchange_rate: Decimal | None = None
    invalid_reason: str | None = None

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.credit_debit_indicator is CreditOrDebit.CREDIT else -self.amount

    def reference(self, kind: TransactionReferenceType) -> str | None:
        return next((ref.value for ref in self.references if ref.type is kind), None)


class Balance(msgspec.Struct, frozen=True, kw_only=True):
    """``account.balances[]``: amount ≥ 0 with its sign in ``credit_debit_indicator``."""

    kontonr: str
    type: Literal["bookedBalance", "availableBalance"]
    amount: Decimal
    credit_debit_indicator: CreditOrDebit
    registered: datetime
    currency: str
    credit_line_included: bool
    credit_line_amount: Decimal | None = None
    credit_line_currency: str | None = None


class Guardianship(msgspec.Struct, frozen=True, kw_only=True):
    """A vergemål in FREG: the guardian (verge) acts for the ward within ``tjenesteoppgaver``."""

    ward_id: str
    guardian_id: str
    guardian_name: str
    tjenesteoppgaver: tuple[str, ...]
    valid_from: date
    valid_to: date | None = None


class Bankruptcy(msgspec.Struct, frozen=True, kw_only=True):
    """A bankruptcy opened by the court and the Konkursvarsel notice that announced it.

    The debtor is an organisation or a person; a personal bankruptcy names the person's ENK in
    ``linked_orgnr``.  Every account the debtor (and the linked ENK) owns is ``disabled`` from
    ``kjennelsesdato`` (DSOP “Data model”, account status; the DSOP services' “Løsningsbeskrivelse” pages Konkurs).
    """

    debtor_id: str
    debtor_kind: PartyKind
    debtor_name: str
    kjennelsesdato: date
    notice_uuid: str
    notice_type: NoticeType
    notice_registered: datetime
    linked_orgnr: str | None = None


class Link(msgspec.Struct, frozen=True, kw_only=True):
    """A recurring money flow between two synthetic accounts (both sides are generated).

    The events of a link come from its own seeded random stream, so the debit on ``source`` and
    the mirror credit on ``target`` are generated independently yet always agree.
    """

    link_id: int
    kind: str
    source: str  # kontonr debited
    target: str  # kontonr credited
    start: date
    end: date
    amount_cents: int
    day_of_month: int
