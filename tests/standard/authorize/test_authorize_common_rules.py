"""The generic inbound rules, one row per documented rule, each a single change to a valid request.

Sources: DSOP “Recommendations regarding validation” (validation list: Legal-Mandate for this consumer, reference type
and content, period, endpoint access, format) and DSOP “eOppslag” (parameters); DSOP “eOppslag”
(codes), DSOP “Recommendations regarding validation” (parameters), DSOP “Endpoint customerRelationships V.2.0”; DSOP
“Endpoint accountServicingProvider V.2.0” (step 1), the DSOP services' “Løsningsbeskrivelse” pages (endpoint access),
the DSOP services' “Løsningsbeskrivelse” pages (parameters per
service); DSOP FI-Utlegg “Om tjenesten” (FI-Utlegg).  Step 2 answers 400 ACC-001 for a bad request and
403 ACC-011 when not authorised; step 1 answers ERR-001 (403), ERR-002 (CustomerID),
ERR-003 (period/date) and ERR-004 (AccountID).
"""

from __future__ import annotations

import pytest

from opendsop.standard.endpoints import Endpoint
from opendsop.standard.request import Environment
from tests.standard.authorize._authorize_cases import (
    ANY,
    BRREG,
    GUARDIAN,
    H_NUMBER,
    KONKURS_MANDATE,
    NAV_ORG,
    ORG,
    PERSON,
    SKATT_MANDATE,
    SYNTHETIC_ORG,
    SYNTHETIC_PERSON,
    Row,
    assert_denied,
    bad_check_digit,
    deny,
)

A, D, T, C, R = (Endpoint.ACCOUNTS, Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS, Endpoint.CARDS, Endpoint.ROLES)
CR, ASP = Endpoint.CUSTOMER_RELATIONSHIPS, Endpoint.ACCOUNT_SERVICING_PROVIDER


def bad(parameter: object) -> tuple[int, str, object]:
    return (400, "ACC-001", parameter)


def forbidden(parameter: object) -> tuple[int, str, object]:
    return (403, "ACC-011", parameter)


def err(code: str, parameter: object) -> tuple[int, str, object]:
    return (403 if code == "ERR-001" else 400, code, parameter)


