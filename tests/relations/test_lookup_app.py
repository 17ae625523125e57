"""customerRelationships and accountServicingProvider over HTTP (DSOP “Endpoint customerRelationships V.2.0”; DSOP
“eOppslag”; DSOP “Endpoint accountServicingProvider V.2.0”; the DSOP services' “Løsningsbeskrivelse” pages;
KAR.yaml)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from opendsop.relations.sources import MemoryRelationSource, Relation, Role, SourceUnavailable
from opendsop.standard.mandate import KONKURS, POLITI_STRAFFESAK, SKATT
from tests.relations.conftest import AUDIENCE, BANK_A, BANK_B, BRREG, POLITI, TODAY, person
from tests.relations.conftest import SKATT as SKATT_ORG

pytestmark = pytest.mark.anyio
CUSTOMER = person(11)
ACCOUNT = "12345678903"
PATH = "/customers/customerRelationships"
ASP = "/customers/accountServicingProvider"


def _sources() -> tuple[MemoryRelationSource, MemoryRelationSource]:
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
    return kar, kfr


@pytest.fixture
async def hub(make_app: Callable[..., Litestar], sqlite_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    kar, kfr = _sources()
    async with AsyncTestClient(make_app(sqlite_url, kar=kar, accounts=kar, kfr_source=kfr)) as client:
        yield client


def rel_headers(
    token: str, *, customer: str | None = CUSTOMER, mandate: str | None = SKATT.encoded, **extra: str
) -> dict[str, str]:
    headers = {"Authorization": token, "CorrelationID": str(uuid.uuid4()), "AccountInfoRequestID": str(uuid.uuid4())}
    if customer is not None:
        headers["CustomerID"] = customer
    if mandate is not None:
        headers["Legal-Mandate"] = mandate
    headers.update(extra)
    return headers


PERIOD = {"fromDate": "2020-01-01", "toDate": TODAY.isoformat()}


async def test_merges_kar_and_kfr(hub: AsyncTestClient[Litestar], token: Callable[[str, str], str]) -> None:
    response = await hub.get(PATH, params=PERIOD, headers=rel_headers(token(SKATT_ORG, "bits:kundeforhold")))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "banks": [
            {"organizationID": BANK_A, "bankName": "Bank A", "activeAccount": True},
            {"organizationID": BANK_B, "bankName": "Bank B", "activeAccount": False},
        ]
    }


@pytest.mark.parametrize("where", ["query", "header"])
async def test_only_primary_owner_as_query_or_header(
    hub: AsyncTestClient[Litestar], token: Callable[[str, str], str], where: str
) -> None:
    headers = rel_headers(token(SKATT_ORG, "bits:kundeforhold"))
    params = dict(PERIOD)
    if where == "query":
        params["onlyPrimaryOwner"] = "false"
    else:
        headers["onlyPrimaryOwner"] = "false"
    response = await hub.get(PATH, params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert [b["ownershipType"] for b in response.json()["banks"]] == ["primaryOwner", "unknown"]


async def test_only_primary_owner_query_and_header_disagree(
    hub: AsyncTestClient[Litestar], token: Callable[[str, str], str]
) -> None:
    headers = rel_headers(token(SKATT_ORG, "bits:kundeforhold"), onlyPrimaryOwner="true")
    response = await hub.get(PATH, params={**PERIOD, "onlyPrimaryOwner": "false"}, headers=headers)
    assert response.status_code == 403 and response.json()["errorCode"] == "ERR-001"


def _expect_error(response: Any, status: int, code: str, mentions: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"errorCode", "errorMessage", "timestamp"}
    assert body["errorCode"] == code
    if mentions:
        assert mentions in body["errorMessage"]


BAD_REQUESTS = [
    (
        "customer-bad-checksum",
        {"customer": CUSTOMER[:-1] + str((int(CUSTOMER[-1]) + 1) % 10)},
        PERIOD,
        400,
        "ERR-002",
        "CustomerID",
    ),
    ("customer-missing", {"customer": None}, PERIOD, 400, "ERR-002", "CustomerID"),
    ("customer-letters", {"customer": "1510869508X"}, PERIOD, 400, "ERR-002", "CustomerID"),
    ("period-bad-format", {}, {"fromDate": "01.01.2020", "toDate": TODAY.isoformat()}, 400, "ERR-003", "fromDate"),
    ("period-reversed", {}, {"fromDate": TODAY.isoformat(), "toDate": "2020-01-01"}, 400, "ERR-003", "toDate"),
    (
        "period-future",
        {},
        {"fromDate": "2020-01-01", "toDate": (TODAY + timedelta(days=1)).isoformat()},
        400,
        "ERR-003",
        "toDate",
    ),
    ("period-over-10-years", {}, {"fromDate": "2015-01-14", "toDate": TODAY.isoformat()}, 400, "ERR-003", "fromDate"),
    ("mandate-missing", {"mandate": None}, PERIOD, 403, "ERR-001", "Legal-Mandate"),
    ("mandate-of-another-consumer", {"mandate": KONKURS.encoded}, PERIOD, 403, "ERR-001", "Legal-Mandate"),
    ("case-id-missing", {"AccountInfoRequestID": ""}, PERIOD, 403, "ERR-001", "AccountInfoRequestID"),
    ("case-id-not-uuid", {"AccountInfoRequestID": "case-17"}, PERIOD, 403, "ERR-001", "AccountInfoRequestID"),
    ("owner-flag-garbage", {"onlyPrimaryOwner": "ja"}, PERIOD, 403, "ERR-001", "onlyPrimaryOwner"),
]


@pytest.mark.parametrize(
    ("changes", "params", "status", "code", "mentions"), [b[1:] for b in BAD_REQUESTS], ids=[b[0] for b in BAD_REQUESTS]
)
async def test_bad_requests(
    hub: AsyncTestClient[Litestar],
    token: Callable[[str, str], str],
    changes: dict[str, Any],
    params: dict[str, str],
    status: int,
    code: str,
    mentions: str,
) -> None:
    changes = dict(changes)
    customer = changes.pop("customer", CUSTOMER)
    mandate = changes.pop("mandate", SKATT.encoded)
    headers = rel_headers(token(SKATT_ORG, "bits:kundeforhold"), customer=customer, mandate=mandate, **changes)
    _expect_error(await hub.get(PATH, params=params, headers=headers), status, code, mentions)


async def test_ten_years_back_is_allowed(hub: AsyncTestClient[Litestar], token: Callable[[str, str], str]) -> None:
    params = {"fromDate": TODAY.replace(year=TODAY.year - 10).isoformat(), "toDate": TODAY.isoformat()}
    response = await hub.get(PATH, params=params, headers=rel_headers(token(SKATT_ORG, "bits:kundeforhold")))
    assert response.status_code == 200, response.text


async def test_konkurs_requires_owner_flag_true(
    hub: AsyncTestClient[Litestar], token: Callable[[str, str], str]
) -> None:
    headers = rel_headers(token(BRREG, "bits:kundeforhold"), mandate=KONKURS.encoded)
    refused = await hub.get(PATH, params={**PERIOD, "onlyPrimaryOwner": "false"}, headers=headers)
    _expect_error(refused, 403, "ERR-001", "onlyPrimaryOwner")
    allowed = await hub.get(PATH, params={**PERIOD, "onlyPrimaryOwner": "true"}, headers=headers)
    assert allowed.status_code == 200, allowed.text


async def test_unauthenticated_and_unauthorised(
    hub: AsyncTestClient[Litestar], token: Callable[[str, str], str]
) -> None:
    no_token = rel_headers("")
    del no_token["Authorization"]
    _expect_error(await hub.get(PATH, params=PERIOD, headers=no_token), 401, "ERR-001")
    garbage = rel_headers("Bearer not-a-jwt")
    _expect_error(await hub.get(PATH, params=PERIOD, headers=garbage), 401, "ERR-001")
    wrong_scope = rel_headers(token(SKATT_ORG, "bits:kundeforhold.konto"))
    _expect_error(await hub.get(PATH, params=PERIOD, headers=wrong_scope), 403, "ERR-001", "bits:kundeforhold")


@pytest.mark.parametrize("failing", ["KAR", "KFR"])
@pytest.mark.parametrize("failure", [SourceUnavailable("x"), TimeoutError()], ids=["unavailable", "timeout"])
async def test_source_down_is_504(
    make_app: Callable[..., Litestar],
    sqlite_url: str,
    token: Callable[[str, str], str],
    failing: str,
    failure: Exception,
) -> None:
    kar, kfr = _sources()
    (kar if failing == "KAR" else kfr).fail = failure
    async with AsyncTestClient(make_app(sqlite_url, kar=kar, accounts=kar, kfr_source=kfr)) as client:
        response = await client.get(PATH, params=PERIOD, headers=rel_headers(token(SKATT_ORG, "bits:kundeforhold")))
    _expect_error(response, 504, "ERR-504", failing)


def asp_headers(
    token: str, *, account: str | None = ACCOUNT, mandate: str = POLITI_STRAFFESAK.encoded
) -> dict[str, str]:
    headers = {
        "Authorization": token,
        "CorrelationID": str(uuid.uuid4()),
        "AccountInfoRequestID": str(uuid.uuid4()),
        "Legal-Mandate": mandate,
    }
    if account is not None:
        headers["AccountID"] = account
    return headers


async def test_account_servicing_provider_for_politi(
    hub: AsyncTestClient[Litestar], token: Callable[[str, str], str]
) -> None:
    response = await hub.get(ASP, headers=asp_headers(token(POLITI, "bits:kundeforhold.konto")))
    assert response.status_code == 200, response.text
    assert response.json() == {"organizationID": BANK_A, "bankName": "Bank A"}


async def test_account_servicing_provider_only_for_politi(
    hub: AsyncTestClient[Litestar], token: Callable[[str, str], str]
) -> None:
    response = await hub.get(
        ASP, headers=asp_headers(token(SKATT_ORG, "bits:kundeforhold.konto"), mandate=SKATT.encoded)
    )
    _expect_error(response, 403, "ERR-001")


@pytest.mark.parametrize(
    "account", ["1234", "1234567890X", None, "99999999999"], ids=["too-short", "letters", "missing", "unknown-to-kar"]
)
async def test_account_servicing_provider_bad_account(
    hub: AsyncTestClient[Litestar], token: Callable[[str, str], str], account: str | None
) -> None:
    response = await hub.get(ASP, headers=asp_headers(token(POLITI, "bits:kundeforhold.konto"), account=account))
    _expect_error(response, 400, "ERR-004", "AccountID")


async def test_account_servicing_provider_401_body(hub: AsyncTestClient[Litestar]) -> None:
    response = await hub.get(ASP, headers=asp_headers("Bearer nonsense"))
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"statusCode", "message"} and body["statusCode"] == 401


async def test_account_servicing_provider_needs_konto_scope(
    hub: AsyncTestClient[Litestar], token: Callable[[str, str], str]
) -> None:
    response = await hub.get(ASP, headers=asp_headers(token(POLITI, "bits:kundeforhold")))
    _expect_error(response, 403, "ERR-001", "bits:kundeforhold.konto")


# -- how the hub reads tokens (tokens.py) -----------------------------------------------------------

OTHER_AUDIENCE = "https://bank.test/v2"
TOKEN_SHAPES = [
    # (Authorization as sent, aud of the token, scope, status, source of the rule)
    ("Bearer {token}", AUDIENCE, "bits:kundeforhold", 200, "RFC 6750; aud names the hub"),
    ("bearer {token}", AUDIENCE, "bits:kundeforhold", 200, "RFC 7235: the scheme is case-insensitive"),
    ("{token}", AUDIENCE, "bits:kundeforhold", 200, "docs/decisions.md: a bare token (plugin-banking's KAR call)"),
    ("Bearer {token}", None, "bits:kundeforhold", 200, "docs/decisions.md: no aud (no resource asked)"),
    ("{token}", None, "bits:kundeforhold", 200, "plugin-banking exactly: bare and without aud"),
    ("Bearer {token}", [OTHER_AUDIENCE, AUDIENCE], "bits:kundeforhold", 200, "an aud array naming the hub"),
    ("Bearer {token}", OTHER_AUDIENCE, "bits:kundeforhold", 401, "an aud that names someone else: not for the hub"),
    ("{token}", OTHER_AUDIENCE, "bits:kundeforhold", 401, "bare changes nothing about aud"),
    ("Bearer {token}", [OTHER_AUDIENCE], "bits:kundeforhold", 401, "an aud array without the hub"),
    ("Bearer {token}", None, "bits:kontoinformasjon", 403, "without aud the scope still decides"),
    ("{token}", None, "bits:kontoinformasjon", 403, "bare and without aud: the scope still decides"),
    ("Basic {token}", AUDIENCE, "bits:kundeforhold", 401, "another scheme is refused"),
    ("Bearer", AUDIENCE, "bits:kundeforhold", 401, "a scheme without a token"),
    ("not-a-jwt", AUDIENCE, "bits:kundeforhold", 401, "a bare value is still verified as a token"),
]


@pytest.mark.parametrize(
    ("authorization", "aud", "scope", "status", "source"),
    TOKEN_SHAPES,
    ids=[f"{row[0].split(' ')[0]}-aud={row[1]}-{row[2]}" for row in TOKEN_SHAPES],
)
async def test_token_shapes(
    hub: AsyncTestClient[Litestar],
    token_issuer: Any,
    authorization: str,
    aud: Any,
    scope: str,
    status: int,
    source: str,
) -> None:
    minted = token_issuer.mint(SKATT_ORG, scope, aud)
    response = await hub.get(PATH, params=PERIOD, headers=rel_headers(authorization.format(token=minted)))
    assert response.status_code == status, (source, response.text)
    if status != 200:
        _expect_error(response, status, "ERR-001")
