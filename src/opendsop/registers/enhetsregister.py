# SPDX-License-Identifier: Apache-2.0
"""Enhetsregisteret stand-in: organisations, their roles, signatur/prokura rules and a change feed.

Banks use it for the DSOP service "maskinell kontroll av signaturrett og prokura": may person X
sign for organisation Y, alone or with whom?  The decision itself is pure (signatur.py); this
module stores what it decides from.

* Roles use Enhetsregisteret's codes (``DAGL``, ``LEDE``, ``NEST``, ``MEDL``, ``VARA``, ``INNH``,
  ``SIGN``, ``PROK``); a resigned holder is kept with ``fratraadt`` and counts for nothing.
* Signatur and prokura are rules of four kinds (models.Regeltype): ``alene``, ``fellesskap``,
  ``navngitte_personer`` and ``daglig_leder_alene``, each with its registered text.
* Every write of a unit (unit, roles and rules together) appends one change (``Ny`` or
  ``Endring``; ``Sletting`` when a ``slettedato`` is set) to the change feed.  Bulk loading emits
  no changes, as in folkeregister.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select

from opendsop.contracts.registers.errors import org_id, person_id
from opendsop.contracts.registers.models import (
    Endring,
    Endringsside,
    Enhet,
    Organisasjon,
    Rettighet,
    Roller,
    SignaturSvar,
)
from opendsop.registers.signatur import signature_right
from opendsop.registers.store import RegisterDatabase, convert_rows, decode, encode, organisations

FEED = "enhetsregister"
BULK_CHUNK = 500  # keys per bulk DELETE … IN (…) / INSERT: well under every engine's parameter limit


def roles_view(enhet: Enhet) -> Roller:
    """The roles endpoint's answer for a unit."""
    return Roller(
        organisasjonsnummer=enhet.organisasjon.organisasjonsnummer,
        roller=enhet.roller,
        signatur=tuple(r for r in enhet.regler if r.rettighet is Rettighet.SIGNATUR),
        prokura=tuple(r for r in enhet.regler if r.rettighet is Rettighet.PROKURA),
    )


def check_enhet(enhet: Enhet, *, synthetic_allowed: bool) -> None:
    """Identifiers of the unit, its role holders and named persons must be well-formed."""
    org_id(enhet.organisasjon.organisasjonsnummer, "organisasjonsnummer", synthetic_allowed=synthetic_allowed)
    if enhet.organisasjon.innehaver is not None:
        person_id(enhet.organisasjon.innehaver, "innehaver", synthetic_allowed=synthetic_allowed)
    for role in enhet.roller:
        person_id(role.person, "roller.person", synthetic_allowed=synthetic_allowed)
    for rule in enhet.regler:
        for person in rule.personer:
            person_id(person, "regler.personer", synthetic_allowed=synthetic_allowed)


def answer(enhet: Enhet, person: str, together_with: Sequence[str]) -> SignaturSvar:
    """The signature-right answer for a stored unit (shared by the app and the in-memory twin)."""
    return signature_right(enhet.organisasjon.organisasjonsnummer, enhet.regler, enhet.roller, person, together_with)


class EnhetsregisterStore:
    """Units on the shared register database."""

    def __init__(self, db: RegisterDatabase, *, synthetic_allowed: bool = True) -> None:
        self._db = db
        self._synthetic = synthetic_allowed

    async def enhet(self, orgnr: str) -> Enhet | None:
        async with self._db.engine.connect() as conn:
            data = (
                await conn.execute(select(organisations.c.data).where(organisations.c.organisasjonsnummer == orgnr))
            ).scalar_one_or_none()
        return None if data is None else decode(data, Enhet)

    async def organisation(self, orgnr: str) -> Organisasjon | None:
        enhet = await self.enhet(orgnr)
        return None if enhet is None else enhet.organisasjon

    async def roles(self, orgnr: str) -> Roller | None:
        enhet = await self.enhet(orgnr)
        return None if enhet is None else roles_view(enhet)

    async def enk_units(self, innehaver: str) -> list[Organisasjon]:
        """The ENKs a person owns (linked units of a personal bankruptcy). A scan: fine for a stand-in."""
        async with self._db.engine.connect() as conn:
            rows = (await conn.execute(select(organisations.c.data))).scalars().all()
        units = (decode(row, Enhet).organisasjon for row in rows)
        return [unit for unit in units if unit.innehaver == innehaver and unit.organisasjonsform == "ENK"]

    async def put(self, enhet: Enhet) -> Endring:
        """Create or replace a unit with its roles and rules, and append the change."""
        check_enhet(enhet, synthetic_allowed=self._synthetic)
        orgnr = enhet.organisasjon.organisasjonsnummer
        async with self._db.engine.begin() as conn:
            existed = await self._write(conn, enhet)
            kind = "Sletting" if enhet.organisasjon.slettedato else "Endring" if existed else "Ny"

            def build(seq: int, at: datetime) -> Endring:
                return Endring(oppdateringsid=seq, organisasjonsnummer=orgnr, endringstype=kind, dato=at)

            change: Endring = await self._db.append_event(conn, FEED, orgnr, build)
        return change

    async def load_organisations(self, rows: Iterable[Enhet | Mapping[str, Any]]) -> int:
        """Bulk upsert of units (no changes emitted); rows are ``Enhet`` values or their JSON form."""
        items = convert_rows(rows, Enhet, "enhet")
        for enhet in items:
            check_enhet(enhet, synthetic_allowed=self._synthetic)
        latest = {enhet.organisasjon.organisasjonsnummer: enhet for enhet in items}  # a repeated key: the last wins
        keys = list(latest)
        async with self._db.engine.begin() as conn:
            for start in range(0, len(keys), BULK_CHUNK):  # one DELETE and one executemany per chunk
                chunk = keys[start : start + BULK_CHUNK]
                await conn.execute(delete(organisations).where(organisations.c.organisasjonsnummer.in_(chunk)))
                await conn.execute(
                    insert(organisations), [{"organisasjonsnummer": key, "data": encode(latest[key])} for key in chunk]
                )
        return len(items)

    async def _write(self, conn: Any, enhet: Enhet) -> bool:
        orgnr = enhet.organisasjon.organisasjonsnummer
        existed = (
            await conn.execute(delete(organisations).where(organisations.c.organisasjonsnummer == orgnr))
        ).rowcount > 0
        await conn.execute(insert(organisations).values(organisasjonsnummer=orgnr, data=encode(enhet)))
        return bool(existed)

    async def changes_after(self, after: int, limit: int) -> Endringsside:
        found, more = await self._db.events_after(FEED, after, limit, Endring)
        return Endringsside(oppdateringer=tuple(found), neste=found[-1].oppdateringsid if found else after, flere=more)

    async def signature_right(self, orgnr: str, person: str, together_with: Sequence[str] = ()) -> SignaturSvar | None:
        enhet = await self.enhet(orgnr)
        return None if enhet is None else answer(enhet, person, together_with)


__all__ = ["EnhetsregisterStore", "answer", "check_enhet", "roles_view"]
