# SPDX-License-Identifier: Apache-2.0
"""Foretaksregisteret's intake of a new aksjeselskap, as a stand-in (contracts.registers.kartverket, founding part).

The founder's notice (a Samordnet registermelding stand-in) names the company, its share capital, the
founders, the board and the bank that confirms the contribution.  The bank's signed confirmation
(aksjeloven § 2-18 (2)) is checked against it by the pure rules (``standard.dsve.selskap``): a
mismatch is answered with its code and the notice waits for a correct confirmation; more than three
months after the founding the notice is refused for good (§ 2-18 (3)).  A matching confirmation
registers the company in Enhetsregisteret — the same store the signature-right check reads — with a
new organisasjonsnummer, the board as roles and "styret i fellesskap" as signatur, all in one
transaction with the notice's new state; confirming again answers the same (nothing registered twice).
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec
from sqlalchemy import Column, String, Table, Text, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from opendsop.contracts.dsve import signing
from opendsop.contracts.registers.errors import Conflict
from opendsop.contracts.registers.kartverket import Stiftelse, Stiftelsesmelding
from opendsop.contracts.registers.models import (
    Endring,
    Enhet,
    Organisasjon,
    Regeltype,
    Rettighet,
    Rolle,
    Rollekode,
    Rollekrav,
    Signaturregel,
)
from opendsop.registers.store import RegisterDatabase, decode, encode, metadata, organisations
from opendsop.standard.dsve import selskap
from opendsop.standard.dsve.errors import DsveError
from opendsop.standard.dsve.shipment import parse_xml
from opendsop.standard.identifiers import orgnr_check_digit
from opendsop.trust.chain import TrustStore

notices = Table(
    "registers_stiftelse",
    metadata,
    Column("referanse", String(64), primary_key=True),
    Column("melding", Text, nullable=False),
    Column("data", Text, nullable=False),
)
FEED = "foretaksregister"  # numbers new organisations
ORGNR_PREFIX = "31"  # Tenor's synthetic range (standard.identifiers._orgnr): a stand-in never hands out a real number


def _notice(value: Stiftelsesmelding) -> selskap.Stiftelsesmelding:
    return selskap.Stiftelsesmelding(
        value.referanse,
        value.foretaksnavn,
        value.aksjekapital,
        value.stiftelsesdato,
        value.stiftere,
        value.styre,
        value.bankOrganisasjonsnummer,
        value.forretningsadresse,
    )


def _company(orgnr: str, notice: Stiftelsesmelding, today: date) -> Enhet:
    roles = tuple(
        Rolle(rolle=Rollekode.LEDE if index == 0 else Rollekode.MEDL, person=person)
        for index, person in enumerate(notice.styre)
    )
    rule = Signaturregel(
        rettighet=Rettighet.SIGNATUR,
        regeltype=Regeltype.FELLESSKAP,
        tekst="Styret i fellesskap.",
        roller=(Rollekrav(rolle=Rollekode.MEDL, antall=None),),
    )
    return Enhet(
        organisasjon=Organisasjon(
            organisasjonsnummer=orgnr, navn=notice.foretaksnavn, organisasjonsform="AS", registreringsdato=today
        ),
        roller=roles,
        regler=(rule,),
    )


class ForetakStore:
    def __init__(self, db: RegisterDatabase, *, trust: TrustStore | None = None) -> None:
        self._db = db
        self._trust = trust

    async def founding(self, referanse: str) -> Stiftelse | None:
        async with self._db.engine.connect() as conn:
            data = (
                await conn.execute(select(notices.c.data).where(notices.c.referanse == referanse))
            ).scalar_one_or_none()
        return None if data is None else decode(data, Stiftelse)

    async def _melding(self, referanse: str) -> Stiftelsesmelding | None:
        async with self._db.engine.connect() as conn:
            data = (
                await conn.execute(select(notices.c.melding).where(notices.c.referanse == referanse))
            ).scalar_one_or_none()
        return None if data is None else decode(data, Stiftelsesmelding)

    async def notify(self, notice: Stiftelsesmelding) -> Stiftelse:
        """Receive a founding notice (the same notice again answers its state; another under its reference: 409)."""
        selskap.check_notice(_notice(notice))
        state = Stiftelse(
            referanse=notice.referanse,
            foretaksnavn=notice.foretaksnavn,
            status="mottatt",
            bankOrganisasjonsnummer=notice.bankOrganisasjonsnummer,
        )
        try:
            async with self._db.engine.begin() as conn:
                await conn.execute(
                    insert(notices).values(referanse=notice.referanse, melding=encode(notice), data=encode(state))
                )
        except IntegrityError:
            if await self._melding(notice.referanse) != notice:
                raise Conflict(
                    f"another founding notice has the reference {notice.referanse}", parameter="referanse"
                ) from None
            found = await self.founding(notice.referanse)
            assert found is not None
            return found
        return state

    async def confirm(self, referanse: str, sdo: bytes, *, now: datetime, today: date) -> Stiftelse | None:
        """Check the bank's signed confirmation and register the company when it matches; None: no such notice."""
        notice = await self._melding(referanse)
        state = await self.founding(referanse)
        if notice is None or state is None:
            return None
        if state.status != "mottatt":
            return state  # registered or refused already: the same answer, nothing done twice
        try:
            if self._trust is None:
                raise DsveError("FR-005", "Foretaksregisteret trusts no signing certificate authority")
            try:
                document, signers = signing.verify(sdo, self._trust, now=now)
            except DsveError as error:
                raise DsveError("FR-005", error.message) from None
            confirmation = selskap.read_bekreftelse(parse_xml(document, "the confirmation"))
            if confirmation.meldingsreferanse != referanse:
                raise DsveError("FR-003", "the confirmation refers to another founding notice")
            selskap.check_confirmation(_notice(notice), confirmation, sorted(signers), today=today)
        except DsveError as error:
            final = error.code == "FR-004"
            refused = msgspec.structs.replace(
                state, status="avvist" if final else "mottatt", kode=error.code, begrunnelse=error.message
            )
            await self._save(refused)
            return refused
        return await self._register(notice, state, today)

    async def _save(self, state: Stiftelse) -> None:
        async with self._db.engine.begin() as conn:
            await conn.execute(update(notices).where(notices.c.referanse == state.referanse).values(data=encode(state)))

    async def _register(self, notice: Stiftelsesmelding, state: Stiftelse, today: date) -> Stiftelse:
        async with self._db.engine.begin() as conn:
            current = (
                await conn.execute(
                    select(notices.c.data).where(notices.c.referanse == notice.referanse).with_for_update()
                )
            ).scalar_one()
            if decode(current, Stiftelse).status != "mottatt":
                return decode(current, Stiftelse)  # registered concurrently
            orgnr = await self._new_orgnr(conn)
            company = _company(orgnr, notice, today)
            await conn.execute(insert(organisations).values(organisasjonsnummer=orgnr, data=encode(company)))
            registered = msgspec.structs.replace(
                state,
                status="registrert",
                organisasjonsnummer=orgnr,
                registreringsdato=today,
                kode=None,
                begrunnelse=None,
            )
            await conn.execute(
                update(notices).where(notices.c.referanse == notice.referanse).values(data=encode(registered))
            )

            def build(seq: int, at: datetime) -> Endring:
                return Endring(oppdateringsid=seq, organisasjonsnummer=orgnr, endringstype="Ny", dato=at)

            await self._db.append_event(conn, "enhetsregister", orgnr, build)
        return registered

    async def _new_orgnr(self, conn: AsyncConnection) -> str:
        while True:
            seq, _ = await self._db.advance(conn, FEED)
            first = f"{ORGNR_PREFIX}{seq:06d}"
            check = orgnr_check_digit(first)
            if check is None:
                continue
            orgnr = f"{first}{check}"
            taken = select(organisations.c.organisasjonsnummer).where(organisations.c.organisasjonsnummer == orgnr)
            if (await conn.execute(taken)).first() is None:
                return orgnr


__all__ = ["ForetakStore"]
