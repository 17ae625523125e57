# SPDX-License-Identifier: Apache-2.0
"""Builders of every DSVE message: each returns an :class:`Outgoing` (manifest properties + files for the ZIP).

Every XML built here validates against the model (the tests check each builder); the manifest
keys and file names follow the catalogue.  A reply copies the requester's ``referanse`` into its
``mottaker`` (DSOP DSVE: "mottaker.referanse = bankens saksnummer").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from xml.etree.ElementTree import Element

from .shipment import to_bytes
from .values import (
    Laan,
    Matrikkel,
    Org,
    Pantedokumentreferanse,
    Party,
    Registerenhet,
    aktoer_xml,
    enhet_xml,
    metadata_xml,
    org_xml,
    referanse_xml,
    sub,
)

XML = "application/xml"


@dataclass(frozen=True)
class Outgoing:
    message_type: str
    properties: Mapping[str, str]
    files: Mapping[str, bytes] = field(default_factory=dict)


def _out(message_type: str, files: Mapping[str, Element | bytes], **keys: str) -> Outgoing:
    data = {name: value if isinstance(value, bytes) else to_bytes(value) for name, value in files.items()}
    return Outgoing(message_type, {"messageType": message_type, **keys}, data)


def _parties(parent: Element, tag: str, parties: Sequence[Party]) -> None:
    part = sub(parent, tag)
    for party in parties:
        aktoer_xml(part, "rettssubjekt", party)


def _enheter(parent: Element, enheter: Sequence[Registerenhet]) -> None:
    listed = sub(parent, "registerenheter")
    for enhet in enheter:
        enhet_xml(sub(listed, "registerenhet"), enhet)


def _stamp(at: datetime) -> str:
    return at.strftime("%Y%m%dT%H%M%S")


# ------------------------------------------------------------------------------------------ deeds


def signed_mortgage_deed(
    deed: bytes, *, reference: str, cover_letter: bytes | None = None, sender_name: str | None = None
) -> Outgoing:
    """The bank's shipment of one signed pantedokument (SDO) with its optional forutsetningsbrev."""
    files: dict[str, Element | bytes] = {f"signedmortgagedeed_{reference}.sdo": deed}
    if cover_letter is not None:
        files[f"coverletter_{reference}.xml"] = cover_letter
    keys = {"coverLetter": "XmlAttached" if cover_letter is not None else "Omitted"}
    if sender_name:
        keys["senderName"] = sender_name
    return _out("SignedMortgageDeed", files, **keys)


