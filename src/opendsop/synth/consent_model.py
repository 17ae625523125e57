# SPDX-License-Identifier: Apache-2.0
"""What the consent-based data sources serve, as plain values (the shape ``consent_sources`` fills).

* Skatteetaten SBL: monthly a-ordning income (``kalendermaaned`` YYYY-MM, ``inntekt[]`` with
  ``fordel``, ``beloep``, a type object with ``beskrivelse``) and a summarised tax base
  (``grunnlag[]`` with ``tekniskNavn``, ``beloep``, ``kategori``) per settled year.  Each income
  ``beskrivelse`` and each ``tekniskNavn`` is flagged with the rights packages (rettighetspakker)
  it belongs to; **decided** (the real code lists change yearly): a few codes are ``otp``-only so
  that the ``sbl`` filter visibly removes them.
* Lånekassen Saldo: 0–4 sub-accounts named ``Lån``, ``Renter``, ``Gebyr``, ``Omkostninger``
  (``None``: not a customer).
* NAV SSU: AAP decisions, 14-day meldekort, uføretrygd decisions.
* Skatteetaten Krav og betalinger: claims with one due date each, payments placed on them and
  unplaced payments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

# beskrivelse → (type object, fordel, rettighetspakker)
INCOME_CODES: dict[str, tuple[str, str, frozenset[str]]] = {
    "fastloenn": ("loennsinntekt", "kontantytelse", frozenset({"sbl", "otp"})),
    "timeloenn": ("loennsinntekt", "kontantytelse", frozenset({"sbl", "otp"})),
    "overtidsgodtgjoerelse": ("loennsinntekt", "kontantytelse", frozenset({"sbl", "otp"})),
    "bonus": ("loennsinntekt", "kontantytelse", frozenset({"sbl", "otp"})),
    "elektroniskKommunikasjon": ("loennsinntekt", "naturalytelse", frozenset({"otp"})),
    "trekkILoennForFerie": ("loennsinntekt", "kontantytelse", frozenset({"otp"})),
    "ufoerepensjonFraAndreEnnFolketrygden": ("pensjonEllerTrygd", "kontantytelse", frozenset({"sbl"})),
}
# tekniskNavn → (kategori, rettighetspakker)
TAX_BASE_FIELDS: dict[str, tuple[str, frozenset[str]]] = {
    "loennsinntektMedTrygdeavgiftspliktOmfattetAvLoennstrekkordningen": ("inntekt", frozenset({"sbl"})),
    "renteinntektAvBankinnskudd": ("inntekt", frozenset({"sbl"})),
    "bruttoformue": ("formue", frozenset({"sbl"})),
    "innskudd": ("formue", frozenset({"sbl"})),
    "samletGjeld": ("formuesfradrag", frozenset({"sbl"})),
    "minstefradragIInntekt": ("inntektsfradrag", frozenset({"sbl"})),
    "fradragForFagforeningskontingent": ("inntektsfradrag", frozenset({"otp"})),
    "gjeldFraInkassoselskap": ("formuesfradrag", frozenset({"sbl"})),
}
LOAN_ACCOUNTS = ("Lån", "Renter", "Gebyr", "Omkostninger")
KRAV_TYPES = (
    ("RESTSKATT", "Restskatt", "Skatt"),
    ("FORSKUDDSSKATT", "Forskuddsskatt", "Skatt"),
    ("MERVERDIAVGIFT", "Merverdiavgift", "Merverdiavgift"),
    ("ARBEIDSGIVERAVGIFT", "Arbeidsgiveravgift", "Arbeidsgiveravgift"),
)


@dataclass(frozen=True, slots=True)
class Income:
    beskrivelse: str
    beloep: Decimal

    @property
    def kind(self) -> str:
        return INCOME_CODES[self.beskrivelse][0]

    @property
    def fordel(self) -> str:
        return INCOME_CODES[self.beskrivelse][1]

    @property
    def packages(self) -> frozenset[str]:
        return INCOME_CODES[self.beskrivelse][2]


@dataclass(frozen=True, slots=True)
class MonthlyReport:
    kalendermaaned: str  # YYYY-MM
    opplysningspliktig: str  # orgnr of the employer
    virksomhet: str
    incomes: tuple[Income, ...]


@dataclass(frozen=True, slots=True)
class TaxBaseItem:
    teknisk_navn: str
    beloep: Decimal

    @property
    def kategori(self) -> str:
        return TAX_BASE_FIELDS[self.teknisk_navn][0]

    @property
    def packages(self) -> frozenset[str]:
        return TAX_BASE_FIELDS[self.teknisk_navn][1]


@dataclass(frozen=True, slots=True)
class TaxBase:
    inntektsaar: int
    skatteoppgjoersdato: date
    items: tuple[TaxBaseItem, ...]


@dataclass(frozen=True, slots=True)
class LoanAccount:
    name: str  # Lån | Renter | Gebyr | Omkostninger
    amount: Decimal
    last_change: datetime


@dataclass(frozen=True, slots=True)
class AapVedtak:
    vedtak_id: str
    fra_dato: date
    til_dato: date
    vedtakstype: str
    status: str


@dataclass(frozen=True, slots=True)
class Meldekort:
    meldekort_id: str
    fra_dato: date  # a Monday
    til_dato: date  # the Sunday 13 days later
    timer_arbeidet: Decimal


@dataclass(frozen=True, slots=True)
class UforeVedtak:
    vedtak_id: str
    virkningsdato: date
    uforegrad: int
    uforetidspunkt: date


@dataclass(frozen=True, slots=True)
class Person:
    fnr: str
    latest_tax_year: int
    income: tuple[MonthlyReport, ...]
    tax_bases: tuple[TaxBase, ...]
    loan: tuple[LoanAccount, ...] | None  # None: not a Lånekassen customer
    aap_vedtak: tuple[AapVedtak, ...]
    meldekort: tuple[Meldekort, ...]
    ufore_vedtak: tuple[UforeVedtak, ...]

    def tax_base(self, year: int) -> TaxBase | None:
        return next((base for base in self.tax_bases if base.inntektsaar == year), None)


@dataclass(frozen=True, slots=True)
class Placement:
    innbetaling_id: str
    beloep: Decimal  # negative, as Skatteetaten writes placed amounts
    dato: date


@dataclass(frozen=True, slots=True)
class Krav:
    krav_id: str
    kravtype: str
    beskrivelse: str
    kravgruppe: str
    opprettet: date
    forfallsdato: date
    opprinnelig: Decimal
    gjenstaaende: Decimal
    stipulerte_renter: Decimal
    forfall_id: str
    konto: str
    placements: tuple[Placement, ...]


@dataclass(frozen=True, slots=True)
class Innbetaling:
    innbetaling_id: str
    dato: date
    beloep: Decimal
    uplassert: Decimal
    til_konto: str
    fra_konto: str
    fra_navn: str


@dataclass(frozen=True, slots=True)
class Organisation:
    orgnr: str
    name: str
    krav: tuple[Krav, ...]
    innbetalinger: tuple[Innbetaling, ...]


@dataclass(frozen=True, slots=True)
class SourceData:
    """Everything the four sources serve, by person (fnr) and organisation (orgnr)."""

    seed: int
    today: date
    persons: Mapping[str, Person]
    organisations: Mapping[str, Organisation]


__all__ = [
    "INCOME_CODES", "KRAV_TYPES", "LOAN_ACCOUNTS", "TAX_BASE_FIELDS", "AapVedtak", "Income", "Innbetaling", "Krav",
    "LoanAccount", "Meldekort", "MonthlyReport", "Organisation", "Person", "Placement", "TaxBase", "TaxBaseItem",
    "SourceData", "UforeVedtak",
]  # fmt: skip
