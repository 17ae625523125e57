# SPDX-License-Identifier: Apache-2.0
"""The DSVE XML model (``dsve.xsd`` v2.0.0, Bits' e-tinglysing-afpant ``afpant-model``) as :mod:`.schema` values.

Written from the published model, type by type: the shared types (``Organisasjon``, ``Avsender``,
``Mottaker``, ``Megler``, ``Aktoer``, ``Registerenhet``, ``Pantedokumentreferanse``, ``Metadata``, …)
and the fourteen root elements of the message catalogue.  Two documents outside ``dsve.xsd`` are
modelled too: ``SignedMortgageDeedProcessedMessage`` (the megler system's receipt for a deed) and
Kartverket's ``forsendelsesstatus`` as our e-tinglysing stand-in writes it (docs/decisions.md,
"DSVE and company founding").

One deliberate difference: ``restgjeldsforespoersel.metadata`` is optional, because the model's
2026-03-30 revision removed it and both variants are in use.
"""

from __future__ import annotations

from .schema import (
    ANY_URI,
    BOOLEAN,
    DATE,
    DATETIME,
    DECIMAL,
    DOUBLE,
    INTEGER,
    LONG,
    STRING,
    Attr,
    Choice,
    Complex,
    El,
    enum,
    integer,
    many,
    opt,
    pattern,
)

KONTONUMMER = pattern("Kontonummer ([0-9]{11})", r"[0-9]{11}")
KID = pattern("KID ([0-9]{2,25})", r"[0-9]{2,25}")
KOMMUNENUMMER = pattern("kommunenummer (4 digits)", r"[0-9]{4}")
EIENDOMSNIVAA = enum("Eiendomsnivaa", ("E", "F", *(f"F_{n}" for n in range(1, 10))))
TINGLYSINGSMETODE = enum("Tinglysingsmetode", ("Elektronisk tinglysing", "Papirtinglysing"))
OBJEKTSTYPE = enum(
    "Objektstype",
    (
        "ENEBOLIG",
        "DELT_BOLIG",
        "REKKEHUS",
        "LEILIGHET",
        "FRITIDSEIENDOM",
        "TOMT",
        "NAERINGSBYGG",
        "NYBYGG",
        "LANDBRUK",
        "UKJENT",
    ),
)
AREALTYPE = enum("Arealtype", ("PROM", "BRA", "TOMT", "BTA"))
NAVN = pattern("navn (at most 256 characters)", r"(?s).{0,256}")

ADRESSE = Complex("Adresse", (opt("gatenavn", STRING), El("postnummer", STRING), El("poststed", STRING)))
ORGANISASJON = Complex(
    "Organisasjon", (El("foretaksnavn", STRING), opt("adresse", ADRESSE)), (Attr("id", STRING, required=True),)
)
PERSON = Complex("Person", (El("fornavn", STRING), El("etternavn", STRING)), (Attr("id", STRING, required=True),))
KONTAKTPERSON = Complex(
    "Kontaktperson", (El("navn", STRING), opt("epost", STRING), opt("telefondirekte", STRING), opt("telefon", STRING))
)
AVSENDER = ORGANISASJON.extend(
    "Avsender", opt("kontaktperson", KONTAKTPERSON), El("referanse", STRING), opt("returnertil", ORGANISASJON)
)
MOTTAKER = ORGANISASJON.extend("Mottaker", opt("referanse", STRING))
MEGLER = ORGANISASJON.extend(
    "Megler", opt("ansvarligmegler", KONTAKTPERSON), El("referanse", STRING), opt("oppgjoersavdeling", ORGANISASJON)
)
AKTOER = Complex("Aktoer", (Choice((El("organisasjon", ORGANISASJON), El("person", PERSON))),))
BROEK = Complex("Broek", attrs=(Attr("teller", LONG), Attr("nevner", LONG)))
ANDELSHAVER = AKTOER.extend("Andelshaver", El("andel", BROEK))
PART = Complex("Part", (many("rettssubjekt", AKTOER, nillable=True),))
ANDELSHAVERE = Complex("Andelshavere", (many("rettssubjekt", ANDELSHAVER, nillable=True),))
PARTER = Complex("Parter", (opt("selgere", PART), opt("kjoepere", PART), opt("hjemmelshavere", PART)))
RETTSSUBJEKTER = Complex(
    "Rettssubjekter",
    (
        El("selgere", ANDELSHAVERE, nillable=True),
        El("kjoepere", ANDELSHAVERE, nillable=True),
        El("hjemmelshavere", ANDELSHAVERE, min=0, nillable=True),
    ),
)

