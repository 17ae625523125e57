"""The data-layer rules of the Control API, as pure functions shared by every store implementation.

Decides, from rows, *which* data a request gets (DSOP “eOppslag”; DSOP “Endpoint … V.2.0” pages; the DSOP services'
“Løsningsbeskrivelse” pages):

* **Period overlap.**  An account, relation, card or role counts when its inclusive date span
  overlaps the requested period (and, for a relation, the account's own life).
* **Account list (DSOP “Endpoint Accounts V.2.0”).**  Which roles list an account is
  ``standard.account_rules.listing_roles``;
  here, which rows hold those roles in the period.  Shielded persons are the *caller's* rule
  (``authorize`` → ``Allowed.return_empty``): the store never sees the FREG fact.
* **primaryOwner** is the primary owner "at the end of the requested period, limited to the time
  the requested party had a role on the account": the owner on the last day of the party's window.
* **Balances (DSOP “Endpoint Account details V.2.0”).**  ``standard.account_rules.balance_kind``, applied to a row.
* **Online retention (DSOP “eOppslag”).**  Data older than the first online day exists only in
  the archive: asking for it makes the answer ``partial`` with a message — never for a technical
  failure, which is an HTTP error instead.
* **Card numbers (DSOP “Data model”).**  ``standard.account_rules.mask_card_number``.
* **Transaction order.**  Keyset on (booking time in UTC, transactionIdentifier): the position is
  ``(booking ISO string, identifier)``, strings only, so it fits ``standard.paging`` tokens.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from opendsop.clock import OSLO
from opendsop.provider.store.records import (
    ACCESS_ROLES,
    AccountRow,
    CardRow,
    RelationRole,
    RelationRow,
)
from opendsop.standard.account_rules import BalanceKind, listing_roles, mask_card_number
from opendsop.standard.account_rules import balance_kind as _balance_kind
from opendsop.standard.control.v2 import AccountPermissionType
from opendsop.standard.errors import InvalidContinuationToken
from opendsop.standard.paging import CONTINUATION_PARAM
from opendsop.standard.period import Period

_FOREVER = date.max

# responseDetails.message texts (1–500 characters).  The standard's "Messages in relation with
# partial" is not public; these say what is missing and how to get it.
MESSAGE_ARCHIVED = (
    "Data before {cutoff} is archived and not available online; it can be requested from the bank manually."
)
MESSAGE_MANUAL_ACCOUNTS = (
    "The party has accounts whose data the bank cannot deliver online; "
    "contact the bank to have them delivered manually."
)
MESSAGE_OTHER_RIGHTS = (
    "The party also holds rights of disposal over accounts it does not own; "
    "ask again with OnlyPrimaryOwner=false or contact the bank."
)


def span(start: date, end: date | None) -> Period:
    """The inclusive span of a row; an open end runs to the end of time."""
    return Period(start, end if end is not None else _FOREVER)


def account_life(account: AccountRow) -> Period:
    return span(account.start_date, account.end_date)


def relation_window(relation: RelationRow, account: AccountRow) -> Period | None:
    """When the relation existed while the account did (``None`` if never)."""
    if relation.end_date is not None and relation.end_date < relation.start_date:
        return None
    return span(relation.start_date, relation.end_date).intersection(account_life(account))


def _hull(periods: Iterable[Period]) -> Period | None:
    items = list(periods)
    if not items:
        return None
    return Period(min(p.from_date for p in items), max(p.to_date for p in items))


def party_window(
    party_id: str,
    account: AccountRow,
    relations: Iterable[RelationRow],
    period: Period,
    roles: frozenset[RelationRole] = ACCESS_ROLES,
) -> Period | None:
    """The part of ``period`` in which ``party_id`` held one of ``roles`` on ``account``.

    Several relations give their hull: the owner is looked up at its end (the party's last day).
    """
    windows = []
    for relation in relations:
        if relation.party_id != party_id or relation.role not in roles or relation.account_id != account.account_id:
            continue
        window = relation_window(relation, account)
        overlap = window.intersection(period) if window else None
        if overlap is not None:
            windows.append(overlap)
    return _hull(windows)


@dataclass(frozen=True, slots=True)
class Listed:
    """An account in a party's list, with the window in which the party held a qualifying role."""

    account: AccountRow
    window: Period


def select_accounts(
    party_id: str,
    accounts: Mapping[str, AccountRow],
    relations: Sequence[RelationRow],
    *,
    period: Period,
    only_primary_owner: bool,
    with_right_of_use: str | None = None,
) -> list[Listed]:
    """The accounts listed for ``party_id`` (DSOP “Endpoint Accounts V.2.0”), ordered by account number.

    ``relations`` must hold every relation of the candidate accounts (the party's own and the
    others', for ``with_right_of_use``).  ``with_right_of_use`` (Vergekontroll, the DSOP services' “Løsningsbeskrivelse”
    pages) keeps only
    accounts on which that other party — the guardian — held a right of use (not see-only) in the
    same window, and narrows the window to it.
    """
    roles = listing_roles(only_primary_owner=only_primary_owner)
    by_account: dict[str, list[RelationRow]] = {}
    for relation in relations:
        by_account.setdefault(relation.account_id, []).append(relation)
    listed = []
    for account_id, own in by_account.items():
        account = accounts.get(account_id)
        if account is None:
            continue
        window = party_window(party_id, account, own, period, roles)
        if window is None:
            continue
        if with_right_of_use is not None:
            usable = [
                relation for relation in own if relation.permission is not AccountPermissionType.RIGHT_TO_SEE_ONLY
            ]
            window = party_window(with_right_of_use, account, usable, window)
            if window is None:
                continue
        listed.append(Listed(account, window))
    listed.sort(key=lambda item: (item.account.account_number, item.account.account_id))
    return listed


def primary_owner(account: AccountRow, relations: Iterable[RelationRow], window: Period) -> RelationRow | None:
    """The primary owner on the last day of ``window`` (else the last one who owned it before)."""
    owners = [
        relation
        for relation in relations
        if relation.role is RelationRole.PRIMARY_OWNER and relation.account_id == account.account_id
    ]
    best: RelationRow | None = None
    for relation in owners:
        own = relation_window(relation, account)
        if own is None or own.from_date > window.to_date or own.to_date < window.from_date:
            continue
        if own.from_date <= window.to_date <= own.to_date:
            return relation
        if best is None or relation.start_date > best.start_date:
            best = relation
    return best


def role_holders(account: AccountRow, relations: Iterable[RelationRow], period: Period) -> list[RelationRow]:
    """Everyone with a role on the account in the period (DSOP “Endpoint Roles V.2.0”): owners and disponents only."""
    holders = []
    for relation in relations:
        if relation.role not in ACCESS_ROLES or relation.account_id != account.account_id:
            continue
        window = relation_window(relation, account)
        if window is not None and window.overlaps(period):
            holders.append(relation)
    holders.sort(key=lambda r: (r.start_date, _ROLE_ORDER[r.role], r.party_id))
    return holders


_ROLE_ORDER = {RelationRole.PRIMARY_OWNER: 0, RelationRole.SECONDARY_OWNER: 1, RelationRole.DISPONENT: 2}


def has_other_rights(
    party_id: str,
    accounts: Mapping[str, AccountRow],
    relations: Iterable[RelationRow],
    period: Period,
    listed: Iterable[str],
) -> bool:
    """Whether the party had access roles in the period on accounts not in ``listed`` (Politi Alt 1)."""
    shown = set(listed)
    for relation in relations:
        if relation.party_id != party_id or relation.role not in ACCESS_ROLES or relation.account_id in shown:
            continue
        account = accounts.get(relation.account_id)
        window = relation_window(relation, account) if account else None
        if window is not None and window.overlaps(period):
            return True
    return False


def balance_kind(account: AccountRow, period: Period, today: date) -> BalanceKind:
    """Which balances the standard asks for on this row (``standard.account_rules.balance_kind``)."""
    return _balance_kind(
        status=account.status,
        account_type=account.type,
        start_date=account.start_date,
        end_date=account.end_date,
        period=period,
        today=today,
    )


def online_from(account: AccountRow, today: date, retention_years: int | None) -> date | None:
    """The first day whose data is online for this account (``None``: everything is online)."""
    cutoffs = [day for day in (account.history_from,) if day is not None]
    if retention_years is not None:
        try:
            cutoffs.append(today.replace(year=today.year - retention_years))
        except ValueError:  # 29 February
            cutoffs.append(today.replace(year=today.year - retention_years, day=28))
    return max(cutoffs) if cutoffs else None


def archived_before(account: AccountRow, period: Period, today: date, retention_years: int | None) -> date | None:
    """The cutoff when the period reaches into archived history that existed, else ``None``."""
    cutoff = online_from(account, today, retention_years)
    if cutoff is None or period.from_date >= cutoff or account.start_date >= cutoff:
        return None
    return cutoff


def archived_message(cutoff: date) -> str:
    return MESSAGE_ARCHIVED.format(cutoff=cutoff.isoformat())


def end_of_month(year_month: str) -> date | None:
    try:
        year, month = (int(part) for part in year_month.split("-"))
        return date(year, month, calendar.monthrange(year, month)[1])
    except (ValueError, TypeError):
        return None


def start_of_month(year_month: str) -> date | None:
    try:
        year, month = (int(part) for part in year_month.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        return None


def card_span(row: CardRow) -> Period | None:
    start = row.linked_from or (start_of_month(row.card.start_date) if row.card.start_date else None) or date.min
    end = row.linked_to or (end_of_month(row.card.expiry_date) if row.card.expiry_date else None) or date.max
    return Period(start, end) if start <= end else None


def cards_in_period(rows: Iterable[CardRow], period: Period) -> list[CardRow]:
    chosen = [row for row in rows if (window := card_span(row)) is not None and window.overlaps(period)]
    chosen.sort(key=lambda row: row.card_id)
    return chosen


def period_bounds(period: Period, zone: tzinfo = OSLO) -> tuple[datetime, datetime]:
    """``[start, end)`` in UTC of the local calendar days ``period`` covers."""
    start = datetime.combine(period.from_date, time(0), zone).astimezone(UTC)
    last = period.to_date if period.to_date < date.max else date.max - timedelta(days=1)
    end = datetime.combine(last + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end


def utc(value: datetime) -> datetime:
    """An aware UTC datetime (SQLite hands back naive values that were written in UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Position = tuple[str, str]


def position_of(booking: datetime, identifier: str) -> Position:
    return (utc(booking).isoformat(), identifier)


def parse_position(position: Sequence[object]) -> tuple[datetime, str]:
    """The keyset position a continuation token carried, checked (it may come from an old layout)."""
    if len(position) != 2 or not isinstance(position[0], str) or not isinstance(position[1], str):
        raise InvalidContinuationToken(
            f"{CONTINUATION_PARAM} does not hold a transaction position", parameter=CONTINUATION_PARAM
        )
    try:
        booking = datetime.fromisoformat(position[0])
    except ValueError:
        raise InvalidContinuationToken(
            f"{CONTINUATION_PARAM} does not hold a transaction position", parameter=CONTINUATION_PARAM
        ) from None
    return utc(booking), position[1]


__all__ = [
    "MESSAGE_ARCHIVED",
    "MESSAGE_MANUAL_ACCOUNTS",
    "MESSAGE_OTHER_RIGHTS",
    "OSLO",
    "BalanceKind",
    "Listed",
    "Position",
    "account_life",
    "archived_before",
    "archived_message",
    "balance_kind",
    "card_span",
    "cards_in_period",
    "has_other_rights",
    "mask_card_number",
    "online_from",
    "parse_position",
    "party_window",
    "period_bounds",
    "position_of",
    "primary_owner",
    "relation_window",
    "role_holders",
    "select_accounts",
    "span",
    "utc",
]
