"""Valid requests per DSOP service and endpoint, and the row type of the violation tables.

Every value here is taken from the spec, not from the implementation: consumer organisation
numbers from the DSOP services' “Løsningsbeskrivelse” pages, the encoded ``Legal-Mandate`` strings from the DSOP
services' “Løsningsbeskrivelse” pages, the
endpoint allow-lists from the DSOP services' “Løsningsbeskrivelse” pages and DSOP FI-Utlegg “Om tjenesten”, the periods
from the same pages / the DSOP services' “Løsningsbeskrivelse” pages.
Identifiers are computed with the identifiers module's check-digit generators (real format,
not synthetic) so that the valid requests are valid in production.

``TODAY`` is fixed; every date below is written relative to it so a reader can check it by hand.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any

import pytest

from opendsop.standard.authorize import authorize
from opendsop.standard.decision import Allowed, Decision, Denied
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.extradition import ExtraditionOrder, parse_claims
from opendsop.standard.identifiers import (
    generate_dnummer,
    generate_fodselsnummer,
    generate_hnummer,
    generate_orgnr,
)
from opendsop.standard.period import Period
from opendsop.standard.request import ControlRequest, Environment, Facts, Guardianship

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
TEN_YEARS_BACK = date(2016, 11, 28)  # same day and month, 10 years earlier

# -- identifiers (real format, computed with the MOD11 check digits) ---------------------------
PERSON = generate_fodselsnummer(Random(1), date(1980, 5, 17), synthetic=False)
OTHER_PERSON = generate_fodselsnummer(Random(2), date(1975, 3, 9), synthetic=False)
D_NUMBER = generate_dnummer(Random(3), date(1970, 2, 2), synthetic=False)
GUARDIAN = generate_fodselsnummer(Random(4), date(1965, 8, 1), synthetic=False)
OTHER_GUARDIAN = generate_fodselsnummer(Random(5), date(1962, 11, 30), synthetic=False)
GUARDIAN_D_NUMBER = generate_dnummer(Random(6), date(1968, 6, 12), synthetic=False)
ORG = generate_orgnr(Random(7), synthetic=False)
SYNTHETIC_PERSON = generate_fodselsnummer(Random(8), date(1990, 1, 1), synthetic=True)
SYNTHETIC_ORG = generate_orgnr(Random(9), synthetic=True)
H_NUMBER = generate_hnummer(Random(10), date(1985, 4, 4))


def bad_check_digit(number: str) -> str:
    """The same number with its last (check) digit changed: the checksum can no longer hold."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


# -- consumers (the DSOP services' “Løsningsbeskrivelse” pages) --------------------------------------------------------
SKATTEETATEN = "974761076"
POLITIET = "915429785"
NAV_ORG = "889640782"
BRREG = "974760673"
DIGDIR = "974720760"
DIGDIR_CERTPUB = "991825827"
SRF = "986186999"

# -- Legal-Mandate header values exactly as the DSOP services' “Løsningsbeskrivelse” pages prints them -----------------
SKATT_MANDATE = (
    "Skatteforvaltningsloven%20%C2%A7%2010-2%20f%C3%B8rste%20ledd%2C%20jf.%20%C2%A7%2010-14%2C%20jf."
    "%20skatteforvaltningsforskriften%20%C2%A7%2010-2-1"
)
SKATT_VALIDATION_TABLE_MANDATE = (
    "Skatteforvaltningsloven%20%C2%A710-2%20f%C3%B8rste%20ledd%2C%20jf.%20skatteforvaltningsforskriften%20%C2%A710-2-1"
)
POLITI_STRAFFESAK_MANDATE = "Straffeprosessloven%20%C2%A7210%20(3)%20f%C3%B8rste%20punktum"
POLITI_SAVNET_MANDATE = "Straffeprosessloven%20%C2%A7210%20(3)%20andre%20punktum"
OED_MANDATE = (
    "Arveloven%20%C2%A7%2092%20f%C3%B8rste%20ledd%20og%20%C2%A7%20118%2C%20jf.%20%C2%A7%2088%20a%2C%20jf."
    "%20forskrift%20om%20Digitalt%20d%C3%B8dsbo"
)
VERGE_STEP1_MANDATE = (
    "Vergem%C3%A5lsloven%20%C2%A7%2054%20(2)%2C%20jf.%20vergem%C3%A5lsforskriften%20%C2%A720a%20(2)%2C"
    "%20jf.%20vergem%C3%A5lsforskriften%20%C2%A720a%20(1)%20a"
)
VERGE_STEP2_MANDATE = (
    "Vergem%C3%A5lsloven%20%C2%A7%2054%20(2)%2C%20jf.%20vergem%C3%A5lsforskriften%20%C2%A7%2020%20(2)%2C"
    "%20jf.%20vergem%C3%A5lsforskriften%20%C2%A7%2020a%20(1)%20b-e"
)
KONKURS_MANDATE = "kkl.%20%C2%A7156%20(3)%20og%20(4)%2C%20jf.%20kkfor.%C2%A721"
# DSOP NAV-kontroll “About”: v1 text, encoded by the usual convention (derived, not published).
NAV_MANDATE = "Folketrygdloven%20%C2%A7%2021-4%20f%C3%B8rste%20ledd"
# DSOP OED “Løsningsbeskrivelse”: the legal page's shorter step-1 basis, plain text, encoded by hand.
OED_SHORT_MANDATE = "arveloven%20%C2%A7%2092%20f%C3%B8rste%20ledd%2C%20jf.%20forskrift%20om%20Digitalt%20d%C3%B8dsbo"
FI_UTLEGG_TEST_MANDATE = "FI-Utlegg-Test"  # DSOP FI-Utlegg “Om tjenesten”