MATRIKKEL = Complex(
    "Matrikkel",
    attrs=(
        Attr("kommunenavn", STRING, required=True),
        Attr("kommunenummer", KOMMUNENUMMER, required=True),
        Attr("gaardsnummer", STRING, required=True),
        Attr("bruksnummer", STRING, required=True),
        Attr("festenummer", STRING),
        Attr("seksjonsnummer", STRING),
        Attr("eiendomsnivaa", EIENDOMSNIVAA, required=True),
    ),
)
BORETTSANDEL = Complex(
    "Borettsandel",
    attrs=(
        Attr("organisasjonsnummer", STRING, required=True),
        Attr("borettslagnavn", STRING, required=True),
        Attr("andelsnummer", STRING, required=True),
    ),
)
AKSJELEILIGHET = Complex(
    "Aksjeleilighet",
    attrs=(
        Attr("organisasjonsnummer", STRING, required=True),
        Attr("organisasjonsnavn", STRING, required=True),
        Attr("leilighetsnummer", STRING, required=True),
    ),
)
ENHET = Choice((El("matrikkel", MATRIKKEL), El("borettsandel", BORETTSANDEL), El("aksjeleilighet", AKSJELEILIGHET)))
REGISTERENHET = Complex("Registerenhet", (ENHET, opt("adresse", ADRESSE)))
REGISTERENHETER = Complex("Registerenheter", (many("registerenhet", REGISTERENHET, nillable=True),))
HJEMMELSHAVERE = Complex("Hjemmelshavere", (many("hjemmelshaver", AKTOER),))
MED_HJEMMELSHAVERE = Complex("RegisterenhetMedHjemmelshavere", (ENHET, El("hjemmelshavere", HJEMMELSHAVERE)))
REGISTERENHETER_MED_HJEMMELSHAVERE = Complex(
    "RegisterenheterMedHjemmelshavere", (many("registerenhetMedHjemmelshavere", MED_HJEMMELSHAVERE),)
)
PANTEDOKUMENTREFERANSE = Complex(
    "Pantedokumentreferanse",
    attrs=(
        Attr("dokumentnummer", integer("Dokumentnummer (int ≥ 1)", 1, 2**31 - 1), required=True),
        Attr("dokumentaar", integer("Aar (0..9999)", 0, 9999), required=True),
        Attr("embetenummer", integer("Embetenummer (1..999)", 1, 999), required=True),
        Attr("rettsstiftelsesnummer", integer("Rettsstiftelsesnummer (1..32767)", 1, 32767), required=True),
        Attr("registreringstidspunkt", DATETIME),
        Attr("beloep", integer("Pantedokumentbeloep (0..280000000000)", 0, 280_000_000_000)),
    ),
)
MED_DOKUMENTREFERANSER = Complex(
    "RegisterenhetMedDokumentreferanse",
    (
        ENHET,
        El(
            "pantedokumentreferanser",
            Complex("Pantedokumentreferanser", (many("pantedokumentreferanse", PANTEDOKUMENTREFERANSE, 0),)),
        ),
    ),
)
REGISTERENHETER_MED_DOKUMENTREFERANSER = Complex(
    "RegisterenheterMedDokumentreferanse", (many("registerenhetMedDokumentreferanse", MED_DOKUMENTREFERANSER),)
)
VEDLEGG = Complex("Vedlegg", (El("navn", STRING), El("mimetype", STRING), opt("beskrivelse", STRING)))
METADATA = Complex(
    "Metadata", (opt("ressurser", Complex("Vedleggsliste", (many("vedlegg", VEDLEGG, 0),))), El("opprettet", DATETIME))
)
INTENSJONSDETALJER = Complex("Intensjonsdetaljer", (El("metode", TINGLYSINGSMETODE),))
INTENSJONSDETALJER_FRA_MEGLER = INTENSJONSDETALJER.extend(
    "IntensjonsdetaljerFraMegler", opt("harsignerthjemmelsovergangpaapapir", BOOLEAN)
)
LAANTAKERE_HJEMMELSHAVER = Complex("LaantakereHjemmelshaver", (many("navn", NAVN, 0),))
DETALJER = Complex("Detaljer", (El("dokumentreferanse", STRING), El("altinnsendersreference", STRING)))

