"""Control API v1 for consumers still on v1 (Bank_v1.yaml), judged by v1's rules while the bank's phase-out
window is open, and answered "retired" after it.

A v1 consumer sends the v1 documentation's Legal-Mandate texts and headers (no RequesterID, no
OnlyPrimaryOwner, ``pol`` for the police) and gets v1-shaped bodies (decoded strictly with
``standard.control.v1``), the data model's v1→v2 differences read backwards, the same service filter and
encryption as v2, ACC-coded refusals, and an OpenAPI document at ``/v1/openapi.json`` matching the contract.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import msgspec
import pytest
import yaml

from opendsop.provider.v1_bodies import to_v1
from opendsop.standard import mandate, wire
from opendsop.standard.control import v1, v2
from opendsop.standard.delivery import DEFAULT_POLICY
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services import OwnerRule, get_profile
from tests.provider import bank as seed
from tests.provider.harness import CASE, Bank, Pki, default_period, open_bank, settings

pytestmark = pytest.mark.anyio

# The v1 consumers: the v1 legal page's texts ("Juridiske rammebetingelser Kontrollinformasjon").
SKATT_V1 = dataclasses.replace(seed.SKATT, mandate=mandate.SKATT_V1)
SKATT_KOMPENSASJON_V1 = dataclasses.replace(seed.SKATT, mandate=mandate.SKATT_KOMPENSASJON_V1)
POLITI_HVITVASKING_V1 = dataclasses.replace(seed.POLITI, mandate=mandate.POLITI_HVITVASKING_V1)
POLITI_210_V1 = dataclasses.replace(seed.POLITI, mandate=mandate.POLITI_210_FORSTE_V1)
# "police district;firstname lastname", formatted text encoded ("Specification of eOppslag" v1).
POL_REFERENCE = {
    "AdditionalReferenceIDType": "pol",
    "AdditionalReferenceID": mandate.encode_uri_component("Oslo politidistrikt;Kari Nordmann"),
}

BODIES: dict[str, type[Any]] = {
    "": v1.AccountDetails,
    "/transactions": v1.Transactions,
    "/cards": v1.Cards,
    "/roles": v1.Roles,
}
SUFFIX = {
    Endpoint.ACCOUNT_DETAILS: "",
    Endpoint.TRANSACTIONS: "/transactions",
    Endpoint.CARDS: "/cards",
    Endpoint.ROLES: "/roles",
}


def strict(response: httpx.Response, model: type[Any]) -> Any:
    """The body decoded with the v1 model, refusing any field the model does not know.

    ``wire.decode`` is a tolerant reader; re-encoding the decoded value and comparing it with the raw
    JSON makes it strict: an unknown field (say ``cardStatus``) would not survive the round trip.
    """
    assert response.status_code == 200, response.text
    decoded = wire.decode(response.content, model)
    assert msgspec.json.decode(wire.encode(decoded)) == response.json(), "a field outside the v1 model"
    return decoded


def v1_headers(
    bank: Bank,
    consumer: seed.Consumer,
    *,
    party: str | None = None,
    accept: str | None = "application/json",
    **extra: str,
) -> dict[str, str]:
    """Only the headers Bank_v1.yaml declares (no RequesterID, no pol1/srf)."""
    headers = {
        "Authorization": f"Bearer {bank.token(consumer)}",
        "CorrelationID": str(uuid.uuid4()),
        "AccountInfoRequestID": CASE,
        "Legal-Mandate": consumer.mandate.encoded,
    }
    if accept is not None:
        headers["Accept"] = accept
    if party is not None:
        headers["PartyID"] = party
    headers.update(extra)
    return headers


async def v1_accounts(
    bank: Bank, consumer: seed.Consumer, party: str, *, params: Mapping[str, str] | None = None, **header_options: Any
) -> httpx.Response:
    return await bank.client.get(
        "/v1/accounts",
        params={**default_period(consumer), **(params or {})},
        headers=v1_headers(bank, consumer, party=party, **header_options),
    )


async def v1_get(bank: Bank, consumer: seed.Consumer, path: str, **header_options: Any) -> httpx.Response:
    return await bank.client.get(
        path, params=default_period(consumer), headers=v1_headers(bank, consumer, **header_options)
    )


def _listed(accounts: v1.Accounts) -> dict[str, v1.Account]:
    return {account.account_identifier: account for account in accounts.accounts or ()}


# -- v1 bodies --------------------------------------------------------------------------------------


async def test_nav_flow_in_v1_shape(bank: Bank) -> None:
    accounts = strict(await v1_accounts(bank, seed.NAV, seed.ANNE), v1.Accounts)
    assert accounts.response_status == "complete"  # v1's string, not v2's responseDetails object
    listed = _listed(accounts)
    assert set(listed) == {seed.NUMBERS[seed.SALARY], seed.NUMBERS[seed.SAVINGS]}
    salary = listed[seed.NUMBERS[seed.SALARY]]
    links = {link.rel: link.href for link in salary.links or ()}
    # per-account links, relative to the v1 API base like `next`
    assert links["self"] == f"/accounts/{salary.account_reference}"
    links = {rel: "/v1" + href for rel, href in links.items()}

    details = strict(await v1_get(bank, seed.NAV, links["self"]), v1.AccountDetails)
    assert details.account is not None and details.account.account_identifier == seed.NUMBERS[seed.SALARY]
    assert details.response_status == "complete"

    collected: list[str] = []
    path: str | None = links["transactions"]
    for _page in range(10):
        assert path is not None
        response = await bank.client.get(
            path, params=None if collected else default_period(seed.NAV), headers=v1_headers(bank, seed.NAV)
        )
        page = strict(response, v1.Transactions)
        collected += [item.transaction_identifier for item in page.transactions or ()]
        href = {link.rel: link.href for link in page.links or ()}.get("next")
        if href is None:
            break
        assert href.startswith("/accounts/")  # relative to the v1 base: paging stays on v1
        path = "/v1" + href
    assert sorted(collected) == sorted(f"s-{index}" for index in range(seed.SALARY_TRANSACTIONS))

    cards = await v1_get(bank, seed.NAV, links["cards"])
    [card] = strict(cards, v1.Cards).payment_cards
    assert card.card_identifier.endswith("5678")
    assert not {"cardStatus", "versionNumber"} & set(cards.json()["paymentCards"][0])  # new in v2 (DSOP “Change log”)

    roles = strict(await v1_get(bank, seed.NAV, links["roles"]), v1.Roles)
    assert {role.identifier.value for role in roles.roles or () if role.identifier} == {seed.ANNE, seed.BERIT}


@pytest.mark.parametrize(
    ("consumer", "v2_consumer", "party", "account"),
    [
        (seed.NAV, seed.NAV, seed.DAG, seed.ESTATE),
        (seed.KONKURS, seed.KONKURS, seed.FIRMA, seed.BUSINESS),
        (SKATT_V1, seed.SKATT, seed.ANNE, seed.SALARY),
    ],
    ids=["nav", "konkurs", "skatt-v1-text"],
)
async def test_v1_carries_the_v2_data_and_withholds_the_same_fields(
    bank: Bank, consumer: seed.Consumer, v2_consumer: seed.Consumer, party: str, account: str
) -> None:
    """Same store, same filter: a v1 body is the filtered v2 body with the data model's v1/v2 differences."""
    profile = get_profile(consumer.service)
    owner = "true" if profile.owner_rule is OwnerRule.TRUE_ONLY else "false"  # v1's OnlyPrimaryOwner
    v2_list = await bank.accounts(v2_consumer, party, params={"OnlyPrimaryOwner": owner})
    v1_list = await v1_accounts(bank, consumer, party)
    strict(v1_list, v1.Accounts)
    pairs = [(Endpoint.ACCOUNTS, v2_list.json(), v1_list.json())]
    reference = next(
        item["accountReference"]
        for item in v1_list.json()["accounts"]
        if item["accountIdentifier"] == seed.NUMBERS[account]
    )
    for endpoint, suffix in SUFFIX.items():
        if profile.allows(endpoint):
            old = await v1_get(bank, consumer, f"/v1/accounts/{reference}{suffix}")
            strict(old, BODIES[suffix])
            new = await bank.get(v2_consumer, f"/v2/accounts/{reference}{suffix}")
            pairs.append((endpoint, new.json(), old.json()))
    for endpoint, new_body, old_body in pairs:
        for path in profile.delivery.withheld(endpoint, DEFAULT_POLICY):
            assert not _present(old_body, path), f"{consumer.service} v1 {endpoint.operation_id} leaks {path}"
        assert _without_account_links(old_body) == _as_v1(new_body), endpoint.operation_id


