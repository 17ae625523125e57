"""Consent in the access token (DSOP “Altinn 3.0”; authority.consent): issued only for a valid consent.

The consent service is replaced by its in-memory twin; tests/consent/test_lifecycle.py runs the real one.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from opendsop.authority import AuthoritySettings, create_app
from opendsop.authority.consent import (
    ConsentRecord,
    HttpConsentLookup,
    InMemoryConsentLookup,
    parse_authorization_details,
)
from opendsop.trust.jwt import unverified_claims
from tests.consent.consent_helpers import (
    AUTHORITY,
    BANK,
    BUSINESS,
    OTHER_BANK,
    OTHER_PERSON,
    PERSON,
    PERSON_URN,
    START,
    SUPPLIER,
    SUPPLIER_CLIENT,
    Clock,
    consent_detail,
    consent_grant,
    register_clients,
    token_request,
)

pytestmark = pytest.mark.anyio

RIGHTS = (
    {
        "action": ["consent"],
        "resource": [{"type": "urn:altinn:resource", "value": "ske-sbl-inntekt"}],
        "metaData": {"inntektsaar": "2025"},
    },
)


def accepted(**changes: Any) -> ConsentRecord:
    record = ConsentRecord(
        id=str(uuid.uuid4()),
        from_urn=PERSON_URN + PERSON,
        to_org=BANK,
        status="accepted",
        consented=START - timedelta(hours=1),
        valid_to=START + timedelta(days=9),
        consent_rights=RIGHTS,
    )
    return replace(record, **changes)


@dataclass
class Authority:
    http: httpx.AsyncClient
    clock: Clock
    consents: InMemoryConsentLookup


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def authority(tmp_path_factory: pytest.TempPathFactory, client_key: Any) -> AsyncIterator[Authority]:
    """One authority for the module (each test uses its own consent ids and fresh grants)."""
    tmp_path = tmp_path_factory.mktemp("authority")
    clock = Clock()
    consents = InMemoryConsentLookup()
    app = create_app(
        AuthoritySettings(issuer=AUTHORITY, database_url=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"),
        clock=clock,
        trust_roots=[],
        consent_lookup=consents,
    )
    async with app.lifespan():
        await register_clients(app, client_key, clock.now)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=AUTHORITY.rstrip("/")) as http:
            yield Authority(http, clock, consents)


async def test_accepted_consent_goes_into_the_token(authority: Authority, client_key: Any) -> None:
    record = accepted()
    authority.consents.add(record)
    response = await token_request(
        authority.http, consent_grant(client_key, authority.clock.now, consent_detail(record.id))
    )
    assert response.status_code == 200, response.text
    claims = unverified_claims(response.json()["access_token"])
    assert claims["consumer"]["ID"] == f"0192:{BANK}"
    assert claims["authorization_details"] == [{
        "type": "urn:altinn:consent", "id": record.id, "from": PERSON_URN + PERSON,
        "to": {"authority": "iso6523-actorid-upis", "ID": f"0192:{BANK}"},
        "consented": "2026-05-04T11:00:00Z", "validTo": "2026-05-13T12:00:00Z", "consentRights": list(RIGHTS),
    }]  # fmt: skip
    assert authority.consents.records[record.id].status == "accepted"  # not one-time: stays accepted


async def test_supplier_acting_for_the_bank_gets_the_banks_consent(authority: Authority, client_key: Any) -> None:
    record = accepted()
    authority.consents.add(record)
    grant = consent_grant(
        client_key, authority.clock.now, consent_detail(record.id), client_id=SUPPLIER_CLIENT, consumer_org=BANK
    )
    response = await token_request(authority.http, grant)
    assert response.status_code == 200, response.text
    claims = unverified_claims(response.json()["access_token"])
    assert claims["supplier"]["ID"] == f"0192:{SUPPLIER}"
    assert claims["authorization_details"][0]["to"]["ID"] == f"0192:{BANK}"


async def test_grant_without_authorization_details_has_none(authority: Authority, client_key: Any) -> None:
    response = await token_request(authority.http, consent_grant(client_key, authority.clock.now, None))
    assert response.status_code == 200
    assert "authorization_details" not in unverified_claims(response.json()["access_token"])


async def test_one_time_consent_is_marked_used_and_refused_afterwards(authority: Authority, client_key: Any) -> None:
    record = accepted(one_time=True)
    authority.consents.add(record)
    first = await token_request(
        authority.http, consent_grant(client_key, authority.clock.now, consent_detail(record.id))
    )
    assert first.status_code == 200
    assert authority.consents.records[record.id].status == "used"
    second = await token_request(
        authority.http, consent_grant(client_key, authority.clock.now, consent_detail(record.id))
    )
    assert second.status_code == 400
    assert "used" in second.json()["error_description"]


REFUSED = [
    pytest.param(None, {}, "does not exist", id="missing"),
    pytest.param({"status": "created"}, {}, "is created, not accepted", id="not-answered"),
    pytest.param({"status": "rejected"}, {}, "is rejected", id="rejected"),
    pytest.param({"status": "revoked"}, {}, "is revoked", id="revoked"),
    pytest.param({"status": "expired"}, {}, "is expired", id="expired-status"),
    pytest.param({"status": "deleted"}, {}, "is deleted", id="deleted"),
    pytest.param({"valid_to": START - timedelta(seconds=1)}, {}, "has expired", id="validTo-passed"),
    pytest.param({"valid_to": START}, {}, "has expired", id="validTo-now"),
    pytest.param({"to_org": OTHER_BANK}, {}, "another organisation", id="other-organisation"),
    pytest.param(
        {"to_org": OTHER_BANK, "status": "revoked"},
        {},
        "another organisation",
        id="other-organisation-learns-no-status",
    ),
    pytest.param({}, {"person": OTHER_PERSON}, "from does not match", id="from-mismatch"),
    pytest.param(
        {"from_urn": "urn:altinn:organization:identifier-no:" + BUSINESS},
        {},
        "from does not match",
        id="from-organisation-vs-person",
    ),
]


@pytest.mark.parametrize(("changes", "detail", "description"), REFUSED)
async def test_refused_consent_is_invalid_grant(
    authority: Authority, client_key: Any, changes: dict[str, Any] | None, detail: dict[str, str], description: str
) -> None:
    record = accepted(**(changes or {}))
    if changes is not None:
        authority.consents.add(record)
    grant = consent_grant(client_key, authority.clock.now, consent_detail(record.id, **detail))
    response = await token_request(authority.http, grant)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert description in response.json()["error_description"]


MALFORMED = [
    pytest.param({"type": "urn:altinn:concent"}, "type", id="wrong-type"),
    pytest.param({"id": "123"}, "id", id="id-not-uuid"),
    pytest.param({"id": None}, "id", id="id-missing"),
    pytest.param({"from": "urn:altinn:person:fnr:" + PERSON}, "from", id="from-wrong-urn"),
    pytest.param({"from": None}, "from", id="from-missing"),
]


@pytest.mark.parametrize(("change", "member"), MALFORMED)
async def test_malformed_detail_is_invalid_request(
    authority: Authority, client_key: Any, change: dict[str, Any], member: str
) -> None:
    detail = {"type": "urn:altinn:consent", "id": str(uuid.uuid4()), "from": PERSON_URN + PERSON}
    for name, value in change.items():
        if value is None:
            detail.pop(name)
        else:
            detail[name] = value
    response = await token_request(authority.http, consent_grant(client_key, authority.clock.now, [detail]))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert f"authorization_details[0].{member}" in response.json()["error_description"]


@pytest.mark.parametrize("value", [[], {}, "urn:altinn:consent", [1], [{}] * 11], ids=str)
def test_authorization_details_must_be_a_short_list_of_objects(value: Any) -> None:
    from opendsop.authority.errors import InvalidRequest

    with pytest.raises(InvalidRequest):
        parse_authorization_details(value)


async def test_without_a_consent_service_consent_grants_are_refused(tmp_path: Path, client_key: Any) -> None:
    clock = Clock()
    app = create_app(
        AuthoritySettings(issuer=AUTHORITY, database_url=f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"),
        clock=clock,
        trust_roots=[],
    )
    async with app.lifespan():
        await register_clients(app, client_key, clock.now)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=AUTHORITY.rstrip("/")) as http:
            response = await token_request(
                http, consent_grant(client_key, clock.now, consent_detail(str(uuid.uuid4())))
            )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "no consent service" in response.json()["error_description"]


async def test_unreachable_consent_service_is_503(tmp_path: Path, client_key: Any) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    lookup = HttpConsentLookup(
        "http://consent.test", "secret", client=httpx.AsyncClient(transport=httpx.MockTransport(refuse))
    )
    clock = Clock()
    app = create_app(
        AuthoritySettings(issuer=AUTHORITY, database_url=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"),
        clock=clock,
        trust_roots=[],
        consent_lookup=lookup,
    )
    async with app.lifespan():
        await register_clients(app, client_key, clock.now)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=AUTHORITY.rstrip("/")) as http:
            response = await token_request(
                http, consent_grant(client_key, clock.now, consent_detail(str(uuid.uuid4())))
            )
    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"


def test_settings_choose_the_http_lookup() -> None:
    memory = "sqlite+aiosqlite:///:memory:"
    configured = create_app(
        AuthoritySettings(database_url=memory, consent_url="http://127.0.0.1:8060", consent_admin_token="s"),
        trust_roots=[],
    )
    assert isinstance(configured.state.consent_lookup, HttpConsentLookup)
    assert create_app(AuthoritySettings(database_url=memory), trust_roots=[]).state.consent_lookup is None


@pytest.mark.parametrize(("status", "body"), [
    pytest.param(500, {"code": "internal_error"}, id="server-error"),
    pytest.param(401, {"code": "unauthorized"}, id="wrong-admin-token"),
    pytest.param(200, {"id": "x"}, id="not-a-consent-record"),
    pytest.param(200, {"id": "x", "from": "u", "to": "u", "status": "accepted", "validTo": "2026-05-05T00:00:00Z",
                       "consentRights": []}, id="to-not-an-organisation"),
])  # fmt: skip
async def test_http_lookup_turns_bad_answers_into_unavailable(status: int, body: dict[str, Any]) -> None:
    from opendsop.authority.consent import ConsentUnavailable

    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        return httpx.Response(status, json=body)

    lookup = HttpConsentLookup(
        "http://consent.test/", "the-secret", client=httpx.AsyncClient(transport=httpx.MockTransport(answer))
    )
    with pytest.raises(ConsentUnavailable):
        await lookup.consent(str(uuid.uuid4()))
    assert seen == ["Bearer the-secret"]


async def test_http_lookup_maps_404_to_none() -> None:
    lookup = HttpConsentLookup(
        "http://consent.test",
        "s",
        client=httpx.AsyncClient(
            transport=httpx.MockTransport(lambda request: httpx.Response(404, json={"code": "not_found"}))
        ),
    )
    assert await lookup.consent(str(uuid.uuid4())) is None
