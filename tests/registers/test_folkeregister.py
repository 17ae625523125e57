"""Folkeregisteret: persons, shielding, vergemål, and the event feed of deaths and guardianship changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from opendsop.contracts.registers.errors import InvalidIdentifierInput, NotFound
from opendsop.contracts.registers.facts import kjennelsesdato, person_facts, to_guardianship
from opendsop.contracts.registers.models import (
    Endringstype,
    Hendelsestype,
    KonkursType,
    Konkursvarsel,
    PersonStatus,
    Verge,
    Vergemaal,
)
from opendsop.registers.app import Stores
from opendsop.standard.request import REPRESENTASJON_DAGLIGBANK, Guardianship
from tests.registers.sample import CONFIDENTIAL, GUARDIAN, GUARDIANSHIP, HIDDEN, KARI, OLA, PERSONS

pytestmark = pytest.mark.anyio


async def test_deaths_and_guardianship_changes_form_one_ordered_feed(stores: Stores) -> None:
    fr = stores.folkeregister
    assert await fr.load_persons(PERSONS) == len(PERSONS)
    assert (await fr.events_after(0, 10)).hendelser == ()  # seeding emits nothing
    created = await fr.put_guardianship(GUARDIANSHIP)
    death = await fr.record_death(OLA, date(2026, 11, 1))
    ended = await fr.end_guardianship(GUARDIANSHIP.id, date(2026, 11, 20))

    page = await fr.events_after(0, 2)
    assert [(e.hendelsestype, e.endringstype) for e in page.hendelser] == [
        (Hendelsestype.VERGEMAAL, Endringstype.OPPRETTET),
        (Hendelsestype.DOEDSFALL, Endringstype.OPPRETTET),
    ]
    assert page.flere and page.neste == death.sekvensnummer
    rest = await fr.events_after(page.neste, 2)
    assert rest.hendelser == (ended,) and not rest.flere
    assert (await fr.events_after(rest.neste, 2)).hendelser == ()
    assert created.vergemaalId == GUARDIANSHIP.id and created.identifikasjonsnummer == KARI
    assert death.doedsdato == date(2026, 11, 1)

    person = await fr.person(OLA)
    assert person is not None and person.status is PersonStatus.DOED and person.doedsdato == date(2026, 11, 1)
    [stored] = await fr.guardianships(KARI)
    assert stored.gyldigTilOgMed == date(2026, 11, 20)


async def test_changing_a_guardianship_is_an_endret_event(sqlite_stores: Stores) -> None:
    fr = sqlite_stores.folkeregister
    await fr.load_persons(PERSONS)
    await fr.put_guardianship(GUARDIANSHIP)
    changed = await fr.put_guardianship(
        Vergemaal(
            id=GUARDIANSHIP.id, vergehaver=KARI, verge=Verge(identifikasjonsnummer=OLA), gyldigFraOgMed=date(2021, 1, 1)
        )
    )
    assert changed.endringstype is Endringstype.ENDRET


async def test_register_writes_refuse_unknown_people_and_bad_numbers(sqlite_stores: Stores) -> None:
    fr = sqlite_stores.folkeregister
    with pytest.raises(NotFound):
        await fr.record_death(OLA, date(2026, 1, 1))
    with pytest.raises(NotFound):  # the ward must be registered first
        await fr.put_guardianship(GUARDIANSHIP)
    with pytest.raises(InvalidIdentifierInput):
        await fr.load_persons([{"identifikasjonsnummer": "12345678901", "navn": {"fornavn": "A", "etternavn": "B"}}])


def test_a_dead_person_has_a_date_of_death_and_only_then() -> None:
    from opendsop.contracts.registers.models import Navn, Person

    with pytest.raises(ValueError):
        Person(identifikasjonsnummer=OLA, navn=Navn(fornavn="A", etternavn="B"), status=PersonStatus.DOED)
    with pytest.raises(ValueError):
        Person(identifikasjonsnummer=OLA, navn=Navn(fornavn="A", etternavn="B"), doedsdato=date(2020, 1, 1))


# --------------------------------------------------------------------------------------------- HTTP


@pytest.fixture
async def seeded(sqlite_stores: Stores) -> Stores:
    await sqlite_stores.folkeregister.load_persons(PERSONS)
    await sqlite_stores.folkeregister.put_guardianship(GUARDIANSHIP)
    return sqlite_stores


@pytest.mark.parametrize(
    ("who", "grading", "address_served"),
    [
        (OLA, "ugradert", True),
        (CONFIDENTIAL, "fortrolig", False),
        (HIDDEN, "strengtFortrolig", False),
    ],
    ids=["ugradert", "fortrolig", "strengtFortrolig"],
)
async def test_shielded_persons_are_flagged_and_their_address_withheld(
    http: Any, seeded: Stores, token_for: Any, who: str, grading: str, address_served: bool
) -> None:
    response = await http.get(
        f"/folkeregisteret/api/v1/personer/{who}",
        headers={"Authorization": f"Bearer {token_for('folkeregister:read')}"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["adressebeskyttelse"] == grading
    assert (body.get("bostedsadresse") is not None) is address_served
    assert body["navn"]["fornavn"]


async def test_guardianships_and_events_over_http(http: Any, seeded: Stores, token_for: Any) -> None:
    headers = {"Authorization": f"Bearer {token_for('folkeregister:read')}"}
    response = await http.get(f"/folkeregisteret/api/v1/personer/{KARI}/vergemaal", headers=headers)
    assert response.status_code == 200
    [item] = response.json()
    assert item["verge"]["identifikasjonsnummer"] == GUARDIAN
    assert item["tjenesteoppgaver"] == [REPRESENTASJON_DAGLIGBANK]
    events = (await http.get("/folkeregisteret/api/v1/hendelser", params={"etter": 0}, headers=headers)).json()
    assert [e["hendelsestype"] for e in events["hendelser"]] == ["vergemaalEllerFremtidsfullmakt"]
    bad = await http.get("/folkeregisteret/api/v1/hendelser", params={"etter": "-1"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_cursor"


@pytest.mark.parametrize(
    ("number", "status", "error"),
    [
        ("12345678901", 400, "invalid_identifier"),
        ("1234", 400, "invalid_identifier"),
        ("0101ABC0101", 400, "invalid_identifier"),
    ],
    ids=["bad checksum", "too short", "letters"],
)
async def test_invalid_person_numbers_are_400(http: Any, token_for: Any, number: str, status: int, error: str) -> None:
    response = await http.get(
        f"/folkeregisteret/api/v1/personer/{number}",
        headers={"Authorization": f"Bearer {token_for('folkeregister:read')}"},
    )
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["parameter"] == "fnr"


# ---------------------------------------------------------------------------------------- converter


def test_a_vergemaal_converts_to_the_rules_core_guardianship() -> None:
    assert to_guardianship(GUARDIANSHIP) == Guardianship(
        ward=KARI,
        guardian=GUARDIAN,
        valid_from=date(2020, 5, 1),
        valid_to=None,
        tasks=frozenset({REPRESENTASJON_DAGLIGBANK}),
    )


def test_facts_carry_death_shielding_and_the_standing_kjennelsesdato() -> None:
    dead = PERSONS[3].__class__(
        identifikasjonsnummer=HIDDEN,
        navn=PERSONS[3].navn,
        status=PersonStatus.DOED,
        doedsdato=date(2026, 3, 1),
        adressebeskyttelse=PERSONS[3].adressebeskyttelse,
    )
    facts = person_facts(HIDDEN, dead, [GUARDIANSHIP])
    assert facts.date_of_death == date(2026, 3, 1) and facts.shielded and len(facts.guardianships) == 1


def _notice(kind: KonkursType, day: int, ruling: date) -> Konkursvarsel:
    return Konkursvarsel(
        uuid=f"00000000-0000-4000-8000-0000000000{day:02d}",
        registreringstidspunkt=datetime(2026, 1, day, tzinfo=UTC),
        type=kind,
        debitor="910375237",
        kjennelsesdato=ruling,
    )


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ((KonkursType.AAPNING,), date(2026, 1, 1)),
        ((KonkursType.AAPNING, KonkursType.SLETTING), None),
        ((KonkursType.AAPNING, KonkursType.OPPHEVING), date(2026, 1, 1)),
        ((KonkursType.AAPNING, KonkursType.AVSLUTNING), date(2026, 1, 1)),
        ((KonkursType.AAPNING, KonkursType.SLETTING, KonkursType.AAPNING), date(2026, 1, 3)),
        ((), None),
    ],
    ids=["opened", "annulled by sletting", "oppheving leaves it", "avslutning leaves it", "reopened", "none"],
)
def test_kjennelsesdato_of_the_opening_that_stands(kinds: tuple[KonkursType, ...], expected: date | None) -> None:
    notices = [_notice(kind, day, date(2026, 1, day)) for day, kind in enumerate(kinds, start=1)]
    assert kjennelsesdato(notices) == expected
