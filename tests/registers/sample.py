"""Synthetic register data for the register tests (Tenor-style synthetic numbers, fixed seed)."""

from __future__ import annotations

from datetime import date
from random import Random

from opendsop.contracts.registers.models import (
    Adresse,
    Adressebeskyttelse,
    Enhet,
    Navn,
    Organisasjon,
    Person,
    Regeltype,
    Rettighet,
    Rolle,
    Rollekode,
    Rollekrav,
    Signaturregel,
    Verge,
    Vergemaal,
)
from opendsop.standard.identifiers import generate_fodselsnummer, generate_orgnr

_rng = Random(20261128)


def fnr(year: int = 1970) -> str:
    return generate_fodselsnummer(_rng, date(year, 1 + _rng.randrange(12), 1 + _rng.randrange(28)))


def orgnr() -> str:
    return generate_orgnr(_rng)


ADDRESS = Adresse(adresselinje="Storgata 1", postnummer="0155", poststed="OSLO")

# Persons
OLA = fnr(1950)  # alive, ordinary
KARI = fnr(1940)  # ward under guardianship
GUARDIAN = fnr(1975)
HIDDEN = fnr(1980)  # strengt fortrolig address
CONFIDENTIAL = fnr(1985)  # fortrolig address

PERSONS = [
    Person(identifikasjonsnummer=OLA, navn=Navn(fornavn="Ola", etternavn="Nordmann"), bostedsadresse=ADDRESS),
    Person(identifikasjonsnummer=KARI, navn=Navn(fornavn="Kari", etternavn="Nordmann"), bostedsadresse=ADDRESS),
    Person(identifikasjonsnummer=GUARDIAN, navn=Navn(fornavn="Verge", etternavn="Vergesen"), bostedsadresse=ADDRESS),
    Person(
        identifikasjonsnummer=HIDDEN,
        navn=Navn(fornavn="Skjult", etternavn="Person"),
        bostedsadresse=ADDRESS,
        adressebeskyttelse=Adressebeskyttelse.STRENGT_FORTROLIG,
    ),
    Person(
        identifikasjonsnummer=CONFIDENTIAL,
        navn=Navn(fornavn="Fortrolig", etternavn="Person"),
        bostedsadresse=ADDRESS,
        adressebeskyttelse=Adressebeskyttelse.FORTROLIG,
    ),
]

GUARDIANSHIP = Vergemaal(
    id="vm-1",
    vergehaver=KARI,
    verge=Verge(identifikasjonsnummer=GUARDIAN),
    tjenesteoppgaver=("representasjonDagligbank",),
    omfang="oekonomiskeInteresser",
    gyldigFraOgMed=date(2020, 5, 1),
)

# Organisation roles
DAGL, LEDE, MEDL1, MEDL2, VARA = fnr(1960), fnr(1961), fnr(1962), fnr(1963), fnr(1964)
P1, P2, P3, PROKURIST = fnr(1965), fnr(1966), fnr(1967), fnr(1968)
RESIGNED = fnr(1969)
ORG = orgnr()
ENK = orgnr()

ROLES = (
    Rolle(rolle=Rollekode.DAGL, person=DAGL, navn="Dag Leder"),
    Rolle(rolle=Rollekode.LEDE, person=LEDE, navn="Styre Leder"),
    Rolle(rolle=Rollekode.MEDL, person=MEDL1, navn="Medlem En"),
    Rolle(rolle=Rollekode.MEDL, person=MEDL2, navn="Medlem To"),
    Rolle(rolle=Rollekode.VARA, person=VARA, navn="Vara Medlem"),
    Rolle(rolle=Rollekode.SIGN, person=P1),
    Rolle(rolle=Rollekode.SIGN, person=P2),
    Rolle(rolle=Rollekode.SIGN, person=P3),
    Rolle(rolle=Rollekode.PROK, person=PROKURIST),
    Rolle(rolle=Rollekode.DAGL, person=RESIGNED, fratraadt=True),
)


def rule(
    kind: Regeltype,
    text: str,
    *,
    rettighet: Rettighet = Rettighet.SIGNATUR,
    roller: tuple[Rollekrav, ...] = (),
    personer: tuple[str, ...] = (),
    antall: int | None = 1,
) -> Signaturregel:
    return Signaturregel(
        rettighet=rettighet, regeltype=kind, tekst=text, roller=roller, personer=personer, antall=antall
    )


LEADER_AND_MEMBER = rule(
    Regeltype.FELLESSKAP,
    "Styrets leder og ett styremedlem i fellesskap.",
    roller=(Rollekrav(rolle=Rollekode.LEDE), Rollekrav(rolle=Rollekode.MEDL)),
)
PROKURA_NAMED = rule(
    Regeltype.NAVNGITTE_PERSONER, "Prokura hver for seg.", rettighet=Rettighet.PROKURA, personer=(PROKURIST,)
)

COMPANY = Enhet(
    organisasjon=Organisasjon(
        organisasjonsnummer=ORG,
        navn="Eksempel AS",
        organisasjonsform="AS",
        navnelinjer=("Eksempel AS",),
        forretningsadresse=ADDRESS,
    ),
    roller=ROLES,
    regler=(LEADER_AND_MEMBER, PROKURA_NAMED),
)
SOLE_PROPRIETORSHIP = Enhet(
    organisasjon=Organisasjon(
        organisasjonsnummer=ENK, navn="Ola Nordmann Snekker", organisasjonsform="ENK", innehaver=OLA
    ),
    roller=(Rolle(rolle=Rollekode.INNH, person=OLA),),
    regler=(rule(Regeltype.ALENE, "Innehaver alene.", roller=(Rollekrav(rolle=Rollekode.INNH),)),),
)
