# SPDX-License-Identifier: Apache-2.0
"""The synthetic world's a-ordning: employments, monthly income with lønnsarter, leave, and the pension
provider each employer names in its a-melding (what Ajourhold av OTP reads).

Deterministic from the world's seed: each employer's a-meldinger come from its own stream
(``derive(seed, "aordning", orgnr)``), and are made only when asked for, so a world of 10,000 persons
costs nothing until a pension institution asks about an employer.

**Decided** (the real a-ordning is larger): an employer names one of ``INSTITUTIONS`` as its pension
provider from a start month on (one employer in five switched provider once); its employees are the
world's persons it employs (``employer_of``), one in ten of them hired in the last months, one in ten left
in the last year with one of the six sluttårsak codes; some have had a changed position percentage,
a leave (permisjon) or a lay-off (permittering); hourly workers report hours (``timerMedTimeloenn``).
Every month from the start of the employment to the last filed month (the month before ``today``) has
an income report with the lønnsarter of ``consent_model.INCOME_CODES`` (its ``otp`` column decides what
the OTP package delivers; one code in the reports is not ``otp``, so the filter shows).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property, partial
from random import Random
from typing import TYPE_CHECKING, Final

from opendsop.standard.identifiers import generate_fodselsnummer
from opendsop.standard.otp import month_of, months, shift
from opendsop.standard.values import Month
from opendsop.synth._context import derive
from opendsop.synth.consent_model import Income, MonthlyReport
from opendsop.synth.consent_sources import _Made  # made on first access and kept, as the consent sources' data

if TYPE_CHECKING:
    from opendsop.synth.world import Population

# (orgnr, name) of the synthetic pension institutions (valid org numbers, outside the world's series).
INSTITUTIONS: Final = (
    ("910001000", "Syntetisk Pensjon AS"),
    ("910002007", "Fjordpensjon Livsforsikring AS"),
    ("910003003", "Nordlys Tjenestepensjon AS"),
)
SLUTTAARSAKER: Final = (
    "arbeidsforholdetSkulleAldriVaertRapportert",
    "arbeidsgiverHarSagtOppArbeidstaker",
    "arbeidstakerHarSagtOppSelv",
    "byttetLoenssystemEllerRegnskapsfoerer",
    "endringIOrganisasjonsstrukturEllerByttetJobbInternt",
    "kontraktEngasjementEllerVikariatErUtloept",
)
PERMISJON_TYPES: Final = (
    "permisjonMedForeldrepenger",
    "utdanningspermisjonLovfestet",
    "utdanningspermisjonIkkeLovfestet",
    "velferdspermisjon",
    "annenPermisjonLovfestet",
)
FIRST_REPORTED: Final = Month(2019, 1)


@dataclass(frozen=True, slots=True)
class Detail:
    """One ``ansettelsesdetaljer`` entry: the terms from ``first`` to ``last`` (None: still)."""

    first: Month
    last: Month | None
    percent: Decimal  # avtaltStillingsprosent
    hours_per_week: Decimal
    form: str  # ansettelsesform: fast | midlertidig
    arbeidstidsordning: str = "ikkeSkift"
    kind: str = "Ordinaer"


@dataclass(frozen=True, slots=True)
class Leave:
    """A permisjon or permittering (the FAQ: treat permitteringer as permisjoner)."""

    id: str
    kind: str
    start: date
    end: date | None
    percent: Decimal


@dataclass(frozen=True, slots=True)
class Employment:
    id: str  # navArbeidsforholdId
    person: str
    employer: str  # opplysningspliktig
    unit: str  # virksomhet
    kind: str  # ordinaertArbeidsforhold | maritimtArbeidsforhold | forenkletOppgjoersordning
    start: date
    end: date | None
    sluttaarsak: str | None
    details: tuple[Detail, ...]
    permisjoner: tuple[Leave, ...] = ()
    permitteringer: tuple[Leave, ...] = ()
    hours: tuple[tuple[Month, Decimal], ...] = ()  # timerMedTimeloenn per month
    id_history: tuple[str, ...] = ()

    def active_in(self, month: Month) -> bool:
        return self.start <= month.last_day and (self.end is None or self.end >= month.first_day)

    def detail_in(self, month: Month) -> Detail | None:
        return next((d for d in self.details if d.first <= month and (d.last is None or month <= d.last)), None)


@dataclass(frozen=True)  # no slots: the per-person index is a cached property
class Employer:
    orgnr: str
    name: str
    providers: Mapping[Month, str]  # the pension provider named in each a-melding
    employments: tuple[Employment, ...]
    income: Mapping[str, tuple[MonthlyReport, ...]]  # person → this employer's income reports

    def reported(self, month: Month) -> tuple[str, ...]:
        """The persons this employer's a-melding for ``month`` names (any content counts)."""
        return tuple(e.person for e in self.employments if month in self.providers and e.active_in(month))

    def employments_of(self, person: str) -> tuple[Employment, ...]:
        """The person's employments with this employer."""
        return self._by_person.get(person, ())

    @cached_property
    def _by_person(self) -> dict[str, tuple[Employment, ...]]:  # an index made on first use (kept per instance)
        found: dict[str, list[Employment]] = {}
        for employment in self.employments:
            found.setdefault(employment.person, []).append(employment)
        return {person: tuple(employments) for person, employments in found.items()}


