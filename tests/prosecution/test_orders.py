"""Filling in and signing an order, and the published JWKS (DSOP Politi “Løsningsbeskrivelse”, DSOP Politi
“Utleveringspålegg”)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from opendsop.prosecution.keystore import SigningKey
from opendsop.prosecution.orders import issue_extradition_order, jwks_document, new_order, order_claims
from opendsop.standard.errors import InvalidExtraditionOrder, InvalidRequest
from opendsop.standard.extradition import EXAMPLE_CLAIMS
from opendsop.trust.jwt import unverified_header, verify_jwt
from opendsop.trust.keys import key_from_certificate
from opendsop.trust.pki import chain_from_x5c

from .conftest import APPROVED, FIELDS, ORDER_ID

STRAFFESAK = (
    "Opplysningene antas å ha betydning som bevis i straffesak der noen med skjellig grunn kan mistenkes "
    "for en straffbar handling."
)
SAVNET = (
    "Opplysningene antas å ha betydning i en sak hvor noen er meldt savnet, og det er grunn til å frykte "
    "at noe har tilstøtt den savnede."
)


def fill(fields: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
    order = new_order(
        FIELDS if fields is None else fields, now=options.pop("now", APPROVED), new_id=lambda: ORDER_ID, **options
    )
    return order_claims(order)


def test_the_service_fills_id_version_approval_time_and_exp() -> None:
    claims = fill(now=datetime(2026, 1, 14, 10, 30, 15, 987654, tzinfo=UTC))
    assert claims["extraditionOrderID"] == str(ORDER_ID)
    assert claims["version"] == "1.0.0"
    # YYYY-MM-DDThh:mm:ssZ, whole seconds.
    assert claims["approval"]["approvalTimestamp"] == "2026-01-14T10:30:15Z"
    assert claims["exp"] == int(datetime(2026, 4, 14, 10, 30, 15, tzinfo=UTC).timestamp())  # + 90 days
    assert claims["accountList"] is True
    assert claims["reason"] == STRAFFESAK


def test_the_approval_time_is_written_in_utc() -> None:
    oslo = datetime(2026, 1, 14, 11, 30, tzinfo=UTC).astimezone(ZoneInfo("Europe/Oslo"))
    assert fill(now=oslo)["approval"]["approvalTimestamp"] == "2026-01-14T11:30:00Z"


def test_validity_is_configurable_up_to_90_days() -> None:
    assert fill(validity=timedelta(days=30))["exp"] == int((APPROVED + timedelta(days=30)).timestamp())
    with pytest.raises(InvalidRequest, match="90 days"):
        fill(validity=timedelta(days=91))


def test_a_caller_may_reuse_the_partys_order_id() -> None:
    reused = "0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70"
    assert fill({**FIELDS, "extraditionOrderID": reused})["extraditionOrderID"] == reused


@pytest.mark.parametrize(
    ("mandate", "text", "reason"),
    [
        pytest.param("straffesak", "Straffeprosessloven §210 (3) første punktum", STRAFFESAK, id="straffesak"),
        pytest.param("savnet", "Straffeprosessloven §210 (3) andre punktum", SAVNET, id="savnet"),
        pytest.param(
            "Straffeprosessloven §210 (3) andre punktum",
            "Straffeprosessloven §210 (3) andre punktum",
            SAVNET,
            id="full-text",
        ),
    ],
)
def test_the_mandate_is_written_as_its_text_with_its_reason(mandate: str, text: str, reason: str) -> None:
    claims = fill({**FIELDS, "mandate": mandate})
    assert (claims["mandate"], claims["reason"]) == (text, reason)


@pytest.mark.parametrize(
    ("change", "parameter"),
    [
        pytest.param({"version": "1.0.0"}, "version", id="version"),
        pytest.param({"exp": 1}, "exp", id="exp"),
        pytest.param(
            {"approval": {**FIELDS["approval"], "approvalTimestamp": "2026-01-01T00:00:00Z"}},
            "approval.approvalTimestamp",
            id="approval-timestamp",
        ),
        pytest.param({"mandate": "Hvitvaskingsloven § 26"}, "mandate", id="not-a-politi-mandate"),
    ],
)
def test_fields_the_service_sets_or_does_not_know_are_refused(change: dict[str, Any], parameter: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        fill({**FIELDS, **change})
    assert caught.value.parameter == parameter


@pytest.mark.parametrize("missing", ["partyID", "caseID", "district", "approval", "transactions", "fromDate"])
def test_a_missing_field_is_named(missing: str) -> None:
    fields = {name: value for name, value in FIELDS.items() if name != missing}
    with pytest.raises(InvalidRequest, match=missing):
        fill(fields)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        pytest.param({"fromDate": "2015-01-13"}, "10 years", id="from-date-too-old"),
        pytest.param({"reason": SAVNET}, "reason", id="reason-of-the-other-mandate"),
        pytest.param({"accountList": False}, "accountList", id="account-list-false"),
        pytest.param({"fromDate": "2026-01-15", "toDate": "2026-01-14"}, "after", id="period-reversed"),
    ],
)
def test_an_order_banks_would_refuse_is_not_issued(change: dict[str, Any], named: str) -> None:
    with pytest.raises(InvalidExtraditionOrder, match=named):
        fill({**FIELDS, **change})


def test_the_jws_header_is_ps256_jwt_and_the_kid(test_key: SigningKey) -> None:
    token = issue_extradition_order(EXAMPLE_CLAIMS, test_key.credential, kid="politi-eo-2026")
    assert unverified_header(token) == {"alg": "PS256", "typ": "JWT", "kid": "politi-eo-2026"}
    header, claims = verify_jwt(token, key_from_certificate(test_key.credential.certificate), algorithms=["PS256"])
    assert claims == dict(EXAMPLE_CLAIMS)


def test_a_malformed_mapping_is_not_signed(test_key: SigningKey) -> None:
    claims = {**EXAMPLE_CLAIMS, "caseID": "not-a-uuid"}
    with pytest.raises(InvalidRequest, match="caseID"):
        issue_extradition_order(claims, test_key.credential, kid="k")


def test_the_jwks_carries_kid_use_alg_and_the_chain_without_the_root(test_key: SigningKey) -> None:
    document = jwks_document([(test_key.kid, test_key.credential)])
    (jwk,) = document["keys"]
    assert (jwk["kid"], jwk["use"], jwk["alg"], jwk["kty"]) == (test_key.kid, "sig", "PS256", "RSA")
    chain = chain_from_x5c(jwk["x5c"])
    assert chain == [test_key.credential.certificate, *test_key.credential.chain]
    assert test_key.root not in chain
    assert "d" not in jwk and "p" not in jwk  # public members only
    # x5c entries are standard base64 (not base64url), per RFC 7517 §4.7.
    assert all(base64.b64decode(entry, validate=True) for entry in jwk["x5c"])
    assert json.loads(json.dumps(document)) == document  # JSON-ready


def test_order_ids_default_to_fresh_uuid4s() -> None:
    ids = {order_claims(new_order(FIELDS, now=APPROVED))["extraditionOrderID"] for _ in range(3)}
    assert len(ids) == 3
    assert all(uuid.UUID(value).version == 4 for value in ids)
