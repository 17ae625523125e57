"""The stand-in's KAR feed over HTTP (``POST /internal/kar/relations``), seen through customerRelationships."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from opendsop.standard.mandate import SKATT
from tests.relations.conftest import BANK_A, TODAY, person
from tests.relations.conftest import SKATT as SKATT_ORG

pytestmark = pytest.mark.anyio
ADMIN = "kar-feed-secret"
CUSTOMER = person(401)
ROW = {
    "customerID": CUSTOMER,
    "organizationID": BANK_A,
    "accountNumber": "12345678903",
    "role": "disponent",
    "startDate": "2020-01-01",
    "bankName": "Bank A",
}


async def test_kar_feed_then_lookup(
    make_app: Callable[..., Litestar], sqlite_url: str, token: Callable[[str, str], str]
) -> None:
    async with AsyncTestClient(make_app(sqlite_url, settings={"admin_token": ADMIN})) as client:
        admin = {"Authorization": f"Bearer {ADMIN}"}
        assert (await client.post("/internal/kar/relations", json=[ROW])).status_code == 401
        bad = await client.post("/internal/kar/relations", json=[ROW, {**ROW, "role": "boss"}], headers=admin)
        assert bad.status_code == 400 and "$[1]" in bad.json()["errorMessage"]
        loaded = await client.post("/internal/kar/relations", json=[ROW], headers=admin)
        assert loaded.status_code == 201 and loaded.json() == {"loaded": 1}
        headers = {
            "Authorization": token(SKATT_ORG, "bits:kundeforhold"),
            "CustomerID": CUSTOMER,
            "CorrelationID": str(uuid.uuid4()),
            "AccountInfoRequestID": str(uuid.uuid4()),
            "Legal-Mandate": SKATT.encoded,
        }
        response = await client.get(
            "/customers/customerRelationships",
            headers=headers,
            params={"fromDate": "2021-01-01", "toDate": TODAY.isoformat(), "onlyPrimaryOwner": "false"},
        )
        # a disponent: listed, but no active (owned) account and not a primary owner
        assert response.json() == {
            "banks": [
                {
                    "organizationID": BANK_A,
                    "bankName": "Bank A",
                    "activeAccount": False,
                    "ownershipType": "notPrimaryOwner",
                }
            ]
        }


@pytest.mark.parametrize(
    ("method", "path", "body", "params"),
    [
        pytest.param(
            "GET", "/catalogue/kontrollinformasjon", None, {"validOn": "２０２６-01-15"}, id="full-width-validOn"
        ),
        pytest.param("GET", "/catalogue/kontrollinformasjon", None, {"validOn": "2026-01-15\n"}, id="newline-validOn"),
        pytest.param(
            "POST", "/internal/kar/relations", [{**ROW, "startDate": "２０２０-01-01"}], None, id="full-width-startDate"
        ),
        pytest.param(
            "POST", "/internal/kar/relations", [{**ROW, "startDate": "0001-01-01"}], None, id="year-1-startDate"
        ),
        pytest.param("POST", "/internal/kar/relations", b"[" * 60_000, None, id="deeply-nested-body"),
        pytest.param(
            "PUT",
            "/catalogue/kontrollinformasjon",
            {"orgNo": BANK_A, "name": "Bank A", "url": "https://a.test", "validFrom": "２０２６-01-01"},
            None,
            id="full-width-validFrom",
        ),
    ],
)
async def test_hostile_values_are_400(
    make_app: Callable[..., Litestar],
    sqlite_url: str,
    method: str,
    path: str,
    body: object,
    params: dict[str, str] | None,
) -> None:
    async with AsyncTestClient(make_app(sqlite_url, settings={"admin_token": ADMIN})) as client:
        content = body if isinstance(body, bytes) else None
        response = await client.request(
            method,
            path,
            params=params,
            content=content,
            json=None if content is not None else body,
            headers={"Authorization": f"Bearer {ADMIN}"},
        )
    assert response.status_code == 400, response.text
    assert response.json()["errorCode"] == "ERR-400"
