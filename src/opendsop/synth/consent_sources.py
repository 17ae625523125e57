# SPDX-License-Identifier: Apache-2.0
"""What the consent-based data sources serve, drawn for the persons and companies of the synthetic world.

``for_population(population)`` gives every living adult of the world and every company what the
four sources serve (shapes in ``consent_model``), deterministic from the world's seed: each
person's and company's values come from their own random stream (``derive(seed, "consent", id)``),
so they do not change when the world grows or another record is added.

* Skatteetaten SBL: a person with an employer in the world (``employer_of``) has monthly a-ordning
  income from that employer for the last 24 complete months before the world's ``today``; a person
  without one has none (the source answers IM-008, "no income reported").  Tax bases for the two
  latest settled years: the settlement of year Y is out from July of Y+1, and about one person in
  four is a late filer whose latest year is one older.
* Lånekassen Saldo: about half of the adults under 50 have a student loan (0–4 sub-accounts
  ``Lån``, ``Renter``, ``Gebyr``, ``Omkostninger``); everybody else is not a customer (404).
* NAV SSU: about one adult in four has AAP decisions (some invalidated: ``tilDato`` the day
  before ``fraDato``), 14-day meldekort and perhaps an uføretrygd decision.
* Skatteetaten Krav og betalinger: every company has claims with one due date each, payments
  placed on them and sometimes an unplaced payment, under its own name.

``generate_world`` is the stand-alone sample of earlier versions (its own persons and organisations),
kept for the sources' unit tests, which need a small world with chosen sizes.

Nothing here reads the clock: ``today`` is the world's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from random import Random
from typing import TYPE_CHECKING, TypeVar

from opendsop.standard.identifiers import (
    generate_fodselsnummer,
    generate_kontonr,
    generate_orgnr,
    known_bank_codes,
)
from opendsop.synth._context import derive
from opendsop.synth.consent_model import (
    KRAV_TYPES,
    LOAN_ACCOUNTS,
    TAX_BASE_FIELDS,
    AapVedtak,
    Income,
    Innbetaling,
    Krav,
    LoanAccount,
    Meldekort,
    MonthlyReport,
    Organisation,
    Person,
    Placement,
    SourceData,
    TaxBase,
    TaxBaseItem,
    UforeVedtak,
)

if TYPE_CHECKING:
    from opendsop.synth.world import Population

_Value = TypeVar("_Value")
ADULT_AGE = 18
STUDENT_LOAN_AGE_LIMIT = 50


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
        items = tuple(TaxBaseItem(name, _money(rng, 1_000, 900_000)) for name in TAX_BASE_FIELDS if rng.random() < 0.85)
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
    vedtak = [
        AapVedtak(f"AAP-{serial}-1", start, start + timedelta(days=364), "O", "AVSLU"),
        AapVedtak(
            f"AAP-{serial}-2",
            start + timedelta(days=365),
            min(start + timedelta(days=729), today + timedelta(days=365)),
            "E",
            "IVERK",
        ),
    ]
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


def _organisation(rng: Random, today: date, orgnr: str, serial: int, name: str | None = None) -> Organisation:
    bank = rng.choice(known_bank_codes())
    skatt_konto = generate_kontonr(rng, bank)
    own_konto = generate_kontonr(rng, bank)
    name = name or f"SYNTETISK FORETAK {serial} ENK"
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
            payment = Innbetaling(
                f"inn-{serial}-{index}", min(forfall, today), paid, Decimal(0), skatt_konto, own_konto, name
            )
            innbetalinger.append(payment)
            placements = (Placement(payment.innbetaling_id, -paid, payment.dato),)
        remaining = beloep - paid
        overdue = remaining and forfall < today
        renter = (remaining * Decimal("0.02")).quantize(Decimal("0.01")) if overdue else Decimal(0)
        krav.append(
            Krav(
                f"krav-{serial}-{index}",
                kravtype,
                beskrivelse,
                gruppe,
                opprettet,
                forfall,
                beloep,
                remaining,
                renter,
                f"forfall-{serial}-{index}",
                skatt_konto,
                placements,
            )
        )
    if rng.random() < 0.5:  # an unplaced payment (paid before the claim it is meant for exists)
        amount = _money(rng, 100, 5_000)
        innbetalinger.append(
            Innbetaling(
                f"inn-{serial}-u",
                today - timedelta(days=rng.randint(1, 60)),
                amount,
                amount,
                skatt_konto,
                own_konto,
                name,
            )
        )
    return Organisation(
        orgnr, name, tuple(sorted(krav, key=lambda k: k.opprettet)), tuple(sorted(innbetalinger, key=lambda i: i.dato))
    )


def generate_world(seed: int, *, today: date, persons: int = 12, organisations: int = 4) -> SourceData:
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
        people[fnr] = Person(
            fnr,
            latest,
            _income(rng, today, rng.choice(employers)),
            _tax_bases(rng, latest),
            _loan(rng, today),
            aap,
            meldekort,
            ufore,
        )
    orgs: dict[str, Organisation] = {}
    while len(orgs) < organisations:
        orgnr = generate_orgnr(rng)
        if orgnr not in orgs and orgnr not in employers:
            orgs[orgnr] = _organisation(rng, today, orgnr, len(orgs) + 1)
    return SourceData(seed, today, people, orgs)


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _person(seed: int, person_id: str, birth: date, today: date, employer: str | None, serial: int) -> Person:
    rng = derive(seed, "consent", person_id)
    base_year = settled_year(today)
    latest = base_year - 1 if rng.random() < 0.25 else base_year
    income = _income(rng, today, employer) if employer else ()
    loan = _loan(rng, today) if _age(birth, today) < STUDENT_LOAN_AGE_LIMIT and rng.random() < 0.6 else None
    aap, meldekort, ufore = _nav(rng, today, serial)
    return Person(person_id, latest, income, _tax_bases(rng, latest), loan, aap, meldekort, ufore)


class _Made(Mapping[str, _Value]):
    """A mapping whose values are made on first access (and kept): a person's data costs only when asked for."""

    def __init__(self, recipes: dict[str, Callable[[], _Value]]) -> None:
        self._recipes = recipes
        self._made: dict[str, _Value] = {}

    def __getitem__(self, key: str) -> _Value:
        if key not in self._made:
            self._made[key] = self._recipes[key]()
        return self._made[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._recipes)

    def __len__(self) -> int:
        return len(self._recipes)


def for_population(population: Population) -> SourceData:
    """What the sources serve for the living adults and the companies of one shard of the world."""
    today, seed = population.today, population.seed
    persons: dict[str, Callable[[], Person]] = {}
    for person in population.persons:
        if (
            person.invalid_reason is not None
            or not person.is_alive_on(today)
            or _age(person.birth_date, today) < ADULT_AGE
        ):
            continue
        persons[person.person_id] = partial(
            _person,
            seed,
            person.person_id,
            person.birth_date,
            today,
            population.employer_of.get(person.person_id),
            len(persons) + 1,
        )
    organisations: dict[str, Callable[[], Organisation]] = {}
    for company in population.companies:
        if company.invalid_reason is None:
            organisations[company.orgnr] = partial(
                _company, seed, today, company.orgnr, len(organisations) + 1, company.name
            )
    return SourceData(seed, today, _Made(persons), _Made(organisations))


def _company(seed: int, today: date, orgnr: str, serial: int, name: str) -> Organisation:
    return _organisation(derive(seed, "consent", orgnr), today, orgnr, serial, name)


__all__ = ["ADULT_AGE", "for_population", "generate_world", "settled_year"]
