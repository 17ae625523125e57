# SPDX-License-Identifier: Apache-2.0
"""e-tinglysing's rules as a stand-in applies them: the documents it accepts and when it registers them.

Kartverket's real innsending model (namespace ``http://kartverket.no/grunnbok/wsapi/v2/domain/innsending``)
is larger; we keep its namespace and the three documents a home sale needs, each with a
``dokumentreferanse`` (docs/decisions.md, "DSVE and company founding"):

* ``pantedokument`` — a mortgage on a unit: ``panthaver`` (the lender), ``pantsetter`` (1..n), ``beloep``;
* ``skjoete`` — a transfer: ``overdrager`` (every current title holder), ``erverver`` (1..n), ``vederlag``;
* ``sletting`` — deletion of a registered mortgage, signed by its panthaver.

The XML may come with or without a declaration and with any prefix for the namespace (DSOP DSVE:
"både med og uten xml-deklarasjon og namespace-prefiks").  A document is registered only if every
party who must sign did, and nobody else signed: the title holders who give up or pledge the unit,
and the lender who deletes its mortgage (tinglysingsloven § 12: the holder of the registered right
must consent).  Answers use Kartverket's ``ReceiptStatusEnum``: ``OK``, ``VALIDATION_FAILED``, ``REJECTED``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, SubElement

from .errors import DsveError
from .rules import check_dokumentreferanse
from .values import (
    Org,
    Pantedokumentreferanse,
    Party,
    Person,
    Registerenhet,
    enhet_xml,
    read_enhet,
    read_referanse,
    referanse_xml,
    sub,
)

NS = "http://kartverket.no/grunnbok/wsapi/v2/domain/innsending"
MAX_BELOEP = 280_000_000_000
EMBETENUMMER = 200  # the stand-in's one land registry office (Kartverket's e-tinglysing is one embete)
OK, VALIDATION_FAILED, REJECTED = "OK", "VALIDATION_FAILED", "REJECTED"


@dataclass(frozen=True)
class Pantedokument:
    dokumentreferanse: str
    enhet: Registerenhet
    panthaver: Org
    pantsettere: tuple[Party, ...]
    beloep: int


@dataclass(frozen=True)
class Skjoete:
    dokumentreferanse: str
    enhet: Registerenhet
    overdragere: tuple[Party, ...]
    erververe: tuple[Party, ...]
    vederlag: Decimal


@dataclass(frozen=True)
class Sletting:
    dokumentreferanse: str
    enhet: Registerenhet
    panthaver: Org
    heftelse: Pantedokumentreferanse


Dokument = Pantedokument | Skjoete | Sletting


@dataclass(frozen=True)
class Heftelse:
    """A registered encumbrance on a unit, in priority order (1 first)."""

    referanse: Pantedokumentreferanse
    panthaver: str
    pantsettere: tuple[str, ...]
    beloep: int
    dokumentreferanse: str


@dataclass(frozen=True)
class Decision:
    status: str
    code: str | None
    beskrivelse: str

    @property
    def ok(self) -> bool:
        return self.status == OK


def _invalid(message: str) -> DsveError:
    return DsveError("TL-006", message)


def _local(element: Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    if not tag.startswith("{" + NS + "}"):
        raise _invalid(f"element {tag[:80]!r} is not in Kartverket's innsending namespace {NS}")
    return tag[len(NS) + 2 :]


def _children(element: Element, name: str) -> list[Element]:
    return [c for c in element if _local(c) == name]


def _one(element: Element, name: str) -> Element:
    found = _children(element, name)
    if len(found) != 1:
        raise _invalid(f"{_local(element)} must hold exactly one {name}, found {len(found)}")
    return found[0]


def _text(element: Element, name: str) -> str:
    value = (_one(element, name).text or "").strip()
    if not value:
        raise _invalid(f"{_local(element)}.{name} is empty")
    return value


def _party(element: Element) -> Party:
    ident, navn = element.get("id", ""), element.get("navn", "")
    if not (ident.isdigit() and len(ident) in (9, 11)) or not navn:
        raise _invalid(f"{_local(element)} needs id (9 or 11 digits) and navn")
    if len(ident) == 9:
        return Org(ident, navn)
    first, _, last = navn.partition(" ")
    return Person(ident, first, last)


def _unit(element: Element) -> Registerenhet:
    holder = _one(element, "registerenhet")
    plain = Element("registerenhet")
    for c in holder:
        plain.append(Element(_local(c), dict(c.attrib)))
    return read_enhet(plain)


def _amount(value: str, what: str) -> Decimal:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise _invalid(f"{what} must be an amount, got {value[:20]!r}") from None
    if not amount.is_finite() or amount < 0:
        raise _invalid(f"{what} must be a non-negative amount")
    return amount


def read_dokument(root: Element) -> Dokument:
    """A parsed innsending document as a value; ``TL-006`` when it breaks the stand-in's model."""
    kind = _local(root)
    ref = check_dokumentreferanse(_text(root, "dokumentreferanse"))
    enhet = _unit(root)
    if kind == "pantedokument":
        panthaver = _party(_one(root, "panthaver"))
        if not isinstance(panthaver, Org):
            raise _invalid("a pantedokument's panthaver is an organisation (the lender)")
        pledgers = tuple(_party(e) for e in _children(root, "pantsetter"))
        if not pledgers:
            raise _invalid("a pantedokument needs at least one pantsetter")
        beloep = _amount(_text(root, "beloep"), "beloep")
        if beloep != beloep.to_integral_value() or not 1 <= beloep <= MAX_BELOEP:
            raise _invalid(f"beloep must be whole kroner from 1 to {MAX_BELOEP}")
        return Pantedokument(ref, enhet, panthaver, pledgers, int(beloep))
    if kind == "skjoete":
        givers = tuple(_party(e) for e in _children(root, "overdrager"))
        takers = tuple(_party(e) for e in _children(root, "erverver"))
        if not givers or not takers:
            raise _invalid("a skjoete needs at least one overdrager and one erverver")
        return Skjoete(ref, enhet, givers, takers, _amount(_text(root, "vederlag"), "vederlag"))
    if kind == "sletting":
        panthaver = _party(_one(root, "panthaver"))
        if not isinstance(panthaver, Org):
            raise _invalid("a sletting's panthaver is an organisation (the lender)")
        heftelse = _one(root, "heftelse")
        try:
            reference = read_referanse(heftelse)
        except ValueError:
            raise _invalid(
                "heftelse needs dokumentnummer, dokumentaar, embetenummer and rettsstiftelsesnummer"
            ) from None
        return Sletting(ref, enhet, panthaver, reference)
    raise _invalid(f"e-tinglysing accepts pantedokument, skjoete or sletting, not {kind[:40]!r}")


