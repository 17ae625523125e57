"""The bank's repository interface: what the Control API pipeline asks of a bank's data.

Decides the seam between the request pipeline (authorisation, filtering, encryption, paging
links) and the data (DSOP “Endpoint … V.2.0” pages; the DSOP services' “Løsningsbeskrivelse” pages).  Two
implementations ship — SQL
(:mod:`.sql`, SQLite or PostgreSQL) and in memory (:mod:`.memory`) — and one contract suite runs
against both; a bank can plug in its core system by implementing :class:`BankStore`.

**What comes back.**  Response *content* comes back as the v2 wire models of
``opendsop.standard.control.v2`` (``Account``, ``AccountDetail``, ``Transaction``, ``PaymentCard``,
``AccountRole``), already masked (card numbers) and already period-filtered, together with a
``ResponseDetails``.  Justification: every implementation must end up producing exactly those
objects, they are frozen and validated, and the per-service filter works on them; a parallel set
of records plus a mapper would only be a second copy of the contract.  *Control* data — which
account a reference names, for which party and case — comes back as small records
(:class:`ReferencedAccount`) that never reach the wire.

**Fresh bodies.**  A store whose ``fresh_bodies`` attribute is true builds every answer anew —
nothing in it is shared with the store, another answer or a module constant — so the pipeline
may filter it in place instead of copying (an implementation without the attribute is copied).

**Paging.**  The store returns raw keyset positions (``tuple[str, str]``); the pipeline wraps them
with ``standard.paging.encode_continuation`` (binding them to reference, period and case) and
builds the relative ``next`` link.  ``next_position`` is ``None`` on the last page.

**Who handles what.**  The store applies the data rules: period overlap, owner/disponent
selection, guarantor ⇒ nothing, co-borrower ⇒ no loan account, primaryOwner at the end of the
party's window, balances (DSOP “Endpoint Account details V.2.0”), online retention ⇒ ``partial``, ``dataNotDelivered``,
PCI
masking, Konkurs blocking.  The *caller* applies the request rules: ``authorize`` (legal basis,
periods, service endpoints) and the shielded-person rule (``Allowed.return_empty`` → answer an
empty list with ``complete`` without calling the store), the per-service field filter, and
ACC-002/ACC-003 for unknown or foreign references.  Technical failures raise (→ 5xx), never
``partial``; so does an account deleted from the store after its reference was issued
(``LookupError``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from opendsop.contracts.registers.models import KonkursType, Konkursvarsel
from opendsop.provider.store.records import (
    AccountRow,
    BookedBalanceRow,
    CardRow,
    PartyRow,
    ReferencedAccount,
    RelationRow,
    TransactionRow,
)
from opendsop.provider.store.rules import Position
from opendsop.standard.control.v2 import (
    Account,
    AccountDetail,
    AccountDetails,
    AccountRole,
    Accounts,
    Cards,
    Link,
    PaymentCard,
    ResponseDetails,
    ResponseStatus,
    Roles,
    Transaction,
    Transactions,
)
from opendsop.standard.paging import DEFAULT_PAGE_SIZE
from opendsop.standard.period import Period

COMPLETE = ResponseDetails(status=ResponseStatus.COMPLETE)


def complete() -> ResponseDetails:
    """A ``complete`` of its own (an answer filtered in place must share nothing, not even this)."""
    return ResponseDetails(status=ResponseStatus.COMPLETE)


def partial(message: str) -> ResponseDetails:
    return ResponseDetails(status=ResponseStatus.PARTIAL, message=message[:500])


def combine(messages: Iterable[str]) -> ResponseDetails:
    """``complete`` when there is no message, else ``partial`` with the distinct messages joined."""
    distinct = list(dict.fromkeys(message for message in messages if message))
    return partial(" ".join(distinct)) if distinct else complete()


@dataclass(frozen=True, slots=True)
class AccountsResult:
    """The account list (DSOP “Endpoint Accounts V.2.0”) with references issued to the consumer for this case."""

    accounts: tuple[Account, ...]
    details: ResponseDetails = field(default_factory=complete)

    def body(self, links: tuple[Link, ...] = ()) -> Accounts:
        return Accounts(response_details=self.details, accounts=self.accounts, links=links or None)


@dataclass(frozen=True, slots=True)
class AccountDetailsResult:
    account: AccountDetail
    details: ResponseDetails = field(default_factory=complete)

    def body(self) -> AccountDetails:
        return AccountDetails(response_details=self.details, account=self.account)


@dataclass(frozen=True, slots=True)
class TransactionsPage:
    """One keyset page; ``next_position`` is ``None`` on the last page."""

    transactions: tuple[Transaction, ...]
    next_position: Position | None
    details: ResponseDetails = field(default_factory=complete)

    def body(self, links: tuple[Link, ...] = ()) -> Transactions:
        return Transactions(response_details=self.details, transactions=self.transactions, links=links or None)


@dataclass(frozen=True, slots=True)
class CardsResult:
    cards: tuple[PaymentCard, ...]
    details: ResponseDetails = field(default_factory=complete)

    def body(self) -> Cards:
        return Cards(response_details=self.details, payment_cards=self.cards)


@dataclass(frozen=True, slots=True)
class RolesResult:
    roles: tuple[AccountRole, ...]
    details: ResponseDetails = field(default_factory=complete)

    def body(self) -> Roles:
        return Roles(response_details=self.details, roles=self.roles)


@dataclass(frozen=True, slots=True)
class LoadCounts:
    parties: int = 0
    accounts: int = 0
    relations: int = 0
    balances: int = 0
    cards: int = 0
    transactions: int = 0


KONKURS_FEED = "konkursvarsel"


@dataclass(frozen=True, slots=True)
class NoticeOutcome:
    """What applying one Konkursvarsel notice did.

    ``applied`` is ``False`` for a notice already stored (same ``uuid``): a replay changes nothing
    but may still move the cursor forward.  ``accounts_changed`` counts accounts blocked
    (``aapning``) or reopened (``sletting``).
    """

    uuid: str
    type: KonkursType
    debitor: str
    applied: bool
    accounts_changed: int = 0


@runtime_checkable
class BankStore(Protocol):
    """A bank's data as the Control API needs it.  Every method is period-aware (inclusive dates)."""

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
        """The accounts ``party_id`` had a relation to in ``period`` (DSOP “Endpoint Accounts V.2.0”; the DSOP services'
        “Løsningsbeskrivelse” pages), ordered by number.

        Issues (and remembers) one ``accountReference`` per account for ``consumer_org`` and the
        case.  ``data_not_delivered_allowed`` (the service profile's flag) lists accounts the bank
        serves only manually with reference ``dataNotDelivered``; otherwise they are left out and
        the answer is ``partial``.  ``with_right_of_use`` (Vergekontroll: the guardian) keeps only
        accounts that party could use in the same window.  ``flag_other_rights`` (Politi Alt 1)
        makes an ``OnlyPrimaryOwner=true`` answer ``partial`` when the party also holds rights of
        disposal it was not asked about.
        """
        ...

    async def account_by_reference(self, reference: str, *, consumer_org: str) -> ReferencedAccount | None:
        """The account a reference names, if it was issued to ``consumer_org`` (else ``None`` → 404)."""
        ...

    async def account_details(self, account: ReferencedAccount, *, period: Period) -> AccountDetailsResult:
        """Details and balances (DSOP “Endpoint Account details V.2.0”); primaryOwner within the referenced party's
        window."""
        ...

    async def transactions_page(
        self,
        account: ReferencedAccount,
        *,
        period: Period,
        after: Position | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
    ) -> TransactionsPage:
        """Transactions booked in ``period`` after ``after``, ordered by (booking time, identifier).

        Raises ``InvalidContinuationToken`` for a malformed ``after``.
        """
        ...

    async def cards(self, account: ReferencedAccount, *, period: Period) -> CardsResult:
        """Cards linked to the account in the period (DSOP “Endpoint Cards V.2.0”), numbers masked."""
        ...

    async def roles(self, account: ReferencedAccount, *, period: Period) -> RolesResult:
        """Owners and disponents of the account in the period (DSOP “Endpoint Roles V.2.0”)."""
        ...

    async def party(self, party_id: str) -> PartyRow | None: ...

    async def parties_of_account(self, account_id: str, *, period: Period) -> tuple[str, ...]:
        """Parties holding an owner or disponent role on the account in the period (sorted)."""
        ...

    async def block_accounts_of(self, party_id: str, *, on: date) -> int:
        """Konkurs: set ``disabled`` on every account the party owns on ``on``; returns how many changed.

        Each account is remembered as blocked because of ``party_id`` (also one that another
        debtor's bankruptcy had blocked already), so :meth:`unblock_accounts_of` can undo exactly this.
        """
        ...

    async def unblock_accounts_of(self, party_id: str) -> int:
        """Konkurs ``sletting``: reopen the accounts blocked because of ``party_id``'s bankruptcy.

        An account stays ``disabled`` while another debtor's bankruptcy still blocks it, and an
        account disabled for any other reason is never touched.  Returns how many were reopened.
        """
        ...

    async def apply_konkurs_notice(self, notice: Konkursvarsel, *, feed: str = KONKURS_FEED) -> NoticeOutcome:
        """Store a notice, act on it and move ``feed``'s cursor to its timestamp — atomically.

        ``aapning`` blocks the debtor's accounts (owned today), ``sletting`` reopens them,
        ``oppheving`` and ``avslutning`` are only recorded (DSOP Konkurs “Løsningsbeskrivelse”).  A notice
        whose ``uuid`` is already stored changes nothing.  The cursor never moves backwards.
        """
        ...

    async def konkurs_cursor(self, feed: str = KONKURS_FEED) -> datetime | None:
        """The timestamp of the last notice read from ``feed`` (``None`` before the first)."""
        ...

    async def konkurs_notices_for(self, party_id: str) -> tuple[Konkursvarsel, ...]:
        """The stored notices about ``party_id``, oldest first."""
        ...

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
        """Bulk-insert rows (in this order, so references hold); see :mod:`.loader`."""
        ...

    async def close(self) -> None: ...


__all__ = [
    "COMPLETE",
    "AccountDetailsResult",
    "AccountsResult",
    "BankStore",
    "CardsResult",
    "KONKURS_FEED",
    "LoadCounts",
    "NoticeOutcome",
    "RolesResult",
    "TransactionsPage",
    "combine",
    "complete",
    "partial",
]