AREALER = Complex(
    "Arealer", (many("areal", Complex("Areal", (El("kvadratmeter", INTEGER),), (Attr("arealtype", AREALTYPE, True),))),)
)
AKSJEINFORMASJON = Complex(
    "Aksjeinformasjon",
    (opt("akjsenummerFra", INTEGER), opt("akjsenummerTil", INTEGER), opt("paalydende", LONG), opt("antall", INTEGER)),
)
REALSAMEIER = Complex(
    "Realsameier", (many("realsameie", Complex("Realsameie", (El("matrikkel", MATRIKKEL), El("eierbroek", BROEK)))),)
)
SALGSOBJEKT = Complex(
    "Salgsobjekt",
    (
        Choice(
            (
                El(
                    "matrikkelSalgsobjekt",
                    Complex(
                        "MatrikkelSalgsobjekt",
                        (El("matrikkel", MATRIKKEL), opt("realsameier", REALSAMEIER), opt("arealer", AREALER)),
                    ),
                ),
                El(
                    "borettsandelSalgsobjekt",
                    Complex(
                        "BorettsandelSalgsobjekt",
                        (
                            El("borettsandel", BORETTSANDEL),
                            opt("forretningsfoerer", ORGANISASJON),
                            opt("etasje", STRING),
                            opt("arealer", AREALER),
                        ),
                    ),
                ),
                El(
                    "aksjeleilighetSalgsobjekt",
                    Complex(
                        "AksjeleilighetSalgsobjekt",
                        (
                            El("aksjeleilighet", AKSJELEILIGHET),
                            opt("forretningsfoerer", ORGANISASJON),
                            opt("etasje", STRING),
                            opt("arealer", AREALER),
                            El("aksjer", AKSJEINFORMASJON),
                        ),
                    ),
                ),
            )
        ),
        El(
            "finansiellInformasjon",
            Complex(
                "FinansiellInformasjon",
                (El("fellesgjeld", DOUBLE), El("felleskostnader", DOUBLE), El("utleiemulighet", BOOLEAN)),
            ),
        ),
        El("parter", RETTSSUBJEKTER),
        opt("adresse", ADRESSE),
    ),
)
OPPGJOERSINFORMASJON = Complex(
    "Oppgjoersinformasjon",
    (
        El("kjoepesum", DOUBLE),
        opt("omkostningerkjoeper", DOUBLE),
        El("akseptdato", DATE),
        opt("overtagelsesdato", DATE),
        opt("andelfellesgjeld", DOUBLE),
        opt("andelfellesformue", DOUBLE),
        opt("kontonummer", STRING),
        opt("kidnummer", STRING),
        opt("betalingsMelding", STRING),
    ),
)
KJOEPEKONTRAKT = Complex(
    "Kjoepekontrakt",
    (
        El("bank", MOTTAKER),
        El("megler", MEGLER),
        El("oppgjoersinformasjon", OPPGJOERSINFORMASJON),
        El("salgsobjekter", Complex("Salgsobjekter", (many("salgsobjekt", SALGSOBJEKT),))),
        El("objektstype", OBJEKTSTYPE),
        opt("objektstypeFritekst", STRING),
        opt("lenkeTilSalgsoppgave", ANY_URI),
        El("metadata", METADATA),
    ),
)
KJOEPEKONTRAKT_FRA_MEGLER = Complex("KjoepekontraktFraMegler", (El("kjoepekontrakt", KJOEPEKONTRAKT),))

