"""The consumer API: create, read, delete, the event feed, and every refusal (DSOP SBL “Samtykkeløsningen”; DSOP “Altinn
3.0”)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from tests.consent.consent_helpers import (
    API,
    BANK,
    BUSINESS,
    ORG_URN,
    OTHER_BANK,
    PERSON,
    PERSON_URN,
    READ,
    REAL_PERSON,
    SKATTEETATEN,
    SUPPLIER,
    WRITE,
    Consumer,
    request_body,
    right,
)

pytestmark = pytest.mark.anyio


async def test_created_request_echoes_the_body_with_status_created_and_a_view_uri(consumer: Consumer) -> None:
    body = request_body()
    response = await consumer.create(body)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["id"] == body["id"]
    assert answer["status"] == "created"
    assert answer["from"] == body["from"] and answer["to"] == body["to"]
    assert answer["consentRights"][0]["metaData"] == {"inntektsaar": "2025"}
    assert answer["viewUri"].endswith(f"/request/{body['id']}")

    read = await consumer.read(body["id"])
    assert read.status_code == 200
    assert read.json()["status"] == "created"
    assert [e["eventType"] for e in read.json()["consentRequestEvents"]] == ["Created"]


async def test_same_id_same_content_is_an_idempotent_retry(consumer: Consumer) -> None:
    body = request_body()
    assert (await consumer.create(body)).status_code == 201
    again = await consumer.create(body)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]


async def test_same_id_other_content_is_409(consumer: Consumer) -> None:
    body = request_body()
    assert (await consumer.create(body)).status_code == 201
    changed = dict(body, redirectUrl="https://bank.test/other")
    response = await consumer.create(changed)
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["parameter"] == "id"


async def test_another_organisation_cannot_squat_a_consent_id(consumer: Consumer, browser: Any) -> None:
    """Ids are the sender's own: another organisation that used the id first does not lock the bank out."""
    from tests.consent.consent_helpers import answer, login

    body = request_body()
    squatter = Consumer(consumer.http, consumer.issuer, consumer.clock, org=OTHER_BANK)
    squatted = await squatter.create(dict(body, to=ORG_URN + OTHER_BANK, redirectUrl="https://other-bank.test/cb"))
    assert squatted.status_code == 201
    created = await consumer.create(body)
    assert created.status_code == 201, created.text
    consent_id = created.json()["id"]
    assert consent_id != body["id"] and created.json()["viewUri"].endswith(f"/request/{consent_id}")
    retried = await consumer.create(body)
    assert retried.status_code == 200 and retried.json()["id"] == consent_id
    # The bank reads its request under the id it chose; the squatter still sees only its own.
    mine = await consumer.read(body["id"])
    assert mine.status_code == 200 and mine.json()["id"] == consent_id and mine.json()["to"] == ORG_URN + BANK
    assert (await squatter.read(body["id"])).json()["to"] == ORG_URN + OTHER_BANK
    assert (await squatter.read(consent_id)).status_code == 403
    await login(browser, PERSON)
    accepted = await answer(browser, consent_id, "accept")
    assert accepted.headers["location"].startswith(f"https://bank.test/callback?consentId={consent_id}")


def _days(n: float) -> dict[str, Any]:
    from tests.consent.consent_helpers import START

    return {"validTo": (START + timedelta(days=n)).isoformat()}


