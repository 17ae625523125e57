"""Lånekassen saldo source: the balance, the consent cache, and every refusal with its documented status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from random import Random
from typing import Any

import httpx
import pytest

from opendsop.audit.log import MemoryAuditLog
from opendsop.sources import lanekassen
from opendsop.sources.consent_check import MemoryConsentStatus
from opendsop.sources.data import LOAN_ACCOUNTS, World
from opendsop.standard.identifiers import generate_fodselsnummer
from tests.sources.helpers import BANK, NOW, OTHER_BANK, consent, person_urn, tamper

pytestmark = pytest.mark.anyio
AUD = "https://ekstern01.api.test.lanekassen.no/"
SCOPE = "lanekassen:lan/v1/saldoopplysninger"
API_KEY = "lk-key"
TTL = timedelta(hours=1)


class MovableClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Harness:
    client: httpx.AsyncClient
    audit: MemoryAuditLog
    status: MemoryConsentStatus
    issuer: Any
    clock: MovableClock

    def token(self, details: list[dict[str, Any]] | None = None, *, consumer: str = BANK, scope: str = SCOPE) -> str:
        claims: dict[str, Any] = {"authorization_details": details} if details is not None else {}
        return self.issuer.mint(consumer, scope, AUD, now=self.clock.now, **claims)

    async def fetch(self, fnr: str, token: str, **extra: str) -> httpx.Response:
        headers = {
            "ApiKey": API_KEY,
            "Authorization": token,
            "PSU_ID": fnr,
            "X-Request-Id": "7f1c9d4e-0d6a-4a55-9f8e-3f4e1d2c3b4a",
            **extra,
        }
        return await self.client.get("/saldo/v1/Accounts", headers={k: v for k, v in headers.items() if v})

    async def outcomes(self) -> list[tuple[str, int]]:
        return [(row.record.outcome, row.record.status) for row in await self.audit.records()]


@pytest.fixture
async def harness(world: World, token_issuer: Any) -> Any:
    clock = MovableClock(NOW)
    audit, status = MemoryAuditLog(), MemoryConsentStatus()
    app = lanekassen.create_app(
        world,
        verifier=token_issuer.verifier(AUD, clock=clock),
        api_key=API_KEY,
        audit=audit,
        clock=clock,
        consent_status=status,
        cache_ttl=TTL,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://lk") as client:
        yield Harness(client, audit, status, token_issuer, clock)


def _customer(world: World, *, accounts: int | None = None) -> str:
    return next(
        fnr
        for fnr, p in world.persons.items()
        if p.loan is not None and (accounts is None or len(p.loan) == accounts) and (accounts or p.loan)
    )


def _saldo_consent(h: Harness, fnr: str, **kwargs: Any) -> dict[str, Any]:
    detail = consent(
        person_urn(fnr), "lanekassen-saldo", valid_for=kwargs.pop("valid_for", timedelta(days=300)), **kwargs
    )
    h.status.set(detail["id"], "accepted")
    return detail


async def test_balance_lists_the_sub_accounts_and_their_total(harness: Harness, world: World) -> None:
    fnr = _customer(world)
    response = await harness.fetch(fnr, harness.token([_saldo_consent(harness, fnr)]))
    assert response.status_code == 200, response.text
    body = response.json()
    loan = world.persons[fnr].loan
    assert loan
    assert [a["Name"] for a in body["Accounts"]] == [a.name for a in loan]
    assert set(a["Name"] for a in body["Accounts"]) <= set(LOAN_ACCOUNTS) and len(body["Accounts"]) <= 4
    assert all(a["Bban"] == fnr and a["Balances"][0]["BalanceAmount"]["currency"] == "NOK" for a in body["Accounts"])
    amounts = [Decimal(str(a["Balances"][0]["BalanceAmount"]["amount"])) for a in body["Accounts"]]
    assert amounts == [a.amount for a in loan]
    assert Decimal(str(body["TotalAmount"])) == sum(amounts)
    assert await harness.outcomes() == [("allowed", 200)]


async def test_consent_cache_skips_the_recheck_until_the_entry_expires(harness: Harness, world: World) -> None:
    fnr = _customer(world)
    detail = _saldo_consent(harness, fnr)
    assert (await harness.fetch(fnr, harness.token([detail]))).status_code == 200
    assert harness.status.lookups == 1
    # Later logins: an ordinary token, the consent comes from the cache without asking again.
    second = await harness.fetch(fnr, harness.token())
    assert second.status_code == 200 and harness.status.lookups == 1
    harness.status.set(detail["id"], "revoked")
    harness.clock.now += TTL - timedelta(minutes=1)
    assert (await harness.fetch(fnr, harness.token())).status_code == 200 and harness.status.lookups == 1
    harness.clock.now += timedelta(minutes=2)  # the cache entry is now older than its TTL: ask again
    refused = await harness.fetch(fnr, harness.token())
    assert refused.status_code == 403 and harness.status.lookups == 2
    assert "revoked" in refused.json()["message"]
    after = await harness.fetch(fnr, harness.token())  # evicted: no consent any more
    assert after.status_code == 403 and harness.status.lookups == 2
    assert await harness.outcomes() == [("allowed", 200)] * 3 + [("403", 403)] * 2


async def test_cached_consent_is_refused_after_its_validto(harness: Harness, world: World) -> None:
    fnr = _customer(world)
    detail = _saldo_consent(harness, fnr, valid_for=timedelta(days=2))
    assert (await harness.fetch(fnr, harness.token([detail]))).status_code == 200
    harness.clock.now += timedelta(days=2)
    assert (await harness.fetch(fnr, harness.token())).status_code == 403


async def test_a_cached_consent_serves_only_the_organisation_it_was_given_to(harness: Harness, world: World) -> None:
    fnr = _customer(world)
    assert (await harness.fetch(fnr, harness.token([_saldo_consent(harness, fnr)]))).status_code == 200
    other = await harness.fetch(fnr, harness.token(consumer=OTHER_BANK))
    assert other.status_code == 403


Case = Callable[[Harness, World, str], tuple[str, str, dict[str, str]]]  # → (PSU_ID, Authorization, extra headers)


def _with(**change: Any) -> Case:
    def make(h: Harness, world: World, fnr: str) -> tuple[str, str, dict[str, str]]:
        subject = change.get("subject", fnr)
        kwargs = {k: change[k] for k in ("to", "consented", "valid_for") if k in change}
        detail = _saldo_consent(h, subject, **kwargs)
        if "resource" in change:
            detail["consentRights"][0]["resource"][0]["value"] = change["resource"]
        if "status" in change:
            h.status.set(detail["id"], change["status"])
        token = h.token(
            None if change.get("no_consent") else [detail],
            consumer=change.get("consumer", BANK),
            scope=change.get("scope", SCOPE),
        )
        token = tamper(token) if change.get("tampered") else token
        return change.get("psu", fnr), token, change.get("headers", {})

    return make


STRANGER = generate_fodselsnummer(Random(99), date(1990, 3, 3))
REFUSALS = [
    pytest.param(_with(headers={"ApiKey": ""}), 400, id="missing-ApiKey"),
    pytest.param(_with(headers={"X-Request-Id": ""}), 400, id="missing-X-Request-Id"),
    pytest.param(_with(psu="1234"), 400, id="malformed-PSU_ID"),
    pytest.param(_with(headers={"ApiKey": "wrong"}), 401, id="wrong-ApiKey"),
    pytest.param(_with(tampered=True), 401, id="tampered-token"),
    pytest.param(_with(scope="skatteetaten:inntekt"), 401, id="scope-missing"),
    pytest.param(_with(consented=NOW - timedelta(days=20), valid_for=timedelta(days=10)), 403, id="expired-consent"),
    pytest.param(_with(status="revoked"), 403, id="revoked-consent"),
    pytest.param(_with(subject="01018012345"), 403, id="someone-elses-consent"),
    pytest.param(_with(resource="nav-ssu"), 403, id="consent-for-another-resource"),
    pytest.param(_with(consumer=OTHER_BANK), 403, id="consumer-differs-from-consent-to"),
    pytest.param(_with(valid_for=timedelta(days=400)), 403, id="consent-longer-than-a-year"),
    pytest.param(_with(no_consent=True), 403, id="no-consent-and-none-cached"),
    pytest.param(_with(headers={"Consent-ID": '"not-this-one"'}), 403, id="consent-id-mismatch"),
    pytest.param(_with(psu=STRANGER, subject=STRANGER), 404, id="unknown-PSU_ID"),
]


@pytest.mark.parametrize(("make", "status"), REFUSALS)
async def test_refusals_have_documented_statuses_and_are_audited(
    harness: Harness, world: World, make: Case, status: int
) -> None:
    assert STRANGER not in world.persons
    psu, token, extra = make(harness, world, _customer(world))
    response = await harness.fetch(psu, token, **extra)
    assert response.status_code == status, response.text
    assert response.json()["statusCode"] == status and response.json()["message"]
    assert await harness.outcomes() == [(str(status), status)]


async def test_a_customer_without_debt_gets_no_accounts_and_total_zero(harness: Harness, world: World) -> None:
    fnr = next(fnr for fnr, p in world.persons.items() if p.loan == ())
    response = await harness.fetch(fnr, harness.token([_saldo_consent(harness, fnr)]))
    assert response.status_code == 200
    assert response.json() == {"Accounts": [], "TotalAmount": 0}


async def test_the_bearer_prefix_is_tolerated_in_authorization(harness: Harness, world: World) -> None:
    fnr = _customer(world)
    response = await harness.fetch(fnr, "Bearer " + harness.token([_saldo_consent(harness, fnr)]))
    assert response.status_code == 200


# -- the consent service's notice that a consent ended ------------------------------------------------

EVENTS_TOKEN = "events-secret-for-tests"  # noqa: S105


@pytest.fixture
async def notified(world: World, token_issuer: Any) -> Any:
    clock = MovableClock(NOW)
    audit, status = MemoryAuditLog(), MemoryConsentStatus()
    app = lanekassen.create_app(
        world,
        verifier=token_issuer.verifier(AUD, clock=clock),
        api_key=API_KEY,
        audit=audit,
        clock=clock,
        consent_status=status,
        cache_ttl=TTL,
        events_token=EVENTS_TOKEN,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://lk") as client:
        yield Harness(client, audit, status, token_issuer, clock)


async def _notify(h: Harness, body: Any, token: str | None = EVENTS_TOKEN) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await h.client.post("/internal/consent-events", json=body, headers=headers)


async def test_a_revocation_notice_ends_the_cached_consent_at_once(notified: Harness, world: World) -> None:
    fnr = _customer(world)
    detail = _saldo_consent(notified, fnr)
    assert (await notified.fetch(fnr, notified.token([detail]))).status_code == 200
    assert (await notified.fetch(fnr, notified.token())).status_code == 200  # from the cache
    answer = await _notify(notified, {"consentId": detail["id"], "status": "revoked"})
    assert answer.status_code == 200 and answer.json()["evicted"] == 1
    refused = await notified.fetch(fnr, notified.token())  # no time has passed: the TTL did not run out
    assert refused.status_code == 403
    # A token still carrying the consent is refused too, even before the consent service is asked.
    lookups = notified.status.lookups
    again = await notified.fetch(fnr, notified.token([detail]))
    assert again.status_code == 403 and "revoked" in again.json()["message"]
    assert notified.status.lookups == lookups


@pytest.mark.parametrize(("token", "body", "status"), [
    pytest.param(None, lambda cid: {"consentId": cid, "status": "revoked"}, 401, id="no-token"),
    pytest.param("wrong-secret-of-some-length", lambda cid: {"consentId": cid, "status": "revoked"}, 401,
                 id="wrong-token"),
    pytest.param(EVENTS_TOKEN, lambda cid: {"consentId": cid}, 400, id="no-status"),
    pytest.param(EVENTS_TOKEN, lambda cid: {"status": "revoked"}, 400, id="no-id"),
    pytest.param(EVENTS_TOKEN, lambda cid: [cid], 400, id="not-an-object"),
    pytest.param(EVENTS_TOKEN, lambda cid: {"consentId": cid + "x" * 64, "status": "revoked"}, 400, id="id-too-long"),
])  # fmt: skip
async def test_a_revocation_notice_must_be_authentic_and_well_formed(
    notified: Harness, world: World, token: str | None, body: Callable[[str], Any], status: int
) -> None:
    fnr = _customer(world)
    detail = _saldo_consent(notified, fnr)
    assert (await notified.fetch(fnr, notified.token([detail]))).status_code == 200
    assert (await _notify(notified, body(detail["id"]), token)).status_code == status
    assert (await notified.fetch(fnr, notified.token())).status_code == 200  # nothing was ended


async def test_an_accepted_notice_ends_nothing(notified: Harness, world: World) -> None:
    fnr = _customer(world)
    detail = _saldo_consent(notified, fnr)
    assert (await notified.fetch(fnr, notified.token([detail]))).status_code == 200
    assert (await _notify(notified, {"consentId": detail["id"], "status": "accepted"})).json()["evicted"] == 0
    assert (await notified.fetch(fnr, notified.token())).status_code == 200


async def test_without_a_token_the_notice_endpoint_does_not_exist(harness: Harness) -> None:
    response = await _notify(harness, {"consentId": "x", "status": "revoked"})
    assert response.status_code in (404, 405)
