# SPDX-License-Identifier: Apache-2.0
"""The DSVE values the actors work with, and their XML forms (model.py) both ways.

Kept to what the flows need: organisations and persons (``Rettssubjekt``), register units
(``matrikkel`` or ``borettsandel``; ``aksjeleilighet`` is read but never built), the grunnbok's
references to a registered mortgage deed, loans of a remaining-debt or payoff answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement

from .errors import DsveError


@dataclass(frozen=True)
class Org:
    id: str  # organisasjonsnummer
    navn: str


@dataclass(frozen=True)
class Person:
    id: str  # fødselsnummer or d-nummer
    fornavn: str
    etternavn: str

    @property
    def navn(self) -> str:
        return f"{self.fornavn} {self.etternavn}"


Party = Org | Person


@dataclass(frozen=True)
class Matrikkel:
    kommunenummer: str
    kommunenavn: str
    gaardsnummer: int
    bruksnummer: int
    festenummer: int = 0
    seksjonsnummer: int = 0
    nivaa: str = field(default="", compare=False)  # the eiendomsnivaa a message stated, if any

    @property
    def eiendomsnivaa(self) -> str:
        """As stated, else ``F`` for a festerett and ``E`` otherwise."""
        return self.nivaa or ("F" if self.festenummer else "E")

    @property
    def nivaa_fits(self) -> bool:
        """A festerett is at level F (F, F_1…F_9), an eiendomsrett at E."""
        return self.eiendomsnivaa.startswith("F") == bool(self.festenummer)

    @property
    def key(self) -> str:
        return f"{self.kommunenummer}-{self.gaardsnummer}/{self.bruksnummer}/{self.festenummer}/{self.seksjonsnummer}"


@dataclass(frozen=True)
class Borettsandel:
    organisasjonsnummer: str
    borettslagnavn: str
    andelsnummer: str

    @property
    def key(self) -> str:
        return f"{self.organisasjonsnummer}-{self.andelsnummer}"


Registerenhet = Matrikkel | Borettsandel


@dataclass(frozen=True)
class Pantedokumentreferanse:
    dokumentnummer: int
    dokumentaar: int
    embetenummer: int
    rettsstiftelsesnummer: int
    registreringstidspunkt: datetime | None = None
    beloep: int | None = None


@dataclass(frozen=True)
class Laan:
    """A loan tied to the sold unit, as the seller's bank reports it."""

    laanenummer: str
    kontonummer: str
    saldo: Decimal
    laantakere_hjemmelshaver: tuple[str, ...]  # names of borrowers who are title holders in the sale
    laantaker_ikke_hjemmelshaver: bool
    kidnummer: str | None = None
    saldo_per_dato: tuple[tuple[date, Decimal], ...] = ()


# ------------------------------------------------------------------------------------------ XML out


def sub(parent: Element, tag: str, text: str | None = None, **attrs: str) -> Element:
    element = SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def org_xml(parent: Element, tag: str, org: Org, *, referanse: str | None = None) -> Element:
    element = sub(parent, tag, id=org.id)
    sub(element, "foretaksnavn", org.navn)
    if referanse is not None:
        sub(element, "referanse", referanse)
    return element


def aktoer_xml(parent: Element, tag: str, party: Party) -> Element:
    element = sub(parent, tag)
    if isinstance(party, Org):
        org_xml(element, "organisasjon", party)
    else:
        person = sub(element, "person", id=party.id)
        sub(person, "fornavn", party.fornavn)
        sub(person, "etternavn", party.etternavn)
    return element


def enhet_xml(parent: Element, enhet: Registerenhet) -> Element:
    if isinstance(enhet, Matrikkel):
        attrs = {
            "kommunenavn": enhet.kommunenavn,
            "kommunenummer": enhet.kommunenummer,
            "gaardsnummer": str(enhet.gaardsnummer),
            "bruksnummer": str(enhet.bruksnummer),
            "eiendomsnivaa": enhet.eiendomsnivaa,
        }
        if enhet.festenummer:
            attrs["festenummer"] = str(enhet.festenummer)
        if enhet.seksjonsnummer:
            attrs["seksjonsnummer"] = str(enhet.seksjonsnummer)
        return sub(parent, "matrikkel", **attrs)
    return sub(
        parent,
        "borettsandel",
        organisasjonsnummer=enhet.organisasjonsnummer,
        borettslagnavn=enhet.borettslagnavn,
        andelsnummer=enhet.andelsnummer,
    )


