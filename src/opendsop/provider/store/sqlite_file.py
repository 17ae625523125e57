"""Bulk loading of a fresh SQLite bank file with the stdlib driver, synchronously.

The bulk path of the local ecosystem, separate from :mod:`.loader` (the async load through
SQLAlchemy) because it talks to ``sqlite3`` directly and tunes the file (journal, syncs) while
it fills it.  It also holds the small batching and conversion-cache helpers both paths use;
:mod:`.loader` imports them from here and re-exports this module's public names.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects.sqlite import aiosqlite

from opendsop.provider.store import schema
from opendsop.provider.store.records import AccountRow, CardRow, PartyRow, RelationRow
from opendsop.provider.store.repository import LoadCounts
from opendsop.provider.store.rules import utc

__all__ = ["DEFAULT_BATCH", "load_sqlite_file", "sqlite_params", "sqlite_timestamp"]

T = TypeVar("T")
DEFAULT_BATCH = 5_000
_CACHE_LIMIT = 50_000  # distinct timestamps remembered per column while converting (bounded memory)
_SQLITE = aiosqlite.dialect()


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _cached(process: Callable[[Any], Any] | None, prepare: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    cache: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        found = cache.get(value)
        if found is None:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            found = prepare(value) if prepare is not None else value
            if process is not None:
                found = process(found)
            cache[value] = found  # equal instants in other zones map to the same UTC value
        return found

    return convert


def sqlite_timestamp() -> Callable[[datetime], str]:
    """An aware timestamp → the text a ``DateTime(timezone=True)`` column stores on SQLite (UTC),
    remembering the recent ones (bookings repeat)."""
    return _cached(_sqlite_utc_text, None)


def _sqlite_utc_text(value: datetime) -> str:
    """What SQLite's ``DATETIME`` bind processor makes of ``utc(value)`` (tested equal), ~2× faster."""
    if value.tzinfo is not UTC:
        value = utc(value)
    text = str(value)  # 'YYYY-MM-DD HH:MM:SS[.ffffff]+00:00'
    return text[:26] if value.microsecond else f"{text[:19]}.000000"


def sqlite_params(table: Table, rows: Iterable[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """``*_values`` dicts → the SQLite driver's parameter tuples (the columns' own bind processors)."""
    columns = list(table.columns)
    steps = [(column.name, column.type.dialect_impl(_SQLITE).bind_processor(_SQLITE)) for column in columns]
    return [
        tuple(
            process(row[name]) if process is not None and row[name] is not None else row[name]
            for name, process in steps
        )
        for row in rows
    ]


def _insert_statement(table: Table) -> str:
    names = [column.name for column in table.columns]
    # Names come from our own metadata, never from input; values are bound parameters.
    return f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"  # noqa: S608


def load_sqlite_file(
    path: str | Path,
    *,
    parties: Iterable[PartyRow] = (),
    accounts: Iterable[AccountRow] = (),
    relations: Iterable[RelationRow] = (),
    cards: Iterable[CardRow] = (),
    bulk: Iterable[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]] = (),
    batch_size: int = DEFAULT_BATCH,
) -> LoadCounts:
    """Fill a freshly migrated, otherwise empty SQLite bank file with the stdlib driver, synchronously.

    ``bulk`` yields (balance parameters, transaction parameters) pairs, typically one per account:
    tuples in ``BALANCE_COLUMNS`` / ``TRANSACTION_COLUMNS`` order already in the driver's form
    (``sqlite_params`` of ``balance_values`` / ``transaction_values``), loaded unchecked.
    Into a file without accounts yet, the load runs with no journal and no syncs (a failed or
    interrupted load leaves a file to throw away, which the caller must detect), and the file's
    journal mode (WAL, as the serving engine sets it) is restored at the end; into a file with
    data, the load keeps the journal and rolls back on failure.  Foreign keys are checked.
    """
    # loader imports this module (and re-exports it), so its row checks are taken at call time.
    from opendsop.provider.store.loader import account_values, card_values, party_values, relation_values

    connection = sqlite3.connect(path, isolation_level=None)
    counts = dict.fromkeys(("parties", "accounts", "relations", "balances", "cards", "transactions"), 0)
    try:
        journal_mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        fresh = connection.execute("SELECT NOT EXISTS (SELECT 1 FROM bank_account)").fetchone()[0]
        if fresh:
            connection.execute("PRAGMA journal_mode=OFF")
            connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA cache_size=-131072")  # 128 MiB: the indexes' pages stay in memory
        connection.execute("BEGIN")
        typed: tuple[tuple[str, Table, Iterable[Any], Callable[[Any], dict[str, Any]]], ...] = (
            ("parties", schema.party, parties, party_values),
            ("accounts", schema.account, accounts, account_values),
            ("relations", schema.relation, relations, relation_values),
            ("cards", schema.card, cards, card_values),
        )
        for name, table, rows, convert in typed:
            statement = _insert_statement(table)
            for batch in _batches(rows, batch_size):
                connection.executemany(statement, sqlite_params(table, (convert(row) for row in batch)))
                counts[name] += len(batch)
        balance_statement = _insert_statement(schema.booked_balance)
        transaction_statement = _insert_statement(schema.transaction)
        balances: list[tuple[Any, ...]] = []
        transactions: list[tuple[Any, ...]] = []
        for balance_params, transaction_params in bulk:
            balances.extend(balance_params)
            transactions.extend(transaction_params)
            if len(transactions) >= batch_size:
                connection.executemany(balance_statement, balances)
                connection.executemany(transaction_statement, transactions)
                counts["balances"] += len(balances)
                counts["transactions"] += len(transactions)
                balances, transactions = [], []
        connection.executemany(balance_statement, balances)
        connection.executemany(transaction_statement, transactions)
        counts["balances"] += len(balances)
        counts["transactions"] += len(transactions)
        connection.execute("COMMIT")
        if fresh:
            connection.execute(f"PRAGMA journal_mode={journal_mode}")  # a value SQLite itself reported
    finally:
        connection.close()
    return LoadCounts(**counts)
