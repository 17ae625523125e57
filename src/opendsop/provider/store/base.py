"""One implementation of :class:`BankStore` over a few row fetches, shared by SQL and memory.

Decides nothing new: it applies :mod:`.rules` and :mod:`.mapping` to rows that a subclass fetches
(``_accounts``, ``_relations_*``, ``_parties``, ``_booked_at``, ``_cards``, ``_transactions``,
reference storage, status updates).  Keeping the rules here, once, is what makes the SQL store
and its in-memory twin agree; a bank adapting its core system can subclass this too and write
only the fetches.  The request path asks for merged reads (``_party_graph``, ``_account_graph``,
``_account_and_transactions``), composed here of the fetches; the SQL store answers each with
one statement (an account list used to take ~9 round trips).

Time comes from the injected ``clock`` (aware ``datetime``); "today" is its date in ``zone``
(Europe/Oslo: the standard's dates are Norwegian calendar days).
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from datetime import date, datetime, tzinfo

from opendsop.clock import OSLO, utc_now
from opendsop.contracts.registers.models import KonkursType, Konkursvarsel
from opendsop.provider.store import mapping, references, rules
from opendsop.provider.store.records import (
    ACCESS_ROLES,
    OWNER_ROLES,
    AccountGraph,
    AccountRow,
    BookedBalanceRow,
    CardRow,
    Delivery,
    PartyRow,
    ReferencedAccount,
    RelationRow,
    record_of,
)
from opendsop.provider.store.repository import (
    KONKURS_FEED,
    AccountDetailsResult,
    AccountsResult,
    CardsResult,
    NoticeOutcome,
    RolesResult,
    TransactionsPage,
    combine,
)
from opendsop.standard.control.v2 import FinancialInstitution, Transaction
from opendsop.standard.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from opendsop.standard.period import Period


class RowStore(abc.ABC):
    """:class:`~.repository.BankStore` given row fetches.

    ``reference_secret`` keys the accountReference MAC (:mod:`.references`; only an account list
    needs it, so a store opened to load or import data needs none); ``servicer`` is this
    bank, used when an account names no other servicer; ``retention_years`` is how many years of
    history stay online (``None``: all of it; per-account ``history_from`` applies as well).
    """

    def __init__(
        self,
        *,
        reference_secret: bytes | None = None,
        servicer: FinancialInstitution | None = None,
        clock: Callable[[], datetime] = utc_now,
        zone: tzinfo = OSLO,
        retention_years: int | None = None,
    ) -> None:
        if reference_secret is not None:  # loading needs none; answering an account list does
            references.issue(
                reference_secret, consumer_org="", account_info_request_id="", party_id="", account_id=""
            )  # fail fast on a short secret
        self._secret = bytes(reference_secret) if reference_secret is not None else None
        self._servicer = servicer
        self._clock = clock
        self._zone = zone
        self._retention_years = retention_years

    #: Whether every answer is built anew, sharing nothing (repository.py, "Fresh bodies"): the
    #: memory twin hands out the transactions it holds, so its answers must be filtered by copy.
    fresh_bodies = False

    # ---- fetches a subclass provides -------------------------------------------------------
    @abc.abstractmethod
    async def _relations_of_party(self, party_id: str) -> list[RelationRow]: ...
    @abc.abstractmethod
    async def _relations_of_accounts(self, account_ids: Sequence[str]) -> list[RelationRow]: ...
    @abc.abstractmethod
    async def _accounts(self, account_ids: Sequence[str]) -> dict[str, AccountRow]: ...
    @abc.abstractmethod
    async def _parties(self, party_ids: Sequence[str]) -> dict[str, PartyRow]: ...
    @abc.abstractmethod
    async def _booked_at(self, account_id: str, day: date) -> BookedBalanceRow | None:
        """The latest booked balance on or before ``day``."""

    @abc.abstractmethod
    async def _cards(self, account_id: str) -> list[CardRow]: ...
    @abc.abstractmethod
    async def _transactions(
        self, account_id: str, start: datetime, end: datetime, after: tuple[datetime, str] | None, limit: int
    ) -> list[Transaction]:
        """Up to ``limit`` transactions booked in ``[start, end)`` strictly after ``after``, in keyset order."""

    @abc.abstractmethod
    async def _remember_references(self, rows: Sequence[ReferencedAccount]) -> None:
        """Store issued references (idempotent: the same reference may be stored again)."""

    @abc.abstractmethod
    async def _reference(self, reference: str) -> ReferencedAccount | None: ...
    @abc.abstractmethod
    async def _block(self, party_id: str, account_ids: Sequence[str]) -> int:
        """Disable ``account_ids`` because of ``party_id``'s bankruptcy (see ``block_accounts_of``)."""

    @abc.abstractmethod
    async def unblock_accounts_of(self, party_id: str) -> int: ...

    @abc.abstractmethod
    async def _apply_notice(self, notice: Konkursvarsel, *, feed: str, block: Sequence[str]) -> NoticeOutcome:
        """In one transaction: store ``notice`` (unless known), block ``block`` (``aapning``) or
        unblock the debtor (``sletting``), advance ``feed``'s cursor."""

    @abc.abstractmethod
    async def konkurs_cursor(self, feed: str = KONKURS_FEED) -> datetime | None: ...

    @abc.abstractmethod
    async def konkurs_notices_for(self, party_id: str) -> tuple[Konkursvarsel, ...]: ...

    # ---- merged reads: one round trip each in the SQL store; composed of the fetches above here --
    async def _party_graph(self, party_id: str, *, consumer_org: str, account_info_request_id: str) -> AccountGraph:
        """The accounts on which ``party_id`` holds an access role, with every relation on them and
        the parties of those relations; ``stored_references`` may name references already stored
        for this consumer and case (an implementation may leave it empty: storing is idempotent)."""
        own = await self._relations_of_party(party_id)
        candidate_ids = sorted({relation.account_id for relation in own if relation.role in ACCESS_ROLES})
        if not candidate_ids:
            return AccountGraph({}, [], {})
        return await self._account_graph(candidate_ids)

    async def _account_graph(self, account_ids: Sequence[str], *, booked_on: date | None = None) -> AccountGraph:
        """``account_ids`` with their relations and the relations' parties; with ``booked_on`` (one
        account) also its latest booked balance on or before that day."""
        accounts = await self._accounts(account_ids)
        relations = await self._relations_of_accounts(
            [account_id for account_id in account_ids if account_id in accounts]
        )
        parties = await self._parties(sorted({relation.party_id for relation in relations}))
        booked = None
        if booked_on is not None and len(account_ids) == 1 and account_ids[0] in accounts:
            booked = await self._booked_at(account_ids[0], booked_on)
        return AccountGraph(accounts, relations, parties, booked)

    async def _account_and_transactions(
        self, account_id: str, start: datetime, end: datetime, after: tuple[datetime, str] | None, limit: int
    ) -> tuple[AccountRow | None, list[Transaction]]:
        """The account (``None``: gone) and :meth:`_transactions` of it, read together."""
        row = (await self._accounts([account_id])).get(account_id)
        if row is None:
            return None, []
        return row, await self._transactions(account_id, start, end, after, limit)

    # ---- BankStore ---------------------------------------------------------------------------
    def _today(self) -> date:
        return self._clock().astimezone(self._zone).date()

    async def accounts_for_party(
        self,
        party_id: str,
        *,
        period: Period,
        only_primary_owner: bool,
        consumer_org: str,
        account_info_request_id: str,
        data_not_delivered_allowed: bool = False,
        with_right_of_use: str | None = None,
        flag_other_rights: bool = False,
    ) -> AccountsResult:
        graph = await self._party_graph(
            party_id, consumer_org=consumer_org, account_info_request_id=account_info_request_id
        )
        if not graph.relations:
            return AccountsResult(accounts=())
        accounts, relations, parties = graph.accounts, graph.relations, graph.parties
        own = [relation for relation in relations if relation.party_id == party_id]
        listed = rules.select_accounts(
            party_id,
            accounts,
            relations,
            period=period,
            only_primary_owner=only_primary_owner,
            with_right_of_use=with_right_of_use,
        )
        owners = {item.account.account_id: rules.primary_owner(item.account, relations, item.window) for item in listed}
        messages: list[str] = []
        out, issued = [], []
        servicer = mapping.copied(self._servicer)  # this bank, once per answer
        for item in listed:
            row = item.account
            if row.delivery is Delivery.MANUAL and not data_not_delivered_allowed:
                messages.append(rules.MESSAGE_MANUAL_ACCOUNTS)
                continue
            if row.delivery is Delivery.MANUAL:
                reference = references.DATA_NOT_DELIVERED
            else:
                if self._secret is None:
                    raise RuntimeError(
                        "this store was opened without an accountReference secret: it can load "
                        "data but not answer an account list"
                    )
                reference = references.issue(
                    self._secret,
                    consumer_org=consumer_org,
                    account_info_request_id=account_info_request_id,
                    party_id=party_id,
                    account_id=row.account_id,
                )
                if reference not in graph.stored_references:
                    issued.append(
                        ReferencedAccount(
                            reference=reference,
                            consumer_org=consumer_org,
                            party_id=party_id,
                            account_info_request_id=account_info_request_id,
                            account=record_of(row),
                        )
                    )
            owner = owners[row.account_id]
            out.append(
                mapping.account(
                    row, reference, mapping.role(owner, parties.get(owner.party_id)) if owner else None, servicer
                )
            )
        if (
            flag_other_rights
            and only_primary_owner
            and rules.has_other_rights(party_id, accounts, own, period, (item.account.account_id for item in listed))
        ):
            messages.append(rules.MESSAGE_OTHER_RIGHTS)
        if issued:
            await self._remember_references(issued)
        return AccountsResult(accounts=tuple(out), details=combine(messages))

    async def account_by_reference(self, reference: str, *, consumer_org: str) -> ReferencedAccount | None:
        if not references.plausible(reference):
            return None
        found = await self._reference(reference)
        if found is None or found.consumer_org != consumer_org:
            return None
        return found

    async def _graph_of(
        self, account: ReferencedAccount, *, booked_on: date | None = None
    ) -> tuple[AccountRow, AccountGraph]:
        graph = await self._account_graph([account.account.account_id], booked_on=booked_on)
        row = graph.accounts.get(account.account.account_id)
        if row is None:  # deleted from the store after the reference was issued
            raise LookupError(f"account behind reference {account.reference} no longer exists")
        return row, graph

    async def account_details(self, account: ReferencedAccount, *, period: Period) -> AccountDetailsResult:
        today = self._today()
        day = min(period.to_date, today)
        # The booked balance is read with the account (one round trip) and used only when the balance rules ask (DSOP
        # “Endpoint Account details V.2.0”).
        row, graph = await self._graph_of(account, booked_on=day)
        relations, parties = graph.relations, graph.parties
        window = rules.party_window(account.party_id, row, relations, period) or period
        owner = rules.primary_owner(row, relations, window)
        kind = rules.balance_kind(row, period, today)
        messages = []
        booked = None
        if kind is not rules.BalanceKind.NONE:
            cutoff = rules.online_from(row, today, self._retention_years)
            if cutoff is not None and day < cutoff and row.start_date < cutoff:
                messages.append(rules.archived_message(cutoff))
            else:
                booked = graph.booked
        balances = mapping.balances(row, kind, booked, self._clock(), self._zone)
        detail = mapping.account_detail(
            row,
            account.reference,
            mapping.role(owner, parties.get(owner.party_id)) if owner else None,
            balances,
            mapping.copied(self._servicer),
        )
        return AccountDetailsResult(account=detail, details=combine(messages))

    async def transactions_page(
        self,
        account: ReferencedAccount,
        *,
        period: Period,
        after: rules.Position | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
    ) -> TransactionsPage:
        parsed = rules.parse_position(after) if after is not None else None
        limit = max(1, min(MAX_PAGE_SIZE, limit))
        # The account and the page of the whole period in one read; only when the period reaches
        # into archived history is the page read again for its online part.
        start, end = rules.period_bounds(period, self._zone)
        row, items = await self._account_and_transactions(account.account.account_id, start, end, parsed, limit + 1)
        if row is None:
            raise LookupError(f"account behind reference {account.reference} no longer exists")
        cutoff = rules.archived_before(row, period, self._today(), self._retention_years)
        if cutoff is not None:
            items = []
            if period.to_date >= cutoff:  # only the online part of the period is served
                start, end = rules.period_bounds(Period(max(period.from_date, cutoff), period.to_date), self._zone)
                items = await self._transactions(row.account_id, start, end, parsed, limit + 1)
        more = len(items) > limit
        items = items[:limit]
        next_position = None
        if more:
            last = items[-1]
            assert last.booking_date is not None  # stored transactions always have one
            next_position = rules.position_of(last.booking_date, last.transaction_identifier)
        details = combine([rules.archived_message(cutoff)] if cutoff else [])
        return TransactionsPage(
            transactions=tuple(mapping.transaction(item) for item in items),
            next_position=next_position,
            details=details,
        )

    async def cards(self, account: ReferencedAccount, *, period: Period) -> CardsResult:
        chosen = rules.cards_in_period(await self._cards(account.account.account_id), period)
        return CardsResult(cards=tuple(mapping.card(row) for row in chosen))

    async def roles(self, account: ReferencedAccount, *, period: Period) -> RolesResult:
        row, graph = await self._graph_of(account)
        holders = rules.role_holders(row, graph.relations, period)
        return RolesResult(roles=tuple(mapping.role(holder, graph.parties.get(holder.party_id)) for holder in holders))

    async def party(self, party_id: str) -> PartyRow | None:
        return (await self._parties([party_id])).get(party_id)

    async def parties_of_account(self, account_id: str, *, period: Period) -> tuple[str, ...]:
        graph = await self._account_graph([account_id])
        row = graph.accounts.get(account_id)
        if row is None:
            return ()
        holders = rules.role_holders(row, graph.relations, period)
        return tuple(sorted({holder.party_id for holder in holders}))

    async def block_accounts_of(self, party_id: str, *, on: date) -> int:
        targets = await self._owned_on(party_id, on)
        return await self._block(party_id, targets) if targets else 0

    async def apply_konkurs_notice(self, notice: Konkursvarsel, *, feed: str = KONKURS_FEED) -> NoticeOutcome:
        # The accounts are read before the write transaction: ownership changes are not what
        # this feed races with, and the write itself re-checks each account's status.
        block = await self._owned_on(notice.debitor, self._today()) if notice.type is KonkursType.AAPNING else []
        return await self._apply_notice(notice, feed=feed, block=block)

    async def _owned_on(self, party_id: str, on: date) -> list[str]:
        own = [relation for relation in await self._relations_of_party(party_id) if relation.role in OWNER_ROLES]
        accounts = await self._accounts(sorted({relation.account_id for relation in own}))
        day = Period(on, on)
        targets = sorted(
            {
                relation.account_id
                for relation in own
                if (account := accounts.get(relation.account_id)) is not None
                and (window := rules.relation_window(relation, account)) is not None
                and window.overlaps(day)
            }
        )
        return targets


__all__ = ["RowStore"]
