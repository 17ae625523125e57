"""The Politi extradition order: claims format and every documented content check.

Rules: DSOP Politi “Utleveringspålegg” and DSOP Politi “Løsningsbeskrivelse” (content checks 1–6 and the checks of the
request against the order).  The base order is valid at NOW; each row changes one thing.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opendsop.standard import extradition as eo
from opendsop.standard import mandate
from opendsop.standard.endpoints import CONTROL_ENDPOINTS, Endpoint
from opendsop.standard.errors import InvalidExtraditionOrder, InvalidRequest

# The two sentences as the spec writes them (DSOP Politi “Løsningsbeskrivelse”, content check 2).
STRAFFESAK = (
    "Opplysningene antas å ha betydning som bevis i straffesak der noen med skjellig grunn kan mistenkes "
    "for en straffbar handling."
)
SAVNET = (
    "Opplysningene antas å ha betydning i en sak hvor noen er meldt savnet, og det er grunn til å frykte "
    "at noe har tilstøtt den savnede."
)
STRAFFESAK_MANDATE = "Straffeprosessloven §210 (3) første punktum"
SAVNET_MANDATE = "Straffeprosessloven §210 (3) andre punktum"

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
APPROVED = datetime(2025, 2, 28, 9, 0, tzinfo=UTC)
PARTY = "01017012345"

BASE: dict[str, Any] = {
    "extraditionOrderID": "3f0c2f9e-8a51-4f5e-9d43-0b7a2d1e6c11",
    "version": "1.0.0",
    "partyID": PARTY,
    "mandate": STRAFFESAK_MANDATE,
    "reason": STRAFFESAK,
    "fromDate": "2020-01-01",
    "toDate": "2025-02-28",
    "onlyPrimaryOwner": False,
    "accountList": True,
    "accountDetails": True,
    "transactions": True,
    "cards": False,
    "roles": False,
    "district": {"districtID": "1", "districtLabel": "Oslo politidistrikt"},
    "approval": {
        "approvedByID": "pa-4711",
        "approvedByName": "Kari Nordmann",
        "approvedByRole": "Politiadvokat",
        "approvalTimestamp": "2025-02-28T09:00:00Z",
    },
    "caseID": "9b2e7c1a-4d3f-4e8b-a6c5-1f0d2e3b4a59",
    "exp": int((APPROVED + timedelta(days=60)).timestamp()),
}


def claims(**changes: Any) -> dict[str, Any]:
    """BASE with top-level claims replaced; ``approval`` and ``district`` are merged."""
    result = copy.deepcopy(BASE)
    for name, value in changes.items():
        if name in ("approval", "district"):
            result[name].update(value)
        else:
            result[name] = value
    return result


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def order(**changes: Any) -> eo.ExtraditionOrder:
    return eo.parse_claims(claims(**changes))


# --- the claims format ----------------------------------------------------------------------------


def test_base_order_parses_with_wire_names() -> None:
    parsed = order()
    assert parsed.extradition_order_id == BASE["extraditionOrderID"]
    assert parsed.party_id == PARTY
    assert parsed.from_date == date(2020, 1, 1) and parsed.to_date == date(2025, 2, 28)
    assert parsed.account_list and not parsed.cards
    assert parsed.district.district_label == "Oslo politidistrikt"
    assert parsed.approval.approved_by_role == "Politiadvokat"
    assert parsed.approval.approval_timestamp == APPROVED
    assert parsed.expires_at == APPROVED + timedelta(days=60)
    assert msgspec.to_builtins(parsed) == msgspec.to_builtins(msgspec.convert(BASE, eo.ExtraditionOrder))
    assert json.loads(msgspec.json.encode(parsed))["approval"]["approvedByID"] == "pa-4711"


def test_bytes_and_mapping_give_the_same_order() -> None:
    assert eo.parse_claims(json.dumps(BASE).encode()) == order()


def test_unknown_claims_are_ignored() -> None:
    assert eo.parse_claims({**BASE, "iat": 1, "jti": "x"}) == order()


def test_example_claims_are_valid() -> None:
    eo.check_order(eo.parse_claims(eo.EXAMPLE_CLAIMS), now=NOW)


WIRE_FIELDS = [name for name in BASE if name not in ("district", "approval")]
NESTED_FIELDS = [
    ("district", "districtID"),
    ("district", "districtLabel"),
    ("approval", "approvedByID"),
    ("approval", "approvedByName"),
    ("approval", "approvedByRole"),
    ("approval", "approvalTimestamp"),
]


@pytest.mark.parametrize("field", [*WIRE_FIELDS, "district", "approval"])
def test_every_claim_is_mandatory(field: str) -> None:
    broken = claims()
    del broken[field]
    assert_format_error(broken, field)


@pytest.mark.parametrize(("parent", "field"), NESTED_FIELDS, ids=[f"{p}.{f}" for p, f in NESTED_FIELDS])
def test_every_nested_claim_is_mandatory(parent: str, field: str) -> None:
    broken = claims()
    del broken[parent][field]
    assert_format_error(broken, field)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("extraditionOrderID", "not-a-uuid", id="order-id-not-uuid"),
        pytest.param("caseID", "9b2e7c1a4d3f4e8ba6c51f0d2e3b4a59", id="case-id-without-hyphens"),
        pytest.param("caseID", BASE["caseID"] + "\n", id="case-id-trailing-newline"),
        pytest.param("version", 1, id="version-number"),
        pytest.param("partyID", 1017012345, id="party-id-number"),
        pytest.param("partyID", "", id="party-id-empty"),
        pytest.param("mandate", None, id="mandate-null"),
        pytest.param("fromDate", "01.01.2020", id="from-date-norwegian-format"),
        pytest.param("toDate", "2025-02-30", id="to-date-impossible"),
        pytest.param("onlyPrimaryOwner", "TRUE", id="owner-string"),
        pytest.param("accountList", 1, id="account-list-number"),
        pytest.param("cards", None, id="cards-null"),
        pytest.param("exp", "1748422800", id="exp-string"),
        pytest.param("exp", True, id="exp-bool"),
        pytest.param("exp", -1, id="exp-negative"),
        pytest.param("district", "Oslo", id="district-string"),
    ],
)
def test_mistyped_claim_is_named(field: str, value: object) -> None:
    assert_format_error({**copy.deepcopy(BASE), field: value}, field)


def test_approval_timestamp_needs_a_zone() -> None:
    assert_format_error(claims(approval={"approvalTimestamp": "2025-02-28T09:00:00"}), "approvalTimestamp")


@pytest.mark.parametrize("payload", [b"", b"not json", b"[1, 2]", b'{"version": "1.0.0"}', "text", 42], ids=repr)
def test_garbage_claims_are_invalid_requests(payload: object) -> None:
    with pytest.raises(InvalidRequest) as caught:
        eo.parse_claims(payload)  # type: ignore[arg-type]
    assert caught.value.parameter == "AdditionalReferenceID"
    assert caught.value.code == "ACC-001"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=150)
@given(st.dictionaries(st.sampled_from([*BASE, "x"]), json_values, max_size=len(BASE)))
def test_parse_claims_never_crashes(data: dict[str, Any]) -> None:
    merged = {**BASE, **data}
    try:
        eo.parse_claims(merged)
    except InvalidRequest as error:
        assert error.parameter == "AdditionalReferenceID"


def assert_format_error(data: object, field: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        eo.parse_claims(data)  # type: ignore[arg-type]
    error = caught.value
    assert not isinstance(error, InvalidExtraditionOrder)
    assert (error.code, error.status, error.parameter) == ("ACC-001", 400, "AdditionalReferenceID")
    assert field in error.message


# --- content checks (check_order) -----------------------------------------------------------------

ORDER_ROWS: list[tuple[str, dict[str, Any], datetime, str | None]] = [
    ("valid-straffesak", {}, NOW, None),
    ("valid-savnet", {"mandate": SAVNET_MANDATE, "reason": SAVNET}, NOW, None),
    ("valid-all-flags", {"cards": True, "roles": True, "onlyPrimaryOwner": True}, NOW, None),
    (
        "valid-whitespace-in-texts",
        {"mandate": " Straffeprosessloven\u00a0§210 (3)  første punktum"},
        NOW,
        None,
    ),
    ("version-1.0.1", {"version": "1.0.1"}, NOW, "version"),
    ("version-1.0", {"version": "1.0"}, NOW, "version"),
    ("1-mandate-v1-basis", {"mandate": "Straffeprosessloven § 210 første ledd"}, NOW, "mandate"),
    ("1-mandate-of-another-service", {"mandate": mandate.SKATT.text}, NOW, "mandate"),
    ("1-mandate-percent-encoded", {"mandate": mandate.POLITI_STRAFFESAK.encoded}, NOW, "mandate"),
    ("2-reason-free-text", {"reason": "Etterforskning."}, NOW, "reason"),
    ("2-reason-truncated", {"reason": STRAFFESAK[:-1]}, NOW, "reason"),
    ("3-straffesak-with-savnet-reason", {"reason": SAVNET}, NOW, "does not match"),
    ("3-savnet-with-straffesak-reason", {"mandate": SAVNET_MANDATE}, NOW, "does not match"),
    ("4-from-date-exactly-10-years", {"fromDate": "2015-03-01"}, NOW, None),
    ("4-from-date-10-years-and-1-day", {"fromDate": "2015-02-28"}, NOW, "fromDate"),
    ("4-from-after-to", {"fromDate": "2025-01-02", "toDate": "2025-01-01"}, NOW, "fromDate"),
    ("4-from-equals-to", {"fromDate": "2025-01-01", "toDate": "2025-01-01"}, NOW, None),
    ("5-account-list-false", {"accountList": False}, NOW, "accountList"),
    ("6-validity-exactly-90-days", {"exp": int((APPROVED + timedelta(days=90)).timestamp())}, NOW, None),
    (
        "6-validity-90-days-and-1-second",
        {"exp": int((APPROVED + timedelta(days=90, seconds=1)).timestamp())},
        NOW,
        "90 days",
    ),
    ("6-now-equals-approval", {}, APPROVED, None),
    ("6-now-before-approval", {}, APPROVED - timedelta(seconds=1), "approvalTimestamp"),
    ("6-now-equals-exp", {}, APPROVED + timedelta(days=60), None),
    ("6-now-after-exp", {}, APPROVED + timedelta(days=60, seconds=1), "exp"),
    ("6-exp-before-approval", {"exp": int((APPROVED - timedelta(days=1)).timestamp())}, APPROVED, "exp"),
]


@pytest.mark.parametrize(("changes", "now", "failure"), [r[1:] for r in ORDER_ROWS], ids=[r[0] for r in ORDER_ROWS])
def test_check_order(changes: dict[str, Any], now: datetime, failure: str | None) -> None:
    parsed = order(**changes)
    if failure is None:
        eo.check_order(parsed, now=now)
        return
    with pytest.raises(InvalidExtraditionOrder) as caught:
        eo.check_order(parsed, now=now)
    error = caught.value
    assert (error.code, error.status, error.parameter) == ("ACC-011", 403, "AdditionalReferenceID")
    assert failure in error.message


@pytest.mark.parametrize(
    ("today", "oldest_ok"),
    [
        pytest.param(date(2025, 3, 1), date(2015, 3, 1), id="ordinary-day"),
        pytest.param(date(2024, 2, 29), date(2014, 2, 28), id="29-february-to-28-february"),
        pytest.param(date(2028, 2, 29), date(2018, 2, 28), id="29-february-leap-to-common"),
        pytest.param(date(2025, 1, 1), date(2015, 1, 1), id="new-year"),
    ],
)
def test_ten_year_lookback_boundary(today: date, oldest_ok: date) -> None:
    now = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
    approved = now - timedelta(hours=1)
    base = {
        "toDate": today.isoformat(),
        "approval": {"approvalTimestamp": stamp(approved)},
        "exp": int((approved + timedelta(days=30)).timestamp()),
    }
    eo.check_order(order(fromDate=oldest_ok.isoformat(), **base), now=now)
    with pytest.raises(InvalidExtraditionOrder, match="fromDate"):
        eo.check_order(order(fromDate=(oldest_ok - timedelta(days=1)).isoformat(), **base), now=now)


def test_today_is_taken_in_the_zone_of_now() -> None:
    # 00:30 on 1 March in Oslo (+01:00) is still 28 February in UTC: the 10-year boundary moves.
    oslo = datetime(2025, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    boundary_in_utc = order(fromDate="2015-02-28")
    eo.check_order(boundary_in_utc, now=oslo.astimezone(UTC))
    with pytest.raises(InvalidExtraditionOrder, match="fromDate"):
        eo.check_order(boundary_in_utc, now=oslo)


def test_leeway_widens_only_the_time_window() -> None:
    early = APPROVED - timedelta(seconds=30)
    eo.check_order(order(), now=early, leeway=timedelta(seconds=60))
    long_lived = order(exp=int((APPROVED + timedelta(days=90, seconds=1)).timestamp()))
    with pytest.raises(InvalidExtraditionOrder, match="90 days"):
        eo.check_order(long_lived, now=NOW, leeway=timedelta(days=1))


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        eo.check_order(order(), now=NOW.replace(tzinfo=None))


def test_constants_follow_the_spec() -> None:
    assert eo.REASON_STRAFFESAK == STRAFFESAK
    assert eo.REASON_SAVNET == SAVNET
    assert eo.VERSION == "1.0.0"
    assert eo.MAX_VALIDITY == timedelta(days=90)
    assert eo.MAX_LOOKBACK_YEARS == 10
    assert mandate.POLITI_STRAFFESAK.text == STRAFFESAK_MANDATE
    assert mandate.POLITI_SAVNET.text == SAVNET_MANDATE


def test_reason_sentences_appear_in_the_spec(spec_dir: Path) -> None:
    section = (spec_dir / "datamodel.md").read_text(encoding="utf-8").split("### 3.5", 1)[1]
    assert f'"{eo.REASON_STRAFFESAK}"' in section
    assert f'"{eo.REASON_SAVNET}"' in section


# --- the request against the order (check_request) -------------------------------------------------

REQUEST: dict[str, Any] = {
    "endpoint": Endpoint.ACCOUNTS,
    "party_id": PARTY,
    "mandate_key": mandate.POLITI_STRAFFESAK.key,
    "from_date": date(2020, 1, 1),
    "to_date": date(2025, 2, 28),
    "only_primary_owner": False,
}

REQUEST_ROWS: list[tuple[str, dict[str, Any], dict[str, Any], str | None]] = [
    ("valid-same-period", {}, {}, None),
    ("valid-inside-period", {}, {"from_date": date(2021, 6, 1), "to_date": date(2021, 6, 30)}, None),
    (
        "valid-details",
        {},
        {"endpoint": Endpoint.ACCOUNT_DETAILS, "party_id": None, "only_primary_owner": None},
        None,
    ),
    ("valid-transactions", {}, {"endpoint": Endpoint.TRANSACTIONS, "only_primary_owner": None}, None),
    ("valid-cards-when-permitted", {"cards": True}, {"endpoint": Endpoint.CARDS}, None),
    ("valid-roles-when-permitted", {"roles": True}, {"endpoint": Endpoint.ROLES}, None),
    ("endpoint-cards-denied", {}, {"endpoint": Endpoint.CARDS}, "cards"),
    ("endpoint-roles-denied", {}, {"endpoint": Endpoint.ROLES}, "roles"),
    (
        "endpoint-details-denied",
        {"accountDetails": False},
        {"endpoint": Endpoint.ACCOUNT_DETAILS},
        "accountDetails",
    ),
    (
        "endpoint-transactions-denied",
        {"transactions": False},
        {"endpoint": Endpoint.TRANSACTIONS},
        "transactions",
    ),
    ("endpoint-accounts-denied", {"accountList": False}, {}, "accountList"),
    ("party-differs", {}, {"party_id": "01017054321"}, "PartyID"),
    ("party-differs-by-whitespace", {}, {"party_id": PARTY + " "}, "PartyID"),
    ("mandate-savnet-vs-straffesak", {}, {"mandate_key": mandate.POLITI_SAVNET.key}, "Legal-Mandate"),
    ("mandate-of-another-service", {}, {"mandate_key": mandate.SKATT.key}, "Legal-Mandate"),
    (
        "mandate-savnet-matches",
        {"mandate": SAVNET_MANDATE, "reason": SAVNET},
        {"mandate_key": mandate.POLITI_SAVNET.key},
        None,
    ),
    ("from-date-before-order", {}, {"from_date": date(2019, 12, 31)}, "fromDate"),
    ("from-date-after-order", {}, {"from_date": date(2025, 3, 1), "to_date": date(2025, 3, 1)}, "fromDate"),
    ("to-date-after-order", {}, {"to_date": date(2025, 3, 1)}, "toDate"),
    ("to-date-before-order", {}, {"from_date": date(2020, 1, 1), "to_date": date(2019, 12, 31)}, "toDate"),
    ("owner-order-true-request-false", {"onlyPrimaryOwner": True}, {}, "OnlyPrimaryOwner"),
    ("owner-order-true-request-true", {"onlyPrimaryOwner": True}, {"only_primary_owner": True}, None),
    (
        "owner-order-true-not-sent",
        {"onlyPrimaryOwner": True},
        {"endpoint": Endpoint.TRANSACTIONS, "only_primary_owner": None},
        None,
    ),
    ("owner-order-false-request-true", {}, {"only_primary_owner": True}, None),
    ("owner-order-false-request-false", {}, {"only_primary_owner": False}, None),
]


@pytest.mark.parametrize(
    ("order_changes", "request_changes", "parameter"),
    [r[1:] for r in REQUEST_ROWS],
    ids=[r[0] for r in REQUEST_ROWS],
)
def test_check_request(order_changes: dict[str, Any], request_changes: dict[str, Any], parameter: str | None) -> None:
    parsed = order(**order_changes)
    arguments = {**REQUEST, **request_changes}
    if parameter is None:
        eo.check_request(parsed, **arguments)
        return
    with pytest.raises(InvalidExtraditionOrder) as caught:
        eo.check_request(parsed, **arguments)
    error = caught.value
    assert (error.code, error.status, error.parameter) == ("ACC-011", 403, parameter)
    assert error.message


@pytest.mark.parametrize("endpoint", CONTROL_ENDPOINTS, ids=str)
def test_each_endpoint_is_governed_by_the_flag_of_its_name(endpoint: Endpoint) -> None:
    only_this = {flag.value: flag is endpoint for flag in CONTROL_ENDPOINTS}
    parsed = order(**only_this)
    for other in CONTROL_ENDPOINTS:
        assert parsed.permits(other) is (other is endpoint)


@pytest.mark.parametrize("endpoint", [Endpoint.CUSTOMER_RELATIONSHIPS, Endpoint.ACCOUNT_SERVICING_PROVIDER], ids=str)
def test_step_1_endpoints_are_not_governed_by_the_order(endpoint: Endpoint) -> None:
    with pytest.raises(ValueError, match="Control API"):
        eo.check_request(order(), **{**REQUEST, "endpoint": endpoint})


def test_unknown_order_mandate_fails_the_request_check_too() -> None:
    parsed = order(mandate=mandate.SKATT.text)
    with pytest.raises(InvalidExtraditionOrder, match="mandate"):
        eo.check_request(parsed, **{**REQUEST, "mandate_key": mandate.SKATT.key})
