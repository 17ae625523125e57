"""Bulk loading of a bank's rows: COPY on PostgreSQL, batched ``executemany`` on SQLite.

Decides how the synthetic-data generator (or a bank's nightly extract) fills the store fast.
Input rows are the frozen dataclasses of :mod:`.records`, streamed from any iterables
(generators are fine; nothing is held beyond one batch):

==============================  ===================================================================
``PartyRow``                    ``party_id`` (fnr/D-number 11 digits, org no. 9), ``name``,
                                ``country`` (ISO alpha-2, default ``"NO"``), ``postal_address``,
                                ``electronic_addresses`` (phone numbers, e-mail addresses)
``AccountRow``                  ``account_id`` (internal key), ``account_number`` (kontonr, unique),
                                ``type`` (v2 ``AccountType``), ``currency``, ``status``,
                                ``start_date``, ``end_date``, ``servicer_id``/``servicer_name``,
                                credit line, ``available_amount`` (signed) + ``available_registered``,
                                ``history_from``, ``delivery`` (``online``/``manual``), ``name``
                                (the owner's nickname for the account)
``RelationRow``                 ``account_id``, ``party_id``, ``role`` (primaryOwner, secondaryOwner,
                                disponent, guarantor, coBorrower), ``start_date``, ``end_date``,
                                ``permission``
``BookedBalanceRow``            ``account_id``, ``day``, ``amount`` (signed, end of that day)
``CardRow``                     ``account_id``, ``card_id``, ``card`` (a v2 ``PaymentCard``; the
                                number may be in clear), ``holder_party_id``, ``linked_from/to``
``TransactionRow``              ``account_id``, ``transaction`` (a v2 ``Transaction`` with
                                ``booking_date`` set; ``transaction_identifier`` unique per account)
==============================  ===================================================================

Rows are loaded in that order (parties, accounts, relations, balances, cards, transactions) in one
database transaction, so foreign keys hold and a failed load leaves nothing behind.  Malformed
rows raise ``ValueError`` naming the row; duplicate keys raise the driver's integrity error.
The synchronous stdlib-``sqlite3`` fill of a fresh bank file lives in :mod:`.sqlite_file` (re-exported here).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import msgspec
from sqlalchemy import Date, DateTime, Table, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from opendsop.provider.store import schema
from opendsop.provider.store.records import (
    AccountRecord,
    AccountRow,
    BookedBalanceRow,
    CardRow,
    PartyRow,
    RelationRow,
    TransactionRow,
    record_of,
)
from opendsop.provider.store.repository import LoadCounts
from opendsop.provider.store.rules import utc
from opendsop.provider.store.sqlite_file import (
    DEFAULT_BATCH,
    _batches,
    _cached,
    load_sqlite_file,
    sqlite_params,
    sqlite_timestamp,
)
from opendsop.serving import without_statement_timeout
from opendsop.standard.control.v2 import PaymentCard


# ---- row checks (shared with the in-memory store) -------------------------------------------
def check_party(row: PartyRow) -> None:
    if not row.party_id or len(row.party_id) > schema.PARTY_ID:
        raise ValueError(f"party_id must be 1–{schema.PARTY_ID} characters, got {row.party_id!r}")
    if row.name is not None and not 1 <= len(row.name) <= 140:
        raise ValueError(f"party {row.party_id!r} name must be 1–140 characters")
    for address in row.electronic_addresses:
        if not 1 <= len(address.value) <= 2048:
            raise ValueError(f"party {row.party_id!r} {address.type} must be 1–2048 characters")


def check_account(row: AccountRow) -> None:
    if not row.account_id or len(row.account_id) > schema.ACCOUNT_ID:
        raise ValueError(f"account_id must be 1–{schema.ACCOUNT_ID} characters, got {row.account_id!r}")
    if not row.account_number:
        raise ValueError(f"account {row.account_id!r} has no account_number")
    if row.end_date is not None and row.end_date < row.start_date:
        raise ValueError(f"account {row.account_id!r} ends ({row.end_date}) before it starts ({row.start_date})")
    if len(row.currency) != 3 or not row.currency.isupper():
        raise ValueError(f"account {row.account_id!r} currency must be ISO 4217 alpha-3, got {row.currency!r}")
    if row.name is not None and not 1 <= len(row.name) <= 70:
        raise ValueError(f"account {row.account_id!r} name must be 1–70 characters, got {len(row.name)}")


def check_relation(row: RelationRow) -> None:
    if row.end_date is not None and row.end_date < row.start_date:
        raise ValueError(f"relation {row.party_id!r}/{row.account_id!r} ends before it starts")


def check_card(row: CardRow) -> None:
    if not row.card_id or not row.card.card_identifier:
        raise ValueError(f"card on {row.account_id!r} needs card_id and a card number")


def check_transaction(row: TransactionRow) -> None:
    tx = row.transaction
    if tx.booking_date is None:
        raise ValueError(f"transaction {tx.transaction_identifier!r} on {row.account_id!r} has no booking_date")
    if not tx.transaction_identifier or len(tx.transaction_identifier) > schema.ACCOUNT_ID:
        raise ValueError(f"transactionIdentifier must be 1–{schema.ACCOUNT_ID} characters on {row.account_id!r}")


def record(row: AccountRow) -> AccountRecord:
    return record_of(row)


# ---- rows to column values -------------------------------------------------------------------
def party_values(row: PartyRow) -> dict[str, Any]:
    check_party(row)
    return {
        "party_id": row.party_id,
        "name": row.name,
        "country": row.country,
        "postal_address": _json(row.postal_address),
        "electronic_addresses": _json(row.electronic_addresses) if row.electronic_addresses else None,
    }


def account_values(row: AccountRow) -> dict[str, Any]:
    check_account(row)
    return {
        "account_id": row.account_id,
        "account_number": row.account_number,
        "type": str(row.type),
        "currency": row.currency,
        "status": str(row.status),
        "start_date": row.start_date,
        "end_date": row.end_date,
        "servicer_id": row.servicer_id,
        "servicer_name": row.servicer_name,
        "credit_line_amount": row.credit_line_amount,
        "credit_line_currency": row.credit_line_currency,
        "credit_line_included": row.credit_line_included,
        "available_amount": row.available_amount,
        "available_registered": utc(row.available_registered) if row.available_registered else None,
        "history_from": row.history_from,
        "delivery": str(row.delivery),
        "name": row.name,
    }


def relation_values(row: RelationRow) -> dict[str, Any]:
    check_relation(row)
    return {
        "party_id": row.party_id,
        "account_id": row.account_id,
        "role": str(row.role),
        "start_date": row.start_date,
        "end_date": row.end_date,
        "permission": str(row.permission) if row.permission else None,
    }


def balance_values(row: BookedBalanceRow) -> dict[str, Any]:
    return {"account_id": row.account_id, "day": row.day, "amount": row.amount}


def _card_values(card: PaymentCard | None) -> dict[str, Any]:
    issuer = card.card_issuer_identifier if card else None
    return {
        "card_number": card.card_identifier if card else None,
        "holder_name": card.holder_name if card else None,
        "start_month": card.start_date if card else None,
        "expiry_month": card.expiry_date if card else None,
        "issuer_name": card.card_issuer_name if card else None,
        "issuer_id_value": issuer.value if issuer else None,
        "issuer_id_type": str(issuer.type) if issuer else None,
        "issuer_id_country": issuer.country_of_residence if issuer else None,
        "type": str(card.type) if card and card.type else None,
        "status": str(card.card_status) if card and card.card_status else None,
        "version_number": card.version_number if card else None,
    }


def card_columns(card: PaymentCard | None) -> Iterator[Any]:
    """A transaction's flattened card, in ``schema.CARD_COLUMNS`` order (for column tuples)."""
    values = _card_values(card)
    return (values[name] for name in schema.CARD_COLUMNS)