LAAN_RESTGJELD = Complex(
    "LaanRestgjeld",
    (
        El("rammelaan", BOOLEAN),
        opt("oevreGrenseRammelaan", DOUBLE),
        El("fastrente", BOOLEAN),
        El("realkausjon", BOOLEAN),
        El("laantakerIkkeHjemmelshaver", BOOLEAN),
        El("transporterklaering", BOOLEAN),
        El("laanenummer", STRING),
        El("kontonummer", KONTONUMMER),
        opt("kidnummer", KID),
        opt("betalingsmelding", STRING),
        El("saldo", DECIMAL),
        El("laantakereHjemmelshaver", LAANTAKERE_HJEMMELSHAVER),
    ),
)
LAAN_INNFRIELSESSALDO = Complex(
    "LaanInnfrielsessaldo",
    (
        El("laantakerIkkeHjemmelshaver", BOOLEAN),
        El("transporterklaering", BOOLEAN),
        El("laanenummer", STRING),
        El("kontonummer", KONTONUMMER),
        opt("kidnummer", KID),
        opt("betalingsmelding", STRING),
        El(
            "saldoerPerDato",
            Complex(
                "BeloepOgDatoer",
                (many("saldoPerDato", Complex("BeloepOgDato", (El("beloep", DOUBLE), El("dato", DATE))), 1, 4),),
            ),
        ),
        El("laantakereHjemmelshaver", LAANTAKERE_HJEMMELSHAVER),
    ),
)