MANDATE_ROWS = [
    # DSOP “Recommendations regarding validation”: Legal-Mandate is required and must be a valid basis.
    deny("validation-2-mandate-missing", "skatt", A, bad("Legal-Mandate"), request={"legal_mandate": None}),
    deny("validation-2-mandate-blank", "skatt", A, bad("Legal-Mandate"), request={"legal_mandate": "  "}),
    deny(
        "validation-2-mandate-unknown",
        "skatt",
        A,
        bad("Legal-Mandate"),
        request={"legal_mandate": "Skatteforvaltningsloven%20%C2%A7%2010-3"},
    ),
    deny(
        "politi-mandate-v1-politi-superseded",
        "politi",
        A,
        bad("Legal-Mandate"),
        request={"legal_mandate": "Straffeprosessloven%20%C2%A7%20210%20f%C3%B8rste%20ledd"},
    ),
    deny(
        "datamodel-mandate-bad-percent-escape",
        "skatt",
        A,
        bad("Legal-Mandate"),
        request={"legal_mandate": "Skatteforvaltningsloven%2"},
    ),
    # "valid basis for this consumer" (DSOP “Recommendations regarding validation”) → not authorised.
    deny(
        "validation-2-konkurs-mandate-from-skatteetaten",
        "skatt",
        A,
        forbidden("Legal-Mandate"),
        request={"legal_mandate": KONKURS_MANDATE},
    ),
    deny(
        "validation-2-skatt-mandate-from-nav",
        "nav",
        A,
        forbidden("Legal-Mandate"),
        request={"legal_mandate": SKATT_MANDATE},
    ),
    deny(
        "validation-2-skatt-mandate-from-brreg",
        "konkurs",
        T,
        forbidden("Legal-Mandate"),
        request={"legal_mandate": SKATT_MANDATE},
    ),
    deny(
        "validation-2-skatt-mandate-from-unknown-consumer",
        "skatt",
        A,
        forbidden("Legal-Mandate"),
        request={"consumer_org": "999999999"},
    ),
    deny(
        "validation-2-konkurs-mandate-from-nav",
        "konkurs",
        A,
        forbidden("Legal-Mandate"),
        request={"consumer_org": NAV_ORG},
    ),
    # DSOP FI-Utlegg “Om tjenesten”: "FI-Utlegg-Test" is the test value only.
    deny(
        "fi-utlegg-fi-utlegg-test-mandate-refused-in-production",
        "fi_utlegg",
        A,
        bad("Legal-Mandate"),
        environment=Environment.PRODUCTION,
    ),
    deny(
        "fi-utlegg-fi-utlegg-test-mandate-from-brreg",
        "fi_utlegg",
        A,
        forbidden("Legal-Mandate"),
        request={"consumer_org": BRREG},
    ),
    # Step 1 (DSOP “Endpoint customerRelationships V.2.0”; DSOP “Endpoint accountServicingProvider V.2.0”; DSOP
    # “eOppslag”): mandate problems are ERR-001.
    deny(
        "customerrelationships-step1-mandate-missing",
        "skatt",
        CR,
        err("ERR-001", "Legal-Mandate"),
        request={"legal_mandate": None},
    ),
    deny(
        "customerrelationships-step1-mandate-unknown",
        "skatt",
        CR,
        err("ERR-001", "Legal-Mandate"),
        request={"legal_mandate": "Ukjent%20hjemmel"},
    ),
    deny(
        "customerrelationships-step1-mandate-of-other-consumer",
        "skatt",
        CR,
        err("ERR-001", "Legal-Mandate"),
        request={"legal_mandate": KONKURS_MANDATE},
    ),
    deny(
        "accountservicingprovider-step1-asp-mandate-missing",
        "politi",
        ASP,
        err("ERR-001", "Legal-Mandate"),
        request={"legal_mandate": None},
    ),
    deny(
        "fi-utlegg-step1-fi-utlegg-test-mandate-in-production",
        "fi_utlegg",
        CR,
        err("ERR-001", "Legal-Mandate"),
        environment=Environment.PRODUCTION,
    ),
]

ENDPOINT_ROWS = [
    # the DSOP services' “Løsningsbeskrivelse” pages, DSOP “eOppslag”: a service outside its allow-list → 400 ACC-001.
    deny("service-konkurs-cards", "konkurs", C, bad(ANY)),
    deny("service-konkurs-roles", "konkurs", R, bad(ANY)),
    deny("service-oed-cards", "oed", C, bad(ANY)),
    deny("service-oed-roles", "oed", R, bad(ANY)),
    deny("service-verge-cards", "verge", C, bad(ANY)),
    deny("fi-utlegg-fi-utlegg-transactions", "fi_utlegg", T, bad(ANY)),
    deny("fi-utlegg-fi-utlegg-cards", "fi_utlegg", C, bad(ANY)),
    deny("fi-utlegg-fi-utlegg-roles", "fi_utlegg", R, bad(ANY)),
    deny("fi-utlegg-an-transactions", "fi_utlegg_an", T, bad(ANY)),
    deny("fi-utlegg-an-cards", "fi_utlegg_an", C, bad(ANY)),
    deny("fi-utlegg-an-roles", "fi_utlegg_an", R, bad(ANY)),
    # DSOP “Endpoint accountServicingProvider V.2.0”: only Politi may use accountServicingProvider → ERR-001.
    *(
        deny(f"accountservicingprovider-{service}-accountServicingProvider", service, ASP, err("ERR-001", ANY))
        for service in ("skatt", "nav", "konkurs", "oed", "verge", "fi_utlegg")
    ),
]

