"""``MemoryBankStore``: the in-process twin of the SQL store (STYLE.md habit 7).

Same rules (it shares :class:`.base.RowStore`), same references, same keyset order, no database:
for unit tests, the one-laptop demo and a fake bank in the orchestrator's tests.  Unlike the SQL
store, ``load`` is not transactional: rows before a refused one stay loaded.  The contract
suite in ``tests/provider/store`` runs against it and against SQLite and PostgreSQL.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from opendsop.contracts.registers.models import KonkursType, Konkursvarsel
from opendsop.provider.store import loader
from opendsop.provider.store.base import RowStore
from opendsop.provider.store.records import (
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
from opendsop.standard.control.v2 import AccountStatus, Transaction


class MemoryBankStore(RowStore):
    """A :class:`~.repository.BankStore` in dictionaries (see :class:`.base.RowStore` for options)."""

    def __init__(self, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self._party: dict[str, PartyRow] = {}
        self._account: dict[str, AccountRow] = {}
        self._by_party: dict[str, list[RelationRow]] = {}
        self._by_account: dict[str, list[RelationRow]] = {}
        self._booked: dict[str, dict[date, BookedBalanceRow]] = {}
        self._card: dict[str, dict[str, CardRow]] = {}
        # Per account: sorted keyset keys and the transactions by key.
        self._keys: dict[str, list[tuple[datetime, str]]] = {}
        self._tx: dict[str, dict[tuple[datetime, str], Transaction]] = {}
        self._ids: dict[str, set[str]] = {}
        self._ref: dict[str, ReferencedAccount] = {}
        self._blocks: dict[tuple[str, str], str | None] = {}  # (account, debtor) → the aapning's uuid
        self._notices: dict[str, Konkursvarsel] = {}
        self._cursors: dict[str, datetime] = {}

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
        counts = dict.fromkeys(("parties", "accounts", "relations", "balances", "cards", "transactions"), 0)
        for party in parties:
            loader.check_party(party)
            _insert(self._party, party.party_id, party, "party")
            counts["parties"] += 1
        for account in accounts:
            loader.check_account(account)
            _insert(self._account, account.account_id, account, "account")
            counts["accounts"] += 1
        for relation in relations:
            loader.check_relation(relation)
            self._known(relation.account_id)
            if relation.party_id not in self._party:
                raise ValueError(f"relation names unknown party {relation.party_id!r}")
            relation_key = (relation.party_id, relation.account_id, relation.role, relation.start_date)
            if any(
                (r.party_id, r.account_id, r.role, r.start_date) == relation_key
                for r in self._by_account.get(relation.account_id, ())
            ):
                raise ValueError(f"duplicate relation {relation_key!r}")
            self._by_party.setdefault(relation.party_id, []).append(relation)
            self._by_account.setdefault(relation.account_id, []).append(relation)
            counts["relations"] += 1
        for balance in balances:
            self._known(balance.account_id)
            _insert(self._booked.setdefault(balance.account_id, {}), balance.day, balance, "booked balance")
            counts["balances"] += 1
        for card in cards:
            loader.check_card(card)
            self._known(card.account_id)
            _insert(self._card.setdefault(card.account_id, {}), card.card_id, card, "card")
            counts["cards"] += 1
        for row in transactions:
            loader.check_transaction(row)
            self._known(row.account_id)
            tx = row.transaction
            assert tx.booking_date is not None
            key = (utc(tx.booking_date), tx.transaction_identifier)
            by_key = self._tx.setdefault(row.account_id, {})
            keys = self._keys.setdefault(row.account_id, [])
            ids = self._ids.setdefault(row.account_id, set())
            if tx.transaction_identifier in ids:
                raise ValueError(f"duplicate transaction {tx.transaction_identifier!r} on {row.account_id!r}")
            ids.add(tx.transaction_identifier)
            by_key[key] = tx
            bisect.insort(keys, key)
            counts["transactions"] += 1
        return LoadCounts(**counts)

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
        """Insert or update by key, as :func:`.writes.merge` does (checked first, so all or nothing)."""
        rows: dict[str, list[Any]] = {
            "parties": list(parties),
            "accounts": list(accounts),
            "relations": list(relations),
            "balances": list(balances),
            "cards": list(cards),
            "transactions": list(transactions),
        }
        self._check_merge(rows)
        for party in rows["parties"]:
            self._party[party.party_id] = party
        for account in rows["accounts"]:
            self._account[account.account_id] = account
        for relation in rows["relations"]:
            key = (relation.party_id, relation.account_id, relation.role, relation.start_date)
            for index in (
                self._by_party.setdefault(relation.party_id, []),
                self._by_account.setdefault(relation.account_id, []),
            ):
                index[:] = [r for r in index if (r.party_id, r.account_id, r.role, r.start_date) != key]
                index.append(relation)
        for balance in rows["balances"]:
            self._booked.setdefault(balance.account_id, {})[balance.day] = balance
        for card in rows["cards"]:
            self._card.setdefault(card.account_id, {})[card.card_id] = card
        for row in rows["transactions"]:
            self._merge_transaction(row)
        return LoadCounts(**{name: len(found) for name, found in rows.items()})

    def _check_merge(self, rows: dict[str, list[Any]]) -> None:
        for check, name in (
            (loader.check_party, "parties"),
            (loader.check_account, "accounts"),
            (loader.check_relation, "relations"),
            (loader.check_card, "cards"),
            (loader.check_transaction, "transactions"),
        ):
            for row in rows[name]:
                check(row)
        known_accounts = set(self._account) | {row.account_id for row in rows["accounts"]}
        known_parties = set(self._party) | {row.party_id for row in rows["parties"]}
        for name in ("relations", "balances", "cards", "transactions"):
            for row in rows[name]:
                if row.account_id not in known_accounts:
                    raise ValueError(f"row names unknown account {row.account_id!r}")
        for relation in rows["relations"]:
            if relation.party_id not in known_parties:
                raise ValueError(f"relation names unknown party {relation.party_id!r}")

    def _merge_transaction(self, row: TransactionRow) -> None:
        tx = row.transaction
        assert tx.booking_date is not None
        by_key = self._tx.setdefault(row.account_id, {})
        keys = self._keys.setdefault(row.account_id, [])
        ids = self._ids.setdefault(row.account_id, set())
        if tx.transaction_identifier in ids:  # an update may move it in the keyset order
            old = next(key for key in keys if key[1] == tx.transaction_identifier)
            keys.remove(old)
            del by_key[old]
        ids.add(tx.transaction_identifier)
        key = (utc(tx.booking_date), tx.transaction_identifier)
        by_key[key] = tx
        bisect.insort(keys, key)

    async def known_accounts(self, *, ids: Sequence[str] = (), numbers: Sequence[str] = ()) -> dict[str, str]:
        """account number → account id of the stored accounts among ``ids`` and ``numbers``."""
        wanted_ids, wanted_numbers = set(ids), set(numbers)
        return {
            row.account_number: row.account_id
            for row in self._account.values()
            if row.account_id in wanted_ids or row.account_number in wanted_numbers
        }

    async def known_parties(self, ids: Sequence[str]) -> set[str]:
        return {party_id for party_id in ids if party_id in self._party}

    async def reset(self) -> None:
        for table in (
            self._party,
            self._account,
            self._by_party,
            self._by_account,
            self._booked,
            self._card,
            self._keys,
            self._tx,
            self._ids,
            self._ref,
            self._blocks,
            self._notices,
            self._cursors,
        ):
            table.clear()

    def _known(self, account_id: str) -> None:
        if account_id not in self._account:
            raise ValueError(f"row names unknown account {account_id!r}")

    async def close(self) -> None:
        return None

    # ---- fetches -----------------------------------------------------------------------------
    async def _relations_of_party(self, party_id: str) -> list[RelationRow]:
        return list(self._by_party.get(party_id, ()))

    async def _relations_of_accounts(self, account_ids: Sequence[str]) -> list[RelationRow]:
        return [relation for account_id in account_ids for relation in self._by_account.get(account_id, ())]

    async def _accounts(self, account_ids: Sequence[str]) -> dict[str, AccountRow]:
        return {account_id: self._account[account_id] for account_id in account_ids if account_id in self._account}

    async def _parties(self, party_ids: Sequence[str]) -> dict[str, PartyRow]:
        return {party_id: self._party[party_id] for party_id in party_ids if party_id in self._party}

    async def _booked_at(self, account_id: str, day: date) -> BookedBalanceRow | None:
        days = [d for d in self._booked.get(account_id, {}) if d <= day]
        return self._booked[account_id][max(days)] if days else None

    async def _cards(self, account_id: str) -> list[CardRow]:
        return list(self._card.get(account_id, {}).values())

    async def _transactions(
        self, account_id: str, start: datetime, end: datetime, after: tuple[datetime, str] | None, limit: int
    ) -> list[Transaction]:
        keys = self._keys.get(account_id, [])
        index = bisect.bisect_right(keys, after) if after is not None else 0
        index = max(index, bisect.bisect_left(keys, (start, "")))
        out: list[Transaction] = []
        while index < len(keys) and len(out) < limit and keys[index][0] < end:
            out.append(self._tx[account_id][keys[index]])
            index += 1
        return out

    async def _remember_references(self, rows: Sequence[ReferencedAccount]) -> None:
        for row in rows:
            self._ref.setdefault(row.reference, row)

    async def _reference(self, reference: str) -> ReferencedAccount | None:
        found = self._ref.get(reference)
        if found is None:
            return None
        account = self._account.get(found.account.account_id)
        # The record reflects the account now (its status may have changed since issuing).
        return replace(found, account=record_of(account)) if account else None

    # ---- Konkurs: no await between reading and writing, so each call is atomic ------------------
    async def _block(self, party_id: str, account_ids: Sequence[str]) -> int:
        return self._block_now(party_id, account_ids, None)

    async def unblock_accounts_of(self, party_id: str) -> int:
        return self._unblock_now(party_id)

    async def _apply_notice(self, notice: Konkursvarsel, *, feed: str, block: Sequence[str]) -> NoticeOutcome:
        known = notice.uuid in self._notices
        changed = 0
        if not known:
            if notice.type is KonkursType.AAPNING:
                changed = self._block_now(notice.debitor, block, notice.uuid)
            elif notice.type is KonkursType.SLETTING:
                changed = self._unblock_now(notice.debitor)
            self._notices[notice.uuid] = notice
        current = self._cursors.get(feed)
        if current is None or current < notice.registreringstidspunkt:
            self._cursors[feed] = notice.registreringstidspunkt
        return NoticeOutcome(
            uuid=notice.uuid, type=notice.type, debitor=notice.debitor, applied=not known, accounts_changed=changed
        )

    async def konkurs_cursor(self, feed: str = KONKURS_FEED) -> datetime | None:
        return self._cursors.get(feed)

    async def konkurs_notices_for(self, party_id: str) -> tuple[Konkursvarsel, ...]:
        found = [n for n in self._notices.values() if n.debitor == party_id]
        return tuple(sorted(found, key=lambda n: (n.registreringstidspunkt, n.uuid)))

    def _block_now(self, party_id: str, account_ids: Sequence[str], cause: str | None) -> int:
        by_konkurs = {account_id for account_id, _ in self._blocks}
        changed = 0
        for account_id in sorted(set(account_ids)):
            account = self._account.get(account_id)
            if account is None:
                continue
            if account.status is AccountStatus.ENABLED:
                self._account[account_id] = replace(account, status=AccountStatus.DISABLED)
                changed += 1
            elif account_id not in by_konkurs:
                continue  # disabled for another reason: not ours to reopen later
            self._blocks.setdefault((account_id, party_id), cause)
        return changed

    def _unblock_now(self, party_id: str) -> int:
        mine = [key for key in self._blocks if key[1] == party_id]
        for key in mine:
            del self._blocks[key]
        still = {account_id for account_id, _ in self._blocks}
        changed = 0
        for account_id, _ in mine:
            account = self._account.get(account_id)
            if account is not None and account_id not in still and account.status is AccountStatus.DISABLED:
                self._account[account_id] = replace(account, status=AccountStatus.ENABLED)
                changed += 1
        return changed


def _insert(table: dict[Any, Any], key: object, value: object, what: str) -> None:
    if key in table:
        raise ValueError(f"duplicate {what} {key!r}")
    table[key] = value


__all__ = ["MemoryBankStore"]
