# SPDX-License-Identifier: Apache-2.0
"""In-memory twins of the register clients: same Protocols, same answers, no HTTP and no database.

They let the bank provider's unit tests (and the one-laptop ecosystem) run without a server.  They
share the decisions with the app — shielding (folkeregister.for_bank), signature rights
(signatur.py), default ``kjennelsesdato`` — and check identifiers with the same typed errors, so
tests/registers/test_contract.py passes against both a twin and the real client.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import msgspec

from opendsop.clock import Clock
from opendsop.contracts.registers.clients import NoticePage
from opendsop.contracts.registers.errors import (
    Conflict,
    InvalidCursor,
    InvalidInput,
    NotFound,
    org_id,
    party_id,
    person_id,
)
from opendsop.contracts.registers.models import (
    Endring,
    Endringsside,
    Endringstype,
    Enhet,
    Hendelse,
    Hendelsesside,
    Hendelsestype,
    KonkursType,
    Konkursvarsel,
    KonkursvarselOppsummering,
    Organisasjon,
    Person,
    PersonStatus,
    Roller,
    SignaturSvar,
    Vergemaal,
)
from opendsop.registers.enhetsregister import answer, check_enhet, roles_view
from opendsop.registers.folkeregister import for_bank
from opendsop.registers.konkursregister import published_notice_rows, with_default_kjennelsesdato
from opendsop.registers.store import convert_rows, from_ms, to_ms, utcnow

DEFAULT_PAGE = 100


def _limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_PAGE
    if limit < 1:
        raise InvalidInput(f"antall must be at least 1, got {limit}", parameter="antall")
    return limit


def _after(cursor: int) -> int:
    if cursor < 0:
        raise InvalidCursor(f"etter must be a sequence number (0 or more), got {cursor}", parameter="etter")
    return cursor


class MemoryFolkeregister:
    """``Folkeregister`` held in dicts."""

    def __init__(self, *, clock: Clock | None = None, synthetic_allowed: bool = True) -> None:
        self._clock = clock or utcnow
        self._synthetic = synthetic_allowed
        self._persons: dict[str, Person] = {}
        self._guardianships: dict[str, Vergemaal] = {}
        self._events: list[Hendelse] = []

    def load_persons(self, rows: Iterable[Person | Mapping[str, Any]]) -> int:
        people = convert_rows(rows, Person, "person")
        for person in people:
            person_id(person.identifikasjonsnummer, "identifikasjonsnummer", synthetic_allowed=self._synthetic)
            self._persons[person.identifikasjonsnummer] = person
        return len(people)

    def load_guardianships(self, rows: Iterable[Vergemaal | Mapping[str, Any]]) -> int:
        items = convert_rows(rows, Vergemaal, "vergemaal")
        for item in items:
            self._store(item)
        return len(items)

    def _store(self, item: Vergemaal) -> bool:
        person_id(item.vergehaver, "vergehaver", synthetic_allowed=self._synthetic)
        person_id(item.verge.identifikasjonsnummer, "verge", synthetic_allowed=self._synthetic)
        if item.vergehaver not in self._persons:
            raise NotFound(f"the vergehaver {item.vergehaver} is not registered", parameter="vergehaver")
        existed = item.id in self._guardianships
        self._guardianships[item.id] = item
        return existed

    def _emit(self, **fields: Any) -> Hendelse:
        event = Hendelse(sekvensnummer=len(self._events) + 1, registreringstidspunkt=self._clock(), **fields)
        self._events.append(event)
        return event

    def record_death(self, fnr: str, doedsdato: date) -> Hendelse:
        if fnr not in self._persons:
            raise NotFound(f"no person {fnr} in Folkeregisteret", parameter="identifikasjonsnummer")
        self._persons[fnr] = msgspec.structs.replace(self._persons[fnr], status=PersonStatus.DOED, doedsdato=doedsdato)
        return self._emit(
            hendelsestype=Hendelsestype.DOEDSFALL,
            endringstype=Endringstype.OPPRETTET,
            identifikasjonsnummer=fnr,
            doedsdato=doedsdato,
        )

    def put_guardianship(self, item: Vergemaal) -> Hendelse:
        kind = Endringstype.ENDRET if self._store(item) else Endringstype.OPPRETTET
        return self._emit(
            hendelsestype=Hendelsestype.VERGEMAAL,
            endringstype=kind,
            identifikasjonsnummer=item.vergehaver,
            vergemaalId=item.id,
        )

    def end_guardianship(self, guardianship_id: str, gyldig_til: date) -> Hendelse:
        if guardianship_id not in self._guardianships:
            raise NotFound(f"no vergemål with id {guardianship_id}", parameter="id")
        try:
            item = msgspec.structs.replace(self._guardianships[guardianship_id], gyldigTilOgMed=gyldig_til)
        except (ValueError, msgspec.ValidationError) as exc:
            raise InvalidInput(str(exc), parameter="gyldigTilOgMed") from None
        self._guardianships[guardianship_id] = item
        return self._emit(
            hendelsestype=Hendelsestype.VERGEMAAL,
            endringstype=Endringstype.OPPHOERT,
            identifikasjonsnummer=item.vergehaver,
            vergemaalId=item.id,
        )

    async def person(self, fnr: str) -> Person | None:
        found = self._persons.get(person_id(fnr, "fnr", synthetic_allowed=self._synthetic))
        return None if found is None else for_bank(found)

    async def guardianships(self, ward: str) -> list[Vergemaal]:
        number = person_id(ward, "fnr", synthetic_allowed=self._synthetic)
        found = [g for g in self._guardianships.values() if g.vergehaver == number]
        return sorted(found, key=lambda g: (g.gyldigFraOgMed, g.id))

    async def events_since(self, cursor: int = 0, limit: int | None = None) -> Hendelsesside:
        after, size = _after(cursor), _limit(limit)
        found = [e for e in self._events if e.sekvensnummer > after]
        page = tuple(found[:size])
        return Hendelsesside(hendelser=page, neste=page[-1].sekvensnummer if page else after, flere=len(found) > size)


class MemoryKonkursregister:
    """``Konkursregister`` held in a list, in registration order."""

    def __init__(
        self, *, clock: Clock | None = None, synthetic_allowed: bool = True, base_url: str = "memory://registers"
    ) -> None:
        self._clock = clock or utcnow
        self._synthetic = synthetic_allowed
        self._base = base_url.rstrip("/")
        self._notices: list[Konkursvarsel] = []

    def _append(self, notice: Konkursvarsel) -> None:
        party_id(notice.debitor, "debitor", synthetic_allowed=self._synthetic)
        if any(n.uuid == notice.uuid for n in self._notices):
            raise Conflict(f"a notice with uuid {notice.uuid} is already registered", parameter="uuid")
        if self._notices and to_ms(notice.registreringstidspunkt) <= to_ms(self._notices[-1].registreringstidspunkt):
            raise Conflict(
                "notices must be appended in registration order so that no consumer misses one",
                parameter="registreringstidspunkt",
            )
        self._notices.append(notice)

    def load_notices(self, rows: Iterable[Konkursvarsel | Mapping[str, Any]]) -> int:
        items = convert_rows(
            (row if isinstance(row, Konkursvarsel) else with_default_kjennelsesdato(row) for row in rows),
            Konkursvarsel,
            "konkursvarsel",
        )
        for notice in sorted(items, key=lambda n: n.registreringstidspunkt):
            self._append(notice)
        return len(items)

    def load_test_notices(self) -> int:
        return self.load_notices(published_notice_rows())

    def register(
        self,
        *,
        type: KonkursType,
        debitor: str,
        kjennelsesdato: date,  # noqa: A002
        uuid: str | None = None,
        **extra: Any,
    ) -> Konkursvarsel:
        last = to_ms(self._notices[-1].registreringstidspunkt) if self._notices else 0
        stamp = from_ms(max(to_ms(self._clock()), last + 1))
        notice = Konkursvarsel(
            uuid=uuid or str(uuidlib.uuid4()),
            registreringstidspunkt=stamp,
            type=type,
            debitor=debitor,
            kjennelsesdato=kjennelsesdato,
            **extra,
        )
        self._append(notice)
        return notice

    def _summary(self, notice: Konkursvarsel) -> KonkursvarselOppsummering:
        return KonkursvarselOppsummering(
            uuid=notice.uuid,
            registreringstidspunkt=notice.registreringstidspunkt,
            type=notice.type,
            debitor=notice.debitor,
            lenke=f"{self._base}/konkursvarsel/api/konkursvarsler/{notice.uuid}",
        )

    async def notices_since(self, cursor: datetime | None, limit: int | None = None) -> NoticePage:
        if cursor is not None and cursor.tzinfo is None:
            raise InvalidCursor("the cursor must be a timezone-aware datetime", parameter="registreringstidspunkt")
        size = _limit(limit)
        after = None if cursor is None else to_ms(cursor)
        found = [n for n in self._notices if after is None or to_ms(n.registreringstidspunkt) > after]
        page = tuple(self._summary(n) for n in found[:size])
        return NoticePage(
            notices=page, cursor=page[-1].registreringstidspunkt if page else cursor, more=len(found) > size
        )

    async def notice(self, uuid: str) -> Konkursvarsel | None:
        try:
            key = str(uuidlib.UUID(uuid))
        except ValueError:
            raise InvalidInput(f"uuid must be a UUID, got {uuid[:40]!r}", parameter="uuid") from None
        return next((n for n in self._notices if n.uuid == key), None)

    async def notices_for(self, debitor: str) -> list[Konkursvarsel]:
        key = party_id(debitor, "debitor", synthetic_allowed=self._synthetic).value
        return [n for n in self._notices if n.debitor == key]


class MemoryEnhetsregister:
    """``Enhetsregister`` held in a dict."""

    def __init__(self, *, clock: Clock | None = None, synthetic_allowed: bool = True) -> None:
        self._clock = clock or utcnow
        self._synthetic = synthetic_allowed
        self._units: dict[str, Enhet] = {}
        self._changes: list[Endring] = []

    def load_organisations(self, rows: Iterable[Enhet | Mapping[str, Any]]) -> int:
        items = convert_rows(rows, Enhet, "enhet")
        for enhet in items:
            check_enhet(enhet, synthetic_allowed=self._synthetic)
            self._units[enhet.organisasjon.organisasjonsnummer] = enhet
        return len(items)

    def put(self, enhet: Enhet) -> Endring:
        check_enhet(enhet, synthetic_allowed=self._synthetic)
        orgnr = enhet.organisasjon.organisasjonsnummer
        kind = "Sletting" if enhet.organisasjon.slettedato else "Endring" if orgnr in self._units else "Ny"
        self._units[orgnr] = enhet
        change = Endring(
            oppdateringsid=len(self._changes) + 1, organisasjonsnummer=orgnr, endringstype=kind, dato=self._clock()
        )
        self._changes.append(change)
        return change

    def _unit(self, orgnr: str) -> Enhet | None:
        return self._units.get(org_id(orgnr, "orgnr", synthetic_allowed=self._synthetic))

    async def organisation(self, orgnr: str) -> Organisasjon | None:
        unit = self._unit(orgnr)
        return None if unit is None else unit.organisasjon

    async def roles(self, orgnr: str) -> Roller | None:
        unit = self._unit(orgnr)
        return None if unit is None else roles_view(unit)

    async def signature_right(self, orgnr: str, person: str, together_with: Sequence[str] = ()) -> SignaturSvar | None:
        number = org_id(orgnr, "organisasjonsnummer", synthetic_allowed=self._synthetic)
        who = person_id(person, "person", synthetic_allowed=self._synthetic)
        others = [person_id(p, "sammenMed", synthetic_allowed=self._synthetic) for p in together_with]
        unit = self._units.get(number)
        return None if unit is None else answer(unit, who, others)

    async def changes_since(self, cursor: int = 0, limit: int | None = None) -> Endringsside:
        after, size = _after(cursor), _limit(limit)
        found = [c for c in self._changes if c.oppdateringsid > after]
        page = tuple(found[:size])
        return Endringsside(
            oppdateringer=page, neste=page[-1].oppdateringsid if page else after, flere=len(found) > size
        )


__all__ = ["MemoryEnhetsregister", "MemoryFolkeregister", "MemoryKonkursregister"]