# The fourteen roots of dsve.xsd, by element name.
ROOTS: dict[str, El] = {
    root.name: root
    for root in (
        El(
            "kjoepekontraktforespoerselFraBank",
            Complex(
                "KjoepekontraktforespoerselFraBank",
                (
                    El("megler", MOTTAKER),
                    El("bank", AVSENDER),
                    El("kjoepere", Complex("Kjoepere", (many("kjoeper", AKTOER, 0),))),
                ),
            ),
        ),
        El(
            "kjoepekontraktsvarFraMegler",
            Complex(
                "KjoepekontraktSvarFraMegler",
                (El("kjoepekontrakter", Complex("Kjoepekontrakter", (many("kjoepekontrakt", KJOEPEKONTRAKT),))),),
            ),
        ),
        El("kjoepekontraktEndringFraMegler", KJOEPEKONTRAKT_FRA_MEGLER),
        El("kjoepekontraktUoppfordretFraMegler", KJOEPEKONTRAKT_FRA_MEGLER),
        El(
            "restgjeldsforespoersel",
            Complex(
                "Restgjeldsforespoersel",
                (
                    El("avsender", AVSENDER),
                    El("mottaker", MOTTAKER),
                    El("registerenheterMedHjemmelshavere", REGISTERENHETER_MED_HJEMMELSHAVERE),
                    opt("prisantydning", integer("Prisantydning (int ≥ 1)", 1, 2**31 - 1)),
                    opt("metadata", METADATA),
                ),
            ),
        ),
        El(
            "restgjeldssvar",
            Complex(
                "Restgjeldssvar",
                (
                    El("avsender", AVSENDER),
                    El("mottaker", MOTTAKER),
                    El("laanliste", Complex("LaanRestgjeldListe", (many("laan", LAAN_RESTGJELD),))),
                    El("registerenheterMedDokumentreferanser", REGISTERENHETER_MED_DOKUMENTREFERANSER),
                    El("sperretForVidereOpplaan", BOOLEAN),
                    El("metadata", METADATA),
                ),
            ),
        ),
        El(
            "innfrielsessaldoforespoersel",
            Complex(
                "Innfrielsessaldoforespoersel",
                (
                    El("avsender", AVSENDER),
                    El("mottaker", MOTTAKER),
                    El("registerenheterMedHjemmelshavere", REGISTERENHETER_MED_HJEMMELSHAVERE),
                    El("innfrielsesdatoer", Complex("Innfrielsesdatoer", (many("innfrielsesdato", DATE, 1, 4),))),
                    El("metadata", METADATA),
                ),
            ),
        ),
        El(
            "innfrielsessaldosvar",
            Complex(
                "Innfrielsessaldosvar",
                (
                    El("avsender", AVSENDER),
                    El("mottaker", MOTTAKER),
                    El("laanliste", Complex("LaanInnfrielsessaldoListe", (many("laan", LAAN_INNFRIELSESSALDO),))),
                    El("registerenheterMedDokumentreferanser", REGISTERENHETER_MED_DOKUMENTREFERANSER),
                    El("metadata", METADATA),
                ),
            ),
        ),
        El(
            "intensjonfrabank",
            Complex(
                "IntensjonFraBank",
                (
                    El("avsender", AVSENDER),
                    El("mottaker", MOTTAKER),
                    El("kjoepere", PART),
                    El("registerenheter", REGISTERENHETER),
                    El("intensjonsdetaljer", INTENSJONSDETALJER),
                    El("metadata", METADATA),
                ),
            ),
        ),
        El(
            "intensjonssvarframegler",
            Complex(
                "IntensjonssvarFraMegler",
                (
                    El("avsender", AVSENDER),
                    El("megler", MEGLER),
                    El("mottaker", MOTTAKER),
                    El("parter", PARTER),
                    El("registerenheter", REGISTERENHETER),
                    El("intensjonsdetaljer", INTENSJONSDETALJER_FRA_MEGLER),
                    El("metadata", METADATA),
                ),
            ),
        ),
        El(
            "intensjonsendring",
            Complex(
                "Intensjonsendring",
                (
                    El("avsender", AVSENDER),
                    opt("megler", MEGLER),
                    El("mottaker", MOTTAKER),
                    El("parter", PARTER),
                    El("registerenheter", REGISTERENHETER),
                    El("intensjonsdetaljer", INTENSJONSDETALJER),
                    El("metadata", METADATA),
                ),
            ),
        ),
        El(
            "gjennomfoertetinglysing",
            Complex(
                "GjennomfoertEtinglysing",
                (
                    El("avsender", AVSENDER),
                    El("mottaker", MOTTAKER),
                    El("gjennomfoertetinglysingdetaljer", DETALJER),
                    El("metadata", METADATA),
                ),
            ),
        ),
        El(
            "oppnaaddprioritetok",
            Complex(
                "OppnaaddPrioritetOk",
                (
                    El("megler", AVSENDER),
                    El("bank", MOTTAKER),
                    El("oppnaaddprioritetdetaljer", DETALJER),
                    El("metadata", METADATA),
                ),
            ),
        ),
        El(
            "avbruttsamhandling",
            Complex(
                "AvbruttSamhandling", (El("mottaker", MOTTAKER), El("avsender", AVSENDER), El("begrunnelse", STRING))
            ),
        ),
    )
}

PROCESSED_STATUS = enum("Status", ("RoutedSuccessfully", "UnknownCadastre", "DebitorMismatch", "Rejected"))
PROCESSED = El(
    "SignedMortgageDeedProcessedMessage",
    Complex(
        "SignedMortgageDeedProcessedMessage",
        (
            El("MessageType", enum("MessageType", ("SignedMortgageDeedProcessed",))),
            El("Status", PROCESSED_STATUS),
            El("StatusDescription", STRING),
            opt("ExternalSystemId", STRING),
        ),
    ),
)

