"""``SqlBankStore``: the bank store on SQLite (embedded default) or PostgreSQL (SQLAlchemy Core).

Decides the statements behind :class:`.base.RowStore`'s fetches.  The per-party data (relations,
accounts, parties) is small and fetched whole, then the shared rules decide; the large tables are
only ever read by key: booked balance = one ``ORDER BY day DESC LIMIT 1`` row, transactions = one
keyset range ``(booking_date, transaction_identifier) > (:b, :t)`` over the index
``(account_id, booking_date, transaction_identifier)`` (STACK.md §2.4: ~1.4 ms per 1000 rows deep
into an account, where OFFSET degrades ~25×).

Create it with :meth:`SqlBankStore.open`, which runs the alembic migrations (``migrate=True``).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Sequence
from contextvars import ContextVar
from datetime import UTC, date, datetime
from typing import Any

import msgspec
from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from opendsop.provider.store import loader, schema
from opendsop.provider.store.base import RowStore
from opendsop.provider.store.records import (
    AccountRow,
    BookedBalanceRow,
    CardRow,
    Delivery,
    PartyRow,
    ReferencedAccount,
    RelationRole,
    RelationRow,
    TransactionRow,
    record_of,
)
from opendsop.provider.store.repository import KONKURS_FEED, LoadCounts, NoticeOutcome
from opendsop.provider.store.rules import utc
from opendsop.registers.models import KonkursType, Konkursvarsel
from opendsop.serving import create_engine
from opendsop.standard.control.v2 import (
    AccountPermissionType,
    AccountStatus,
    AccountType,
    BankTransactionCode,
    CardStatus,
    CardType,
    CounterParty,
    CreditOrDebit,
    CurrencyExchange,
    DomainType,
    FamilyType,
    Identifier,
    IdentifierType,
    PaymentCard,
    SubFamilyType,
    Transaction,
    TransactionReference,
    TransactionStatus,
)

_IN_CHUNK = 500  # bound the size of IN (...) lists
_REFERENCES = msgspec.json.Decoder(tuple[TransactionReference, ...])
_COUNTER_PARTIES = msgspec.json.Decoder(tuple[CounterParty, ...])
_NOTICE = msgspec.json.Decoder(Konkursvarsel)
_NOTICE_JSON = msgspec.json.Encoder()


_MEMBERS: dict[Any, dict[str, Any]] = {}


def _enum(kind: Any, value: Any) -> Any:
    # A dict lookup per value: Enum.__call__ was a tenth of the time of a 1000-row page.
    if value is None:
        return None
    members = _MEMBERS.get(kind)
    if members is None:
        members = _MEMBERS[kind] = {member.value: member for member in kind}
    return members.get(value) or kind(value)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start:start + _IN_CHUNK]


class SqlBankStore(RowStore):
    """A :class:`~.repository.BankStore` on an ``AsyncEngine`` (options: see :class:`.base.RowStore`)."""

    def __init__(self, engine: AsyncEngine, **options: Any) -> None:
        super().__init__(**options)
        self._engine = engine
        # The connection of the request being served (per task: concurrent requests never share one).
        self._connection: ContextVar[AsyncConnection | None] = ContextVar(f"bank-store-{id(self)}", default=None)

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
        await self._engine.dispose()

    async def load(self, *, parties: Iterable[PartyRow] = (), accounts: Iterable[AccountRow] = (),
                   relations: Iterable[RelationRow] = (), balances: Iterable[BookedBalanceRow] = (),
                   cards: Iterable[CardRow] = (), transactions: Iterable[TransactionRow] = ()) -> LoadCounts:
        return await loader.load(self._engine, parties=parties, accounts=accounts, relations=relations,
                                 balances=balances, cards=cards, transactions=transactions)

    @contextlib.asynccontextmanager
    async def _unit(self) -> AsyncIterator[None]:
        """One pooled connection for all the statements of one request (see ``RowStore._unit``)."""
        if self._connection.get() is not None:
            yield
            return
        async with self._engine.connect() as conn:
            token = self._connection.set(conn)
            try:
                yield
            finally:
                self._connection.reset(token)

    async def _all(self, statement: Any) -> list[Any]:
        shared = self._connection.get()
        if shared is not None:
            return list((await shared.execute(statement)).mappings())
        async with self._engine.connect() as conn:
            return list((await conn.execute(statement)).mappings())

    # ---- fetches -----------------------------------------------------------------------------
    async def _relations_of_party(self, party_id: str) -> list[RelationRow]:
        return [_relation(m) for m in await self._all(
            select(schema.relation).where(schema.relation.c.party_id == party_id))]

    async def _relations_of_accounts(self, account_ids: Sequence[str]) -> list[RelationRow]:
        out: list[RelationRow] = []
        for chunk in _chunks(account_ids):
            out += [_relation(m) for m in await self._all(
                select(schema.relation).where(schema.relation.c.account_id.in_(chunk)))]
        return out

    async def _accounts(self, account_ids: Sequence[str]) -> dict[str, AccountRow]:
        out: dict[str, AccountRow] = {}
        for chunk in _chunks(account_ids):
            for m in await self._all(select(schema.account).where(schema.account.c.account_id.in_(chunk))):
                out[m["account_id"]] = _account(m)
        return out

    async def _parties(self, party_ids: Sequence[str]) -> dict[str, PartyRow]:
        out: dict[str, PartyRow] = {}
        for chunk in _chunks(party_ids):
            for m in await self._all(select(schema.party).where(schema.party.c.party_id.in_(chunk))):
                out[m["party_id"]] = PartyRow(party_id=m["party_id"], name=m["name"], country=m["country"])
        return out

    async def _booked_at(self, account_id: str, day: date) -> BookedBalanceRow | None:
        table = schema.booked_balance
        rows = await self._all(select(table).where(table.c.account_id == account_id, table.c.day <= day)
                               .order_by(table.c.day.desc()).limit(1))
        if not rows:
            return None
        return BookedBalanceRow(account_id=account_id, day=rows[0]["day"], amount=rows[0]["amount"])

    async def _cards(self, account_id: str) -> list[CardRow]:
        rows = await self._all(select(schema.card).where(schema.card.c.account_id == account_id))
        return [CardRow(account_id=m["account_id"], card_id=m["card_id"], card=_card(m, ""),
                        holder_party_id=m["holder_party_id"], linked_from=m["linked_from"],
                        linked_to=m["linked_to"]) for m in rows]

    async def _transactions(self, account_id: str, start: datetime, end: datetime,
                            after: tuple[datetime, str] | None, limit: int) -> list[Transaction]:
        t = schema.transaction
        conditions = [t.c.account_id == account_id, t.c.booking_date >= start, t.c.booking_date < end]
        if after is not None:
            # A row-value comparison: one index range on (account_id, booking_date, identifier).
            conditions.append(tuple_(t.c.booking_date, t.c.transaction_identifier) > tuple_(*after))
        statement = (select(t).where(*conditions)
                     .order_by(t.c.booking_date, t.c.transaction_identifier).limit(limit))
        return [_transaction(m) for m in await self._all(statement)]

    async def _remember_references(self, rows: Sequence[ReferencedAccount]) -> None:
        table = schema.account_reference
        issued_at = self._clock()
        values = [{"reference": row.reference, "consumer_org": row.consumer_org,
                   "account_info_request_id": row.account_info_request_id, "party_id": row.party_id,
                   "account_id": row.account.account_id, "issued_at": utc(issued_at)} for row in rows]
        dialect_insert = pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
        statement = dialect_insert(table).on_conflict_do_nothing(index_elements=["reference"])
        shared = self._connection.get()
        if shared is not None:  # the reads before it were on this connection: commit them together
            await shared.execute(statement, values)
            await shared.commit()
            return
        async with self._engine.begin() as conn:
            await conn.execute(statement, values)

    async def _reference(self, reference: str) -> ReferencedAccount | None:
        r, a = schema.account_reference, schema.account
        rows = await self._all(select(r.c.reference, r.c.consumer_org, r.c.account_info_request_id, r.c.party_id,
                                      a).join(a, a.c.account_id == r.c.account_id).where(r.c.reference == reference))
        if not rows:
            return None
        m = rows[0]
        return ReferencedAccount(reference=m["reference"], consumer_org=m["consumer_org"], party_id=m["party_id"],
                                 account_info_request_id=m["account_info_request_id"], account=record_of(_account(m)))

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
                await conn.execute(n.insert().values(
                    uuid=notice.uuid, registreringstidspunkt=utc(notice.registreringstidspunkt),
                    type=str(notice.type), debitor=notice.debitor, kjennelsesdato=notice.kjennelsesdato,
                    data=_NOTICE_JSON.encode(notice).decode(), applied_at=utc(self._clock()),
                    accounts_changed=changed))
            await self._advance_in(conn, feed, notice.registreringstidspunkt)
        return NoticeOutcome(uuid=notice.uuid, type=notice.type, debitor=notice.debitor, applied=known is None,
                             accounts_changed=changed)

    async def konkurs_cursor(self, feed: str = KONKURS_FEED) -> datetime | None:
        c = schema.feed_cursor
        rows = await self._all(select(c.c.position).where(c.c.feed == feed))
        return _aware(rows[0]["position"]) if rows else None

    async def konkurs_notices_for(self, party_id: str) -> tuple[Konkursvarsel, ...]:
        n = schema.konkurs_notice
        rows = await self._all(select(n.c.data).where(n.c.debitor == party_id)
                               .order_by(n.c.registreringstidspunkt, n.c.uuid))
        return tuple(_NOTICE.decode(m["data"]) for m in rows)

    async def _block_in(self, conn: AsyncConnection, party_id: str, account_ids: Sequence[str],
                        cause: str | None) -> int:
        a, b = schema.account, schema.konkurs_block
        enabled, blocked = str(AccountStatus.ENABLED), str(AccountStatus.DISABLED)
        changed = 0
        for chunk in _chunks(sorted(set(account_ids))):
            status = {i: s for i, s in (await conn.execute(select(a.c.account_id, a.c.status)
                                                     .where(a.c.account_id.in_(chunk))))}
            by_konkurs = set((await conn.execute(select(b.c.account_id).where(b.c.account_id.in_(chunk))))
                             .scalars().all())
            # Enabled accounts, and accounts another bankruptcy blocks (so each debtor's sletting
            # only lifts its own block); never an account disabled for some other reason.
            eligible = [i for i in chunk if status.get(i) == enabled or (status.get(i) == blocked and i in by_konkurs)]
            if not eligible:
                continue
            result = await conn.execute(update(a).where(a.c.account_id.in_(eligible), a.c.status == enabled)
                                        .values(status=blocked))
            changed += result.rowcount
            insert = pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
            await conn.execute(insert(b).on_conflict_do_nothing(index_elements=["account_id", "party_id"]), [
                {"account_id": i, "party_id": party_id, "notice_uuid": cause, "blocked_at": utc(self._clock())}
                for i in eligible])
        return changed

    async def _unblock_in(self, conn: AsyncConnection, party_id: str) -> int:
        a, b = schema.account, schema.konkurs_block
        ids = list((await conn.execute(select(b.c.account_id).where(b.c.party_id == party_id))).scalars().all())
        if not ids:
            return 0
        await conn.execute(delete(b).where(b.c.party_id == party_id))
        changed = 0
        for chunk in _chunks(sorted(ids)):
            still = set((await conn.execute(select(b.c.account_id).where(b.c.account_id.in_(chunk))))
                        .scalars().all())
            reopen = [i for i in chunk if i not in still]
            if reopen:
                result = await conn.execute(update(a).where(a.c.account_id.in_(reopen),
                                                            a.c.status == str(AccountStatus.DISABLED))
                                            .values(status=str(AccountStatus.ENABLED)))
                changed += result.rowcount
        return changed

    async def _advance_in(self, conn: AsyncConnection, feed: str, position: datetime) -> None:
        c = schema.feed_cursor
        current = (await conn.execute(select(c.c.position).where(c.c.feed == feed))).scalar_one_or_none()
        if current is None:
            await conn.execute(c.insert().values(feed=feed, position=utc(position), updated_at=utc(self._clock())))
        elif _aware(current) < position:  # type: ignore[operator]
            await conn.execute(update(c).where(c.c.feed == feed)
                               .values(position=utc(position), updated_at=utc(self._clock())))


# ---- column values back to rows ----------------------------------------------------------------
def _relation(m: Any) -> RelationRow:
    return RelationRow(account_id=m["account_id"], party_id=m["party_id"], role=RelationRole(m["role"]),
                       start_date=m["start_date"], end_date=m["end_date"],
                       permission=_enum(AccountPermissionType, m["permission"]))


def _account(m: Any) -> AccountRow:
    return AccountRow(
        account_id=m["account_id"], account_number=m["account_number"], type=AccountType(m["type"]),
        currency=m["currency"], status=AccountStatus(m["status"]), start_date=m["start_date"],
        end_date=m["end_date"], servicer_id=m["servicer_id"], servicer_name=m["servicer_name"],
        credit_line_amount=m["credit_line_amount"], credit_line_currency=m["credit_line_currency"],
        credit_line_included=bool(m["credit_line_included"]), available_amount=m["available_amount"],
        available_registered=utc(m["available_registered"]) if m["available_registered"] else None,
        history_from=m["history_from"], delivery=Delivery(m["delivery"]),
    )


def _card(m: Any, prefix: str) -> PaymentCard:
    def col(name: str) -> Any:
        return m[prefix + name]

    issuer = None
    if col("issuer_id_value") is not None:
        issuer = Identifier(country_of_residence=col("issuer_id_country"), value=col("issuer_id_value"),
                            type=IdentifierType(col("issuer_id_type")))
    return PaymentCard(
        card_identifier=col("card_number"), holder_name=col("holder_name"), start_date=col("start_month"),
        expiry_date=col("expiry_month"), card_issuer_name=col("issuer_name"), type=_enum(CardType, col("type")),
        card_status=_enum(CardStatus, col("status")), version_number=col("version_number"),
        card_issuer_identifier=issuer,
    )


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _transaction(m: Any) -> Transaction:
    code = None
    if any(m[name] is not None for name in ("code_domain", "code_family", "code_sub_family", "code_free_text")):
        code = BankTransactionCode(domain=_enum(DomainType, m["code_domain"]),
                                   family=_enum(FamilyType, m["code_family"]),
                                   sub_family=_enum(SubFamilyType, m["code_sub_family"]),
                                   free_text=m["code_free_text"])
    fx = None
    if any(m[name] is not None for name in ("fx_original_amount", "fx_source_currency", "fx_target_currency",
                                            "fx_unit_currency", "fx_exchange_rate")):
        fx = CurrencyExchange(original_amount=m["fx_original_amount"], source_currency=m["fx_source_currency"],
                              target_currency=m["fx_target_currency"], unit_currency=m["fx_unit_currency"],
                              exchange_rate=m["fx_exchange_rate"])
    refs, parties = m["refs"], m["counter_parties"]
    return Transaction(
        transaction_identifier=m["transaction_identifier"],
        references=_REFERENCES.decode(refs) if refs is not None else None,
        credit_debit_indicator=_enum(CreditOrDebit, m["credit_debit"]),
        reversal_indicator=m["reversal"],
        status=_enum(TransactionStatus, m["status"]),
        transaction_code=code,
        booking_date=_aware(m["booking_date"]),
        value_date=_aware(m["value_date"]),
        counter_parties=_COUNTER_PARTIES.decode(parties) if parties is not None else None,
        additional_info=m["additional_info"],
        currency_exchange=fx,
        merchant=m["merchant"],
        payment_card=_card(m, "card_") if m["card_card_number"] is not None else None,
        registered=_aware(m["registered"]),
        amount=m["amount"],
        currency=m["currency"],
    )


__all__ = ["SqlBankStore"]
