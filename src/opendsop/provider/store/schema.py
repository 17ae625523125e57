"""The bank store's SQL schema (SQLAlchemy Core; SQLite embedded, PostgreSQL in production).

Decides the tables behind :mod:`.records` (DSOP “Data model”) and their keys:

* ``bank_party`` (name, country, postal and electronic addresses as JSON text in wire form: always
  read with their party, never searched), ``bank_account`` (status, type, currency, servicer,
  start/end, credit line, available balance now, online-history start, delivery mode, nickname);
* ``bank_account_relation`` — primary/secondary owner, disponent, guarantor, co-borrower, with
  permission and dates; PK ``(party_id, account_id, role, start_date)``, so it partitions by party;
* ``bank_booked_balance`` (per account and day), ``bank_card``, ``bank_transaction`` — every large
  table carries the account key first in its primary key, so each can be hash-partitioned (or
  distributed, e.g. Citus) on ``account_id`` unchanged.  Account data is keyed by *account*, not
  party: a joint account's transactions belong to the account, not to any one owner.
* ``bank_transaction``: every v2 field.  Scalars are columns (including the flattened transaction
  code, currency exchange and payment card); the two arrays (``references``, ``counterParties``
  with their postal addresses) are JSON text in camelCase wire form, since they are always read
  with their transaction and never searched: a 1000-row page stays one index range scan, and
  msgspec decodes the text straight into typed structs (several times faster than a JSON column
  decoded by the driver and converted afterwards).
  Keyset index ``(account_id, booking_date, transaction_identifier)``; identifiers compare
  bytewise (``COLLATE "C"`` on PostgreSQL, SQLite's default ``BINARY``) so both engines and the
  in-memory twin agree on the order.
* ``bank_account_reference`` — issued accountReferences (:mod:`.references`).
* ``bank_konkurs_notice`` — the Konkursvarsel notices the bank has read (DSOP Konkurs “Løsningsbeskrivelse”), one
  row per ``uuid`` (so a replayed notice is recognised), the full dataset as JSON text;
  ``bank_konkurs_block`` — which account was blocked because of which debtor's bankruptcy, so a
  ``sletting`` reopens exactly those; ``bank_feed_cursor`` — the timestamp of the last notice read
  per feed.  Notice, blocks and cursor change in one transaction (:mod:`..feeds`).

Amounts are ``NUMERIC`` on PostgreSQL and decimal *text* on SQLite (:class:`Money`), so no float
ever touches money.  Timestamps are stored in UTC.  Migrations live in ``migrations/``; a test
checks that the migrated schema equals this metadata.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class Money(TypeDecorator[Decimal]):
    """An exact decimal: ``NUMERIC(precision, scale)`` on PostgreSQL, text on SQLite.

    SQLite has no decimal type (SQLAlchemy would round-trip through float and warn), so the
    value is kept as its exact decimal string there.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 20, scale: int = 4) -> None:
        super().__init__(precision, scale)
        self.precision, self.scale = precision, scale

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(48))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return str(value)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))


