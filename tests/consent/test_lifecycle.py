"""The whole consent life cycle in-process: consent service + token service (DSOP SBL “Samtykkeløsningen”; DSOP “Altinn
3.0”).

create request → person logs in → approves → token with authorization_details → revoke → token refused;
expiry with the injected clock; rejection.  The authority reaches the consent service over HTTP
(its internal endpoint and admin token), routed in-process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from opendsop.authority import AuthoritySettings
from opendsop.authority import create_app as create_authority
from opendsop.authority.consent import HttpConsentLookup
from opendsop.trust.jwt import unverified_claims
from tests.consent.consent_helpers import (
    ADMIN_TOKEN,
    AUTHORITY,
    BANK,
    PERSON,
    PERSON_URN,
    PUBLIC_URL,
    Clock,
    Consumer,
    answer,
    consent_detail,
    consent_grant,
    login,
    register_clients,
    request_body,
    right,
    token_request,
)

pytestmark = pytest.mark.anyio


@dataclass
class World:
    consumer: Consumer
    browser: httpx.AsyncClient
    authority: httpx.AsyncClient
    clock: Clock
    client_key: Any

    async def token(self, consent_id: str) -> httpx.Response:
        return await token_request(
            self.authority, consent_grant(self.client_key, self.clock.now, consent_detail(consent_id))
        )

    async def create(self, **overrides: Any) -> str:
        body = request_body(now=self.clock.now, **overrides)
        response = await self.consumer.create(body)
        assert response.status_code == 201, response.text
        return str(body["id"])


@pytest.fixture
async def world(
    app: Any, consumer: Consumer, browser: httpx.AsyncClient, clock: Clock, tmp_path: Path, client_key: Any
) -> AsyncIterator[World]:
    internal = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    lookup = HttpConsentLookup(PUBLIC_URL, ADMIN_TOKEN, client=internal)
    authority = create_authority(
        AuthoritySettings(issuer=AUTHORITY, database_url=f"sqlite+aiosqlite:///{tmp_path / 'authority.db'}"),
        clock=clock,
        trust_roots=[],
        consent_lookup=lookup,
    )
    async with authority.lifespan(), internal:
        await register_clients(authority, client_key, clock.now)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=authority), base_url=AUTHORITY.rstrip("/")
        ) as http:
            yield World(consumer, browser, http, clock, client_key)


async def test_full_life_cycle(world: World) -> None:
    consent_id = await world.create()
    # Before the person answers, no token.
    early = await world.token(consent_id)
    assert early.status_code == 400 and "is created, not accepted" in early.json()["error_description"]

    # The person logs in (redirected from the request page), reads the text, accepts.
    first = await world.browser.get(f"/request/{consent_id}")
    assert first.status_code == 303 and first.headers["location"].startswith("/login?")
    assert (await login(world.browser, PERSON, f"/request/{consent_id}")).headers[
        "location"
    ] == f"/request/{consent_id}"
    accepted = await answer(world.browser, consent_id, "accept")
    assert accepted.status_code == 303
    back = urlsplit(accepted.headers["location"])
    assert back.netloc == "bank.test"
    assert parse_qs(back.query) == {"consentId": [consent_id], "status": ["accepted"]}
    status = (await world.consumer.read(consent_id)).json()
    assert status["status"] == "accepted"
    assert status["consented"] == "2026-05-04T12:00:00Z"

    # The bank's token carries the consent.
    world.clock.advance(minutes=5)
    issued = await world.token(consent_id)
    assert issued.status_code == 200, issued.text
    detail = unverified_claims(issued.json()["access_token"])["authorization_details"][0]
    assert detail["id"] == consent_id and detail["from"] == PERSON_URN + PERSON
    assert detail["to"] == {"authority": "iso6523-actorid-upis", "ID": f"0192:{BANK}"}
    assert detail["validTo"] == status["validTo"]
    assert detail["consentRights"] == status["consentRights"]
    # Re-issuing is allowed while the consent holds (not one-time).
    assert (await world.token(consent_id)).status_code == 200

    # The person withdraws it from "my consents"; the next token is refused.
    mine = await world.browser.get("/my")
    assert consent_id in mine.text
    from tests.consent.consent_helpers import csrf_of

    revoked = await world.browser.post(f"/my/{consent_id}/revoke", data={"csrf": csrf_of(mine.text)})
    assert revoked.status_code == 303
    refused = await world.token(consent_id)
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "invalid_grant",
        "error_description": f"consent {consent_id} is revoked, not accepted",
    }
    events = [e["eventType"] for e in (await world.consumer.read(consent_id)).json()["consentRequestEvents"]]
    assert events == ["Created", "Accepted", "Revoked"]


async def test_consent_expires_with_the_clock(world: World) -> None:
    consent_id = await world.create(
        validTo=(world.clock.now + timedelta(days=2)).isoformat(), consentRights=[right("lanekassen-saldo")]
    )
    await login(world.browser, PERSON)
    await answer(world.browser, consent_id, "accept")
    assert (await world.token(consent_id)).status_code == 200
    world.clock.advance(days=2)
    refused = await world.token(consent_id)
    assert refused.status_code == 400
    assert "expired" in refused.json()["error_description"]
    assert (await world.consumer.read(consent_id)).json()["status"] == "expired"
    feed = await world.consumer.http.get(
        "/accessmanagement/api/v1/enterprise/consentrequests/events",
        headers=world.consumer.headers("altinn:consentrequests.read"),
    )
    assert [e["eventType"] for e in feed.json()["events"]] == ["Created", "Accepted", "Expired"]


async def test_unanswered_request_expires_and_can_no_longer_be_answered(world: World) -> None:
    consent_id = await world.create(validTo=(world.clock.now + timedelta(minutes=20)).isoformat())
    await login(world.browser, PERSON)
    world.clock.advance(minutes=20)  # the 30-minute session still holds
    page = await world.browser.get(f"/request/{consent_id}")
    assert page.status_code == 409
    assert "allerede behandlet" in page.text


async def test_rejected_consent_gives_no_token(world: World) -> None:
    consent_id = await world.create()
    await login(world.browser, PERSON)
    rejected = await answer(world.browser, consent_id, "reject")
    assert parse_qs(urlsplit(rejected.headers["location"]).query)["status"] == ["rejected"]
    refused = await world.token(consent_id)
    assert refused.status_code == 400
    assert "is rejected" in refused.json()["error_description"]
    assert (await world.consumer.read(consent_id)).json()["status"] == "rejected"


async def test_internal_endpoint_needs_the_admin_token(world: World) -> None:
    consent_id = await world.create()
    assert (await world.consumer.http.get(f"/internal/consents/{consent_id}")).status_code == 401
    wrong = await world.consumer.http.get(f"/internal/consents/{consent_id}", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 401
    right_token = await world.consumer.http.get(
        f"/internal/consents/{consent_id}", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    assert right_token.status_code == 200
    assert right_token.json()["status"] == "created"


async def test_mark_used_moves_an_accepted_consent_to_used(world: World) -> None:
    consent_id = await world.create()
    await login(world.browser, PERSON)
    await answer(world.browser, consent_id, "accept")
    lookup = HttpConsentLookup(PUBLIC_URL, ADMIN_TOKEN, client=world.consumer.http)
    await lookup.mark_used(consent_id)
    record = await lookup.consent(consent_id)
    assert record is not None and record.status == "used"
    refused = await world.token(consent_id)
    assert "is used" in refused.json()["error_description"]
