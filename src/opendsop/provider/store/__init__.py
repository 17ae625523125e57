"""The bank's data behind the Control API: a repository interface, SQL and in-memory stores.

Decides where a bank's accounts, relations, balances, cards and transactions live and which of
them a request gets (DSOP “Data model”; the DSOP services' “Løsningsbeskrivelse” pages; DSOP “eOppslag”):

* :class:`BankStore` (``repository.py``) — the Protocol the request pipeline uses; a bank can
  implement it over its core system.  Content comes back as v2 wire models, references and case
  data as small records; see the module docstring for what the caller must still do (authorise,
  shielded persons, field filtering, continuation tokens, ACC-002/003).
* :class:`SqlBankStore` (SQLite by default, PostgreSQL ``postgresql+asyncpg://`` in production,
  alembic migrations: :func:`upgrade`) and :class:`MemoryBankStore`, its twin — both built on
  :class:`RowStore`, which applies the rules of ``rules.py`` once.
* ``loader.py`` — bulk loading (COPY on PostgreSQL) from the row types of ``records.py``;
  ``writes.py`` — ``merge`` (insert or update by key, one transaction: what ``dsop provider import``
  writes with) and ``reset``.
* ``references.py`` — the opaque, consumer- and case-bound ``accountReference``.

>>> from opendsop.provider.store import mask_card_number
>>> mask_card_number("4925000012345678")
'492500XXXXXX5678'
"""

from opendsop.provider.store.base import RowStore
from opendsop.provider.store.memory import MemoryBankStore
from opendsop.provider.store.migrations import upgrade, upgrade_engine
from opendsop.provider.store.records import (
    AccountRecord,
    AccountRow,
    BookedBalanceRow,
    CardRow,
    Delivery,
    ElectronicAddressRow,
    PartyRow,
    ReferencedAccount,
    RelationRole,
    RelationRow,
    TransactionRow,
)
from opendsop.provider.store.references import DATA_NOT_DELIVERED, is_data_not_delivered
from opendsop.provider.store.repository import (
    KONKURS_FEED,
    AccountDetailsResult,
    AccountsResult,
    BankStore,
    CardsResult,
    LoadCounts,
    NoticeOutcome,
    RolesResult,
    TransactionsPage,
)
from opendsop.provider.store.rules import Position, mask_card_number
from opendsop.provider.store.sql import SqlBankStore

__all__ = [
    "DATA_NOT_DELIVERED",
    "KONKURS_FEED",
    "AccountDetailsResult",
    "AccountRecord",
    "AccountRow",
    "AccountsResult",
    "BankStore",
    "BookedBalanceRow",
    "CardRow",
    "CardsResult",
    "Delivery",
    "ElectronicAddressRow",
    "LoadCounts",
    "MemoryBankStore",
    "NoticeOutcome",
    "PartyRow",
    "Position",
    "ReferencedAccount",
    "RelationRole",
    "RelationRow",
    "RolesResult",
    "RowStore",
    "SqlBankStore",
    "TransactionRow",
    "TransactionsPage",
    "is_data_not_delivered",
    "mask_card_number",
    "upgrade",
    "upgrade_engine",
]
