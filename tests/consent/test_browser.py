"""The person's consent pages in a real browser (Chromium): log in, read, consent, see it, withdraw it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from opendsop.consent import create_app
from opendsop.consent.parties import MappingRepresentatives
from tests.browser import assert_accessible, chromium, page, served
from tests.consent.conftest import consent_settings
from tests.consent.consent_helpers import (
    API,
    BANK,
    BANK_NAME,
    BUSINESS,
    PERSON,
    WRITE,
    Clock,
    register_consent_clients,
    request_body,
)

__all__ = ["chromium", "page"]  # the shared browser fixtures


@pytest.fixture
def consent_site(tmp_path: Path, token_issuer: Any, altinn2_key: Any) -> Iterator[Any]:
    clock = Clock()

    def make(url: str) -> Any:
        settings = consent_settings(f"sqlite+aiosqlite:///{tmp_path / 'consent.db'}", public_url=url)
        return create_app(
            settings, clock=clock, verifier=token_issuer.verifier(url, clock=clock), altinn2_key=altinn2_key,
            representatives=MappingRepresentatives({BUSINESS: [PERSON]}),
        )  # fmt: skip

    with served(make) as server:
        assert httpx.get(server.url + "/login").status_code == 200  # served: the app has started
        server.call(register_consent_clients(server.server.config.app, clock.now))
        server.clock = clock
        yield server


def test_a_person_consents_sees_it_and_withdraws_it_in_a_browser(
    consent_site: Any, token_issuer: Any, page: Any
) -> None:
    body = request_body(now=consent_site.clock.now)
    token = token_issuer.mint(BANK, WRITE, consent_site.url, now=consent_site.clock.now)
    created = httpx.post(consent_site.url + API + "/", json=body, headers={"Authorization": f"Bearer {token}"})
    assert created.status_code == 201, created.text
    page.route(
        "https://bank.test/**", lambda route: route.fulfill(status=200, body="<p>Banken</p>", content_type="text/html")
    )

    page.goto(f"{consent_site.url}/request/{body['id']}")
    assert "/login" in page.url  # not logged in: the ID-porten stand-in first
    assert_accessible(page)
    page.get_by_label("Fødselsnummer").fill(PERSON)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"**/request/{body['id']}")
    assert BANK_NAME in page.locator("h1").inner_text()
    assert_accessible(page)
    cookie = next(c for c in page.context.cookies() if c["name"] == "dsop_consent")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    page.get_by_role("button", name="Jeg samtykker").click()
    page.wait_for_url("https://bank.test/**")
    assert "status=accepted" in page.url and f"consentId={body['id']}" in page.url

    page.goto(consent_site.url + "/my")
    row = page.locator(f"#consent-{body['id']}")
    assert row.locator(".status").inner_text() == "gitt"
    assert_accessible(page)
    row.get_by_role("button", name="Trekk tilbake").click()
    page.wait_for_url("**/my")
    assert page.locator(f"#consent-{body['id']} .status").inner_text() == "trukket tilbake"

    page.goto(consent_site.url + "/my?lang=en")
    assert page.locator("h1").inner_text() == "My consents"


def test_the_consent_page_refuses_a_wrong_person_number_in_the_browser(consent_site: Any, page: Any) -> None:
    page.goto(consent_site.url + "/login")
    page.get_by_label("Fødselsnummer").fill("12345678901")
    page.get_by_role("button", name="Logg inn").click()
    assert page.get_by_role("alert").is_visible()
    assert "/login" in page.url