def forutsetningsbrev(
    kreditor: Org,
    debitorer: Sequence[Party],
    enhet: Registerenhet,
    *,
    beloep: int,
    overfoeres: date,
    total: Decimal,
    til_kontonummer: str,
    megler: Org,
    saksbehandler: str,
    kreditor_saksnummer: str,
    megler_saksnummer: str | None,
    at: datetime,
) -> bytes:
    """The cover letter (``Forutsetningsbrev``): first priority expected, the loan paid to the settlement account.

    It references its stylesheet, as the specification asks, so that it renders on its own."""
    root = Element("Forutsetningsbrev")
    holder = sub(root, "Kreditor")
    sub(holder, "Nummer", kreditor.id)
    sub(holder, "Navn", kreditor.navn)
    debtors = sub(root, "Debitorer")
    for party in debitorer:
        item = sub(debtors, "RettighetsHaver")
        sub(item, "Nummer", party.id)
        sub(item, "Navn", party.navn)
    unit = sub(sub(root, "Registerenheter"), "Registerenhet")
    if isinstance(enhet, Matrikkel):
        for tag, value in (
            ("KommuneNavn", enhet.kommunenavn), ("Kommunenummer", enhet.kommunenummer),
            ("Gardsnummer", str(enhet.gaardsnummer)), ("Bruksnummer", str(enhet.bruksnummer)),
            ("Festenummer", str(enhet.festenummer)), ("Seksjonsnummer", str(enhet.seksjonsnummer)),
        ):  # fmt: skip
            sub(unit, tag, value)
    else:
        sub(unit, "Organisasjonsnummer", enhet.organisasjonsnummer)
        sub(unit, "Andelsnummer", enhet.andelsnummer)
        sub(unit, "BorettslagNavn", enhet.borettslagnavn)
    deed = sub(root, "PantedokumentDetaljer")
    sub(deed, "Beloep", str(beloep))
    sub(deed, "ForstePrioritet", "true")
    transfer = sub(root, "OverfoerselDetaljer")
    sub(transfer, "Beloep", str(beloep))
    sub(transfer, "BeloepOverforesDato", overfoeres.isoformat())
    sub(transfer, "TotalBeloep", str(total))
    sub(transfer, "TilKontonummer", til_kontonummer)
    sub(transfer, "KreditorSaksnummer", kreditor_saksnummer)
    if megler_saksnummer:
        sub(transfer, "MeglerSaksnummer", megler_saksnummer)
    sub(transfer, "ProdusertDato", at.isoformat())
    sub(sub(root, "Avsender"), "Navn", saksbehandler)
    receiver = sub(root, "Mottaker")
    sub(receiver, "Navn", megler.navn)
    sub(receiver, "Organisasjonsnummer", megler.id)
    stylesheet = (
        b'<?xml-stylesheet type="text/xsl" href="https://prod.cdn.dsop.no/dsve/v/2.0.0/xslt/forutsetningsbrev.xslt"?>\n'
    )
    head, body = to_bytes(root).split(b"\n", 1)
    return head + b"\n" + stylesheet + body


def deed_processed(status: str, description: str, *, external_id: str | None = None) -> Outgoing:
    root = Element("SignedMortgageDeedProcessedMessage")
    sub(root, "MessageType", "SignedMortgageDeedProcessed")
    sub(root, "Status", status)
    sub(root, "StatusDescription", description)
    if external_id:
        sub(root, "ExternalSystemId", external_id)
    return _out("SignedMortgageDeedProcessed", {"signedmortgagedeedprocessed.xml": root})


# -------------------------------------------------------------------------------------- intensjon


def intensjon_fra_bank(
    bank: Org,
    bank_ref: str,
    megler: Org,
    kjoepere: Sequence[Party],
    enheter: Sequence[Registerenhet],
    *,
    metode: str,
    at: datetime,
) -> Outgoing:
    root = Element("intensjonfrabank")
    org_xml(root, "avsender", bank, referanse=bank_ref)
    org_xml(root, "mottaker", megler)
    _parties(root, "kjoepere", kjoepere)
    _enheter(root, enheter)
    sub(sub(root, "intensjonsdetaljer"), "metode", metode)
    metadata_xml(root, at)
    return _out("IntensjonFraBank", {f"intensjonfrabank_{bank_ref}.xml": root})


def _intensjon_body(
    root: Element,
    sender: Org,
    sender_ref: str,
    megler: tuple[Org, str] | None,
    receiver: Org,
    receiver_ref: str,
    selgere: Sequence[Party],
    kjoepere: Sequence[Party],
    enheter: Sequence[Registerenhet],
) -> None:
    org_xml(root, "avsender", sender, referanse=sender_ref)
    if megler is not None:
        org_xml(root, "megler", megler[0], referanse=megler[1])
    org_xml(root, "mottaker", receiver, referanse=receiver_ref)
    parter = sub(root, "parter")
    if selgere:
        _parties(parter, "selgere", selgere)
    if kjoepere:
        _parties(parter, "kjoepere", kjoepere)
    _enheter(root, enheter)


