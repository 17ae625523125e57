"""Each workflow end to end: facts from the register twins, step 1 from the relations twin, step 2 against
the real seeded bank with tokens from the real authority (DSOP “Architecture document”; the DSOP services'
“Løsningsbeskrivelse” pages).
"""

from __future__ import annotations

import pytest

from opendsop.consumer.fanout import BankResult, Outcome
from opendsop.consumer.workflows import CasePlan, Found, find_banks, flags, run_case, with_servicer
from opendsop.consumer.workflows.konkurs import kjennelsesdato, plan_konkurs
from opendsop.consumer.workflows.nav import plan_nav
from opendsop.consumer.workflows.oed import date_of_death, plan_oed
from opendsop.consumer.workflows.politi import plan_politi
from opendsop.consumer.workflows.skatt import plan_skatt
from opendsop.consumer.workflows.verge import plan_verge
from opendsop.contracts.registers.facts import to_guardianship
from opendsop.standard.endpoints import Endpoint
from tests.consumer.workflows.orders import signed_order
from tests.consumer.workflows.world import NO_API_BANK, World
from tests.provider import bank as seed

pytestmark = pytest.mark.anyio


async def execute(world: World, consumer: seed.Consumer, plan: CasePlan) -> tuple[Found, list[BankResult]]:
    found = await find_banks(plan, world.relations, world.directory)
    results = [result async for result in run_case(plan, world.fanout(consumer), found.banks)]
    return found, results


def numbers(result: BankResult) -> set[str]:
    return {account.account_identifier for account in result.accounts}


async def test_konkurs_from_the_ruling_in_the_register(world: World) -> None:
    ruling = await kjennelsesdato(seed.FIRMA, world.konkurs)
    assert ruling == seed.RULING
    plan = plan_konkurs(seed.FIRMA, kjennelsesdato=ruling, today=seed.TODAY)
    found, [result] = await execute(world, seed.KONKURS, plan)
    assert [bank.org_no for bank in found.banks] == [seed.BANK_ORGNO]
    assert result.outcome is Outcome.OK, result.reason
    assert numbers(result) == {seed.NUMBERS[seed.BUSINESS]}
    assert set(result.accounts[0].answers) == {Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS}
    assert world.relations.asked == [("customerRelationships", "konkurs")]


async def test_oed_from_the_date_of_death_in_folkeregisteret(world: World) -> None:
    death = await date_of_death(seed.DAG, world.folkeregister)
    plan = plan_oed(seed.DAG, date_of_death=death, today=seed.TODAY)
    _, [result] = await execute(world, seed.OED, plan)
    assert result.outcome is Outcome.OK, result.reason
    assert numbers(result) == {seed.NUMBERS[seed.ESTATE]}
    transactions = result.accounts[0].answers[Endpoint.TRANSACTIONS].value
    assert sorted(t.transaction_identifier for t in transactions) == ["e-0", "e-1"]


async def test_verge_one_guardianship_of_the_batch_with_roles_and_no_flags(world: World) -> None:
    registered = [to_guardianship(g) for g in await world.folkeregister.guardianships(seed.WARD)]
    plan = plan_verge(seed.WARD, seed.GUARDIAN, today=seed.TODAY, year=2025, guardianships=registered)
    _, [result] = await execute(world, seed.VERGE, plan)
    assert result.outcome is Outcome.OK, result.reason
    assert seed.NUMBERS[seed.WARD_MAIN] in numbers(result)
    assert all(Endpoint.ROLES in account.answers for account in result.accounts)
    # the seeded debits go to a shop, not to the guardian; every statement came
    assert flags([result], guardian=seed.GUARDIAN, guardian_accounts=["98760000001"]) == []


async def test_politi_asks_only_the_bank_servicing_the_account(world: World) -> None:
    plan = plan_politi(signed_order(world.pki), party_id=seed.ANNE, requester_id="etterforsker-9", now=seed.NOW)
    plan = await with_servicer(plan, seed.NUMBERS[seed.SALARY], world.relations)
    found, [result] = await execute(world, seed.POLITI, plan)
    assert world.relations.asked == [("accountServicingProvider", "politi_straffesak")]
    assert [bank.org_no for bank in found.banks] == [seed.BANK_ORGNO] and found.without_api == []
    assert result.outcome is Outcome.OK, result.reason
    assert numbers(result) == {seed.NUMBERS[seed.SALARY], seed.NUMBERS[seed.SAVINGS]}
    assert all(set(account.answers) == {Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS} for account in result.accounts)


async def test_skatt_reports_a_bank_without_api_for_a_digital_letter(world: World) -> None:
    plan = plan_skatt(seed.ANNE, requester_id="saksbehandler-17", today=seed.TODAY)
    found, [result] = await execute(world, seed.SKATT, plan)
    assert found.without_api == [NO_API_BANK]
    assert result.outcome is Outcome.OK, result.reason
    salary = next(a for a in result.accounts if a.account_identifier == seed.NUMBERS[seed.SALARY])
    assert set(salary.answers) == {Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS, Endpoint.CARDS, Endpoint.ROLES}
    assert {row.record.requester_id for row in await world.audit.records()} == {"saksbehandler-17"}


async def test_nav_all_five_endpoints(world: World) -> None:
    plan = plan_nav(seed.ANNE, today=seed.TODAY, from_date=seed.TODAY.replace(year=2025, month=1, day=1))
    _, [result] = await execute(world, seed.NAV, plan)
    assert result.outcome is Outcome.OK, result.reason
    assert numbers(result) == {seed.NUMBERS[seed.SALARY], seed.NUMBERS[seed.SAVINGS]}
