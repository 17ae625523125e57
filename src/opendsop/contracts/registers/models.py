# SPDX-License-Identifier: Apache-2.0
"""Wire and domain values of the three national registers as local stand-ins.

One frozen ``msgspec.Struct`` per concept, with the registers' own Norwegian field names, so the
JSON a bank reads is the JSON the stand-in writes (``msgspec.json.encode`` / ``decode`` with the
type).  Invariants are checked on construction (``__post_init__``), so an inconsistent person or
rule cannot exist, whether it comes from a loader file or an HTTP answer.

Sources: DSOP “Architecture document” (FREG: deaths, guardianships, shielding), DSOP Konkurs “Løsningsbeskrivelse”
(Konkursvarsel
``type``, ``kjennelsesdato``, debtor by org.nr or fnr/d-nr, linked ENK/TVAM units), DSOP OED “Løsningsbeskrivelse” (date
of
death), DSOP Vergekontroll “Løsningsbeskrivelse” ("vergemål eller fremtidsfullmakt", information model ch. 5.20,
tjenesteoppgave
``representasjonDagligbank``); the synthetic Folkeregister and Enhetsregister are
this project's stand-ins.

NOTE (compatibility): field names are part of the wire contract of ``dsop registers serve``;
rename only together with the clients in ``clients.py`` next to this module.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import msgspec

# --------------------------------------------------------------------------------- Folkeregister


class PersonStatus(StrEnum):
    """``folkeregisterpersonstatus`` (the values a bank meets); only ``doed`` carries a date of death."""

    BOSATT = "bosatt"
    UTFLYTTET = "utflyttet"
    IKKE_BOSATT = "ikkeBosatt"
    FORSVUNNET = "forsvunnet"
    DOED = "doed"


class Adressebeskyttelse(StrEnum):
    """Address protection (``adressebeskyttelse.gradering``); anything but ``ugradert`` is shielding."""

    UGRADERT = "ugradert"
    FORTROLIG = "fortrolig"
    STRENGT_FORTROLIG = "strengtFortrolig"
    STRENGT_FORTROLIG_UTLAND = "strengtFortroligUtland"


class Navn(msgspec.Struct, frozen=True, kw_only=True):
    fornavn: str
    etternavn: str
    mellomnavn: str | None = None

    @property
    def fullt(self) -> str:
        return " ".join(part for part in (self.fornavn, self.mellomnavn, self.etternavn) if part)


class Adresse(msgspec.Struct, frozen=True, kw_only=True):
    adresselinje: str
    postnummer: str
    poststed: str


class Person(msgspec.Struct, frozen=True, kw_only=True):
    """A person in Folkeregisteret, identified by fødselsnummer or D-number."""

    identifikasjonsnummer: str
    navn: Navn
    status: PersonStatus = PersonStatus.BOSATT
    doedsdato: date | None = None
    adressebeskyttelse: Adressebeskyttelse = Adressebeskyttelse.UGRADERT
    bostedsadresse: Adresse | None = None

    def __post_init__(self) -> None:
        if (self.status is PersonStatus.DOED) != (self.doedsdato is not None):
            raise ValueError("a person has a doedsdato exactly when the status is 'doed'")

    @property
    def alive(self) -> bool:
        return self.status is not PersonStatus.DOED

    @property
    def shielded(self) -> bool:
        return self.adressebeskyttelse is not Adressebeskyttelse.UGRADERT


class VergemaalType(StrEnum):
    """The kind of representation (``vergemaalstype``); a fremtidsfullmakt is registered alike."""

    VOKSEN = "voksen"
    MINDREAARIG = "mindreaarig"
    MIDLERTIDIG_FOR_VOKSEN = "midlertidigForVoksen"
    FREMTIDSFULLMAKT = "fremtidsfullmakt"


class Verge(msgspec.Struct, frozen=True, kw_only=True):
    identifikasjonsnummer: str
    navn: Navn | None = None


class Vergemaal(msgspec.Struct, frozen=True, kw_only=True):
    """A "vergemål eller fremtidsfullmakt" (FREG information model ch. 5.20) seen from the ward."""

    id: str
    vergehaver: str
    verge: Verge
    type: VergemaalType = VergemaalType.VOKSEN
    tjenesteoppgaver: tuple[str, ...] = ()
    omfang: str | None = None
    embete: str | None = None
    gyldigFraOgMed: date  # noqa: N815 - FREG's field name
    gyldigTilOgMed: date | None = None  # noqa: N815

    def __post_init__(self) -> None:
        if self.gyldigTilOgMed is not None and self.gyldigTilOgMed < self.gyldigFraOgMed:
            raise ValueError("gyldigTilOgMed lies before gyldigFraOgMed")
        if self.verge.identifikasjonsnummer == self.vergehaver:
            raise ValueError("a person cannot be their own verge")


class Hendelsestype(StrEnum):
    DOEDSFALL = "doedsfall"
    VERGEMAAL = "vergemaalEllerFremtidsfullmakt"


class Endringstype(StrEnum):
    OPPRETTET = "opprettet"
    ENDRET = "endret"
    OPPHOERT = "opphoert"


class Hendelse(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of the Folkeregister event feed: a death or a guardianship change."""

    sekvensnummer: int
    hendelsestype: Hendelsestype
    endringstype: Endringstype
    identifikasjonsnummer: str
    registreringstidspunkt: datetime
    doedsdato: date | None = None
    vergemaalId: str | None = None  # noqa: N815


