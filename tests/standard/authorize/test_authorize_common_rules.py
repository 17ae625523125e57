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

A, D, T, C, R = (Endpoint.ACCOUNTS, Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS, Endpoint.CARDS,
                 Endpoint.ROLES)
CR, ASP = Endpoint.CUSTOMER_RELATIONSHIPS, Endpoint.ACCOUNT_SERVICING_PROVIDER


def bad(parameter: object) -> tuple[int, str, object]:
    return (400, "ACC-001", parameter)


def forbidden(parameter: object) -> tuple[int, str, object]:
    return (403, "ACC-011", parameter)


def err(code: str, parameter: object) -> tuple[int, str, object]:
    return (403 if code == "ERR-001" else 400, code, parameter)


MANDATE_ROWS = [
    # DSOP “Recommendations regarding validation”: Legal-Mandate is required and must be a valid basis.
    deny("p2.5-2-mandate-missing", "skatt", A, bad("Legal-Mandate"), request={"legal_mandate": None}),
    deny("p2.5-2-mandate-blank", "skatt", A, bad("Legal-Mandate"), request={"legal_mandate": "  "}),
    deny("p2.5-2-mandate-unknown", "skatt", A, bad("Legal-Mandate"),
         request={"legal_mandate": "Skatteforvaltningsloven%20%C2%A7%2010-3"}),
    deny("p4.2-mandate-v1-politi-superseded", "politi", A, bad("Legal-Mandate"),
         request={"legal_mandate": "Straffeprosessloven%20%C2%A7%20210%20f%C3%B8rste%20ledd"}),
    deny("dm0.9-mandate-bad-percent-escape", "skatt", A, bad("Legal-Mandate"),
         request={"legal_mandate": "Skatteforvaltningsloven%2"}),
    # "valid basis for this consumer" (DSOP “Recommendations regarding validation”) → not authorised.
    deny("p2.5-2-konkurs-mandate-from-skatteetaten", "skatt", A, forbidden("Legal-Mandate"),
         request={"legal_mandate": KONKURS_MANDATE}),
    deny("p2.5-2-skatt-mandate-from-nav", "nav", A, forbidden("Legal-Mandate"),
         request={"legal_mandate": SKATT_MANDATE}),
    deny("p2.5-2-skatt-mandate-from-brreg", "konkurs", T, forbidden("Legal-Mandate"),
         request={"legal_mandate": SKATT_MANDATE}),
    deny("p2.5-2-skatt-mandate-from-unknown-consumer", "skatt", A, forbidden("Legal-Mandate"),
         request={"consumer_org": "999999999"}),
    deny("p2.5-2-konkurs-mandate-from-nav", "konkurs", A, forbidden("Legal-Mandate"),
         request={"consumer_org": NAV_ORG}),
    # DSOP FI-Utlegg “Om tjenesten”: "FI-Utlegg-Test" is the test value only.
    deny("s2.6-fi-utlegg-test-mandate-refused-in-production", "fi_utlegg", A, bad("Legal-Mandate"),
         environment=Environment.PRODUCTION),
    deny("s2.6-fi-utlegg-test-mandate-from-brreg", "fi_utlegg", A, forbidden("Legal-Mandate"),
         request={"consumer_org": BRREG}),
    # Step 1 (DSOP “Endpoint customerRelationships V.2.0”; DSOP “Endpoint accountServicingProvider V.2.0”; DSOP
    # “eOppslag”): mandate problems are ERR-001.
    deny("dm2.7-step1-mandate-missing", "skatt", CR, err("ERR-001", "Legal-Mandate"),
         request={"legal_mandate": None}),
    deny("dm2.7-step1-mandate-unknown", "skatt", CR, err("ERR-001", "Legal-Mandate"),
         request={"legal_mandate": "Ukjent%20hjemmel"}),
    deny("dm2.7-step1-mandate-of-other-consumer", "skatt", CR, err("ERR-001", "Legal-Mandate"),
         request={"legal_mandate": KONKURS_MANDATE}),
    deny("dm2.8-step1-asp-mandate-missing", "politi", ASP, err("ERR-001", "Legal-Mandate"),
         request={"legal_mandate": None}),
    deny("s2.6-step1-fi-utlegg-test-mandate-in-production", "fi_utlegg", CR, err("ERR-001", "Legal-Mandate"),
         environment=Environment.PRODUCTION),
]

