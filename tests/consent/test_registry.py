"""Who may send a consent request: ``handledBy`` only with the bank's delegation, ``redirectUrl`` only to
a URL the bank (or its delegated supplier) registered.  Altinn 2 samtykkeløsning: the bank's
hovedadministrator delegates "Tilgang til å administrere samtykkeforespørsler og samtykketokens" to the
supplier; without it the supplier cannot act for the bank."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from opendsop.consent.cli import app as cli
from opendsop.consent.registry import redirect_matches, redirect_prefix
from tests.consent.consent_helpers import (
    API,
    BANK,
    BANK_NAME,
    ORG_URN,
    OTHER_BANK,
    PERSON,
    READ,
    SUPPLIER,
    TOKENS,
    WRITE,
    Consumer,
    a2_body,
    answer,
    login,
    request_body,
)

pytestmark = pytest.mark.anyio


def _as(consumer: Consumer, org: str) -> Consumer:
    return Consumer(consumer.http, consumer.issuer, consumer.clock, org=org)


# -- handledBy ---------------------------------------------------------------------------------------


async def test_handled_by_without_a_delegation_is_refused(consumer: Consumer, browser: httpx.AsyncClient) -> None:
    """The finding: an organisation with no delegation from the bank sends a request ``to`` the bank,
    ``handledBy`` itself, back to its own site; the person would see the bank asking."""
    attacker = _as(consumer, OTHER_BANK)
    body = request_body(handledBy=ORG_URN + OTHER_BANK, redirectUrl="https://other-bank.test/steal")
    response = await attacker.create(body)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "not_delegated" and response.json()["parameter"] == "handledBy"
    await login(browser, PERSON)
    page = await browser.get(f"/request/{body['id']}")
    assert page.status_code == 404 and BANK_NAME not in page.text


async def test_handled_by_without_a_delegation_is_refused_on_the_altinn2_path(consumer: Consumer) -> None:
    attacker = _as(consumer, OTHER_BANK)
    created = await consumer.http.post(
        "/api/ConsentRequest",
        headers=attacker.headers(WRITE),
        json=a2_body(handledBy=OTHER_BANK, redirectUrl="https://other-bank.test/a2"),
    )
    assert created.status_code == 403, created.text
    assert created.json()["code"] == "not_delegated"


async def test_the_bank_cannot_name_a_supplier_it_has_not_delegated_to(consumer: Consumer) -> None:
    response = await consumer.create(request_body(handledBy=ORG_URN + OTHER_BANK))
    assert response.status_code == 403 and response.json()["code"] == "not_delegated"


@pytest.mark.parametrize(("lang", "phrase"), [("nb", "på vegne av"), ("en", "on behalf of")])
async def test_a_delegated_supplier_is_shown_on_behalf_of_the_bank(
    consumer: Consumer, browser: httpx.AsyncClient, lang: str, phrase: str
) -> None:
    supplier = _as(consumer, SUPPLIER)
    body = request_body(handledBy=ORG_URN + SUPPLIER, redirectUrl="https://supplier.test/back")
    assert (await supplier.create(body)).status_code == 201
    await login(browser, PERSON)
    page = await browser.get(f"/request/{body['id']}", params={"lang": lang} if lang == "en" else None)
    number = f"organisasjonsnummer {SUPPLIER[:3]} {SUPPLIER[3:6]} {SUPPLIER[6:]}"
    assert f"{number} {phrase} {BANK_NAME}" in page.text
    accepted = await answer(browser, body["id"], "accept")
    assert accepted.headers["location"].startswith("https://supplier.test/back?consentId=")


async def test_withdrawing_the_delegation_stops_the_supplier_at_once(app: Any, consumer: Consumer) -> None:
    supplier = _as(consumer, SUPPLIER)
    body = request_body(handledBy=ORG_URN + SUPPLIER)
    assert (await supplier.create(body)).status_code == 201
    assert (await supplier.read(body["id"])).status_code == 200

    async def supplier_feed() -> list[str]:
        page = await consumer.http.get(f"{API}/events", headers=supplier.headers(READ))
        return [event["consentRequestId"] for event in page.json()["events"]]

    assert await supplier_feed() == [body["id"]]
    assert await app.state.consent.registry.remove_delegation(BANK, SUPPLIER)
    assert (await supplier.read(body["id"])).status_code == 403
    assert await supplier_feed() == []
    assert (await supplier.create(request_body(handledBy=ORG_URN + SUPPLIER))).json()["code"] == "not_delegated"
    assert (await consumer.read(body["id"])).status_code == 200  # the bank itself still can


async def test_supplier_cannot_fetch_the_altinn2_token_without_a_delegation(
    app: Any, consumer: Consumer, browser: httpx.AsyncClient
) -> None:
    supplier = _as(consumer, SUPPLIER)
    created = await consumer.http.post(
        "/api/ConsentRequest", headers=supplier.headers(WRITE), json=a2_body(handledBy=SUPPLIER)
    )
    assert created.status_code == 201, created.text
    code = created.json()["AuthorizationCode"]
    await login(browser, PERSON)
    await answer(browser, code, "accept")
    assert await app.state.consent.registry.remove_delegation(BANK, SUPPLIER)
    token = await consumer.http.get(
        "/api/authorization/token", params={"authcode": code}, headers=supplier.headers(TOKENS)
    )
    assert token.status_code == 403


# -- redirectUrl ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    pytest.param("https://evil.example/callback", id="another-site"),
    pytest.param("https://bank.test.evil.example/callback", id="suffix-host"),
    pytest.param("https://bank.test@evil.example/callback", id="user-info"),
    pytest.param("https://bank.test:8443/callback", id="other-port"),
    pytest.param("https://other-bank.test/callback", id="another-banks-site"),
    pytest.param("https://supplier.test/callback", id="undelegated-supplier-site"),
])  # fmt: skip
async def test_redirect_url_must_belong_to_the_requesting_organisation(consumer: Consumer, url: str) -> None:
    response = await consumer.create(request_body(redirectUrl=url))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_redirect_url" and response.json()["parameter"] == "redirectUrl"


async def test_redirect_url_is_checked_on_the_altinn2_path(consumer: Consumer) -> None:
    response = await consumer.http.post(
        "/api/ConsentRequest", headers=consumer.headers(WRITE), json=a2_body(redirectUrl="https://evil.example/a2")
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_redirect_url"


@pytest.mark.parametrize(("prefix", "url", "inside"), [
    ("https://bank.test/", "https://bank.test/anything?x=1", True),
    ("https://bank.test/samtykke/", "https://bank.test/samtykke/callback", True),
    ("https://bank.test/samtykke/", "https://bank.test/samtykke", True),
    ("https://bank.test/samtykke/", "https://bank.test/samtykke-evil/callback", False),
    ("https://bank.test/samtykke/", "https://bank.test/samtykke/../admin", False),
    ("https://bank.test/samtykke/", "https://bank.test/samtykke/%2e%2e/admin", False),
    ("https://bank.test/", "https://BANK.test/callback", True),
    ("https://bank.test/", "https://bank.test:443/callback", True),
    ("https://bank.test/", "http://bank.test/callback", False),
    ("https://bank.test/", "https://bank.test\\@evil.example/", False),
    ("https://bank.test/", "https://bank.test/\tx", False),
    # A local consumer's page on loopback (test mode registers it; RFC 8252 §7.3).
    ("http://127.0.0.1:8090/bank/", "http://127.0.0.1:8090/bank/samtykke/callback?soknad=1", True),
    ("http://127.0.0.1:8090/bank/", "http://127.0.0.1:8091/bank/samtykke/callback", False),
    ("http://127.0.0.1:8090/bank/", "https://127.0.0.1:8090/bank/samtykke/callback", False),
    ("http://127.0.0.1:8090/bank/", "http://127.0.0.1:8090/insurer/samtykke/callback", False),
    ("https://bank.test/", "http://localhost/callback", False),
])  # fmt: skip
def test_redirect_prefix_matching(prefix: str, url: str, inside: bool) -> None:
    assert redirect_matches(url, redirect_prefix(prefix, loopback_allowed=True)) is inside


def test_a_loopback_registration_only_in_test_mode_and_never_another_http_host() -> None:
    assert redirect_prefix("http://127.0.0.1:8090/bank", loopback_allowed=True) == "http://127.0.0.1:8090/bank/"
    with pytest.raises(ValueError, match="https"):
        redirect_prefix("http://127.0.0.1:8090/bank/")
    with pytest.raises(ValueError, match="https"):
        redirect_prefix("http://bank.test/", loopback_allowed=True)


@pytest.mark.parametrize(
    "bad",
    ["http://bank.test/", "https://bank.test/?q=1", "https://u@bank.test/", "bank.test", "https://bank.test/a/../b/"],
)
def test_a_registration_must_be_a_plain_https_prefix(bad: str) -> None:
    with pytest.raises(ValueError, match="https"):
        redirect_prefix(bad)


# -- administration ------------------------------------------------------------------------------------


def test_cli_registers_delegations_and_redirects(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}"
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(cli, ["--database-url", url, *args])

    assert run("delegation", "add", BANK, SUPPLIER).exit_code == 0
    listed = run("delegation", "list")
    assert f"{BANK}\t{SUPPLIER}" in listed.output
    added = run("redirect", "add", BANK, "https://bank.test/samtykke")
    assert added.exit_code == 0 and "https://bank.test/samtykke/" in added.output
    assert "https://bank.test/samtykke/" in run("redirect", "list", "--org", BANK).output
    assert run("redirect", "add", BANK, "http://bank.test/").exit_code == 2
    assert run("delegation", "add", "123", SUPPLIER).exit_code == 2
    assert run("delegation", "remove", BANK, SUPPLIER).exit_code == 0
    assert run("delegation", "remove", BANK, SUPPLIER).exit_code == 1
    assert run("redirect", "remove", BANK, "https://bank.test/samtykke/").exit_code == 0
    assert run("redirect", "list").output.strip() == ""


@pytest.mark.parametrize(("url", "test_mode", "accepted"), [
    pytest.param("http://127.0.0.1:8090/bank/samtykke/lan?ref=1", True, True, id="loopback-in-test-mode"),
    pytest.param("http://localhost:8090/cb", True, True, id="localhost-in-test-mode"),
    pytest.param("http://127.0.0.1:8090/bank/samtykke/lan", False, False, id="loopback-outside-test-mode"),
    pytest.param("http://bank.test/cb", True, False, id="plain-http-host"),
    pytest.param("http://127.0.0.1.evil.example/cb", True, False, id="loopback-lookalike"),
])  # fmt: skip
def test_a_redirect_url_on_loopback_only_in_test_mode(url: str, test_mode: bool, accepted: bool) -> None:
    from opendsop.consent.requests import ConsentError, parse_redirect_url

    if accepted:
        assert parse_redirect_url(url, loopback_allowed=test_mode) == url
    else:
        with pytest.raises(ConsentError):
            parse_redirect_url(url, loopback_allowed=test_mode)
