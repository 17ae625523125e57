# SPDX-License-Identifier: Apache-2.0
"""Konkursregisteret stand-in: the Konkursvarsel notices and their pull feed (DSOP Konkurs “Løsningsbeskrivelse”).

* Notice types ``aapning``, ``sletting``, ``oppheving``, ``avslutning``; each notice has a uuid, a
  ``registreringstidspunkt``, the debtor (org.nr or full fnr/d-nr; personal bankruptcies may list
  linked ENK/TVAM units) and ``kjennelsesdato``; an ``avslutning`` may carry the v1.1.1
  settlement date and closing code.
* Pull model: ``konkursvarsler/oppdatert/{registreringstidspunkt}`` lists the notices registered
  *after* the given timestamp, oldest first; the bank keeps the timestamp of the last notice read
  and passes it next time.  ``konkursvarsler/{uuid}`` is the full dataset (app: api_konkurs.py).
* Timestamps strictly increase in feed order (store.py), so the timestamp cursor neither skips
  nor repeats a notice, whatever is appended meanwhile.

Decision: the 15 published test notices (DSOP Konkurs “Testdata Konkursvarsel”, a copy is
``registers/data/konkursvarsel_test_notices.csv``) give no ``kjennelsesdato``; a notice loaded
without one gets the Oslo calendar date of its ``registreringstidspunkt``.
"""

from __future__ import annotations

import csv
import uuid as uuidlib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from importlib import resources
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from opendsop.clock import oslo_date
from opendsop.contracts.registers.errors import Conflict, InvalidInput, party_id
from opendsop.contracts.registers.models import KonkursType, Konkursvarsel, TilknyttetEnhet
from opendsop.registers.store import RegisterDatabase, convert_rows, decode, encode, from_ms, notices, to_ms

FEED = "konkursvarsel"
TEST_NOTICES_FILE = "konkursvarsel_test_notices.csv"


def published_notice_rows() -> list[dict[str, str]]:
    """The 15 published test notices as CSV rows (uuid, registreringstidspunkt, type, debitor)."""
    text = resources.files("opendsop.registers").joinpath("data", TEST_NOTICES_FILE).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def with_default_kjennelsesdato(row: Mapping[str, Any]) -> dict[str, Any]:
    """A loader row with ``kjennelsesdato`` filled from the registration date when it is missing."""
    result = {key: value for key, value in row.items() if value not in (None, "")}
    if "kjennelsesdato" not in result and isinstance(result.get("registreringstidspunkt"), str | datetime):
        stamp = result["registreringstidspunkt"]
        try:
            moment = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            return result  # the model conversion reports the bad timestamp
        if moment.tzinfo is not None:
            result["kjennelsesdato"] = oslo_date(moment).isoformat()
    return result


class KonkursStore:
    """Konkursvarsel notices on the shared register database."""

    def __init__(self, db: RegisterDatabase, *, synthetic_allowed: bool = True) -> None:
        self._db = db
        self._synthetic = synthetic_allowed

    def _check(self, notice: Konkursvarsel) -> None:
        party_id(notice.debitor, "debitor", synthetic_allowed=self._synthetic)
        try:
            uuidlib.UUID(notice.uuid)
        except ValueError:
            raise InvalidInput(f"uuid {notice.uuid[:40]!r} is not a UUID", parameter="uuid") from None

    async def register(
        self,
        *,
        type: KonkursType,  # noqa: A002 - the register's field name
        debitor: str,
        kjennelsesdato: date,
        uuid: str | None = None,
        debitor_navn: str | None = None,
        tilknyttede_enheter: tuple[TilknyttetEnhet, ...] = (),
        oppgjoersdato: date | None = None,
        avslutningskode: str | None = None,
    ) -> Konkursvarsel:
        """Append a new notice now (the register assigns ``registreringstidspunkt``)."""
        fields = dict(
            uuid=uuid or str(uuidlib.uuid4()),
            type=type,
            debitor=debitor,
            kjennelsesdato=kjennelsesdato,
            debitorNavn=debitor_navn,
            tilknyttedeEnheter=tilknyttede_enheter,
            oppgjoersdato=oppgjoersdato,
            avslutningskode=avslutningskode,
        )
        async with self._db.engine.begin() as conn:
            seq, stamp = await self._db.advance(conn, FEED)
            try:
                notice = Konkursvarsel(registreringstidspunkt=from_ms(stamp), **fields)  # type: ignore[arg-type]
            except (TypeError, ValueError) as exc:
                raise InvalidInput(f"the notice is invalid: {exc}") from None
            self._check(notice)
            await self._insert(conn, seq, stamp, notice)
        return notice

    async def load_notices(self, rows: Iterable[Konkursvarsel | Mapping[str, Any]]) -> int:
        """Bulk load of notices with their own timestamps, in registration order (for seeding)."""
        items = convert_rows(
            (row if isinstance(row, Konkursvarsel) else with_default_kjennelsesdato(row) for row in rows),
            Konkursvarsel,
            "konkursvarsel",
        )
        items.sort(key=lambda notice: notice.registreringstidspunkt)
        for notice in items:
            self._check(notice)
        async with self._db.engine.begin() as conn:
            for notice in items:
                seq, stamp = await self._db.advance(conn, FEED, at_ms=to_ms(notice.registreringstidspunkt))
                await self._insert(conn, seq, stamp, notice)
        return len(items)

    async def load_test_notices(self) -> int:
        """Load the 15 published test notices."""
        return await self.load_notices(published_notice_rows())

    async def _insert(self, conn: Any, seq: int, stamp: int, notice: Konkursvarsel) -> None:
        try:  # the whole append is rolled back with the error
            await conn.execute(
                insert(notices).values(
                    seq=seq, uuid=notice.uuid, registered_ms=stamp, debitor=notice.debitor, data=encode(notice)
                )
            )
        except IntegrityError:
            raise Conflict(f"a notice with uuid {notice.uuid} is already registered", parameter="uuid") from None

    async def notice(self, notice_uuid: str) -> Konkursvarsel | None:
        async with self._db.engine.connect() as conn:
            query = select(notices.c.data).where(notices.c.uuid == notice_uuid)
            data = (await conn.execute(query)).scalar_one_or_none()
        return None if data is None else decode(data, Konkursvarsel)

    async def notices_after(self, after: datetime | None, limit: int) -> tuple[list[Konkursvarsel], bool]:
        """Up to ``limit`` notices registered after ``after`` (all when None), oldest first."""
        query = select(notices.c.data).order_by(notices.c.seq).limit(limit + 1)
        if after is not None:
            query = query.where(notices.c.registered_ms > to_ms(after))
        async with self._db.engine.connect() as conn:
            rows = (await conn.execute(query)).scalars().all()
        return [decode(row, Konkursvarsel) for row in rows[:limit]], len(rows) > limit

    async def notices_for(self, debitor: str) -> list[Konkursvarsel]:
        """Every notice about ``debitor``, oldest first."""
        query = select(notices.c.data).where(notices.c.debitor == debitor).order_by(notices.c.seq)
        async with self._db.engine.connect() as conn:
            rows = (await conn.execute(query)).scalars().all()
        return [decode(row, Konkursvarsel) for row in rows]


__all__ = ["KonkursStore", "published_notice_rows", "with_default_kjennelsesdato"]