def intensjonssvar(
    megler: Org,
    oppdragsnummer: str,
    bank: Org,
    bank_ref: str,
    selgere: Sequence[Party],
    kjoepere: Sequence[Party],
    enheter: Sequence[Registerenhet],
    *,
    metode: str,
    at: datetime,
    status: str = "RutetSuksessfullt",
    description: str = "Meldingen er rutet til oppdraget",
) -> Outgoing:
    if status != "RutetSuksessfullt":  # a NACK carries a dummy ZIP
        return _out("IntensjonssvarFraMegler", {}, status=status, statusDescription=description)
    root = Element("intensjonssvarframegler")
    _intensjon_body(root, megler, oppdragsnummer, (megler, oppdragsnummer), bank, bank_ref, selgere, kjoepere, enheter)
    details = sub(root, "intensjonsdetaljer")
    sub(details, "metode", metode)
    sub(details, "harsignerthjemmelsovergangpaapapir", "false")
    metadata_xml(root, at)
    return _out(
        "IntensjonssvarFraMegler",
        {f"intensjonssvarframegler_{oppdragsnummer}.xml": root},
        status=status,
        statusDescription=description,
    )


def intensjonsendring(
    sender: Org,
    sender_ref: str,
    receiver: Org,
    receiver_ref: str,
    selgere: Sequence[Party],
    kjoepere: Sequence[Party],
    enheter: Sequence[Registerenhet],
    *,
    metode: str,
    at: datetime,
    megler: tuple[Org, str] | None = None,
) -> Outgoing:
    root = Element("intensjonsendring")
    _intensjon_body(root, sender, sender_ref, megler, receiver, receiver_ref, selgere, kjoepere, enheter)
    sub(sub(root, "intensjonsdetaljer"), "metode", metode)
    metadata_xml(root, at)
    return _out("Intensjonsendring", {f"intensjonsendring_{sender_ref}_{_stamp(at)}.xml": root})


# ---------------------------------------------------------------------------------- kjøpekontrakt


def kjoepekontrakt_forespoersel(bank: Org, bank_ref: str, megler: Org, kjoepere: Sequence[Party]) -> Outgoing:
    root = Element("kjoepekontraktforespoerselFraBank")
    org_xml(root, "megler", megler)
    org_xml(root, "bank", bank, referanse=bank_ref)
    listed = sub(root, "kjoepere")
    for party in kjoepere:
        aktoer_xml(listed, "kjoeper", party)
    return _out("KjoepekontraktforespoerselFraBank", {f"kjoepekontraktforespoerselfrabank_{bank_ref}.xml": root})


@dataclass(frozen=True)
class Kontrakt:
    """The structured data of one signed purchase contract (``Kjoepekontrakt``)."""

    bank: Org
    bank_ref: str
    megler: Org
    oppdragsnummer: str
    kjoepesum: Decimal
    akseptdato: date
    enhet: Registerenhet
    selgere: tuple[Party, ...]
    kjoepere: tuple[Party, ...]
    objektstype: str = "ENEBOLIG"
    overtagelsesdato: date | None = None
    kontonummer: str | None = None  # the settlement (klientkonto) account


def _andelshavere(parent: Element, tag: str, parties: Sequence[Party]) -> None:
    listed = sub(parent, tag)
    for party in parties:
        holder = aktoer_xml(listed, "rettssubjekt", party)
        sub(holder, "andel", teller="1", nevner=str(len(parties)))