def required_signers(dokument: Dokument) -> frozenset[str]:
    """Who must sign: the pledgers, the transferring title holders, or the lender deleting its mortgage."""
    if isinstance(dokument, Pantedokument):
        return frozenset(p.id for p in dokument.pantsettere)
    if isinstance(dokument, Skjoete):
        return frozenset(p.id for p in dokument.overdragere)
    return frozenset({dokument.panthaver.id})


def decide(
    dokument: Dokument,
    signers: frozenset[str],
    hjemmelshavere: frozenset[str] | None,
    heftelser: Sequence[Heftelse],
) -> Decision:
    """Whether e-tinglysing registers ``dokument`` on the unit's current state (``None``: no such unit)."""
    if hjemmelshavere is None:
        return Decision(REJECTED, "TL-001", "Registerenheten finnes ikke i grunnboken")
    must = required_signers(dokument)
    if isinstance(dokument, Pantedokument) and not {p.id for p in dokument.pantsettere} <= hjemmelshavere:
        return Decision(REJECTED, "TL-002", "Pantsetter har ikke grunnbokshjemmel til registerenheten")
    if isinstance(dokument, Skjoete) and {p.id for p in dokument.overdragere} != hjemmelshavere:
        return Decision(REJECTED, "TL-002", "Overdragerne er ikke de som har grunnbokshjemmel til registerenheten")
    if isinstance(dokument, Sletting):
        target = next((h for h in heftelser if _same_ref(h.referanse, dokument.heftelse)), None)
        if target is None:
            return Decision(REJECTED, "TL-004", "Heftelsen som skal slettes finnes ikke på registerenheten")
        if target.panthaver != dokument.panthaver.id:
            return Decision(REJECTED, "TL-003", "Sletting må være signert av rettighetshaveren til heftelsen")
    missing = must - signers
    if missing:
        return Decision(REJECTED, "TL-003", f"Dokumentet mangler {len(missing)} påkrevd(e) signatur(er)")
    if signers - must:
        return Decision(
            REJECTED, "TL-005", "Dokumentet er signert av noen som verken har hjemmel eller er rettighetshaver"
        )
    return Decision(OK, None, "Forsendelse mottatt og tinglyst")