def referanse_xml(parent: Element, ref: Pantedokumentreferanse) -> Element:
    attrs = {
        "dokumentnummer": str(ref.dokumentnummer),
        "dokumentaar": str(ref.dokumentaar),
        "embetenummer": str(ref.embetenummer),
        "rettsstiftelsesnummer": str(ref.rettsstiftelsesnummer),
    }
    if ref.registreringstidspunkt is not None:
        attrs["registreringstidspunkt"] = ref.registreringstidspunkt.isoformat()
    if ref.beloep is not None:
        attrs["beloep"] = str(ref.beloep)
    return sub(parent, "pantedokumentreferanse", **attrs)


def metadata_xml(parent: Element, opprettet: datetime, ressurser: tuple[tuple[str, str], ...] = ()) -> Element:
    element = sub(parent, "metadata")
    if ressurser:
        listed = sub(element, "ressurser")
        for navn, mimetype in ressurser:
            vedlegg = sub(listed, "vedlegg")
            sub(vedlegg, "navn", navn)
            sub(vedlegg, "mimetype", mimetype)
    sub(element, "opprettet", opprettet.isoformat())
    return element


# ------------------------------------------------------------------------------------------- XML in


def child(element: Element, path: str) -> Element:
    found = element.find(path)
    if found is None:
        raise DsveError("DSVE-006", f"{element.tag} has no {path}")
    return found


def text(element: Element, path: str) -> str:
    return (child(element, path).text or "").strip()


def optional_text(element: Element, path: str) -> str | None:
    found = element.find(path)
    return None if found is None else (found.text or "").strip()


def read_party(aktoer: Element) -> Party:
    """An ``Aktoer`` (``organisasjon`` or ``person`` child) as a value."""
    org = aktoer.find("organisasjon")
    if org is not None:
        return Org(org.get("id", ""), text(org, "foretaksnavn"))
    person = child(aktoer, "person")
    return Person(person.get("id", ""), text(person, "fornavn"), text(person, "etternavn"))


def read_org(element: Element) -> Org:
    return Org(element.get("id", ""), text(element, "foretaksnavn"))


def _int(value: str | None, what: str) -> int:
    try:
        return int(value or "0")
    except ValueError:
        raise DsveError("DSVE-006", f"{what} must be a whole number, got {str(value)[:20]!r}") from None


def read_enhet(parent: Element) -> Registerenhet:
    """The register unit under ``parent`` (its ``matrikkel`` or ``borettsandel`` child)."""
    matrikkel = parent.find("matrikkel")
    if matrikkel is not None:
        return Matrikkel(
            matrikkel.get("kommunenummer", ""),
            matrikkel.get("kommunenavn", ""),
            _int(matrikkel.get("gaardsnummer"), "gaardsnummer"),
            _int(matrikkel.get("bruksnummer"), "bruksnummer"),
            _int(matrikkel.get("festenummer"), "festenummer"),
            _int(matrikkel.get("seksjonsnummer"), "seksjonsnummer"),
            matrikkel.get("eiendomsnivaa", ""),
        )
    andel = parent.find("borettsandel")
    if andel is not None:
        return Borettsandel(
            andel.get("organisasjonsnummer", ""), andel.get("borettslagnavn", ""), andel.get("andelsnummer", "")
        )
    raise DsveError("DSVE-006", f"{parent.tag}: only matrikkel and borettsandel units are supported here")


def read_referanse(element: Element) -> Pantedokumentreferanse:
    stamp = element.get("registreringstidspunkt")
    beloep = element.get("beloep")
    return Pantedokumentreferanse(
        _int(element.get("dokumentnummer"), "dokumentnummer"),
        _int(element.get("dokumentaar"), "dokumentaar"),
        _int(element.get("embetenummer"), "embetenummer"),
        _int(element.get("rettsstiftelsesnummer"), "rettsstiftelsesnummer"),
        datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None,
        int(beloep) if beloep else None,
    )


__all__ = [
    "Borettsandel",
    "Laan",
    "Matrikkel",
    "Org",
    "Pantedokumentreferanse",
    "Party",
    "Person",
    "Registerenhet",
    "aktoer_xml",
    "child",
    "enhet_xml",
    "metadata_xml",
    "optional_text",
    "org_xml",
    "read_enhet",
    "read_org",
    "read_party",
    "read_referanse",
    "referanse_xml",
    "sub",
    "text",
]