def _present(body: Any, path: str) -> bool:
    head, _, rest = path.partition(".")
    if isinstance(body, list):
        return any(_present(item, path) for item in body)
    if not isinstance(body, dict) or head not in body:
        return False
    return True if not rest else _present(body[head], rest)


def _without_account_links(body: dict[str, Any]) -> dict[str, Any]:
    if "accounts" not in body:
        return body
    return {
        **body,
        "accounts": [{key: value for key, value in item.items() if key != "links"} for item in body["accounts"]],
    }


def _as_v1(node: Any) -> Any:
    """A v2 JSON body as DSOP “Change log” says v1 wrote it (per-account links aside)."""
    if isinstance(node, list):
        return [_as_v1(item) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "responseDetails":
            result["responseStatus"] = value["status"]
        elif key in ("cardStatus", "versionNumber"):
            continue
        elif key == "type" and value == "accountWithoutBalance":
            result[key] = "otherAccount"
        elif key == "servicer" and "identifier" not in value:
            continue
        elif key == "href" and value.startswith("/v2/"):
            result[key] = "/v1/" + value.removeprefix("/v2/")  # paging stays on the version asked
        else:
            result[key] = _as_v1(value)
    return result


async def test_only_primary_owner_is_false_for_services_that_may_choose(bank: Bank) -> None:
    """BERIT is only a disponent on SALARY: v1 lists it for NAV, as v2 does with OnlyPrimaryOwner=false."""
    listed = _listed(strict(await v1_accounts(bank, seed.NAV, seed.BERIT), v1.Accounts))
    assert set(listed) == {seed.NUMBERS[seed.SALARY]}
    owned = await bank.accounts(seed.NAV, seed.BERIT, params={"OnlyPrimaryOwner": "true"})
    assert owned.json()["accounts"] == []
    ignored = await v1_accounts(bank, seed.NAV, seed.BERIT, params={"OnlyPrimaryOwner": "true"})
    assert set(_listed(strict(ignored, v1.Accounts))) == set(listed)  # not a v1 parameter: ignored


async def test_only_primary_owner_is_true_for_true_only_services(bank: Bank) -> None:
    # Konkurs: FIRMA owns BUSINESS; a TRUE-only service never sees accounts the party merely uses.
    assert get_profile("konkurs").owner_rule is OwnerRule.TRUE_ONLY
    listed = _listed(strict(await v1_accounts(bank, seed.KONKURS, seed.FIRMA), v1.Accounts))
    assert set(listed) == {seed.NUMBERS[seed.BUSINESS]}
    assert all(
        account.primary_owner is None
        or account.primary_owner.identifier is None
        or account.primary_owner.identifier.value == seed.FIRMA
        for account in listed.values()
    )


async def test_shielded_party_gets_an_empty_complete_list(bank: Bank) -> None:
    accounts = strict(await v1_accounts(bank, seed.NAV, seed.SKJERMET), v1.Accounts)
    assert (accounts.response_status, accounts.accounts) == ("complete", ())


async def test_v1_answers_are_encrypted_like_v2(bank: Bank) -> None:
    response = await v1_accounts(bank, seed.NAV, seed.ANNE, accept=None)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/jose")
    plaintext = bank.decrypt(response, bank.pki.encryption[seed.NAV.orgno])
    accounts = wire.convert(plaintext, v1.Accounts, strict=False)
    assert set(_listed(accounts)) == {seed.NUMBERS[seed.SALARY], seed.NUMBERS[seed.SAVINGS]}
    assert "responseDetails" not in plaintext


# -- v1's rules while the window is open ---------------------------------------------------------------

# id, consumer, extra headers, source page of the rule. Each request carries only what Bank_v1.yaml declares.
SERVED = [
    ("skatt-10-2-without-requester-id", SKATT_V1, {}, "Juridiske rammebetingelser Kontrollinformasjon (v1)"),
    ("skatt-kompensasjonsordningen", SKATT_KOMPENSASJON_V1, {}, "Juridiske rammebetingelser Kontrollinformasjon"),
    (
        "politi-hvitvasking-without-reference",
        POLITI_HVITVASKING_V1,
        {},
        "Juridiske rammebetingelser Kontrollinformasjon (v1)",
    ),
    (
        "politi-210-with-pol",
        POLITI_210_V1,
        POL_REFERENCE,
        "Specification of eOppslag (v1), AdditionalReferenceIDType and AdditionalReferenceID",
    ),
    ("requester-id-not-in-v1-ignored", SKATT_V1, {"RequesterID": "  "}, "Bank_v1.yaml: no RequesterID"),
    ("nav-text-unchanged", seed.NAV, {}, "Juridiske rammebetingelser Kontrollinformasjon (v1)"),
    ("konkurs-text-unchanged", seed.KONKURS, {}, "Juridiske rammebetingelser Konkursbehandling"),
]


@pytest.mark.parametrize(("consumer", "extra"), [row[1:3] for row in SERVED], ids=[row[0] for row in SERVED])
async def test_v1_requests_are_served_by_v1_rules(bank: Bank, consumer: seed.Consumer, extra: dict[str, str]) -> None:
    party = seed.FIRMA if consumer is seed.KONKURS else seed.ANNE
    response = await v1_accounts(bank, consumer, party, **extra)
    strict(response, v1.Accounts)
    [stored] = await bank.audit.records()
    assert (stored.record.service, stored.record.status) == (consumer.service, 200)


# id, consumer, extra headers, expected status, code, words the message must contain
REFUSALS = [
    ("skatt-v2-text-at-v1", seed.SKATT, {}, 400, "ACC-001", ("Legal-Mandate", "v2", "/v2")),
    ("politi-v2-text-at-v1", seed.POLITI, {}, 400, "ACC-001", ("Legal-Mandate", "v2")),
    ("verge-v2-text-at-v1", seed.VERGE, {}, 400, "ACC-001", ("Legal-Mandate", "v2")),
    ("oed-v2-text-at-v1", seed.OED, {}, 400, "ACC-001", ("Legal-Mandate", "v2")),
    ("politi-210-needs-pol", POLITI_210_V1, {}, 400, "ACC-001", ("AdditionalReferenceIDType", "pol")),
    (
        "politi-210-pol-without-name",
        POLITI_210_V1,
        {"AdditionalReferenceIDType": "pol", "AdditionalReferenceID": "Oslo%20politidistrikt"},
        400,
        "ACC-001",
        ("AdditionalReferenceID", "firstname lastname"),
    ),
    ("pol-not-for-nav", seed.NAV, POL_REFERENCE, 400, "ACC-001", ("AdditionalReferenceIDType",)),
    (
        "pol1-not-a-v1-value",
        POLITI_210_V1,
        {"AdditionalReferenceIDType": "pol1", "AdditionalReferenceID": "x.y.z"},
        400,
        "ACC-001",
        ("AdditionalReferenceIDType", "v1"),
    ),
    (
        "srf-not-a-v1-value",
        seed.NAV,
        {"AdditionalReferenceIDType": "srf", "AdditionalReferenceID": seed.GUARDIAN},
        400,
        "ACC-001",
        ("AdditionalReferenceIDType", "v1"),
    ),
    ("account-id-not-in-use", seed.NAV, {"AccountID": seed.NUMBERS[seed.SALARY]}, 400, "ACC-001", ("AccountID",)),
    ("party-id-empty", seed.NAV, {"PartyID": ""}, 400, "ACC-001", ("PartyID",)),
    ("legal-mandate-empty", seed.NAV, {"Legal-Mandate": ""}, 400, "ACC-001", ("Legal-Mandate", "empty")),
    ("no-token", seed.NAV, {"Authorization": ""}, 401, "ACC-010", ("Authorization",)),
    ("wrong-mandate", seed.NAV, {"Legal-Mandate": seed.KONKURS.mandate.encoded}, 403, "ACC-011", ("Legal-Mandate",)),
    (
        "skatt-v1-text-from-nav",
        seed.NAV,
        {"Legal-Mandate": mandate.SKATT_V1.encoded},
        403,
        "ACC-011",
        ("Legal-Mandate",),
    ),
]


@pytest.mark.parametrize(
    ("consumer", "extra", "status", "code", "words"), [row[1:] for row in REFUSALS], ids=[row[0] for row in REFUSALS]
)
async def test_refusals(
    bank: Bank, consumer: seed.Consumer, extra: dict[str, str], status: int, code: str, words: tuple[str, ...]
) -> None:
    party = seed.WARD if consumer is seed.VERGE else seed.DAG if consumer is seed.OED else seed.ANNE
    response = await bank.client.get(
        "/v1/accounts", params=default_period(consumer), headers=v1_headers(bank, consumer, party=party, **extra)
    )
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert response.headers["content-type"].startswith("application/json")
    for word in words:
        assert word in response.json()["message"]
    [stored] = await bank.audit.records()  # refused and still audited
    assert (stored.record.endpoint, stored.record.status) == (Endpoint.ACCOUNTS.value, status)


@pytest.mark.parametrize("consumer", [SKATT_V1, POLITI_HVITVASKING_V1], ids=["skatt-10-2", "hvitvasking"])
async def test_v2_refuses_v1_texts(bank: Bank, consumer: seed.Consumer) -> None:
    v2_consumer = seed.SKATT if consumer.service == "skatt" else seed.POLITI
    response = await bank.accounts(v2_consumer, seed.ANNE, **{"Legal-Mandate": consumer.mandate.encoded})
    assert (response.status_code, response.json()["code"]) == (400, "ACC-001"), response.text
    assert "v1" in response.json()["message"]


# -- after the window -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_day", "served"),
    [
        (seed.TODAY, True),
        (seed.TODAY - timedelta(days=1), False),
    ],
    ids=["last-day-still-served", "day-after-retired"],
)
async def test_v1_window(pki: Pki, token_issuer: Any, last_day: date, served: bool) -> None:
    bank = await open_bank(pki, token_issuer, v1_served_until=last_day)
    try:
        response = await v1_accounts(bank, SKATT_V1, seed.ANNE)
        if served:
            strict(response, v1.Accounts)
        else:
            assert (response.status_code, response.json()["code"]) == (410, "ACC-014"), response.text
            assert "/v2" in response.json()["message"]
            reference = await v1_get(bank, seed.NAV, "/v1/accounts/anything/transactions")
            assert (reference.status_code, reference.json()["code"]) == (410, "ACC-014")
            anonymous = await bank.client.get("/v1/accounts")  # retired before anything is checked
            assert (anonymous.status_code, anonymous.json()["code"]) == (410, "ACC-014")
        v2 = await bank.accounts(seed.SKATT, seed.ANNE)  # v2 is not affected by the v1 window
        assert v2.status_code == 200, v2.text
        refused = await bank.accounts(seed.SKATT, seed.ANNE, **{"Legal-Mandate": SKATT_V1.mandate.encoded})
        assert refused.status_code == 400, refused.text
        records = await bank.audit.records()
        assert records[0].record.status == (200 if served else 410)  # the retired answer is audited too
    finally:
        await bank.client.aclose()