def Key(length: int = 64) -> TypeEngine[str]:  # noqa: N802  (reads as a type in column lists)
    """A string compared bytewise on every engine (keyset order must not depend on locale)."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


PARTY_ID = 32  # fødselsnummer/D-number 11, org no. 9; room for foreign identifiers
ACCOUNT_ID = 64

party = Table(
    "bank_party",
    metadata,
    Column("party_id", String(PARTY_ID), primary_key=True),
    Column("name", String(140)),
    Column("country", String(2)),
    Column("postal_address", Text),  # JSON PostalAddress (wire form), Bank_v1.yaml AccountRole
    Column("electronic_addresses", Text),  # JSON array of {type, value} (phoneNumber, emailAddress)
)

account = Table(
    "bank_account",
    metadata,
    Column("account_id", String(ACCOUNT_ID), primary_key=True),
    Column("account_number", String(34), nullable=False, unique=True),
    Column("type", String(32), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("servicer_id", String(PARTY_ID)),
    Column("servicer_name", String(140)),
    Column("credit_line_amount", Money()),
    Column("credit_line_currency", String(3)),
    Column("credit_line_included", Boolean, nullable=False),
    Column("available_amount", Money()),
    Column("available_registered", DateTime(timezone=True)),
    Column("history_from", Date),
    Column("delivery", String(16), nullable=False),
    Column("name", String(70)),  # the owner's nickname for the account (AccountDetail ``name``)
)

relation = Table(
    "bank_account_relation",
    metadata,
    Column("party_id", String(PARTY_ID), ForeignKey("bank_party.party_id"), primary_key=True),
    Column("account_id", String(ACCOUNT_ID), ForeignKey("bank_account.account_id"), primary_key=True),
    Column("role", String(16), primary_key=True),
    Column("start_date", Date, primary_key=True),
    Column("end_date", Date),
    Column("permission", String(24)),
    Index("ix_bank_account_relation_account_id", "account_id"),
)

booked_balance = Table(
    "bank_booked_balance",
    metadata,
    Column("account_id", String(ACCOUNT_ID), ForeignKey("bank_account.account_id"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("amount", Money(), nullable=False),
)

card = Table(
    "bank_card",
    metadata,
    Column("account_id", String(ACCOUNT_ID), ForeignKey("bank_account.account_id"), primary_key=True),
    Column("card_id", Key(ACCOUNT_ID), primary_key=True),
    Column("card_number", String(32), nullable=False),  # as the bank has it; masked on output
    Column("holder_party_id", String(PARTY_ID)),
    Column("holder_name", String(140)),
    Column("start_month", String(7)),
    Column("expiry_month", String(7)),
    Column("issuer_name", String(140)),
    Column("issuer_id_value", String(PARTY_ID)),
    Column("issuer_id_type", String(32)),
    Column("issuer_id_country", String(2)),
    Column("type", String(16)),
    Column("status", String(16)),
    Column("version_number", String(1)),
    Column("linked_from", Date),
    Column("linked_to", Date),
)

# The flattened PaymentCard of a transaction: same columns as bank_card, prefixed `card_`.
CARD_COLUMNS = (
    "card_number",
    "holder_name",
    "start_month",
    "expiry_month",
    "issuer_name",
    "issuer_id_value",
    "issuer_id_type",
    "issuer_id_country",
    "type",
    "status",
    "version_number",
)

transaction = Table(
    "bank_transaction",
    metadata,
    Column("account_id", String(ACCOUNT_ID), ForeignKey("bank_account.account_id"), primary_key=True),
    Column("transaction_identifier", Key(ACCOUNT_ID), primary_key=True),
    Column("booking_date", DateTime(timezone=True), nullable=False),
    Column("value_date", DateTime(timezone=True)),
    Column("registered", DateTime(timezone=True)),
    Column("status", String(8)),
    Column("credit_debit", String(8)),
    Column("reversal", Boolean),
    Column("amount", Money()),
    Column("currency", String(3)),
    Column("additional_info", Text),
    Column("merchant", String(140)),
    Column("code_domain", String(40)),
    Column("code_family", String(48)),
    Column("code_sub_family", String(64)),
    Column("code_free_text", String(500)),
    Column("refs", Text),  # JSON array of TransactionReference (wire form)
    Column("counter_parties", Text),  # JSON array of CounterParty (wire form)
    Column("fx_original_amount", Money()),
    Column("fx_source_currency", String(3)),
    Column("fx_target_currency", String(3)),
    Column("fx_unit_currency", String(3)),
    Column("fx_exchange_rate", Money(24, 10)),
    Column("card_card_number", String(32)),
    Column("card_holder_name", String(140)),
    Column("card_start_month", String(7)),
    Column("card_expiry_month", String(7)),
    Column("card_issuer_name", String(140)),
    Column("card_issuer_id_value", String(PARTY_ID)),
    Column("card_issuer_id_type", String(32)),
    Column("card_issuer_id_country", String(2)),
    Column("card_type", String(16)),
    Column("card_status", String(16)),
    Column("card_version_number", String(1)),
    Index("ix_bank_transaction_keyset", "account_id", "booking_date", "transaction_identifier"),
)

account_reference = Table(
    "bank_account_reference",
    metadata,
    Column("reference", String(64), primary_key=True),
    Column("consumer_org", String(PARTY_ID), nullable=False),
    Column("account_info_request_id", String(36), nullable=False),
    Column("party_id", String(PARTY_ID), nullable=False),
    Column("account_id", String(ACCOUNT_ID), ForeignKey("bank_account.account_id"), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Index("ix_bank_account_reference_party_id", "party_id"),
)

konkurs_notice = Table(
    "bank_konkurs_notice",
    metadata,
    Column("uuid", String(36), primary_key=True),
    Column("registreringstidspunkt", DateTime(timezone=True), nullable=False),
    Column("type", String(16), nullable=False),
    Column("debitor", String(PARTY_ID), nullable=False),
    Column("kjennelsesdato", Date, nullable=False),
    Column("data", Text, nullable=False),  # the full Konkursvarsel (JSON, as the register sent it)
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Column("accounts_changed", Integer, nullable=False),
    Index("ix_bank_konkurs_notice_debitor", "debitor"),
)

konkurs_block = Table(
    "bank_konkurs_block",
    metadata,
    Column("account_id", String(ACCOUNT_ID), ForeignKey("bank_account.account_id"), primary_key=True),
    Column("party_id", String(PARTY_ID), primary_key=True),  # the debtor whose bankruptcy blocks it
    Column("notice_uuid", String(36)),  # the aapning that did it (None: blocked by hand)
    Column("blocked_at", DateTime(timezone=True), nullable=False),
    Index("ix_bank_konkurs_block_party_id", "party_id"),
)

feed_cursor = Table(
    "bank_feed_cursor",
    metadata,
    Column("feed", String(32), primary_key=True),
    Column("position", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

__all__ = [
    "CARD_COLUMNS",
    "Money",
    "account",
    "account_reference",
    "booked_balance",
    "card",
    "feed_cursor",
    "konkurs_block",
    "konkurs_notice",
    "metadata",
    "party",
    "relation",
    "transaction",
]