ENDPOINT_ROWS = [
    # the DSOP services' “Løsningsbeskrivelse” pages, DSOP “eOppslag”: a service outside its allow-list → 400 ACC-001.
    deny("dm3.1-konkurs-cards", "konkurs", C, bad(ANY)),
    deny("dm3.1-konkurs-roles", "konkurs", R, bad(ANY)),
    deny("dm3.1-oed-cards", "oed", C, bad(ANY)),
    deny("dm3.1-oed-roles", "oed", R, bad(ANY)),
    deny("dm3.1-verge-cards", "verge", C, bad(ANY)),
    deny("s2.6-fi-utlegg-transactions", "fi_utlegg", T, bad(ANY)),
    deny("s2.6-fi-utlegg-cards", "fi_utlegg", C, bad(ANY)),
    deny("s2.6-fi-utlegg-roles", "fi_utlegg", R, bad(ANY)),
    # DSOP “Endpoint accountServicingProvider V.2.0”: only Politi may use accountServicingProvider → ERR-001.
    *(deny(f"dm2.8-{service}-accountServicingProvider", service, ASP, err("ERR-001", ANY))
      for service in ("skatt", "nav", "konkurs", "oed", "verge", "fi_utlegg")),
]

HEADER_ROWS = [
    # DSOP “Recommendations regarding validation”, DSOP “eOppslag”: AccountInfoRequestID and CorrelationID are required
    # UUIDs.
    deny("p2.1-accountinforequestid-missing", "skatt", A, bad("AccountInfoRequestID"),
         request={"account_info_request_id": None}),
    deny("p2.1-accountinforequestid-not-uuid", "skatt", T, bad("AccountInfoRequestID"),
         request={"account_info_request_id": "sak-2026-0042"}),
    deny("p2.1-accountinforequestid-uuid-without-dashes", "oed", A, bad("AccountInfoRequestID"),
         request={"account_info_request_id": "d4a820caddde11edb5ea0242ac120002"}),
    deny("p2.1-correlationid-missing", "konkurs", A, bad("CorrelationID"), request={"correlation_id": None}),
    deny("p2.1-correlationid-blank", "verge", R, bad("CorrelationID"), request={"correlation_id": ""}),
    deny("p2.1-correlationid-not-uuid", "politi", A, bad("CorrelationID"),
         request={"correlation_id": "14fbc062-aacb-4449-93c1-85c352d387aZ"}),
    deny("dm2.7-step1-correlationid-missing", "skatt", CR, err("ERR-001", "CorrelationID"),
         request={"correlation_id": None}),
    deny("dm2.7-step1-accountinforequestid-not-uuid", "verge", CR, err("ERR-001", "AccountInfoRequestID"),
         request={"account_info_request_id": "x"}),
    deny("dm2.8-step1-asp-correlationid-missing", "politi", ASP, err("ERR-001", "CorrelationID"),
         request={"correlation_id": None}),
]