def test_production_serves_no_v1_unless_configured() -> None:
    assert settings(environment="production", paging_key="k" * 16, reference_secret="r" * 16).v1_window is None
    assert settings().v1_window == date.max  # test: open
    assert settings(v1_served_until="2026-05-31").v1_window == date(2026, 5, 31)


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v1/accounts/no-such-reference", 404, "ACC-002"),
        ("GET", "/v1/accounts/no-such-reference/roles", 404, "ACC-002"),
        ("POST", "/v1/accounts", 405, "ACC-012"),
        ("DELETE", "/v1/accounts/abc/cards", 405, "ACC-012"),
    ],
    ids=["unknown-reference", "unknown-reference-roles", "post", "delete"],
)
async def test_paths_and_methods(bank: Bank, method: str, path: str, status: int, code: str) -> None:
    response = await bank.client.request(
        method, path, params=default_period(seed.NAV), headers=v1_headers(bank, seed.NAV)
    )
    assert (response.status_code, response.json()["code"]) == (status, code), response.text


async def test_v2_reference_rules_hold_on_v1(bank: Bank) -> None:
    """A reference from the Accounts response of another case is not usable (404 ACC-003), as in v2."""
    reference = await bank.reference(seed.NAV, seed.ANNE, seed.NUMBERS[seed.SALARY])
    other_case = "5f0c2f9e-8a51-4f5e-9d43-0b7a2d1e6c22"
    response = await v1_get(bank, seed.NAV, f"/v1/accounts/{reference}", AccountInfoRequestID=other_case)
    assert (response.status_code, response.json()["code"]) == (404, "ACC-003"), response.text


