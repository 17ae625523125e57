"""Operations: one audit record per request, JSON logs without personal data, metrics, rate limits,
500s without stack traces, and the bank's OpenAPI document against the contract (DSOP “eOppslag”;
Bank_v2.yaml)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
import yaml

from opendsop.provider.logs import JsonFormatter
from opendsop.standard.endpoints import Endpoint
from tests.provider import bank as seed
from tests.provider.harness import CASE, Bank, Pki, open_bank

pytestmark = pytest.mark.anyio


async def test_every_request_leaves_one_audit_record(bank: Bank) -> None:
    reference = await bank.reference(seed.SKATT, seed.ANNE, seed.NUMBERS[seed.SALARY])  # allowed
    await bank.get(seed.SKATT, f"/v2/accounts/{reference}/transactions")  # allowed, 3 of 7
    await bank.accounts(seed.SKATT, seed.ANNE, Authorization="")  # 401
    await bank.accounts(seed.OED, seed.ANNE)  # denied: not dead
    await bank.client.post("/v2/accounts", headers=bank.headers(seed.SKATT))  # 405, before the pipeline
    await bank.client.get("/v2/nothing-here", headers=bank.headers(seed.SKATT))  # unknown path
    records = [stored.record for stored in await bank.audit.records()]
    assert [(r.endpoint, r.status, r.outcome) for r in records] == [
        ("accountList", 200, "allowed"),
        ("transactions", 200, "allowed"),
        ("accountList", 401, "ACC-010"),
        ("accountList", 403, "ACC-011"),
        ("accountList", 405, "ACC-012"),
        ("unknown", 404, "ACC-002"),
    ]
    listing, page = records[0], records[1]
    assert (listing.consumer_org, listing.service, listing.party_id, listing.records) == (
        seed.SKATT.orgno,
        "skatt",
        seed.ANNE,
        2,
    )
    assert listing.legal_mandate == seed.SKATT.mandate.encoded and listing.account_info_request_id == CASE
    assert listing.requester_id == "saksbehandler-17" and listing.correlation_id
    assert (page.account_reference, page.party_id, page.records) == (reference, seed.ANNE, 3)
    assert str(page.from_date) == "2025-01-01" and page.to_date == seed.TODAY
    assert records[2].consumer_org is None  # nobody authenticated
    assert records[3].service == "oed" and "dead" in (records[3].message or "")
    assert await bank.audit.verify() == len(records)  # the hash chain holds


async def test_politi_audit_keeps_the_order_with_the_mandate(bank: Bank) -> None:
    order = bank.order()
    await bank.accounts(seed.POLITI, seed.ANNE, AdditionalReferenceID=order)
    [stored] = await bank.audit.records()
    assert (stored.record.additional_reference_id_type, stored.record.additional_reference_id) == ("pol1", order)


async def test_no_data_leaves_once_the_audit_log_fails(bank: Bank) -> None:
    """The record of an answer is written after it was sent (it says whether it was delivered): once one
    cannot be written, data answers wait for their record before leaving, and are refused without one."""
    append = bank.audit.append

    async def broken(_record: Any) -> Any:
        raise OSError("disk full")

    bank.audit.append = broken  # type: ignore[method-assign]
    await bank.accounts(seed.SKATT, seed.ANNE)  # sent; its record fails afterwards
    refused = await bank.accounts(seed.SKATT, seed.ANNE)
    assert (refused.status_code, refused.json()["code"]) == (503, "ACC-100")
    assert refused.headers["retry-after"].isdigit()
    assert seed.NUMBERS[seed.SALARY] not in refused.text
    bank.audit.append = append  # type: ignore[method-assign]
    assert (await bank.accounts(seed.SKATT, seed.ANNE)).status_code == 200  # back at once


async def test_called_directly_the_pipeline_withholds_an_answer_whose_record_fails(bank: Bank) -> None:
    async def broken(_record: Any) -> Any:
        raise RuntimeError("audit bug")

    bank.audit.append = broken  # type: ignore[method-assign]
    pipeline = bank.app.state["provider"]
    answer = await pipeline.handle(
        Endpoint.ACCOUNTS,
        path="/v2/accounts",
        query={"OnlyPrimaryOwner": "true"},
        headers=bank.headers(seed.SKATT, party=seed.ANNE),
    )
    assert (answer.status, json.loads(answer.body)["code"]) == (500, "ACC-500")
    assert seed.NUMBERS[seed.SALARY].encode() not in answer.body


async def test_unexpected_failure_is_500_without_a_stack_trace(bank: Bank, caplog: pytest.LogCaptureFixture) -> None:
    async def explode(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"core system exploded for {seed.ANNE}")

    bank.app.state["provider"].store.accounts_for_party = explode
    with caplog.at_level(logging.ERROR, logger="opendsop.provider"):
        response = await bank.accounts(seed.SKATT, seed.ANNE)
    assert (response.status_code, response.json()["code"]) == (500, "ACC-500")
    assert "exploded" not in response.text and "Traceback" not in response.text
    assert any(record.exc_info for record in caplog.records)  # the operator still sees it
    formatted = [JsonFormatter().format(record) for record in caplog.records]
    assert all(seed.ANNE not in line for line in formatted)  # redacted


async def test_log_lines_are_json_with_ids_and_no_personal_data(bank: Bank, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="opendsop.provider"):
        response = await bank.accounts(seed.SKATT, seed.ANNE)
    assert response.status_code == 200
    [record] = [r for r in caplog.records if r.getMessage() == "control request"]
    line = json.loads(JsonFormatter().format(record))
    assert line["account_info_request_id"] == CASE
    assert line["correlation_id"] == response.headers["correlationid"]
    assert (line["consumer"], line["service"], line["endpoint"], line["status"]) == (
        seed.SKATT.orgno,
        "skatt",
        "listAccounts",
        200,
    )
    text = json.dumps(line)
    for secret in (seed.ANNE, seed.NUMBERS[seed.SALARY], "Anne"):
        assert secret not in text


async def test_metrics(bank: Bank) -> None:
    await bank.accounts(seed.SKATT, seed.ANNE)
    await bank.accounts(seed.SKATT, seed.ANNE, CorrelationID="bad")
    await bank.client.delete("/v2/accounts")
    response = await bank.client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'dsop_provider_requests_total{endpoint="listAccounts",service="skatt",status="200"} 1' in text
    assert 'dsop_provider_requests_total{endpoint="listAccounts",service="skatt",status="400"} 1' in text
    assert 'dsop_provider_requests_total{endpoint="listAccounts",service="none",status="405"} 1' in text
    assert 'dsop_provider_request_duration_seconds_count{endpoint="listAccounts"} 3' in text
    assert seed.ANNE not in text


async def test_rate_limit_per_consumer(pki: Pki, token_issuer: Any) -> None:
    limited = await open_bank(pki, token_issuer, rate_per_second=0.01, rate_burst=2)
    async with limited.client:
        statuses = [(await limited.accounts(seed.SKATT, seed.ANNE)).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        refused = await limited.accounts(seed.SKATT, seed.ANNE)
        assert refused.json()["code"] == "ACC-022"
        assert int(refused.headers["retry-after"]) >= 1
        other = await limited.accounts(seed.NAV, seed.ANNE)  # another consumer has its own budget
        assert other.status_code == 200


async def test_health(bank: Bank) -> None:
    assert (await bank.client.get("/health")).json() == {"status": "ok"}


# -- the OpenAPI document against Bank_v2.yaml -------------------------------------------------------------


def _operations(document: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        operation["operationId"]: (path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method == "get"
    }


def _parameters(operation: dict[str, Any]) -> dict[tuple[str, str], tuple[bool, Any, Any]]:
    out = {}
    for parameter in operation["parameters"]:
        if parameter.get("x-opendsop"):
            continue
        schema = parameter.get("schema", {})
        out[(parameter["name"].strip(), parameter["in"])] = (
            parameter.get("required", False),
            schema.get("type"),
            schema.get("format") or schema.get("enum"),
        )
    return out


async def test_openapi_document_matches_the_contract(bank: Bank, reference_dir: Path) -> None:
    contract = yaml.safe_load((reference_dir / "Bank_v2.yaml").read_text(encoding="utf-8"))
    response = await bank.client.get("/v2/openapi.json")
    assert response.status_code == 200
    ours = response.json()
    assert ours["servers"] == [{"url": seed.BASE_URL}]
    theirs_ops, our_ops = _operations(contract), _operations(ours)
    assert set(our_ops) == set(theirs_ops)
    for operation_id, (path, theirs) in theirs_ops.items():
        our_path, mine = our_ops[operation_id]
        assert our_path == path, operation_id
        assert _parameters(mine) == _parameters(theirs), operation_id
        assert set(mine["responses"]) == set(theirs["responses"]), operation_id
        assert set(mine["responses"]["200"]["content"]) == set(theirs["responses"]["200"]["content"])
    assert ours["components"]["securitySchemes"] == contract["components"]["securitySchemes"]
    for name in ("Accounts", "AccountDetails", "Transactions", "Cards", "Roles", "Error"):
        assert name in ours["components"]["schemas"]
