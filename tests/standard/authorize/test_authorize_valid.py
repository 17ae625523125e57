"""Every DSOP service's valid request on each of its endpoints is ``Allowed``, and every spelling
or value the spec documents as acceptable is accepted.

Sources: DSOP “Recommendations regarding validation”; the DSOP services' “Løsningsbeskrivelse” pages; DSOP “eOppslag”;
DSOP FI-Utlegg “Om tjenesten”.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from opendsop.standard.authorize import authorize
from opendsop.standard.decision import Allowed
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.period import Period
from opendsop.standard.request import Environment
from tests.standard.authorize._authorize_cases import (
    ALLOWED_ENDPOINTS,
    CORRELATION_ID,
    D_NUMBER,
    DATE_OF_DEATH,
    DIGDIR_CERTPUB,
    GUARDIAN,
    GUARDIAN_D_NUMBER,
    KJENNELSESDATO,
    KONKURS_EARLIEST,
    LAST_YEAR,
    NOW,
    OED_EARLIEST,
    OED_SHORT_MANDATE,
    ORDER_FROM,
    ORG,
    PERSON,
    POLITI_SAVNET_MANDATE,
    POLITI_SAVNET_TEXT,
    SAVNET_REASON,
    SERVICES,
    SKATT_VALIDATION_TABLE_MANDATE,
    SYNTHETIC_ORG,
    SYNTHETIC_PERSON,
    TEN_YEARS_BACK,
    TODAY,
    VERGE_STEP1_MANDATE,
    Row,
    assert_allowed,
    base_environment,
    base_facts,
    base_party,
    base_period,
    base_request,
    guardianship,
    order,
)

VALID = [
    pytest.param(service, endpoint, id=f"{service}-{endpoint.value}")
    for service in SERVICES
    for endpoint in ALLOWED_ENDPOINTS[service]
]


@pytest.mark.parametrize(("service", "endpoint"), VALID)
def test_valid_request_is_allowed(service: str, endpoint: Endpoint) -> None:
    request = base_request(service, endpoint)
    decision = authorize(request, base_facts(service, endpoint), TODAY, environment=base_environment(service))

    allowed = assert_allowed(decision)
    assert allowed.service == service
    assert allowed.endpoint is endpoint
    assert allowed.period == base_period(service)
    assert allowed.account_info_request_id.lower() == request.account_info_request_id
    assert allowed.correlation_id.lower() == CORRELATION_ID
    assert allowed.return_empty is False
    if endpoint in (Endpoint.ACCOUNTS, Endpoint.CUSTOMER_RELATIONSHIPS):
        assert allowed.only_primary_owner is True  # the valid requests send "true"
        assert allowed.party is not None and allowed.party.value == base_party(service)
    else:  # OnlyPrimaryOwner and PartyID belong to Accounts (and CustomerID to step 1) only
        assert allowed.only_primary_owner is None
        assert allowed.party is None
    if service in ("skatt", "politi") and endpoint.step == 2:
        assert allowed.requester_id == request.requester_id


def _period(from_date: date, to_date: date) -> Callable[[Allowed], None]:
    def check(allowed: Allowed) -> None:
        assert allowed.period == Period(from_date, to_date)

    return check


def _owner(value: bool) -> Callable[[Allowed], None]:
    def check(allowed: Allowed) -> None:
        assert allowed.only_primary_owner is value

    return check


def _empty(value: bool) -> Callable[[Allowed], None]:
    def check(allowed: Allowed) -> None:
        assert allowed.return_empty is value

    return check


def _service(key: str) -> Callable[[Allowed], None]:
    def check(allowed: Allowed) -> None:
        assert allowed.service == key

    return check


def accept(
    rule_id: str,
    service: str,
    endpoint: Endpoint,
    check: Callable[[Allowed], None] | None = None,
    *,
    request: dict[str, Any] | None = None,
    facts: dict[str, Any] | None = None,
    environment: Environment | None = None,
    now: Any = None,
) -> Any:
    row = Row(service, endpoint, request or {}, facts or {}, environment, now)
    return pytest.param(row, check, id=rule_id)


A, CR = Endpoint.ACCOUNTS, Endpoint.CUSTOMER_RELATIONSHIPS
T = Endpoint.TRANSACTIONS

ACCEPTED = [
    # Legal-Mandate spellings the standard itself publishes (DSOP Skatt “Løsningsbeskrivelse”;
    # DSOP OED “Løsningsbeskrivelse”; DSOP Skatt “Løsningsbeskrivelse”).
    accept(
        "service-skatt-validation-table-mandate-step2",
        "skatt",
        A,
        _service("skatt"),
        request={"legal_mandate": SKATT_VALIDATION_TABLE_MANDATE},
    ),
    accept(
        "service-skatt-validation-table-mandate-step1",
        "skatt",
        CR,
        _service("skatt"),
        request={"legal_mandate": SKATT_VALIDATION_TABLE_MANDATE},
    ),
    accept(
        "service-verge-step1-mandate-on-customerRelationships",
        "verge",
        CR,
        _service("verge"),
        request={"legal_mandate": VERGE_STEP1_MANDATE},
    ),
    accept("oed-oed-short-step1-mandate", "oed", CR, _service("oed"), request={"legal_mandate": OED_SHORT_MANDATE}),
    accept(
        "service-politi-andre-punktum-with-matching-order",
        "politi",
        A,
        _service("politi"),
        request={"legal_mandate": POLITI_SAVNET_MANDATE},
        facts={"extradition_order": order(mandate=POLITI_SAVNET_TEXT, reason=SAVNET_REASON)},
    ),
    accept("service-oed-digdir-certpub-orgnr", "oed", A, _service("oed"), request={"consumer_org": DIGDIR_CERTPUB}),
    # OnlyPrimaryOwner (DSOP “Recommendations regarding validation”; the DSOP services' “Løsningsbeskrivelse” pages):
    # boolean; the docs write TRUE/FALSE.
    accept("service-skatt-owner-TRUE", "skatt", A, _owner(True), request={"only_primary_owner": "TRUE"}),
    accept("service-skatt-owner-true", "skatt", A, _owner(True), request={"only_primary_owner": "true"}),
    accept("service-skatt-owner-false", "skatt", A, _owner(False), request={"only_primary_owner": "false"}),
    accept("service-skatt-owner-FALSE", "skatt", A, _owner(False), request={"only_primary_owner": "FALSE"}),
    accept("service-nav-owner-false", "nav", A, _owner(False), request={"only_primary_owner": "false"}),
    accept("service-skatt-step1-owner-false", "skatt", CR, _owner(False), request={"only_primary_owner": "false"}),
    accept(
        "service-politi-order-false-request-false", "politi", A, _owner(False), request={"only_primary_owner": "false"}
    ),
    accept(
        "service-politi-order-false-request-true", "politi", A, _owner(True), request={"only_primary_owner": "true"}
    ),
    accept(
        "service-politi-order-true-request-true",
        "politi",
        A,
        _owner(True),
        facts={"extradition_order": order(onlyPrimaryOwner=True)},
    ),
    # PartyID kinds (DSOP “Recommendations regarding validation”: 11 digits FNR/D-number, 9 digits org no.).
    accept("validation-partyid-d-number", "skatt", A, request={"party_id": D_NUMBER}),
    accept("validation-partyid-orgnr-skatt", "skatt", A, request={"party_id": ORG}),
    accept("service-partyid-orgnr-konkurs-debtor", "konkurs", A, request={"party_id": ORG}),
    accept("service-partyid-person-konkurs-debtor", "konkurs", A, request={"party_id": PERSON}),
    accept("service-oed-d-number-deceased", "oed", A, request={"party_id": D_NUMBER}),
    accept("service-customerid-orgnr-step1", "skatt", CR, request={"party_id": ORG}),
    # Tenor synthetic identities are for the test environment (Skatteetaten's Tenor test data;
    # DSOP “Internal testing”).
    accept(
        "test-environment-synthetic-person-accepted-in-test",
        "skatt",
        A,
        environment=Environment.TEST,
        request={"party_id": SYNTHETIC_PERSON},
    ),
    accept(
        "test-environment-synthetic-org-accepted-in-test",
        "skatt",
        A,
        environment=Environment.TEST,
        request={"party_id": SYNTHETIC_ORG},
    ),
    accept(
        "test-environment-synthetic-customerid-accepted-in-test",
        "skatt",
        CR,
        environment=Environment.TEST,
        request={"party_id": SYNTHETIC_PERSON},
    ),
    accept(
        "test-environment-synthetic-ward-accepted-in-test",
        "verge",
        A,
        environment=Environment.TEST,
        request={"party_id": SYNTHETIC_PERSON, "additional_reference_id": GUARDIAN},
        facts={"guardianships": (guardianship(ward=SYNTHETIC_PERSON),)},
    ),
    # RequesterID: "none" for Konkurs, OED, Verge (DSOP “eOppslag”); NAV provisional; not in step 1.
    accept("eoppslag-requesterid-not-needed-konkurs", "konkurs", A, request={"requester_id": None}),
    accept("eoppslag-requesterid-not-needed-oed", "oed", T, request={"requester_id": None}),
    accept("eoppslag-requesterid-not-needed-verge", "verge", A, request={"requester_id": None}),
    accept("eoppslag-requesterid-not-needed-nav", "nav", A, request={"requester_id": None}),
    accept("fi-utlegg-requesterid-empty-fi-utlegg", "fi_utlegg", A, request={"requester_id": None}),
    accept("customerrelationships-requesterid-not-in-step1-skatt", "skatt", CR, request={"requester_id": None}),
    # Dates (DSOP “Recommendations regarding validation”: optional in Bank_v2.yaml, absent means today).
    accept(
        "validation-absent-dates-default-to-today",
        "skatt",
        A,
        _period(TODAY, TODAY),
        request={"from_date": None, "to_date": None},
    ),
    accept(
        "validation-absent-toDate-defaults-to-today",
        "skatt",
        A,
        _period(date(2026, 1, 1), TODAY),
        request={"from_date": "2026-01-01", "to_date": None},
    ),
    accept(
        "fi-utlegg-fi-utlegg-absent-dates-are-today",
        "fi_utlegg",
        A,
        _period(TODAY, TODAY),
        request={"from_date": None, "to_date": None},
    ),
    # 10-year limit, boundary inclusive (the DSOP services' “Løsningsbeskrivelse” pages; DSOP “Endpoint
    # customerRelationships V.2.0”; DSOP “eOppslag”).
    accept(
        "service-skatt-exactly-10-years",
        "skatt",
        A,
        _period(TEN_YEARS_BACK, TODAY),
        request={"from_date": TEN_YEARS_BACK.isoformat()},
    ),
    accept(
        "service-nav-exactly-10-years",
        "nav",
        A,
        _period(TEN_YEARS_BACK, TODAY),
        request={"from_date": TEN_YEARS_BACK.isoformat()},
    ),
    accept(
        "service-politi-exactly-10-years",
        "politi",
        A,
        _period(TEN_YEARS_BACK, TODAY),
        request={"from_date": TEN_YEARS_BACK.isoformat()},
        facts={"extradition_order": order(fromDate=TEN_YEARS_BACK.isoformat())},
    ),
    accept(
        "customerrelationships-step1-exactly-10-years",
        "skatt",
        CR,
        _period(TEN_YEARS_BACK, TODAY),
        request={"from_date": TEN_YEARS_BACK.isoformat()},
    ),
    accept(
        "service-skatt-single-day",
        "skatt",
        A,
        _period(date(2026, 3, 3), date(2026, 3, 3)),
        request={"from_date": "2026-03-03", "to_date": "2026-03-03"},
    ),
    # Konkurs: 12 months before the kjennelsesdato, inclusive (the DSOP services' “Løsningsbeskrivelse” pages, DSOP
    # Konkurs “Løsningsbeskrivelse”).
    accept(
        "konkurs-konkurs-exactly-12-months-before-ruling",
        "konkurs",
        A,
        _period(KONKURS_EARLIEST, TODAY),
        request={"from_date": KONKURS_EARLIEST.isoformat()},
    ),
    accept(
        "konkurs-konkurs-from-ruling-date",
        "konkurs",
        T,
        _period(KJENNELSESDATO, TODAY),
        request={"from_date": KJENNELSESDATO.isoformat()},
    ),
    # OED: 3 months before death, inclusive (the DSOP services' “Løsningsbeskrivelse” pages, DSOP OED
    # “Løsningsbeskrivelse”).
    accept(
        "oed-oed-exactly-3-months-before-death",
        "oed",
        A,
        _period(OED_EARLIEST, TODAY),
        request={"from_date": OED_EARLIEST.isoformat()},
    ),
    accept(
        "oed-oed-from-date-of-death",
        "oed",
        T,
        _period(DATE_OF_DEATH, TODAY),
        request={"from_date": DATE_OF_DEATH.isoformat()},
    ),
    # Verge: only the part of last year in which the guardianship existed (DSOP Vergekontroll “Løsningsbeskrivelse”).
    accept(
        "verge-verge-narrowed-to-guardianship-inside-year",
        "verge",
        A,
        _period(date(2025, 4, 1), date(2025, 9, 30)),
        facts={"guardianships": (guardianship(valid_from=date(2025, 4, 1), valid_to=date(2025, 9, 30)),)},
    ),
    accept(
        "verge-verge-narrowed-guardianship-started-in-year",
        "verge",
        T,
        _period(date(2025, 4, 1), LAST_YEAR.to_date),
        facts={"guardianships": (guardianship(valid_from=date(2025, 4, 1)),)},
    ),
    accept(
        "verge-verge-narrowed-guardianship-ended-in-year",
        "verge",
        A,
        _period(LAST_YEAR.from_date, date(2025, 6, 30)),
        facts={"guardianships": (guardianship(valid_to=date(2025, 6, 30)),)},
    ),
    accept(
        "verge-verge-guardian-d-number",
        "verge",
        A,
        _period(LAST_YEAR.from_date, LAST_YEAR.to_date),
        request={"additional_reference_id": GUARDIAN_D_NUMBER},
        facts={"guardianships": (guardianship(guardian=GUARDIAN_D_NUMBER),)},
    ),
    accept(
        "verge-verge-other-guardianships-ignored",
        "verge",
        A,
        _period(LAST_YEAR.from_date, LAST_YEAR.to_date),
        facts={"guardianships": (guardianship(ward=ORG), guardianship(guardian=D_NUMBER), guardianship())},
    ),
    # Politi: the order's own content is re-checked when the caller passes `now` (DSOP Politi “Løsningsbeskrivelse”).
    accept("politi-politi-order-content-valid-now", "politi", A, _service("politi"), now=NOW),
    accept(
        "politi-politi-period-equals-order-period",
        "politi",
        A,
        _period(ORDER_FROM, TODAY),
        request={"from_date": ORDER_FROM.isoformat()},
    ),
    # Shielded persons: Accounts answers an empty, complete list (DSOP “Recommendations regarding validation”).
    accept("validation-shielded-person-skatt-accounts-empty", "skatt", A, _empty(True), facts={"shielded": True}),
    accept("validation-shielded-person-oed-accounts-empty", "oed", A, _empty(True), facts={"shielded": True}),
    accept("validation-shielded-rule-is-for-accounts-only", "skatt", T, _empty(False), facts={"shielded": True}),
]


@pytest.mark.parametrize(("row", "check"), ACCEPTED)
def test_documented_variant_is_allowed(row: Row, check: Callable[[Allowed], None] | None) -> None:
    allowed = assert_allowed(row.decide())
    assert allowed.service == row.service
    if check is not None:
        check(allowed)


def test_shielded_person_note_explains_the_empty_list() -> None:
    row = Row("skatt", Endpoint.ACCOUNTS, facts={"shielded": True})
    allowed = assert_allowed(row.decide())
    assert allowed.return_empty and allowed.note


def test_politi_step1_account_servicing_provider_needs_no_order() -> None:
    """Step 1 is answered by the hub, which sees no extradition order (DSOP “Endpoint accountServicingProvider
    V.2.0”)."""
    row = Row("politi", Endpoint.ACCOUNT_SERVICING_PROVIDER, facts={"extradition_order": None})
    assert_allowed(row.decide())