def _same_ref(a: Pantedokumentreferanse, b: Pantedokumentreferanse) -> bool:
    return (a.dokumentnummer, a.dokumentaar, a.embetenummer, a.rettsstiftelsesnummer) == (
        b.dokumentnummer,
        b.dokumentaar,
        b.embetenummer,
        b.rettsstiftelsesnummer,
    )


def ahead_of(heftelser: Sequence[Heftelse], dokumentreferanse: str) -> list[Heftelse] | None:
    """The encumbrances with better priority than the deed ``dokumentreferanse`` (None: not registered)."""
    for index, heftelse in enumerate(heftelser):
        if heftelse.dokumentreferanse == dokumentreferanse:
            return list(heftelser[:index])
    return None


# ------------------------------------------------------------------------------------ building


def _q(name: str) -> str:
    return "{" + NS + "}" + name


def _party_xml(parent: Element, tag: str, party: Party) -> None:
    SubElement(parent, _q(tag), {"id": party.id, "navn": party.navn})


def _head(kind: str, dokumentreferanse: str, enhet: Registerenhet) -> Element:
    root = Element(_q(kind))
    SubElement(root, _q("dokumentreferanse")).text = dokumentreferanse
    holder = SubElement(root, _q("registerenhet"))
    plain = enhet_xml(Element("x"), enhet)
    SubElement(holder, _q(str(plain.tag)), dict(plain.attrib))
    return root


def dokument_xml(dokument: Dokument) -> Element:
    """The innsending XML of a document (to be signed as a whole)."""
    if isinstance(dokument, Pantedokument):
        root = _head("pantedokument", dokument.dokumentreferanse, dokument.enhet)
        _party_xml(root, "panthaver", dokument.panthaver)
        for party in dokument.pantsettere:
            _party_xml(root, "pantsetter", party)
        SubElement(root, _q("beloep")).text = str(dokument.beloep)
        return root
    if isinstance(dokument, Skjoete):
        root = _head("skjoete", dokument.dokumentreferanse, dokument.enhet)
        for party in dokument.overdragere:
            _party_xml(root, "overdrager", party)
        for party in dokument.erververe:
            _party_xml(root, "erverver", party)
        SubElement(root, _q("vederlag")).text = str(dokument.vederlag)
        return root
    root = _head("sletting", dokument.dokumentreferanse, dokument.enhet)
    _party_xml(root, "panthaver", dokument.panthaver)
    referanse_xml(root, dokument.heftelse).tag = _q("heftelse")
    return root


def forsendelsesstatus_xml(
    decision: Decision,
    dokumentreferanse: str,
    registrert: Sequence[tuple[Registerenhet, Pantedokumentreferanse]],
    at: datetime,
) -> Element:
    """Kartverket's status of a forsendelse, as the stand-in writes it (model.FORSENDELSESSTATUS)."""
    root = Element("forsendelsesstatus")
    sub(root, "status", decision.status)
    sub(
        root,
        "beskrivelse",
        decision.beskrivelse if decision.code is None else f"{decision.code}: {decision.beskrivelse}",
    )
    sub(root, "dokumentreferanse", dokumentreferanse)
    for enhet, ref in registrert:
        item = sub(root, "registrering")
        enhet_xml(item, enhet)
        referanse_xml(item, ref)
    sub(root, "tidspunkt", at.isoformat())
    return root


__all__ = [
    "EMBETENUMMER",
    "NS",
    "OK",
    "REJECTED",
    "VALIDATION_FAILED",
    "Decision",
    "Dokument",
    "Heftelse",
    "Pantedokument",
    "Skjoete",
    "Sletting",
    "ahead_of",
    "decide",
    "dokument_xml",
    "forsendelsesstatus_xml",
    "read_dokument",
    "required_signers",
]
