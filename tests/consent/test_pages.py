"""The person's pages over HTTP: login (synthetic only), cookies, CSRF, the consent text, "my consents"."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from opendsop.contracts.consent_resources import RESOURCES
from tests.consent.consent_helpers import (
    BANK_NAME,
    BUSINESS,
    ORG_URN,
    OTHER_BANK,
    OTHER_PERSON,
    PERSON,
    PERSON_URN,
    REAL_PERSON,
    Consumer,
    answer,
    csrf_of,
    login,
    request_body,
    right,
)

pytestmark = pytest.mark.anyio


async def _created(consumer: Consumer, **overrides: Any) -> str:
    body = request_body(now=consumer.clock.now, **overrides)
    assert (await consumer.create(body)).status_code == 201
    return str(body["id"])


async def test_login_sets_a_hardened_session_cookie(browser: httpx.AsyncClient) -> None:
    response = await login(browser, PERSON)
    assert response.status_code == 303
    assert response.headers["location"] == "/my"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    page = await browser.get("/my")
    assert page.status_code == 200
    assert page.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(("number", "why"), [
    pytest.param(REAL_PERSON, "synthetic", id="real-person-refused"),
    pytest.param("123", "11", id="too-short"),
    pytest.param(PERSON[:-1] + str((int(PERSON[-1]) + 1) % 10), "check digit", id="bad-checksum"),
])  # fmt: skip
async def test_login_accepts_only_synthetic_identities(browser: httpx.AsyncClient, number: str, why: str) -> None:
    response = await login(browser, number)
    assert response.status_code == 400
    assert why in response.text
    assert (await browser.get("/my")).status_code == 303  # still not logged in


@pytest.mark.parametrize("token", [None, "", "forged"])
async def test_login_without_a_valid_csrf_token_is_403(browser: httpx.AsyncClient, token: str | None) -> None:
    await browser.get("/login")
    data = {"pid": PERSON, "next": "/my"}
    if token is not None:
        data["csrf"] = token
    response = await browser.post("/login", data=data)
    assert response.status_code == 403
    assert response.json()["code"] == "csrf"


async def test_csrf_token_of_another_session_is_refused(app: Any, browser: httpx.AsyncClient) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=str(browser.base_url)) as other:
        foreign = csrf_of((await other.get("/login")).text)
    await browser.get("/login")
    response = await browser.post("/login", data={"csrf": foreign, "pid": PERSON, "next": "/my"})
    assert response.status_code == 403


@pytest.mark.parametrize("evil", [
    pytest.param("https://evil.example/", id="absolute-url"),
    pytest.param("//evil.example/x", id="scheme-relative"),
    pytest.param("/\t/evil.example", id="tab-then-slash"),  # browsers strip the tab: //evil.example
    pytest.param("/\n/evil.example", id="newline-then-slash"),
    pytest.param("/\r/evil.example", id="carriage-return"),
    pytest.param("/\\evil.example", id="backslash"),  # read as //evil.example
    pytest.param("/ /evil.example", id="space"),
    pytest.param("/\u3000/evil.example", id="ideographic-space"),
    pytest.param("/\u200b/evil.example", id="zero-width-space"),
    pytest.param("/my\x00", id="nul"),
    pytest.param("javascript:alert(1)", id="script-scheme"),
    pytest.param("\t/my", id="leading-tab"),
])  # fmt: skip
async def test_next_after_login_never_leaves_the_site(browser: httpx.AsyncClient, evil: str) -> None:
    response = await login(browser, PERSON, evil)
    assert response.status_code == 303
    assert response.headers["location"] == "/my"
    page = await browser.get("/login", params={"next": evil})
    assert page.status_code == 200
    assert 'name="next" value="/my"' in page.text


async def test_next_after_login_keeps_a_local_path(browser: httpx.AsyncClient) -> None:
    response = await login(browser, PERSON, "/request/abc?x=1")
    assert response.headers["location"] == "/request/abc?x=1"


async def test_forged_session_cookie_counts_as_logged_out(browser: httpx.AsyncClient) -> None:
    await login(browser, PERSON)
    value = browser.cookies["dsop_consent"]
    browser.cookies.set("dsop_consent", value[:-2] + "xx", domain="consent.test")
    assert (await browser.get("/my")).status_code == 303


async def test_request_page_shows_the_sources_text_with_the_banks_official_name(
    consumer: Consumer, browser: httpx.AsyncClient
) -> None:
    consent_id = await _created(
        consumer, consentRights=[right("ske-sbl-inntekt", fraOgMed="2025-01", tilOgMed="2025-06")]
    )
    await login(browser, PERSON)
    page = await browser.get(f"/request/{consent_id}")
    assert page.status_code == 200
    # The mandated SBL text (DSOP SBL “Om tjenesten”) with the bank's name filled in.
    assert (
        f"Ved å samtykke, gir du Skatteetaten rett til å utlevere opplysninger om deg direkte til {BANK_NAME}."
    ) in page.text
    assert "2025-01 – 2025-06" in page.text
    english = await browser.get(f"/request/{consent_id}", params={"lang": "en"})
    assert f"directly to {BANK_NAME}" in english.text
    assert 'action="/request/' in english.text and "lang=en" in english.text


async def test_bank_without_a_registered_name_is_shown_by_its_number(
    consumer: Consumer, browser: httpx.AsyncClient
) -> None:
    other = Consumer(consumer.http, consumer.issuer, consumer.clock, org=OTHER_BANK)
    consent_id = await _created(
        other,
        to=ORG_URN + OTHER_BANK,
        consentRights=[right("lanekassen-saldo")],
        redirectUrl="https://other-bank.test/callback",
    )
    await login(browser, PERSON)
    page = await browser.get(f"/request/{consent_id}")
    assert RESOURCES["lanekassen-saldo"].consent_text.split("{bank}")[0] in page.text
    assert f"organisasjonsnummer {OTHER_BANK[:3]} {OTHER_BANK[3:6]} {OTHER_BANK[6:]}" in page.text


async def test_another_person_cannot_see_or_answer(consumer: Consumer, browser: httpx.AsyncClient) -> None:
    consent_id = await _created(consumer)
    await login(browser, OTHER_PERSON)
    page = await browser.get(f"/request/{consent_id}")
    assert page.status_code == 403
    assert "annen person" in page.text
    posted = await browser.post(f"/request/{consent_id}", data={"csrf": csrf_of(page.text), "decision": "accept"})
    assert posted.status_code == 403
    assert (await consumer.read(consent_id)).json()["status"] == "created"


async def test_answer_without_csrf_changes_nothing(consumer: Consumer, browser: httpx.AsyncClient) -> None:
    consent_id = await _created(consumer)
    await login(browser, PERSON)
    posted = await browser.post(f"/request/{consent_id}", data={"decision": "accept"})
    assert posted.status_code == 403
    assert (await consumer.read(consent_id)).json()["status"] == "created"


async def test_a_request_can_be_answered_once(consumer: Consumer, browser: httpx.AsyncClient) -> None:
    consent_id = await _created(consumer)
    await login(browser, PERSON)
    page = await browser.get(f"/request/{consent_id}")
    await browser.post(f"/request/{consent_id}", data={"csrf": csrf_of(page.text), "decision": "accept"})
    again = await browser.post(f"/request/{consent_id}", data={"csrf": csrf_of(page.text), "decision": "reject"})
    assert again.status_code == 409
    assert (await consumer.read(consent_id)).json()["status"] == "accepted"


async def test_organisation_consent_needs_a_representative(consumer: Consumer, browser: httpx.AsyncClient) -> None:
    consent_id = await _created(consumer, **{"from": ORG_URN + BUSINESS}, consentRights=[right("ske-krav-betalinger")])
    await login(browser, OTHER_PERSON)
    assert (await browser.get(f"/request/{consent_id}")).status_code == 403
    browser.cookies.clear()
    await login(browser, PERSON)  # the conftest makes PERSON a representative of BUSINESS
    accepted = await answer(browser, consent_id, "accept")
    assert accepted.status_code == 303
    assert (await consumer.read(consent_id)).json()["status"] == "accepted"


async def test_my_consents_lists_only_own_and_offers_revoke_for_accepted(
    consumer: Consumer, browser: httpx.AsyncClient
) -> None:
    given = await _created(consumer)
    pending = await _created(consumer)
    foreign = await _created(consumer, **{"from": PERSON_URN + OTHER_PERSON})
    await login(browser, PERSON)
    await answer(browser, given, "accept")
    page = await browser.get("/my")
    assert given in page.text and pending in page.text and foreign not in page.text
    assert f"/my/{given}/revoke" in page.text
    assert f"/my/{pending}/revoke" not in page.text
    revoked = await browser.post(f"/my/{given}/revoke", data={"csrf": csrf_of(page.text)})
    assert revoked.status_code == 303
    after = await browser.get("/my")
    assert f"/my/{given}/revoke" not in after.text
    assert "trukket tilbake" in after.text
    assert (await consumer.read(given)).json()["status"] == "revoked"


async def test_revoking_someone_elses_consent_is_refused(consumer: Consumer, browser: httpx.AsyncClient) -> None:
    foreign = await _created(consumer, **{"from": PERSON_URN + OTHER_PERSON})
    await login(browser, OTHER_PERSON)
    await answer(browser, foreign, "accept")
    browser.cookies.clear()
    await login(browser, PERSON)
    page = await browser.get("/my")
    response = await browser.post(f"/my/{foreign}/revoke", data={"csrf": csrf_of(page.text)})
    assert response.status_code == 403
    assert (await consumer.read(foreign)).json()["status"] == "accepted"


async def test_logout_ends_the_session(browser: httpx.AsyncClient) -> None:
    await login(browser, PERSON)
    page = await browser.get("/my")
    out = await browser.post("/logout", data={"csrf": csrf_of(page.text)})
    assert out.status_code == 303
    assert (await browser.get("/my")).status_code == 303


async def test_session_expires(browser: httpx.AsyncClient, consumer: Consumer) -> None:
    await login(browser, PERSON)
    consumer.clock.advance(minutes=31)
    assert (await browser.get("/my")).status_code == 303


async def test_unknown_request_is_404(browser: httpx.AsyncClient) -> None:
    await login(browser, PERSON)
    assert (await browser.get("/request/00000000-0000-0000-0000-000000000000")).status_code == 404


async def test_a_cookie_from_before_logout_is_refused(browser: httpx.AsyncClient) -> None:
    await login(browser, PERSON)
    stolen = browser.cookies["dsop_consent"]
    page = await browser.get("/my")
    assert (await browser.post("/logout", data={"csrf": csrf_of(page.text)})).status_code == 303
    browser.cookies.set("dsop_consent", stolen, domain="consent.test")
    response = await browser.get("/my")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_revoking_a_consent_ends_the_persons_other_sessions(
    app: Any, consumer: Consumer, browser: httpx.AsyncClient
) -> None:
    given = await _created(consumer)
    await login(browser, PERSON)
    await answer(browser, given, "accept")
    before = browser.cookies["dsop_consent"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=str(browser.base_url)) as phone:
        await login(phone, PERSON)
        assert (await phone.get("/my")).status_code == 200
        page = await browser.get("/my")
        assert (await browser.post(f"/my/{given}/revoke", data={"csrf": csrf_of(page.text)})).status_code == 303
        assert (await phone.get("/my")).status_code == 303  # the other device is logged out
    assert (await browser.get("/my")).status_code == 200  # this browser got a new session
    browser.cookies.set("dsop_consent", before, domain="consent.test")
    assert (await browser.get("/my")).status_code == 303  # its cookie from before the revoke is dead