HEADER_ROWS = [
    # DSOP “Recommendations regarding validation”, DSOP “eOppslag”: AccountInfoRequestID and CorrelationID are required
    # UUIDs.
    deny(
        "eoppslag-accountinforequestid-missing",
        "skatt",
        A,
        bad("AccountInfoRequestID"),
        request={"account_info_request_id": None},
    ),
    deny(
        "eoppslag-accountinforequestid-not-uuid",
        "skatt",
        T,
        bad("AccountInfoRequestID"),
        request={"account_info_request_id": "sak-2026-0042"},
    ),
    deny(
        "eoppslag-accountinforequestid-uuid-without-dashes",
        "oed",
        A,
        bad("AccountInfoRequestID"),
        request={"account_info_request_id": "d4a820caddde11edb5ea0242ac120002"},
    ),
    deny("eoppslag-correlationid-missing", "konkurs", A, bad("CorrelationID"), request={"correlation_id": None}),
    deny("eoppslag-correlationid-blank", "verge", R, bad("CorrelationID"), request={"correlation_id": ""}),
    deny(
        "eoppslag-correlationid-not-uuid",
        "politi",
        A,
        bad("CorrelationID"),
        request={"correlation_id": "14fbc062-aacb-4449-93c1-85c352d387aZ"},
    ),
    deny(
        "customerrelationships-step1-correlationid-missing",
        "skatt",
        CR,
        err("ERR-001", "CorrelationID"),
        request={"correlation_id": None},
    ),
    deny(
        "customerrelationships-step1-accountinforequestid-not-uuid",
        "verge",
        CR,
        err("ERR-001", "AccountInfoRequestID"),
        request={"account_info_request_id": "x"},
    ),
    deny(
        "accountservicingprovider-step1-asp-correlationid-missing",
        "politi",
        ASP,
        err("ERR-001", "CorrelationID"),
        request={"correlation_id": None},
    ),
]

PARTY_ROWS = [
    # DSOP “Recommendations regarding validation”: PartyID required on Accounts, 11 digits FNR/D-number or 9 digits org
    # no.
    deny("validation-partyid-missing", "skatt", A, bad("PartyID"), request={"party_id": None}),
    deny("validation-partyid-blank", "nav", A, bad("PartyID"), request={"party_id": " "}),
    deny(
        "validation-partyid-bad-checksum-fnr", "skatt", A, bad("PartyID"), request={"party_id": bad_check_digit(PERSON)}
    ),
    deny(
        "validation-partyid-bad-checksum-orgnr",
        "konkurs",
        A,
        bad("PartyID"),
        request={"party_id": bad_check_digit(ORG)},
    ),
    deny("validation-partyid-wrong-length-10", "skatt", A, bad("PartyID"), request={"party_id": PERSON[:10]}),
    deny("validation-partyid-wrong-length-12", "skatt", A, bad("PartyID"), request={"party_id": PERSON + "0"}),
    deny("validation-partyid-not-digits", "skatt", A, bad("PartyID"), request={"party_id": "1705802910X"}),
    deny(
        "validation-partyid-with-blank-inside",
        "skatt",
        A,
        bad("PartyID"),
        request={"party_id": f"{PERSON[:6]} {PERSON[6:]}"},
    ),
    deny("validation-partyid-h-number", "skatt", A, bad("PartyID"), request={"party_id": H_NUMBER}),
    deny("service-oed-partyid-orgnr", "oed", A, bad("PartyID"), request={"party_id": ORG}),
    deny("service-verge-partyid-orgnr", "verge", A, bad("PartyID"), request={"party_id": ORG}),
    deny(
        "test-environment-partyid-synthetic-person-in-production",
        "skatt",
        A,
        bad("PartyID"),
        request={"party_id": SYNTHETIC_PERSON},
    ),
    deny(
        "test-environment-partyid-synthetic-org-in-production",
        "nav",
        A,
        bad("PartyID"),
        request={"party_id": SYNTHETIC_ORG},
    ),
    # Step 1: CustomerID errors are ERR-002 (DSOP “eOppslag”, DSOP “Endpoint customerRelationships V.2.0”).
    deny(
        "customerrelationships-step1-customerid-missing",
        "skatt",
        CR,
        err("ERR-002", "CustomerID"),
        request={"party_id": None},
    ),
    deny(
        "customerrelationships-step1-customerid-bad-checksum",
        "skatt",
        CR,
        err("ERR-002", "CustomerID"),
        request={"party_id": bad_check_digit(PERSON)},
    ),
    deny(
        "customerrelationships-step1-customerid-wrong-length",
        "politi",
        CR,
        err("ERR-002", "CustomerID"),
        request={"party_id": "12345"},
    ),
    deny(
        "customerrelationships-step1-customerid-synthetic-in-production",
        "konkurs",
        CR,
        err("ERR-002", "CustomerID"),
        request={"party_id": SYNTHETIC_PERSON},
    ),
    deny(
        "customerrelationships-step1-customerid-h-number",
        "skatt",
        CR,
        err("ERR-002", "CustomerID"),
        request={"party_id": H_NUMBER},
    ),
    deny("service-step1-oed-customerid-orgnr", "oed", CR, err("ERR-002", "CustomerID"), request={"party_id": ORG}),
    deny("service-step1-verge-customerid-orgnr", "verge", CR, err("ERR-002", "CustomerID"), request={"party_id": ORG}),
    # Step 1 accountServicingProvider: AccountID errors are ERR-004 (DSOP “Endpoint accountServicingProvider V.2.0”).
    deny(
        "accountservicingprovider-asp-accountid-missing",
        "politi",
        ASP,
        err("ERR-004", "AccountID"),
        request={"account_id": None},
    ),
    deny(
        "accountservicingprovider-asp-accountid-letters",
        "politi",
        ASP,
        err("ERR-004", "AccountID"),
        request={"account_id": "1503OO12345"},
    ),
    deny(
        "accountservicingprovider-asp-accountid-too-short",
        "politi",
        ASP,
        err("ERR-004", "AccountID"),
        request={"account_id": "1503001234"},
    ),
]

