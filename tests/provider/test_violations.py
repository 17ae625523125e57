"""Each documented violation gets its documented status and code, as plain ``{code, message}`` JSON.

Sources: DSOP “Recommendations regarding validation” (validation list), DSOP “eOppslag” (status ↔ code), DSOP “Security
design” (token claims), the DSOP services' “Løsningsbeskrivelse” pages
(service rules, extradition order checks); the DSOP services' “Løsningsbeskrivelse” pages; DSOP Politi
“Utleveringspålegg”.  One row per rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from tests.provider import bank as seed
from tests.provider.harness import OTHER_CASE, Bank

pytestmark = pytest.mark.anyio

SUB = {"details": "", "transactions": "/transactions", "cards": "/cards", "roles": "/roles"}


@dataclass(frozen=True)
class Row:
    id: str
    consumer: seed.Consumer
    endpoint: str  # "accounts" or a key of SUB
    status: int
    code: str
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    party: str = seed.ANNE
    names: str | None = None  # the parameter the message must name


ROWS = [
    # formats (DSOP “eOppslag”; DSOP “Recommendations regarding validation”)
    Row(
        "correlation-id-not-uuid",
        seed.SKATT,
        "accounts",
        400,
        "ACC-001",
        {"CorrelationID": "1234"},
        names="CorrelationID",
    ),
    Row(
        "case-id-not-uuid",
        seed.SKATT,
        "details",
        400,
        "ACC-001",
        {"AccountInfoRequestID": "case-17"},
        names="AccountInfoRequestID",
    ),
    Row(
        "party-id-bad-checksum",
        seed.SKATT,
        "accounts",
        400,
        "ACC-001",
        party=seed.ANNE[:-1] + "0" if seed.ANNE[-1] != "0" else seed.ANNE[:-1] + "1",
        names="PartyID",
    ),
    Row(
        "only-primary-owner-not-boolean",
        seed.SKATT,
        "accounts",
        400,
        "ACC-001",
        params={"OnlyPrimaryOwner": "ja"},
        names="OnlyPrimaryOwner",
    ),
    Row(
        "from-date-not-a-date",
        seed.SKATT,
        "accounts",
        400,
        "ACC-001",
        params={"fromDate": "2025-13-01"},
        names="fromDate",
    ),
    # strict value parsing (docs/decisions.md "Values from the wire"): ASCII digits, nothing around the value
    Row(
        "from-date-full-width-digits",
        seed.SKATT,
        "transactions",
        400,
        "ACC-001",
        params={"fromDate": "２０２５-01-01"},
        names="fromDate",
    ),
    Row(
        "from-date-trailing-newline",
        seed.SKATT,
        "transactions",
        400,
        "ACC-001",
        params={"fromDate": "2025-01-01\n"},
        names="fromDate",
    ),
    Row(
        "from-date-year-1",
        seed.SKATT,
        "transactions",
        400,
        "ACC-001",
        params={"fromDate": "0001-01-01"},
        names="fromDate",
    ),
    Row(
        "only-primary-owner-ideographic-space",
        seed.SKATT,
        "accounts",
        400,
        "ACC-001",
        params={"OnlyPrimaryOwner": "true\u3000"},
        names="OnlyPrimaryOwner",
    ),
    Row(
        "to-date-before-from-date",
        seed.SKATT,
        "transactions",
        400,
        "ACC-001",
        params={"fromDate": "2025-06-01", "toDate": "2025-05-01"},
        names="toDate",
    ),
    Row("to-date-in-future", seed.NAV, "accounts", 400, "ACC-001", params={"toDate": "2026-02-01"}, names="toDate"),
    # legal basis (DSOP “Recommendations regarding validation”)
    Row(
        "unknown-mandate",
        seed.SKATT,
        "accounts",
        400,
        "ACC-001",
        {"Legal-Mandate": "Lov%20om%20ingenting"},
        names="Legal-Mandate",
    ),
    Row(
        "mandate-of-another-consumer",
        seed.SKATT,
        "accounts",
        403,
        "ACC-011",
        {"Legal-Mandate": seed.NAV.mandate.encoded},
        names="Legal-Mandate",
    ),
    Row(
        "requester-id-missing-for-skatt",
        seed.SKATT,
        "accounts",
        400,
        "ACC-001",
        {"RequesterID": ""},
        names="RequesterID",
    ),
    Row(
        "reference-type-not-for-skatt",
        seed.SKATT,
        "accounts",
        400,
        "ACC-001",
        {"AdditionalReferenceIDType": "srf", "AdditionalReferenceID": seed.GUARDIAN},
        names="AdditionalReferenceIDType",
    ),
    Row(
        "only-primary-owner-false-for-oed",
        seed.OED,
        "accounts",
        400,
        "ACC-001",
        party=seed.DAG,
        params={"OnlyPrimaryOwner": "false"},
        names="OnlyPrimaryOwner",
    ),
    # endpoint allow-lists (DSOP “eOppslag”, the DSOP services' “Løsningsbeskrivelse” pages)
    Row("verge-may-not-call-cards", seed.VERGE, "cards", 400, "ACC-001", party=seed.WARD),
    Row("politi-order-denies-roles", seed.POLITI, "roles", 403, "ACC-011"),
    # periods (the DSOP services' “Løsningsbeskrivelse” pages)
    Row(
        "skatt-more-than-ten-years-back",
        seed.SKATT,
        "accounts",
        400,
        "ACC-001",
        params={"fromDate": "2015-01-14"},
        names="fromDate",
    ),
    Row(
        "oed-before-death-minus-three-months",
        seed.OED,
        "accounts",
        400,
        "ACC-001",
        party=seed.DAG,
        params={"fromDate": "2025-08-31"},
        names="fromDate",
    ),
    Row(
        "konkurs-before-ruling-minus-twelve-months",
        seed.KONKURS,
        "accounts",
        400,
        "ACC-001",
        party=seed.FIRMA,
        params={"fromDate": "2024-11-02"},
        names="fromDate",
    ),
    Row(
        "verge-outside-last-calendar-year",
        seed.VERGE,
        "accounts",
        400,
        "ACC-001",
        party=seed.WARD,
        params={"toDate": "2026-01-10"},
    ),
    # register facts (the DSOP services' “Løsningsbeskrivelse” pages)
    Row("oed-for-a-living-person", seed.OED, "accounts", 403, "ACC-011", party=seed.ANNE),
    Row("konkurs-without-bankruptcy-notice", seed.KONKURS, "accounts", 403, "ACC-011", party=seed.ANNE),
    Row(
        "verge-with-another-guardian",
        seed.VERGE,
        "accounts",
        403,
        "ACC-011",
        party=seed.WARD,
        headers={"AdditionalReferenceID": seed.BERIT},
        names="AdditionalReferenceID",
    ),
    # extradition order (DSOP Politi “Løsningsbeskrivelse”)
    Row(
        "politi-without-order",
        seed.POLITI,
        "accounts",
        400,
        "ACC-001",
        {"AdditionalReferenceIDType": "", "AdditionalReferenceID": ""},
        names="AdditionalReferenceIDType",
    ),
    Row(
        "politi-order-not-a-jws",
        seed.POLITI,
        "accounts",
        400,
        "ACC-001",
        {"AdditionalReferenceID": "garbage"},
        names="AdditionalReferenceID",
    ),
    Row("politi-period-outside-order", seed.POLITI, "accounts", 403, "ACC-011", params={"fromDate": "2019-06-01"}),
    # references (DSOP “eOppslag”: 404 only on {accountReference})
    Row("unknown-reference", seed.SKATT, "details", 404, "ACC-002"),
    Row("data-not-delivered-reference", seed.SKATT, "transactions", 404, "ACC-003"),
    # token (DSOP “Security design”)
    Row("missing-token", seed.SKATT, "accounts", 401, "ACC-010", {"Authorization": ""}),
    Row("not-a-bearer-token", seed.SKATT, "details", 401, "ACC-010", {"Authorization": "Basic dXNlcjpwdw=="}),
    # content negotiation (DSOP “eOppslag”: 406 ACC-013)
    Row("accept-html", seed.SKATT, "accounts", 406, "ACC-013", {"Accept": "text/html"}),
]


async def _request(bank: Bank, row: Row) -> tuple[int, dict[str, str]]:
    if row.endpoint == "accounts":
        response = await bank.accounts(row.consumer, row.party, params=row.params, **row.headers)
        return response.status_code, response.json()
    if row.id == "unknown-reference":
        reference = "A" * 32
    elif row.id == "data-not-delivered-reference":
        reference = "dataNotDelivered"
    else:
        reference = await bank.reference(row.consumer, row.party, _first_account(row.party))
    response = await bank.get(
        row.consumer, f"/v2/accounts/{reference}{SUB[row.endpoint]}", params=row.params, **row.headers
    )
    return response.status_code, response.json()


def _first_account(party: str) -> str:
    return seed.NUMBERS[{seed.ANNE: seed.SALARY, seed.WARD: seed.WARD_MAIN, seed.DAG: seed.ESTATE}[party]]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
async def test_violation(bank: Bank, row: Row) -> None:
    status, body = await _request(bank, row)
    assert (status, body.get("code")) == (row.status, row.code), body
    assert set(body) == {"code", "message"} and body["message"]
    if row.names:
        assert row.names in body["message"]


async def test_every_violation_is_answered_in_plain_json(bank: Bank) -> None:
    response = await bank.accounts(seed.SKATT, seed.ANNE, accept=None, CorrelationID="nope")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")  # never encrypted (DSOP “eOppslag”)


async def test_party_mismatch_with_order(bank: Bank) -> None:
    order = bank.order(party=seed.BERIT)
    response = await bank.accounts(seed.POLITI, seed.ANNE, AdditionalReferenceID=order)
    assert (response.status_code, response.json()["code"]) == (403, "ACC-011")


async def test_order_signed_by_an_untrusted_key_is_refused(bank: Bank) -> None:
    from opendsop.prosecution.keystore import create_signing_credential
    from opendsop.prosecution.orders import issue_extradition_order, new_order
    from opendsop.trust.pki import CertificateAuthority

    rogue_ca = CertificateAuthority.create_root("rogue root", now=seed.NOW - timedelta(days=30))
    rogue = create_signing_credential(rogue_ca, now=seed.NOW - timedelta(days=30), environment="test")
    genuine = bank.order()
    from opendsop.trust.jwt import unverified_claims

    claims = dict(unverified_claims(genuine))
    claims.pop("version"), claims.pop("exp"), claims["approval"].pop("approvalTimestamp")
    forged = issue_extradition_order(
        new_order(claims, now=seed.NOW - timedelta(days=1), synthetic_allowed=True), rogue, kid=bank.pki.signing.kid
    )  # claims the genuine kid
    response = await bank.accounts(seed.POLITI, seed.ANNE, AdditionalReferenceID=forged)
    assert (response.status_code, response.json()["code"]) == (403, "ACC-011")
    assert "signature" in response.json()["message"]


async def test_tampered_continuation_token(bank: Bank) -> None:
    reference = await bank.reference(seed.SKATT, seed.ANNE, seed.NUMBERS[seed.SALARY])
    first = await bank.get(seed.SKATT, f"/v2/accounts/{reference}/transactions")
    href = next(link["href"] for link in first.json()["links"] if link["rel"] == "next")
    path, _, query = ("/v2" + href).partition("?")  # relative to the API base
    params = dict(pair.split("=", 1) for pair in query.split("&"))
    token = params["continuationToken"]
    params["continuationToken"] = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    response = await bank.client.get(path, params=params, headers=bank.headers(seed.SKATT))
    assert (response.status_code, response.json()["code"]) == (400, "ACC-001")
    assert "continuationToken" in response.json()["message"]


async def test_continuation_token_of_another_period_is_refused(bank: Bank) -> None:
    reference = await bank.reference(seed.SKATT, seed.ANNE, seed.NUMBERS[seed.SALARY])
    first = await bank.get(seed.SKATT, f"/v2/accounts/{reference}/transactions")
    href = next(link["href"] for link in first.json()["links"] if link["rel"] == "next")
    path, _, query = ("/v2" + href).partition("?")  # relative to the API base
    params = dict(pair.split("=", 1) for pair in query.split("&"))
    params["fromDate"] = "2025-02-01"
    response = await bank.client.get(path, params=params, headers=bank.headers(seed.SKATT))
    assert (response.status_code, response.json()["code"]) == (400, "ACC-001")


async def test_another_consumers_reference_is_not_found(bank: Bank) -> None:
    reference = await bank.reference(seed.SKATT, seed.ANNE, seed.NUMBERS[seed.SALARY])
    response = await bank.get(seed.NAV, f"/v2/accounts/{reference}")
    assert response.status_code == 404
    assert response.json()["code"] in ("ACC-002", "ACC-003")


async def test_reference_used_in_another_case(bank: Bank) -> None:
    reference = await bank.reference(seed.SKATT, seed.ANNE, seed.NUMBERS[seed.SALARY])
    response = await bank.get(seed.SKATT, f"/v2/accounts/{reference}", case=OTHER_CASE)
    assert (response.status_code, response.json()["code"]) == (404, "ACC-003")


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("expired", {"now": seed.NOW - timedelta(minutes=10)}, (401, "ACC-010")),
        ("wrong-audience", {"audience": "https://another-bank.test/v2"}, (401, "ACC-010")),
        ("wrong-scope", {"scope": "bits:kundeforhold"}, (403, "ACC-011")),
    ],
)
async def test_token_rules(bank: Bank, name: str, options: dict[str, object], expected: tuple[int, str]) -> None:
    token = bank.token(seed.SKATT, **options)  # type: ignore[arg-type]
    response = await bank.accounts(seed.SKATT, seed.ANNE, token=token)
    assert (response.status_code, response.json()["code"]) == expected
    if expected[0] == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_only_get(bank: Bank, method: str) -> None:
    response = await bank.client.request(method, "/v2/accounts", headers=bank.headers(seed.SKATT, party=seed.ANNE))
    assert (response.status_code, response.json()["code"]) == (405, "ACC-012")
    assert response.headers["allow"] == "GET"


async def test_head_is_refused_too(bank: Bank) -> None:
    response = await bank.client.head("/v2/accounts/abc/cards")
    assert response.status_code == 405


async def test_party_mismatch_with_order_on_a_2b_endpoint(bank: Bank) -> None:
    """The party of a 2b request is the one the accountReference was issued for (Facts.party_id)."""
    reference = await bank.reference(seed.POLITI, seed.ANNE, seed.NUMBERS[seed.SALARY])
    response = await bank.get(
        seed.POLITI, f"/v2/accounts/{reference}/transactions", AdditionalReferenceID=bank.order(party=seed.BERIT)
    )
    assert (response.status_code, response.json()["code"]) == (403, "ACC-011")


async def test_order_with_only_primary_owner_refuses_false(bank: Bank) -> None:
    response = await bank.accounts(seed.POLITI, seed.ANNE, params={"OnlyPrimaryOwner": "false"})
    assert (response.status_code, response.json()["code"]) == (403, "ACC-011")
