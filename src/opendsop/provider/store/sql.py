"""``SqlBankStore``: the bank store on SQLite (embedded default) or PostgreSQL (SQLAlchemy Core).

Decides the statements behind :class:`.base.RowStore`'s fetches.  The per-party data (relations,
accounts, parties) is small and fetched whole, then the shared rules decide; the large tables are
only ever read by key: booked balance = one ``ORDER BY day DESC LIMIT 1`` row, transactions = one
keyset range ``(booking_date, transaction_identifier) > (:b, :t)`` over the index
``(account_id, booking_date, transaction_identifier)`` (measured: ~1.4 ms per 1000 rows deep
into an account, where OFFSET degrades ~25×).  Each request-path read is one statement
(:mod:`.sql_reads`): an account list, an account's details or roles, a transaction page with its
account — one round trip each, plus the reference insert when a list issues new references.

Create it with :meth:`SqlBankStore.open`, which runs the alembic migrations (``migrate=True``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from opendsop.contracts.registers.models import KonkursType, Konkursvarsel
from opendsop.provider.store import loader, schema, writes
from opendsop.provider.store import sql_reads as reads
from opendsop.provider.store.base import RowStore
from opendsop.provider.store.records import (
    AccountGraph,
    AccountRow,
    BookedBalanceRow,
    CardRow,
    PartyRow,
    ReferencedAccount,
    RelationRow,
    TransactionRow,
    record_of,
)
from opendsop.provider.store.repository import KONKURS_FEED, LoadCounts, NoticeOutcome
from opendsop.provider.store.rules import utc
from opendsop.serving import create_engine
from opendsop.standard.control.v2 import AccountStatus, Transaction

_IN_CHUNK = 500  # bound the size of IN (...) lists
# PostgreSQL connections of the request path's pool, per store.  At 64 concurrent account lists 16
# connections gave a p99 of 1.1 s (requests queueing for a connection), 32 gave 0.23 s at the same
# throughput (bench/provider_accounts.py); beyond that the CPU, not the pool, is the queue.
READ_CONNECTIONS = 32
_NOTICE = msgspec.json.Decoder(Konkursvarsel)
_NOTICE_JSON = msgspec.json.Encoder()


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


class SqlBankStore(RowStore):
    """A :class:`~.repository.BankStore` on an ``AsyncEngine`` (options: see :class:`.base.RowStore`;
    ``read_connections``: the size of the PostgreSQL pool the request path reads on)."""

    fresh_bodies = True  # every answer is converted from rows of its own read

    def __init__(self, engine: AsyncEngine, *, read_connections: int = READ_CONNECTIONS, **options: Any) -> None:
        super().__init__(**options)
        self._engine = engine
        # The request path's statements (one read each, and the idempotent reference insert) run on
        # a PostgreSQL pool of their own: in autocommit (no BEGIN/ROLLBACK round trips around a
        # single statement, which sees one snapshot anyway), without a pre-ping (see ``_run``) and
        # with a fixed set of connections — a burst waits for one instead of opening (and, on
        # return, closing) overflow connections: at 64 concurrent requests the default pool
        # (5 + 10 overflow) spent most of its time connecting.  Writes that must be atomic
        # (Konkurs) use ``engine`` and its transactions.  SQLite's driver begins no transaction
        # for a SELECT and has nothing to ping.
        self._reads = engine
        self._statements = reads.statements(engine.dialect.name)
        if engine.dialect.name == "postgresql":
            self._reads = create_engine(
                engine.url,
                isolation_level="AUTOCOMMIT",
                pool_size=read_connections,
                max_overflow=0,
                pool_pre_ping=False,
            )

    @classmethod
    async def open(cls, database_url: str, *, migrate: bool = True, **options: Any) -> SqlBankStore:
        """Connect with ``opendsop.serving.create_engine`` and (by default) migrate to head."""
        engine = create_engine(database_url)
        if migrate:
            from opendsop.provider.store.migrations import upgrade_engine

            await upgrade_engine(engine)
        return cls(engine, **options)

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def close(self) -> None:
        if self._reads is not self._engine:
            await self._reads.dispose()
        await self._engine.dispose()

    async def load(
        self,
        *,
        parties: Iterable[PartyRow] = (),
        accounts: Iterable[AccountRow] = (),
        relations: Iterable[RelationRow] = (),
        balances: Iterable[BookedBalanceRow] = (),
        cards: Iterable[CardRow] = (),
        transactions: Iterable[TransactionRow] = (),
    ) -> LoadCounts:
        return await loader.load(
            self._engine,
            parties=parties,
            accounts=accounts,
            relations=relations,
            balances=balances,
            cards=cards,
            transactions=transactions,
        )

    async def merge(
        self,
        *,
        parties: Iterable[PartyRow] = (),
        accounts: Iterable[AccountRow] = (),
        relations: Iterable[RelationRow] = (),
        balances: Iterable[BookedBalanceRow] = (),
        cards: Iterable[CardRow] = (),
        transactions: Iterable[TransactionRow] = (),
    ) -> LoadCounts:
        return await writes.merge(
            self._engine,
            parties=parties,
            accounts=accounts,
            relations=relations,
            balances=balances,
            cards=cards,
            transactions=transactions,
        )

    async def reset(self) -> None:
        await writes.reset(self._engine)

    async def known_accounts(self, *, ids: Sequence[str] = (), numbers: Sequence[str] = ()) -> dict[str, str]:
        """account number → account id of the stored accounts among ``ids`` and ``numbers``."""
        a = schema.account
        out: dict[str, str] = {}
        for column, values in ((a.c.account_id, ids), (a.c.account_number, numbers)):
            for chunk in _chunks(sorted(set(values))):
                for account_id, number in await self._all(
                    select(a.c.account_id, a.c.account_number).where(column.in_(chunk))
                ):
                    out[number] = account_id
        return out

    async def known_parties(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(sorted(set(ids))):
            found.update(
                row[0]
                for row in await self._all(select(schema.party.c.party_id).where(schema.party.c.party_id.in_(chunk)))
            )
        return found

    async def _all(self, statement: Any, parameters: dict[str, Any] | None = None) -> list[Any]:
        """The rows (tuples) of one read."""
        return await self._run(statement, parameters, rows=True)

    async def _run(self, statement: Any, parameters: Any = None, *, rows: bool) -> list[Any]:
        """One statement on a pooled connection of the request path, committed.

        That pool does not ping a connection before lending it (the ping was a round trip per
        request): a connection that died meanwhile (a database restart) fails its statement, the
        pool drops it and every connection as old as it, and the statement — a read or the
        idempotent reference insert — is run once more on a fresh one.
        """
        for attempt in (1, 2):
            try:
                async with self._reads.begin() as conn:
                    result = await conn.execute(statement, parameters)
                    return list(result.all()) if rows else []
            except DBAPIError as error:
                if attempt == 2 or not error.connection_invalidated:
                    raise
        raise AssertionError("unreachable")

    # ---- merged reads (sql_reads.py): one round trip each ------------------------------------
    async def _party_graph(self, party_id: str, *, consumer_org: str, account_info_request_id: str) -> AccountGraph:
        rows = await self._all(
            self._statements.party_graph,
            {"party_id": party_id, "consumer_org": consumer_org, "case": account_info_request_id},
        )
        return reads.graph_of(rows, with_references=True)

    async def _account_graph(self, account_ids: Sequence[str], *, booked_on: date | None = None) -> AccountGraph:
        if len(account_ids) != 1:
            return await super()._account_graph(account_ids, booked_on=booked_on)
        rows = await self._all(self._statements.account_graph, {"account_id": account_ids[0], "day": booked_on})
        return reads.graph_of(rows, with_booked=True)

    async def _account_and_transactions(
        self, account_id: str, start: datetime, end: datetime, after: tuple[datetime, str] | None, limit: int
    ) -> tuple[AccountRow | None, list[Transaction]]:
        rows = await self._all(
            self._statements.pages[after is not None], reads.page_parameters(account_id, start, end, after, limit)
        )
        if not rows:
            return None, []
        return reads.account_at(rows[0]), reads.transactions_at(rows, len(reads.ACCOUNT))

    # ---- fetches -----------------------------------------------------------------------------
    async def _relations_of_party(self, party_id: str) -> list[RelationRow]:
        rows = await self._all(select(*reads.RELATION).where(schema.relation.c.party_id == party_id))
        return [reads.relation_at(row, 0) for row in rows]

    async def _relations_of_accounts(self, account_ids: Sequence[str]) -> list[RelationRow]:
        out: list[RelationRow] = []
        for chunk in _chunks(account_ids):
            rows = await self._all(select(*reads.RELATION).where(schema.relation.c.account_id.in_(chunk)))
            out += [reads.relation_at(row, 0) for row in rows]
        return out

    async def _accounts(self, account_ids: Sequence[str]) -> dict[str, AccountRow]:
        out: dict[str, AccountRow] = {}
        for chunk in _chunks(account_ids):
            for row in await self._all(select(*reads.ACCOUNT).where(schema.account.c.account_id.in_(chunk))):
                out[row[0]] = reads.account_at(row)
        return out

    async def _parties(self, party_ids: Sequence[str]) -> dict[str, PartyRow]:
        out: dict[str, PartyRow] = {}
        for chunk in _chunks(party_ids):
            for row in await self._all(select(*reads.PARTY).where(schema.party.c.party_id.in_(chunk))):
                found = reads.party_at(row, 0)
                assert found is not None
                out[row[0]] = found
        return out

    async def _booked_at(self, account_id: str, day: date) -> BookedBalanceRow | None:
        table = schema.booked_balance
        rows = await self._all(
            select(table.c.day, table.c.amount)
            .where(table.c.account_id == account_id, table.c.day <= day)
            .order_by(table.c.day.desc())
            .limit(1)
        )
        if not rows:
            return None
        return BookedBalanceRow(account_id=account_id, day=rows[0][0], amount=rows[0][1])

    async def _cards(self, account_id: str) -> list[CardRow]:
        c = schema.card
        rows = await self._all(
            select(
                c.c.account_id,
                c.c.card_id,
                c.c.holder_party_id,
                c.c.linked_from,
                c.c.linked_to,
                *(c.c[name] for name in schema.CARD_COLUMNS),
            ).where(c.c.account_id == account_id)
        )
        return [
            CardRow(
                account_id=row[0],
                card_id=row[1],
                card=reads.payment_card(*row[5:]),
                holder_party_id=row[2],
                linked_from=row[3],
                linked_to=row[4],
            )
            for row in rows
        ]

    async def _transactions(
        self, account_id: str, start: datetime, end: datetime, after: tuple[datetime, str] | None, limit: int
    ) -> list[Transaction]:
        t = schema.transaction
        conditions = [t.c.account_id == account_id, t.c.booking_date >= start, t.c.booking_date < end]
        if after is not None:
            # A row-value comparison: one index range on (account_id, booking_date, identifier).
            conditions.append(tuple_(t.c.booking_date, t.c.transaction_identifier) > tuple_(*after))
        statement = (
            select(*reads.TRANSACTION)
            .where(*conditions)
            .order_by(t.c.booking_date, t.c.transaction_identifier)
            .limit(limit)
        )
        return reads.transactions_at(await self._all(statement), 0)

    async def _remember_references(self, rows: Sequence[ReferencedAccount]) -> None:
        table = schema.account_reference
        issued_at = self._clock()
        values = [
            {
                "reference": row.reference,
                "consumer_org": row.consumer_org,
                "account_info_request_id": row.account_info_request_id,
                "party_id": row.party_id,
                "account_id": row.account.account_id,
                "issued_at": utc(issued_at),
            }
            for row in rows
        ]
        dialect_insert = pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
        # One multi-row INSERT per chunk, not one per row: in autocommit each statement is its own
        # transaction, so this is one commit (one WAL flush) for the whole list.
        for start in range(0, len(values), _IN_CHUNK):
            chunk = values[start : start + _IN_CHUNK]
            await self._run(
                dialect_insert(table).values(chunk).on_conflict_do_nothing(index_elements=["reference"]), rows=False
            )

    async def _reference(self, reference: str) -> ReferencedAccount | None:
        rows = await self._all(self._statements.reference, {"reference": reference})
        if not rows:
            return None
        found, consumer_org, case, party_id = rows[0][:4]
        return ReferencedAccount(
            reference=found,
            consumer_org=consumer_org,
            party_id=party_id,
            account_info_request_id=case,
            account=record_of(reads.account_at(rows[0], 4)),
        )

    # ---- Konkurs: blocks, notices, cursor (each call one transaction) -----------------------
    async def _block(self, party_id: str, account_ids: Sequence[str]) -> int:
        async with self._engine.begin() as conn:
            return await self._block_in(conn, party_id, account_ids, None)

    async def unblock_accounts_of(self, party_id: str) -> int:
        async with self._engine.begin() as conn:
            return await self._unblock_in(conn, party_id)

    async def _apply_notice(self, notice: Konkursvarsel, *, feed: str, block: Sequence[str]) -> NoticeOutcome:
        n = schema.konkurs_notice
        async with self._engine.begin() as conn:
            known = (await conn.execute(select(n.c.uuid).where(n.c.uuid == notice.uuid))).first()
            changed = 0
            if known is None:
                if notice.type is KonkursType.AAPNING:
                    changed = await self._block_in(conn, notice.debitor, block, notice.uuid)
                elif notice.type is KonkursType.SLETTING:
                    changed = await self._unblock_in(conn, notice.debitor)
                await conn.execute(
                    n.insert().values(
                        uuid=notice.uuid,
                        registreringstidspunkt=utc(notice.registreringstidspunkt),
                        type=str(notice.type),
                        debitor=notice.debitor,
                        kjennelsesdato=notice.kjennelsesdato,
                        data=_NOTICE_JSON.encode(notice).decode(),
                        applied_at=utc(self._clock()),
                        accounts_changed=changed,
                    )
                )
            await self._advance_in(conn, feed, notice.registreringstidspunkt)
        return NoticeOutcome(
            uuid=notice.uuid, type=notice.type, debitor=notice.debitor, applied=known is None, accounts_changed=changed
        )

    async def konkurs_cursor(self, feed: str = KONKURS_FEED) -> datetime | None:
        c = schema.feed_cursor
        rows = await self._all(select(c.c.position).where(c.c.feed == feed))
        return reads.aware(rows[0][0]) if rows else None

    async def konkurs_notices_for(self, party_id: str) -> tuple[Konkursvarsel, ...]:
        n = schema.konkurs_notice
        rows = await self._all(
            select(n.c.data).where(n.c.debitor == party_id).order_by(n.c.registreringstidspunkt, n.c.uuid)
        )
        return tuple(_NOTICE.decode(row[0]) for row in rows)

    async def _block_in(
        self, conn: AsyncConnection, party_id: str, account_ids: Sequence[str], cause: str | None
    ) -> int:
        a, b = schema.account, schema.konkurs_block
        enabled, blocked = str(AccountStatus.ENABLED), str(AccountStatus.DISABLED)
        changed = 0
        for chunk in _chunks(sorted(set(account_ids))):
            status = {
                i: s
                for i, s in (await conn.execute(select(a.c.account_id, a.c.status).where(a.c.account_id.in_(chunk))))
            }
            by_konkurs = set(
                (await conn.execute(select(b.c.account_id).where(b.c.account_id.in_(chunk)))).scalars().all()
            )
            # Enabled accounts, and accounts another bankruptcy blocks (so each debtor's sletting
            # only lifts its own block); never an account disabled for some other reason.
            eligible = [i for i in chunk if status.get(i) == enabled or (status.get(i) == blocked and i in by_konkurs)]
            if not eligible:
                continue
            result = await conn.execute(
                update(a).where(a.c.account_id.in_(eligible), a.c.status == enabled).values(status=blocked)
            )
            changed += result.rowcount
            insert = pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
            await conn.execute(
                insert(b).on_conflict_do_nothing(index_elements=["account_id", "party_id"]),
                [
                    {"account_id": i, "party_id": party_id, "notice_uuid": cause, "blocked_at": utc(self._clock())}
                    for i in eligible
                ],
            )
        return changed

    async def _unblock_in(self, conn: AsyncConnection, party_id: str) -> int:
        a, b = schema.account, schema.konkurs_block
        ids = list((await conn.execute(select(b.c.account_id).where(b.c.party_id == party_id))).scalars().all())
        if not ids:
            return 0
        await conn.execute(delete(b).where(b.c.party_id == party_id))
        changed = 0
        for chunk in _chunks(sorted(ids)):
            still = set((await conn.execute(select(b.c.account_id).where(b.c.account_id.in_(chunk)))).scalars().all())
            reopen = [i for i in chunk if i not in still]
            if reopen:
                result = await conn.execute(
                    update(a)
                    .where(a.c.account_id.in_(reopen), a.c.status == str(AccountStatus.DISABLED))
                    .values(status=str(AccountStatus.ENABLED))
                )
                changed += result.rowcount
        return changed

    async def _advance_in(self, conn: AsyncConnection, feed: str, position: datetime) -> None:
        c = schema.feed_cursor
        current = (await conn.execute(select(c.c.position).where(c.c.feed == feed))).scalar_one_or_none()
        if current is None:
            await conn.execute(c.insert().values(feed=feed, position=utc(position), updated_at=utc(self._clock())))
        elif reads.aware(current) < position:  # type: ignore[operator]
            await conn.execute(
                update(c).where(c.c.feed == feed).values(position=utc(position), updated_at=utc(self._clock()))
            )


__all__ = ["SqlBankStore"]
