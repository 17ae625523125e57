"""The institution's record of each sync: one row per member and month, and which months are done (resumable).

SQLite or PostgreSQL (SQLAlchemy Core); the tables are migrated at start (``pension.migrations``).  A month is
``done`` once every listed employee's row is stored; rows are written in batches, so an interrupted run carries on
from the last batch and never asks twice for a person it has.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from opendsop.pension.membership import MemberMonth

_META = sa.MetaData()
MONTHS = sa.Table(
    "pension_sync_months",
    _META,
    sa.Column("institution", sa.String(9), primary_key=True),
    sa.Column("employer", sa.String(9), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("listed", sa.Integer, nullable=False),
    sa.Column("skjermet", sa.Boolean, nullable=False),
    sa.Column("done", sa.Boolean, nullable=False),
)
MEMBERS = sa.Table(
    "pension_member_months",
    _META,
    sa.Column("institution", sa.String(9), primary_key=True),
    sa.Column("employer", sa.String(9), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("person", sa.String(11), primary_key=True),
    sa.Column("facts", sa.LargeBinary, nullable=False),
)


def _encode(member: MemberMonth) -> bytes:
    return msgspec.json.encode(member, enc_hook=str)


def _decode(raw: bytes) -> MemberMonth:
    data = msgspec.json.decode(raw)
    data["leave"], data["unknown_codes"] = tuple(data["leave"]), tuple(data["unknown_codes"])
    data["base"] = Decimal(data["base"])
    return MemberMonth(**data)


class PensionStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def create_schema(self) -> None:
        """Bring the tables to the current revision (alembic, ``pension.migrations``)."""
        from opendsop.pension.migrations import upgrade_engine

        await upgrade_engine(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()

    async def month_state(self, institution: str, employer: str, month: str) -> tuple[bool, bool] | None:
        """(done, skjermet) of a month begun before, None when never begun."""
        t = MONTHS
        query = sa.select(t.c.done, t.c.skjermet).where(
            t.c.institution == institution, t.c.employer == employer, t.c.month == month
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return (bool(row.done), bool(row.skjermet)) if row else None

    async def begin_month(self, institution: str, employer: str, month: str, listed: int, skjermet: bool) -> None:
        t = MONTHS
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.delete(t).where(t.c.institution == institution, t.c.employer == employer, t.c.month == month)
            )
            await conn.execute(
                sa.insert(t).values(
                    institution=institution,
                    employer=employer,
                    month=month,
                    listed=listed,
                    skjermet=skjermet,
                    done=False,
                )
            )

    async def finish_month(self, institution: str, employer: str, month: str) -> None:
        t = MONTHS
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.update(t)
                .where(t.c.institution == institution, t.c.employer == employer, t.c.month == month)
                .values(done=True)
            )

    async def save(self, institution: str, employer: str, members: Iterable[MemberMonth]) -> None:
        rows = [
            {
                "institution": institution,
                "employer": employer,
                "month": m.month,
                "person": m.person,
                "facts": _encode(m),
            }
            for m in members
        ]
        if rows:
            async with self.engine.begin() as conn:
                await conn.execute(sa.insert(MEMBERS), rows)

    async def members(self, institution: str, employer: str, month: str) -> dict[str, MemberMonth]:
        t = MEMBERS
        query = sa.select(t.c.person, t.c.facts).where(
            t.c.institution == institution, t.c.employer == employer, t.c.month == month
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {row.person: _decode(row.facts) for row in rows}

    async def last_done_before(self, institution: str, employer: str, month: str) -> str | None:
        t = MONTHS
        query = sa.select(sa.func.max(t.c.month)).where(
            t.c.institution == institution, t.c.employer == employer, t.c.month < month, t.c.done.is_(True)
        )
        async with self.engine.connect() as conn:
            found: str | None = (await conn.execute(query)).scalar()
        return found

    async def overview(self, institution: str) -> list[dict[str, object]]:
        """Every month recorded per employer, latest first: listed, skjermet, done and members stored (no
        personal data: counts only)."""
        t, m = MONTHS, MEMBERS
        stored = (
            sa.select(sa.func.count())
            .where(m.c.institution == t.c.institution, m.c.employer == t.c.employer, m.c.month == t.c.month)
            .scalar_subquery()
        )
        query = (
            sa.select(t.c.employer, t.c.month, t.c.listed, t.c.skjermet, t.c.done, stored.label("stored"))
            .where(t.c.institution == institution)
            .order_by(t.c.employer, t.c.month.desc())
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [dict(row._mapping) for row in rows]


__all__ = ["MEMBERS", "MONTHS", "PensionStore"]
