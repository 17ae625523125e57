# SPDX-License-Identifier: Apache-2.0
"""Kartverket's grunnbok, e-tinglysing and AKELDO, and Foretaksregisteret's founding intake, as stand-ins serve them.

What the actors (banks, estate agents) and the stand-ins (``opendsop.registers.grunnbok``,
``opendsop.registers.foretak``) share: scopes, paths, wire models and an httpx client.  The shapes are
this project's (Kartverket's own services speak SOAP and Altinn broker 4433; docs/decisions.md, DSVE):

* ``GET  /grunnbok/api/v1/registerenheter/{enhet}`` — a unit with its hjemmelshavere and its
  heftelser in priority order; ``GET …/hjemmelshavere/{id}/registerenheter`` — units one party holds
  (scope ``kartverket:grunnbok``);
* ``POST /etinglysing/api/v1/forsendelser`` — a signed document (SDO, ``application/xml``), answered
  with its ``Forsendelse`` (status ``OK``/``VALIDATION_FAILED``/``REJECTED``, the registration and
  Kartverket's forsendelsesstatus XML); sending the same document again answers the same, a different
  document under a used ``dokumentreferanse`` is refused (``DSVE-009``); ``GET …/forsendelser/{ref}``
  (scope ``kartverket:etinglysing``);
* ``GET  /akeldo/aktoer`` and ``/akeldo/aktoer/{orgnr}`` — the actor register (public, as Kartverket's);
* ``POST /foretaksregisteret/api/v1/stiftelser`` — a founding notice (``Stiftelsesmelding``);
  ``POST …/stiftelser/{referanse}/kapitalbekreftelse`` — the bank's signed confirmation;
  ``GET …/stiftelser/{referanse}`` — the notice's state (scope ``brreg:mottak``, Brreg's intake scope).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Final, Literal
from urllib.parse import quote

import httpx
import msgspec

from opendsop.contracts.registers.clients import _HttpRegister
from opendsop.contracts.registers.errors import RegisterUnavailable
from opendsop.standard.dsve.values import Borettsandel, Matrikkel, Registerenhet

SCOPE_GRUNNBOK: Final = "kartverket:grunnbok"
SCOPE_ETINGLYSING: Final = "kartverket:etinglysing"
SCOPE_FORETAK: Final = "brreg:mottak"
GRUNNBOK: Final = "/grunnbok/api/v1"
ETINGLYSING: Final = "/etinglysing/api/v1"
AKELDO: Final = "/akeldo"
FORETAKSREGISTER: Final = "/foretaksregisteret/api/v1"


def unit_key(enhet: Registerenhet) -> str:
    """A unit's path segment: ``0301-208-12-0-0`` (kommune-gnr-bnr-fnr-snr) or ``borett-<orgnr>-<andelsnummer>``."""
    if isinstance(enhet, Matrikkel):
        return (
            f"{enhet.kommunenummer}-{enhet.gaardsnummer}-{enhet.bruksnummer}-{enhet.festenummer}-{enhet.seksjonsnummer}"
        )
    return f"borett-{enhet.organisasjonsnummer}-{enhet.andelsnummer}"