REFUSALS = [
    pytest.param(
        {"redirectUrl": "http://bank.test/callback"}, "redirectUrl", "invalid_redirect_url", id="http-redirect"
    ),
    pytest.param({"redirectUrl": "bank.test/callback"}, "redirectUrl", "invalid_redirect_url", id="relative-redirect"),
    pytest.param({"redirectUrl": None}, "redirectUrl", "invalid_redirect_url", id="missing-redirect"),
    pytest.param(_days(10.01), "validTo", "invalid_valid_to", id="sbl-beyond-10-days"),
    pytest.param(
        {**_days(91), "from": ORG_URN + BUSINESS, "consentRights": [right("ske-krav-betalinger")]},
        "validTo",
        "invalid_valid_to",
        id="kb-beyond-90-days",
    ),
    pytest.param(
        {**_days(366), "consentRights": [right("lanekassen-saldo")]},
        "validTo",
        "invalid_valid_to",
        id="lanekassen-beyond-1-year",
    ),
    pytest.param(
        {**_days(3 * 365 + 1), "consentRights": [right("nav-ssu")]},
        "validTo",
        "invalid_valid_to",
        id="nav-beyond-3-years",
    ),
    pytest.param(_days(-1), "validTo", "invalid_valid_to", id="validTo-in-the-past"),
    pytest.param({"validTo": "2026-05-10T12:00:00"}, "validTo", "invalid_request", id="validTo-without-zone"),
    pytest.param({"validTo": "next week"}, "validTo", "invalid_request", id="validTo-not-a-date"),
    pytest.param(
        {"consentRights": [right("ske-unknown")]},
        "consentRights[0].resource",
        "unknown_resource",
        id="unknown-resource",
    ),
    pytest.param({"consentRights": []}, "consentRights", "invalid_request", id="no-rights"),
    pytest.param(
        {"consentRights": [dict(right(), action=["read"])]},
        "consentRights[0].action",
        "invalid_request",
        id="action-not-consent",
    ),
    pytest.param(
        {"consentRights": [right("ske-sbl-inntekt", aar="2025")]},
        "consentRights[0].metaData",
        "invalid_metadata",
        id="unknown-metadata-key",
    ),
    pytest.param(
        {"consentRights": [right("ske-sbl-inntekt", fraOgMed="2025-13")]},
        "consentRights[0].metaData",
        "invalid_metadata",
        id="month-13",
    ),
    pytest.param(
        {"consentRights": [right("ske-sbl-inntekt", fraOgMed="2025-06", tilOgMed="2025-01")]},
        "consentRights[0].metaData",
        "invalid_metadata",
        id="month-range-reversed",
    ),
    pytest.param(
        {"consentRights": [right("ske-sbl-inntekt", inntektsaar="25")]},
        "consentRights[0].metaData",
        "invalid_metadata",
        id="year-two-digits",
    ),
    pytest.param(
        {
            "consentRights": [
                {
                    "action": ["consent"],
                    "resource": [{"type": "urn:altinn:resource", "value": "ske-sbl-inntekt"}],
                    "metaData": {},
                }
            ]
        },
        "consentRights[0].metaData",
        "invalid_metadata",
        id="sbl-without-period",
    ),
    pytest.param(
        {"consentRights": [right("ske-krav-betalinger")]}, "from", "invalid_request", id="business-resource-from-person"
    ),
    pytest.param({"from": PERSON_URN + "12345678901"}, "from", "invalid_identifier", id="fnr-bad-checksum"),
    pytest.param({"from": "urn:altinn:person:fnr:" + PERSON}, "from", "invalid_identifier", id="from-wrong-urn"),
    pytest.param({"to": PERSON_URN + PERSON}, "to", "invalid_identifier", id="to-a-person"),
    pytest.param({"to": ORG_URN + "984851007"}, "to", "invalid_identifier", id="to-orgnr-bad-checksum"),
    pytest.param({"handledBy": ORG_URN + "12345"}, "handledBy", "invalid_identifier", id="handledBy-short"),
    pytest.param({"id": "not-a-uuid"}, "id", "invalid_request", id="id-not-uuid"),
    pytest.param({"id": None}, "id", "invalid_request", id="id-missing"),
]


@pytest.mark.parametrize(("overrides", "parameter", "code"), REFUSALS)
async def test_refused_request(consumer: Consumer, overrides: dict[str, Any], parameter: str, code: str) -> None:
    response = await consumer.create(request_body(**overrides))
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    assert response.json()["parameter"] == parameter
    assert response.json()["message"]


async def test_body_that_is_not_json_is_400(consumer: Consumer) -> None:
    response = await consumer.http.post(API + "/", content=b"{not json", headers=consumer.headers(WRITE))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"


async def test_synthetic_identities_only_in_test_mode(consumer: Consumer, app: Any) -> None:
    from opendsop.consent.requests import parse_request
    from tests.consent.consent_helpers import START

    # The running app is in test mode: the synthetic person passes.
    assert (await consumer.create(request_body())).status_code == 201
    # The same rule outside test mode refuses synthetic numbers and accepts real ones.
    from opendsop.consent.requests import ConsentError

    with pytest.raises(ConsentError) as refused:
        parse_request(request_body(), now=START, synthetic_allowed=False)
    assert refused.value.parameter == "from"
    real = parse_request(request_body(**{"from": PERSON_URN + REAL_PERSON}), now=START, synthetic_allowed=False)
    assert real.from_party.number == REAL_PERSON


async def test_token_without_write_scope_is_403(consumer: Consumer) -> None:
    response = await consumer.http.post(API + "/", json=request_body(), headers=consumer.headers(READ))
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


async def test_missing_or_forged_token_is_401(consumer: Consumer) -> None:
    assert (await consumer.http.post(API + "/", json=request_body())).status_code == 401
    forged = await consumer.http.post(API + "/", json=request_body(), headers={"Authorization": "Bearer abc.def.ghi"})
    assert forged.status_code == 401
    assert forged.headers["WWW-Authenticate"].startswith("Bearer")


async def test_consumer_must_be_the_recipient(consumer: Consumer) -> None:
    response = await consumer.create(request_body(to=ORG_URN + OTHER_BANK))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_handled_by_supplier_may_create_and_read(consumer: Consumer) -> None:
    supplier = Consumer(consumer.http, consumer.issuer, consumer.clock, org=SUPPLIER)
    body = request_body(handledBy=ORG_URN + SUPPLIER)
    assert (await supplier.create(body)).status_code == 201
    assert (await supplier.read(body["id"])).status_code == 200
    # A supplier not named as handledBy may not create for the bank with its own token.
    assert (await supplier.create(request_body())).status_code == 403


async def test_delegated_token_for_the_bank_may_create(consumer: Consumer) -> None:
    delegated = Consumer(consumer.http, consumer.issuer, consumer.clock, org=BANK, supplier=SUPPLIER)
    assert (await delegated.create(request_body())).status_code == 201