@dataclass(frozen=True, slots=True)
class AOrdning:
    """The a-ordning of one world: employers by orgnr (made on first access) and who works where."""

    seed: int
    today: date
    employers: Mapping[str, Employer]
    employers_of: Mapping[str, tuple[str, ...]]  # person → employers
    shielded: frozenset[str] = field(default_factory=frozenset)  # persons with address protection

    @property
    def last_filed(self) -> Month:
        """The newest month with a-meldinger: the one before ``today`` (the deadline is the 5th after it)."""
        return shift(month_of(self.today), -1)


def _money(rng: Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _day_in(rng: Random, month: Month) -> date:
    return month.first_day + timedelta(days=rng.randint(0, 27))


def _providers(rng: Random, last: Month) -> dict[Month, str]:
    start = shift(last, -rng.randint(6, 66))
    start = max(start, FIRST_REPORTED)
    first = rng.choice(INSTITUTIONS)[0]
    switch = shift(start, rng.randint(3, 30)) if rng.random() < 0.2 else None
    second = rng.choice([orgnr for orgnr, _ in INSTITUTIONS if orgnr != first])
    return {m: (second if switch and m >= switch else first) for m in months(start, last)}


def _employment(rng: Random, person: str, employer: str, serial: int, last: Month) -> Employment:
    draw = rng.random()
    if draw < 0.1:  # a new member: hired in the last months
        start = _day_in(rng, shift(last, -rng.randint(0, 4)))
    else:
        start = _day_in(rng, shift(last, -rng.randint(6, 120)))
    end: date | None = None
    reason: str | None = None
    if 0.1 <= draw < 0.2:  # a leaver in the last year
        end_month = max(month_of(start), shift(last, -rng.randint(0, 11)))
        end = max(start, _day_in(rng, end_month))
        reason = rng.choice(SLUTTAARSAKER)
    hourly = rng.random() < 0.08
    percent = Decimal(rng.choice((100, 100, 100, 100, 80, 60, 50))) if not hourly else Decimal(0)
    form = "midlertidig" if reason == "kontraktEngasjementEllerVikariatErUtloept" else "fast"
    details = [Detail(month_of(start), None, percent, (Decimal("37.5") * percent / 100).quantize(Decimal("0.1")), form)]
    if not hourly and rng.random() < 0.1 and month_of(start) < shift(last, -2):  # a changed position percentage
        change = shift(last, -rng.randint(0, 2))
        new = Decimal(rng.choice((100, 80, 60, 40)))
        details = [
            Detail(details[0].first, shift(change, -1), percent, details[0].hours_per_week, form),
            Detail(change, None, new, (Decimal("37.5") * new / 100).quantize(Decimal("0.1")), form),
        ]
    if end is not None:
        details = [
            Detail(d.first, d.last if d.last is not None else month_of(end), d.percent, d.hours_per_week, d.form)
            for d in details
            if d.first <= month_of(end)
        ]
    permisjoner: list[Leave] = []
    permitteringer: list[Leave] = []
    if rng.random() < 0.06:
        begin = max(start, _day_in(rng, shift(last, -rng.randint(0, 10))))
        ends = None if rng.random() < 0.5 else begin + timedelta(days=rng.randint(30, 200))
        permisjoner.append(
            Leave(f"P{serial}-1", rng.choice(PERMISJON_TYPES), begin, ends, Decimal(rng.choice((100, 50))))
        )
    if rng.random() < 0.02:
        begin = max(start, _day_in(rng, shift(last, -rng.randint(0, 8))))
        permitteringer.append(Leave(f"PT{serial}-1", "permittering", begin, begin + timedelta(days=60), Decimal(100)))
    employment_months = [m for m in months(month_of(start), last) if end is None or m <= month_of(end)]
    hours = tuple((m, Decimal(rng.randint(20, 160))) for m in employment_months) if hourly else ()
    kind = "forenkletOppgjoersordning" if hourly and rng.random() < 0.2 else "ordinaertArbeidsforhold"
    history = (f"{employer[-4:]}-{serial:05d}-0",) if rng.random() < 0.05 else ()
    return Employment(
        f"{serial}",
        person,
        employer,
        employer,
        kind,
        start,
        end,
        reason,
        tuple(details),
        tuple(permisjoner),
        tuple(permitteringer),
        hours,
        history,
    )


def _income(rng: Random, employment: Employment, last: Month) -> tuple[MonthlyReport, ...]:
    salary = _money(rng, 32_000, 70_000)
    hourly_rate = _money(rng, 190, 320)
    hours = dict(employment.hours)
    reports = []
    for month in months(month_of(employment.start), last):
        if not employment.active_in(month):
            continue
        detail = employment.detail_in(month)
        if month in hours:
            incomes = [Income("timeloenn", (hourly_rate * hours[month]).quantize(Decimal("0.01")))]
        else:
            percent = detail.percent if detail else Decimal(100)
            incomes = [Income("fastloenn", (salary * percent / 100).quantize(Decimal("0.01")))]
        if rng.random() < 0.25:
            incomes.append(Income("overtidsgodtgjoerelse", _money(rng, 500, 8_000)))
        if month.month == 12 and rng.random() < 0.4:
            incomes.append(Income("bonus", _money(rng, 5_000, 60_000)))
        if rng.random() < 0.5:
            incomes.append(Income("elektroniskKommunikasjon", Decimal("366.00")))
        if month.month == 6:
            incomes.append(Income("trekkILoennForFerie", -(salary * Decimal("0.4")).quantize(Decimal("0.01"))))
        if rng.random() < 0.02:  # not an otp code: the package filter removes it
            incomes.append(Income("ufoerepensjonFraAndreEnnFolketrygden", _money(rng, 2_000, 9_000)))
        reports.append(MonthlyReport(str(month), employment.employer, employment.unit, tuple(incomes)))
    return tuple(reports)


def make_employer(seed: int, today: date, orgnr: str, name: str, persons: tuple[str, ...]) -> Employer:
    """The a-meldinger of employer ``orgnr`` for its ``persons``, the same for the same inputs."""
    rng = derive(seed, "aordning", orgnr)
    last = shift(month_of(today), -1)
    providers = _providers(rng, last)
    employments = []
    income: dict[str, tuple[MonthlyReport, ...]] = {}
    for serial, person in enumerate(persons, start=1):
        person_rng = derive(seed, "aordning", orgnr, person)
        employment = _employment(person_rng, person, orgnr, serial, last)
        employments.append(employment)
        income[person] = _income(person_rng, employment, last)
    return Employer(orgnr, name, providers, tuple(employments), income)


def for_population(population: Population) -> AOrdning:
    """The a-ordning of one shard: every valid employer with the persons it employs."""
    today, seed = population.today, population.seed
    staff: dict[str, list[str]] = {}
    for person, orgnr in population.employer_of.items():
        staff.setdefault(orgnr, []).append(person)
    recipes: dict[str, Callable[[], Employer]] = {}
    for company in population.companies:
        if company.kind == "employer" and company.invalid_reason is None:
            persons = tuple(sorted(staff.get(company.orgnr, ())))
            recipes[company.orgnr] = partial(make_employer, seed, today, company.orgnr, company.name, persons)
    shielded = frozenset(p.person_id for p in population.persons if p.address_protection is not None)
    employers_of = {person: (orgnr,) for person, orgnr in population.employer_of.items() if orgnr in recipes}
    return AOrdning(seed, today, _Made(recipes), employers_of, shielded)


def one_employer(seed: int, today: date, *, employees: int, orgnr: str = "974942003") -> AOrdning:
    """A stand-alone a-ordning of one employer with ``employees`` persons (the benchmark's 10,000)."""
    rng = Random(seed)
    persons: set[str] = set()
    while len(persons) < employees:
        persons.add(generate_fodselsnummer(rng, date(rng.randint(1960, 2003), rng.randint(1, 12), rng.randint(1, 28))))
    staff = tuple(sorted(persons))
    employer = make_employer(seed, today, orgnr, "SYNTETISK STORBEDRIFT AS", staff)
    return AOrdning(seed, today, {orgnr: employer}, {person: (orgnr,) for person in staff})


__all__ = [
    "FIRST_REPORTED",
    "INSTITUTIONS",
    "PERMISJON_TYPES",
    "SLUTTAARSAKER",
    "AOrdning",
    "Detail",
    "Employer",
    "Employment",
    "Leave",
    "for_population",
    "make_employer",
    "one_employer",
]