# -- body mapping (DSOP “Change log”), for what the seeded bank does not hold ---------------------------


def test_mapping_of_v2_only_values() -> None:
    identifier = v2.Identifier(value=seed.BANK_ORGNO, type=v2.IdentifierType.COUNTRY_IDENTIFICATION_CODE)
    card = v2.PaymentCard(card_identifier="492500XXXXXX5678", card_status=v2.CardStatus.BLOCKED, version_number="2")
    accounts = v2.Accounts(
        response_details=v2.ResponseDetails(status=v2.ResponseStatus.PARTIAL, message="Arkiv"),
        accounts=(
            v2.Account(
                account_identifier="12000000009",
                account_reference="ref-a",
                type=v2.AccountType.ACCOUNT_WITHOUT_BALANCE,
                servicer=v2.FinancialInstitution(name="Uten id"),
            ),
            v2.Account(
                account_identifier="12000000010",
                account_reference="dataNotDelivered",
                servicer=v2.FinancialInstitution(identifier=identifier, name="Testbanken"),
            ),
        ),
    )
    mapped = wire.validated(to_v1(Endpoint.ACCOUNTS, accounts, path="/v1/accounts"))
    assert isinstance(mapped, v1.Accounts) and mapped.response_status == "partial"
    assert mapped.accounts is not None
    first, second = mapped.accounts
    assert first.links is not None
    assert first.type == "otherAccount"  # accountWithoutBalance is new in v2
    assert first.servicer is None  # v1 requires servicer.identifier: no half object
    assert {link.href for link in first.links} == {
        "/accounts/ref-a",
        "/accounts/ref-a/transactions",
        "/accounts/ref-a/cards",
        "/accounts/ref-a/roles",
    }
    assert second.links is None  # dataNotDelivered names no account to link to
    assert second.servicer == v1.FinancialInstitution(identifier=identifier, name="Testbanken")

    cards = to_v1(
        Endpoint.CARDS,
        v2.Cards(response_details=v2.ResponseDetails(status=v2.ResponseStatus.COMPLETE), payment_cards=(card,)),
        path="/v1/accounts/x/cards",
    )
    assert "cardStatus" not in msgspec.json.decode(wire.encode(cards))["paymentCards"][0]
    booked = v2.Transaction(transaction_identifier="t-1", payment_card=card, amount=Decimal("1.00"))
    transactions = to_v1(
        Endpoint.TRANSACTIONS,
        v2.Transactions(response_details=v2.ResponseDetails(status=v2.ResponseStatus.COMPLETE), transactions=(booked,)),
        path="/",
    )
    encoded = msgspec.json.decode(wire.encode(wire.validated(transactions)))
    assert encoded["transactions"][0]["paymentCard"] == {"cardIdentifier": "492500XXXXXX5678"}
    assert encoded["transactions"][0]["amount"] == 1.0


