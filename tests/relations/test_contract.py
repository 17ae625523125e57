"""Contract tests against KAR.yaml v1.1.2 (paths, parameters, headers, bodies) plus the v2 additions
of DSOP “Endpoint customerRelationships V.2.0”; DSOP “Endpoint accountServicingProvider V.2.0” (``ownershipType``;
Legal-Mandate, AccountInfoRequestID, CorrelationID
mandatory)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from litestar import Litestar
from litestar.testing import AsyncTestClient

from opendsop.relations.sources import MemoryRelationSource, Relation, Role
from opendsop.standard.mandate import POLITI_STRAFFESAK, SKATT
from tests.relations.conftest import BANK_A, BANK_B, POLITI, TODAY, person
from tests.relations.conftest import SKATT as SKATT_ORG

pytestmark = pytest.mark.anyio
CUSTOMER = person(201)
ACCOUNT = "12345678903"


@pytest.fixture(scope="module")
def contract(reference_dir: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((reference_dir / "KAR.yaml").read_text(encoding="utf-8"))
    return document


@pytest.fixture
async def hub(make_app: Callable[..., Litestar], sqlite_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    kar = MemoryRelationSource(
        "KAR",
        [
            (
                CUSTOMER,
                Relation(
                    org_no=BANK_A,
                    bank_name="Bank A",
                    role=Role.OWNER,
                    start=date(2018, 1, 1),
                    account_no=ACCOUNT,
                    nics_reachable=True,
                ),
            )
        ],
    )
    kfr = MemoryRelationSource(
        "KFR", [(CUSTOMER, Relation(org_no=BANK_B, bank_name="Bank B", role=Role.CUSTOMER, start=date(2019, 1, 1)))]
    )
    async with AsyncTestClient(make_app(sqlite_url, kar=kar, accounts=kar, kfr_source=kfr)) as client:
        yield client


def _normalise(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", path).rstrip("/") or "/"


def test_every_contract_operation_is_routed(
    contract: dict[str, Any], make_app: Callable[..., Litestar], sqlite_url: str
) -> None:
    app = make_app(sqlite_url)
    routed = {(_normalise(route.path), method) for route in app.routes for method in route.methods}
    for path, operations in contract["paths"].items():
        for method in operations:
            assert (_normalise(path), method.upper()) in routed, f"{method.upper()} {path} is not served"


def _resolve(contract: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = contract["components"]["schemas"][name]
    return schema


def conforms(contract: dict[str, Any], schema: dict[str, Any], value: Any, where: str = "$") -> None:
    """A small OpenAPI 3.0 checker: types, required, lengths, enums, date-time (what KAR.yaml uses)."""
    schema = _resolve(contract, schema)
    kind = schema.get("type")
    if kind == "object":
        assert isinstance(value, dict), f"{where} must be an object"
        for name in schema.get("required", []):
            assert name in value, f"{where}.{name} is required"
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                conforms(contract, sub, value[name], f"{where}.{name}")
    elif kind == "array":
        assert isinstance(value, list), f"{where} must be an array"
        for index, item in enumerate(value):
            conforms(contract, schema["items"], item, f"{where}[{index}]")
    elif kind == "string":
        assert isinstance(value, str), f"{where} must be a string"
        assert schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", 10**9), f"{where} length"
        if "enum" in schema:
            assert value in schema["enum"], f"{where} not in enum"
        if schema.get("format") == "date-time":
            assert datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None, f"{where} needs a zone"
    elif kind == "boolean":
        assert isinstance(value, bool), f"{where} must be a boolean"
    elif kind == "number":
        assert isinstance(value, int | float) and not isinstance(value, bool), f"{where} must be a number"


def _response_schema(contract: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    declared = contract["paths"][path][method]["responses"]
    assert status in declared, f"{method.upper()} {path} does not declare {status}"
    schema: dict[str, Any] = declared[status]["content"]["application/json"]["schema"]
    return schema


def _rel_headers(bearer: str) -> dict[str, str]:
    return {
        "Authorization": bearer,
        "CustomerID": CUSTOMER,
        "CorrelationID": str(uuid.uuid4()),
        "AccountInfoRequestID": str(uuid.uuid4()),
        "Legal-Mandate": SKATT.encoded,
    }


REL = "/customers/customerRelationships"
ASP = "/customers/accountServicingProvider"


async def test_customer_relationships_bodies(
    contract: dict[str, Any], hub: AsyncTestClient[Litestar], token: Callable[[str, str], str]
) -> None:
    headers = _rel_headers(token(SKATT_ORG, "bits:kundeforhold"))
    ok = await hub.get(
        REL,
        headers=headers,
        params={"fromDate": "2020-01-01", "toDate": TODAY.isoformat(), "onlyPrimaryOwner": "false"},
    )
    conforms(contract, _response_schema(contract, REL, "get", 200), ok.json())
    # v2 addition: ownershipType, enum of DSOP “Endpoint customerRelationships V.2.0”
    assert {b["ownershipType"] for b in ok.json()["banks"]} <= {"primaryOwner", "notPrimaryOwner", "unknown"}
    cases = [
        ({**headers, "CustomerID": "1"}, 400),
        ({**headers, "Authorization": "Bearer x"}, 401),
        ({**headers, "Authorization": token(SKATT_ORG, "bits:kundeforhold.write")}, 403),
    ]
    for bad, status in cases:
        response = await hub.get(REL, headers=bad, params={"fromDate": "2020-01-01", "toDate": TODAY.isoformat()})
        assert response.status_code == status
        conforms(contract, _response_schema(contract, REL, "get", status), response.json())


@pytest.mark.parametrize(
    "header", ["Authorization", "CustomerID", "CorrelationID", "AccountInfoRequestID", "Legal-Mandate"]
)
async def test_customer_relationships_mandatory_headers(
    hub: AsyncTestClient[Litestar], token: Callable[[str, str], str], header: str
) -> None:
    headers = _rel_headers(token(SKATT_ORG, "bits:kundeforhold"))
    del headers[header]
    response = await hub.get(REL, headers=headers, params={"fromDate": "2020-01-01", "toDate": TODAY.isoformat()})
    assert response.status_code in (400, 401, 403)
    assert response.json()["errorCode"].startswith("ERR-")


async def test_account_servicing_provider_bodies(
    contract: dict[str, Any], hub: AsyncTestClient[Litestar], token: Callable[[str, str], str]
) -> None:
    headers = {
        "Authorization": token(POLITI, "bits:kundeforhold.konto"),
        "AccountID": ACCOUNT,
        "CorrelationID": str(uuid.uuid4()),
        "AccountInfoRequestID": str(uuid.uuid4()),
        "Legal-Mandate": POLITI_STRAFFESAK.encoded,
    }
    ok = (await hub.get(ASP, headers=headers)).json()
    # The contract's Bank schema spells organizationId; v2 spells organizationID (DSOP “Endpoint
    # accountServicingProvider V.2.0”).
    bank = _resolve(contract, _response_schema(contract, ASP, "get", 200))
    assert set(bank["required"]) == {"organizationId", "bankName"}
    conforms(contract, bank, {**ok, "organizationId": ok["organizationID"]})
    bad = await hub.get(ASP, headers={**headers, "AccountID": "12"})
    conforms(contract, _response_schema(contract, ASP, "get", 400), bad.json())
    unauthenticated = await hub.get(ASP, headers={**headers, "Authorization": "Bearer x"})
    conforms(contract, _response_schema(contract, ASP, "get", 401), unauthenticated.json())
    assert set(unauthenticated.json()) == {"statusCode", "message"}


def _declared_headers(contract: dict[str, Any], path: str, method: str) -> set[str]:
    return {p["name"] for p in contract["paths"][path][method]["parameters"] if p["in"] == "header"}


async def test_kfr_write_operations_echo_correlation_id(
    contract: dict[str, Any], hub: AsyncTestClient[Litestar], token: Callable[[str, str], str]
) -> None:
    one = "/customers/financialInstitutions/{fid}/relationshipType/{type}"
    assert {"CustomerID", "CorrelationID"} <= _declared_headers(contract, one, "post")
    path = one.format(fid=BANK_A, type="DSOPBANK")
    correlation = str(uuid.uuid4())
    headers = {
        "Authorization": token(BANK_A, "bits:kundeforhold.write"),
        "CustomerID": CUSTOMER,
        "CorrelationID": correlation,
    }
    for method, expected in (("post", 201), ("post", 200), ("delete", 204), ("delete", 404)):
        response = await hub.request(method.upper(), path, headers=headers)
        assert response.status_code == expected
        declared = contract["paths"][one][method]["responses"][expected]
        assert "CorrelationID" in declared["headers"] and response.headers["CorrelationID"] == correlation
        if "content" in declared:
            conforms(contract, declared["content"]["application/json"]["schema"], response.json())


async def test_kfr_batch_form_fields(
    contract: dict[str, Any], hub: AsyncTestClient[Litestar], token: Callable[[str, str], str]
) -> None:
    path = "/customers/financialInstitutions/{fid}/batch"
    body = contract["paths"][path]["post"]["requestBody"]
    form = _resolve(contract, body["content"]["multipart/form-data"]["schema"])
    assert set(form["required"]) == {"customer_type", "customers"}
    correlation = str(uuid.uuid4())
    response = await hub.post(
        path.format(fid=BANK_A),
        headers={"Authorization": token(BANK_A, "bits:kundeforhold.write"), "CorrelationID": correlation},
        data={"customer_type": form["properties"]["customer_type"]["enum"][0]},
        files={"customers": ("c.csv", f"{CUSTOMER}#2019-11-08", "text/csv")},
    )
    assert response.status_code == 201 and response.headers["CorrelationID"] == correlation


async def test_kfr_own_bank_lookup(
    contract: dict[str, Any], hub: AsyncTestClient[Litestar], token: Callable[[str, str], str]
) -> None:
    path = "/customers/financialInstitutions/{fid}/"
    bearer = token(BANK_A, "bits:kundeforhold.write")
    response = await hub.get(path.format(fid=BANK_A), headers={"Authorization": bearer, "CustomerID": CUSTOMER})
    conforms(contract, _response_schema(contract, path, "get", 200), response.json())
    unauthenticated = await hub.get(
        path.format(fid=BANK_A), headers={"Authorization": "Bearer x", "CustomerID": CUSTOMER}
    )
    assert unauthenticated.status_code == 401
    conforms(contract, _response_schema(contract, path, "get", 401), unauthenticated.json())
    assert unauthenticated.json()["errorCode"] == "ERR-001"
