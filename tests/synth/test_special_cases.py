"""The special cases the DSOP services depend on occur in every ``tiny`` world, and obey the
rules of DSOP “Data model”: deaths (OED), vergemål (Verge), bankruptcies (Konkurs),
shielded persons (DSOP “Endpoint Accounts V.2.0”), disponents and joint owners (Roles, OnlyPrimaryOwner)."""

from __future__ import annotations

import uuid

import pytest

from opendsop.synth import generate
from opendsop.synth.model import REPRESENTASJON_DAGLIGBANK, AccountPermissionType, AccountStatus
from opendsop.synth.registers import customer_relations, konkursvarsel
from tests.synth.conftest import Materialised


def _owned(tiny: Materialised, party: str) -> list[str]:
    return [r.kontonr for r in tiny.population.roles if r.party_id == party and r.role == "primaryOwner"]


def test_deaths_are_in_the_window_and_stop_the_accounts(tiny: Materialised) -> None:
    population = tiny.population
    assert population.deaths
    persons = {p.person_id: p for p in population.persons}
    for death in population.deaths:
        person = persons[death.person_id]
        assert person.date_of_death == death.date_of_death
        assert population.window.start <= death.date_of_death < population.today
        for kontonr in _owned(tiny, death.person_id):
            assert tiny.accounts[kontonr].status is not AccountStatus.ENABLED
            for tx in tiny.statements[kontonr]:
                assert tx.registered.date() < death.date_of_death


def test_a_guardian_with_representasjon_dagligbank_is_disponent_on_the_wards_account(tiny: Materialised) -> None:
    population = tiny.population
    with_task = [g for g in population.guardianships if REPRESENTASJON_DAGLIGBANK in g.tjenesteoppgaver]
    assert with_task
    for guardianship in with_task:
        assert guardianship.ward_id != guardianship.guardian_id
        owned = set(_owned(tiny, guardianship.ward_id))
        disponent = [
            r
            for r in population.roles
            if r.party_id == guardianship.guardian_id and r.role == "disponent" and r.kontonr in owned
        ]
        assert disponent, "the Verge service needs the guardian's right of disposal over the ward's account"
        assert (
            disponent[0].start_date >= guardianship.valid_from
            or disponent[0].start_date >= tiny.accounts[disponent[0].kontonr].opened
        )
        assert disponent[0].end_date == guardianship.valid_to


def test_bankruptcies_have_a_notice_and_disable_every_account_of_the_debtor(tiny: Materialised) -> None:
    population = tiny.population
    kinds = {b.debtor_kind for b in population.bankruptcies}
    assert kinds == {"organisation", "person"}
    for bankruptcy in population.bankruptcies:
        assert uuid.UUID(bankruptcy.notice_uuid).version == 4
        assert bankruptcy.notice_type == "aapning"
        assert bankruptcy.notice_registered.date() >= bankruptcy.kjennelsesdato
        assert bankruptcy.kjennelsesdato <= population.today
        debtors = [bankruptcy.debtor_id] + ([bankruptcy.linked_orgnr] if bankruptcy.linked_orgnr else [])
        owned = [k for debtor in debtors for k in _owned(tiny, debtor)]
        assert owned
        for kontonr in owned:
            account = tiny.accounts[kontonr]
            if account.closed is None:
                # DSOP “Data model”: accounts blocked because of bankruptcy must use `disabled`
                assert account.status is AccountStatus.DISABLED
                assert account.blocked_from is not None and account.blocked_from <= bankruptcy.kjennelsesdato
            for tx in tiny.statements[kontonr]:
                assert tx.registered.date() < bankruptcy.kjennelsesdato
    notices = list(konkursvarsel(population))
    assert {row[3] for row in notices} == {b.debtor_id for b in population.bankruptcies}


def test_a_personal_bankruptcy_names_the_debtors_enk(tiny: Materialised) -> None:
    companies = {c.orgnr: c for c in tiny.population.companies}
    personal = [b for b in tiny.population.bankruptcies if b.debtor_kind == "person"]
    assert personal
    for bankruptcy in personal:
        enk = companies[bankruptcy.linked_orgnr]
        assert enk.org_form == "ENK" and enk.roles[0].role == "innehaver"
        assert enk.roles[0].person_id == bankruptcy.debtor_id


