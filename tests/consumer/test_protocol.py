"""The sans-I/O protocol: requests built, answers interpreted, the call flow driven by hand (no sockets)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import msgspec
import pytest

from opendsop.consumer.errors import BankDenied, BankUnavailable, ProtocolViolation, RateLimited, Unauthorized
from opendsop.consumer.protocol import (
    BankEndpoint,
    CallOptions,
    CaseParameters,
    HttpRequest,
    HttpResponse,
    NeedToken,
    build_request,
    call_flow,
    error_for,
    interpret,
    resolve_next,
    retry_after_seconds,
)
from opendsop.standard import mandate
from opendsop.standard.control import v1
from opendsop.standard.endpoints import Endpoint

BANK = BankEndpoint("910000001", "https://bank.test/v2")
V1_BANK = BankEndpoint("910000009", "https://old.test/v1", "v1")
CASE = CaseParameters(
    account_info_request_id="d4a820ca-ddde-11ed-b5ea-0242ac120002",
    mandate=mandate.VERGE,
    party_id="01017012345",
    from_date=date(2025, 1, 1),
    to_date=date(2025, 12, 31),
    reference_type="srf",
    reference_id="02027012345",
)
JSON = {"content-type": "application/json"}


def plain(body: dict[str, Any], status: int = 200, **headers: str) -> HttpResponse:
    return HttpResponse(status, {**JSON, **headers}, msgspec.json.encode(body))


def no_decrypt(token: str) -> bytes:
    raise AssertionError("nothing is encrypted in these tests")


def test_accounts_request_carries_party_owner_flag_period_and_references() -> None:
    request = build_request(BANK, CASE, Endpoint.ACCOUNTS, token="t")
    assert request.url == ("https://bank.test/v2/accounts?OnlyPrimaryOwner=true&fromDate=2025-01-01&toDate=2025-12-31")
    headers = request.headers
    assert headers["PartyID"] == CASE.party_id and headers["Authorization"] == "Bearer t"
    assert headers["Legal-Mandate"] == mandate.VERGE.encoded and headers["Accept"] == "application/jose"
    assert (headers["AdditionalReferenceIDType"], headers["AdditionalReferenceID"]) == ("srf", "02027012345")
    assert "RequesterID" not in headers  # Verge sends none


def test_account_requests_carry_no_party_and_quote_the_reference() -> None:
    request = build_request(BANK, CASE, Endpoint.TRANSACTIONS, token="t", account_reference="a/b c")
    assert request.url.startswith("https://bank.test/v2/accounts/a%2Fb%20c/transactions?fromDate=")
    assert "PartyID" not in request.headers and "OnlyPrimaryOwner" not in request.url


def test_v1_has_no_only_primary_owner() -> None:
    assert "OnlyPrimaryOwner" not in build_request(V1_BANK, CASE, Endpoint.ACCOUNTS, token="t").url


def test_each_request_gets_a_new_correlation_id_and_plaintext_only_when_asked() -> None:
    first = build_request(BANK, CASE, Endpoint.ACCOUNTS, token="t")
    second = build_request(BANK, CASE, Endpoint.ACCOUNTS, token="t", options=CallOptions(plaintext=True))
    assert first.headers["CorrelationID"] != second.headers["CorrelationID"]
    assert second.headers["Accept"] == "application/json"


def test_correlation_ids_are_random_version_4_uuids() -> None:
    import uuid

    from opendsop.consumer.protocol import new_correlation_id

    ids = [new_correlation_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for value in ids:
        parsed = uuid.UUID(value)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and str(parsed) == value


def test_data_not_delivered_is_never_requested() -> None:
    with pytest.raises(ValueError, match="digital letter"):
        build_request(BANK, CASE, Endpoint.ACCOUNT_DETAILS, token="t", account_reference="dataNotDelivered")


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        pytest.param(400, "ACC-001", BankDenied, id="400-invalid-request"),
        pytest.param(401, "ACC-010", Unauthorized, id="401-token"),
        pytest.param(403, "ACC-011", BankDenied, id="403-not-authorised"),
        pytest.param(404, "ACC-002", BankDenied, id="404-unknown-reference"),
        pytest.param(406, "ACC-013", BankDenied, id="406-not-acceptable"),
        pytest.param(429, "ACC-022", RateLimited, id="429-rate-limited"),
        pytest.param(500, "ACC-100", BankUnavailable, id="500-source-down"),
        pytest.param(503, None, BankUnavailable, id="503-no-body"),
    ],
)
def test_errors_map_by_status_and_keep_the_code(status: int, code: str | None, kind: type[Exception]) -> None:
    body = msgspec.json.encode({"code": code, "message": "why"}) if code else b"<html/>"
    error = error_for(BANK, HttpResponse(status, JSON, body))
    assert type(error) is kind and error.status == status and error.code == code and error.bank == BANK.org_no
    assert error.retryable == (status >= 429)


def test_retry_after_as_seconds_or_http_date() -> None:
    now = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Thu, 15 Jan 2026 10:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
    error = error_for(BANK, plain({"code": "ACC-022", "message": "slow"}, 429, **{"retry-after": "3"}))
    assert isinstance(error, RateLimited) and error.retry_after == 3.0
    down = error_for(BANK, plain({"code": "ACC-100", "message": "database down"}, 503, **{"retry-after": "5"}))
    assert isinstance(down, BankUnavailable) and (down.code, down.retry_after) == ("ACC-100", 5.0)


NEXT_LINKS = [
    # (href the bank sends, URL followed, where the form comes from)
    (
        "/accounts/r/transactions?continuationToken=x",
        "https://bank.test/v2/accounts/r/transactions?continuationToken=x",
        "DSOP 'Specification of eOppslag', Example linking: relative to the API base",
    ),
    (
        "accounts/r/transactions?continuationToken=x",
        "https://bank.test/v2/accounts/r/transactions?continuationToken=x",
        "the same without the leading slash (plugin-banking appends either to the base)",
    ),
    (
        "/v2/accounts/r/transactions?continuationToken=x",
        "https://bank.test/v2/accounts/r/transactions?continuationToken=x",
        "the older absolute-path form: it already starts with the base's path",
    ),
    (
        "/v2/accounts/a%20b/transactions?continuationToken=x&fromDate=2025-01-01",
        "https://bank.test/v2/accounts/a%20b/transactions?continuationToken=x&fromDate=2025-01-01",
        "quoted segment",
    ),
    ("/accounts?page=2", "https://bank.test/v2/accounts?page=2", "an accounts page, base-relative"),
    ("?page=3", "https://bank.test/v2/accounts?page=3", "query only: the same resource (RFC 3986 §5.2.2)"),
    ("/v2/../v1/accounts", "https://bank.test/v1/accounts", "dot segments are resolved, on the same origin"),
    ("https://bank.test/v2/accounts?page=4", "https://bank.test/v2/accounts?page=4", "absolute, same origin"),
    ("HTTPS://bank.test/v2/x", "https://bank.test/v2/x", "absolute, scheme in capitals"),
]


@pytest.mark.parametrize(("href", "expected", "source"), NEXT_LINKS, ids=[row[0] for row in NEXT_LINKS])
def test_next_links_resolve_against_the_api_base(href: str, expected: str, source: str) -> None:
    current = "https://bank.test/v2/accounts?OnlyPrimaryOwner=true"
    assert resolve_next(BANK, current, href) == expected, source


def test_next_links_under_a_base_with_a_longer_path() -> None:
    bank = BankEndpoint("920426530", "https://gw.bank.test/dsop/v2/")
    current = "https://gw.bank.test/dsop/v2/accounts/r/transactions"
    assert (
        resolve_next(bank, current, "/accounts/r/transactions?continuationToken=x")
        == "https://gw.bank.test/dsop/v2/accounts/r/transactions?continuationToken=x"
    )
    assert (
        resolve_next(bank, current, "/dsop/v2/accounts/r/transactions?continuationToken=x")
        == "https://gw.bank.test/dsop/v2/accounts/r/transactions?continuationToken=x"
    )


@pytest.mark.parametrize("href", ["https://evil.test/steal", "//evil.test/v2/accounts", "http://bank.test/v2/x"])
def test_next_links_never_leave_the_banks_origin(href: str) -> None:
    with pytest.raises(ProtocolViolation, match="origin"):
        resolve_next(BANK, "https://bank.test/v2/accounts", href)


@pytest.mark.parametrize(
    ("response", "plaintext_allowed", "message"),
    [
        pytest.param(
            plain({"responseDetails": {"status": "complete"}, "accounts": []}),
            False,
            "plaintext",
            id="plaintext-not-asked",
        ),
        pytest.param(HttpResponse(200, JSON, b"{not json"), True, "not valid JSON", id="garbage"),
        pytest.param(plain({"accounts": []}), True, "responseDetails", id="missing-required-field"),
        pytest.param(
            HttpResponse(200, {"content-type": "text/html"}, b"<html/>"), True, "Content-Type", id="wrong-media-type"
        ),
        pytest.param(
            HttpResponse(200, {"content-type": "application/jose"}, b"a.b.c.d.e"),
            False,
            "decrypted",
            id="undecryptable-jwe",
        ),
    ],
)
def test_a_200_that_is_not_a_dsop_answer_is_a_protocol_violation(
    response: HttpResponse, plaintext_allowed: bool, message: str
) -> None:
    from opendsop.trust.errors import DecryptionError

    def refuse(token: str) -> bytes:
        raise DecryptionError("not for this key", reason="decryption_failed")

    with pytest.raises(ProtocolViolation, match=message):
        interpret(BANK, Endpoint.ACCOUNTS, response, decrypt=refuse, plaintext_allowed=plaintext_allowed)


def test_v1_answers_decode_into_v1_models() -> None:
    body = {
        "responseStatus": "partial",
        "accounts": [
            {
                "accountIdentifier": "12345678901",
                "accountReference": "r",
                "links": [{"rel": "self", "href": "/v1/accounts/r"}],
            }
        ],
    }
    page = interpret(V1_BANK, Endpoint.ACCOUNTS, plain(body), decrypt=no_decrypt, plaintext_allowed=True)
    assert isinstance(page.body, v1.Accounts) and page.status == "partial" and page.next_href is None


def accounts_page(next_href: str | None = None) -> HttpResponse:
    links = [{"rel": "next", "href": next_href}] if next_href else []
    return plain(
        {
            "responseDetails": {"status": "complete"},
            "links": links,
            "accounts": [{"accountIdentifier": "12345678901", "accountReference": f"r{len(links)}"}],
        }
    )


def test_the_flow_refreshes_the_token_once_and_follows_next() -> None:
    options = CallOptions(plaintext=True)
    flow = call_flow(BANK, CASE, Endpoint.ACCOUNTS, decrypt=no_decrypt, options=options)
    assert next(flow) == NeedToken(BANK.base_url)
    first = flow.send("old")
    assert isinstance(first, HttpRequest) and first.headers["Authorization"] == "Bearer old"
    assert flow.send(plain({"code": "ACC-010", "message": "expired"}, 401)) == NeedToken(BANK.base_url, refresh=True)
    again = flow.send("new")
    assert again.headers["Authorization"] == "Bearer new"
    assert again.headers["CorrelationID"] != first.headers["CorrelationID"]
    following = flow.send(accounts_page("/v2/accounts?page=2"))
    assert following.url == "https://bank.test/v2/accounts?page=2"
    with pytest.raises(StopIteration) as done:
        flow.send(accounts_page())
    assert [page.next_href for page in done.value.value] == ["/v2/accounts?page=2", None]


def test_the_flow_follows_both_href_forms_and_sees_them_as_one_url() -> None:
    flow = call_flow(BANK, CASE, Endpoint.ACCOUNTS, decrypt=no_decrypt, options=CallOptions(plaintext=True))
    next(flow)
    flow.send("t")
    second = flow.send(accounts_page("/accounts?page=2"))  # relative to the base (the Bits example)
    assert second.url == "https://bank.test/v2/accounts?page=2"
    third = flow.send(accounts_page("/v2/accounts?page=3"))  # the older absolute-path form
    assert third.url == "https://bank.test/v2/accounts?page=3"
    with pytest.raises(ProtocolViolation, match="paging does not end"):
        flow.send(accounts_page("/accounts?page=3"))  # the same page again, in the other form


def test_a_second_401_is_unauthorized() -> None:
    flow = call_flow(BANK, CASE, Endpoint.ACCOUNTS, decrypt=no_decrypt, options=CallOptions(plaintext=True))
    next(flow)
    flow.send("old")
    flow.send(plain({"code": "ACC-010", "message": "expired"}, 401))
    flow.send("new")
    with pytest.raises(Unauthorized):
        flow.send(plain({"code": "ACC-010", "message": "still not"}, 401))


def test_a_next_link_that_repeats_ends_the_flow() -> None:
    flow = call_flow(BANK, CASE, Endpoint.ACCOUNTS, decrypt=no_decrypt, options=CallOptions(plaintext=True))
    next(flow)
    flow.send("t")
    flow.send(accounts_page("/v2/accounts?page=2"))
    with pytest.raises(ProtocolViolation, match="paging does not end"):
        flow.send(accounts_page("/v2/accounts?page=2"))


def test_case_parameters_refuse_what_no_bank_would_accept() -> None:
    with pytest.raises(ValueError, match="UUID"):
        CaseParameters(account_info_request_id="case-17", mandate=mandate.SKATT, party_id="1")
    with pytest.raises(ValueError, match="go together"):
        CaseParameters(
            account_info_request_id=CASE.account_info_request_id,
            mandate=mandate.VERGE,
            party_id="1",
            reference_type="srf",
        )


def test_the_party_stays_out_of_reprs() -> None:
    assert CASE.party_id not in repr(CASE) and "02027012345" not in repr(CASE)
