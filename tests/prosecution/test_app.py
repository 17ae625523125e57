"""The prosecution service over HTTP: an issued order verifies with the JWKS it publishes."""

from __future__ import annotations

import stat
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pydantic import SecretStr, ValidationError

from opendsop.contracts.extradition_order import fetch_jwks, verify_extradition_order
from opendsop.prosecution.app import create_app
from opendsop.prosecution.keystore import CHAIN_FILE, KEY_FILE, ROOT_FILE, SigningKey, load
from opendsop.prosecution.orders import JWKS_PATH
from opendsop.prosecution.settings import ProsecutionSettings
from opendsop.trust.pki import TrustStore

from .conftest import APPROVED, FIELDS, NOW, ORDER_ID

pytestmark = pytest.mark.anyio
BASE = "http://prosecution.test"


@pytest.fixture
async def service(test_key: SigningKey, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    settings = ProsecutionSettings(key_dir=tmp_path, validity_days=30)
    app = create_app(settings, clock=lambda: APPROVED, key=test_key, new_id=lambda: ORDER_ID)
    async with AsyncTestClient(app, base_url=BASE) as client:
        yield client


async def test_an_issued_order_verifies_with_the_published_jwks(
    service: AsyncTestClient[Litestar], trust_store: TrustStore
) -> None:
    response = await service.post("/extradition-orders", json=FIELDS)
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith("application/jwt")
    jwks = await fetch_jwks(f"{BASE}{JWKS_PATH}", service)
    order = verify_extradition_order(response.text, trust_store, now=NOW, jwks=jwks)
    assert order.party_id == FIELDS["partyID"]
    assert order.extradition_order_id == str(ORDER_ID)
    assert order.approval.approval_timestamp == APPROVED
    assert order.expires_at == APPROVED + timedelta(days=30)  # validity_days from settings


async def test_validity_days_in_the_body_sets_exp(service: AsyncTestClient[Litestar]) -> None:
    response = await service.post(
        "/extradition-orders", json={**FIELDS, "validityDays": 7}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["claims"]["exp"] == int((APPROVED + timedelta(days=7)).timestamp())
    assert body["extraditionOrder"].count(".") == 2


@pytest.mark.parametrize(
    ("body", "status", "error", "parameter"),
    [
        pytest.param({**FIELDS, "validityDays": 91}, 400, "invalid_request", "validityDays", id="validity-91"),
        pytest.param({**FIELDS, "validityDays": "7"}, 400, "invalid_request", "validityDays", id="validity-text"),
        pytest.param({**FIELDS, "exp": 1}, 400, "invalid_request", "exp", id="exp-given"),
        pytest.param(
            {k: v for k, v in FIELDS.items() if k != "caseID"},
            400,
            "invalid_request",
            "AdditionalReferenceID",
            id="case-id-missing",
        ),
        pytest.param(
            {**FIELDS, "fromDate": "2010-01-01"},
            422,
            "invalid_order",
            "AdditionalReferenceID",
            id="from-date-older-than-10-years",
        ),
        pytest.param([1, 2], 400, "invalid_request", "body", id="not-an-object"),
    ],
)
async def test_bad_orders_are_refused_with_json_errors(
    service: AsyncTestClient[Litestar], body: Any, status: int, error: str, parameter: str
) -> None:
    response = await service.post("/extradition-orders", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.json()["parameter"] == parameter


async def test_a_body_that_is_not_json_is_refused(service: AsyncTestClient[Litestar]) -> None:
    response = await service.post("/extradition-orders", content=b"{", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "body"


async def test_the_jwks_endpoint_is_cacheable_json(service: AsyncTestClient[Litestar], test_key: SigningKey) -> None:
    response = await service.get(JWKS_PATH)
    assert response.status_code == 200
    assert "max-age" in response.headers["cache-control"]
    assert [key["kid"] for key in response.json()["keys"]] == [test_key.kid]


async def test_with_an_api_token_only_its_bearer_may_issue(test_key: SigningKey, tmp_path: Path) -> None:
    settings = ProsecutionSettings(key_dir=tmp_path, api_token=SecretStr("eo-token"))
    app = create_app(settings, clock=lambda: APPROVED, key=test_key)
    async with AsyncTestClient(app, base_url=BASE) as client:
        anonymous = await client.post("/extradition-orders", json=FIELDS)
        wrong = await client.post("/extradition-orders", json=FIELDS, headers={"Authorization": "Bearer x"})
        allowed = await client.post("/extradition-orders", json=FIELDS, headers={"Authorization": "Bearer eo-token"})
        jwks = await client.get(JWKS_PATH)  # public, like politiet.no's
    assert (anonymous.status_code, wrong.status_code, allowed.status_code) == (401, 401, 201)
    assert anonymous.json()["error"] == "unauthorized"
    assert jwks.status_code == 200


def test_production_requires_an_api_token() -> None:
    with pytest.raises(ValidationError, match="API_TOKEN"):
        ProsecutionSettings(environment="production")


async def test_a_credential_is_generated_on_first_start_and_reused(tmp_path: Path) -> None:
    settings = ProsecutionSettings(key_dir=tmp_path / "keys")
    first = create_app(settings, clock=lambda: APPROVED)
    async with AsyncTestClient(first, base_url=BASE) as client:
        token = (await client.post("/extradition-orders", json=FIELDS)).text
        jwks = await fetch_jwks(f"{BASE}{JWKS_PATH}", client)
    key_path = tmp_path / "keys" / KEY_FILE
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    root = x509.load_pem_x509_certificate((tmp_path / "keys" / ROOT_FILE).read_bytes())
    order = verify_extradition_order(token, TrustStore(roots=(root,)), now=NOW, jwks=jwks)
    assert order.party_id == FIELDS["partyID"]
    # A second start loads the same credential instead of making a new one.
    second = create_app(settings, clock=lambda: NOW)
    async with AsyncTestClient(second, base_url=BASE) as client:
        assert (await client.get(JWKS_PATH)).json() == jwks
    assert load(tmp_path / "keys").kid == jwks["keys"][0]["kid"]


def test_production_never_generates_a_credential(tmp_path: Path) -> None:
    settings = ProsecutionSettings(environment="production", api_token=SecretStr("t"), key_dir=tmp_path)
    with pytest.raises(FileNotFoundError, match="never generated"):
        create_app(settings, clock=lambda: APPROVED)


def test_a_credential_that_banks_would_refuse_is_not_used(test_key: SigningKey, tmp_path: Path) -> None:
    settings = ProsecutionSettings(environment="production", api_token=SecretStr("t"), key_dir=tmp_path)
    with pytest.raises(ValueError, match="TEST"):
        create_app(settings, clock=lambda: APPROVED, key=test_key)


def test_a_key_that_does_not_match_its_certificate_is_refused(tmp_path: Path) -> None:
    settings = ProsecutionSettings(key_dir=tmp_path / "a")
    create_app(settings, clock=lambda: APPROVED)
    create_app(ProsecutionSettings(key_dir=tmp_path / "b"), clock=lambda: APPROVED)
    (tmp_path / "a" / CHAIN_FILE).write_bytes((tmp_path / "b" / CHAIN_FILE).read_bytes())
    with pytest.raises(ValueError, match="not the RSA key"):
        create_app(settings, clock=lambda: APPROVED)


# -- the order is read as strictly as a bank reads a request, before it is signed --------------------

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    ("change", "status", "error", "parameter"),
    [
        pytest.param(
            {"partyID": "15108695088".translate(FULL_WIDTH)}, 422, "invalid_order", "partyID", id="full-width-party-id"
        ),
        pytest.param({"partyID": "15108695088\n"}, 422, "invalid_order", "partyID", id="party-id-newline"),
        pytest.param({"partyID": "15108695089"}, 422, "invalid_order", "partyID", id="party-id-bad-check-digit"),
        pytest.param({"partyID": "1510869508"}, 422, "invalid_order", "partyID", id="party-id-ten-digits"),
        pytest.param({"toDate": "9999-12-31"}, 422, "invalid_order", "toDate", id="to-date-9999"),
        pytest.param({"toDate": "2026-03-01"}, 422, "invalid_order", "toDate", id="to-date-after-expiry"),
        pytest.param(
            {"toDate": "２０２６-01-14"}, 400, "invalid_request", "AdditionalReferenceID", id="full-width-to-date"
        ),
        pytest.param({"fromDate": "0001-01-01"}, 422, "invalid_order", "AdditionalReferenceID", id="from-date-year-1"),
    ],
)
async def test_an_order_no_bank_could_match_is_not_signed(
    service: AsyncTestClient[Litestar], change: dict[str, Any], status: int, error: str, parameter: str
) -> None:
    response = await service.post("/extradition-orders", json={**FIELDS, **change})
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.json()["parameter"] == parameter


async def test_the_last_day_before_expiry_is_a_valid_to_date(service: AsyncTestClient[Litestar]) -> None:
    response = await service.post("/extradition-orders", json={**FIELDS, "toDate": "2026-02-13"})
    assert response.status_code == 201, response.text  # validity 30 days from 2026-01-14T09:30Z


@pytest.mark.parametrize("body", [b"[" * 60_000, b'{"a":' * 10_000])
async def test_a_deeply_nested_body_is_a_400(service: AsyncTestClient[Litestar], body: bytes) -> None:
    response = await service.post("/extradition-orders", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == "body"


def test_a_synthetic_party_is_signed_only_where_synthetic_numbers_are_allowed() -> None:
    from opendsop.prosecution.orders import new_order
    from opendsop.standard.errors import InvalidExtraditionOrder

    synthetic = {**FIELDS, "partyID": "15908695124"}  # Tenor: month + 80
    assert new_order(synthetic, now=APPROVED, synthetic_allowed=True).party_id == "15908695124"
    with pytest.raises(InvalidExtraditionOrder) as refused:
        new_order(synthetic, now=APPROVED, synthetic_allowed=False)
    assert refused.value.parameter == "partyID"


async def test_live_and_ready_once_the_signing_key_is_loaded(service: AsyncTestClient[Litestar]) -> None:
    for path in ("/health", "/health/live"):
        assert (await service.get(path)).json() == {"status": "ok"}
    ready = await service.get("/health/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "checks": {"keys": "ok"}})
