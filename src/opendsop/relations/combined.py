"""One round trip for both registers when KAR and KFR live in the same PostgreSQL database.

The hub's sources stay separate (``RelationSource``: KAR and KFR are different registers, and a
real deployment may reach them over different links).  When both are the SQL stand-ins over one
PostgreSQL database, ``customerRelationships`` asks for both in a single ``UNION ALL`` statement:
on a busy machine every database round trip is a process wake-up, and p99 latency is mostly
wake-ups (bench/relations_lookup.py).  The rows, period semantics and errors are exactly those of
``KarSource.relations`` and ``KfrStore.relations``.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg  # type: ignore[import-untyped]

from opendsop.relations.sources import Relation, Role, SourceUnavailable
from opendsop.relations.store import Database
from opendsop.standard.period import Period

_BOTH = (
    "SELECT true AS kar, k.org_no, i.name, k.role, k.start_date, k.end_date, k.account_no, k.nics_reachable "
    "FROM kar_relation k LEFT JOIN institution i ON i.org_no = k.org_no "
    "WHERE k.customer_id = $1 AND k.start_date <= $2 AND (k.end_date IS NULL OR k.end_date >= $3) "
    "UNION ALL "
    "SELECT false, f.org_no, i.name, 'customer', f.start_date, f.end_date, NULL, false "
    "FROM kfr_relation f LEFT JOIN institution i ON i.org_no = f.org_no "
    "WHERE f.customer_id = $1 AND f.start_date <= $2 AND (f.end_date IS NULL OR f.end_date >= $3)"
)


class CombinedSqlRelations:
    """KAR and KFR relations of one customer in one query (PostgreSQL only)."""

    def __init__(self, db: Database) -> None:
        if not db.is_postgres:
            raise ValueError("the combined lookup is for PostgreSQL only")
        self._db = db

    async def both(self, customer_id: str, period: Period) -> tuple[Sequence[Relation], Sequence[Relation]]:
        try:
            pool = await self._db.read_pool()
            rows = await pool.fetch(_BOTH, customer_id, period.to_date, period.from_date)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
            raise SourceUnavailable(
                "KAR/KFR", f"No response from data source (KAR/KFR): {type(error).__name__}"
            ) from None
        kar: list[Relation] = []
        kfr: list[Relation] = []
        for is_kar, org, name, role, start, end, account, nics in rows:
            (kar if is_kar else kfr).append(
                Relation(
                    org_no=org,
                    bank_name=name or org,
                    role=Role(role),
                    start=start,
                    end=end,
                    account_no=account,
                    nics_reachable=bool(nics),
                )
            )
        return kar, kfr


__all__ = ["CombinedSqlRelations"]
