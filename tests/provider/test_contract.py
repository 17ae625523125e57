"""Schemathesis against the contract Bank_v2.yaml (and the bank's own OpenAPI document): whatever a
consumer sends, every answer is one the document declares (status, content type, body schema), and
nothing is a 5xx.

Two runs per operation: fully generated requests (nearly all refused: the contract allows any
string where the standard wants a statute or a checksummed number), and generated requests with
a valid legal basis, party and accountReference, which reach the data.  ``positive_data_acceptance``
is left out on purpose: refusing a schema-valid but meaningless Legal-Mandate is the standard's rule.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.provider import bank as seed
from tests.provider.harness import CASE, Pki, open_bank

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")

from schemathesis import checks  # noqa: E402

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def _valid_headers(token: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "Legal-Mandate": seed.NAV.mandate.encoded,
        "PartyID": seed.ANNE,
        "AccountInfoRequestID": CASE,
        "Accept": "application/json",
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("document", "meaningful"),
    [("contract", False), ("contract", True), ("own", True)],
    ids=["contract-generated", "contract-valid-basis", "own-document-valid-basis"],
)
def test_answers_conform(pki: Pki, token_issuer: Any, reference_dir: Path, document: str, meaningful: bool) -> None:
    bank = asyncio.run(open_bank(pki, token_issuer))
    token = bank.token(seed.NAV)

    async def issue_reference() -> str:
        return await bank.reference(seed.NAV, seed.ANNE, seed.NUMBERS[seed.SALARY])

    reference = asyncio.run(issue_reference())
    if document == "contract":
        schema = schemathesis.openapi.from_path(reference_dir / "Bank_v2.yaml")
        schema.app = bank.app
    else:  # the bank's own /v2/openapi.json must describe its answers just as well
        schema = schemathesis.openapi.from_asgi("/v2/openapi.json", bank.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    statuses: list[int] = []
    assert len(operations) == 5
    for operation in operations:

        @hypothesis.settings(
            max_examples=10 if meaningful else 6,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy())
        def run(case: Any) -> None:
            headers = {"Authorization": f"Bearer {token}"}
            if meaningful:
                headers = _valid_headers(token)
                if "accountReference" in (case.path_parameters or {}):
                    case.path_parameters = {"accountReference": reference}
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses.append(response.status_code)

        run()
    asyncio.run(bank.client.aclose())
    if meaningful:  # the valid basis reaches the data, not only the refusals
        assert 200 in statuses, statuses