@pytest.mark.parametrize("level", ["fortrolig", "strengtFortrolig"])
def test_shielded_persons_of_both_levels_exist(tiny: Materialised, level: str) -> None:
    shielded = [p for p in tiny.population.persons if p.address_protection == level]
    assert shielded
    households = {p.household_id for p in shielded}
    for person in tiny.population.persons:
        if person.household_id in households:
            assert person.address_protection == level  # the whole household is protected


def test_shielded_persons_addresses_do_not_leak_into_counterparties(tiny: Materialised) -> None:
    shielded = {p.person_id for p in tiny.population.persons if p.address_protection}
    for tx in tiny.transactions:
        if tx.counterparty_id in shielded:
            assert tx.counterparty_address is None


def test_joint_owners_and_disponents_exist(tiny: Materialised) -> None:
    roles = tiny.population.roles
    secondary = [r for r in roles if r.role == "secondaryOwner"]
    assert secondary
    for role in secondary:
        primary = [r for r in roles if r.kontonr == role.kontonr and r.role == "primaryOwner"]
        assert len(primary) == 1 and primary[0].party_id != role.party_id
    assert any(r.role == "disponent" and r.party_kind == "person" for r in roles)
    assert {r.permission for r in roles} >= {
        AccountPermissionType.RIGHT_TO_USE_ALONE,
        AccountPermissionType.RIGHT_TO_USE_WITH_OTHER,
    }


def test_every_account_has_exactly_one_primary_owner(tiny: Materialised) -> None:
    owners: dict[str, int] = {}
    for role in tiny.population.roles:
        if role.role == "primaryOwner":
            owners[role.kontonr] = owners.get(role.kontonr, 0) + 1
            assert role.party_id == tiny.accounts[role.kontonr].owner_id
    assert owners == {a.kontonr: 1 for a in tiny.population.accounts}


def test_companies_have_roles_and_signature_rules(tiny: Materialised) -> None:
    persons = {p.person_id for p in tiny.population.persons}
    employers = [c for c in tiny.population.companies if c.kind == "employer"]
    assert {c.org_form for c in employers} >= {"AS", "ENK"}
    for company in employers:
        kinds = {r.role for r in company.roles}
        assert kinds == {"innehaver"} if company.org_form == "ENK" else {"dagligLeder", "styreleder"} <= kinds
        assert company.signature is not None and set(company.signature.holders) <= persons


def test_closed_accounts_are_deleted_with_an_end_date(tiny: Materialised) -> None:
    closed = [a for a in tiny.population.accounts if a.closed is not None]
    for account in closed:
        assert account.status is AccountStatus.DELETED and account.closed > account.opened


def test_customer_relations_go_to_the_register_of_the_bank() -> None:
    population = generate("tiny", seed=5).population()
    banks = {b.orgnr: b.reports_to for b in population.banks}
    rows = list(customer_relations(population))
    assert {row[0] for row in rows} == {"KAR", "KFR"}
    for row in rows:
        assert row[0] == banks[row[1]]
    assert all(row[0] == "KFR" for row in customer_relations(population, "KFR"))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_every_seed_has_every_account_type_and_special_case(seed: int) -> None:
    from opendsop.synth.model import AccountType

    population = generate("tiny", seed=seed).population()
    assert {a.type for a in population.accounts} == set(AccountType)
    assert population.deaths and population.bankruptcies
    assert any(REPRESENTASJON_DAGLIGBANK in g.tjenesteoppgaver for g in population.guardianships)
    assert {p.address_protection for p in population.persons} >= {"fortrolig", "strengtFortrolig"}
    assert {p.id_kind for p in population.persons} == {"fodselsnummer", "dnummer"}
    assert {r.role for r in population.roles} == {"primaryOwner", "secondaryOwner", "disponent"}
    assert {b.reports_to for b in population.banks} == {"KAR", "KFR"}
