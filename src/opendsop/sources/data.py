"""Synthetic data behind the consent-based data sources, deterministic from a seed (spec/services.md §6.1 item 1).

``generate_world(seed, today=...)`` draws Tenor-style synthetic persons (fødselsnummer with
month + 80) and organisations (orgnr with leading 2/3) from ``opendsop.standard.identifiers`` and
gives each what the four sources serve:

* Skatteetaten SBL (§2.1): monthly a-ordning income (``kalendermaaned`` YYYY-MM, ``inntekt[]`` with
  ``fordel``, ``beloep``, a type object with ``beskrivelse``) for the last 24 complete months, and a
  summarised tax base (``grunnlag[]`` with ``tekniskNavn``, ``beloep``, ``kategori``) per settled
  year.  Each income ``beskrivelse`` and each ``tekniskNavn`` is flagged with the rights packages
  (rettighetspakker) it belongs to; **decided** (the real code lists change yearly and are not in
  the digest): a few codes are ``otp``-only so that the ``sbl`` filter visibly removes them.
  ``latest_tax_year``: the tax settlement of year Y is available from July of Y+1; about one
  person in four has not been settled yet (a late filer), so their latest year is one older.
* Lånekassen (§2.2): 0–4 sub-accounts named ``Lån``, ``Renter``, ``Gebyr``, ``Omkostninger``;
  one person in six is not a Lånekassen customer at all (404 PSU_ID unknown).
* NAV SSU (§2.3): AAP decisions (chronological, some invalidated: ``tilDato`` = the day before
  ``fraDato``), 14-day Monday–Sunday meldekort, uføretrygd decisions.
* Skatteetaten Krav og betalinger (§2.5): claims with one due date each, payments placed on them
  and unplaced payments.

Nothing here reads the clock: ``today`` is a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from random import Random

from opendsop.standard.identifiers import (
    generate_fodselsnummer,
    generate_kontonr,
    generate_orgnr,
    known_bank_codes,
)

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
KRAV_TYPES = (("RESTSKATT", "Restskatt", "Skatt"), ("FORSKUDDSSKATT", "Forskuddsskatt", "Skatt"),
              ("MERVERDIAVGIFT", "Merverdiavgift", "Merverdiavgift"),
              ("ARBEIDSGIVERAVGIFT", "Arbeidsgiveravgift", "Arbeidsgiveravgift"))


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
class World:
    seed: int
    today: date
    persons: dict[str, Person]
    organisations: dict[str, Organisation]


def settled_year(today: date) -> int:
    """The newest income year whose settlement is out for most people (from July of the year after)."""
    return today.year - 1 if today.month >= 7 else today.year - 2


def _money(rng: Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _months_back(today: date, count: int) -> list[str]:
    year, month = today.year, today.month
    months = []
    for _ in range(count):  # complete months only: the current one is still being reported
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        months.append(f"{year:04d}-{month:02d}")
    return sorted(months)


def _income(rng: Random, today: date, employer: str) -> tuple[MonthlyReport, ...]:
    salary = _money(rng, 28_000, 65_000)
    reports = []
    for month in _months_back(today, 24):
        incomes = [Income("fastloenn", salary)]
        for code in ("overtidsgodtgjoerelse", "elektroniskKommunikasjon", "bonus", "trekkILoennForFerie"):
            if rng.random() < 0.3:
                incomes.append(Income(code, _money(rng, 300, 9_000)))
        reports.append(MonthlyReport(month, employer, employer, tuple(incomes)))
    return tuple(reports)


def _tax_bases(rng: Random, latest: int) -> tuple[TaxBase, ...]:
    bases = []
    for year in (latest - 1, latest):
        items = tuple(TaxBaseItem(name, _money(rng, 1_000, 900_000))
                      for name in TAX_BASE_FIELDS if rng.random() < 0.85)
        bases.append(TaxBase(year, date(year + 1, rng.randint(6, 10), rng.randint(1, 28)), items))
    return tuple(bases)


def _loan(rng: Random, today: date) -> tuple[LoanAccount, ...] | None:
    if rng.random() < 1 / 6:
        return None
    count = rng.choice((0, 1, 2, 2, 3, 4, 4, 4))
    changed = datetime.combine(today - timedelta(days=rng.randint(1, 30)), time(3, 0), UTC)
    ranges = {"Lån": (20_000, 600_000), "Renter": (10, 4_000), "Gebyr": (50, 800), "Omkostninger": (10, 500)}
    return tuple(LoanAccount(name, _money(rng, *ranges[name]), changed) for name in LOAN_ACCOUNTS[:count])


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


NavData = tuple[tuple[AapVedtak, ...], tuple[Meldekort, ...], tuple[UforeVedtak, ...]]


def _nav(rng: Random, today: date, serial: int) -> NavData:
    if rng.random() < 0.25:
        return (), (), ()
    start = _monday(today - timedelta(days=rng.randint(200, 700)))
    vedtak = [AapVedtak(f"AAP-{serial}-1", start, start + timedelta(days=364), "O", "AVSLU"),
              AapVedtak(f"AAP-{serial}-2", start + timedelta(days=365), min(start + timedelta(days=729),
                        today + timedelta(days=365)), "E", "IVERK")]
    if rng.random() < 0.5:  # an invalidated decision: tilDato is the day before fraDato (FAQ)
        fra = start + timedelta(days=100)
        vedtak.append(AapVedtak(f"AAP-{serial}-3", fra, fra - timedelta(days=1), "G", "AVSLU"))
    meldekort: list[Meldekort] = []
    period = start
    while period + timedelta(days=13) < today:
        hours = Decimal(rng.choice((0, 0, 7.5, 15, 22.5, 37.5))).quantize(Decimal("0.1"))
        meldekort.append(Meldekort(f"MK-{serial}-{len(meldekort) + 1}", period, period + timedelta(days=13), hours))
        period += timedelta(days=14)
    ufore: tuple[UforeVedtak, ...] = ()
    if rng.random() < 0.5:
        virkning = date(today.year - rng.randint(0, 2), rng.randint(1, 12), 1)
        ufore = (UforeVedtak(f"UFO-{serial}", virkning, rng.choice((50, 60, 100)), virkning - timedelta(days=365)),)
    return tuple(sorted(vedtak, key=lambda v: v.fra_dato)), tuple(meldekort), ufore


def _organisation(rng: Random, today: date, orgnr: str, serial: int) -> Organisation:
    bank = rng.choice(known_bank_codes())
    skatt_konto = generate_kontonr(rng, bank)
    own_konto = generate_kontonr(rng, bank)
    name = f"SYNTETISK FORETAK {serial} ENK"
    krav, innbetalinger = [], []
    for index in range(rng.randint(3, 8)):
        kravtype, beskrivelse, gruppe = rng.choice(KRAV_TYPES)
        opprettet = today - timedelta(days=rng.randint(5, 600))
        forfall = opprettet + timedelta(days=rng.choice((14, 21, 30)))
        beloep = _money(rng, 500, 90_000)
        half = (beloep / 2).quantize(Decimal("0.01"))
        paid = Decimal(0) if rng.random() < 0.4 else (beloep if rng.random() < 0.6 else half)
        placements: tuple[Placement, ...] = ()
        if paid:
            payment = Innbetaling(f"inn-{serial}-{index}", min(forfall, today), paid, Decimal(0), skatt_konto,
                                  own_konto, name)
            innbetalinger.append(payment)
            placements = (Placement(payment.innbetaling_id, -paid, payment.dato),)
        remaining = beloep - paid
        overdue = remaining and forfall < today
        renter = (remaining * Decimal("0.02")).quantize(Decimal("0.01")) if overdue else Decimal(0)
        krav.append(Krav(f"krav-{serial}-{index}", kravtype, beskrivelse, gruppe, opprettet, forfall, beloep, remaining,
                         renter, f"forfall-{serial}-{index}", skatt_konto, placements))
    if rng.random() < 0.5:  # an unplaced payment (paid before the claim it is meant for exists)
        amount = _money(rng, 100, 5_000)
        innbetalinger.append(Innbetaling(f"inn-{serial}-u", today - timedelta(days=rng.randint(1, 60)), amount, amount,
                                         skatt_konto, own_konto, name))
    return Organisation(orgnr, name, tuple(sorted(krav, key=lambda k: k.opprettet)),
                        tuple(sorted(innbetalinger, key=lambda i: i.dato)))


def generate_world(seed: int, *, today: date, persons: int = 12, organisations: int = 4) -> World:
    """The same world for the same ``seed`` and ``today``."""
    rng = Random(seed)
    employers = [generate_orgnr(rng) for _ in range(3)]
    people: dict[str, Person] = {}
    base_year = settled_year(today)
    while len(people) < persons:
        fnr = generate_fodselsnummer(rng, date(rng.randint(1955, 2000), rng.randint(1, 12), rng.randint(1, 28)))
        if fnr in people:
            continue
        latest = base_year - 1 if rng.random() < 0.25 else base_year
        aap, meldekort, ufore = _nav(rng, today, len(people) + 1)
        people[fnr] = Person(fnr, latest, _income(rng, today, rng.choice(employers)), _tax_bases(rng, latest),
                             _loan(rng, today), aap, meldekort, ufore)
    orgs: dict[str, Organisation] = {}
    while len(orgs) < organisations:
        orgnr = generate_orgnr(rng)
        if orgnr not in orgs and orgnr not in employers:
            orgs[orgnr] = _organisation(rng, today, orgnr, len(orgs) + 1)
    return World(seed, today, people, orgs)


__all__ = [
    "INCOME_CODES",
    "LOAN_ACCOUNTS",
    "TAX_BASE_FIELDS",
    "AapVedtak",
    "Income",
    "Innbetaling",
    "Krav",
    "LoanAccount",
    "Meldekort",
    "MonthlyReport",
    "Organisation",
    "Person",
    "TaxBase",
    "TaxBaseItem",
    "UforeVedtak",
    "World",
    "generate_world",
    "settled_year",
]
