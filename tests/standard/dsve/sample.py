"""A small home sale used by the DSVE tests: banks, megler, persons, a unit, one valid message of each type."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from opendsop.standard.dsve import messages as m
from opendsop.standard.dsve.shipment import to_bytes
from opendsop.standard.dsve.tinglysing import Pantedokument, dokument_xml
from opendsop.standard.dsve.values import Laan, Matrikkel, Org, Pantedokumentreferanse, Person

AT = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
BANK = Org("910000001", "Kjøpers Bank ASA")
SELLER_BANK = Org("910000002", "Selgers Bank ASA")
MEGLER = Org("910000003", "Megleren AS")
BUYER = Person("01017012345", "Kari", "Kjøper")
SELLER = Person("02027012345", "Sven", "Selger")
CO_BORROWER = Person("03037012345", "Ola", "Medlåntaker")
UNIT = Matrikkel("0301", "Oslo", 208, 12)
REF = "BANKCASE1-DOC1-1234"
PANT = Pantedokumentreferanse(17, 2020, 200, 1, beloep=2_000_000)
KONTRAKT = m.Kontrakt(
    BANK, "BANKCASE1", MEGLER, "OPPDRAG-7", Decimal("4500000"), date(2026, 11, 2), UNIT, (SELLER,), (BUYER,)
)
LOAN = Laan("12345678903", "12345678903", Decimal("1800000.00"), ("Sven Selger",), False)
LOAN_BY_DATE = Laan(
    "12345678903",
    "12345678903",
    Decimal("0"),
    ("Sven Selger",),
    False,
    saldo_per_dato=((date(2026, 12, 15), Decimal("1801234.50")),),
)
DEED = to_bytes(dokument_xml(Pantedokument(REF, UNIT, BANK, (BUYER,), 3_600_000)))
STATUS = (
    b'<?xml version="1.0"?><forsendelsesstatus><status>OK</status><beskrivelse>ok</beskrivelse>'
    b"<dokumentreferanse>x</dokumentreferanse><tidspunkt>2026-12-08T10:00:00+00:00</tidspunkt></forsendelsesstatus>"
)


def valid() -> dict[str, m.Outgoing]:
    """One valid outgoing message per message type."""
    enheter = [(UNIT, [SELLER])]
    return {
        "SignedMortgageDeed": m.signed_mortgage_deed(DEED, reference=REF),
        "SignedMortgageDeedProcessed": m.deed_processed("RoutedSuccessfully", "Rutet", external_id="OPPDRAG-7"),
        "IntensjonFraBank": m.intensjon_fra_bank(
            BANK, "BANKCASE1", MEGLER, [BUYER], [UNIT], metode="Elektronisk tinglysing", at=AT
        ),
        "IntensjonssvarFraMegler": m.intensjonssvar(
            MEGLER, "OPPDRAG-7", BANK, "BANKCASE1", [SELLER], [BUYER], [UNIT], metode="Elektronisk tinglysing", at=AT
        ),
        "Intensjonsendring": m.intensjonsendring(
            BANK, "BANKCASE1", MEGLER, "OPPDRAG-7", [], [BUYER], [UNIT], metode="Papirtinglysing", at=AT
        ),
        "KjoepekontraktforespoerselFraBank": m.kjoepekontrakt_forespoersel(BANK, "BANKCASE1", MEGLER, [BUYER]),
        "KjoepekontraktsvarFraMegler": m.kjoepekontraktsvar([KONTRAKT], at=AT),
        "KjoepekontraktFraMegler": m.kjoepekontrakt_push(KONTRAKT, at=AT),
        "AvbruttSamhandling": m.avbrutt_samhandling(MEGLER, "OPPDRAG-7", BANK, "BANKCASE1", "Kjøper har trukket seg"),
        "GjennomfoertEtinglysing": m.gjennomfoert_etinglysing(
            MEGLER,
            "OPPDRAG-7",
            BANK,
            "BANKCASE1",
            dokumentreferanse=REF,
            altinn_sendersreference="s-1",
            forsendelsesstatus=STATUS,
            at=AT,
        ),
        "OppnaaddPrioritetOk": m.oppnaadd_prioritet_ok(
            MEGLER, "OPPDRAG-7", BANK, "BANKCASE1", dokumentreferanse=REF, altinn_sendersreference="s-1", at=AT
        ),
        "Restgjeldsforespoersel": m.restgjeldsforespoersel(
            MEGLER, "OPPDRAG-7", SELLER_BANK, enheter, at=AT, prisantydning=4_000_000
        ),
        "Restgjeldssvar": m.restgjeldssvar(SELLER_BANK, "S-9", MEGLER, "OPPDRAG-7", [LOAN], [(UNIT, [PANT])], at=AT),
        "Innfrielsessaldoforespoersel": m.innfrielsessaldoforespoersel(
            MEGLER, "OPPDRAG-7", SELLER_BANK, enheter, [date(2026, 12, 15)], at=AT
        ),
        "Innfrielsessaldosvar": m.innfrielsessaldosvar(
            SELLER_BANK, "S-9", MEGLER, "OPPDRAG-7", [LOAN_BY_DATE], [(UNIT, [PANT])], at=AT
        ),
    }
