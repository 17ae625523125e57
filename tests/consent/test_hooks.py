"""A withdrawn consent is posted at once to the hooks of the data sources that own its resources."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from opendsop.consent import ConsentSettings, create_app
from opendsop.contracts.consent_resources import RESOURCES
from tests.consent.conftest import consent_settings
from tests.consent.consent_helpers import (
    PERSON,
    PUBLIC_URL,
    Clock,
    Consumer,
    answer,
    csrf_of,
    login,
    register_consent_clients,
    request_body,
    right,
)

pytestmark = pytest.mark.anyio
LANEKASSEN = RESOURCES["lanekassen-saldo"].owner_org
HOOK = "https://lanekassen.test/internal/consent-events"
HOOK_TOKEN = "hook-secret-for-the-tests"  # noqa: S105


class Hook:
    """The data source's end of the hook: records what arrives, or fails like a source that is down."""

    def __init__(self) -> None:
        self.received: list[httpx.Request] = []
        self.down = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("the source is down", request=request)
        self.received.append(request)
        return httpx.Response(200, json={"evicted": 1})


@pytest.fixture
def hook() -> Hook:
    return Hook()


@pytest.fixture
async def hooked(
    tmp_path: Path, clock: Clock, token_issuer: Any, altinn2_key: Any, hook: Hook
) -> AsyncIterator[tuple[Consumer, httpx.AsyncClient]]:
    settings = consent_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'hooks.db'}",
        revocation_hooks={LANEKASSEN: HOOK},
        revocation_hook_token=HOOK_TOKEN,
    )
    async with httpx.AsyncClient(transport=httpx.MockTransport(hook.handle)) as hooks_client:
        app = create_app(
            settings,
            clock=clock,
            verifier=token_issuer.verifier(PUBLIC_URL, clock=clock),
            altinn2_key=altinn2_key,
            hooks_client=hooks_client,
        )
        async with (
            app.lifespan(),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL) as http,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL) as browser,
        ):
            await register_consent_clients(app, clock.now)
            yield Consumer(http, token_issuer, clock), browser


async def _accepted(consumer: Consumer, browser: httpx.AsyncClient, resource: str) -> str:
    body = request_body(now=consumer.clock.now, consentRights=[right(resource)])
    assert (await consumer.create(body)).status_code == 201
    await login(browser, PERSON)
    assert (await answer(browser, body["id"], "accept")).status_code == 303
    return str(body["id"])


async def _revoke(browser: httpx.AsyncClient, consent_id: str) -> httpx.Response:
    page = await browser.get("/my")
    return await browser.post(f"/my/{consent_id}/revoke", data={"csrf": csrf_of(page.text)})


async def test_revoking_posts_the_consent_to_the_owning_sources_hook(
    hooked: tuple[Consumer, httpx.AsyncClient], hook: Hook
) -> None:
    consumer, browser = hooked
    consent_id = await _accepted(consumer, browser, "lanekassen-saldo")
    assert hook.received == []  # accepting tells no one
    assert (await _revoke(browser, consent_id)).status_code == 303
    [notice] = hook.received
    assert str(notice.url) == HOOK
    assert notice.headers["authorization"] == f"Bearer {HOOK_TOKEN}"
    assert json.loads(notice.content) == {"consentId": consent_id, "status": "revoked"}


async def test_a_source_without_a_resource_in_the_consent_is_not_told(
    hooked: tuple[Consumer, httpx.AsyncClient], hook: Hook
) -> None:
    consumer, browser = hooked
    consent_id = await _accepted(consumer, browser, "ske-sbl-inntekt")
    assert (await _revoke(browser, consent_id)).status_code == 303
    assert hook.received == []


async def test_a_hook_that_is_down_does_not_stop_the_withdrawal(
    hooked: tuple[Consumer, httpx.AsyncClient], hook: Hook
) -> None:
    consumer, browser = hooked
    consent_id = await _accepted(consumer, browser, "lanekassen-saldo")
    hook.down = True
    assert (await _revoke(browser, consent_id)).status_code == 303
    assert (await consumer.read(consent_id)).json()["status"] == "revoked"


@pytest.mark.parametrize("token", ["", "short"])
def test_hooks_need_a_token(token: str) -> None:
    with pytest.raises(ValidationError, match="DSOP_CONSENT_REVOCATION_HOOK_TOKEN"):
        ConsentSettings(revocation_hooks={LANEKASSEN: HOOK}, revocation_hook_token=token)