PARTY_ROWS = [
    # DSOP “Recommendations regarding validation”: PartyID required on Accounts, 11 digits FNR/D-number or 9 digits org
    # no.
    deny("dm2.0-partyid-missing", "skatt", A, bad("PartyID"), request={"party_id": None}),
    deny("dm2.0-partyid-blank", "nav", A, bad("PartyID"), request={"party_id": " "}),
    deny("dm2.0-partyid-bad-checksum-fnr", "skatt", A, bad("PartyID"),
         request={"party_id": bad_check_digit(PERSON)}),
    deny("dm2.0-partyid-bad-checksum-orgnr", "konkurs", A, bad("PartyID"),
         request={"party_id": bad_check_digit(ORG)}),
    deny("dm2.0-partyid-wrong-length-10", "skatt", A, bad("PartyID"), request={"party_id": PERSON[:10]}),
    deny("dm2.0-partyid-wrong-length-12", "skatt", A, bad("PartyID"), request={"party_id": PERSON + "0"}),
    deny("dm2.0-partyid-not-digits", "skatt", A, bad("PartyID"), request={"party_id": "1705802910X"}),
    deny("dm2.0-partyid-with-blank-inside", "skatt", A, bad("PartyID"),
         request={"party_id": f"{PERSON[:6]} {PERSON[6:]}"}),
    deny("dm2.0-partyid-h-number", "skatt", A, bad("PartyID"), request={"party_id": H_NUMBER}),
    deny("dm3.2-oed-partyid-orgnr", "oed", A, bad("PartyID"), request={"party_id": ORG}),
    deny("dm3.2-verge-partyid-orgnr", "verge", A, bad("PartyID"), request={"party_id": ORG}),
    deny("p5.3-partyid-synthetic-person-in-production", "skatt", A, bad("PartyID"),
         request={"party_id": SYNTHETIC_PERSON}),
    deny("p5.3-partyid-synthetic-org-in-production", "nav", A, bad("PartyID"),
         request={"party_id": SYNTHETIC_ORG}),
    # Step 1: CustomerID errors are ERR-002 (DSOP “eOppslag”, DSOP “Endpoint customerRelationships V.2.0”).
    deny("dm2.7-step1-customerid-missing", "skatt", CR, err("ERR-002", "CustomerID"),
         request={"party_id": None}),
    deny("dm2.7-step1-customerid-bad-checksum", "skatt", CR, err("ERR-002", "CustomerID"),
         request={"party_id": bad_check_digit(PERSON)}),
    deny("dm2.7-step1-customerid-wrong-length", "politi", CR, err("ERR-002", "CustomerID"),
         request={"party_id": "12345"}),
    deny("dm2.7-step1-customerid-synthetic-in-production", "konkurs", CR, err("ERR-002", "CustomerID"),
         request={"party_id": SYNTHETIC_PERSON}),
    deny("dm2.7-step1-customerid-h-number", "skatt", CR, err("ERR-002", "CustomerID"),
         request={"party_id": H_NUMBER}),
    deny("dm3.2-step1-oed-customerid-orgnr", "oed", CR, err("ERR-002", "CustomerID"),
         request={"party_id": ORG}),
    deny("dm3.2-step1-verge-customerid-orgnr", "verge", CR, err("ERR-002", "CustomerID"),
         request={"party_id": ORG}),
    # Step 1 accountServicingProvider: AccountID errors are ERR-004 (DSOP “Endpoint accountServicingProvider V.2.0”).
    deny("dm2.8-asp-accountid-missing", "politi", ASP, err("ERR-004", "AccountID"),
         request={"account_id": None}),
    deny("dm2.8-asp-accountid-letters", "politi", ASP, err("ERR-004", "AccountID"),
         request={"account_id": "1503OO12345"}),
    deny("dm2.8-asp-accountid-too-short", "politi", ASP, err("ERR-004", "AccountID"),
         request={"account_id": "1503001234"}),
]