def test_every_v2_account_type_has_a_v1_value() -> None:
    for value in v2.AccountType:
        body = v2.AccountDetails(
            response_details=v2.ResponseDetails(status=v2.ResponseStatus.COMPLETE),
            account=v2.AccountDetail(
                account_identifier="12000000009", account_reference="r", type=value, start_date=date(2020, 1, 1)
            ),
        )
        mapped = wire.validated(to_v1(Endpoint.ACCOUNT_DETAILS, body, path="/v1/accounts/r"))
        assert mapped.account.type in set(v1.AccountType)


# -- OpenAPI parity with Bank_v1.yaml ---------------------------------------------------------------


def _parameter_shape(parameter: dict[str, Any]) -> tuple[Any, ...]:
    schema = parameter["schema"]
    return (
        parameter["in"],
        parameter.get("required", False),
        schema.get("type"),
        schema.get("format"),
        tuple(schema.get("enum", ())),
    )


async def test_openapi_matches_bank_v1_yaml(bank: Bank, reference_dir: Path) -> None:
    contract = yaml.safe_load((reference_dir / "Bank_v1.yaml").read_text(encoding="utf-8"))
    response = await bank.client.get("/v1/openapi.json")
    assert response.status_code == 200
    own = response.json()
    assert own["servers"][0]["url"].endswith("/v1")
    assert own["components"]["securitySchemes"] == contract["components"]["securitySchemes"]
    assert set(own["paths"]) == set(contract["paths"])
    for path, operations in contract["paths"].items():
        expected, actual = operations["get"], own["paths"][path]["get"]
        assert actual["operationId"] == expected["operationId"]
        declared = {item["name"]: _parameter_shape(item) for item in actual["parameters"] if "x-opendsop" not in item}
        assert declared == {item["name"]: _parameter_shape(item) for item in expected["parameters"]}, path
        assert set(actual["responses"]) == set(expected["responses"]), path
        for status, answer in expected["responses"].items():
            assert set(actual["responses"][status]["content"]) == set(answer["content"]), (path, status)
            json_schema = answer["content"]["application/json"]["schema"]
            assert actual["responses"][status]["content"]["application/json"]["schema"] == json_schema
    for name in (
        "Accounts",
        "Account",
        "AccountDetails",
        "AccountDetail",
        "Transactions",
        "Transaction",
        "Cards",
        "PaymentCard",
        "Roles",
        "AccountRole",
        "FinancialInstitution",
        "ElectronicAddress",
    ):
        schema, ours = contract["components"]["schemas"][name], own["components"]["schemas"][name]
        assert set(ours["properties"]) == set(schema["properties"]), name
        assert set(ours.get("required", ())) == set(schema.get("required", ())), name
    for name in ("AccountType", "ResponseStatus", "CardType"):
        assert set(own["components"]["schemas"][name]["enum"]) == set(contract["components"]["schemas"][name]["enum"])