async def test_other_organisation_cannot_read(consumer: Consumer) -> None:
    body = request_body()
    assert (await consumer.create(body)).status_code == 201
    other = Consumer(consumer.http, consumer.issuer, consumer.clock, org=OTHER_BANK)
    assert (await other.read(body["id"])).status_code == 403
    assert (await consumer.read(str(uuid.uuid4()))).status_code == 404


async def test_delete_withdraws_an_unanswered_request(consumer: Consumer) -> None:
    body = request_body()
    await consumer.create(body)
    deleted = await consumer.http.delete(f"{API}/{body['id']}", headers=consumer.headers(WRITE))
    assert deleted.status_code == 200
    assert (await consumer.read(body["id"])).json()["status"] == "deleted"
    again = await consumer.http.delete(f"{API}/{body['id']}", headers=consumer.headers(WRITE))
    assert again.status_code == 409


async def test_event_feed_is_paginated_and_only_the_callers(consumer: Consumer) -> None:
    ids = []
    for _ in range(3):
        body = request_body()
        ids.append(body["id"])
        await consumer.create(body)
    other = Consumer(consumer.http, consumer.issuer, consumer.clock, org=OTHER_BANK)
    assert (
        await other.create(request_body(to=ORG_URN + OTHER_BANK, redirectUrl="https://other-bank.test/cb"))
    ).status_code == 201
    first = await consumer.http.get(f"{API}/events", params={"limit": 2}, headers=consumer.headers(READ))
    assert first.status_code == 200
    page = first.json()
    assert [e["consentRequestId"] for e in page["events"]] == ids[:2]
    assert page["next"]
    second = await consumer.http.get(
        page["next"].removeprefix(str(consumer.http.base_url)), headers=consumer.headers(READ)
    )
    rest = second.json()
    assert [e["consentRequestId"] for e in rest["events"]] == ids[2:]
    assert rest["next"] is None
    assert all(e["eventType"] == "Created" for e in page["events"] + rest["events"])


async def test_owning_data_source_may_read_the_status_but_not_change_it(consumer: Consumer) -> None:
    sbl = request_body()
    saldo = request_body(consentRights=[right("lanekassen-saldo")])
    for body in (sbl, saldo):
        assert (await consumer.create(body)).status_code == 201
    source = Consumer(consumer.http, consumer.issuer, consumer.clock, org=SKATTEETATEN)
    read = await source.read(sbl["id"])
    assert read.status_code == 200 and read.json()["status"] == "created"
    assert (await source.read(saldo["id"])).status_code == 403  # Lånekassen's resource, not Skatteetaten's
    deleted = await consumer.http.delete(f"{API}/{sbl['id']}", headers=source.headers(WRITE))
    assert deleted.status_code == 403


async def test_path_without_trailing_slash_also_creates(consumer: Consumer) -> None:
    response = await consumer.http.post(API, json=request_body(), headers=consumer.headers(WRITE))
    assert response.status_code == 201


async def test_event_feed_needs_the_read_scope_and_a_sane_cursor(consumer: Consumer) -> None:
    assert (await consumer.http.get(f"{API}/events", headers=consumer.headers(WRITE))).status_code == 403
    bad = await consumer.http.get(f"{API}/events", params={"after": "-1"}, headers=consumer.headers(READ))
    assert bad.status_code == 400 and bad.json()["parameter"] == "after"


async def test_outside_test_mode_synthetic_identities_are_refused(
    tmp_path: Any, clock: Any, token_issuer: Any, altinn2_key: Any
) -> None:
    import httpx

    from opendsop.consent import create_app
    from tests.consent.conftest import consent_settings
    from tests.consent.consent_helpers import PUBLIC_URL, register_consent_clients

    settings = consent_settings(f"sqlite+aiosqlite:///{tmp_path / 'prod.db'}", test_mode=False)
    app = create_app(
        settings, clock=clock, verifier=token_issuer.verifier(PUBLIC_URL, clock=clock), altinn2_key=altinn2_key
    )
    async with app.lifespan(), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL) as http:
        await register_consent_clients(app, clock.now)
        production = Consumer(http, token_issuer, clock)
        refused = await production.create(request_body())
        assert refused.status_code == 400
        assert refused.json()["code"] == "invalid_identifier" and refused.json()["parameter"] == "from"
        assert (await production.create(request_body(**{"from": PERSON_URN + REAL_PERSON}))).status_code == 201


async def test_not_ready_while_the_database_is_cut_but_alive(consumer: Any, settings: Any) -> None:
    from tests.outages import database_cut

    http = consumer.http
    ready = await http.get("/health/ready")
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "keys": "ok"}}
    with database_cut(settings.database_url):
        ready = await http.get("/health/ready")
        assert (ready.status_code, ready.json()["checks"]["database"]) == (503, "unavailable")
        assert ready.headers["retry-after"].isdigit()
        assert (await http.get("/health/live")).json() == {"status": "ok"}
    assert (await http.get("/health/ready")).status_code == 200