POLITI_STRAFFESAK_TEXT = "Straffeprosessloven §210 (3) første punktum"
POLITI_SAVNET_TEXT = "Straffeprosessloven §210 (3) andre punktum"
STRAFFESAK_REASON = (
    "Opplysningene antas å ha betydning som bevis i straffesak der noen med skjellig grunn kan mistenkes "
    "for en straffbar handling."
)
SAVNET_REASON = (
    "Opplysningene antas å ha betydning i en sak hvor noen er meldt savnet, og det er grunn til å frykte "
    "at noe har tilstøtt den savnede."
)

# Example UUIDs of DSOP “eOppslag”.
ACCOUNT_INFO_REQUEST_ID = "d4a820ca-ddde-11ed-b5ea-0242ac120002"
CORRELATION_ID = "14fbc062-aacb-4449-93c1-85c352d387a4"
ACCOUNT_REFERENCE = "7d1f0c3e-2b4a-4c6d-8e9f-0a1b2c3d4e5f"
# DSOP “Endpoint accountServicingProvider V.2.0” example; the hub does not MOD11-check it
ACCOUNT_NUMBER = "15030012345"

# -- service facts ------------------------------------------------------------------------------
KJENNELSESDATO = date(2026, 9, 15)
KONKURS_EARLIEST = date(2025, 9, 15)  # 12 months before the kjennelsesdato
DATE_OF_DEATH = date(2026, 10, 10)
OED_EARLIEST = date(2026, 7, 10)  # 3 months before the date of death
LAST_YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))  # the calendar year before TODAY
POLITI_FROM = date(2024, 11, 28)  # request period start, inside the order's period
ORDER_FROM = date(2023, 11, 28)

STEP2 = (Endpoint.ACCOUNTS, Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS, Endpoint.CARDS, Endpoint.ROLES)
STEP2B = STEP2[1:]

# Endpoint allow-lists: the DSOP services' “Løsningsbeskrivelse” pages (NAV: v1 facts, DSOP NAV-kontroll “About”), DSOP
# FI-Utlegg “Om tjenesten” (FI-Utlegg).
ALLOWED_ENDPOINTS: Mapping[str, tuple[Endpoint, ...]] = {
    "skatt": (Endpoint.CUSTOMER_RELATIONSHIPS, *STEP2),
    "politi": (Endpoint.CUSTOMER_RELATIONSHIPS, Endpoint.ACCOUNT_SERVICING_PROVIDER, *STEP2),
    "nav": (Endpoint.CUSTOMER_RELATIONSHIPS, *STEP2),
    "konkurs": (Endpoint.CUSTOMER_RELATIONSHIPS, Endpoint.ACCOUNTS, Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS),
    "oed": (Endpoint.CUSTOMER_RELATIONSHIPS, Endpoint.ACCOUNTS, Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS),
    "verge": (
        Endpoint.CUSTOMER_RELATIONSHIPS,
        Endpoint.ACCOUNTS,
        Endpoint.ACCOUNT_DETAILS,
        Endpoint.TRANSACTIONS,
        Endpoint.ROLES,
    ),
    "fi_utlegg": (Endpoint.CUSTOMER_RELATIONSHIPS, Endpoint.ACCOUNTS, Endpoint.ACCOUNT_DETAILS),
    "fi_utlegg_an": (Endpoint.CUSTOMER_RELATIONSHIPS, Endpoint.ACCOUNTS, Endpoint.ACCOUNT_DETAILS),
}
SERVICES = tuple(ALLOWED_ENDPOINTS)


