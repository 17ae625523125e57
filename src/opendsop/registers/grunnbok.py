# SPDX-License-Identifier: Apache-2.0
"""Kartverket's grunnbok, e-tinglysing and AKELDO as stand-ins (contracts.registers.kartverket).

The grunnbok holds units (matrikkel units and borettslag shares) with their title holders and their
mortgages in priority order.  e-tinglysing takes one signed document (SDO) at a time: it verifies the
signatures, reads the document and lets the pure rules decide (``standard.dsve.tinglysing.decide``)
on the unit as it stands, with the unit's row locked (``FOR UPDATE`` on PostgreSQL; SQLite has one
writer).  A registration and its answer are written in the same transaction, keyed by the
document's ``dokumentreferanse``: a sender that retries after a crash gets the stored answer and
nothing is registered twice; another document under a registered reference is refused (``DSVE-009``).
A refusal changes nothing and is not kept: the corrected document may be sent under the same reference.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Column, String, Table, Text, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from opendsop.contracts.dsve import signing
from opendsop.contracts.registers.kartverket import (
    Aktoer,
    Forsendelse,
    Grunnbokenhet,
    Heftelse,
    Rettighetshaver,
    unit_key,
)
from opendsop.registers.store import RegisterDatabase, convert_rows, decode, encode, metadata
from opendsop.standard.dsve import tinglysing as tl
from opendsop.standard.dsve.errors import DsveError
from opendsop.standard.dsve.shipment import parse_xml, to_bytes
from opendsop.standard.dsve.values import Pantedokumentreferanse
from opendsop.trust.chain import TrustStore

units = Table(
    "registers_grunnbok_enhet",
    metadata,
    Column("enhet", String(80), primary_key=True),
    Column("data", Text, nullable=False),
)
holdings = Table(
    "registers_grunnbok_hjemmel",
    metadata,
    Column("hjemmelshaver", String(11), primary_key=True),
    Column("enhet", String(80), primary_key=True),
)
shipments = Table(
    "registers_tinglysing",
    metadata,
    Column("dokumentreferanse", String(100), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("data", Text, nullable=False),
)
actors = Table(
    "registers_akeldo",
    metadata,
    Column("organisasjonsnummer", String(9), primary_key=True),
    Column("data", Text, nullable=False),
)

FEED = "grunnbok"  # the registers_feed_head row that numbers the documents (dokumentnummer)
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024


def _heftelse(item: Heftelse) -> tl.Heftelse:
    reference = Pantedokumentreferanse(
        item.dokumentnummer, item.dokumentaar, item.embetenummer, item.rettsstiftelsesnummer
    )
    return tl.Heftelse(reference, item.panthaver.id, item.pantsettere, item.beloep, item.dokumentreferanse)


def _holder(party: Any) -> Rettighetshaver:
    return Rettighetshaver(id=party.id, navn=party.navn)


class GrunnbokStore:
    """The grunnbok, the e-tinglysing intake and AKELDO on the shared register database."""

    def __init__(self, db: RegisterDatabase, *, trust: TrustStore | None = None) -> None:
        self._db = db
        self._trust = trust

    # -- reading ------------------------------------------------------------------------------------

    async def unit(self, key: str) -> Grunnbokenhet | None:
        async with self._db.engine.connect() as conn:
            return await self._unit(conn, key)

    @staticmethod
    async def _unit(conn: AsyncConnection, key: str, *, lock: bool = False) -> Grunnbokenhet | None:
        query = select(units.c.data).where(units.c.enhet == key)
        data = (await conn.execute(query.with_for_update() if lock else query)).scalar_one_or_none()
        return None if data is None else decode(data, Grunnbokenhet)

    async def units_of(self, holder: str) -> list[Grunnbokenhet]:
        async with self._db.engine.connect() as conn:
            keys = (
                (
                    await conn.execute(
                        select(holdings.c.enhet).where(holdings.c.hjemmelshaver == holder).order_by(holdings.c.enhet)
                    )
                )
                .scalars()
                .all()
            )
            found = [await self._unit(conn, key) for key in keys]
        return [unit for unit in found if unit is not None]

    async def forsendelse(self, dokumentreferanse: str) -> Forsendelse | None:
        async with self._db.engine.connect() as conn:
            data = (
                await conn.execute(select(shipments.c.data).where(shipments.c.dokumentreferanse == dokumentreferanse))
            ).scalar_one_or_none()
        return None if data is None else decode(data, Forsendelse)

    async def aktoer(self, orgnr: str) -> Aktoer | None:
        async with self._db.engine.connect() as conn:
            data = (
                await conn.execute(select(actors.c.data).where(actors.c.organisasjonsnummer == orgnr))
            ).scalar_one_or_none()
        return None if data is None else decode(data, Aktoer)

    async def aktoerer(self) -> list[Aktoer]:
        async with self._db.engine.connect() as conn:
            rows = (await conn.execute(select(actors.c.data).order_by(actors.c.organisasjonsnummer))).scalars().all()
        return [decode(row, Aktoer) for row in rows]

    # -- loading ------------------------------------------------------------------------------------

    async def load(
        self,
        unit_rows: Iterable[Grunnbokenhet | Mapping[str, Any]],
        actor_rows: Iterable[Aktoer | Mapping[str, Any]] = (),
    ) -> int:
        """Bulk upsert of units (with their holders and mortgages) and AKELDO entries; returns the units written."""
        items = convert_rows(unit_rows, Grunnbokenhet, "registerenhet")
        entries = convert_rows(actor_rows, Aktoer, "aktoer")
        async with self._db.engine.begin() as conn:
            for unit in items:
                await self._write(conn, unit)
            for entry in entries:
                await conn.execute(delete(actors).where(actors.c.organisasjonsnummer == entry.organisasjonsnummer))
                await conn.execute(
                    insert(actors).values(organisasjonsnummer=entry.organisasjonsnummer, data=encode(entry))
                )
        return len(items)

    @staticmethod
    async def _write(conn: AsyncConnection, unit: Grunnbokenhet) -> None:
        await conn.execute(delete(units).where(units.c.enhet == unit.enhet))
        await conn.execute(insert(units).values(enhet=unit.enhet, data=encode(unit)))
        await conn.execute(delete(holdings).where(holdings.c.enhet == unit.enhet))
        for holder in {h.id for h in unit.hjemmelshavere}:
            await conn.execute(insert(holdings).values(hjemmelshaver=holder, enhet=unit.enhet))

    # -- e-tinglysing -------------------------------------------------------------------------------

    async def submit(self, sdo: bytes, *, now: datetime) -> tuple[Forsendelse, bool]:
        """Decide and (when OK) register one signed document; (answer, whether it was a duplicate reference)."""
        digest = hashlib.sha256(sdo).hexdigest()
        try:
            if len(sdo) > MAX_DOCUMENT_BYTES:
                raise DsveError("TL-006", f"the signed document is larger than {MAX_DOCUMENT_BYTES} bytes")
            if self._trust is None:
                raise DsveError("TL-007", "this e-tinglysing trusts no signing certificate authority")
            document, signers = signing.verify(sdo, self._trust, now=now)
            dokument = tl.read_dokument(parse_xml(document, "the document"))
        except DsveError as error:
            reference = self._reference_of(sdo)
            status = "REJECTED" if error.code == "TL-007" else "VALIDATION_FAILED"
            return self._answer(reference, tl.Decision(status, error.code, error.message), None, None, now), False
        stored = await self.forsendelse(dokument.dokumentreferanse)
        if stored is not None:
            return await self._again(dokument.dokumentreferanse, digest, stored, now)
        try:
            async with self._db.engine.begin() as conn:
                answer = await self._register(conn, dokument, signers, now)
                if answer.status == "OK":  # a refusal changes nothing: a corrected document may reuse the reference
                    row = {"dokumentreferanse": dokument.dokumentreferanse, "digest": digest, "data": encode(answer)}
                    await conn.execute(insert(shipments).values(**row))
        except IntegrityError:  # the same reference was registered concurrently: answer as a retry would be
            stored = await self.forsendelse(dokument.dokumentreferanse)
            assert stored is not None
            return await self._again(dokument.dokumentreferanse, digest, stored, now)
        return answer, False

    async def _again(self, reference: str, digest: str, stored: Forsendelse, now: datetime) -> tuple[Forsendelse, bool]:
        async with self._db.engine.connect() as conn:
            first = (
                await conn.execute(select(shipments.c.digest).where(shipments.c.dokumentreferanse == reference))
            ).scalar_one()
        if first == digest:
            return stored, False  # a retry of the same document: the same answer, nothing registered again
        decision = tl.Decision(
            "REJECTED", "DSVE-009", f"dokumentreferanse {reference} er allerede brukt av et annet dokument"
        )
        return self._answer(reference, decision, None, None, now), True

    @staticmethod
    def _reference_of(sdo: bytes) -> str:
        try:
            root = parse_xml(signing.document_of(sdo), "the document")
            found = next(
                (e.text for e in root if isinstance(e.tag, str) and e.tag.endswith("}dokumentreferanse")), None
            )
        except DsveError:
            return ""
        return (found or "").strip()[:100]

    async def _register(
        self, conn: AsyncConnection, dokument: tl.Dokument, signers: frozenset[str], now: datetime
    ) -> Forsendelse:
        key = unit_key(dokument.enhet)
        unit = await self._unit(conn, key, lock=True)
        holders = None if unit is None else frozenset(h.id for h in unit.hjemmelshavere)
        heftelser = [] if unit is None else [_heftelse(h) for h in unit.heftelser]
        decision = tl.decide(dokument, signers, holders, heftelser)
        if not decision.ok or unit is None:
            return self._answer(dokument.dokumentreferanse, decision, dokument, None, now)
        seq, _ = await self._db.advance(conn, FEED)
        reference = Pantedokumentreferanse(seq, now.year, tl.EMBETENUMMER, 1, now)
        if isinstance(dokument, tl.Pantedokument):
            entry = Heftelse(
                prioritet=len(unit.heftelser) + 1,
                dokumentnummer=seq,
                dokumentaar=now.year,
                embetenummer=tl.EMBETENUMMER,
                rettsstiftelsesnummer=1,
                registreringstidspunkt=now,
                panthaver=_holder(dokument.panthaver),
                pantsettere=tuple(p.id for p in dokument.pantsettere),
                beloep=dokument.beloep,
                dokumentreferanse=dokument.dokumentreferanse,
            )
            changed = _replace(unit, heftelser=(*unit.heftelser, entry))
        elif isinstance(dokument, tl.Skjoete):
            changed = _replace(unit, hjemmelshavere=tuple(_holder(p) for p in dokument.erververe))
        else:
            target = dokument.heftelse
            kept = [
                h
                for h in unit.heftelser
                if (h.dokumentnummer, h.dokumentaar) != (target.dokumentnummer, target.dokumentaar)
            ]
            gone = [h for h in unit.heftelser if h not in kept]
            renumbered = tuple(_replace(h, prioritet=index) for index, h in enumerate(kept, start=1))
            changed = _replace(unit, heftelser=renumbered, slettede=(*unit.slettede, *gone))
        await self._write(conn, changed)
        return self._answer(dokument.dokumentreferanse, decision, dokument, reference, now)

    @staticmethod
    def _answer(
        reference: str,
        decision: tl.Decision,
        dokument: tl.Dokument | None,
        registered: Pantedokumentreferanse | None,
        now: datetime,
    ) -> Forsendelse:
        enhet = None if dokument is None else dokument.enhet
        recorded = [] if registered is None or enhet is None else [(enhet, registered)]
        xml = to_bytes(tl.forsendelsesstatus_xml(decision, reference or "ukjent", recorded, now)).decode("utf-8")
        kind = None if dokument is None else type(dokument).__name__.lower()
        return Forsendelse(
            dokumentreferanse=reference,
            status=decision.status,  # type: ignore[arg-type]
            beskrivelse=decision.beskrivelse,
            kode=decision.code,
            tidspunkt=now,
            enhet=None if enhet is None else unit_key(enhet),
            dokumenttype=kind,
            dokumentnummer=None if registered is None else registered.dokumentnummer,
            dokumentaar=None if registered is None else registered.dokumentaar,
            embetenummer=None if registered is None else registered.embetenummer,
            rettsstiftelsesnummer=None if registered is None else registered.rettsstiftelsesnummer,
            forsendelsesstatus=xml,
        )


def _replace(value: Any, **changes: Any) -> Any:
    return msgspec.structs.replace(value, **changes)


__all__ = ["FEED", "GrunnbokStore"]
