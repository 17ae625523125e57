"""The Altinn 2 compatibility path (DSOP SBL “Samtykkeløsningen”): ConsentRequest → approval → 30-second consent JWT."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from opendsop.consent import create_app
from opendsop.trust.errors import InvalidToken
from opendsop.trust.jwt import verify_jwt
from opendsop.trust.keys import key_set
from tests.consent.conftest import consent_settings
from tests.consent.consent_helpers import (
    BANK,
    BUSINESS,
    OTHER_BANK,
    PERSON,
    PUBLIC_URL,
    START,
    TOKENS,
    WRITE,
    Consumer,
    a2_body,
    answer,
    login,
    register_consent_clients,
)

pytestmark = pytest.mark.anyio


async def _create(consumer: Consumer, **overrides: Any) -> httpx.Response:
    return await consumer.http.post("/api/ConsentRequest", json=a2_body(**overrides), headers=consumer.headers(WRITE))


async def _exchange(consumer: Consumer, code: str) -> httpx.Response:
    return await consumer.http.get(
        "/api/authorization/token", params={"authcode": code}, headers=consumer.headers(TOKENS)
    )


async def _accepted_code(consumer: Consumer, browser: httpx.AsyncClient) -> str:
    created = await _create(consumer)
    assert created.status_code == 201, created.text
    code = str(created.json()["AuthorizationCode"])
    await login(browser, PERSON)
    assert (await answer(browser, code, "accept")).status_code == 303
    return code


async def test_create_answers_with_an_unopened_authorization_code(consumer: Consumer) -> None:
    response = await _create(consumer)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["RequestStatus"] == "Unopened"
    assert body["CoveredBy"] == BANK and body["OfferedBy"] == PERSON and body["RequiredDelegator"] == PERSON
    # The same request is visible through the Altinn 3 API: one consent store.
    assert (await consumer.read(body["AuthorizationCode"])).json()["consentRights"][0]["resource"][0][
        "value"
    ] == "ske-sbl-inntekt"


async def test_ui_link_leads_to_the_approval_page(consumer: Consumer) -> None:
    code = (await _create(consumer)).json()["AuthorizationCode"]
    response = await consumer.http.get("/ui/AccessConsent/request", params={"id": code})
    assert response.status_code == 303
    assert response.headers["location"] == f"/request/{code}"


async def test_exchange_gives_a_30_second_jwt_with_the_documented_claims(
    consumer: Consumer, browser: httpx.AsyncClient
) -> None:
    code = await _accepted_code(consumer, browser)
    response = await _exchange(consumer, code)
    assert response.status_code == 200, response.text
    jwks = (await consumer.http.get("/api/authorization/jwks")).json()
    _, claims = verify_jwt(response.text, key_set(jwks), algorithms=("RS256",), now=START)
    assert claims["iss"] == "altinn.no"
    assert claims["exp"] - claims["iat"] == 30
    assert claims["AuthorizationCode"] == code
    assert claims["CoveredBy"] == BANK
    assert claims["OfferedBy"] == PERSON == claims["RequiredDelegator"]
    assert claims["ValidToDate"] == int((START + timedelta(days=9)).timestamp())
    assert claims["DelegatedDate"] == int(START.timestamp())
    assert claims["Services"] == ["4628_210607", "4628_210607_inntektsaar=2025"]
    with pytest.raises(InvalidToken):  # it is dead 30 s later (plus the verifier's default leeway)
        verify_jwt(
            response.text, key_set(jwks), algorithms=("RS256",), now=START + timedelta(seconds=31), leeway=timedelta(0)
        )


async def test_code_can_be_re_exchanged_while_the_consent_is_valid(
    consumer: Consumer, browser: httpx.AsyncClient
) -> None:
    code = await _accepted_code(consumer, browser)
    assert (await _exchange(consumer, code)).status_code == 200
    consumer.clock.advance(days=5)
    assert (await _exchange(consumer, code)).status_code == 200
    consumer.clock.advance(days=4)
    expired = await _exchange(consumer, code)
    assert expired.status_code == 403
    assert "expired" in expired.json()["message"]


async def test_exchange_refusals(consumer: Consumer, browser: httpx.AsyncClient) -> None:
    pending = (await _create(consumer)).json()["AuthorizationCode"]
    assert (await _exchange(consumer, pending)).status_code == 403  # not accepted yet
    assert (await _exchange(consumer, "00000000-0000-0000-0000-000000000000")).status_code == 404
    code = await _accepted_code(consumer, browser)
    other = Consumer(consumer.http, consumer.issuer, consumer.clock, org=OTHER_BANK)
    assert (await _exchange(other, code)).status_code == 403  # CoveredBy is another organisation
    no_scope = await consumer.http.get(
        "/api/authorization/token", params={"authcode": code}, headers=consumer.headers(WRITE)
    )
    assert no_scope.status_code == 403 and no_scope.json()["code"] == "insufficient_scope"


@pytest.mark.parametrize(("overrides", "parameter"), [
    pytest.param({"requiredDelegator": "02839091683"}, "requiredDelegator", id="delegator-differs"),
    pytest.param({"requestMessage": {"nb": "hei"}}, "requestMessage", id="message-not-empty"),
    pytest.param({"requestResources": [{"serviceCode": "4628", "serviceEditionCode": "210607", "Metadata": {}}]},
                 "requestResources[0].Metadata", id="navn-missing"),
    pytest.param({"requestResources": [{"serviceCode": "4628", "serviceEditionCode": "170223",
                                        "Metadata": {"Navn": "x"}}]}, "requestResources[0]", id="old-edition"),
    pytest.param({"redirectUrl": "http://bank.test/a2"}, "redirectUrl", id="redirect-not-https"),
    pytest.param({"validTo": (START + timedelta(days=11)).isoformat()}, "validTo", id="beyond-10-days"),
])  # fmt: skip
async def test_create_refusals(consumer: Consumer, overrides: dict[str, Any], parameter: str) -> None:
    response = await _create(consumer, **overrides)
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == parameter


async def test_api_key_is_checked_when_configured(
    tmp_path: Any, clock: Any, token_issuer: Any, altinn2_key: Any
) -> None:
    settings = consent_settings(f"sqlite+aiosqlite:///{tmp_path / 'k.db'}", altinn2_api_keys=["key-1"])
    app = create_app(
        settings, clock=clock, verifier=token_issuer.verifier(PUBLIC_URL, clock=clock), altinn2_key=altinn2_key
    )
    async with app.lifespan(), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL) as http:
        await register_consent_clients(app, clock.now)
        consumer = Consumer(http, token_issuer, clock)
        missing = await http.post("/api/ConsentRequest", json=a2_body(), headers=consumer.headers(WRITE))
        assert missing.status_code == 401 and missing.json()["parameter"] == "ApiKey"
        given = await http.post(
            "/api/ConsentRequest", json=a2_body(), headers={**consumer.headers(WRITE), "ApiKey": "key-1"}
        )
        assert given.status_code == 201


async def test_business_consent_maps_to_an_organisation_from(consumer: Consumer) -> None:
    response = await _create(
        consumer,
        offeredBy=BUSINESS,
        requiredDelegator=PERSON,
        validTo=(START + timedelta(days=60)).isoformat(),
        requestResources=[
            {"serviceCode": "5928", "serviceEditionCode": "202301", "Metadata": {"Navn": "Testbanken ASA"}}
        ],
    )
    assert response.status_code == 201, response.text
    stored = (await consumer.read(response.json()["AuthorizationCode"])).json()
    assert stored["from"] == f"urn:altinn:organization:identifier-no:{BUSINESS}"
    assert stored["consentRights"][0]["resource"][0]["value"] == "ske-krav-betalinger"
