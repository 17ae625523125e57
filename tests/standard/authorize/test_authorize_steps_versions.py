"""Which Legal-Mandate is valid at which step and in which API version, and empty values: one row per rule,
each naming the public page it comes from.

* Step 1 and step 2 have their own texts where the law splits the basis: vergemålsforskriften § 20a first
  paragraph letter a is the basis for customer relations (step 1), letters b-e for account data (step 2)
  (Vergekontroll: Juridiske rammebetingelser, Løsningsbeskrivelse); OED's legal page names § 92 alone for
  step 1 (Oppgjør etter dødsfall: Juridiske rammebetingelser).  A step-1 text at the Control API is a basis
  the consumer has, but not for account data: 403 ACC-011 ("Recommendations regarding validation of
  requests in Control API": the Legal-Mandate must be a valid basis for the request).
* Control API v1 (Bank_v1.yaml; "Juridiske rammebetingelser Kontrollinformasjon"; "Specification of
  eOppslag" v1) is judged by its own rules; v2 refuses v1's texts and v1 refuses v2's.
* A query value or header sent empty is malformed, never taken for an absent one (Bank_v2.yaml: a
  ``format: date`` / ``boolean`` value; the header's required text).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from opendsop.standard import mandate
from opendsop.standard.decision import Allowed
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.versions import ApiVersion
from tests.standard.authorize._authorize_cases import (
    ANY,
    OED_MANDATE,
    OED_SHORT_MANDATE,
    SKATT_MANDATE,
    VERGE_STEP1_MANDATE,
    VERGE_STEP2_MANDATE,
    Row,
    assert_allowed,
    assert_denied,
)

A, D, T, R = Endpoint.ACCOUNTS, Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS, Endpoint.ROLES
CR = Endpoint.CUSTOMER_RELATIONSHIPS
V1 = {"api_version": ApiVersion.V1}
VERGE_LEGAL = "Vergekontroll: Juridiske rammebetingelser; Løsningsbeskrivelse"
OED_LEGAL = "Oppgjør etter dødsfall: Juridiske rammebetingelser"
V1_LEGAL = "Juridiske rammebetingelser Kontrollinformasjon (v1)"
V1_EOPPSLAG = "Specification of eOppslag (v1): AdditionalReferenceIDType and AdditionalReferenceID"
POL_REFERENCE = quote("Oslo politidistrikt;Kari Nordmann", safe="")


def bad(parameter: object) -> tuple[int, str, object]:
    return (400, "ACC-001", parameter)


def forbidden(parameter: object) -> tuple[int, str, object]:
    return (403, "ACC-011", parameter)


def denial(
    service: str, endpoint: Endpoint, expect: tuple[int, str, object], *, request: dict[str, Any] | None = None
) -> Row:
    status, code, parameter = expect
    return Row(service, endpoint, dict(request or {}), status=status, code=code, parameter=parameter)


def v1(**request: object) -> dict[str, object]:
    return {**V1, **request}


# (rule id, source page, row)
DENIED = [
    # -- step-1 texts at step 2, step-2 texts at step 1 ------------------------------------------------
    *[
        (
            f"verge-step1-text-at-{endpoint.operation_id}",
            VERGE_LEGAL,
            denial("verge", endpoint, forbidden("Legal-Mandate"), request={"legal_mandate": VERGE_STEP1_MANDATE}),
        )
        for endpoint in (A, D, T, R)
    ],
    *[
        (
            f"oed-step1-text-at-{endpoint.operation_id}",
            OED_LEGAL,
            denial("oed", endpoint, forbidden("Legal-Mandate"), request={"legal_mandate": OED_SHORT_MANDATE}),
        )
        for endpoint in (A, D, T)
    ],
    (
        "verge-step2-text-at-customerRelationships",
        VERGE_LEGAL,
        denial("verge", CR, (403, "ERR-001", "Legal-Mandate"), request={"legal_mandate": VERGE_STEP2_MANDATE}),
    ),
    # -- versions -------------------------------------------------------------------------------------
    (
        "v2-refuses-skatt-v1-text",
        V1_LEGAL,
        denial("skatt", A, bad("Legal-Mandate"), request={"legal_mandate": mandate.SKATT_V1.encoded}),
    ),
    (
        "v2-refuses-politi-v1-hvitvasking",
        V1_LEGAL,
        denial("politi", A, bad("Legal-Mandate"), request={"legal_mandate": mandate.POLITI_HVITVASKING_V1.encoded}),
    ),
    ("v1-refuses-skatt-v2-text", V1_LEGAL, denial("skatt", A, bad("Legal-Mandate"), request=v1())),
    ("v1-refuses-oed-a-v2-service", V1_LEGAL, denial("oed", A, bad("Legal-Mandate"), request=v1())),
    ("v1-refuses-verge-a-v2-service", V1_LEGAL, denial("verge", A, bad("Legal-Mandate"), request=v1())),
    (
        "v1-skatt-text-not-for-nav",
        V1_LEGAL,
        denial("nav", A, forbidden("Legal-Mandate"), request=v1(legal_mandate=mandate.SKATT_V1.encoded)),
    ),
    (
        "v1-politi-210-needs-pol",
        V1_EOPPSLAG,
        denial(
            "politi",
            A,
            bad("AdditionalReferenceIDType"),
            request=v1(
                legal_mandate=mandate.POLITI_210_FORSTE_V1.encoded,
                additional_reference_id_type=None,
                additional_reference_id=None,
            ),
        ),
    ),
    (
        "v1-politi-pol-needs-district-and-name",
        V1_EOPPSLAG,
        denial(
            "politi",
            A,
            bad("AdditionalReferenceID"),
            request=v1(
                legal_mandate=mandate.POLITI_210_TREDJE_V1.encoded,
                additional_reference_id_type="pol",
                additional_reference_id=quote("Kari Nordmann", safe=""),
            ),
        ),
    ),
    (
        "v1-pol1-is-not-a-v1-type",
        "Bank_v1.yaml: AdditionalReferenceIDType enum [pol]",
        denial(
            "politi",
            A,
            bad("AdditionalReferenceIDType"),
            request=v1(legal_mandate=mandate.POLITI_210_FORSTE_V1.encoded),
        ),
    ),
    (
        "v2-pol-is-not-a-v2-type",
        "Bank_v2.yaml: AdditionalReferenceIDType enum [pol1, srf]",
        denial(
            "politi",
            A,
            bad("AdditionalReferenceIDType"),
            request={"additional_reference_id_type": "pol", "additional_reference_id": POL_REFERENCE},
        ),
    ),
    (
        "v1-pol-not-for-hvitvasking",
        V1_EOPPSLAG,
        denial(
            "politi",
            A,
            bad("AdditionalReferenceIDType"),
            request=v1(
                legal_mandate=mandate.POLITI_HVITVASKING_V1.encoded,
                additional_reference_id_type="pol",
                additional_reference_id=POL_REFERENCE,
            ),
        ),
    ),
    (
        "v1-account-id-not-in-use",
        "Bank_v1.yaml GET /accounts: AccountID 'Not in use per now'",
        denial("nav", A, bad("AccountID"), request=v1(account_id="15030012345")),
    ),
    (
        "v1-party-id-required",
        "Bank_v1.yaml GET /accounts (AccountID not in use)",
        denial("nav", A, bad("PartyID"), request=v1(party_id=None)),
    ),
    # -- empty values -----------------------------------------------------------------------------------
    *[
        (
            f"{version}-{name}-{label}",
            "Bank_v2.yaml / Bank_v1.yaml: fromDate, toDate format date",
            denial(
                "skatt" if version == "v2" else "nav",
                endpoint,
                bad(name),
                request={field: value, **({} if version == "v2" else V1)},
            ),
        )
        for version in ("v2", "v1")
        for endpoint in (A, T)
        for name, field in (("fromDate", "from_date"), ("toDate", "to_date"))
        for label, value in (("empty", ""), ("blank", "  "))
    ],
    (
        "v2-OnlyPrimaryOwner-empty",
        "Bank_v2.yaml GET /accounts: OnlyPrimaryOwner boolean, required",
        denial("skatt", A, bad("OnlyPrimaryOwner"), request={"only_primary_owner": ""}),
    ),
    (
        "v2-OnlyPrimaryOwner-blank",
        "Bank_v2.yaml GET /accounts: OnlyPrimaryOwner boolean, required",
        denial("konkurs", A, bad("OnlyPrimaryOwner"), request={"only_primary_owner": " "}),
    ),
    (
        "step1-fromDate-empty",
        "KAR.yaml customerRelationships: fromDate",
        denial("skatt", CR, (400, "ERR-003", "fromDate"), request={"from_date": ""}),
    ),
    (
        "step1-onlyPrimaryOwner-empty",
        "Customer relationships (v2): onlyPrimaryOwner",
        denial("skatt", CR, (403, "ERR-001", "onlyPrimaryOwner"), request={"only_primary_owner": ""}),
    ),
    *[
        (
            f"{version}-{name}-header-empty",
            "Bank_v2.yaml / Bank_v1.yaml headers",
            denial(
                "skatt" if version == "v2" else "nav",
                A,
                bad(name),
                request={field: "", **({} if version == "v2" else V1)},
            ),
        )
        for version in ("v2", "v1")
        for name, field in (
            ("Legal-Mandate", "legal_mandate"),
            ("CorrelationID", "correlation_id"),
            ("AccountInfoRequestID", "account_info_request_id"),
            ("PartyID", "party_id"),
            ("AdditionalReferenceIDType", "additional_reference_id_type"),
        )
    ],
    (
        "v2-RequesterID-header-empty",
        "Bank_v2.yaml: RequesterID",
        denial("nav", T, bad("RequesterID"), request={"requester_id": ""}),
    ),
    (
        "v2-AdditionalReferenceID-header-empty",
        "Bank_v2.yaml: AdditionalReferenceID",
        denial("konkurs", A, bad("AdditionalReferenceID"), request={"additional_reference_id": " "}),
    ),
]


@pytest.mark.parametrize("row", [row for _, _, row in DENIED], ids=[rule for rule, _, _ in DENIED])
def test_denied(row: Any) -> None:
    assert_denied(row)


def _accepted(service: str, endpoint: Endpoint, **request: object) -> Allowed:
    return assert_allowed(Row(service, endpoint, request).decide())


ALLOWED = [
    ("verge-step1-text-at-hub", VERGE_LEGAL, "verge", CR, {"legal_mandate": VERGE_STEP1_MANDATE}),
    ("verge-step2-text-at-control-api", VERGE_LEGAL, "verge", A, {"legal_mandate": VERGE_STEP2_MANDATE}),
    ("oed-step1-short-text-at-hub", OED_LEGAL, "oed", CR, {"legal_mandate": OED_SHORT_MANDATE}),
    (
        "oed-long-text-at-hub",
        "Oppgjør etter dødsfall: Løsningsbeskrivelse (Trinn 1)",
        "oed",
        CR,
        {"legal_mandate": OED_MANDATE},
    ),
    (
        "oed-long-text-at-control-api",
        "Oppgjør etter dødsfall: Løsningsbeskrivelse (Trinn 2)",
        "oed",
        T,
        {"legal_mandate": OED_MANDATE},
    ),
    (
        "skatt-same-text-both-steps",
        "Skatt-kontroll: Løsningsbeskrivelse",
        "skatt",
        CR,
        {"legal_mandate": SKATT_MANDATE},
    ),
    (
        "v1-skatt-10-2-without-requester-id",
        V1_LEGAL,
        "skatt",
        A,
        v1(legal_mandate=mandate.SKATT_V1.encoded, requester_id=None, only_primary_owner=None),
    ),
    (
        "v1-skatt-kompensasjonsordningen",
        V1_LEGAL,
        "skatt",
        T,
        v1(legal_mandate=mandate.SKATT_KOMPENSASJON_V1.encoded, requester_id=None),
    ),
    (
        "v1-requester-id-ignored",
        "Bank_v1.yaml: no RequesterID",
        "skatt",
        A,
        v1(legal_mandate=mandate.SKATT_V1.encoded, requester_id=""),
    ),
    (
        "v1-politi-hvitvasking-no-reference",
        V1_LEGAL,
        "politi",
        A,
        v1(
            legal_mandate=mandate.POLITI_HVITVASKING_V1.encoded,
            additional_reference_id_type=None,
            additional_reference_id=None,
            requester_id=None,
        ),
    ),
    (
        "v1-politi-210-forste-with-pol",
        V1_EOPPSLAG,
        "politi",
        D,
        v1(
            legal_mandate=mandate.POLITI_210_FORSTE_V1.encoded,
            additional_reference_id_type="pol",
            additional_reference_id=POL_REFERENCE,
        ),
    ),
    (
        "v1-politi-210-tredje-with-pol",
        V1_EOPPSLAG,
        "politi",
        A,
        v1(
            legal_mandate=mandate.POLITI_210_TREDJE_V1.encoded,
            additional_reference_id_type="pol",
            additional_reference_id=POL_REFERENCE,
        ),
    ),
    ("v1-nav-text-unchanged", V1_LEGAL, "nav", R, v1()),
    ("v1-konkurs-text-unchanged", "Juridiske rammebetingelser Konkursbehandling", "konkurs", T, v1()),
]


@pytest.mark.parametrize(
    ("service", "endpoint", "request_changes"), [row[2:] for row in ALLOWED], ids=[row[0] for row in ALLOWED]
)
def test_allowed(service: str, endpoint: Endpoint, request_changes: dict[str, object]) -> None:
    _accepted(service, endpoint, **request_changes)


@pytest.mark.parametrize(
    ("service", "sent", "expected"),
    [
        ("skatt", "true", False),
        ("skatt", None, False),
        ("konkurs", "false", True),
        ("konkurs", None, True),
    ],
    ids=["skatt-true-ignored", "skatt-absent", "konkurs-false-ignored", "konkurs-absent"],
)
def test_v1_has_no_only_primary_owner(service: str, sent: str | None, expected: bool) -> None:
    """Bank_v1.yaml has no OnlyPrimaryOwner: v1 listed every role, a TRUE-only service owned accounts only."""
    text = mandate.SKATT_V1.encoded if service == "skatt" else mandate.KONKURS.encoded
    allowed = _accepted(service, A, **v1(legal_mandate=text, only_primary_owner=sent))
    assert allowed.only_primary_owner is expected


def test_a_step1_refusal_names_the_step2_text() -> None:
    denied = assert_denied(denial("verge", A, forbidden(ANY), request={"legal_mandate": VERGE_STEP1_MANDATE}))
    assert "customer relations" in denied.message
    assert mandate.VERGE.text in denied.message