OWNER_ROWS = [
    # DSOP “Recommendations regarding validation”: OnlyPrimaryOwner is a required boolean on Accounts.
    deny(
        "validation-onlyprimaryowner-missing", "skatt", A, bad("OnlyPrimaryOwner"), request={"only_primary_owner": None}
    ),
    deny(
        "validation-onlyprimaryowner-not-boolean",
        "skatt",
        A,
        bad("OnlyPrimaryOwner"),
        request={"only_primary_owner": "yes"},
    ),
    deny("validation-onlyprimaryowner-numeric", "nav", A, bad("OnlyPrimaryOwner"), request={"only_primary_owner": "1"}),
    # the DSOP services' “Løsningsbeskrivelse” pages: TRUE only for Konkurs, OED, Verge; DSOP FI-Utlegg “Om tjenesten”
    # for FI-Utlegg.
    deny(
        "service-konkurs-onlyprimaryowner-false",
        "konkurs",
        A,
        bad("OnlyPrimaryOwner"),
        request={"only_primary_owner": "false"},
    ),
    deny(
        "service-oed-onlyprimaryowner-false", "oed", A, bad("OnlyPrimaryOwner"), request={"only_primary_owner": "FALSE"}
    ),
    deny(
        "service-verge-onlyprimaryowner-false",
        "verge",
        A,
        bad("OnlyPrimaryOwner"),
        request={"only_primary_owner": "false"},
    ),
    deny(
        "fi-utlegg-fi-utlegg-onlyprimaryowner-false",
        "fi_utlegg",
        A,
        bad("OnlyPrimaryOwner"),
        request={"only_primary_owner": "false"},
    ),
    # Step 1: "TRUE only" for the same services (the DSOP services' “Løsningsbeskrivelse” pages), refused with ERR-001.
    deny(
        "service-step1-konkurs-onlyprimaryowner-false",
        "konkurs",
        CR,
        err("ERR-001", "onlyPrimaryOwner"),
        request={"only_primary_owner": "false"},
    ),
    deny(
        "service-step1-verge-onlyprimaryowner-false",
        "verge",
        CR,
        err("ERR-001", "onlyPrimaryOwner"),
        request={"only_primary_owner": "false"},
    ),
    deny(
        "service-step1-onlyprimaryowner-not-boolean",
        "skatt",
        CR,
        err("ERR-001", "onlyPrimaryOwner"),
        request={"only_primary_owner": "maybe"},
    ),
]