def _kontrakt(parent: Element, kontrakt: Kontrakt, at: datetime) -> None:
    element = sub(parent, "kjoepekontrakt")
    org_xml(element, "bank", kontrakt.bank, referanse=kontrakt.bank_ref)
    org_xml(element, "megler", kontrakt.megler, referanse=kontrakt.oppdragsnummer)
    info = sub(element, "oppgjoersinformasjon")
    sub(info, "kjoepesum", str(kontrakt.kjoepesum))
    sub(info, "akseptdato", kontrakt.akseptdato.isoformat())
    if kontrakt.overtagelsesdato:
        sub(info, "overtagelsesdato", kontrakt.overtagelsesdato.isoformat())
    if kontrakt.kontonummer:
        sub(info, "kontonummer", kontrakt.kontonummer)
    objekt = sub(sub(element, "salgsobjekter"), "salgsobjekt")
    if isinstance(kontrakt.enhet, Matrikkel):
        enhet_xml(sub(objekt, "matrikkelSalgsobjekt"), kontrakt.enhet)
    else:
        enhet_xml(sub(objekt, "borettsandelSalgsobjekt"), kontrakt.enhet)
    finans = sub(objekt, "finansiellInformasjon")
    sub(finans, "fellesgjeld", "0")
    sub(finans, "felleskostnader", "0")
    sub(finans, "utleiemulighet", "false")
    parter = sub(objekt, "parter")
    _andelshavere(parter, "selgere", kontrakt.selgere)
    _andelshavere(parter, "kjoepere", kontrakt.kjoepere)
    sub(element, "objektstype", kontrakt.objektstype)
    metadata_xml(element, at)


def kjoepekontraktsvar(
    kontrakter: Sequence[Kontrakt],
    *,
    at: datetime,
    status: str = "RutetSuksessfullt",
    description: str = "Kjøpekontrakt funnet",
) -> Outgoing:
    if status != "RutetSuksessfullt" or not kontrakter:
        return _out("KjoepekontraktsvarFraMegler", {}, status=status, statusDescription=description)
    root = Element("kjoepekontraktsvarFraMegler")
    listed = sub(root, "kjoepekontrakter")
    for kontrakt in kontrakter:
        _kontrakt(listed, kontrakt, at)
    name = f"kjoepekontraktsvarframegler_{kontrakter[0].oppdragsnummer}.xml"
    return _out("KjoepekontraktsvarFraMegler", {name: root}, status=status, statusDescription=description)


def kjoepekontrakt_push(kontrakt: Kontrakt, *, at: datetime, unsolicited: bool = False) -> Outgoing:
    root = Element("kjoepekontraktUoppfordretFraMegler" if unsolicited else "kjoepekontraktEndringFraMegler")
    _kontrakt(root, kontrakt, at)
    return _out(
        "KjoepekontraktFraMegler", {f"kjoepekontraktframegler_{kontrakt.oppdragsnummer}_{_stamp(at)}.xml": root}
    )


# ---------------------------------------------------------------------------- status and priority


def avbrutt_samhandling(sender: Org, sender_ref: str, receiver: Org, receiver_ref: str, begrunnelse: str) -> Outgoing:
    root = Element("avbruttsamhandling")
    org_xml(root, "mottaker", receiver, referanse=receiver_ref)
    org_xml(root, "avsender", sender, referanse=sender_ref)
    sub(root, "begrunnelse", begrunnelse)
    return _out("AvbruttSamhandling", {f"avbruttsamhandling_{sender_ref}.xml": root})


def gjennomfoert_etinglysing(
    megler: Org,
    oppdragsnummer: str,
    bank: Org,
    bank_ref: str,
    *,
    dokumentreferanse: str,
    altinn_sendersreference: str,
    forsendelsesstatus: bytes,
    at: datetime,
) -> Outgoing:
    status_name = f"forsendelsesstatus_{dokumentreferanse}.xml"
    root = Element("gjennomfoertetinglysing")
    org_xml(root, "avsender", megler, referanse=oppdragsnummer)
    org_xml(root, "mottaker", bank, referanse=bank_ref)
    details = sub(root, "gjennomfoertetinglysingdetaljer")
    sub(details, "dokumentreferanse", dokumentreferanse)
    sub(details, "altinnsendersreference", altinn_sendersreference)
    metadata_xml(root, at, ((status_name, XML),))
    return _out(
        "GjennomfoertEtinglysing",
        {f"gjennomfoertetinglysing_{dokumentreferanse}.xml": root, status_name: forsendelsesstatus},
    )


