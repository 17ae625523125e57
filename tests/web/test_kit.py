"""The shared web layer over HTTP: headers, sessions, CSRF, the two logins, language, errors, formatting."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from random import Random
from typing import Any

import httpx
import pytest
from litestar import Litestar, Request, Response, get, post

from opendsop.standard.identifiers import generate_fodselsnummer
from opendsop.web import StaffDirectory, StaffUser, WebKit, service_role
from opendsop.web.formatting import day, moment, number
from opendsop.web.kit import CSP

pytestmark = pytest.mark.anyio
PERSON = generate_fodselsnummer(Random(3), date(1970, 1, 2))
REAL_PERSON = generate_fodselsnummer(Random(3), date(1970, 1, 2), synthetic=False)
STAFF = StaffDirectory([
    StaffUser("kari", "Kari Konkurs", "974760673", (service_role("konkurs"),)),
    StaffUser("per", "Per Uten", "974760673", ()),
])  # fmt: skip
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 4, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> Clock:
    return Clock()


def demo_app(clock: Clock) -> Litestar:
    kit = WebKit(title={"nb": "Prøve", "en": "Trial"}, persons=True, staff=STAFF, clock=clock,
                 texts={"nb": {"cases": "Saker"}, "en": {"cases": "Cases"}}, nav=[("/cases", "cases")])  # fmt: skip

    @get("/cases")
    async def cases(request: Request[Any, Any, Any]) -> Response[str]:
        session = kit.require(request, kind="staff", role=service_role("konkurs"))
        return kit.render(request, "message.html", session=session, message="cases", detail=session.name)

    @post("/cases", status_code=303)
    async def start(request: Request[Any, Any, Any]) -> Response[str]:
        kit.require(request, kind="staff", role=service_role("konkurs"))
        session, _ = await kit.form(request)
        return kit.redirect("/cases", session=session)

    @get("/boom")
    async def boom() -> None:
        raise RuntimeError("a secret detail 12345678901")

    return Litestar([kit.router([cases, start, boom])])


@pytest.fixture
async def client(clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    app = demo_app(clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://web.test") as http:
        yield http


def csrf(html: str) -> str:
    found = _CSRF.search(html)
    assert found, html
    return found.group(1)


async def staff_login(client: httpx.AsyncClient, username: str, target: str = "/cases") -> httpx.Response:
    page = await client.get("/login", params={"next": target})
    answer = await client.post("/oidc/authorize", data={"csrf": csrf(page.text), "username": username, "next": target})
    assert answer.status_code == 303, answer.text
    return await client.get(answer.headers["location"])


@pytest.mark.parametrize(("value", "text"), [
    (Decimal("1327502.16"), "1\u00a0327\u00a0502,16"), (Decimal("-180343"), "\u2212180\u00a0343,00"),
    (0, "0,00"), (None, ""), ("x", ""), (Decimal("NaN"), ""),
])  # fmt: skip
async def test_numbers_are_norwegian(value: Any, text: str) -> None:
    assert number(value) == text


async def test_dates_are_norwegian() -> None:
    assert day(date(2026, 5, 4)) == "04.05.2026"
    assert day("2026-05-04") == "04.05.2026"
    assert moment(datetime(2026, 5, 4, 22, 30, tzinfo=UTC)) == "05.05.2026 kl. 00:30"  # Oslo summer time


async def test_every_page_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP and "frame-ancestors 'none'" in CSP
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert (await client.get("/static/web/web.css")).status_code == 200


async def test_staff_login_is_an_authorization_code_flow_with_roles(client: httpx.AsyncClient) -> None:
    landed = await staff_login(client, "kari")
    assert landed.status_code == 303 and landed.headers["location"] == "/cases"
    page = await client.get("/cases")
    assert page.status_code == 200 and "Kari Konkurs" in page.text


async def test_a_code_is_used_once(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    answer = await client.post("/oidc/authorize", data={"csrf": csrf(page.text), "username": "kari", "next": "/"})
    assert (await client.get(answer.headers["location"])).status_code == 303
    replay = await client.get(answer.headers["location"])
    assert replay.status_code == 400  # the state no longer matches the new session, and the code is spent


async def test_staff_without_the_service_role_is_refused(client: httpx.AsyncClient) -> None:
    await staff_login(client, "per")
    page = await client.get("/cases")
    assert page.status_code == 403 and "ikke tilgang" in page.text


async def test_unknown_staff_user_gets_an_error_next_to_the_field(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    answer = await client.post("/oidc/authorize", data={"csrf": csrf(page.text), "username": "nobody", "next": "/"})
    assert answer.status_code == 400
    assert 'id="username-error"' in answer.text and 'aria-invalid="true"' in answer.text


@pytest.mark.parametrize("number_", [REAL_PERSON, "123"])
async def test_person_login_takes_only_synthetic_identities(client: httpx.AsyncClient, number_: str) -> None:
    page = await client.get("/login")
    answer = await client.post("/login/person", data={"csrf": csrf(page.text), "pid": number_, "next": "/"})
    assert answer.status_code == 400 and 'id="pid-error"' in answer.text


async def test_a_person_is_not_staff(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    answer = await client.post("/login/person", data={"csrf": csrf(page.text), "pid": PERSON, "next": "/cases"})
    assert answer.status_code == 303
    assert (await client.get("/cases")).status_code == 403


async def test_not_logged_in_goes_to_the_login_and_back(client: httpx.AsyncClient) -> None:
    answer = await client.get("/cases")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=%2Fcases"


@pytest.mark.parametrize("token", [None, "", "forged"])
async def test_a_state_change_without_the_csrf_token_is_refused(client: httpx.AsyncClient, token: str | None) -> None:
    await staff_login(client, "kari")
    data = {} if token is None else {"csrf": token}
    answer = await client.post("/cases", data=data)
    assert answer.status_code == 403 and "sikkerhetsnøkkel" in answer.text


async def test_the_session_expires(client: httpx.AsyncClient, clock: Clock) -> None:
    await staff_login(client, "kari")
    clock.now += timedelta(minutes=31)
    assert (await client.get("/cases")).status_code == 303


async def test_a_cookie_from_before_logout_is_refused(client: httpx.AsyncClient) -> None:
    await staff_login(client, "kari")
    kept = client.cookies["dsop_web"]
    page = await client.get("/cases")
    assert (await client.post("/logout", data={"csrf": csrf(page.text)})).status_code == 303
    client.cookies.set("dsop_web", kept, domain="web.test")
    assert (await client.get("/cases")).status_code == 303


async def test_the_language_switch_sticks(client: httpx.AsyncClient) -> None:
    english = await client.get("/login?lang=en")
    assert 'lang="en"' in english.text and "Log in" in english.text
    assert "Log in" in (await client.get("/login")).text  # the cookie keeps it
    assert "Logg inn" in (await client.get("/login?lang=nb")).text


async def test_a_failing_page_shows_no_stack_trace(client: httpx.AsyncClient) -> None:
    answer = await client.get("/boom")
    assert answer.status_code == 500
    assert "Traceback" not in answer.text and "12345678901" not in answer.text and "Noe gikk galt" in answer.text


async def test_next_is_never_another_site(client: httpx.AsyncClient) -> None:
    page = await client.get("/login", params={"next": "//evil.example/"})
    assert 'value="//evil.example/"' not in page.text