class Hendelsesside(msgspec.Struct, frozen=True, kw_only=True):
    """A page of the event feed; pass ``neste`` as ``etter`` to read on."""

    hendelser: tuple[Hendelse, ...]
    neste: int
    flere: bool


# -------------------------------------------------------------------------------- Konkursregister


class KonkursType(StrEnum):
    """The four notice types of the Konkursvarsel feed and the bank action each asks for (DSOP Konkurs
    “Løsningsbeskrivelse”)."""

    AAPNING = "aapning"  # block all of the debtor's accounts
    SLETTING = "sletting"  # reopen accounts blocked because of the aapning
    OPPHEVING = "oppheving"  # opening changed after appeal; the bank decides
    AVSLUTNING = "avslutning"  # proceedings finished; information only


class TilknyttetEnhet(msgspec.Struct, frozen=True, kw_only=True):
    """A unit linked to a personal bankruptcy: an ENK, or (rarely) a TVAM registration."""

    organisasjonsnummer: str
    organisasjonsform: str

    def __post_init__(self) -> None:
        if self.organisasjonsform not in ("ENK", "TVAM"):
            raise ValueError("a linked unit is an ENK or a TVAM")


class KonkursvarselOppsummering(msgspec.Struct, frozen=True, kw_only=True):
    """A notice as listed in the feed, with its resource ``lenke`` to the full dataset."""

    uuid: str
    registreringstidspunkt: datetime
    type: KonkursType
    debitor: str
    lenke: str


class Konkursvarsel(msgspec.Struct, frozen=True, kw_only=True):
    """The full dataset of one notice (``konkursvarsler/{uuid}``)."""

    uuid: str
    registreringstidspunkt: datetime
    type: KonkursType
    debitor: str
    kjennelsesdato: date
    debitorNavn: str | None = None  # noqa: N815
    tilknyttedeEnheter: tuple[TilknyttetEnhet, ...] = ()  # noqa: N815
    oppgjoersdato: date | None = None  # v1.1.1: settlement date (avslutning only)
    avslutningskode: str | None = None  # v1.1.1: closing code (avslutning only)

    def __post_init__(self) -> None:
        if self.registreringstidspunkt.tzinfo is None:
            raise ValueError("registreringstidspunkt must carry a time zone")
        if self.type is not KonkursType.AVSLUTNING and (self.oppgjoersdato or self.avslutningskode):
            raise ValueError("oppgjoersdato and avslutningskode belong to an avslutning notice only")


class Konkursvarselside(msgspec.Struct, frozen=True, kw_only=True):
    """A page of the pull feed; pass the last ``registreringstidspunkt`` as ``oppdatert`` to read on."""

    konkursvarsler: tuple[KonkursvarselOppsummering, ...]
    flere: bool


# ------------------------------------------------------------------------------- Enhetsregister


class Rollekode(StrEnum):
    """Enhetsregisteret role codes used here (``rolletype.kode``)."""

    DAGL = "DAGL"  # daglig leder
    LEDE = "LEDE"  # styrets leder
    NEST = "NEST"  # nestleder
    MEDL = "MEDL"  # styremedlem; as a requirement it means any board member (LEDE, NEST, MEDL)
    VARA = "VARA"  # varamedlem
    INNH = "INNH"  # innehaver (ENK)
    SIGN = "SIGN"  # signatur (named person)
    PROK = "PROK"  # prokura (named person)


ROLE_DESCRIPTIONS: dict[Rollekode, str] = {
    Rollekode.DAGL: "daglig leder",
    Rollekode.LEDE: "styrets leder",
    Rollekode.NEST: "nestleder",
    Rollekode.MEDL: "styremedlem",
    Rollekode.VARA: "varamedlem",
    Rollekode.INNH: "innehaver",
    Rollekode.SIGN: "signatur",
    Rollekode.PROK: "prokura",
}


class Rolle(msgspec.Struct, frozen=True, kw_only=True):
    rolle: Rollekode
    person: str
    navn: str | None = None
    fratraadt: bool = False


class Rettighet(StrEnum):
    SIGNATUR = "signatur"
    PROKURA = "prokura"


class Regeltype(StrEnum):
    """How Enhetsregisteret words who may bind the organisation (signatur or prokura)."""

    ALENE = "alene"  # a holder of one of the named roles, alone ("styrets leder alene")
    FELLESSKAP = "fellesskap"  # role holders jointly ("styrets leder og ett styremedlem i fellesskap")
    NAVNGITTE_PERSONER = "navngitte_personer"  # named persons, each alone or jointly
    DAGLIG_LEDER_ALENE = "daglig_leder_alene"  # "daglig leder alene"


