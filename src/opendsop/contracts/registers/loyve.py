# SPDX-License-Identifier: Apache-2.0
"""Statens vegvesen's løyveregister (transport licence guarantees) and Finanstilsynet's concession register.

What a guarantor (a bank or insurer) and the stand-ins (``opendsop.registers.loyveregister``) share:
the scope, the paths, the wire models and an httpx client.  The case and guarantee shapes are the
rules core's (``standard.services.transport_guarantee``: the names of SVV's Altinn app model);
the rest are this project's, as SVV's machine API is not public (DSOP Transportløyvegaranti
“Onboarding”: "Under arbeid").

* ``GET  /loyveregister/api/v1/transportorer/{orgnr}`` — the carrier as the guarantor's app shows
  it: name, active licences per type, the caller's own guarantees and other guarantors' (type,
  status, orgnr and name only: vegvesen.no “selvbetjening for garantister”);
* ``POST /loyveregister/api/v1/saker`` — file a case (``Soknad``), answered with ``Svar``: the
  app model's ``Status`` (``OK``, ``REJECTED_BELOP_FOR_LAVT`` …) and why;
* ``GET  /loyveregister/api/v1/saker`` and ``…/garantier`` — the caller's cases and guarantees;
* ``GET  /loyveregister/api/v1/meldinger`` — the register's letters to the caller (answers to
  its cases; notices of revocation when it is the carrier);
* ``GET  /finanstilsynet/api/v1/konsesjoner/{orgnr}`` — whether an organisation holds a concession
  (public, like Finanstilsynet's virksomhetsregister).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final
from urllib.parse import quote

import msgspec

from opendsop.contracts.registers.clients import _HttpRegister
from opendsop.standard.services.transport_guarantee import (
    Garanti,
    Garantistatus,
    Garantitype,
    Reason,
    Soknad,
    Soknadtype,
    Status,
)

SCOPE_LOYVEGARANTI: Final = "svv:transportloyvegaranti"
LOYVEREGISTER: Final = "/loyveregister/api/v1"
FINANSTILSYNET: Final = "/finanstilsynet/api/v1"


class Loyveoversikt(msgspec.Struct, frozen=True, kw_only=True):
    """Active licences per type (the app model's ``Loyveoversikt``)."""

    GODSLOYVE: int = 0
    TURVOGNLOYVE: int = 0
    LETTGODSLOYVE: int = 0

    def counts(self) -> dict[Garantitype, int]:
        return {kind: getattr(self, kind.value) for kind in Garantitype}


class Transportor(msgspec.Struct, frozen=True, kw_only=True):
    """A carrier in the løyveregister (what the register is loaded with)."""

    organisasjonsnummer: str
    navn: str
    loyver: Loyveoversikt


class AnnenGarantist(msgspec.Struct, frozen=True, kw_only=True):
    navn: str
    orgnummer: str
    garantiType: Garantitype
    status: Garantistatus


class GarantiInformasjon(msgspec.Struct, frozen=True, kw_only=True):
    transportorOrgnummer: str
    transportorNavn: str
    garantistOrgnummer: str
    loyveoversikt: Loyveoversikt
    egneGarantier: tuple[Garanti, ...] = ()
    andreGarantister: tuple[AnnenGarantist, ...] = ()


class Svar(msgspec.Struct, frozen=True, kw_only=True):
    """The register's answer to a case."""

    saksnummer: str
    soknadtype: Soknadtype
    transportorOrgnummer: str
    status: Status
    melding: str
    arsak: Reason | None = None
    kreves: int | None = None  # the sum (NOK) the case had to reach, where the amount was checked
    garanti: Garanti | None = None  # the guarantee created
    endret: tuple[Garanti, ...] = ()  # guarantees ended or changed by the case


class Sak(msgspec.Struct, frozen=True, kw_only=True):
    """One filed case in the register's history."""

    saksnummer: str
    mottatt: datetime
    garantistOrgnummer: str
    soknad: Soknad
    svar: Svar


class Tilbakekall(msgspec.Struct, frozen=True, kw_only=True):
    """SVV's notice to the carrier: the licences are revoked unless a new guarantee is in place by ``frist``."""

    transportorOrgnummer: str
    transportorNavn: str
    garantiType: Garantitype
    garantiNummer: str
    garantistOrgnummer: str
    frist: date
    saksnummer: str


class Melding(msgspec.Struct, frozen=True, kw_only=True):
    """A letter from the register: ``svar`` to the guarantor, ``tilbakekall`` to the carrier."""

    id: int
    mottaker: str
    type: str  # "svar" | "tilbakekall"
    saksnummer: str
    sendt: datetime
    svar: Svar | None = None
    tilbakekall: Tilbakekall | None = None


class Konsesjon(msgspec.Struct, frozen=True, kw_only=True):
    """An entry of Finanstilsynet's register: may this organisation act as guarantor?"""

    organisasjonsnummer: str
    navn: str
    konsesjonstype: str  # e.g. "bank", "skadeforsikringsforetak"
    gyldig: bool = True


class LoyveregisterClient(_HttpRegister):
    """The løyveregister (scope ``svv:transportloyvegaranti``) and Finanstilsynet's register over HTTP."""

    async def carrier(self, orgnr: str) -> GarantiInformasjon | None:
        path = f"{LOYVEREGISTER}/transportorer/{quote(orgnr, safe='')}"
        return await self._call("GET", path, GarantiInformasjon, missing_ok=True)

    async def submit(self, case: Soknad) -> Svar:
        answer = await self._call("POST", f"{LOYVEREGISTER}/saker", Svar, body=msgspec.json.encode(case))
        assert answer is not None
        return answer

    async def cases(self) -> list[Sak]:
        return await self._call("GET", f"{LOYVEREGISTER}/saker", list[Sak]) or []

    async def guarantees(self, carrier: str | None = None) -> list[Garanti]:
        params = {"transportor": carrier} if carrier else None
        return await self._call("GET", f"{LOYVEREGISTER}/garantier", list[Garanti], params=params) or []

    async def letters(self, after: int = 0) -> list[Melding]:
        return await self._call("GET", f"{LOYVEREGISTER}/meldinger", list[Melding], params={"etter": after}) or []

    async def concession(self, orgnr: str) -> Konsesjon | None:
        path = f"{FINANSTILSYNET}/konsesjoner/{quote(orgnr, safe='')}"
        return await self._call("GET", path, Konsesjon, missing_ok=True)


__all__ = [
    "FINANSTILSYNET",
    "LOYVEREGISTER",
    "SCOPE_LOYVEGARANTI",
    "AnnenGarantist",
    "GarantiInformasjon",
    "Konsesjon",
    "LoyveregisterClient",
    "Loyveoversikt",
    "Melding",
    "Sak",
    "Svar",
    "Tilbakekall",
    "Transportor",
]
