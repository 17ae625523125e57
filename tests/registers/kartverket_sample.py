"""A test PKI (a BankID stand-in) and a small grunnbok: a seller's house with the seller's bank's mortgage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

from opendsop.contracts.dsve import signing
from opendsop.contracts.registers.kartverket import Grunnbokenhet, Heftelse, Rettighetshaver, grunnbokenhet
from opendsop.standard.dsve import tinglysing as tl
from opendsop.standard.dsve.shipment import to_bytes
from opendsop.standard.dsve.values import Matrikkel, Org, Pantedokumentreferanse, Person
from opendsop.trust.chain import TrustStore
from opendsop.trust.keys import generate_ec_key
from opendsop.trust.pki import CertificateAuthority, Credential

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
BUYER_BANK = Org("326018155", "Kjøpers Bank ASA")
SELLER_BANK = Org("283016617", "Selgers Bank ASA")
BUYER = Person("01017012345", "Kari", "Kjøper")
SELLER = Person("02027012345", "Sven", "Selger")
STRANGER = Person("03037012345", "Ola", "Fremmed")
HOUSE = Matrikkel("0301", "Oslo", 208, 12)
OLD_MORTGAGE = Heftelse(
    prioritet=1,
    dokumentnummer=17,
    dokumentaar=2020,
    embetenummer=200,
    rettsstiftelsesnummer=1,
    registreringstidspunkt=datetime(2020, 5, 1, tzinfo=UTC),
    panthaver=Rettighetshaver(id=SELLER_BANK.id, navn=SELLER_BANK.navn),
    pantsettere=(SELLER.id,),
    beloep=2_000_000,
    dokumentreferanse="S2020-1-2222",
)


def house() -> Grunnbokenhet:
    import msgspec

    unit = grunnbokenhet(HOUSE, (Rettighetshaver(id=SELLER.id, navn=SELLER.navn),), "Storgata 1, 0155 Oslo")
    return msgspec.structs.replace(unit, heftelser=(OLD_MORTGAGE,))


@cache
def pki() -> tuple[CertificateAuthority, CertificateAuthority]:
    root = CertificateAuthority.create_root("test root", now=NOW - timedelta(days=1), key=generate_ec_key())
    return root, root.issue_intermediate("test issuing CA", now=NOW - timedelta(days=1), key=generate_ec_key())


@cache
def credential(who: str) -> Credential:
    issuing = pki()[1]
    party = {p.id: p for p in (BUYER_BANK, SELLER_BANK, BUYER, SELLER, STRANGER)}[who]
    if isinstance(party, Org):
        return issuing.issue_enterprise(
            party.id, organisation_name=party.navn, now=NOW - timedelta(days=1), key=generate_ec_key()
        )
    return issuing.issue_person(party.id, name=party.navn, now=NOW - timedelta(days=1))


def trust() -> TrustStore:
    return TrustStore((pki()[0].certificate,))


def signed(dokument: tl.Dokument, *signers: str) -> bytes:
    return signing.sign(to_bytes(tl.dokument_xml(dokument)), [credential(s) for s in signers], at=NOW)


SKJOETE = tl.Skjoete("OPPDRAG7-SKJ1-0001", HOUSE, (SELLER,), (BUYER,), __import__("decimal").Decimal(4_500_000))
PANT = tl.Pantedokument("BANKCASE1-DOC1-1234", HOUSE, BUYER_BANK, (BUYER,), 3_600_000)
SLETTING = tl.Sletting("S9-SLETT1-2222", HOUSE, SELLER_BANK, Pantedokumentreferanse(17, 2020, 200, 1))
