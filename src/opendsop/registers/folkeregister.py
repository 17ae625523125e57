# SPDX-License-Identifier: Apache-2.0
"""Folkeregisteret stand-in: persons, vergemål/fremtidsfullmakt, and the event feed of deaths and guardianship changes.

What banks use it for (DSOP “Architecture document”): the date of death for OED (DSOP OED “Løsningsbeskrivelse”:
"confirm death in
FREG"; fromDate ≥ date of death − 3 months), the guardianship for Vergekontroll (DSOP Vergekontroll
“Løsningsbeskrivelse”: the guardian
must match ``AdditionalReferenceID`` and hold ``representasjonDagligbank``, within the
guardianship's validity), and shielding.

Decisions:

* A person with ``adressebeskyttelse`` other than ``ugradert`` is served to banks *without* the
  address (``bostedsadresse`` null); the grading itself is always served, so the bank knows why.
* A death or a guardianship change is written in the same transaction as its feed event
  (``doedsfall``; ``vergemaalEllerFremtidsfullmakt`` opprettet/endret/opphoert).  The bulk loaders
  write the state only and emit no events: they seed a register, they do not replay history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy import delete, insert, select, update

from opendsop.contracts.registers.errors import InvalidInput, NotFound, person_id
from opendsop.contracts.registers.models import (
    Endringstype,
    Hendelse,
    Hendelsesside,
    Hendelsestype,
    Person,
    PersonStatus,
    Vergemaal,
)
from opendsop.registers.store import RegisterDatabase, convert_rows, decode, encode, guardianships, persons

FEED = "folkeregister"
BULK_CHUNK = 500  # keys per bulk DELETE … IN (…) / INSERT: well under every engine's parameter limit


def for_bank(person: Person) -> Person:
    """What an authorised bank may see: everything but the address of a shielded person."""
    return msgspec.structs.replace(person, bostedsadresse=None) if person.shielded else person


class FolkeregisterStore:
    """Persons and guardianships on the shared register database."""

    def __init__(self, db: RegisterDatabase, *, synthetic_allowed: bool = True) -> None:
        self._db = db
        self._synthetic = synthetic_allowed

    def _check(self, person: Person) -> None:
        person_id(person.identifikasjonsnummer, "identifikasjonsnummer", synthetic_allowed=self._synthetic)

    async def person(self, fnr: str) -> Person | None:
        async with self._db.engine.connect() as conn:
            data = (
                await conn.execute(select(persons.c.data).where(persons.c.identifikasjonsnummer == fnr))
            ).scalar_one_or_none()
        return None if data is None else decode(data, Person)

    async def put_person(self, person: Person) -> None:
        """Create or replace a person (no event: deaths go through ``record_death``)."""
        await self.load_persons([person])

    async def load_persons(self, rows: Iterable[Person | Mapping[str, Any]]) -> int:
        """Bulk upsert of persons; returns how many were written."""
        people = convert_rows(rows, Person, "person")
        for person in people:
            self._check(person)
        latest = {person.identifikasjonsnummer: person for person in people}  # a repeated key: the last wins
        keys = list(latest)
        async with self._db.engine.begin() as conn:
            for start in range(0, len(keys), BULK_CHUNK):  # one DELETE and one executemany per chunk
                chunk = keys[start : start + BULK_CHUNK]
                await conn.execute(delete(persons).where(persons.c.identifikasjonsnummer.in_(chunk)))
                await conn.execute(
                    insert(persons), [{"identifikasjonsnummer": key, "data": encode(latest[key])} for key in chunk]
                )
        return len(people)

    async def record_death(self, fnr: str, doedsdato: date) -> Hendelse:
        """Register a death and emit the ``doedsfall`` event."""
        async with self._db.engine.begin() as conn:
            data = (
                await conn.execute(select(persons.c.data).where(persons.c.identifikasjonsnummer == fnr))
            ).scalar_one_or_none()
            if data is None:
                raise NotFound(f"no person {fnr} in Folkeregisteret", parameter="identifikasjonsnummer")
            person = msgspec.structs.replace(decode(data, Person), status=PersonStatus.DOED, doedsdato=doedsdato)
            await conn.execute(
                update(persons).where(persons.c.identifikasjonsnummer == fnr).values(data=encode(person))
            )

            def build(seq: int, at: datetime) -> Hendelse:
                return Hendelse(
                    sekvensnummer=seq,
                    hendelsestype=Hendelsestype.DOEDSFALL,
                    endringstype=Endringstype.OPPRETTET,
                    identifikasjonsnummer=fnr,
                    registreringstidspunkt=at,
                    doedsdato=doedsdato,
                )

            event: Hendelse = await self._db.append_event(conn, FEED, fnr, build)
        return event

    async def guardianships(self, ward: str) -> list[Vergemaal]:
        """Every vergemål or fremtidsfullmakt registered for ``ward``, ended ones included."""
        async with self._db.engine.connect() as conn:
            rows = (
                (
                    await conn.execute(
                        select(guardianships.c.data)
                        .where(guardianships.c.vergehaver == ward)
                        .order_by(guardianships.c.id)
                    )
                )
                .scalars()
                .all()
            )
        return sorted((decode(row, Vergemaal) for row in rows), key=lambda g: (g.gyldigFraOgMed, g.id))

    async def load_guardianships(self, rows: Iterable[Vergemaal | Mapping[str, Any]]) -> int:
        """Bulk upsert of guardianships (no events); every ward must already be registered."""
        items = convert_rows(rows, Vergemaal, "vergemaal")
        async with self._db.engine.begin() as conn:
            for item in items:
                await self._write_guardianship(conn, item)
        return len(items)

    async def put_guardianship(self, item: Vergemaal) -> Hendelse:
        """Create or change a guardianship and emit ``opprettet``/``endret``."""
        async with self._db.engine.begin() as conn:
            existed = await self._write_guardianship(conn, item)
            kind = Endringstype.ENDRET if existed else Endringstype.OPPRETTET
            return await self._emit(conn, item, kind)

    async def end_guardianship(self, guardianship_id: str, gyldig_til: date) -> Hendelse:
        """Set the end date of a guardianship and emit ``opphoert``."""
        async with self._db.engine.begin() as conn:
            data = (
                await conn.execute(select(guardianships.c.data).where(guardianships.c.id == guardianship_id))
            ).scalar_one_or_none()
            if data is None:
                raise NotFound(f"no vergemål with id {guardianship_id}", parameter="id")
            try:
                item = msgspec.structs.replace(decode(data, Vergemaal), gyldigTilOgMed=gyldig_til)
            except (ValueError, msgspec.ValidationError) as exc:
                raise InvalidInput(str(exc), parameter="gyldigTilOgMed") from None
            await self._write_guardianship(conn, item)
            return await self._emit(conn, item, Endringstype.OPPHOERT)

    async def _write_guardianship(self, conn: Any, item: Vergemaal) -> bool:
        person_id(item.vergehaver, "vergehaver", synthetic_allowed=self._synthetic)
        person_id(item.verge.identifikasjonsnummer, "verge", synthetic_allowed=self._synthetic)
        ward = (
            await conn.execute(
                select(persons.c.identifikasjonsnummer).where(persons.c.identifikasjonsnummer == item.vergehaver)
            )
        ).first()
        if ward is None:
            raise NotFound(f"the vergehaver {item.vergehaver} is not registered", parameter="vergehaver")
        existed = (await conn.execute(delete(guardianships).where(guardianships.c.id == item.id))).rowcount > 0
        await conn.execute(
            insert(guardianships).values(
                id=item.id, vergehaver=item.vergehaver, verge=item.verge.identifikasjonsnummer, data=encode(item)
            )
        )
        return bool(existed)

    async def _emit(self, conn: Any, item: Vergemaal, kind: Endringstype) -> Hendelse:
        def build(seq: int, at: datetime) -> Hendelse:
            return Hendelse(
                sekvensnummer=seq,
                hendelsestype=Hendelsestype.VERGEMAAL,
                endringstype=kind,
                identifikasjonsnummer=item.vergehaver,
                registreringstidspunkt=at,
                vergemaalId=item.id,
            )

        event: Hendelse = await self._db.append_event(conn, FEED, item.vergehaver, build)
        return event

    async def events_after(self, after: int, limit: int) -> Hendelsesside:
        """The next page of events after sequence ``after``."""
        found, more = await self._db.events_after(FEED, after, limit, Hendelse)
        return Hendelsesside(hendelser=tuple(found), neste=found[-1].sekvensnummer if found else after, flere=more)


__all__ = ["FolkeregisterStore", "for_bank"]