REQUESTER_ROWS = [
    # DSOP “Recommendations regarding validation”; the DSOP services' “Løsningsbeskrivelse” pages; DSOP “eOppslag”:
    # RequesterID must be sent by Skatt and Politi.
    deny("service-skatt-requesterid-missing", "skatt", A, bad("RequesterID"), request={"requester_id": None}),
    deny("service-skatt-requesterid-blank", "skatt", A, bad("RequesterID"), request={"requester_id": "  "}),
    deny("skatt-skatt-requesterid-missing-on-2b", "skatt", T, bad("RequesterID"), request={"requester_id": None}),
    deny("service-politi-requesterid-missing", "politi", A, bad("RequesterID"), request={"requester_id": None}),
    deny("politi-politi-requesterid-missing-on-2b", "politi", C, bad("RequesterID"), request={"requester_id": None}),
]

REFERENCE_ROWS = [
    # DSOP “Recommendations regarding validation”, the DSOP services' “Løsningsbeskrivelse” pages: the type the mandate
    # requires, and content to match.
    deny(
        "validation-3-politi-type-missing",
        "politi",
        A,
        bad("AdditionalReferenceIDType"),
        request={"additional_reference_id_type": None},
    ),
    deny(
        "validation-3-politi-type-srf",
        "politi",
        A,
        bad("AdditionalReferenceIDType"),
        request={"additional_reference_id_type": "srf"},
    ),
    deny(
        "validation-3-politi-type-v1-pol",
        "politi",
        A,
        bad("AdditionalReferenceIDType"),
        request={"additional_reference_id_type": "pol"},
    ),
    deny(
        "validation-3-verge-type-missing",
        "verge",
        A,
        bad("AdditionalReferenceIDType"),
        request={"additional_reference_id_type": None},
    ),
    deny(
        "validation-3-verge-type-pol1",
        "verge",
        T,
        bad("AdditionalReferenceIDType"),
        request={"additional_reference_id_type": "pol1"},
    ),
    deny(
        "validation-3-type-unknown-value",
        "verge",
        A,
        bad("AdditionalReferenceIDType"),
        request={"additional_reference_id_type": "fnr"},
    ),
    deny(
        "service-skatt-type-sent-but-none",
        "skatt",
        A,
        bad("AdditionalReferenceIDType"),
        request={"additional_reference_id_type": "srf", "additional_reference_id": GUARDIAN},
    ),
    deny(
        "service-konkurs-type-sent-but-none",
        "konkurs",
        A,
        bad("AdditionalReferenceIDType"),
        request={"additional_reference_id_type": "pol1", "additional_reference_id": "x.y.z"},
    ),
    deny(
        "service-oed-type-sent-but-none",
        "oed",
        D,
        bad("AdditionalReferenceIDType"),
        request={"additional_reference_id_type": "srf", "additional_reference_id": GUARDIAN},
    ),
    deny(
        "validation-4-politi-reference-missing",
        "politi",
        A,
        bad("AdditionalReferenceID"),
        request={"additional_reference_id": None},
    ),
    deny(
        "validation-4-verge-reference-missing",
        "verge",
        A,
        bad("AdditionalReferenceID"),
        request={"additional_reference_id": None},
    ),
    deny(
        "validation-4-verge-guardian-bad-checksum",
        "verge",
        A,
        bad("AdditionalReferenceID"),
        request={"additional_reference_id": bad_check_digit(GUARDIAN)},
    ),
    deny(
        "validation-4-verge-guardian-wrong-length",
        "verge",
        A,
        bad("AdditionalReferenceID"),
        request={"additional_reference_id": GUARDIAN[:9] + "x"},
    ),
    deny(
        "service-verge-guardian-orgnr",
        "verge",
        A,
        bad("AdditionalReferenceID"),
        request={"additional_reference_id": ORG},
    ),
    deny(
        "service-verge-guardian-h-number",
        "verge",
        A,
        bad("AdditionalReferenceID"),
        request={"additional_reference_id": H_NUMBER},
    ),
    deny(
        "test-environment-verge-guardian-synthetic-in-production",
        "verge",
        A,
        bad("AdditionalReferenceID"),
        request={"additional_reference_id": SYNTHETIC_PERSON},
    ),
]