# -- whatever a v1 consumer sends, the answer is one Bank_v1.yaml declares ---------------------------


@pytest.mark.slow
@pytest.mark.parametrize("document", ["contract", "own"])
def test_answers_conform_to_bank_v1_yaml(pki: Pki, token_issuer: Any, reference_dir: Path, document: str) -> None:
    schemathesis = pytest.importorskip("schemathesis")
    hypothesis = pytest.importorskip("hypothesis")
    from schemathesis import checks

    bank = asyncio.run(open_bank(pki, token_issuer))
    token = bank.token(seed.NAV)
    reference = asyncio.run(bank.reference(seed.NAV, seed.ANNE, seed.NUMBERS[seed.SALARY]))
    if document == "contract":
        schema = schemathesis.openapi.from_path(reference_dir / "Bank_v1.yaml")
        schema.app = bank.app
    else:
        schema = schemathesis.openapi.from_asgi("/v1/openapi.json", bank.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5
    statuses: list[int] = []
    paths: set[str] = set()
    valid = {
        "Authorization": f"Bearer {token}",
        "Legal-Mandate": seed.NAV.mandate.encoded,
        "PartyID": seed.ANNE,
        "AccountInfoRequestID": CASE,
        "Accept": "application/json",
    }
    for operation in operations:

        @hypothesis.settings(
            max_examples=8,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy())
        def run(case: Any) -> None:
            if "accountReference" in (case.path_parameters or {}):
                case.path_parameters = {"accountReference": reference}
            for name in ("AccountID", "AdditionalReferenceIDType", "AdditionalReferenceID"):
                (case.headers or {}).pop(name, None)  # these are refused by design; let some requests through
            response = case.call_and_validate(
                headers=valid,
                checks=[
                    checks.not_a_server_error,
                    checks.status_code_conformance,
                    checks.content_type_conformance,
                    checks.response_schema_conformance,
                ],
            )
            statuses.append(response.status_code)
            paths.add(urlsplit(str(response.request.url)).path.split("/accounts")[0])

        run()
    asyncio.run(bank.client.aclose())
    assert 200 in statuses, statuses
    assert paths == {"/v1"}, paths
