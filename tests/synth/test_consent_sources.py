"""What the consent sources serve comes from the world: its persons and companies, the same for the same seed."""

from __future__ import annotations

from opendsop.synth import generate
from opendsop.synth.consent_sources import ADULT_AGE, for_population


def test_the_sources_serve_the_worlds_living_adults_and_companies_the_same_for_the_same_seed() -> None:
    population = generate("tiny", seed=3).population()
    data = for_population(population)
    today = population.today
    adults = {
        p.person_id for p in population.persons if p.is_alive_on(today) and (today.year - p.birth_date.year) > ADULT_AGE
    }
    assert adults <= set(data.persons) <= {p.person_id for p in population.persons}
    assert set(data.organisations) == {c.orgnr for c in population.companies}
    assert {o.name for o in data.organisations.values()} == {c.name for c in population.companies}
    again = for_population(generate("tiny", seed=3).population())
    assert list(again.persons.values()) == list(data.persons.values())
    assert list(again.organisations.values()) == list(data.organisations.values())
    other = for_population(generate("tiny", seed=4).population())
    assert set(other.persons) != set(data.persons)


def test_income_comes_from_the_persons_employer_in_the_world_and_the_unemployed_have_none() -> None:
    population = generate("tiny", seed=3).population()
    data = for_population(population)
    employed = [fnr for fnr in data.persons if fnr in population.employer_of]
    idle = [fnr for fnr in data.persons if fnr not in population.employer_of]
    assert employed and idle
    for fnr in employed:
        assert {report.opplysningspliktig for report in data.persons[fnr].income} == {population.employer_of[fnr]}
        assert max(report.kalendermaaned for report in data.persons[fnr].income) < today_month(population.today)
    assert all(data.persons[fnr].income == () for fnr in idle)


def today_month(day: object) -> str:
    return f"{day:%Y-%m}"