DATE_ROWS = [
    # DSOP “Data model”; DSOP “Recommendations regarding validation”: ISODate YYYY-MM-DD, toDate ≥ fromDate; periods end
    # no later than today.
    deny("datamodel-fromdate-month-13", "skatt", A, bad("fromDate"), request={"from_date": "2024-13-01"}),
    deny("datamodel-fromdate-30-february", "skatt", A, bad("fromDate"), request={"from_date": "2024-02-30"}),
    deny("datamodel-fromdate-two-digit-year", "skatt", A, bad("fromDate"), request={"from_date": "24-01-01"}),
    deny("datamodel-fromdate-norwegian-form", "nav", A, bad("fromDate"), request={"from_date": "01.01.2024"}),
    deny("datamodel-todate-datetime", "skatt", T, bad("toDate"), request={"to_date": "2026-11-28T00:00:00Z"}),
    deny("datamodel-todate-not-a-date", "politi", A, bad("toDate"), request={"to_date": "today"}),
    deny(
        "eoppslag-todate-before-fromdate",
        "skatt",
        A,
        bad("toDate"),
        request={"from_date": "2026-06-02", "to_date": "2026-06-01"},
    ),
    deny(
        "eoppslag-fromdate-in-future",
        "skatt",
        A,
        bad("fromDate"),
        request={"from_date": "2026-11-29", "to_date": "2026-11-29"},
    ),
    deny("eoppslag-todate-in-future", "nav", A, bad("toDate"), request={"to_date": "2026-11-29"}),
    deny("eoppslag-todate-far-future", "konkurs", A, bad("toDate"), request={"to_date": "2030-01-01"}),
    deny(
        "eoppslag-todate-before-fromdate-default-today",
        "skatt",
        A,
        bad("toDate"),
        request={"from_date": None, "to_date": "2026-11-27"},
    ),
    # Step 1: ERR-003 for every period or date-format problem.
    deny(
        "customerrelationships-step1-fromdate-malformed",
        "skatt",
        CR,
        err("ERR-003", "fromDate"),
        request={"from_date": "2024-13-01"},
    ),
    deny(
        "customerrelationships-step1-todate-before-fromdate",
        "politi",
        CR,
        err("ERR-003", "toDate"),
        request={"from_date": "2026-01-02", "to_date": "2026-01-01"},
    ),
    deny(
        "customerrelationships-step1-todate-in-future",
        "oed",
        CR,
        err("ERR-003", "toDate"),
        request={"to_date": "2026-12-01"},
    ),
]

ROWS = [
    *MANDATE_ROWS,
    *ENDPOINT_ROWS,
    *HEADER_ROWS,
    *PARTY_ROWS,
    *OWNER_ROWS,
    *REQUESTER_ROWS,
    *REFERENCE_ROWS,
    *DATE_ROWS,
]


@pytest.mark.parametrize("row", ROWS)
def test_violation_is_denied_with_its_code(row: Row) -> None:
    assert_denied(row)


@pytest.mark.parametrize("row", ROWS)
def test_denial_message_names_the_parameter(row: Row) -> None:
    denied = assert_denied(row)
    if denied.parameter is not None:
        assert denied.parameter in denied.message, denied


def test_row_ids_are_unique() -> None:
    ids = [param.id for param in ROWS]
    assert len(ids) == len(set(ids))