def oppnaadd_prioritet_ok(
    megler: Org,
    oppdragsnummer: str,
    bank: Org,
    bank_ref: str,
    *,
    dokumentreferanse: str,
    altinn_sendersreference: str,
    at: datetime,
) -> Outgoing:
    root = Element("oppnaaddprioritetok")
    org_xml(root, "megler", megler, referanse=oppdragsnummer)
    org_xml(root, "bank", bank, referanse=bank_ref)
    details = sub(root, "oppnaaddprioritetdetaljer")
    sub(details, "dokumentreferanse", dokumentreferanse)
    sub(details, "altinnsendersreference", altinn_sendersreference)
    metadata_xml(root, at)
    return _out("OppnaaddPrioritetOk", {f"oppnaaddprioritet_{dokumentreferanse}.xml": root})


# ------------------------------------------------------------------------ restgjeld / innfrielse


def _med_hjemmelshavere(parent: Element, enheter: Sequence[tuple[Registerenhet, Sequence[Party]]]) -> None:
    listed = sub(parent, "registerenheterMedHjemmelshavere")
    for enhet, holders in enheter:
        item = sub(listed, "registerenhetMedHjemmelshavere")
        enhet_xml(item, enhet)
        hjemmel = sub(item, "hjemmelshavere")
        for holder in holders:
            aktoer_xml(hjemmel, "hjemmelshaver", holder)


def restgjeldsforespoersel(
    sender: Org,
    sender_ref: str,
    bank: Org,
    enheter: Sequence[tuple[Registerenhet, Sequence[Party]]],
    *,
    at: datetime,
    prisantydning: int | None = None,
) -> Outgoing:
    root = Element("restgjeldsforespoersel")
    org_xml(root, "avsender", sender, referanse=sender_ref)
    org_xml(root, "mottaker", bank)
    _med_hjemmelshavere(root, enheter)
    if prisantydning is not None:
        sub(root, "prisantydning", str(prisantydning))
    metadata_xml(root, at)
    return _out("Restgjeldsforespoersel", {f"restgjeldsforespoersel_{sender_ref}.xml": root})


def innfrielsessaldoforespoersel(
    sender: Org,
    sender_ref: str,
    bank: Org,
    enheter: Sequence[tuple[Registerenhet, Sequence[Party]]],
    datoer: Sequence[date],
    *,
    at: datetime,
) -> Outgoing:
    root = Element("innfrielsessaldoforespoersel")
    org_xml(root, "avsender", sender, referanse=sender_ref)
    org_xml(root, "mottaker", bank)
    _med_hjemmelshavere(root, enheter)
    listed = sub(root, "innfrielsesdatoer")
    for dato in datoer:
        sub(listed, "innfrielsesdato", dato.isoformat())
    metadata_xml(root, at)
    return _out("Innfrielsessaldoforespoersel", {f"innfrielsessaldoforespoersel_{sender_ref}.xml": root})


def _loan_common(element: Element, laan: Laan) -> None:
    sub(element, "laantakerIkkeHjemmelshaver", "true" if laan.laantaker_ikke_hjemmelshaver else "false")
    sub(element, "transporterklaering", "false")
    sub(element, "laanenummer", laan.laanenummer)
    sub(element, "kontonummer", laan.kontonummer)
    if laan.kidnummer:
        sub(element, "kidnummer", laan.kidnummer)


def _names(element: Element, laan: Laan) -> None:
    names = sub(element, "laantakereHjemmelshaver")
    for name in laan.laantakere_hjemmelshaver:
        sub(names, "navn", name)


def _with_references(
    parent: Element, enheter: Sequence[tuple[Registerenhet, Sequence[Pantedokumentreferanse]]]
) -> None:
    listed = sub(parent, "registerenheterMedDokumentreferanser")
    for enhet, refs in enheter:
        item = sub(listed, "registerenhetMedDokumentreferanse")
        enhet_xml(item, enhet)
        container = sub(item, "pantedokumentreferanser")
        for ref in refs:
            referanse_xml(container, ref)


