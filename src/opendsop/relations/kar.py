"""KAR (Konto- og adresseringsregisteret) in the local stand-in: the read side the hub queries and
the write side banks (and the synthetic-data generator) use to report account-level relations.

DSOP “Architecture document” (KAR: NICS banks' register of customers with NICS-reachable accounts,
non-owner roles since 2019), DSOP “Endpoint customerRelationships V.2.0”; DSOP “Endpoint accountServicingProvider
V.2.0”.  The real KAR is fed by the NICS banks; here
``load_kar_relations(db, rows)`` is that feed: a bulk load in one transaction (COPY on
PostgreSQL, ``executemany`` on SQLite), with the institution names the rows carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Select, and_, or_, select, text
from sqlalchemy.exc import SQLAlchemyError

from opendsop.relations.sources import Relation, Role, Servicer, SourceUnavailable
from opendsop.relations.store import Database, institution, kar_relation
from opendsop.serving import without_statement_timeout
from opendsop.standard.period import Period

_ORG = re.compile(r"[0-9]{9}")
_CUSTOMER = re.compile(r"[0-9]{9}|[0-9]{11}")
_ACCOUNT = re.compile(r"[0-9]{11,34}")


@dataclass(frozen=True, slots=True, kw_only=True)
class KarRow:
    """One account-level relation as a NICS bank reports it to KAR."""

    customer_id: str
    org_no: str
    account_no: str
    role: Role
    start: date
    end: date | None = None
    bank_name: str | None = None
    nics_reachable: bool = True

    def __post_init__(self) -> None:
        if not _CUSTOMER.fullmatch(self.customer_id):
            raise ValueError(f"customer_id must be 9 or 11 digits, got {self.customer_id[:20]!r}")
        if not _ORG.fullmatch(self.org_no):
            raise ValueError(f"org_no must be 9 digits, got {self.org_no[:20]!r}")
        if not _ACCOUNT.fullmatch(self.account_no):
            raise ValueError("account_no must be 11 to 34 digits")
        if self.role is Role.CUSTOMER:
            raise ValueError("KAR relations are owner, secondary_owner or disponent")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")


_PG_RELATIONS = (
    "SELECT k.org_no, i.name, k.role, k.start_date, k.end_date, k.account_no, k.nics_reachable "
    "FROM kar_relation k LEFT JOIN institution i ON i.org_no = k.org_no "
    "WHERE k.customer_id = $1 AND k.start_date <= $2 AND (k.end_date IS NULL OR k.end_date >= $3)"
)
_COLUMNS = ("customer_id", "org_no", "account_no", "role", "start_date", "end_date", "nics_reachable")


async def load_kar_relations(db: Database, rows: Iterable[KarRow]) -> int:
    """Add account-level relations to KAR in one transaction; returns how many were loaded."""
    records: list[tuple[object, ...]] = []
    names: dict[str, str] = {}
    for row in rows:
        records.append(
            (row.customer_id, row.org_no, row.account_no, row.role.value, row.start, row.end, row.nics_reachable)
        )
        if row.bank_name:
            names[row.org_no] = row.bank_name
    if not records:
        return 0
    async with db.engine.begin() as conn:
        await db.upsert_names(conn, names)
        if db.is_postgres:
            await conn.execute(text("SELECT 1"))  # opens the transaction the COPY must join
            await without_statement_timeout(conn)  # the whole register feed: bulk work, not a request
            raw = await conn.get_raw_connection()
            await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
                "kar_relation", records=records, columns=_COLUMNS
            )
        else:
            await conn.execute(kar_relation.insert(), [dict(zip(_COLUMNS, record, strict=True)) for record in records])
    return len(records)


def _relations_query(customer_id: str, period: Period) -> Select[Any]:
    return (
        select(
            kar_relation.c.org_no,
            institution.c.name,
            kar_relation.c.role,
            kar_relation.c.start_date,
            kar_relation.c.end_date,
            kar_relation.c.account_no,
            kar_relation.c.nics_reachable,
        )
        .select_from(kar_relation.outerjoin(institution, institution.c.org_no == kar_relation.c.org_no))
        .where(
            and_(
                kar_relation.c.customer_id == customer_id,
                kar_relation.c.start_date <= period.to_date,
                or_(kar_relation.c.end_date.is_(None), kar_relation.c.end_date >= period.from_date),
            )
        )
    )


class KarSource:
    """``RelationSource`` and ``AccountRegister`` over the SQL tables."""

    name = "KAR"

    def __init__(self, db: Database) -> None:
        self._db = db

    async def relations(self, customer_id: str, period: Period) -> Sequence[Relation]:
        try:
            if self._db.is_postgres:
                pool = await self._db.read_pool()
                rows = await pool.fetch(_PG_RELATIONS, customer_id, period.to_date, period.from_date)
            else:
                async with self._db.engine.connect() as conn:
                    rows = (await conn.execute(_relations_query(customer_id, period))).all()
        except (SQLAlchemyError, asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
            raise SourceUnavailable("KAR", f"No response from data source (KAR): {type(error).__name__}") from None
        return [
            Relation(
                org_no=org,
                bank_name=name or org,
                role=Role(role),
                start=start,
                end=end,
                account_no=account,
                nics_reachable=bool(nics),
            )
            for org, name, role, start, end, account, nics in rows
        ]

    async def servicer(self, account_no: str) -> Servicer | None:
        query = (
            select(kar_relation.c.org_no, institution.c.name)
            .select_from(kar_relation.outerjoin(institution, institution.c.org_no == kar_relation.c.org_no))
            .where(kar_relation.c.account_no == account_no)
            .order_by(kar_relation.c.start_date.desc())
            .limit(1)
        )
        try:
            async with self._db.engine.connect() as conn:
                row = (await conn.execute(query)).first()
        except (SQLAlchemyError, OSError) as error:
            raise SourceUnavailable("KAR", f"No response from data source (KAR): {type(error).__name__}") from None
        return None if row is None else Servicer(row[0], row[1] or row[0])


__all__ = ["KarRow", "KarSource", "load_kar_relations"]
