"""Digitalt dødsbo: who is an heir of which estate, and the settlement form the heirs choose.

The heirs of an estate come from Folkeregisteret's family relations (spouse or registered partner,
children) in Digitalt dødsbo; the registers stand-in has no such relations yet, so the app is given
an :class:`HeirRegistry` (the local ecosystem builds one from the synthetic world's households).
A person who is not an heir of an estate sees nothing of it: the pages list only the logged-in
person's estates, by position, never by the deceased's number.

The choice of settlement form (arveloven § 92 ff.: privat skifte, offentlig skifte, uskifte for a
surviving spouse) is recorded per heir in the case store's database (``estate_choice``), latest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

CHOICES = ("privat_skifte", "offentlig_skifte", "uskifte")
SPOUSE = "ektefelle"

metadata = MetaData()
estate_choice = Table(
    "estate_choice",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("deceased", String(11), nullable=False, index=True),
    Column("heir", String(11), nullable=False),
    Column("choice", String(40), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True, slots=True)
class Estate:
    deceased: str
    name: str
    relation: str  # the heir's relation to the deceased: ektefelle, barn


class HeirRegistry:
    """Estates by heir: ``{heir: [Estate, …]}``."""

    def __init__(self, estates: Mapping[str, Iterable[Estate]] | None = None) -> None:
        self.estates = {heir: list(found) for heir, found in (estates or {}).items()}

    def of(self, heir: str) -> list[Estate]:
        return list(self.estates.get(heir, ()))


class Choices:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def create_schema(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

    async def record(self, deceased: str, heir: str, choice: str, *, now: datetime) -> None:
        if choice not in CHOICES:
            raise ValueError(f"choice must be one of {', '.join(CHOICES)}")
        async with self.engine.begin() as conn:
            await conn.execute(
                estate_choice.insert().values(deceased=deceased, heir=heir, choice=choice, recorded_at=now)
            )

    async def latest(self, deceased: str) -> dict[str, str]:
        """Each heir's latest choice for the estate."""
        query = select(estate_choice.c.heir, estate_choice.c.choice).where(estate_choice.c.deceased == deceased)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query.order_by(estate_choice.c.id))).all()
        return {row.heir: row.choice for row in rows}


__all__ = ["CHOICES", "SPOUSE", "Choices", "Estate", "HeirRegistry"]