class Rettighetshaver(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    navn: str


class Heftelse(msgspec.Struct, frozen=True, kw_only=True):
    """A registered mortgage; ``prioritet`` 1 is first."""

    prioritet: int
    dokumentnummer: int
    dokumentaar: int
    embetenummer: int
    rettsstiftelsesnummer: int
    registreringstidspunkt: datetime
    panthaver: Rettighetshaver
    pantsettere: tuple[str, ...]
    beloep: int
    dokumentreferanse: str


class Grunnbokenhet(msgspec.Struct, frozen=True, kw_only=True):
    """A unit of the grunnbok: a matrikkel unit (gnr/bnr/fnr/snr) or a borettslag share."""

    enhet: str  # unit_key
    type: Literal["matrikkel", "borettsandel"]
    kommunenummer: str | None = None
    kommunenavn: str | None = None
    gaardsnummer: int | None = None
    bruksnummer: int | None = None
    festenummer: int = 0
    seksjonsnummer: int = 0
    organisasjonsnummer: str | None = None
    borettslagnavn: str | None = None
    andelsnummer: str | None = None
    adresse: str | None = None
    hjemmelshavere: tuple[Rettighetshaver, ...] = ()
    heftelser: tuple[Heftelse, ...] = ()
    slettede: tuple[Heftelse, ...] = ()  # deleted mortgages, kept as the grunnbok's history

    def registerenhet(self) -> Registerenhet:
        if self.type == "matrikkel":
            return Matrikkel(
                self.kommunenummer or "",
                self.kommunenavn or "",
                self.gaardsnummer or 0,
                self.bruksnummer or 0,
                self.festenummer,
                self.seksjonsnummer,
            )
        return Borettsandel(self.organisasjonsnummer or "", self.borettslagnavn or "", self.andelsnummer or "")


def grunnbokenhet(
    enhet: Registerenhet, holders: tuple[Rettighetshaver, ...], adresse: str | None = None
) -> Grunnbokenhet:
    if isinstance(enhet, Matrikkel):
        return Grunnbokenhet(
            enhet=unit_key(enhet),
            type="matrikkel",
            kommunenummer=enhet.kommunenummer,
            kommunenavn=enhet.kommunenavn,
            gaardsnummer=enhet.gaardsnummer,
            bruksnummer=enhet.bruksnummer,
            festenummer=enhet.festenummer,
            seksjonsnummer=enhet.seksjonsnummer,
            adresse=adresse,
            hjemmelshavere=holders,
        )
    return Grunnbokenhet(
        enhet=unit_key(enhet),
        type="borettsandel",
        organisasjonsnummer=enhet.organisasjonsnummer,
        borettslagnavn=enhet.borettslagnavn,
        andelsnummer=enhet.andelsnummer,
        adresse=adresse,
        hjemmelshavere=holders,
    )


class Forsendelse(msgspec.Struct, frozen=True, kw_only=True):
    """e-tinglysing's answer to one signed document."""

    dokumentreferanse: str
    status: Literal["OK", "VALIDATION_FAILED", "REJECTED"]
    beskrivelse: str
    kode: str | None = None
    tidspunkt: datetime
    enhet: str | None = None
    dokumenttype: str | None = None  # pantedokument | skjoete | sletting
    dokumentnummer: int | None = None
    dokumentaar: int | None = None
    embetenummer: int | None = None
    rettsstiftelsesnummer: int | None = None
    forsendelsesstatus: str = ""  # Kartverket's status XML (what the megler forwards in GjennomfoertEtinglysing)


class Aktoer(msgspec.Struct, frozen=True, kw_only=True):
    """An AKELDO entry."""

    organisasjonsnummer: str
    navn: str
    rolle: Literal["bank", "megler"]
    sendeliste: tuple[str, ...]
    mottaksliste: tuple[str, ...]


class Stiftelsesmelding(msgspec.Struct, frozen=True, kw_only=True):
    """The founding notice (a Samordnet registermelding stand-in)."""

    referanse: str
    foretaksnavn: str
    aksjekapital: Decimal
    stiftelsesdato: date
    stiftere: tuple[str, ...]
    styre: tuple[str, ...]
    bankOrganisasjonsnummer: str
    forretningsadresse: str = ""


class Stiftelse(msgspec.Struct, frozen=True, kw_only=True):
    """The state of a founding notice at Foretaksregisteret."""

    referanse: str
    foretaksnavn: str
    status: Literal["mottatt", "registrert", "avvist"]
    organisasjonsnummer: str | None = None
    registreringsdato: date | None = None
    kode: str | None = None
    begrunnelse: str | None = None
    bankOrganisasjonsnummer: str = ""


class GrunnbokClient(_HttpRegister):
    """Grunnbok reads (``kartverket:grunnbok``), e-tinglysing (``kartverket:etinglysing``), AKELDO and
    Foretaksregisteret's intake (``brreg:mottak``) over HTTP; the token must carry the scope of what is called."""

    async def unit(self, enhet: Registerenhet | str) -> Grunnbokenhet | None:
        key = enhet if isinstance(enhet, str) else unit_key(enhet)
        return await self._call(
            "GET", f"{GRUNNBOK}/registerenheter/{quote(key, safe='')}", Grunnbokenhet, missing_ok=True
        )

    async def units_of(self, holder: str) -> list[Grunnbokenhet]:
        path = f"{GRUNNBOK}/hjemmelshavere/{quote(holder, safe='')}/registerenheter"
        return await self._call("GET", path, list[Grunnbokenhet]) or []

    async def submit(self, sdo: bytes) -> Forsendelse:
        """Send one signed document to e-tinglysing; its answer (also for a refusal) is the Forsendelse."""
        headers = await self._headers()
        headers["Content-Type"] = "application/xml"
        try:
            response = await self._http.post(f"{ETINGLYSING}/forsendelser", content=sdo, headers=headers)
        except httpx.HTTPError as exc:
            raise RegisterUnavailable(f"e-tinglysing did not answer ({type(exc).__name__})") from None
        if response.status_code >= 400 and response.status_code != 409:
            raise self._error(response)
        return msgspec.json.decode(response.content, type=Forsendelse)

    async def forsendelse(self, dokumentreferanse: str) -> Forsendelse | None:
        path = f"{ETINGLYSING}/forsendelser/{quote(dokumentreferanse, safe='')}"
        return await self._call("GET", path, Forsendelse, missing_ok=True)

    async def aktoer(self, orgnr: str) -> Aktoer | None:
        return await self._call("GET", f"{AKELDO}/aktoer/{quote(orgnr, safe='')}", Aktoer, missing_ok=True)

    async def notify_founding(self, notice: Stiftelsesmelding) -> Stiftelse:
        found = await self._call("POST", f"{FORETAKSREGISTER}/stiftelser", Stiftelse, body=msgspec.json.encode(notice))
        assert found is not None
        return found

    async def confirm_capital(self, referanse: str, sdo: bytes) -> Stiftelse:
        headers = await self._headers()
        headers["Content-Type"] = "application/xml"
        path = f"{FORETAKSREGISTER}/stiftelser/{quote(referanse, safe='')}/kapitalbekreftelse"
        try:
            response = await self._http.post(path, content=sdo, headers=headers)
        except httpx.HTTPError as exc:
            raise RegisterUnavailable(f"Foretaksregisteret did not answer ({type(exc).__name__})") from None
        if response.status_code >= 400 and response.status_code != 422:
            raise self._error(response)
        return msgspec.json.decode(response.content, type=Stiftelse)

    async def founding(self, referanse: str) -> Stiftelse | None:
        path = f"{FORETAKSREGISTER}/stiftelser/{quote(referanse, safe='')}"
        return await self._call("GET", path, Stiftelse, missing_ok=True)


__all__ = [
    "AKELDO",
    "ETINGLYSING",
    "FORETAKSREGISTER",
    "GRUNNBOK",
    "SCOPE_ETINGLYSING",
    "SCOPE_FORETAK",
    "SCOPE_GRUNNBOK",
    "Aktoer",
    "Forsendelse",
    "GrunnbokClient",
    "Grunnbokenhet",
    "Heftelse",
    "Rettighetshaver",
    "Stiftelse",
    "Stiftelsesmelding",
    "grunnbokenhet",
    "unit_key",
]