# The cover letter (afpant-forutsetningsbrev.xsd; no namespace): the bank's conditions for the deed it sends.
_RETTIGHETSHAVER = Complex("RettighetsHaver", (opt("Nummer", STRING), opt("Navn", STRING)))
_FB_ENHET = Complex(
    "Registerenhet",
    tuple(
        opt(name, STRING)
        for name in (
            "KommuneNavn", "Kommunenummer", "Gardsnummer", "Bruksnummer", "Festenummer", "Seksjonsnummer",
            "Organisasjonsnummer", "Andelsnummer", "BorettslagNavn", "Adresse",
        )
    ),
)  # fmt: skip
_PRIORITET = Complex(
    "PrioritetsAngivelse",
    (
        El("Rekkefolge", enum("PrioritetsRekkefolge", ("PrioritetEtter", "PrioritetLikestiltMed"))),
        El("Panthaver", _RETTIGHETSHAVER),
        El("Beloep", DOUBLE),
        El("PrioritetsBeskrivelse", STRING, min=0, nillable=True),
    ),
)
FORUTSETNINGSBREV = El(
    "Forutsetningsbrev",
    Complex(
        "Forutsetningsbrev",
        (
            El("Kreditor", _RETTIGHETSHAVER),
            El(
                "Debitorer",
                Complex("ArrayOfRettighetsHaver", (many("RettighetsHaver", _RETTIGHETSHAVER, nillable=True),)),
            ),
            El("Registerenheter", Complex("ArrayOfRegisterenhet", (many("Registerenhet", _FB_ENHET, nillable=True),))),
            El(
                "PantedokumentDetaljer",
                Complex(
                    "Pantedokument",
                    (
                        El("Beloep", DOUBLE),
                        El("ForstePrioritet", BOOLEAN),
                        opt(
                            "Prioritet",
                            Complex(
                                "ArrayOfPrioritetsAngivelse", (many("PrioritetsAngivelse", _PRIORITET, nillable=True),)
                            ),
                        ),
                    ),
                ),
            ),
            El(
                "OverfoerselDetaljer",
                Complex(
                    "Overfoersel",
                    (
                        El("Beloep", DOUBLE),
                        El("BeloepOverforesDato", DATE),
                        El("TotalBeloep", DOUBLE),
                        El("TilKontonummer", STRING),
                        opt("KID", STRING),
                        opt("Betalingsmelding", STRING),
                        opt("KreditorSaksnummer", STRING),
                        opt("MeglerSaksnummer", STRING),
                        El("ProdusertDato", DATETIME),
                    ),
                ),
            ),
            El(
                "Avsender",
                Complex(
                    "Person",
                    (opt("Navn", STRING), opt("Email", STRING), opt("TelefonDirekte", STRING), opt("Telefon", STRING)),
                ),
            ),
            El("Mottaker", Complex("JuridiskPerson", (El("Navn", STRING), El("Organisasjonsnummer", STRING)))),
        ),
    ),
)

# Our e-tinglysing stand-in's answer (Kartverket's ReceiptStatusEnum values; the registration when OK).
FORSENDELSESSTATUS = El(
    "forsendelsesstatus",
    Complex(
        "Forsendelsesstatus",
        (
            El("status", enum("ReceiptStatus", ("OK", "VALIDATION_FAILED", "REJECTED"))),
            El("beskrivelse", STRING),
            El("dokumentreferanse", STRING),
            many(
                "registrering",
                Complex("Registrering", (ENHET, El("pantedokumentreferanse", PANTEDOKUMENTREFERANSE))),
                0,
            ),
            El("tidspunkt", DATETIME),
        ),
    ),
)

__all__ = ["FORSENDELSESSTATUS", "FORUTSETNINGSBREV", "PROCESSED", "PROCESSED_STATUS", "ROOTS"]
