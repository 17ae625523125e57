"""The case store on SQLite and PostgreSQL: resume after a crash, retention (DSOP “eOppslag”)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import aiohttp
import pytest

from opendsop.consumer.cases import CaseConflict, CaseStore
from opendsop.consumer.fanout import FanOut, Outcome
from opendsop.consumer.protocol import CaseParameters
from opendsop.standard import mandate
from opendsop.standard.endpoints import Endpoint
from tests.consumer.fakebank import Behaviour, serve
from tests.consumer.fanout_helpers import endpoints, keys, make_client

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
PARAMETERS = CaseParameters(
    account_info_request_id="6a0f3c1e-2b4d-4e8f-9a1b-3c5d7e9f1a2b",
    mandate=mandate.KONKURS,
    party_id="910000002",
    from_date=date(2024, 11, 3),
    to_date=date(2026, 1, 15),
)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[CaseStore]:
    opened = CaseStore.from_url(database_url)
    await opened.create_schema()
    yield opened
    await opened.close()


async def open_konkurs_case(store: CaseStore) -> None:
    await store.open_case(
        case_number="KONK-2026-17",
        service="konkurs",
        parameters=PARAMETERS,
        now=NOW,
        retention=timedelta(days=30),
        facts={"kjennelsesdato": date(2025, 11, 3)},
    )


async def test_a_case_keeps_its_parameters_and_facts(store: CaseStore) -> None:
    await open_konkurs_case(store)
    case = await store.get(PARAMETERS.account_info_request_id)
    assert case is not None
    assert case.parameters == PARAMETERS and case.case_number == "KONK-2026-17"
    assert case.facts == {"kjennelsesdato": "2025-11-03"}
    assert case.retain_until == NOW + timedelta(days=30)
    await open_konkurs_case(store)  # the same case again: nothing changes
    with pytest.raises(CaseConflict):
        await store.open_case(
            case_number="OTHER-1", service="konkurs", parameters=PARAMETERS, now=NOW, retention=timedelta(days=30)
        )


async def test_resume_after_a_crash_fetches_only_what_is_missing(store: CaseStore, database_url: str) -> None:
    agency, stranger, _ = keys()
    banks = {
        **{f"ok{index}": Behaviour() for index in range(4)},
        "stuck": Behaviour(fault="timeout"),
        "archive": Behaviour(fault="tx500"),
    }
    await open_konkurs_case(store)
    case_id = PARAMETERS.account_info_request_id
    async with serve(banks, agency, stranger) as world, aiohttp.ClientSession() as session:
        await store.add_banks(case_id, endpoints(world))
        fanout = FanOut(make_client(world, session, timeout=30, attempts=1), recorder=store)
        # the process "crashes" once the fast banks are in; the stuck bank is still in flight
        async with contextlib.aclosing(fanout.stream(PARAMETERS, await store.banks(case_id))) as results:
            arrived = 0
            async for _ in results:
                arrived += 1
                if arrived == 5:
                    break
        outcomes = await store.outcomes(case_id)
        stuck_org = next(b.org_no for b in await store.banks(case_id) if b.name == "stuck")
        assert outcomes[stuck_org] == (None, None)
        calls_before = {name: behaviour.calls for name, behaviour in banks.items()}

        # restart: a new store on the same database, the stuck bank back, the archive online again
        await store.close()
        restarted = CaseStore.from_url(database_url)
        banks["stuck"].fault = banks["archive"].fault = None
        resumed = FanOut(make_client(world, session, timeout=30, attempts=1), recorder=restarted)
        case = await restarted.get(case_id)
        assert case is not None
        final = {r.bank.name: r for r in await resumed.run(case.parameters, await restarted.banks(case_id))}
        stored = {r.bank.name: r for r in await restarted.results(case_id)}
        await restarted.close()
    for index in range(4):
        assert banks[f"ok{index}"].calls == calls_before[f"ok{index}"], "a complete bank was asked again"
        assert final[f"ok{index}"].resumed and final[f"ok{index}"].outcome is Outcome.OK
    # the archive bank: only its two transaction pages again (not the list, not the details)
    assert banks["archive"].calls == calls_before["archive"] + 2
    assert all(result.outcome is Outcome.OK for result in final.values()), {
        name: (result.outcome, result.reason) for name, result in final.items()
    }
    assert {name: result.outcome for name, result in stored.items()} == {name: Outcome.OK for name in banks}
    for result in stored.values():
        (account,) = result.accounts
        assert len(account.answers[Endpoint.TRANSACTIONS].value) == 4
        assert account.answers[Endpoint.ACCOUNT_DETAILS].value.account_identifier == account.account_identifier


async def test_purge_removes_answers_past_retention_but_keeps_the_case(store: CaseStore) -> None:
    agency, stranger, _ = keys()
    await open_konkurs_case(store)
    case_id = PARAMETERS.account_info_request_id
    async with serve({"b": Behaviour()}, agency, stranger) as world, aiohttp.ClientSession() as session:
        await store.add_banks(case_id, endpoints(world))
        await FanOut(make_client(world, session), recorder=store).run(PARAMETERS, await store.banks(case_id))
    assert (await store.results(case_id))[0].accounts
    assert await store.purge(NOW + timedelta(days=29)) == 0
    assert await store.purge(NOW + timedelta(days=31)) == 1
    case = await store.get(case_id)
    assert case is not None and case.status == "purged"
    (result,) = await store.results(case_id)
    assert result.accounts == [] and result.outcome is Outcome.OK  # who was asked stays; what came back is gone


async def test_an_outcome_for_an_unlisted_bank_adds_the_bank(store: CaseStore) -> None:
    from opendsop.consumer.fanout import BankResult
    from opendsop.consumer.protocol import BankEndpoint

    await open_konkurs_case(store)
    case_id = PARAMETERS.account_info_request_id
    bank = BankEndpoint("910000005", "https://b.test/v2", "v2", "B")
    await store.record_outcome(case_id, BankResult(bank, Outcome.DENIED, "403 ACC-011 not for you"))
    assert await store.banks(case_id) == [bank]
    assert await store.outcomes(case_id) == {"910000005": (Outcome.DENIED, "403 ACC-011 not for you")}
