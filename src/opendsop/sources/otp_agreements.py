"""The avtaleforhold the pension institutions registered (Tjenestepensjonsavtale API), in memory or in SQL.

Skatteetaten keeps the registry; NAV's Aa-registeret reads the same agreements (the a-ordning is shared by
the two agencies), so in a local ecosystem both apps are given one store.  Keyed by (institution,
employer, avtalereferanse): registering the same reference again changes it ("Registrere/endre avtale").
"""

from __future__ import annotations

from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from opendsop.standard.otp import Agreement
from opendsop.standard.values import Month


class Agreements(Protocol):
    async def of(self, institution: str, employer: str) -> list[Agreement]: ...
    async def put(self, agreement: Agreement) -> bool: ...  # True: new, False: changed
    async def delete(self, institution: str, employer: str, reference: str) -> bool: ...


class MemoryAgreements:
    def __init__(self) -> None:
        self._rows: dict[tuple[str, str, str], Agreement] = {}

    async def of(self, institution: str, employer: str) -> list[Agreement]:
        return [a for (i, e, _), a in sorted(self._rows.items()) if i == institution and e == employer]

    async def put(self, agreement: Agreement) -> bool:
        key = (agreement.institution, agreement.employer, agreement.reference)
        new = key not in self._rows
        self._rows[key] = agreement
        return new

    async def delete(self, institution: str, employer: str, reference: str) -> bool:
        return self._rows.pop((institution, employer, reference), None) is not None


_META = sa.MetaData()
AVTALEFORHOLD = sa.Table(
    "otp_avtaleforhold",
    _META,
    sa.Column("institution", sa.String(9), primary_key=True),
    sa.Column("employer", sa.String(9), primary_key=True),
    sa.Column("reference", sa.String(200), primary_key=True),
    sa.Column("first_month", sa.String(7), nullable=False),
    sa.Column("last_month", sa.String(7), nullable=True),
)


def _month(text: str) -> Month:
    return Month(int(text[:4]), int(text[5:7]))


class SqlAgreements:
    """The registry in the source's SQL database (SQLite or PostgreSQL); one table, migrated at startup."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def create_schema(self) -> None:
        """Bring the table to the current revision (alembic, ``sources.otp_migrations``)."""
        from opendsop.sources.otp_migrations import upgrade_engine

        await upgrade_engine(self.engine)

    async def of(self, institution: str, employer: str) -> list[Agreement]:
        t = AVTALEFORHOLD
        query = sa.select(t).where(t.c.institution == institution, t.c.employer == employer).order_by(t.c.reference)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            Agreement(
                r.institution,
                r.employer,
                r.reference,
                _month(r.first_month),
                _month(r.last_month) if r.last_month else None,
            )
            for r in rows
        ]

    async def put(self, agreement: Agreement) -> bool:
        t = AVTALEFORHOLD
        key = (
            (t.c.institution == agreement.institution)
            & (t.c.employer == agreement.employer)
            & (t.c.reference == agreement.reference)
        )
        values = {
            "first_month": str(agreement.first),
            "last_month": str(agreement.last) if agreement.last else None,
        }
        async with self.engine.begin() as conn:
            changed = (await conn.execute(sa.update(t).where(key).values(**values))).rowcount
            if changed:
                return False
            await conn.execute(
                sa.insert(t).values(
                    institution=agreement.institution,
                    employer=agreement.employer,
                    reference=agreement.reference,
                    **values,
                )
            )
        return True

    async def delete(self, institution: str, employer: str, reference: str) -> bool:
        t = AVTALEFORHOLD
        async with self.engine.begin() as conn:
            result = await conn.execute(
                sa.delete(t).where(t.c.institution == institution, t.c.employer == employer, t.c.reference == reference)
            )
        return bool(result.rowcount)


__all__ = ["AVTALEFORHOLD", "Agreements", "MemoryAgreements", "SqlAgreements"]
