"""``dsop conformance agency``: the mock bank catches an agency client that reuses CorrelationIDs,
ignores Retry-After, skips next links, sends another case's AccountInfoRequestID or a request the
standard refuses — and passes one that does everything right."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from opendsop.conformance.agency import Inspector
from opendsop.conformance.model import Outcome
from opendsop.standard import mandate
from tests.conformance.harness import NOW, kit

pytestmark = pytest.mark.anyio
BASE = "https://mock-bank.test/v2"
NAV = "889640782"


class FakeClock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> Any:
        return self.now


class Agency:
    """A scripted NAV client; each flag makes it misbehave one way."""

    def __init__(self, inspector: Inspector, clock: FakeClock, **faults: bool) -> None:
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=inspector), base_url=BASE)
        self.clock, self.faults = clock, faults
        self.case = str(uuid.uuid4())
        self.correlation = str(uuid.uuid4())
        world, trust = kit()
        self.world = world
        self.token = trust.mint(NAV, audience=BASE, now=NOW, lifetime=3600)

    def headers(self, case: str | None = None) -> dict[str, str]:
        if not self.faults.get("reuse_correlation"):
            self.correlation = str(uuid.uuid4())
        return {
            "Authorization": f"Bearer {self.token}",
            "CorrelationID": self.correlation,
            "AccountInfoRequestID": case or self.case,
            "Legal-Mandate": mandate.NAV.encoded,
            "PartyID": self.world.anne,
            "Accept": "application/json",
        }

    async def get(self, path: str, params: dict[str, str] | None = None, case: str | None = None) -> httpx.Response:
        while True:
            response = await self.client.get(path, params=params, headers=self.headers(case))
            if response.status_code != 429:
                return response
            if not self.faults.get("ignore_retry_after"):
                self.clock.now += timedelta(seconds=int(response.headers["Retry-After"]))

    async def relations(self) -> None:
        """Step 1 at the mock relations hub (KAR.yaml getCustomerRelation)."""
        hub = BASE.removesuffix("/v2")
        token = kit()[1].mint(NAV, audience=hub, now=NOW, lifetime=3600, scope="bits:kundeforhold")
        headers = {
            "Authorization": f"Bearer {token}",
            "CustomerID": self.world.anne,
            "Legal-Mandate": mandate.NAV.encoded,
            "AccountInfoRequestID": str(uuid.uuid4()) if self.faults.get("hub_other_case") else self.case,
            "CorrelationID": str(uuid.uuid4()),
        }
        answer = await self.client.get(hub + "/customers/customerRelationships", headers=headers)
        assert answer.status_code == 200 and answer.json()["banks"][0]["organizationID"] == "910000001"

    async def run_case(self) -> None:
        await self.relations()
        period = {
            "fromDate": (self.world.today - timedelta(days=300)).isoformat(),
            "toDate": self.world.today.isoformat(),
        }
        if self.faults.get("period_too_long"):
            period["fromDate"] = "2001-01-01"
        listed = await self.get("/accounts", {"OnlyPrimaryOwner": "true", **period})
        if listed.status_code != 200:
            return
        reference = listed.json()["accounts"][0]["accountReference"]
        await self.get(
            f"/accounts/{reference}", period, case=str(uuid.uuid4()) if self.faults.get("other_case") else None
        )
        page = await self.get(f"/accounts/{reference}/transactions", period)
        while not self.faults.get("skip_next") and (links := page.json().get("links")):
            page = await self.get(links[0]["href"])


async def _run(**faults: bool) -> dict[str, Outcome]:
    clock = FakeClock()
    inspector = Inspector(kit()[0], BASE, clock, throttle_every=3)
    agency = Agency(inspector, clock, **faults)
    async with agency.client:
        await agency.run_case()
    return {result.rule: result.outcome for result in inspector.results()}


async def test_a_client_that_does_everything_right_passes() -> None:
    outcomes = await _run()
    # it asks for plaintext (test), so whether it reads a JWE is not observed here
    assert {rule: o for rule, o in outcomes.items() if o is not Outcome.PASSED} == {"agency.jwe": Outcome.SKIPPED}


@pytest.mark.parametrize(
    ("fault", "rule"),
    [
        ("reuse_correlation", "agency.correlation_id"),
        ("ignore_retry_after", "agency.retry_after"),
        ("skip_next", "agency.next"),
        ("other_case", "agency.case_id"),
        ("period_too_long", "agency.authorize"),
        ("hub_other_case", "agency.case_id"),
    ],
)
async def test_a_misbehaving_client_is_caught_by_the_rule_it_breaks(fault: str, rule: str) -> None:
    outcomes = await _run(**{fault: True})
    assert outcomes[rule] is Outcome.FAILED, outcomes
    others: Callable[[str], bool] = lambda r: r != rule and outcomes[r] is Outcome.FAILED  # noqa: E731
    assert not [r for r in outcomes if others(r) and fault != "ignore_retry_after"], outcomes


async def test_a_token_for_another_bank_is_caught() -> None:
    clock = FakeClock()
    inspector = Inspector(kit()[0], BASE, clock, throttle_every=0)
    agency = Agency(inspector, clock)
    agency.token = kit()[1].mint(NAV, audience="https://another-bank.test/v2", now=NOW)
    async with agency.client:
        await agency.run_case()
    failed = {r.rule: r for r in inspector.results() if r.outcome is Outcome.FAILED}
    assert "agency.token" in failed and "aud" in failed["agency.token"].message


async def test_the_projects_own_agency_client_passes() -> None:
    """The consumer SDK (``opendsop.consumer.client.DsopClient``) against the mock bank: a case's accounts,
    details and every page of transactions, through the mock's 429s."""
    from opendsop.consumer.client import DsopClient, jwe_decryptor
    from opendsop.consumer.protocol import BankEndpoint, CaseParameters
    from opendsop.contracts.transport import HttpxTransport

    clock = FakeClock()
    world, trust = kit()
    agency_key = trust.encryption[NAV]
    inspector = Inspector(world, BASE, clock, throttle_every=4, certificates={NAV: agency_key.certificate})

    class Tokens:
        async def get(self, audience: str, scope: str, *, refresh: bool = False) -> str:
            return trust.mint(NAV, audience=audience, now=clock.now, scope=scope)

    async def sleep(seconds: float) -> None:  # the client's waits advance the mock's clock instead
        clock.now += timedelta(seconds=seconds)

    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=inspector))
    client = DsopClient(
        HttpxTransport(http),
        Tokens(),
        jwe_decryptor(agency_key.private_key),
        sleep=sleep,
        clock=clock,  # type: ignore[arg-type]
    )
    bank = BankEndpoint(org_no="910000001", base_url=BASE)
    case = CaseParameters(
        account_info_request_id=str(uuid.uuid4()),
        mandate=mandate.NAV,
        party_id=world.anne,
        from_date=world.today - timedelta(days=300),
        to_date=world.today,
    )
    async with http:
        listed = await client.accounts(bank, case)
        reference = listed.value[0].account_reference
        await client.account_details(bank, case, reference)
        transactions = await client.transactions(bank, case, reference)
    failed = {r.rule: r.message for r in inspector.results() if r.outcome is Outcome.FAILED}
    assert failed == {}
    assert (
        transactions.pages == 3 and inspector.asked["agency.retry_after"] >= 5 and inspector.asked["agency.next"] == 2
    )
    assert inspector.asked["agency.jwe"] == 1  # the reference it used came only inside the JWE


async def test_a_client_that_cannot_read_the_jwe_is_caught() -> None:
    clock = FakeClock()
    world, trust = kit()
    other = trust.encryption[sorted(trust.encryption)[0]].certificate  # not NAV's: NAV cannot decrypt it
    inspector = Inspector(world, BASE, clock, throttle_every=0, certificates={NAV: other})
    agency = Agency(inspector, clock)
    async with agency.client:
        headers = {**agency.headers(), "Accept": "application/jose"}
        params = {"OnlyPrimaryOwner": "true", "fromDate": world.today.isoformat(), "toDate": world.today.isoformat()}
        answer = await agency.client.get("/accounts", params=params, headers=headers)
        assert answer.headers["content-type"] == "application/jose"
    failed = {r.rule for r in inspector.results() if r.outcome is Outcome.FAILED}
    assert failed == {"agency.jwe"}