@dataclass(frozen=True)
class _ServiceBase:
    consumer: str
    mandate: str
    party: str
    period: Period
    step1_mandate: str | None = None
    requester_id: str | None = None
    reference: tuple[str, str] | None = None  # (AdditionalReferenceIDType, AdditionalReferenceID)
    environment: Environment = Environment.PRODUCTION


_BASES: Mapping[str, _ServiceBase] = {
    "skatt": _ServiceBase(
        SKATTEETATEN, SKATT_MANDATE, PERSON, Period(date(2021, 1, 1), TODAY), requester_id="saksbehandler-4711"
    ),
    "politi": _ServiceBase(
        POLITIET,
        POLITI_STRAFFESAK_MANDATE,
        PERSON,
        Period(POLITI_FROM, TODAY),
        requester_id="etterforsker-42",
        reference=("pol1", "eyJhbGciOiJQUzI1NiJ9.e30.c2ln"),
    ),
    "nav": _ServiceBase(NAV_ORG, NAV_MANDATE, ORG, Period(date(2020, 6, 1), TODAY)),
    "konkurs": _ServiceBase(BRREG, KONKURS_MANDATE, ORG, Period(date(2025, 10, 1), TODAY)),
    "oed": _ServiceBase(DIGDIR, OED_MANDATE, PERSON, Period(date(2026, 8, 1), TODAY)),
    "verge": _ServiceBase(
        SRF, VERGE_STEP2_MANDATE, PERSON, LAST_YEAR, step1_mandate=VERGE_STEP1_MANDATE, reference=("srf", GUARDIAN)
    ),
    "fi_utlegg": _ServiceBase(
        SKATTEETATEN, FI_UTLEGG_TEST_MANDATE, PERSON, Period(TODAY, TODAY), environment=Environment.TEST
    ),
    # the alminnelig namsmann: the consumer is validated (Politiet), not the supplier
    "fi_utlegg_an": _ServiceBase(
        POLITIET, FI_UTLEGG_TEST_MANDATE, PERSON, Period(TODAY, TODAY), environment=Environment.TEST
    ),
}


