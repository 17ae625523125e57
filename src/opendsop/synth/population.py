# SPDX-License-Identifier: Apache-2.0
"""People and organisations of one shard: FREG persons in households, Brreg companies with roles.

Decides:

* **Persons** carry Tenor-style synthetic numbers (month + 80): a fødselsnummer, or for about
  4 % of adults a D-number (day + 40), from ``generate_fodselsnummer`` / ``generate_dnummer`` with
  ``synthetic=True``, so no number can be a real person's (Skatteetaten's Tenor test data convention, as TT02 uses).
* **Households**: couples with or without children, single adults, single parents; children are
  under 18 and share the household's address and family name.
* **Register events** inside the history window: deaths (elderly first), address protection
  (``fortrolig`` / ``strengtFortrolig`` for a whole household), vergemål for adults with the
  ``representasjonDagligbank`` task in most cases, and bankruptcies of an AS and of a person
  with an ENK, each with a Konkursvarsel ``aapning`` notice.  Every special case occurs at least
  once per shard, so ``tiny`` has them all.
* **Companies**: employers (AS, ENK, ASA, DA, ANS, SA, NUF) with daglig leder, styreleder and
  styremedlemmer (an ENK has its innehaver) and a signature / prokura rule; merchants, which
  appear only as counterparties of card purchases and bills.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from random import Random

import msgspec

from opendsop.standard.identifiers import generate_dnummer, generate_fodselsnummer, generate_orgnr
from opendsop.synth._context import Pools, Used, Window
from opendsop.synth.model import (
    OTHER_TJENESTEOPPGAVER,
    REPRESENTASJON_DAGLIGBANK,
    Address,
    Bankruptcy,
    Company,
    CompanyRole,
    Death,
    Guardianship,
    Household,
    OrgForm,
    Person,
    SignatureRule,
)

MERCHANT_CATEGORIES: tuple[tuple[str, str, float], ...] = (
    # (category, name pattern, share of card purchases)
    ("groceries", "{} Dagligvare", 0.45),
    ("fuel", "{} Bensin og Service", 0.08),
    ("restaurant", "Kafé {}", 0.12),
    ("pharmacy", "{} Apotek", 0.04),
    ("clothing", "{} Klær", 0.07),
    ("electronics", "{} Elektro", 0.04),
    ("transport", "{} Kollektiv", 0.08),
    ("online", "{} Nettbutikk", 0.12),
)
UTILITY_NAMES = ("Kraft", "Mobil", "Forsikring", "Bredbånd")
_EMPLOYER_FORMS: tuple[tuple[OrgForm, float], ...] = (
    ("AS", 0.58),
    ("ENK", 0.25),
    ("ASA", 0.01),
    ("DA", 0.03),
    ("ANS", 0.03),
    ("SA", 0.04),
    ("NUF", 0.06),
)
_TRADES = ("Bygg", "Regnskap", "Transport", "Eiendom", "Rørlegger", "Frisør", "Data", "Consulting", "Maskin")


@dataclass(slots=True)
class People:
    """The persons and organisations of one shard, and the facts the accounts depend on."""

    persons: list[Person] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    companies: list[Company] = field(default_factory=list)  # employers first, then merchants
    employers: list[Company] = field(default_factory=list)
    merchants: list[Company] = field(default_factory=list)
    employer_of: dict[str, str] = field(default_factory=dict)  # person id → employer orgnr
    deaths: list[Death] = field(default_factory=list)
    guardianships: list[Guardianship] = field(default_factory=list)
    bankruptcies: list[Bankruptcy] = field(default_factory=list)
    by_id: dict[str, Person] = field(default_factory=dict)


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _birth_date(rng: Random, today: date, low: int, high: int) -> date:
    """A birth date for someone aged ``low``..``high`` on ``today``."""
    return today - timedelta(days=rng.randint(low * 365 + 1, high * 365 + 364))


def _person_id(rng: Random, used: Used, birth: date, female: bool, dnummer: bool) -> str:
    make = generate_dnummer if dnummer else generate_fodselsnummer
    while True:
        value = make(rng, birth, synthetic=True, female=female)
        if value not in used.person_ids:
            used.person_ids.add(value)
            return value


def new_orgnr(rng: Random, used: Used) -> str:
    while True:
        value = generate_orgnr(rng, synthetic=True)
        if value not in used.orgnrs:
            used.orgnrs.add(value)
            return value


def _random_day(rng: Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


class _PeopleBuilder:
    def __init__(self, rng: Random, pools: Pools, used: Used, window: Window, household_base: int) -> None:
        self.rng, self.pools, self.used, self.window = rng, pools, used, window
        self.next_household = household_base
        self.need_dnummer = True
        self.out = People()

    def person(self, *, family_name: str, address: Address, household: int, low: int, high: int) -> Person:
        rng = self.rng
        female = rng.random() < 0.5
        birth = _birth_date(rng, self.window.today, low, high)
        dnummer = low >= 18 and (rng.random() < 0.04 or self.need_dnummer)
        self.need_dnummer = self.need_dnummer and not dnummer  # every shard has at least one
        given = rng.choice(self.pools.female_names if female else self.pools.male_names)
        person = Person(
            person_id=_person_id(rng, self.used, birth, female, dnummer),
            id_kind="dnummer" if dnummer else "fodselsnummer",
            given_name=given,
            family_name=family_name,
            birth_date=birth,
            female=female,
            address=address,
            household_id=household,
        )
        self.out.persons.append(person)
        return person

    def households(self, count: int) -> None:
        rng = self.rng
        while len(self.out.persons) < count:
            room = count - len(self.out.persons)
            kind = rng.random()
            adults = 2 if kind < 0.6 and room >= 2 else 1
            children = rng.choice((0, 1, 2, 2, 3)) if (kind < 0.4 or kind > 0.9) else 0
            children = min(children, room - adults)
            family = rng.choice(self.pools.family_names)
            address = self.pools.address(rng)
            household = self.next_household
            self.next_household += 1
            low, high = (25, 55) if children else (18, 92)
            grown = [
                self.person(family_name=family, address=address, household=household, low=low, high=high)
                for _ in range(adults)
            ]
            kids = [
                self.person(family_name=family, address=address, household=household, low=0, high=17)
                for _ in range(children)
            ]
            self.out.households.append(
                Household(
                    household_id=household,
                    adults=tuple(p.person_id for p in grown),
                    children=tuple(p.person_id for p in kids),
                    address=address,
                )
            )


def _replace_person(people: People, index: int, **changes: object) -> Person:
    person = msgspec.structs.replace(people.persons[index], **changes)
    people.persons[index] = person
    return person


def _register_events(rng: Random, people: People, window: Window) -> None:
    """Deaths, address protection and vergemål, each at least once."""
    adults = [i for i, p in enumerate(people.persons) if _age(p.birth_date, window.today) >= 18]
    elderly = [i for i in adults if _age(people.persons[i].birth_date, window.today) >= 70] or adults
    _deaths(rng, people, window, elderly)
    _protection(rng, people)
    _guardianships(rng, people, window, adults, set(elderly))
    for person in people.persons:
        people.by_id[person.person_id] = person


def _deaths(rng: Random, people: People, window: Window, elderly: list[int]) -> None:
    """~4 % of the elderly per year of history die inside the window, and at least one."""
    today, start = window.today, window.start
    years = max((today - start).days / 365, 0.1)
    dead = {i for i in elderly if rng.random() < 0.04 * years} or {rng.choice(elderly)}
    for i in sorted(dead):
        day = _random_day(rng, start, today - timedelta(days=1))
        person = _replace_person(people, i, date_of_death=day)
        people.deaths.append(Death(person_id=person.person_id, date_of_death=day))


def _protection(rng: Random, people: People) -> None:
    """Address protection for whole households: ~0.4 %, at least one of each level."""
    protected: dict[int, str] = {}
    for household in people.households:
        draw = rng.random()
        if draw < 0.001:
            protected[household.household_id] = "strengtFortrolig"
        elif draw < 0.004:
            protected[household.household_id] = "fortrolig"
    for level in ("fortrolig", "strengtFortrolig"):
        if level not in protected.values():
            free = [h.household_id for h in people.households if h.household_id not in protected]
            if free:
                protected[rng.choice(free)] = level
    for i, person in enumerate(people.persons):
        if person.household_id in protected:
            _replace_person(people, i, address_protection=protected[person.household_id])


def _guardianships(rng: Random, people: People, window: Window, adults: list[int], is_elderly: set[int]) -> None:
    """Vergemål for ~1.5 % of adults (more among the elderly); the guardian is another living adult."""
    today, start = window.today, window.start
    living = [i for i in adults if people.persons[i].date_of_death is None]
    wards = [i for i in living if rng.random() < (0.05 if i in is_elderly else 0.01)]
    if not wards and len(living) >= 2:
        wards = [rng.choice(living)]
    for n, i in enumerate(wards):
        ward = people.persons[i]
        j = i
        while j == i:  # any other living adult
            j = rng.choice(living)
        guardian = people.persons[j]
        tasks = [REPRESENTASJON_DAGLIGBANK] if n == 0 or rng.random() < 0.85 else []
        tasks += [task for task in OTHER_TJENESTEOPPGAVER if rng.random() < 0.4]
        if not tasks:
            tasks = [OTHER_TJENESTEOPPGAVER[0]]
        valid_from = today - timedelta(days=rng.randint(30, 3000))
        valid_to = _random_day(rng, start, today - timedelta(days=1)) if n and rng.random() < 0.15 else None
        people.guardianships.append(
            Guardianship(
                ward_id=ward.person_id,
                guardian_id=guardian.person_id,
                guardian_name=guardian.name,
                tjenesteoppgaver=tuple(tasks),
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )


def _roles(
    rng: Random, form: OrgForm, staff: list[Person], founded: date
) -> tuple[tuple[CompanyRole, ...], SignatureRule | None, SignatureRule | None]:
    if form == "ENK":
        owner = staff[0].person_id
        return (
            (CompanyRole(role="innehaver", person_id=owner, start_date=founded),),
            SignatureRule(kind="alene", holders=(owner,)),
            None,
        )
    leader, chair, *members = staff
    roles = [
        CompanyRole(role="dagligLeder", person_id=leader.person_id, start_date=founded),
        CompanyRole(role="styreleder", person_id=chair.person_id, start_date=founded),
    ]
    roles += [CompanyRole(role="styremedlem", person_id=m.person_id, start_date=founded) for m in members]
    board = (chair.person_id, *(m.person_id for m in members))
    draw = rng.random()
    if draw < 0.4:
        signature = SignatureRule(kind="alene", holders=(leader.person_id,))
    elif draw < 0.7 and members:
        signature = SignatureRule(kind="iFellesskap", holders=(chair.person_id, members[0].person_id))
    else:
        signature = SignatureRule(kind="styret", holders=board)
    prokura = None
    if rng.random() < 0.3:
        holders = (leader.person_id,) if not members else (leader.person_id, members[-1].person_id)
        prokura = SignatureRule(kind="alene" if rng.random() < 0.6 else "iFellesskap", holders=holders)
    return tuple(roles), signature, prokura


def _companies(rng: Random, pools: Pools, used: Used, window: Window, people: People) -> None:
    today = window.today
    adults = [p for p in people.persons if 20 <= _age(p.birth_date, today) <= 75 and p.date_of_death is None]
    count = max(4, len(people.persons) // 8)
    forms = [form for form, _ in _EMPLOYER_FORMS]
    weights = [w for _, w in _EMPLOYER_FORMS]
    for n in range(count):
        # The first two are an AS and an ENK so that both kinds of bankruptcy can happen.
        form: OrgForm = "AS" if n == 0 else "ENK" if n == 1 else rng.choices(forms, weights)[0]
        staff = rng.sample(adults, 1 if form == "ENK" else min(len(adults), rng.randint(2, 5)))
        if form != "ENK" and len(staff) < 2:
            staff = staff * 2
        founded = today - timedelta(days=rng.randint(400, 40 * 365))
        roles, signature, prokura = _roles(rng, form, staff, founded)
        if form == "ENK":
            name = f"{staff[0].name} {rng.choice(_TRADES)}"
        else:
            name = f"{rng.choice(pools.family_names)} {rng.choice(_TRADES)} {form}"
        company = Company(
            orgnr=new_orgnr(rng, used),
            name=name[:140],
            org_form=form,
            kind="employer",
            address=pools.address(rng),
            founded=founded,
            roles=roles,
            signature=signature,
            prokura=prokura,
        )
        people.employers.append(company)
    merchant_count = max(len(MERCHANT_CATEGORIES) + len(UTILITY_NAMES), len(people.persons) // 60)
    categories = [c for c, _, _ in MERCHANT_CATEGORIES] + [f"utility:{u}" for u in UTILITY_NAMES]
    for n in range(merchant_count):
        category = (
            categories[n]
            if n < len(categories)
            else rng.choices([c for c, _, _ in MERCHANT_CATEGORIES], [w for _, _, w in MERCHANT_CATEGORIES])[0]
        )
        pattern = dict((c, p) for c, p, _ in MERCHANT_CATEGORIES).get(category, "{} " + category.partition(":")[2])
        address = pools.address(rng, country=rng.choice(("SE", "DK", "DE")) if category == "online" else "NO")
        company = Company(
            orgnr=new_orgnr(rng, used),
            name=pattern.format(rng.choice(pools.family_names)),
            org_form="AS",
            kind="merchant",
            address=address,
            founded=today - timedelta(days=rng.randint(400, 30 * 365)),
            roles=(),
            signature=None,
            merchant_category=category,
        )
        people.merchants.append(company)
    people.companies = people.employers + people.merchants
    # Employment: ~78 % of 20–66-year-olds, skewed towards the larger employers.
    cum_weights = list(accumulate(1 / (k + 1) ** 0.8 for k in range(len(people.employers))))
    for person in people.persons:
        if 20 <= _age(person.birth_date, today) <= 66 and rng.random() < 0.78:
            people.employer_of[person.person_id] = rng.choices(people.employers, cum_weights=cum_weights)[0].orgnr


def _bankruptcies(rng: Random, window: Window, people: People) -> None:
    """An AS and a person with an ENK, plus ~1 % of the other employers per year of history."""
    today, start = window.today, window.start
    years = max((today - start).days / 365, 0.1)
    chosen = [people.employers[0], people.employers[1]]
    chosen += [c for c in people.employers[2:] if c.org_form in ("AS", "ENK") and rng.random() < 0.01 * years]
    latest = today - timedelta(days=7)
    for company in chosen:
        kjennelsesdato = _random_day(rng, start + (latest - start) // 3, latest)
        registered = datetime.combine(
            kjennelsesdato + timedelta(days=rng.randint(0, 2)),
            time(rng.randint(7, 14), rng.randint(0, 59), rng.randint(0, 59)),
            tzinfo=UTC,
        )
        notice = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if company.org_form == "ENK":
            owner = people.by_id[company.roles[0].person_id]
            people.bankruptcies.append(
                Bankruptcy(
                    debtor_id=owner.person_id,
                    debtor_kind="person",
                    debtor_name=owner.name,
                    kjennelsesdato=kjennelsesdato,
                    notice_uuid=notice,
                    notice_type="aapning",
                    notice_registered=registered,
                    linked_orgnr=company.orgnr,
                )
            )
        else:
            people.bankruptcies.append(
                Bankruptcy(
                    debtor_id=company.orgnr,
                    debtor_kind="organisation",
                    debtor_name=company.name,
                    kjennelsesdato=kjennelsesdato,
                    notice_uuid=notice,
                    notice_type="aapning",
                    notice_registered=registered,
                )
            )


def build_people(rng: Random, pools: Pools, used: Used, window: Window, *, count: int, household_base: int) -> People:
    builder = _PeopleBuilder(rng, pools, used, window, household_base)
    builder.households(count)
    people = builder.out
    _register_events(rng, people, window)
    _companies(rng, pools, used, window, people)
    _bankruptcies(rng, window, people)
    return people


__all__ = ["MERCHANT_CATEGORIES", "UTILITY_NAMES", "People", "build_people", "new_orgnr"]