class Rollekrav(msgspec.Struct, frozen=True, kw_only=True):
    """``antall`` holders of ``rolle`` (``None``: every holder, as in "styret i fellesskap")."""

    rolle: Rollekode
    antall: int | None = 1

    def __post_init__(self) -> None:
        if self.antall is not None and self.antall < 1:
            raise ValueError("antall must be at least 1 (or null for every holder)")


class Signaturregel(msgspec.Struct, frozen=True, kw_only=True):
    """One rule of signatur or prokura as registered, with its text and a machine form.

    * ``alene``: ``roller`` lists the roles whose holders may each act alone;
    * ``fellesskap``: every ``Rollekrav`` in ``roller`` must be met jointly, by distinct persons;
    * ``navngitte_personer``: ``personer`` are named; ``antall`` of them act jointly
      (1 = each alone, "hver for seg"; ``None`` = all of them together);
    * ``daglig_leder_alene``: the daglig leder alone; needs no further fields.
    """

    rettighet: Rettighet
    regeltype: Regeltype
    tekst: str
    roller: tuple[Rollekrav, ...] = ()
    personer: tuple[str, ...] = ()
    antall: int | None = 1

    def __post_init__(self) -> None:
        if self.regeltype in (Regeltype.ALENE, Regeltype.FELLESSKAP) and not self.roller:
            raise ValueError(f"a '{self.regeltype}' rule names at least one role")
        if self.regeltype is Regeltype.NAVNGITTE_PERSONER:
            if not self.personer:
                raise ValueError("a 'navngitte_personer' rule names at least one person")
            if self.antall is not None and not 1 <= self.antall <= len(self.personer):
                raise ValueError("antall must lie between 1 and the number of named persons")


class Organisasjon(msgspec.Struct, frozen=True, kw_only=True):
    organisasjonsnummer: str
    navn: str
    organisasjonsform: str
    navnelinjer: tuple[str, ...] = ()
    forretningsadresse: Adresse | None = None
    innehaver: str | None = None  # the person behind an ENK
    registreringsdato: date | None = None
    slettedato: date | None = None


class Roller(msgspec.Struct, frozen=True, kw_only=True):
    """The roles endpoint: role holders plus the registered signatur and prokura rules."""

    organisasjonsnummer: str
    roller: tuple[Rolle, ...] = ()
    signatur: tuple[Signaturregel, ...] = ()
    prokura: tuple[Signaturregel, ...] = ()


class Enhet(msgspec.Struct, frozen=True, kw_only=True):
    """What the loaders take for one organisation: the unit, its roles and its rules."""

    organisasjon: Organisasjon
    roller: tuple[Rolle, ...] = ()
    regler: tuple[Signaturregel, ...] = ()


class Endring(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of the Enhetsregister change feed."""

    oppdateringsid: int
    organisasjonsnummer: str
    endringstype: str  # "Ny" | "Endring" | "Sletting"
    dato: datetime


class Endringsside(msgspec.Struct, frozen=True, kw_only=True):
    oppdateringer: tuple[Endring, ...]
    neste: int
    flere: bool


class RegelSvar(msgspec.Struct, frozen=True, kw_only=True):
    """The rule an answer rests on: its text and kind."""

    rettighet: Rettighet
    kind: Regeltype
    text: str


class Krav(msgspec.Struct, frozen=True, kw_only=True):
    """Co-signers still needed: ``count`` of ``persons`` (the holders of ``role`` when one is named)."""

    count: int
    role: Rollekode | None = None
    persons: tuple[str, ...] = ()


class SignaturSvar(msgspec.Struct, frozen=True, kw_only=True):
    """Answer of "maskinell kontroll av signaturrett og prokura"."""

    organisasjonsnummer: str
    person: str
    allowed: bool
    rule: RegelSvar | None
    requires: tuple[Krav, ...]
    reason: str


class SignaturSporsmal(msgspec.Struct, frozen=True, kw_only=True):
    """Request body of the signature-right check (person numbers stay out of URLs and logs)."""

    organisasjonsnummer: str
    person: str
    sammenMed: tuple[str, ...] = ()  # noqa: N815


__all__ = [
    "ROLE_DESCRIPTIONS",
    "Adresse",
    "Adressebeskyttelse",
    "Endring",
    "Endringsside",
    "Endringstype",
    "Enhet",
    "Hendelse",
    "Hendelsesside",
    "Hendelsestype",
    "Konkursvarsel",
    "KonkursvarselOppsummering",
    "Konkursvarselside",
    "KonkursType",
    "Krav",
    "Navn",
    "Organisasjon",
    "Person",
    "PersonStatus",
    "RegelSvar",
    "Regeltype",
    "Rettighet",
    "Rolle",
    "Rollekode",
    "Rollekrav",
    "Roller",
    "SignaturSporsmal",
    "SignaturSvar",
    "Signaturregel",
    "TilknyttetEnhet",
    "Verge",
    "Vergemaal",
    "VergemaalType",
]
