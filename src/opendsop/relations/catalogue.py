"""The hub's copy of the API catalogue: one row per (institution, environment, major version).

The entry and its rules, and the client consumers read the catalogue with, are shared:
``opendsop.contracts.catalogue``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, delete, or_, select

from opendsop.contracts.catalogue import CatalogueEntry
from opendsop.relations.store import Database, catalogue_entry


class CatalogueStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def put(self, entry: CatalogueEntry) -> bool:
        """Register or replace; True if the (orgNo, env, version) entry is new.  Also records the name."""
        key = and_(
            catalogue_entry.c.org_no == entry.org_no,
            catalogue_entry.c.env == entry.env,
            catalogue_entry.c.version == entry.version,
        )
        async with self._db.engine.begin() as conn:
            existed = (await conn.execute(delete(catalogue_entry).where(key))).rowcount
            await conn.execute(
                catalogue_entry.insert().values(
                    org_no=entry.org_no,
                    env=entry.env,
                    version=entry.version,
                    name=entry.name,
                    url=entry.url,
                    valid_from=entry.valid_from,
                    valid_to=entry.valid_to,
                )
            )
            await self._db.upsert_names(conn, {entry.org_no: entry.name})
        return not existed

    async def list(self, env: str | None = None, *, valid_on: date | None = None) -> list[CatalogueEntry]:
        query = select(catalogue_entry).order_by(
            catalogue_entry.c.org_no, catalogue_entry.c.env, catalogue_entry.c.version
        )
        if env is not None:
            query = query.where(catalogue_entry.c.env == env)
        if valid_on is not None:
            query = query.where(
                and_(
                    catalogue_entry.c.valid_from <= valid_on,
                    or_(catalogue_entry.c.valid_to.is_(None), catalogue_entry.c.valid_to >= valid_on),
                )
            )
        async with self._db.engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [
            CatalogueEntry(
                org_no=r["org_no"],
                name=r["name"],
                url=r["url"],
                version=r["version"],
                env=r["env"],
                valid_from=r["valid_from"],
                valid_to=r["valid_to"],
            )
            for r in rows
        ]


__all__ = ["CatalogueStore"]