def order_claims(**overrides: Any) -> dict[str, Any]:
    """Claims of a valid utleveringspålegg for PERSON (DSOP Politi “Utleveringspålegg”), every flag true."""
    approved = NOW - timedelta(days=1)
    claims: dict[str, Any] = {
        "extraditionOrderID": "3f0c2f9e-8a51-4f5e-9d43-0b7a2d1e6c11",
        "version": "1.0.0",
        "partyID": PERSON,
        "mandate": POLITI_STRAFFESAK_TEXT,
        "reason": STRAFFESAK_REASON,
        "fromDate": ORDER_FROM.isoformat(),
        "toDate": TODAY.isoformat(),
        "onlyPrimaryOwner": False,
        "accountList": True,
        "accountDetails": True,
        "transactions": True,
        "cards": True,
        "roles": True,
        "district": {"districtID": "1", "districtLabel": "Oslo politidistrikt"},
        "approval": {
            "approvedByID": "pa-4711",
            "approvedByName": "Kari Nordmann",
            "approvedByRole": "Politiadvokat",
            "approvalTimestamp": approved.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "caseID": "9b2e7c1a-4d3f-4e8b-a6c5-1f0d2e3b4a59",
        "exp": int((approved + timedelta(days=89)).timestamp()),
    }
    claims.update(overrides)
    return claims


def order(**overrides: Any) -> ExtraditionOrder:
    return parse_claims(order_claims(**overrides))


def guardianship(**overrides: Any) -> Guardianship:
    values: dict[str, Any] = {"ward": PERSON, "guardian": GUARDIAN, "valid_from": date(2019, 3, 1)}
    values.update(overrides)
    return Guardianship(**values)


def base_facts(service: str, endpoint: Endpoint) -> Facts:
    party = _BASES[service].party
    # Step 2b carries no PartyID: the bank resolved the party from the accountReference.
    facts = Facts(party_id=party if endpoint in STEP2B else None)
    if service == "konkurs":
        facts = dataclasses.replace(facts, kjennelsesdato=KJENNELSESDATO)
    elif service == "oed":
        facts = dataclasses.replace(facts, date_of_death=DATE_OF_DEATH)
    elif service == "verge":
        facts = dataclasses.replace(facts, guardianships=(guardianship(),))
    elif service == "politi":
        facts = dataclasses.replace(facts, extradition_order=order())
    return facts


def base_request(service: str, endpoint: Endpoint) -> ControlRequest:
    """The service's valid request for ``endpoint`` (built for any endpoint, allowed or not)."""
    base = _BASES[service]
    step1 = endpoint in (Endpoint.CUSTOMER_RELATIONSHIPS, Endpoint.ACCOUNT_SERVICING_PROVIDER)
    values: dict[str, Any] = {
        "endpoint": endpoint,
        "consumer_org": base.consumer,
        "legal_mandate": (base.step1_mandate or base.mandate) if step1 else base.mandate,
        "account_info_request_id": ACCOUNT_INFO_REQUEST_ID,
        "correlation_id": CORRELATION_ID,
        "from_date": base.period.from_date.isoformat(),
        "to_date": base.period.to_date.isoformat(),
    }
    if endpoint in (Endpoint.ACCOUNTS, Endpoint.CUSTOMER_RELATIONSHIPS):
        values["party_id"] = base.party
        values["only_primary_owner"] = "true"
    if endpoint is Endpoint.ACCOUNT_SERVICING_PROVIDER:
        values["account_id"] = ACCOUNT_NUMBER
    if endpoint in STEP2B:
        values["account_reference"] = ACCOUNT_REFERENCE
    if not step1:
        values["requester_id"] = base.requester_id
        if base.reference is not None:
            values["additional_reference_id_type"], values["additional_reference_id"] = base.reference
    return ControlRequest(**values)


def base_environment(service: str) -> Environment:
    return _BASES[service].environment


def base_period(service: str) -> Period:
    return _BASES[service].period


def base_party(service: str) -> str:
    return _BASES[service].party


ANY = object()
"""Expected ``parameter`` the spec leaves open: any value (or none) is accepted."""


@dataclass(frozen=True)
class Row:
    """One rule: a change to a service's valid request/facts and the answer the spec requires."""

    service: str
    endpoint: Endpoint
    request: Mapping[str, Any] = field(default_factory=dict)
    facts: Mapping[str, Any] = field(default_factory=dict)
    environment: Environment | None = None
    now: datetime | None = None
    status: int = 400
    code: str = "ACC-001"
    parameter: object = ANY

    def decide(self) -> Decision:
        request = dataclasses.replace(base_request(self.service, self.endpoint), **self.request)
        facts = dataclasses.replace(base_facts(self.service, self.endpoint), **self.facts)
        environment = self.environment or base_environment(self.service)
        return authorize(request, facts, TODAY, environment=environment, now=self.now)


def deny(
    rule_id: str,
    service: str,
    endpoint: Endpoint,
    expect: tuple[int, str, object],
    *,
    request: Mapping[str, Any] | None = None,
    facts: Mapping[str, Any] | None = None,
    environment: Environment | None = None,
    now: datetime | None = None,
    marks: Any = (),
) -> Any:
    status, code, parameter = expect
    row = Row(service, endpoint, dict(request or {}), dict(facts or {}), environment, now, status, code, parameter)
    return pytest.param(row, id=rule_id, marks=marks)


def assert_denied(row: Row) -> Denied:
    decision = row.decide()
    assert isinstance(decision, Denied), f"expected {row.status} {row.code}, got {decision!r}"
    assert (decision.status, decision.code) == (row.status, row.code), decision
    if row.parameter is not ANY:
        assert decision.parameter == row.parameter, decision
    assert decision.message.strip(), "a denial must say what is wrong"
    return decision


def assert_allowed(decision: Decision) -> Allowed:
    assert isinstance(decision, Allowed), f"expected Allowed, got {decision!r}"
    return decision