OWNER_ROWS = [
    # DSOP “Recommendations regarding validation”: OnlyPrimaryOwner is a required boolean on Accounts.
    deny("dm2.0-onlyprimaryowner-missing", "skatt", A, bad("OnlyPrimaryOwner"),
         request={"only_primary_owner": None}),
    deny("dm2.0-onlyprimaryowner-not-boolean", "skatt", A, bad("OnlyPrimaryOwner"),
         request={"only_primary_owner": "yes"}),
    deny("dm2.0-onlyprimaryowner-numeric", "nav", A, bad("OnlyPrimaryOwner"),
         request={"only_primary_owner": "1"}),
    # the DSOP services' “Løsningsbeskrivelse” pages: TRUE only for Konkurs, OED, Verge; DSOP FI-Utlegg “Om tjenesten”
    # for FI-Utlegg.
    deny("dm3.2-konkurs-onlyprimaryowner-false", "konkurs", A, bad("OnlyPrimaryOwner"),
         request={"only_primary_owner": "false"}),
    deny("dm3.2-oed-onlyprimaryowner-false", "oed", A, bad("OnlyPrimaryOwner"),
         request={"only_primary_owner": "FALSE"}),
    deny("dm3.2-verge-onlyprimaryowner-false", "verge", A, bad("OnlyPrimaryOwner"),
         request={"only_primary_owner": "false"}),
    deny("s2.6-fi-utlegg-onlyprimaryowner-false", "fi_utlegg", A, bad("OnlyPrimaryOwner"),
         request={"only_primary_owner": "false"}),
    # Step 1: "TRUE only" for the same services (the DSOP services' “Løsningsbeskrivelse” pages), refused with ERR-001.
    deny("dm3.2-step1-konkurs-onlyprimaryowner-false", "konkurs", CR, err("ERR-001", "onlyPrimaryOwner"),
         request={"only_primary_owner": "false"}),
    deny("dm3.2-step1-verge-onlyprimaryowner-false", "verge", CR, err("ERR-001", "onlyPrimaryOwner"),
         request={"only_primary_owner": "false"}),
    deny("dm3.2-step1-onlyprimaryowner-not-boolean", "skatt", CR, err("ERR-001", "onlyPrimaryOwner"),
         request={"only_primary_owner": "maybe"}),
]

REQUESTER_ROWS = [
    # DSOP “Recommendations regarding validation”; the DSOP services' “Løsningsbeskrivelse” pages; DSOP “eOppslag”:
    # RequesterID must be sent by Skatt and Politi.
    deny("dm3.2-skatt-requesterid-missing", "skatt", A, bad("RequesterID"), request={"requester_id": None}),
    deny("dm3.2-skatt-requesterid-blank", "skatt", A, bad("RequesterID"), request={"requester_id": "  "}),
    deny("p4.1-skatt-requesterid-missing-on-2b", "skatt", T, bad("RequesterID"),
         request={"requester_id": None}),
    deny("dm3.2-politi-requesterid-missing", "politi", A, bad("RequesterID"), request={"requester_id": None}),
    deny("p4.2-politi-requesterid-missing-on-2b", "politi", C, bad("RequesterID"),
         request={"requester_id": None}),
]

REFERENCE_ROWS = [
    # DSOP “Recommendations regarding validation”, the DSOP services' “Løsningsbeskrivelse” pages: the type the mandate
    # requires, and content to match.
    deny("p2.5-3-politi-type-missing", "politi", A, bad("AdditionalReferenceIDType"),
         request={"additional_reference_id_type": None}),
    deny("p2.5-3-politi-type-srf", "politi", A, bad("AdditionalReferenceIDType"),
         request={"additional_reference_id_type": "srf"}),
    deny("p2.5-3-politi-type-v1-pol", "politi", A, bad("AdditionalReferenceIDType"),
         request={"additional_reference_id_type": "pol"}),
    deny("p2.5-3-verge-type-missing", "verge", A, bad("AdditionalReferenceIDType"),
         request={"additional_reference_id_type": None}),
    deny("p2.5-3-verge-type-pol1", "verge", T, bad("AdditionalReferenceIDType"),
         request={"additional_reference_id_type": "pol1"}),
    deny("p2.5-3-type-unknown-value", "verge", A, bad("AdditionalReferenceIDType"),
         request={"additional_reference_id_type": "fnr"}),
    deny("dm3.2-skatt-type-sent-but-none", "skatt", A, bad("AdditionalReferenceIDType"),
         request={"additional_reference_id_type": "srf", "additional_reference_id": GUARDIAN}),
    deny("dm3.2-konkurs-type-sent-but-none", "konkurs", A, bad("AdditionalReferenceIDType"),
         request={"additional_reference_id_type": "pol1", "additional_reference_id": "x.y.z"}),
    deny("dm3.2-oed-type-sent-but-none", "oed", D, bad("AdditionalReferenceIDType"),
         request={"additional_reference_id_type": "srf", "additional_reference_id": GUARDIAN}),
    deny("p2.5-4-politi-reference-missing", "politi", A, bad("AdditionalReferenceID"),
         request={"additional_reference_id": None}),
    deny("p2.5-4-verge-reference-missing", "verge", A, bad("AdditionalReferenceID"),
         request={"additional_reference_id": None}),
    deny("p2.5-4-verge-guardian-bad-checksum", "verge", A, bad("AdditionalReferenceID"),
         request={"additional_reference_id": bad_check_digit(GUARDIAN)}),
    deny("p2.5-4-verge-guardian-wrong-length", "verge", A, bad("AdditionalReferenceID"),
         request={"additional_reference_id": GUARDIAN[:9] + "x"}),
    deny("dm3.2-verge-guardian-orgnr", "verge", A, bad("AdditionalReferenceID"),
         request={"additional_reference_id": ORG}),
    deny("dm3.2-verge-guardian-h-number", "verge", A, bad("AdditionalReferenceID"),
         request={"additional_reference_id": H_NUMBER}),
    deny("p5.3-verge-guardian-synthetic-in-production", "verge", A, bad("AdditionalReferenceID"),
         request={"additional_reference_id": SYNTHETIC_PERSON}),
]