def _nack(message_type: str, status: str, description: str) -> Outgoing:
    return _out(message_type, {}, status=status, statusDescription=description)


def _debt_answer(
    message_type: str,
    bank: Org,
    bank_ref: str,
    requester: Org,
    requester_ref: str,
    laan: Sequence[Laan],
    enheter: Sequence[tuple[Registerenhet, Sequence[Pantedokumentreferanse]]],
    *,
    at: datetime,
    sperret: bool | None,
    status: str,
    description: str,
) -> Outgoing:
    """``Restgjeldssvar`` (``sperret`` given: one balance per loan) or ``Innfrielsessaldosvar`` (balances per date)."""
    if status != "RutetSuksessfullt":
        return _nack(message_type, status, description)
    root = Element(message_type.lower())
    org_xml(root, "avsender", bank, referanse=bank_ref)
    org_xml(root, "mottaker", requester, referanse=requester_ref)
    listed = sub(root, "laanliste")
    for item in laan:
        element = sub(listed, "laan")
        if sperret is not None:
            for flag in ("rammelaan", "fastrente", "realkausjon"):
                sub(element, flag, "false")
        _loan_common(element, item)
        if sperret is not None:
            sub(element, "saldo", f"{item.saldo:.2f}")
        else:
            per_date = sub(element, "saldoerPerDato")
            for dato, beloep in item.saldo_per_dato:
                entry = sub(per_date, "saldoPerDato")
                sub(entry, "beloep", f"{beloep:.2f}")
                sub(entry, "dato", dato.isoformat())
        _names(element, item)
    _with_references(root, enheter)
    if sperret is not None:
        sub(root, "sperretForVidereOpplaan", "true" if sperret else "false")
    metadata_xml(root, at)
    name = f"{message_type.lower()}_{requester_ref}.xml"
    return _out(message_type, {name: root}, status=status, statusDescription=description)


def restgjeldssvar(
    bank: Org,
    bank_ref: str,
    requester: Org,
    requester_ref: str,
    laan: Sequence[Laan],
    enheter: Sequence[tuple[Registerenhet, Sequence[Pantedokumentreferanse]]],
    *,
    at: datetime,
    sperret: bool = True,
    status: str = "RutetSuksessfullt",
    description: str = "Restgjeld oppgitt",
) -> Outgoing:
    return _debt_answer(
        "Restgjeldssvar", bank, bank_ref, requester, requester_ref, laan, enheter,
        at=at, sperret=sperret, status=status, description=description,
    )  # fmt: skip


def innfrielsessaldosvar(
    bank: Org,
    bank_ref: str,
    requester: Org,
    requester_ref: str,
    laan: Sequence[Laan],
    enheter: Sequence[tuple[Registerenhet, Sequence[Pantedokumentreferanse]]],
    *,
    at: datetime,
    status: str = "RutetSuksessfullt",
    description: str = "Innfrielsessaldo oppgitt",
) -> Outgoing:
    return _debt_answer(
        "Innfrielsessaldosvar", bank, bank_ref, requester, requester_ref, laan, enheter,
        at=at, sperret=None, status=status, description=description,
    )  # fmt: skip


__all__ = [
    "Kontrakt",
    "Outgoing",
    "avbrutt_samhandling",
    "deed_processed",
    "forutsetningsbrev",
    "gjennomfoert_etinglysing",
    "innfrielsessaldoforespoersel",
    "innfrielsessaldosvar",
    "intensjon_fra_bank",
    "intensjonsendring",
    "intensjonssvar",
    "kjoepekontrakt_forespoersel",
    "kjoepekontrakt_push",
    "kjoepekontraktsvar",
    "oppnaadd_prioritet_ok",
    "restgjeldsforespoersel",
    "restgjeldssvar",
]
