# SPDX-License-Identifier: Apache-2.0
"""Statens vegvesen's løyveregister and Finanstilsynet's concession register, as stand-ins.

Carriers (with their active licences per type), guarantees by guarantor with their status, every
filed case with its answer, and the register's letters (answers to the guarantor, notices of
revocation to the carrier) in an outbox the message platform can deliver from.  The decision is
pure (``standard.services.transport_guarantee.decide``); this module reads the facts it needs and
writes what it decided in the same transaction, with the carrier's row locked (``FOR UPDATE`` on
PostgreSQL; SQLite has one writer) so two guarantors' cases for one carrier are decided in turn.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy import BigInteger, Column, Index, String, Table, Text, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from opendsop.contracts.registers.errors import org_id
from opendsop.contracts.registers.loyve import (
    AnnenGarantist,
    GarantiInformasjon,
    Konsesjon,
    Melding,
    Sak,
    Svar,
    Tilbakekall,
    Transportor,
)
from opendsop.registers.store import RegisterDatabase, convert_rows, decode, encode, metadata
from opendsop.standard.services import transport_guarantee as tg

carriers = Table(
    "registers_transportor",
    metadata,
    Column("organisasjonsnummer", String(9), primary_key=True),
    Column("data", Text, nullable=False),
)
guarantees = Table(
    "registers_garanti",
    metadata,
    Column("garantist", String(9), primary_key=True),
    Column("garantinummer", String(64), primary_key=True),
    Column("transportor", String(9), nullable=False, index=True),
    Column("data", Text, nullable=False),
)
cases = Table(
    "registers_garanti_sak",
    metadata,
    Column("saksnummer", String(36), primary_key=True),
    Column("garantist", String(9), nullable=False),
    Column("seq", BigInteger, nullable=False),  # from the feed head: the order cases were decided in
    Column("data", Text, nullable=False),
)
letters = Table(
    "registers_loyve_melding",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("mottaker", String(9), nullable=False, index=True),
    Column("data", Text, nullable=False),
)
concessions = Table(
    "registers_konsesjon",
    metadata,
    Column("organisasjonsnummer", String(9), primary_key=True),
    Column("data", Text, nullable=False),
)
Index("registers_garanti_sak_garantist", cases.c.garantist, cases.c.seq)

FEED = "loyveregister"  # the cases' and letters' sequence (registers_feed_head)


def _merge(old: tg.Garanti, change: tg.Change) -> tg.Garanti:
    return msgspec.structs.replace(
        old,
        status=change.status,
        gyldigTil=change.gyldigTil if change.gyldigTil is not None else old.gyldigTil,
        belopGarantiRest=change.belopGarantiRest if change.belopGarantiRest is not None else old.belopGarantiRest,
        oppsigelseaarsak=change.oppsigelseaarsak or old.oppsigelseaarsak,
    )


class LoyveStore:
    """The two registers on the shared register database."""

    def __init__(self, db: RegisterDatabase, *, synthetic_allowed: bool = True) -> None:
        self._db = db
        self._synthetic = synthetic_allowed

    # -- reading --------------------------------------------------------------------------------------

    async def carrier(self, orgnr: str) -> Transportor | None:
        async with self._db.engine.connect() as conn:
            return await self._carrier(conn, orgnr)

    async def _carrier(self, conn: AsyncConnection, orgnr: str, *, lock: bool = False) -> Transportor | None:
        query = select(carriers.c.data).where(carriers.c.organisasjonsnummer == orgnr)
        data = (await conn.execute(query.with_for_update() if lock else query)).scalar_one_or_none()
        return None if data is None else decode(data, Transportor)

    async def _guarantees_of(self, conn: AsyncConnection, carrier: str) -> list[tg.Garanti]:
        rows = (
            await conn.execute(
                select(guarantees.c.data)
                .where(guarantees.c.transportor == carrier)
                .order_by(guarantees.c.garantist, guarantees.c.garantinummer)
            )
        ).scalars()
        return [decode(row, tg.Garanti) for row in rows]

    async def concession(self, orgnr: str) -> Konsesjon | None:
        async with self._db.engine.connect() as conn:
            return await self._concession(conn, orgnr)

    @staticmethod
    async def _concession(conn: AsyncConnection, orgnr: str) -> Konsesjon | None:
        data = (
            await conn.execute(select(concessions.c.data).where(concessions.c.organisasjonsnummer == orgnr))
        ).scalar_one_or_none()
        return None if data is None else decode(data, Konsesjon)

    async def overview(self, orgnr: str, guarantor: str) -> GarantiInformasjon | None:
        """The carrier as ``guarantor`` sees it: own guarantees in full, others' by type, status, orgnr, name."""
        async with self._db.engine.connect() as conn:
            carrier = await self._carrier(conn, orgnr)
            if carrier is None:
                return None
            found = await self._guarantees_of(conn, orgnr)
            names: dict[str, str] = {}
            for other in {g.garantistOrgnummer for g in found if g.garantistOrgnummer != guarantor}:
                entry = await self._concession(conn, other)
                names[other] = entry.navn if entry else ""
        return GarantiInformasjon(
            transportorOrgnummer=orgnr,
            transportorNavn=carrier.navn,
            garantistOrgnummer=guarantor,
            loyveoversikt=carrier.loyver,
            egneGarantier=tuple(g for g in found if g.garantistOrgnummer == guarantor),
            andreGarantister=tuple(
                AnnenGarantist(
                    navn=names[g.garantistOrgnummer],
                    orgnummer=g.garantistOrgnummer,
                    garantiType=g.garantiType,
                    status=g.status,
                )
                for g in found
                if g.garantistOrgnummer != guarantor
            ),
        )

    async def guarantees_by(self, guarantor: str, carrier: str | None = None) -> list[tg.Garanti]:
        query = select(guarantees.c.data).where(guarantees.c.garantist == guarantor)
        if carrier is not None:
            query = query.where(guarantees.c.transportor == carrier)
        async with self._db.engine.connect() as conn:
            rows = (await conn.execute(query.order_by(guarantees.c.transportor, guarantees.c.garantinummer))).scalars()
            return [decode(row, tg.Garanti) for row in rows]

    async def cases_by(self, guarantor: str) -> list[Sak]:
        query = select(cases.c.data).where(cases.c.garantist == guarantor).order_by(cases.c.seq)
        async with self._db.engine.connect() as conn:
            return [decode(row, Sak) for row in (await conn.execute(query)).scalars()]

    async def letters_to(self, recipient: str | None, after: int = 0, limit: int = 1000) -> list[Melding]:
        """The register's letters after sequence ``after`` (to ``recipient``; None: to anyone — the outbox)."""
        query = select(letters.c.data).where(letters.c.seq > after)
        if recipient is not None:
            query = query.where(letters.c.mottaker == recipient)
        async with self._db.engine.connect() as conn:
            rows = (await conn.execute(query.order_by(letters.c.seq).limit(limit))).scalars()
            return [decode(row, Melding) for row in rows]

    # -- a case ---------------------------------------------------------------------------------------

    async def submit(
        self, guarantor: str, case: tg.Soknad, *, today: date, now: datetime, saksnummer: str | None = None
    ) -> Svar:
        """Decide ``case`` filed by ``guarantor`` and record it, its effects and its letters in one transaction.

        ``saksnummer`` names the case where the filing already has an identity (a correspondence): filed
        again, the first answer is returned and nothing is decided twice."""
        number = saksnummer or str(uuid.uuid4())
        async with self._db.engine.begin() as conn:
            known = (await conn.execute(select(cases.c.data).where(cases.c.saksnummer == number))).scalar_one_or_none()
            if known is not None:
                return decode(known, Sak).svar
            carrier = await self._carrier(conn, case.transportorOrgnummer, lock=True)
            held = await self._guarantees_of(conn, case.transportorOrgnummer) if carrier else []
            entry = await self._concession(conn, guarantor)
            facts = (
                None
                if carrier is None
                else tg.Carrier(carrier.organisasjonsnummer, carrier.navn, carrier.loyver.counts(), tuple(held))
            )
            decision = tg.decide(
                case, garantist=guarantor, licensed=entry is not None and entry.gyldig, carrier=facts, today=today
            )
            changed: list[tg.Garanti] = []
            by_number = {g.garantiNummer: g for g in held if g.status is tg.Garantistatus.AKTIV}
            for change in decision.changes:
                old = by_number[change.garantiNummer]
                new = _merge(old, change)
                changed.append(new)
                await conn.execute(
                    update(guarantees)
                    .where(guarantees.c.garantist == old.garantistOrgnummer)
                    .where(guarantees.c.garantinummer == old.garantiNummer)
                    .values(data=encode(new))
                )
            if decision.create is not None:
                await conn.execute(
                    insert(guarantees).values(
                        garantist=guarantor,
                        garantinummer=decision.create.garantiNummer,
                        transportor=decision.create.transportorOrgnummer,
                        data=encode(decision.create),
                    )
                )
            answer = Svar(
                saksnummer=number,
                soknadtype=case.soknadtype,
                transportorOrgnummer=case.transportorOrgnummer,
                status=decision.status,
                melding=decision.message,
                arsak=decision.reason,
                kreves=decision.required,
                garanti=decision.create,
                endret=tuple(changed),
            )
            record = Sak(saksnummer=number, mottatt=now, garantistOrgnummer=guarantor, soknad=case, svar=answer)
            seq, _ = await self._db.advance(conn, FEED)
            await conn.execute(
                insert(cases).values(saksnummer=number, garantist=guarantor, seq=seq, data=encode(record))
            )
            await self._letter(conn, guarantor, "svar", number, now, svar=answer)
            if decision.revocation is not None and carrier is not None:
                notice = decision.revocation
                ended = next(g for g in changed if g.garantiNummer == notice.garantiNummer)
                await self._letter(
                    conn,
                    carrier.organisasjonsnummer,
                    "tilbakekall",
                    number,
                    now,
                    tilbakekall=Tilbakekall(
                        transportorOrgnummer=carrier.organisasjonsnummer,
                        transportorNavn=carrier.navn,
                        garantiType=notice.garantiType,
                        garantiNummer=notice.garantiNummer,
                        garantistOrgnummer=ended.garantistOrgnummer,
                        frist=notice.frist,
                        saksnummer=number,
                    ),
                )
        return answer

    async def _letter(
        self, conn: AsyncConnection, recipient: str, kind: str, case: str, now: datetime, **body: Any
    ) -> None:
        seq, _ = await self._db.advance(conn, FEED)
        letter = Melding(id=seq, mottaker=recipient, type=kind, saksnummer=case, sendt=now, **body)
        await conn.execute(insert(letters).values(seq=seq, mottaker=recipient, data=encode(letter)))

    # -- loading --------------------------------------------------------------------------------------

    async def load(
        self,
        *,
        transportorer: Iterable[Transportor | Mapping[str, Any]] = (),
        garantier: Iterable[tg.Garanti | Mapping[str, Any]] = (),
        konsesjoner: Iterable[Konsesjon | Mapping[str, Any]] = (),
    ) -> dict[str, int]:
        """Bulk upsert carriers, guarantees and concessions (no letters are written)."""
        rows_c = convert_rows(transportorer, Transportor, "transportor")
        rows_g = convert_rows(garantier, tg.Garanti, "garanti")
        rows_k = convert_rows(konsesjoner, Konsesjon, "konsesjon")
        synthetic = self._synthetic
        for c in rows_c:
            org_id(c.organisasjonsnummer, "organisasjonsnummer", synthetic_allowed=synthetic)
        for k in rows_k:
            org_id(k.organisasjonsnummer, "organisasjonsnummer", synthetic_allowed=synthetic)
        for g in rows_g:
            org_id(g.garantistOrgnummer, "garantistOrgnummer", synthetic_allowed=synthetic)
            org_id(g.transportorOrgnummer, "transportorOrgnummer", synthetic_allowed=synthetic)
        async with self._db.engine.begin() as conn:
            for c in rows_c:
                await conn.execute(delete(carriers).where(carriers.c.organisasjonsnummer == c.organisasjonsnummer))
            if rows_c:
                await conn.execute(
                    insert(carriers),
                    [{"organisasjonsnummer": c.organisasjonsnummer, "data": encode(c)} for c in rows_c],
                )
            for k in rows_k:
                await conn.execute(
                    delete(concessions).where(concessions.c.organisasjonsnummer == k.organisasjonsnummer)
                )
            if rows_k:
                await conn.execute(
                    insert(concessions),
                    [{"organisasjonsnummer": k.organisasjonsnummer, "data": encode(k)} for k in rows_k],
                )
            for g in rows_g:
                await conn.execute(
                    delete(guarantees)
                    .where(guarantees.c.garantist == g.garantistOrgnummer)
                    .where(guarantees.c.garantinummer == g.garantiNummer)
                )
            if rows_g:
                await conn.execute(
                    insert(guarantees),
                    [
                        {
                            "garantist": g.garantistOrgnummer,
                            "garantinummer": g.garantiNummer,
                            "transportor": g.transportorOrgnummer,
                            "data": encode(g),
                        }
                        for g in rows_g
                    ],
                )
        return {"transportorer": len(rows_c), "garantier": len(rows_g), "konsesjoner": len(rows_k)}


__all__ = ["FEED", "LoyveStore", "carriers", "cases", "concessions", "guarantees", "letters"]
