"""The registers app: bearer tokens and scopes, JSON errors with codes, Enhetsregister over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from opendsop.registers.app import Stores
from tests.registers.conftest import PUBLIC_URL
from tests.registers.sample import COMPANY, DAGL, LEDE, MEDL1, ORG, PERSONS, SOLE_PROPRIETORSHIP

pytestmark = pytest.mark.anyio


@pytest.fixture
async def seeded(sqlite_stores: Stores) -> Stores:
    await sqlite_stores.folkeregister.load_persons(PERSONS)
    await sqlite_stores.enhetsregister.load_organisations([COMPANY, SOLE_PROPRIETORSHIP])
    await sqlite_stores.konkurs.load_test_notices()
    return sqlite_stores


PATHS = [
    ("/folkeregisteret/api/v1/personer/" + PERSONS[0].identifikasjonsnummer, "folkeregister:read"),
    ("/folkeregisteret/api/v1/hendelser", "folkeregister:read"),
    ("/konkursvarsel/api/konkursvarsler/oppdatert/2018-06-01T00:00:00Z", "konkursvarsel:read"),
    ("/konkursvarsel/api/konkursvarsler/37f86010-2163-43e8-95a9-c9721e8da769", "konkursvarsel:read"),
    ("/enhetsregisteret/api/enheter/" + ORG, "enhetsregister:read"),
    ("/enhetsregisteret/api/enheter/" + ORG + "/roller", "enhetsregister:read"),
    ("/enhetsregisteret/api/oppdateringer/enheter", "enhetsregister:read"),
]
IDS = ["person", "hendelser", "oppdatert", "konkursvarsel", "enhet", "roller", "oppdateringer"]


@pytest.mark.parametrize(("path", "scope"), PATHS, ids=IDS)
async def test_every_route_needs_a_token_with_its_scope(
    http: Any, seeded: Stores, token_for: Any, path: str, scope: str
) -> None:
    missing = await http.get(path)
    assert missing.status_code == 401 and missing.json()["error"] == "unauthorized"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    other_scope = "enhetsregister:read" if scope != "enhetsregister:read" else "folkeregister:read"
    wrong = await http.get(path, headers={"Authorization": f"Bearer {token_for(other_scope)}"})
    assert wrong.status_code == 403 and wrong.json()["error"] == "insufficient_scope"
    assert scope in wrong.json()["message"]
    ok = await http.get(path, headers={"Authorization": f"Bearer {token_for(scope)}"})
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize("token", ["garbage", "wrong-audience", "expired"])
async def test_bad_tokens_are_401(http: Any, seeded: Stores, token_for: Any, token: str) -> None:
    from datetime import UTC, datetime, timedelta

    value = {
        "garbage": "not.a.jwt",
        "wrong-audience": token_for("folkeregister:read", audience="http://elsewhere.test"),
        "expired": token_for("folkeregister:read", now=datetime.now(UTC) - timedelta(hours=1)),
    }[token]
    response = await http.get(PATHS[0][0], headers={"Authorization": f"Bearer {value}"})
    assert response.status_code == 401
    assert set(response.json()) == {"error", "message", "parameter"}


async def test_roles_and_rules_are_served(http: Any, seeded: Stores, token_for: Any) -> None:
    headers = {"Authorization": f"Bearer {token_for('enhetsregister:read')}"}
    body = (await http.get(f"/enhetsregisteret/api/enheter/{ORG}/roller", headers=headers)).json()
    assert {r["rolle"] for r in body["roller"]} >= {"DAGL", "LEDE", "MEDL", "SIGN", "PROK"}
    assert [r["regeltype"] for r in body["signatur"]] == ["fellesskap"]
    assert [r["regeltype"] for r in body["prokura"]] == ["navngitte_personer"]


async def test_signature_right_over_http(http: Any, seeded: Stores, token_for: Any) -> None:
    headers = {"Authorization": f"Bearer {token_for('enhetsregister:read')}"}
    url = "/enhetsregisteret/api/signaturrett"
    alone = (await http.post(url, json={"organisasjonsnummer": ORG, "person": LEDE}, headers=headers)).json()
    assert alone["allowed"] is False and alone["rule"]["kind"] == "fellesskap"
    assert alone["requires"][0]["role"] == "MEDL" and MEDL1 in alone["requires"][0]["persons"]
    jointly = await http.post(
        url, json={"organisasjonsnummer": ORG, "person": LEDE, "sammenMed": [MEDL1]}, headers=headers
    )
    assert jointly.status_code == 200 and jointly.json()["allowed"] is True
    nobody = (await http.post(url, json={"organisasjonsnummer": ORG, "person": DAGL}, headers=headers)).json()
    assert nobody["allowed"] is False and nobody["rule"] is None


@pytest.mark.parametrize(
    ("body", "status", "error", "parameter"),
    [
        (b'{"organisasjonsnummer": "123", "person": "x"}', 400, "invalid_identifier", "organisasjonsnummer"),
        (b"not json", 400, "invalid_request", "body"),
        (b'{"person": "01010112345"}', 400, "invalid_request", "body"),
        (None, 404, "not_found", "organisasjonsnummer"),
    ],
    ids=["bad orgnr", "not json", "missing field", "unknown org"],
)
async def test_signature_right_bad_input(
    http: Any, seeded: Stores, token_for: Any, body: bytes | None, status: int, error: str, parameter: str
) -> None:
    from tests.registers.sample import orgnr

    content = body if body is not None else (f'{{"organisasjonsnummer": "{orgnr()}", "person": "{LEDE}"}}').encode()
    response = await http.post(
        "/enhetsregisteret/api/signaturrett",
        content=content,
        headers={"Authorization": f"Bearer {token_for('enhetsregister:read')}"},
    )
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["parameter"] == parameter


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/enhetsregisteret/api/enheter/123456789", 400, "invalid_identifier"),
        ("/enhetsregisteret/api/enheter/abc", 400, "invalid_identifier"),
        ("/enhetsregisteret/api/oppdateringer/enheter?etter=x", 400, "invalid_cursor"),
        ("/enhetsregisteret/api/oppdateringer/enheter?antall=0", 400, "invalid_request"),
        ("/enhetsregisteret/api/oppdateringer/enheter?antall=100000", 400, "invalid_request"),
    ],
    ids=["checksum", "letters", "cursor", "antall zero", "antall huge"],
)
async def test_bad_input_is_a_clear_400(http: Any, token_for: Any, path: str, status: int, error: str) -> None:
    response = await http.get(path, headers={"Authorization": f"Bearer {token_for('enhetsregister:read')}"})
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["message"]


async def test_an_internal_failure_is_json_without_a_trace(http: Any, sqlite_stores: Stores, token_for: Any) -> None:
    await sqlite_stores.db.engine.dispose()
    async with sqlite_stores.db.engine.begin() as conn:
        from sqlalchemy import text

        await conn.execute(text("DROP TABLE registers_organisasjon"))
    response = await http.get(
        f"/enhetsregisteret/api/enheter/{ORG}", headers={"Authorization": f"Bearer {token_for('enhetsregister:read')}"}
    )
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "internal_error" and "Traceback" not in response.text and "sqlalchemy" not in response.text


async def test_health_needs_no_token(http: Any) -> None:
    assert (await http.get("/health")).json() == {"status": "ok"}
    assert (await http.get("/health/live")).json() == {"status": "ok"}
    assert (await http.get("/health/ready")).json() == {"status": "ready", "checks": {"database": "ok", "keys": "ok"}}


@pytest.fixture
def prompt_statement_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSOP_SERVING_STATEMENT_TIMEOUT", "0.3")  # before the stores' engine is made


async def test_a_cut_database_is_503_with_retry_after_and_not_ready(
    prompt_statement_timeout: None, stores: Stores, app_for: Any, token_for: Any, database_url: str
) -> None:
    from tests.outages import database_cut

    headers = {"Authorization": f"Bearer {token_for('enhetsregister:read')}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app_for(stores)), base_url=PUBLIC_URL) as http:
        with database_cut(database_url):
            ready = await http.get("/health/ready")
            assert (ready.status_code, ready.json()["checks"]["database"]) == (503, "unavailable")
            assert ready.headers["retry-after"].isdigit()
            assert (await http.get("/health/live")).status_code == 200
            if database_url.startswith("postgresql"):  # a write-locked SQLite file still answers reads
                response = await http.get(f"/enhetsregisteret/api/enheter/{ORG}", headers=headers)
                assert (response.status_code, response.json()["error"]) == (503, "unavailable")
                assert response.headers["retry-after"].isdigit()
        assert (await http.get("/health/ready")).status_code == 200
        assert (await http.get(f"/enhetsregisteret/api/enheter/{ORG}", headers=headers)).status_code == 404


async def test_startup_creates_the_schema_and_can_load_the_test_notices(
    tmp_path: Any, token_issuer: Any, token_for: Any
) -> None:
    from litestar.testing import AsyncTestClient

    from opendsop.registers.app import create_app
    from opendsop.registers.settings import RegistersSettings
    from tests.registers.conftest import PUBLIC_URL

    settings = RegistersSettings(
        public_url=PUBLIC_URL,
        load_test_notices=True,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'fresh' / 'registers.db'}",
    )
    app = create_app(settings, verifier=token_issuer.verifier(PUBLIC_URL))
    async with AsyncTestClient(app, base_url=PUBLIC_URL) as client:
        response = await client.get(
            "/konkursvarsel/api/konkursvarsler",
            params={"antall": 100},
            headers={"Authorization": f"Bearer {token_for('konkursvarsel:read')}"},
        )
    assert response.status_code == 200 and len(response.json()["konkursvarsler"]) == 15


# -- hostile values: a clean 400 with the register's error code, never a 500 -------------------------

HOSTILE = [
    pytest.param(
        "/konkursvarsel/api/konkursvarsler/oppdatert/0001-01-01T00:00:00+01:00",
        "konkursvarsel:read",
        "invalid_cursor",
        id="timestamp-before-year-1-in-utc",
    ),
    pytest.param(
        "/konkursvarsel/api/konkursvarsler/oppdatert/9999-12-31T23:59:59-01:00",
        "konkursvarsel:read",
        "invalid_cursor",
        id="timestamp-after-year-9999-in-utc",
    ),
    pytest.param(
        "/konkursvarsel/api/konkursvarsler/oppdatert/0001-01-01",
        "konkursvarsel:read",
        "invalid_cursor",
        id="date-year-1",
    ),
    pytest.param(
        "/konkursvarsel/api/konkursvarsler/oppdatert/%EF%BC%92%EF%BC%90%EF%BC%91%EF%BC%98-06-01",
        "konkursvarsel:read",
        "invalid_cursor",
        id="full-width-date",
    ),
    pytest.param(
        "/konkursvarsel/api/konkursvarsler?antall=%C2%B2",
        "konkursvarsel:read",
        "invalid_request",
        id="superscript-two-antall",
    ),
    pytest.param(
        "/konkursvarsel/api/konkursvarsler?antall=%EF%BC%95",
        "konkursvarsel:read",
        "invalid_request",
        id="full-width-antall",
    ),
    pytest.param(
        "/folkeregisteret/api/v1/hendelser?etter=%C2%B2",
        "folkeregister:read",
        "invalid_cursor",
        id="superscript-two-etter",
    ),
    pytest.param(
        "/enhetsregisteret/api/oppdateringer/enheter?etter=%D9%A3",
        "enhetsregister:read",
        "invalid_cursor",
        id="arabic-indic-etter",
    ),
    pytest.param(
        "/konkursvarsel/api/konkursvarsler/%7B37f86010-2163-43e8-95a9-c9721e8da769%7D",
        "konkursvarsel:read",
        "invalid_request",
        id="uuid-in-braces",
    ),
]


@pytest.mark.parametrize(("path", "scope", "error"), HOSTILE)
async def test_hostile_values_are_400(
    http: Any, seeded: Stores, token_for: Any, path: str, scope: str, error: str
) -> None:
    response = await http.get(path, headers={"Authorization": f"Bearer {token_for(scope)}"})
    assert response.status_code == 400, response.text
    assert response.json()["error"] == error


@pytest.mark.parametrize("body", [b"[" * 60_000, b'{"organisasjonsnummer": ' * 5_000])
async def test_a_deeply_nested_signature_question_is_400(
    http: Any, seeded: Stores, token_for: Any, body: bytes
) -> None:
    response = await http.post(
        "/enhetsregisteret/api/signaturrett",
        content=body,
        headers={"Authorization": f"Bearer {token_for('enhetsregister:read')}"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
