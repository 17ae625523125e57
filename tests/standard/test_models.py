"""Behaviour of the wire models: round trips, numbers, errors that name the path, tolerance.

Expectations come from DSOP “eOppslag” (empty lists, only GET, JSON), DSOP “eOppslag” (tolerant
reader), DSOP “Data model” (positive amounts as JSON numbers, date-time with zone, YYYY-MM), DSOP “Data model” (fields
and
enums), DSOP “Endpoint customerRelationships V.2.0”; DSOP “Endpoint accountServicingProvider V.2.0” (customer relations,
``organizationID``) and the examples of DSOP “Data model”.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opendsop.standard import relations, wire
from opendsop.standard.control import v1, v2
from opendsop.standard.errors import InvalidRequest

COMPLETE = {"status": "complete"}


def _json(data: bytes | str) -> Any:
    """Parse JSON keeping every number exact, to compare bodies digit for digit."""
    return json.loads(data, parse_float=Decimal)


def _round_trip(body: dict[str, Any], type_: type[Any]) -> Any:
    raw = json.dumps(body, default=str).encode()
    model = wire.decode(raw, type_)
    assert _json(wire.encode(model)) == _json(raw)
    return model


# ---------------------------------------------------------------- the documented examples (DSOP “Data model”)


def _example(spec_dir: Path, number: int) -> str:
    text = (spec_dir / "datamodel.md").read_text(encoding="utf-8")
    section = text[text.index(f"**Example {number}**") :]
    return re.search(r"```\n(.*?)```", section, re.DOTALL)[1]  # type: ignore[index]


def test_example_1_pagination_links_round_trip(spec_dir: Path) -> None:
    # A fragment: wrapped in an object, with the required responseDetails (DSOP “Data model” example 1).
    fragment = _example(spec_dir, 1)
    raw = '{"responseDetails": {"status": "complete"}, "transactions": [],' + fragment + "}"
    page = wire.decode(raw, v2.Transactions)
    assert [link.rel for link in page.links or ()] == ["self", "next", "last"]
    assert all(link.href.startswith("/accounts/") for link in page.links or ())
    assert _json(wire.encode(page)) == _json(raw)


@pytest.mark.parametrize("active", ["true", "false"])
def test_example_2_customer_relationships_round_trip(spec_dir: Path, active: str) -> None:
    # `true/false` in the docs is a placeholder for either boolean (DSOP “Data model” example 2).
    raw = _example(spec_dir, 2).replace("true/false", active)
    answer = wire.decode(raw, relations.ListCustomerRelation)
    assert answer.banks[0].active_account is (active == "true")
    assert answer.banks[0].ownership_type is None
    assert _json(wire.encode(answer)) == _json(raw)


# ---------------------------------------------------------------- realistic full bodies

IDENTIFIER = {"countryOfResidence": "NO", "value": "920426530", "type": "countryIdentificationCode"}
PERSON = {"value": "01017012345", "type": "nationalIdentityNumber"}
OWNER = {
    "permission": "rightToUseAlone",
    "identifier": PERSON,
    "name": "Kari Nordmann",
    "startDate": "2019-04-01",
}
SERVICER = {"identifier": IDENTIFIER, "name": "SPAREBANK 1 ØSTLANDET"}
CARD = {
    "cardIdentifier": "492500XXXXXX1234",
    "holderName": "KARI NORDMANN",
    "startDate": "2023-02",
    "expiryDate": "2027-02",
    "cardIssuerName": "SPAREBANK 1 ØSTLANDET",
    "type": "debitCard",
    "cardStatus": "active",
    "versionNumber": "2",
    "cardIssuerIdentifier": IDENTIFIER,
}
TRANSACTION = {
    "transactionIdentifier": "TX-2024-000001",
    "references": [{"value": "1234567890123", "type": "archiveReference"}],
    "creditDebitIndicator": "debit",
    "reversalIndicator": False,
    "status": "booked",
    "transactionCode": {
        "domain": "payments",
        "family": "customerCardTransactions",
        "subFamily": "pointOfSalePosPayment",
        "freeText": "Visa Varekjøp",
    },
    "bookingDate": "2024-01-05T00:00:00Z",
    "valueDate": "2024-01-05T14:00:00+02:00",
    "counterParties": [
        {
            "accountIdentifier": "15030012345",
            "identifier": IDENTIFIER,
            "name": "REMA 1000",
            "type": "creditor",
            "postalAddress": {
                "postCode": "0150",
                "type": "business",
                "streetName": "Storgata",
                "buildingNumber": "1",
                "townName": "OSLO",
                "country": "NO",
                "addressLines": ["Storgata 1", "0150 OSLO"],
            },
        }
    ],
    "additionalInfo": "Varekjøp",
    "currencyExchange": {
        "originalAmount": 12.5,
        "sourceCurrency": "EUR",
        "targetCurrency": "NOK",
        "unitCurrency": "EUR",
        "exchangeRate": 11.6214,
    },
    "merchant": "REMA 1000 STORGATA",
    "paymentCard": CARD,
    "registered": "2024-01-05T13:59:58.123000+01:00",
    "amount": 145.27,
    "currency": "NOK",
}

BODIES = [
    pytest.param(
        v2.Accounts,
        {
            "responseDetails": COMPLETE,
            "accounts": [
                {
                    "status": "enabled",
                    "servicer": SERVICER,
                    "accountIdentifier": "15030012345",
                    "accountReference": "a1b2c3",
                    "type": "accountWithoutBalance",
                    "currency": "NOK",
                    "primaryOwner": OWNER,
                }
            ],
            "links": [{"rel": "next", "href": "/accounts?page=2"}],
        },
        id="accounts",
    ),
    pytest.param(
        v2.AccountDetails,
        {
            "responseDetails": {"status": "partial", "message": "Eldre data finnes i arkiv"},
            "account": {
                "status": "disabled",
                "servicer": SERVICER,
                "accountIdentifier": "15030012345",
                "accountReference": "a1b2c3",
                "type": "salaryAccount",
                "currency": "NOK",
                "balances": [
                    {
                        "creditLineIncluded": True,
                        "amount": 1250.50,
                        "creditDebitIndicator": "credit",
                        "registered": "2024-01-18T23:59:59Z",
                        "type": "availableBalance",
                        "creditLineAmount": 10000,
                        "creditLineCurrency": "NOK",
                        "currency": "NOK",
                    }
                ],
                "primaryOwner": OWNER,
                "startDate": "2019-04-01",
                "endDate": "2024-01-18",
            },
        },
        id="account-details",
    ),
    pytest.param(v2.Transactions, {"responseDetails": COMPLETE, "transactions": [TRANSACTION]}, id="transactions"),
    pytest.param(v2.Cards, {"responseDetails": COMPLETE, "paymentCards": [CARD]}, id="cards"),
    pytest.param(
        v2.Roles,
        {
            "responseDetails": COMPLETE,
            "roles": [OWNER, {"permission": "rightToSeeOnly", "identifier": PERSON, "endDate": "2023-12-31"}],
        },
        id="roles",
    ),
    pytest.param(v2.Error404, {"code": "ACC-002", "message": "Account reference not found"}, id="error"),
    pytest.param(
        v1.Accounts,
        {
            "responseStatus": "complete",
            "accounts": [
                {
                    "servicer": SERVICER,
                    "links": [{"rel": "self", "href": "/accounts/a1"}],
                    "accountIdentifier": "15030012345",
                    "accountReference": "a1",
                    "type": "salaryAccount",
                    "primaryOwner": {
                        **OWNER,
                        "electronicAddresses": [{"type": "emailAddress", "value": "kari@example.no"}],
                    },
                }
            ],
        },
        id="v1-accounts",
    ),
    pytest.param(
        relations.ErrorResponse,
        {
            "errorCode": "ERR-003",
            "errorMessage": "Ugyldig periode eller datoformat",
            "timestamp": "2018-02-05T12:54:12Z",
        },
        id="kar-error",
    ),
    pytest.param(relations.ErrorResponse401, {"statusCode": 401, "message": "Unauthorized"}, id="kar-401"),
]


@pytest.mark.parametrize(("type_", "body"), BODIES)
def test_realistic_bodies_round_trip_unchanged(type_: type[Any], body: dict[str, Any]) -> None:
    _round_trip(body, type_)


def test_thousand_transaction_page_round_trips() -> None:
    # The size a bank sends per page (DSOP “eOppslag”: at least 1000 per page is desirable).
    rows = [{**TRANSACTION, "transactionIdentifier": f"TX-{n}", "amount": f"{n}.{n % 100:02d}"} for n in range(1000)]
    raw = json.dumps({"responseDetails": COMPLETE, "transactions": rows}).encode()
    page = wire.decode(raw, v2.Transactions)
    assert page.transactions is not None and len(page.transactions) == 1000
    assert page.transactions[999].amount == Decimal("999.99")
    encoded = _json(wire.encode(page))
    assert encoded["transactions"][999]["amount"] == Decimal("999.99")  # a number again


# ---------------------------------------------------------------- amounts are exact JSON numbers (DSOP “Data model”)


@pytest.mark.parametrize("text", ["0", "0.10", "1250.50", "12345678901234567.89", "0.000001"])
def test_amount_is_written_as_the_exact_json_number(text: str) -> None:
    raw = wire.encode(v2.Balance(amount=Decimal(text)))
    assert raw == b'{"amount":' + text.encode() + b"}"
    assert wire.decode(raw, v2.Balance).amount == Decimal(text)


@settings(max_examples=100)
@given(st.decimals(min_value=0, max_value=10**15, places=2, allow_nan=False, allow_infinity=False))
def test_any_positive_amount_survives_a_round_trip(amount: Decimal) -> None:
    body = v2.Transaction(transaction_identifier="t", amount=amount)
    assert wire.decode(wire.encode(body), v2.Transaction).amount == amount


@pytest.mark.parametrize(
    "bad",
    [Decimal("-0.01"), Decimal("NaN"), Decimal("Infinity"), 1.5],
    ids=["negative", "nan", "infinity", "float"],
)
def test_amount_must_be_a_finite_positive_decimal_when_built(bad: Any) -> None:
    with pytest.raises(ValueError, match="amount"):
        v2.Transaction(transaction_identifier="t", amount=bad)


def test_negative_amount_in_a_body_names_its_path() -> None:
    raw = (
        b'{"responseDetails":{"status":"complete"},"account":{"accountIdentifier":"1",'
        b'"accountReference":"r","balances":[{"amount":1},{"creditLineAmount":-5}]}}'
    )
    with pytest.raises(InvalidRequest) as caught:
        wire.decode(raw, v2.AccountDetails)
    assert caught.value.parameter == "$.account.balances[1]"
    assert "creditLineAmount" in caught.value.message and ">= 0" in caught.value.message


# ---------------------------------------------------------------- errors name the JSON path

MISSING = [
    pytest.param(v2.Accounts, b'{"accounts":[]}', "$", "responseDetails", id="responseDetails"),
    pytest.param(
        v2.Transactions,
        b'{"responseDetails":{"status":"complete"},"transactions":[{"transactionIdentifier":"a"},{"amount":1}]}',
        "$.transactions[1]",
        "transactionIdentifier",
        id="transaction-id",
    ),
    pytest.param(
        v2.Accounts,
        b'{"responseDetails":{"status":"complete"},"accounts":[{"accountIdentifier":"1",'
        b'"accountReference":"r","primaryOwner":{"identifier":{"value":"1"}}}]}',
        "$.accounts[0].primaryOwner.identifier",
        "type",
        id="identifier-type",
    ),
    pytest.param(
        v2.Cards,
        b'{"responseDetails":{"status":"complete"},"paymentCards":[{}]}',
        "$.paymentCards[0]",
        "cardIdentifier",
        id="card-number",
    ),
    pytest.param(
        v2.Transactions, b'{"responseDetails":{}}', "$.responseDetails", "status", id="responseDetails-status"
    ),
    pytest.param(
        relations.ListCustomerRelation,
        b'{"banks":[{"organizationID":"920426530","bankName":"B"}]}',
        "$.banks[0]",
        "activeAccount",
        id="activeAccount",
    ),
]


@pytest.mark.parametrize(("type_", "raw", "path", "field"), MISSING)
def test_missing_required_field_is_an_invalid_request_naming_the_path(
    type_: type[Any], raw: bytes, path: str, field: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        wire.decode(raw, type_)
    assert caught.value.parameter == path
    assert f"`{field}`" in caught.value.message and f"`{path}`" in caught.value.message
    assert (caught.value.code, caught.value.status) == ("ACC-001", 400)


def test_error_code_can_come_from_another_catalogue() -> None:
    with pytest.raises(InvalidRequest) as caught:
        wire.decode(b'{"customer_type": "DSOPBANK"}', relations.CustomerBatch, code="KFR-004")
    assert (caught.value.code, caught.value.status) == ("KFR-004", 400)


@pytest.mark.parametrize("raw", [b"", b"{", b'{"responseDetails": }', b"\xff"])
def test_malformed_json_is_an_invalid_request(raw: bytes) -> None:
    with pytest.raises(InvalidRequest, match="not valid JSON"):
        wire.decode(raw, v2.Accounts)


# ---------------------------------------------------------------- tolerant reader (DSOP “eOppslag”)


def test_unknown_fields_are_ignored_at_every_level() -> None:
    raw = (
        b'{"responseDetails":{"status":"complete","severity":"low"},"newTopLevel":[1,2],'
        b'"transactions":[{"transactionIdentifier":"a","futureField":{"x":1},'
        b'"transactionCode":{"domain":"payments","v3Code":"X"}}]}'
    )
    page = wire.decode(raw, v2.Transactions)
    assert page.transactions is not None
    assert page.transactions[0].transaction_code == v2.BankTransactionCode(domain=v2.DomainType.PAYMENTS)
    assert b"future" not in wire.encode(page) and b"v3Code" not in wire.encode(page)


def test_null_for_an_optional_field_reads_as_absent() -> None:
    # DSOP “eOppslag”: missing or empty values follow the JSON convention, null.
    raw = b'{"accountIdentifier":"1","accountReference":"r","name":null,"servicer":null}'
    account = wire.decode(raw, v2.Account)
    assert account.name is None
    assert wire.encode(account) == b'{"accountIdentifier":"1","accountReference":"r"}'


def test_empty_result_is_an_empty_list_and_absent_stays_absent() -> None:
    empty = v2.Cards(response_details=v2.ResponseDetails(status=v2.ResponseStatus.COMPLETE), payment_cards=())
    assert _json(wire.encode(empty)) == {"responseDetails": COMPLETE, "paymentCards": []}
    bare = v2.Cards(response_details=v2.ResponseDetails(status=v2.ResponseStatus.COMPLETE))
    assert _json(wire.encode(bare)) == {"responseDetails": COMPLETE}


# ---------------------------------------------------------------- enums and formats

REJECTED = [
    pytest.param(v2.Account, {"type": "pensionAccount"}, "$.type", id="account-type"),
    pytest.param(v2.Account, {"status": "Enabled"}, "$.status", id="enum-is-case-sensitive"),
    pytest.param(v1.Account, {"type": "accountWithoutBalance"}, "$.type", id="v1-has-no-new-type"),
    pytest.param(v2.Account, {"currency": "nok"}, "$.currency", id="currency-lowercase"),
    pytest.param(v2.Account, {"name": ""}, "$.name", id="name-empty"),
    pytest.param(v2.Account, {"name": "x" * 71}, "$.name", id="name-too-long"),
    pytest.param(v2.PaymentCard, {"startDate": "2024-13"}, "$.startDate", id="month-13"),
    pytest.param(v2.PaymentCard, {"expiryDate": "2024-1"}, "$.expiryDate", id="month-one-digit"),
    pytest.param(v2.PaymentCard, {"expiryDate": "2024-01-31"}, "$.expiryDate", id="month-with-day"),
    pytest.param(v2.PaymentCard, {"versionNumber": "10"}, "$.versionNumber", id="version-two-chars"),
    pytest.param(v2.PaymentCard, {"versionNumber": 1}, "$.versionNumber", id="version-number-type"),
    pytest.param(v2.PaymentCard, {"cardStatus": "expired"}, "$.cardStatus", id="card-status"),
    pytest.param(v2.Transaction, {"bookingDate": "2024-01-05T12:00:00"}, "$.bookingDate", id="date-time-without-zone"),
    pytest.param(v2.Transaction, {"valueDate": "2024-01-05"}, "$.valueDate", id="date-for-date-time"),
    pytest.param(v2.Transaction, {"status": "cancelled"}, "$.status", id="transaction-status"),
    pytest.param(v2.Transaction, {"reversalIndicator": "false"}, "$.reversalIndicator", id="boolean-as-string"),
    pytest.param(v2.AccountRole, {"startDate": "2024-02-30"}, "$.startDate", id="impossible-date"),
    pytest.param(v2.AccountRole, {"permission": "rightToUse"}, "$.permission", id="permission"),
    pytest.param(v2.ResponseDetails, {"status": "failed"}, "$.status", id="response-status"),
    pytest.param(v2.Link, {"rel": "", "href": "/x"}, "$.rel", id="link-rel-empty"),
]
BASE: dict[type[Any], dict[str, Any]] = {
    v2.Account: {"accountIdentifier": "1", "accountReference": "r"},
    v1.Account: {"accountIdentifier": "1", "accountReference": "r"},
    v2.PaymentCard: {"cardIdentifier": "492500XXXXXX1234"},
    v2.Transaction: {"transactionIdentifier": "t"},
    v2.AccountRole: {},
    v2.ResponseDetails: {},
    v2.Link: {},
}


@pytest.mark.parametrize(("type_", "change", "path"), REJECTED)
def test_out_of_contract_values_are_rejected(type_: type[Any], change: dict[str, Any], path: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        wire.decode(json.dumps({**BASE[type_], **change}), type_)
    assert caught.value.parameter == path


def test_date_times_keep_their_zone_and_dates_are_dates() -> None:
    tx = wire.decode(json.dumps(TRANSACTION), v2.Transaction)
    assert tx.booking_date == dt.datetime(2024, 1, 5, tzinfo=dt.UTC)
    assert tx.value_date is not None and tx.value_date.utcoffset() == dt.timedelta(hours=2)
    assert tx.value_date == dt.datetime(2024, 1, 5, 12, tzinfo=dt.UTC)  # same instant
    encoded = _json(wire.encode(tx))
    assert encoded["bookingDate"] == "2024-01-05T00:00:00Z"
    assert encoded["valueDate"] == "2024-01-05T14:00:00+02:00"
    role = wire.decode(json.dumps(OWNER), v2.AccountRole)
    assert role.start_date == dt.date(2019, 4, 1)


def test_naive_date_time_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match="bookingDate"):
        v2.Transaction(transaction_identifier="t", booking_date=dt.datetime(2024, 1, 5, 12))


def test_validated_checks_constraints_of_a_built_body() -> None:
    # msgspec does not check lengths on construction; `validated` proves a body before sending.
    good = v2.PaymentCard(card_identifier="492500XXXXXX1234", version_number="1")
    assert wire.validated(good) == good
    with pytest.raises(InvalidRequest) as caught:
        wire.validated(v2.PaymentCard(card_identifier="492500XXXXXX1234", version_number="12"))
    assert caught.value.parameter == "$.versionNumber"


# ---------------------------------------------------------------- value semantics


def test_bodies_are_frozen_and_replace_builds_a_new_one() -> None:
    account = v2.Account(account_identifier="15030012345", account_reference="r", name="Brukskonto")
    with pytest.raises(AttributeError):
        account.name = None  # type: ignore[misc]
    filtered = msgspec.structs.replace(account, name=None)
    assert account.name == "Brukskonto" and filtered.name is None
    assert hash(filtered) == hash(v2.Account(account_identifier="15030012345", account_reference="r"))


def test_wire_names_are_camel_case_and_python_names_snake_case() -> None:
    card = v2.PaymentCard(
        card_identifier="492500XXXXXX1234", card_issuer_name="Bank", card_status=v2.CardStatus.BLOCKED
    )
    assert _json(wire.encode(card)) == {
        "cardIdentifier": "492500XXXXXX1234",
        "cardIssuerName": "Bank",
        "cardStatus": "blocked",
    }


def test_v1_and_v2_differ_where_the_migration_notes_say() -> None:
    # DSOP “Change log”: accountWithoutBalance is new in v2; responseStatus became responseDetails.
    assert "accountWithoutBalance" in set(v2.AccountType) - set(v1.AccountType)
    assert len(v2.AccountType) == 11 and len(v1.AccountType) == 10
    old = wire.decode(b'{"responseStatus":"partial"}', v1.Cards)
    assert old.response_status is v2.ResponseStatus.PARTIAL
    with pytest.raises(InvalidRequest, match="responseDetails"):
        wire.decode(b'{"responseStatus":"partial"}', v2.Cards)


# ---------------------------------------------------------------- Customer Relations Overview (DSOP “Endpoint
# customerRelationships V.2.0”; DSOP “Endpoint accountServicingProvider V.2.0”)

ORG = "920426530"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param({"organizationID": ORG, "bankName": "B"}, id="v2-spelling"),
        pytest.param({"organizationId": ORG, "bankName": "B"}, id="kar-1.1.2-spelling"),
        pytest.param({"organizationID": ORG, "organizationId": ORG, "bankName": "B"}, id="both-agree"),
    ],
)
def test_account_servicing_provider_reads_either_spelling_and_writes_v2(raw: dict[str, str]) -> None:
    provider = wire.decode(json.dumps(raw), relations.AccountServicingProvider)
    assert provider.organization_id == ORG
    assert _json(wire.encode(provider)) == {"organizationID": ORG, "bankName": "B"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param({"bankName": "B"}, "organizationID", id="neither"),
        pytest.param({"organizationId": "92042653", "bankName": "B"}, "length", id="eight-chars"),
        pytest.param(
            {"organizationID": ORG, "organizationId": "999999999", "bankName": "B"},
            "disagree",
            id="both-disagree",
        ),
        pytest.param({"organizationID": ORG}, "bankName", id="no-bank-name"),
    ],
)
def test_account_servicing_provider_rejects(raw: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        wire.decode(json.dumps(raw), relations.AccountServicingProvider, code="ERR-004")


def test_account_servicing_provider_built_without_org_number_is_refused() -> None:
    with pytest.raises(ValueError, match="organizationID"):
        relations.AccountServicingProvider(bank_name="B")


@pytest.mark.parametrize("ownership", ["primaryOwner", "notPrimaryOwner", "unknown"])
def test_ownership_type_values(ownership: str) -> None:
    raw = {"banks": [{"organizationID": ORG, "bankName": "B", "activeAccount": False, "ownershipType": ownership}]}
    answer = _round_trip(raw, relations.ListCustomerRelation)
    assert answer.banks[0].ownership_type == relations.OwnershipType(ownership)


@pytest.mark.parametrize(
    ("bank", "path"),
    [
        pytest.param({"ownershipType": "owner"}, "$.banks[0].ownershipType", id="ownership-value"),
        pytest.param({"organizationID": "1234567890"}, "$.banks[0].organizationID", id="ten-chars"),
        pytest.param({"activeAccount": "TRUE"}, "$.banks[0].activeAccount", id="boolean-as-text"),
    ],
)
def test_customer_relation_rejects(bank: dict[str, Any], path: str) -> None:
    raw = {"banks": [{"organizationID": ORG, "bankName": "B", "activeAccount": True, **bank}]}
    with pytest.raises(InvalidRequest) as caught:
        wire.decode(json.dumps(raw), relations.ListCustomerRelation, code="ERR-002")
    assert caught.value.parameter == path and caught.value.code == "ERR-002"


def test_customer_batch_form_keeps_its_snake_case_field() -> None:
    form = {"customer_type": "DSOPBANK", "customers": "30020012345,999888777#2019-11-08"}
    batch = wire.convert(form, relations.CustomerBatch)
    assert batch.customer_type is relations.RelationshipType.DSOPBANK
    assert msgspec.to_builtins(batch) == form
    with pytest.raises(InvalidRequest) as caught:
        wire.convert({**form, "customer_type": "BANK"}, relations.CustomerBatch, code="KFR-009")
    assert caught.value.parameter == "$.customer_type" and caught.value.code == "KFR-009"
