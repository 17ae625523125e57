"""Over HTTP: a Legal-Mandate of step 1 is no basis for account data, and an empty value is malformed.

* Vergekontroll: vergemålsforskriften § 20a first paragraph letter a is the basis for customer relations,
  letters b-e for account data (Vergekontroll: Juridiske rammebetingelser); OED's legal page names § 92
  alone for step 1 (Oppgjør etter dødsfall: Juridiske rammebetingelser).  The bank refuses a step-1 text
  with 403 ACC-011 and serves nothing, on every endpoint the service may otherwise call.
* ``?fromDate=&toDate=``, ``OnlyPrimaryOwner=`` and an empty header are 400 ACC-001 naming the parameter,
  on /v2 and on /v1 (Bank_v2.yaml / Bank_v1.yaml: dates are ``format: date``, the boolean is required).
"""

from __future__ import annotations

from typing import Any

import pytest

from opendsop.standard import mandate
from opendsop.standard.endpoints import Endpoint
from tests.provider import bank as seed
from tests.provider.harness import Bank, default_period

pytestmark = pytest.mark.anyio

STEP1_TEXTS = [
    ("verge-20a-letter-a", seed.VERGE, seed.WARD, mandate.VERGE_RELATIONS),
    ("oed-92-alone", seed.OED, seed.DAG, mandate.OED_RELATIONS),
]


@pytest.mark.parametrize(
    ("consumer", "party", "step1"), [row[1:] for row in STEP1_TEXTS], ids=[row[0] for row in STEP1_TEXTS]
)
async def test_a_step1_text_is_refused_at_step2(
    bank: Bank, consumer: seed.Consumer, party: str, step1: mandate.Mandate
) -> None:
    listed = await bank.accounts(consumer, party)  # the step-2 text is served
    assert listed.status_code == 200, listed.text
    reference = listed.json()["accounts"][0]["accountReference"]
    refused = [await bank.accounts(consumer, party, **{"Legal-Mandate": step1.encoded})]
    for suffix in ("", "/transactions"):
        refused.append(
            await bank.get(consumer, f"/v2/accounts/{reference}{suffix}", **{"Legal-Mandate": step1.encoded})
        )
    for response in refused:
        assert (response.status_code, response.json()["code"]) == (403, "ACC-011"), response.text
        assert "customer relations" in response.json()["message"]
        assert consumer.mandate.text in response.json()["message"]  # says which text to send
        assert "accounts" not in response.json()
    records = [stored.record for stored in await bank.audit.records()]
    assert [record.status for record in records[-3:]] == [403, 403, 403]


EMPTY_QUERY = [
    ("fromDate-empty", {"fromDate": ""}, "fromDate"),
    ("toDate-empty", {"toDate": ""}, "toDate"),
    ("both-dates-empty", {"fromDate": "", "toDate": ""}, "fromDate"),
    ("fromDate-blank", {"fromDate": " "}, "fromDate"),
    ("OnlyPrimaryOwner-empty", {"OnlyPrimaryOwner": ""}, "OnlyPrimaryOwner"),
]


@pytest.mark.parametrize(("params", "parameter"), [row[1:] for row in EMPTY_QUERY], ids=[row[0] for row in EMPTY_QUERY])
async def test_an_empty_query_value_is_malformed_on_v2(bank: Bank, params: dict[str, str], parameter: str) -> None:
    response = await bank.accounts(seed.NAV, seed.ANNE, params=params)
    assert (response.status_code, response.json()["code"]) == (400, "ACC-001"), response.text
    assert parameter in response.json()["message"]


@pytest.mark.parametrize("params", [{"fromDate": ""}, {"toDate": "  "}], ids=["fromDate-empty", "toDate-blank"])
async def test_an_empty_date_is_malformed_on_v1_and_on_2b_endpoints(bank: Bank, params: dict[str, str]) -> None:
    [parameter] = params
    reference = await bank.reference(seed.NAV, seed.ANNE, seed.NUMBERS[seed.SALARY])
    headers: dict[str, Any] = {k: v for k, v in bank.headers(seed.NAV, party=seed.ANNE).items() if k != "RequesterID"}
    for path in ("/v1/accounts", f"/v1/accounts/{reference}/transactions", f"/v2/accounts/{reference}"):
        response = await bank.client.get(path, params={**default_period(seed.NAV), **params}, headers=headers)
        assert (response.status_code, response.json()["code"]) == (400, "ACC-001"), (path, response.text)
        assert parameter in response.json()["message"]


@pytest.mark.parametrize(
    "header", ["Legal-Mandate", "CorrelationID", "AccountInfoRequestID", "PartyID", "AdditionalReferenceIDType"]
)
@pytest.mark.parametrize("prefix", ["/v2", "/v1"])
async def test_an_empty_header_is_malformed(bank: Bank, header: str, prefix: str) -> None:
    headers = bank.headers(seed.NAV, party=seed.ANNE, **{header: ""})
    query = {**default_period(seed.NAV), **({"OnlyPrimaryOwner": "true"} if prefix == "/v2" else {})}
    response = await bank.client.get(f"{prefix}/accounts", params=query, headers=headers)
    assert (response.status_code, response.json()["code"]) == (400, "ACC-001"), response.text
    assert header in response.json()["message"]
    [stored] = await bank.audit.records()
    assert (stored.record.endpoint, stored.record.status) == (Endpoint.ACCOUNTS.value, 400)