DATE_ROWS = [
    # DSOP “Data model”; DSOP “Recommendations regarding validation”: ISODate YYYY-MM-DD, toDate ≥ fromDate; periods end
    # no later than today.
    deny("dm0.9-fromdate-month-13", "skatt", A, bad("fromDate"), request={"from_date": "2024-13-01"}),
    deny("dm0.9-fromdate-30-february", "skatt", A, bad("fromDate"), request={"from_date": "2024-02-30"}),
    deny("dm0.9-fromdate-two-digit-year", "skatt", A, bad("fromDate"), request={"from_date": "24-01-01"}),
    deny("dm0.9-fromdate-norwegian-form", "nav", A, bad("fromDate"), request={"from_date": "01.01.2024"}),
    deny("dm0.9-todate-datetime", "skatt", T, bad("toDate"), request={"to_date": "2026-11-28T00:00:00Z"}),
    deny("dm0.9-todate-not-a-date", "politi", A, bad("toDate"), request={"to_date": "today"}),
    deny("p2.1-todate-before-fromdate", "skatt", A, bad("toDate"),
         request={"from_date": "2026-06-02", "to_date": "2026-06-01"}),
    deny("p2.1-fromdate-in-future", "skatt", A, bad("fromDate"),
         request={"from_date": "2026-11-29", "to_date": "2026-11-29"}),
    deny("p2.1-todate-in-future", "nav", A, bad("toDate"), request={"to_date": "2026-11-29"}),
    deny("p2.1-todate-far-future", "konkurs", A, bad("toDate"), request={"to_date": "2030-01-01"}),
    deny("p2.1-todate-before-fromdate-default-today", "skatt", A, bad("toDate"),
         request={"from_date": None, "to_date": "2026-11-27"}),
    # Step 1: ERR-003 for every period or date-format problem.
    deny("dm2.7-step1-fromdate-malformed", "skatt", CR, err("ERR-003", "fromDate"),
         request={"from_date": "2024-13-01"}),
    deny("dm2.7-step1-todate-before-fromdate", "politi", CR, err("ERR-003", "toDate"),
         request={"from_date": "2026-01-02", "to_date": "2026-01-01"}),
    deny("dm2.7-step1-todate-in-future", "oed", CR, err("ERR-003", "toDate"),
         request={"to_date": "2026-12-01"}),
]

ROWS = [*MANDATE_ROWS, *ENDPOINT_ROWS, *HEADER_ROWS, *PARTY_ROWS, *OWNER_ROWS, *REQUESTER_ROWS,
        *REFERENCE_ROWS, *DATE_ROWS]


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