def card_values(row: CardRow) -> dict[str, Any]:
    check_card(row)
    return {
        "account_id": row.account_id,
        "card_id": row.card_id,
        **_card_values(row.card),
        "holder_party_id": row.holder_party_id,
        "linked_from": row.linked_from,
        "linked_to": row.linked_to,
    }


def _opt(value: Any) -> Any:
    return str(value) if value is not None else None


def _json(value: object) -> str | None:
    return msgspec.json.encode(value).decode() if value is not None else None


def transaction_values(row: TransactionRow) -> dict[str, Any]:
    check_transaction(row)
    tx = row.transaction
    code, fx = tx.transaction_code, tx.currency_exchange
    assert tx.booking_date is not None
    return {
        "account_id": row.account_id,
        "transaction_identifier": tx.transaction_identifier,
        "booking_date": utc(tx.booking_date),
        "value_date": utc(tx.value_date) if tx.value_date else None,
        "registered": utc(tx.registered) if tx.registered else None,
        "status": _opt(tx.status),
        "credit_debit": _opt(tx.credit_debit_indicator),
        "reversal": tx.reversal_indicator,
        "amount": tx.amount,
        "currency": tx.currency,
        "additional_info": tx.additional_info,
        "merchant": tx.merchant,
        "code_domain": _opt(code.domain) if code else None,
        "code_family": _opt(code.family) if code else None,
        "code_sub_family": _opt(code.sub_family) if code else None,
        "code_free_text": code.free_text if code else None,
        "refs": _json(tx.references),
        "counter_parties": _json(tx.counter_parties),
        "fx_original_amount": fx.original_amount if fx else None,
        "fx_source_currency": fx.source_currency if fx else None,
        "fx_target_currency": fx.target_currency if fx else None,
        "fx_unit_currency": fx.unit_currency if fx else None,
        "fx_exchange_rate": fx.exchange_rate if fx else None,
        **{f"card_{name}": value for name, value in _card_values(tx.payment_card).items()},
    }


