"""The fan-out over ~20 loopback banks with injected faults (DSOP “eOppslag”)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable

import aiohttp
import pytest

from opendsop.consumer.fanout import FanOut, Merger, Outcome, Plan
from opendsop.consumer.protocol import CaseParameters
from opendsop.consumer.resilience import Breakers
from opendsop.standard import mandate
from opendsop.standard.endpoints import Endpoint
from tests.consumer.fakebank import Behaviour, serve
from tests.consumer.fanout_helpers import Monotonic, Sleeps, endpoints, keys, make_client

pytestmark = pytest.mark.anyio

CASE = CaseParameters(
    account_info_request_id="0b1c9a4e-5d2f-4c3b-8a6e-7f9d0e1a2b3c",
    mandate=mandate.SKATT,
    party_id="01017012345",
    requester_id="sb-1",
)
# bank name → (behaviour, expected outcome)
FAULTS = {
    "slow": (Behaviour(fault="timeout"), Outcome.TIMEOUT),
    "broken": (Behaviour(fault="500"), Outcome.ERROR),
    "flaky": (Behaviour(fault="flaky500"), Outcome.OK),
    "busy": (Behaviour(fault="429"), Outcome.OK),
    "garbage": (Behaviour(fault="garbage"), Outcome.ERROR),
    "stranger": (Behaviour(fault="stranger"), Outcome.ERROR),
    "hangs": (Behaviour(fault="hang_body"), Outcome.TIMEOUT),
    "refuses": (Behaviour(fault="deny"), Outcome.DENIED),
    "archived": (Behaviour(fault="partial"), Outcome.PARTIAL),
}
HEALTHY = [f"bank{index:02d}" for index in range(11)]


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as opened:
        yield opened


def world_banks() -> dict[str, Behaviour]:
    banks = {name: Behaviour() for name in HEALTHY}
    # the same account reported by two banks (e.g. after a merger): merged into one
    banks["bank00"] = Behaviour(accounts=("shared-1", "own-0"), account_pages=2)
    banks["bank01"] = Behaviour(accounts=("shared-1",))
    banks.update({name: behaviour for name, (behaviour, _) in FAULTS.items()})
    return banks


async def test_every_bank_ends_with_its_outcome_and_healthy_results_are_complete(
    session: aiohttp.ClientSession,
) -> None:
    agency, stranger, _ = keys()
    sleeps = Sleeps()
    async with serve(world_banks(), agency, stranger) as world:
        # generous per-call timeout: healthy banks must not time out on a busy CI machine
        fanout = FanOut(make_client(world, session, sleeps=sleeps, timeout=1.0, attempts=2))
        started = time.monotonic()
        results = {result.bank.name: result async for result in fanout.stream(CASE, endpoints(world))}
        elapsed = time.monotonic() - started
    assert set(results) == set(world.banks)
    for name, (_, expected) in FAULTS.items():
        assert results[name].outcome is expected, (name, results[name].reason)
        if expected is not Outcome.OK:
            assert results[name].reason
    assert "ACC-011" in (results["refuses"].reason or "") and "403" in (results["refuses"].reason or "")
    assert "decrypt" in (results["stranger"].reason or "")
    for name in HEALTHY:
        result = results[name]
        assert result.outcome is Outcome.OK, (name, result.reason)
        for account in result.accounts:
            # two transaction pages of two each, and the details, for every account
            assert len(account.answers[Endpoint.TRANSACTIONS].value) == 4
            assert account.answers[Endpoint.ACCOUNT_DETAILS].value.account_identifier == account.account_identifier
    assert {a.account_identifier for a in results["bank00"].accounts} == {"shared-1", "own-0"}
    # the 429 was retried after its Retry-After (7 s, through the injected sleep), no sooner
    assert 7.0 in sleeps.asked
    # one token per bank, each audience-restricted (a bank accepts only its own)
    assert world.token_requests == len(world.banks)
    # bound: two tries of the 1 s per-call timeout (plus backoff) for the hanging banks, not their hang
    assert elapsed < 2 * 1.0 + 1.5
    # never retried: the bank that refused was called once (its account list only)
    assert world.banks["refuses"].calls == 1
    merger = Merger()
    for result in results.values():
        merger.add(result)
    (duplicate,) = merger.duplicates
    assert duplicate.account_identifier == "shared-1"
    assert {org for org, _ in duplicate.sources} == {results["bank00"].bank.org_no, results["bank01"].bank.org_no}
    assert len(duplicate.transactions) == 4  # the same four bookings from two banks, kept once


async def test_results_stream_in_completion_order(session: aiohttp.ClientSession) -> None:
    agency, stranger, _ = keys()
    banks = {"quick": Behaviour(), "slow": Behaviour(fault="timeout")}
    async with serve(banks, agency, stranger) as world:
        fanout = FanOut(make_client(world, session, timeout=0.5, attempts=1))
        order = [result.bank.name async for result in fanout.stream(CASE, endpoints(world))]
    assert order == ["quick", "slow"]


async def test_case_headers_reach_every_bank_with_fresh_correlation_ids(session: aiohttp.ClientSession) -> None:
    agency, stranger, _ = keys()
    banks = {f"b{index}": Behaviour() for index in range(3)}
    async with serve(banks, agency, stranger) as world:
        await FanOut(make_client(world, session)).run(CASE, endpoints(world))
    seen = [headers for behaviour in banks.values() for headers in behaviour.seen]
    assert {h["AccountInfoRequestID"] for h in seen} == {CASE.account_info_request_id}
    assert {h["Legal-Mandate"] for h in seen} == {mandate.SKATT.encoded}
    assert {h["RequesterID"] for h in seen} == {"sb-1"}
    assert all(h["Accept"] == "application/jose" for h in seen)
    assert len({h["CorrelationID"] for h in seen}) == len(seen)
    party = [h.get("PartyID") for h in seen]
    assert party.count(CASE.party_id) == 3  # on the account lists only


async def test_plan_follows_the_service_allow_list() -> None:
    from opendsop.standard.services import KONKURS, SKATT

    assert Plan.for_service(KONKURS).endpoints == (Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS)
    assert Endpoint.CARDS in Plan.for_service(SKATT).endpoints
    assert Plan.for_service(SKATT, wanted={Endpoint.ROLES}).endpoints == (Endpoint.ROLES,)


async def test_circuit_opens_after_failures_and_half_opens_later(session: aiohttp.ClientSession) -> None:
    agency, stranger, _ = keys()
    clock = Monotonic()
    breakers = Breakers(threshold=3, reset_after=60.0, monotonic=clock)
    banks = {"down": Behaviour(fault="500")}
    async with serve(banks, agency, stranger) as world:
        client = make_client(world, session, breakers=breakers, attempts=3)
        fanout = FanOut(client)
        (first,) = await fanout.run(CASE, endpoints(world))
        assert first.outcome is Outcome.ERROR and "500" in (first.reason or "")
        assert banks["down"].calls == 3
        (second,) = await fanout.run(CASE, endpoints(world))
        assert second.outcome is Outcome.ERROR and "not called" in (second.reason or "")
        assert banks["down"].calls == 3  # fail fast: the open circuit kept the bank alone
        clock.now += 61  # half-open: one probe goes through
        banks["down"].fault = None
        (third,) = await fanout.run(CASE, endpoints(world))
        assert third.outcome is Outcome.OK
        assert breakers("900000000").state.value == "closed"


async def test_v1_banks_found_in_the_catalogue_are_served_with_v1_models(session: aiohttp.ClientSession) -> None:
    import httpx

    from opendsop.consumer.client import CatalogueDirectory
    from opendsop.contracts.catalogue import CatalogueClient
    from opendsop.standard.control import v1

    agency, stranger, _ = keys()
    banks = {"modern": Behaviour(), "legacy": Behaviour(version="v1")}
    async with serve(banks, agency, stranger) as world:
        entries = [
            {
                "orgNo": "910000001",
                "name": "Modern",
                "url": world.url("modern"),
                "version": "v2",
                "validFrom": "2020-01-01",
            },
            {
                "orgNo": "910000002",
                "name": "Legacy",
                "url": world.url("legacy"),
                "version": "v1",
                "validFrom": "2020-01-01",
            },
        ]

        def catalogue(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json=entries)

        async with httpx.AsyncClient(transport=httpx.MockTransport(catalogue)) as http:
            directory = CatalogueDirectory(CatalogueClient("https://hub.test", http=http))
            found = [await directory.endpoint(org) for org in ("910000001", "910000002")]
            assert await directory.endpoint("999999999") is None
        assert [(bank.version if bank else None) for bank in found] == ["v2", "v1"]
        results = {
            r.bank.org_no: r
            for r in await FanOut(make_client(world, session)).run(CASE, [bank for bank in found if bank])
        }
    assert {r.outcome for r in results.values()} == {Outcome.OK}
    (legacy,) = results["910000002"].accounts
    assert isinstance(legacy.account, v1.Account)
    assert not any("OnlyPrimaryOwner" in url for url in banks["legacy"].urls)  # no such parameter in v1
    assert "OnlyPrimaryOwner=true" in banks["modern"].urls[0]
    assert len(legacy.answers[Endpoint.TRANSACTIONS].value) == 4


async def test_a_bank_past_its_deadline_ends_as_timeout_and_frees_its_breaker(session: aiohttp.ClientSession) -> None:
    agency, stranger, _ = keys()
    clock = Monotonic()
    breakers = Breakers(threshold=1, reset_after=10.0, monotonic=clock)
    breakers("900000000").failure()  # open ...
    clock.now += 11  # ... and half-open: the next call is the one probe
    async with serve({"stuck": Behaviour(fault="timeout")}, agency, stranger) as world:
        fanout = FanOut(make_client(world, session, timeout=30, breakers=breakers), bank_deadline=0.3)
        started = time.monotonic()
        (result,) = await fanout.run(CASE, endpoints(world))
        assert time.monotonic() - started < 2.0
    assert result.outcome is Outcome.TIMEOUT and "deadline" in (result.reason or "")
    assert breakers("900000000").allow()  # the cancelled probe did not leave the breaker stuck


async def test_a_failing_recorder_costs_its_bank_only(session: aiohttp.ClientSession) -> None:
    agency, stranger, _ = keys()

    class Broken:
        async def progress(self, case_id: str, bank: object) -> None:
            return None

        async def record_answer(self, case_id: str, bank: object, reference: object, answer: object) -> None:
            if getattr(bank, "name", "") == "b0":
                raise RuntimeError("disk full")

        async def record_outcome(self, case_id: str, result: object) -> None:
            return None

    async with serve({"b0": Behaviour(), "b1": Behaviour()}, agency, stranger) as world:
        results = {
            r.bank.name: r
            for r in await FanOut(make_client(world, session), recorder=Broken()).run(CASE, endpoints(world))
        }
    assert results["b0"].outcome is Outcome.ERROR and "RuntimeError" in (results["b0"].reason or "")
    assert results["b1"].outcome is Outcome.OK


async def test_accounts_not_served_online_are_not_requested_and_flagged(session: aiohttp.ClientSession) -> None:
    agency, stranger, _ = keys()
    banks = {"b": Behaviour(accounts=("online-1", "dnd-2"))}
    async with serve(banks, agency, stranger) as world:
        (result,) = await FanOut(make_client(world, session)).run(CASE, endpoints(world))
    assert result.outcome is Outcome.PARTIAL and "digital letter" in (result.reason or "")
    assert not any("dataNotDelivered" in url for url in banks["b"].urls)
    online = next(a for a in result.accounts if a.account_identifier == "online-1")
    assert len(online.answers[Endpoint.TRANSACTIONS].value) == 4


async def test_decryption_can_run_in_worker_processes(session: aiohttp.ClientSession) -> None:
    import pickle
    from concurrent.futures import ThreadPoolExecutor

    from opendsop.consumer.client import JweDecryptor

    agency, stranger, _ = keys()
    decryptor = pickle.loads(pickle.dumps(JweDecryptor(agency)))  # what a process pool does to it
    banks = {"b": Behaviour(), "stranger": Behaviour(fault="stranger")}
    async with serve(banks, agency, stranger) as world:
        with ThreadPoolExecutor(2) as pool:
            client = make_client(world, session, crypto=pool)
            client.decrypt = decryptor
            results = {r.bank.name: r for r in await FanOut(client).run(CASE, endpoints(world))}
    assert results["b"].outcome is Outcome.OK
    assert len(results["b"].accounts[0].answers[Endpoint.TRANSACTIONS].value) == 4
    assert results["stranger"].outcome is Outcome.ERROR and "decrypt" in (results["stranger"].reason or "")


async def test_a_case_asks_for_all_its_tokens_at_once_and_a_resumed_case_only_for_its_unfinished_banks(
    session: aiohttp.ClientSession,
) -> None:
    from opendsop.consumer.fanout import BankResult, Progress

    agency, stranger, _ = keys()

    class Finished:
        async def progress(self, case_id: str, bank: object) -> Progress | None:
            return Progress(Outcome.OK, None, None, {}) if getattr(bank, "name", "") == "done" else None

        async def record_answer(self, case_id: str, bank: object, reference: object, answer: object) -> None:
            return None

        async def record_outcome(self, case_id: str, result: BankResult) -> None:
            return None

    async with serve({name: Behaviour() for name in ("b0", "b1", "b2", "done")}, agency, stranger) as world:
        client = make_client(world, session)
        asked: list[list[str]] = []
        prefetch = client.tokens.prefetch

        def spy(audiences: Iterable[str], scope: str) -> None:
            audiences = list(audiences)
            asked.append(sorted(audiences))
            prefetch(audiences, scope)

        client.tokens.prefetch = spy  # type: ignore[method-assign]
        banks = endpoints(world)
        results = await FanOut(client).run(CASE, banks, Plan(endpoints=()))
        assert asked == [sorted(bank.base_url for bank in banks)] and world.token_requests == 4
        assert all(result.outcome is Outcome.OK for result in results)
        asked.clear()
        client.tokens.invalidate(banks[0].base_url, "bits:kontoinformasjon")
        resumed = {r.bank.name: r for r in await FanOut(client, recorder=Finished()).run(CASE, banks)}
    assert resumed["done"].resumed and asked == [sorted(bank.base_url for bank in banks if bank.name != "done")]
    assert world.token_requests == 5  # b0's token again; the others were still valid
