"""A bank's own data in and out of the SQL store: ``merge`` (insert or update by key) and ``reset``.

Decides what importing a bank's data means for the tables (``dsop provider import``): every row is
*merged* by its primary key — a new key is inserted, a known one updated to the imported values —
in one database transaction, and nothing is ever deleted by an import.  So importing the same data
twice changes nothing, importing a changed account updates it in place, and the accountReferences
already issued for an account (``bank_account_reference``, keyed to the account) stay valid.
``reset`` empties every table of the bank store, references, Konkurs blocks and feed cursor
included, in one transaction (the CLI allows it in test mode only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from opendsop.provider.store import loader, schema
from opendsop.provider.store.records import (
    AccountRow,
    BookedBalanceRow,
    CardRow,
    PartyRow,
    RelationRow,
    TransactionRow,
)
from opendsop.provider.store.repository import LoadCounts

BATCH = 500  # rows per multi-row statement: well under every engine's parameter limit


async def _merge_rows(
    conn: AsyncConnection, table: Table, rows: Iterable[Any], values: Callable[[Any], dict[str, Any]]
) -> int:
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    keys = [column.name for column in table.primary_key.columns]
    others = [column.name for column in table.columns if column.name not in keys]
    total = 0
    # By key: a statement may not update one row twice (PostgreSQL refuses), so within a batch the
    # later row of a key wins, as it would across batches.
    batch: dict[tuple[Any, ...], dict[str, Any]] = {}

    async def flush() -> None:
        if not batch:
            return
        statement = dialect_insert(table)
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=keys, set_={name: statement.excluded[name] for name in others}
            ),
            list(batch.values()),
        )
        batch.clear()

    for row in rows:
        found = values(row)
        batch[tuple(found[name] for name in keys)] = found
        total += 1
        if len(batch) >= BATCH:
            await flush()
    await flush()
    return total


async def merge(
    engine: AsyncEngine,
    *,
    parties: Iterable[PartyRow] = (),
    accounts: Iterable[AccountRow] = (),
    relations: Iterable[RelationRow] = (),
    balances: Iterable[BookedBalanceRow] = (),
    cards: Iterable[CardRow] = (),
    transactions: Iterable[TransactionRow] = (),
) -> LoadCounts:
    """Insert or update every row by its key, in this order, in one transaction (all or nothing)."""
    async with engine.begin() as conn:  # foreign keys are on for SQLite too (serving.create_engine)
        return LoadCounts(
            parties=await _merge_rows(conn, schema.party, parties, loader.party_values),
            accounts=await _merge_rows(conn, schema.account, accounts, loader.account_values),
            relations=await _merge_rows(conn, schema.relation, relations, loader.relation_values),
            balances=await _merge_rows(conn, schema.booked_balance, balances, loader.balance_values),
            cards=await _merge_rows(conn, schema.card, cards, loader.card_values),
            transactions=await _merge_rows(conn, schema.transaction, transactions, loader.transaction_values),
        )


async def reset(engine: AsyncEngine) -> None:
    """Delete every row of the bank store (children before parents), in one transaction."""
    async with engine.begin() as conn:
        for table in reversed(schema.metadata.sorted_tables):
            await conn.execute(delete(table))


__all__ = ["merge", "reset"]