# ---- the load itself -------------------------------------------------------------------------
async def _copy(conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    columns = [column.name for column in table.columns]
    records = [tuple(row[name] for name in columns) for row in rows]
    await driver.copy_records_to_table(table.name, records=records, columns=columns)


async def _executemany(conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    """One prepared INSERT run over the batch on the driver connection.

    SQLAlchemy's per-row parameter compilation dominated SQLite loads (~4k rows/s); applying the
    columns' own bind processors here keeps the exact stored formats at several times the speed.
    """
    dialect = conn.dialect
    columns = list(table.columns)
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    names = [column.name for column in columns]
    # Names come from our own metadata, never from input; values are bound parameters.
    statement = (
        f"INSERT INTO {table.name} ({', '.join(names)}) "  # noqa: S608
        f"VALUES ({', '.join('?' for _ in names)})"
    )
    params = [
        tuple(
            process(row[name]) if process is not None and row[name] is not None else row[name]
            for name, process in zip(names, processors, strict=True)
        )
        for row in rows
    ]
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    await driver.executemany(statement, params)


# ---- column tuples: the bulk path for trusted sources ------------------------------------------
TRANSACTION_COLUMNS: tuple[str, ...] = tuple(column.name for column in schema.transaction.columns)
BALANCE_COLUMNS: tuple[str, ...] = tuple(column.name for column in schema.booked_balance.columns)


def _tuple_converter(table: Table, dialect: Any) -> Callable[[list[tuple[Any, ...]]], list[tuple[Any, ...]]]:
    """Python values → the driver's values for ``table`` on ``dialect``: the columns' own bind
    processors (the formats the dict path stores), applied only to the columns that have one;
    timestamps go through ``utc`` first and repeat a lot (bookings at 06:00), so they are cached.
    """
    steps: list[tuple[int, Callable[[Any], Any]]] = []
    for index, column in enumerate(table.columns):
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        if isinstance(column.type, DateTime):
            steps.append((index, _cached(process, utc)))
        elif isinstance(column.type, Date):
            steps.append((index, _cached(process, None)))
        elif isinstance(column.type, schema.Money) and dialect.name == "sqlite":
            steps.append((index, str))  # what Money.process_bind_param does there, without the layers
        elif process is not None:
            steps.append((index, process))

    def convert(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        out = []
        for row in rows:
            values = list(row)
            for index, process in steps:
                value = values[index]
                if value is not None:
                    values[index] = process(value)
            out.append(tuple(values))
        return out

    return convert


async def _write_tuples(conn: AsyncConnection, table: Table, rows: Iterable[tuple[Any, ...]], batch_size: int) -> int:
    """Column tuples into ``table``: COPY on PostgreSQL; on SQLite one prepared INSERT per batch,
    the next batch converted while the driver's thread still inserts the previous one.
    """
    dialect = conn.dialect
    names = [column.name for column in table.columns]
    total = 0
    if dialect.name == "postgresql":
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        for batch in _batches(rows, batch_size):
            await driver.copy_records_to_table(table.name, records=batch, columns=names)
            total += len(batch)
        return total
    convert = _tuple_converter(table, dialect)
    if dialect.name != "sqlite":
        for batch in _batches(rows, batch_size):
            await conn.execute(insert(table), [dict(zip(names, row, strict=True)) for row in convert(batch)])
            total += len(batch)
        return total
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    # Names come from our own metadata, never from input; values are bound parameters.
    statement = (
        f"INSERT INTO {table.name} ({', '.join(names)}) "  # noqa: S608
        f"VALUES ({', '.join('?' for _ in names)})"
    )
    pending: asyncio.Future[Any] | None = None
    try:
        for batch in _batches(rows, batch_size):
            params = convert(batch)
            if pending is not None:
                await pending
            pending = asyncio.ensure_future(driver.executemany(statement, params))
            await asyncio.sleep(0)  # hand the batch to the driver's thread before converting the next
            total += len(params)
        if pending is not None:
            await pending
    finally:
        if pending is not None and not pending.done():
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
    return total


async def load(
    engine: AsyncEngine,
    *,
    parties: Iterable[PartyRow] = (),
    accounts: Iterable[AccountRow] = (),
    relations: Iterable[RelationRow] = (),
    balances: Iterable[BookedBalanceRow] = (),
    cards: Iterable[CardRow] = (),
    transactions: Iterable[TransactionRow] = (),
    balance_columns: Iterable[tuple[Any, ...]] = (),
    transaction_columns: Iterable[tuple[Any, ...]] = (),
    batch_size: int = DEFAULT_BATCH,
) -> LoadCounts:
    """Insert every row in one transaction; COPY on PostgreSQL, ``executemany`` elsewhere.

    ``balance_columns`` and ``transaction_columns`` are the bulk path for trusted sources (the
    synthetic world): tuples already in ``BALANCE_COLUMNS`` / ``TRANSACTION_COLUMNS`` order with
    the values ``balance_values`` / ``transaction_values`` would give, loaded unchecked after the
    typed rows of the same table.
    """
    plan: tuple[tuple[str, Table, Iterable[Any], Callable[[Any], dict[str, Any]], Iterable[tuple[Any, ...]]], ...] = (
        ("parties", schema.party, parties, party_values, ()),
        ("accounts", schema.account, accounts, account_values, ()),
        ("relations", schema.relation, relations, relation_values, ()),
        ("balances", schema.booked_balance, balances, balance_values, balance_columns),
        ("cards", schema.card, cards, card_values, ()),
        ("transactions", schema.transaction, transactions, transaction_values, transaction_columns),
    )
    counts: dict[str, int] = {}
    use_copy = engine.dialect.name == "postgresql"
    use_raw = engine.dialect.name == "sqlite"
    async with engine.begin() as conn:
        # Open the transaction through SQLAlchemy first, so the driver-level COPY / executemany
        # below joins it and the whole load commits or rolls back as one.
        await conn.execute(text("SELECT 1"))
        await without_statement_timeout(conn)  # a COPY of a large bank's transactions may rightly take longer
        for name, table, rows, convert, tuples in plan:
            total = 0
            for batch in _batches(rows, batch_size):
                values = [convert(row) for row in batch]
                if use_copy:
                    await _copy(conn, table, values)
                elif use_raw:
                    await _executemany(conn, table, values)
                else:
                    await conn.execute(insert(table), values)
                total += len(values)
            total += await _write_tuples(conn, table, tuples, batch_size)
            counts[name] = total
    return LoadCounts(**counts)


__all__ = [
    "BALANCE_COLUMNS",
    "DEFAULT_BATCH",
    "TRANSACTION_COLUMNS",
    "account_values",
    "balance_values",
    "card_columns",
    "card_values",
    "check_account",
    "check_card",
    "check_party",
    "check_relation",
    "check_transaction",
    "load",
    "load_sqlite_file",
    "party_values",
    "relation_values",
    "sqlite_params",
    "sqlite_timestamp",
    "transaction_values",
]
