"""Service-specific rules: each service's period window and the register facts it depends on
(death, bankruptcy ruling, guardianship, extradition order), one row per documented rule.

Sources: the DSOP services' “Løsningsbeskrivelse” pages (fromDate/toDate and "extra verification by the bank" per
service), the DSOP services' “Løsningsbeskrivelse” pages; DSOP Politi “Utleveringspålegg”; DSOP “Endpoint
customerRelationships V.2.0” (step 1: up to 10 years); DSOP “eOppslag”;
DSOP FI-Utlegg “Om tjenesten” (FI-Utlegg: fromDate = toDate = today).  A well-formed request the facts do
not authorise is 403 ACC-011 (DSOP “eOppslag”); a period outside the service's window is a
bad parameter, 400 ACC-001 (ERR-003 in step 1).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from opendsop.standard.endpoints import Endpoint
from tests.standard.authorize._authorize_cases import (
    ANY,
    KONKURS_EARLIEST,
    LAST_YEAR,
    NOW,
    OED_EARLIEST,
    ORDER_FROM,
    OTHER_GUARDIAN,
    OTHER_PERSON,
    POLITI_SAVNET_MANDATE,
    POLITI_SAVNET_TEXT,
    SAVNET_REASON,
    TEN_YEARS_BACK,
    TODAY,
    Row,
    assert_denied,
    deny,
    guardianship,
    order,
)

A, D, T, C, R = (Endpoint.ACCOUNTS, Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS, Endpoint.CARDS, Endpoint.ROLES)
CR, ASP = Endpoint.CUSTOMER_RELATIONSHIPS, Endpoint.ACCOUNT_SERVICING_PROVIDER
ONE_DAY = timedelta(days=1)
BEYOND_TEN_YEARS = (TEN_YEARS_BACK - ONE_DAY).isoformat()
YESTERDAY = (TODAY - ONE_DAY).isoformat()


def bad(parameter: object) -> tuple[int, str, object]:
    return (400, "ACC-001", parameter)


def forbidden(parameter: object) -> tuple[int, str, object]:
    return (403, "ACC-011", parameter)


def period_step1(parameter: object) -> tuple[int, str, object]:
    return (400, "ERR-003", parameter)


TEN_YEAR_ROWS = [
    # the DSOP services' “Løsningsbeskrivelse” pages, DSOP “eOppslag”: Skatt, Politi (and NAV, v1-modelled) at most 10
    # years back.
    deny(
        "service-skatt-fromdate-10-years-and-a-day",
        "skatt",
        A,
        bad("fromDate"),
        request={"from_date": BEYOND_TEN_YEARS},
    ),
    deny(
        "service-skatt-2b-fromdate-10-years-and-a-day",
        "skatt",
        T,
        bad("fromDate"),
        request={"from_date": BEYOND_TEN_YEARS},
    ),
    deny("nav-nav-fromdate-10-years-and-a-day", "nav", A, bad("fromDate"), request={"from_date": BEYOND_TEN_YEARS}),
    deny(
        "service-politi-fromdate-10-years-and-a-day",
        "politi",
        A,
        bad("fromDate"),
        request={"from_date": BEYOND_TEN_YEARS},
        facts={"extradition_order": order(fromDate=BEYOND_TEN_YEARS)},
    ),
    # DSOP “Endpoint customerRelationships V.2.0”: customer relations can cover up to 10 years.
    deny(
        "customerrelationships-step1-fromdate-10-years-and-a-day",
        "skatt",
        CR,
        period_step1("fromDate"),
        request={"from_date": BEYOND_TEN_YEARS},
    ),
    deny(
        "customerrelationships-step1-konkurs-fromdate-10-years-and-a-day",
        "konkurs",
        CR,
        period_step1("fromDate"),
        request={"from_date": BEYOND_TEN_YEARS},
    ),
]

KONKURS_ROWS = [
    # DSOP Konkurs “Løsningsbeskrivelse”: no bankruptcy notice for the party → the request shall be rejected.
    deny("konkurs-konkurs-no-kjennelsesdato", "konkurs", A, forbidden(ANY), facts={"kjennelsesdato": None}),
    deny("konkurs-konkurs-2b-no-kjennelsesdato", "konkurs", T, forbidden(ANY), facts={"kjennelsesdato": None}),
    # the DSOP services' “Løsningsbeskrivelse” pages: fromDate at most 12 months before the kjennelsesdato; toDate
    # today.
    deny(
        "service-konkurs-fromdate-12-months-and-a-day",
        "konkurs",
        A,
        bad("fromDate"),
        request={"from_date": (KONKURS_EARLIEST - ONE_DAY).isoformat()},
    ),
    deny(
        "service-konkurs-2b-fromdate-12-months-and-a-day",
        "konkurs",
        T,
        bad("fromDate"),
        request={"from_date": (KONKURS_EARLIEST - ONE_DAY).isoformat()},
    ),
    deny("service-konkurs-todate-not-today", "konkurs", A, bad("toDate"), request={"to_date": YESTERDAY}),
    deny("service-konkurs-2b-todate-not-today", "konkurs", D, bad("toDate"), request={"to_date": "2026-10-01"}),
    deny(
        "konkurs-konkurs-step1-todate-not-today", "konkurs", CR, period_step1("toDate"), request={"to_date": YESTERDAY}
    ),
]

OED_ROWS = [
    # the DSOP services' “Løsningsbeskrivelse” pages, DSOP OED “Løsningsbeskrivelse”: confirm in FREG that the person is
    # officially dead.
    deny("oed-oed-not-dead", "oed", A, forbidden(ANY), facts={"date_of_death": None}),
    deny("oed-oed-2b-not-dead", "oed", T, forbidden(ANY), facts={"date_of_death": None}),
    # fromDate ≥ date of death − 3 months; toDate = request date.
    deny(
        "service-oed-fromdate-3-months-and-a-day",
        "oed",
        A,
        bad("fromDate"),
        request={"from_date": (OED_EARLIEST - ONE_DAY).isoformat()},
    ),
    deny(
        "service-oed-2b-fromdate-3-months-and-a-day",
        "oed",
        T,
        bad("fromDate"),
        request={"from_date": (OED_EARLIEST - ONE_DAY).isoformat()},
    ),
    deny("service-oed-todate-not-today", "oed", A, bad("toDate"), request={"to_date": YESTERDAY}),
    deny("service-oed-2b-todate-date-of-death", "oed", T, bad("toDate"), request={"to_date": "2026-10-10"}),
    deny("oed-oed-step1-todate-not-today", "oed", CR, period_step1("toDate"), request={"to_date": YESTERDAY}),
]

VERGE_ROWS = [
    # the DSOP services' “Løsningsbeskrivelse” pages, DSOP Vergekontroll “Løsningsbeskrivelse”: the period lies inside
    # the last calendar year.
    deny("service-verge-fromdate-before-last-year", "verge", A, bad("fromDate"), request={"from_date": "2024-12-31"}),
    deny("service-verge-todate-this-year", "verge", A, bad("toDate"), request={"to_date": "2026-01-01"}),
    deny(
        "service-verge-period-this-year",
        "verge",
        T,
        bad(ANY),
        request={"from_date": "2026-01-01", "to_date": "2026-06-30"},
    ),
    deny("service-verge-dates-absent-mean-today", "verge", A, bad(ANY), request={"from_date": None, "to_date": None}),
    deny(
        "verge-verge-step1-period-outside-last-year",
        "verge",
        CR,
        period_step1(ANY),
        request={"from_date": "2026-01-01", "to_date": "2026-02-01"},
    ),
    # Folkeregisteret must show a guardianship for this ward with this guardian holding
    # representasjonDagligbank, in the period (the DSOP services' “Løsningsbeskrivelse” pages, DSOP Vergekontroll
    # “Løsningsbeskrivelse”).
    deny("verge-verge-no-guardianship", "verge", A, forbidden(ANY), facts={"guardianships": ()}),
    deny("verge-verge-2b-no-guardianship", "verge", R, forbidden(ANY), facts={"guardianships": ()}),
    deny(
        "verge-verge-other-guardian",
        "verge",
        A,
        forbidden(ANY),
        facts={"guardianships": (guardianship(guardian=OTHER_GUARDIAN),)},
    ),
    deny(
        "verge-verge-request-names-other-guardian",
        "verge",
        A,
        forbidden(ANY),
        request={"additional_reference_id": OTHER_GUARDIAN},
    ),
    deny(
        "verge-verge-guardianship-of-other-ward",
        "verge",
        A,
        forbidden(ANY),
        facts={"guardianships": (guardianship(ward=OTHER_PERSON),)},
    ),
    deny("verge-verge-2b-party-is-other-ward", "verge", T, forbidden(ANY), facts={"party_id": OTHER_PERSON}),
    deny(
        "verge-verge-guardian-without-representasjonDagligbank",
        "verge",
        A,
        forbidden(ANY),
        facts={"guardianships": (guardianship(tasks=frozenset({"representasjonFormue"})),)},
    ),
    deny(
        "verge-verge-guardian-with-no-tasks",
        "verge",
        A,
        forbidden(ANY),
        facts={"guardianships": (guardianship(tasks=frozenset()),)},
    ),
    deny(
        "verge-verge-guardianship-ended-before-period",
        "verge",
        A,
        forbidden(ANY),
        facts={"guardianships": (guardianship(valid_from=date(2020, 1, 1), valid_to=date(2024, 12, 31)),)},
    ),
    deny(
        "verge-verge-guardianship-started-after-period",
        "verge",
        A,
        forbidden(ANY),
        facts={"guardianships": (guardianship(valid_from=date(2026, 1, 1)),)},
    ),
    deny(
        "verge-verge-guardianship-outside-requested-part-of-year",
        "verge",
        A,
        forbidden(ANY),
        request={"from_date": LAST_YEAR.from_date.isoformat(), "to_date": "2025-03-31"},
        facts={"guardianships": (guardianship(valid_from=date(2025, 7, 1)),)},
    ),
]

FI_UTLEGG_ROWS = [
    # DSOP FI-Utlegg “Om tjenesten”, DSOP FI-Utlegg “Løsningsbeskrivelse saldo”: fromDate = toDate = today only.
    deny("fi-utlegg-fi-utlegg-fromdate-yesterday", "fi_utlegg", A, bad("fromDate"), request={"from_date": YESTERDAY}),
    deny(
        "fi-utlegg-fi-utlegg-2b-fromdate-last-year",
        "fi_utlegg",
        D,
        bad("fromDate"),
        request={"from_date": "2025-11-28"},
    ),
    deny(
        "fi-utlegg-fi-utlegg-both-yesterday",
        "fi_utlegg",
        A,
        bad(ANY),
        request={"from_date": YESTERDAY, "to_date": YESTERDAY},
    ),
    deny(
        "fi-utlegg-fi-utlegg-step1-fromdate-yesterday",
        "fi_utlegg",
        CR,
        period_step1("fromDate"),
        request={"from_date": YESTERDAY},
    ),
]

POLITI_ROWS = [
    # the DSOP services' “Løsningsbeskrivelse” pages/the DSOP services' “Løsningsbeskrivelse” pages, DSOP Politi
    # “Løsningsbeskrivelse”: an endpoint whose order flag is false → 403 ACC-011.
    deny(
        "service-politi-accountlist-flag-false",
        "politi",
        A,
        forbidden(ANY),
        facts={"extradition_order": order(accountList=False)},
    ),
    deny(
        "service-politi-accountdetails-flag-false",
        "politi",
        D,
        forbidden(ANY),
        facts={"extradition_order": order(accountDetails=False)},
    ),
    deny(
        "service-politi-transactions-flag-false",
        "politi",
        T,
        forbidden(ANY),
        facts={"extradition_order": order(transactions=False)},
    ),
    deny(
        "service-politi-cards-flag-false", "politi", C, forbidden(ANY), facts={"extradition_order": order(cards=False)}
    ),
    deny(
        "service-politi-roles-flag-false", "politi", R, forbidden(ANY), facts={"extradition_order": order(roles=False)}
    ),
    # DSOP Politi “Løsningsbeskrivelse” "checks of the request against the EO".
    deny("politi-politi-no-order", "politi", A, forbidden(ANY), facts={"extradition_order": None}),
    deny("politi-politi-2b-no-order", "politi", T, forbidden(ANY), facts={"extradition_order": None}),
    deny(
        "politi-politi-partyid-not-order-partyid", "politi", A, forbidden("PartyID"), request={"party_id": OTHER_PERSON}
    ),
    deny("politi-politi-2b-party-not-order-partyid", "politi", T, forbidden(ANY), facts={"party_id": OTHER_PERSON}),
    deny(
        "politi-politi-order-for-other-party",
        "politi",
        A,
        forbidden("PartyID"),
        facts={"extradition_order": order(partyID=OTHER_PERSON)},
    ),
    deny(
        "politi-politi-mandate-forste-order-andre",
        "politi",
        A,
        forbidden("Legal-Mandate"),
        facts={"extradition_order": order(mandate=POLITI_SAVNET_TEXT, reason=SAVNET_REASON)},
    ),
    deny(
        "politi-politi-mandate-andre-order-forste",
        "politi",
        T,
        forbidden("Legal-Mandate"),
        request={"legal_mandate": POLITI_SAVNET_MANDATE},
    ),
    deny(
        "politi-politi-fromdate-before-order",
        "politi",
        A,
        forbidden("fromDate"),
        request={"from_date": (ORDER_FROM - ONE_DAY).isoformat()},
    ),
    deny(
        "politi-politi-todate-after-order",
        "politi",
        A,
        forbidden("toDate"),
        facts={"extradition_order": order(toDate="2026-10-31")},
    ),
    deny(
        "politi-politi-2b-period-outside-order",
        "politi",
        T,
        forbidden(ANY),
        request={"from_date": "2020-01-01", "to_date": "2021-01-01"},
    ),
    deny(
        "service-politi-order-true-request-false",
        "politi",
        A,
        forbidden("OnlyPrimaryOwner"),
        request={"only_primary_owner": "false"},
        facts={"extradition_order": order(onlyPrimaryOwner=True)},
    ),
    # DSOP Politi “Løsningsbeskrivelse” content checks 5-6, run when the caller passes `now`.
    deny("politi-politi-order-expired", "politi", A, forbidden(ANY), now=NOW + timedelta(days=120)),
    deny("politi-politi-order-approved-in-future", "politi", A, forbidden(ANY), now=NOW - timedelta(days=3)),
    deny(
        "politi-politi-order-valid-over-90-days",
        "politi",
        A,
        forbidden(ANY),
        now=NOW,
        facts={"extradition_order": order(exp=int((NOW + timedelta(days=95)).timestamp()))},
    ),
    deny(
        "politi-politi-order-reason-does-not-match-mandate",
        "politi",
        A,
        forbidden(ANY),
        now=NOW,
        facts={"extradition_order": order(reason=SAVNET_REASON)},
    ),
]

ROWS = [*TEN_YEAR_ROWS, *KONKURS_ROWS, *OED_ROWS, *VERGE_ROWS, *FI_UTLEGG_ROWS, *POLITI_ROWS]


# The message check of each row; rows whose message omits their parameter are expected failures.
@pytest.mark.parametrize("row", ROWS)
def test_violation_is_denied_with_its_code(row: Row) -> None:
    assert_denied(row)


@pytest.mark.parametrize("row", ROWS)
def test_denial_message_names_the_parameter(row: Row) -> None:
    denied = assert_denied(row)
    if denied.parameter is not None:
        assert denied.parameter in denied.message, denied


def test_politi_order_flags_gate_only_their_own_endpoint() -> None:
    """A false flag refuses its endpoint and no other (the DSOP services' “Løsningsbeskrivelse” pages: only `true`
    grants access)."""
    only_lists = order(accountDetails=False, transactions=False, cards=False, roles=False)
    assert Row("politi", A, facts={"extradition_order": only_lists}).decide()
    for endpoint in (D, T, C, R):
        assert not Row("politi", endpoint, facts={"extradition_order": only_lists}).decide()


def test_verge_guardian_matches_by_number_not_by_position() -> None:
    """The guardian named in AdditionalReferenceID is the one whose guardianship counts."""
    facts = {
        "guardianships": (
            guardianship(guardian=OTHER_GUARDIAN, valid_to=date(2025, 3, 31)),
            guardianship(valid_from=date(2025, 5, 1)),
        )
    }
    allowed = Row("verge", A, facts=facts).decide()
    assert allowed and allowed.period.from_date == date(2025, 5, 1)
    swapped = Row("verge", A, {"additional_reference_id": OTHER_GUARDIAN}, facts).decide()
    assert swapped and swapped.period.to_date == date(2025, 3, 31)
