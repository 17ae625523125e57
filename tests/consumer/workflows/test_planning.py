"""Each workflow's step-1/step-2 rules without I/O: refusals and periods (the DSOP services' “Løsningsbeskrivelse”
pages)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from opendsop.consumer.workflows import (
    CasePlan,
    WorkflowRefused,
    plan_batch,
    plan_konkurs,
    plan_nav,
    plan_oed,
    plan_politi,
    plan_skatt,
    plan_verge,
    read_batch,
)
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.request import Guardianship
from tests.consumer.workflows.orders import signed_order
from tests.provider import bank as seed
from tests.provider.harness import build_pki

TODAY = date(2026, 1, 15)
D, T, C, R = Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS, Endpoint.CARDS, Endpoint.ROLES
CASE_ID = "d4a820ca-ddde-11ed-b5ea-0242ac120002"


def konkurs(**kw: Any) -> CasePlan:
    return plan_konkurs(
        kw.pop("debtor", seed.FIRMA), kjennelsesdato=kw.pop("kjennelsesdato", date(2025, 11, 3)), today=TODAY, **kw
    )


def oed(**kw: Any) -> CasePlan:
    return plan_oed(
        kw.pop("deceased", seed.DAG), date_of_death=kw.pop("date_of_death", date(2025, 12, 1)), today=TODAY, **kw
    )


def verge(**kw: Any) -> CasePlan:
    return plan_verge(kw.pop("ward", seed.WARD), kw.pop("guardian", seed.GUARDIAN), today=TODAY, **kw)


def skatt(**kw: Any) -> CasePlan:
    return plan_skatt(kw.pop("party_id", seed.ANNE), requester_id=kw.pop("requester_id", "sb-17"), today=TODAY, **kw)


def nav(**kw: Any) -> CasePlan:
    return plan_nav(kw.pop("party_id", seed.ANNE), today=TODAY, **kw)


def politi(**kw: Any) -> CasePlan:
    order = signed_order(build_pki(), **kw.pop("order", {}))
    return plan_politi(
        kw.pop("eo", order),
        party_id=kw.pop("party_id", seed.ANNE),
        requester_id=kw.pop("requester_id", "etterforsker-9"),
        now=seed.NOW,
        **kw,
    )


REFUSALS: list[tuple[str, Callable[..., CasePlan], dict[str, Any], str]] = [
    ("konkurs-no-bankruptcy", konkurs, {"kjennelsesdato": None}, "debtor"),
    ("konkurs-more-than-12-months", konkurs, {"from_date": date(2024, 11, 2)}, "fromDate"),
    ("konkurs-cards", konkurs, {"wanted": {C}}, "endpoints"),
    ("konkurs-roles", konkurs, {"wanted": {T, R}}, "endpoints"),
    ("konkurs-bad-debtor", konkurs, {"debtor": "123"}, "debtor"),
    ("oed-not-dead", oed, {"date_of_death": None}, "deceased"),
    ("oed-org-number", oed, {"deceased": seed.FIRMA}, "deceased"),
    ("oed-more-than-3-months", oed, {"from_date": date(2025, 8, 31)}, "fromDate"),
    ("oed-cards", oed, {"wanted": {C}}, "endpoints"),
    ("verge-other-year", verge, {"year": 2024}, "year"),
    ("verge-guardian-is-ward", verge, {"guardian": seed.WARD}, "guardian"),
    ("verge-cards", verge, {"wanted": {C}}, "endpoints"),
    (
        "verge-no-guardianship-in-freg",
        verge,
        {"guardianships": [Guardianship(ward=seed.WARD, guardian=seed.STRANGER, valid_from=date(2020, 1, 1))]},
        "guardian",
    ),
    (
        "verge-guardianship-without-dagligbank",
        verge,
        {
            "guardianships": [
                Guardianship(
                    ward=seed.WARD, guardian=seed.GUARDIAN, valid_from=date(2020, 1, 1), tasks=frozenset({"okonomi"})
                )
            ]
        },
        "guardian",
    ),
    (
        "verge-guardianship-ended-before-the-year",
        verge,
        {
            "guardianships": [
                Guardianship(
                    ward=seed.WARD, guardian=seed.GUARDIAN, valid_from=date(2020, 1, 1), valid_to=date(2024, 12, 31)
                )
            ]
        },
        "guardian",
    ),
    ("skatt-no-requester", skatt, {"requester_id": " "}, "RequesterID"),
    ("skatt-more-than-10-years", skatt, {"from_date": date(2016, 1, 14)}, "fromDate"),
    ("skatt-to-in-future", skatt, {"to_date": date(2026, 1, 16)}, "toDate"),
    ("skatt-to-before-from", skatt, {"from_date": date(2025, 6, 1), "to_date": date(2025, 5, 1)}, "toDate"),
    ("nav-more-than-10-years", nav, {"from_date": date(2015, 1, 1)}, "fromDate"),
    ("politi-no-requester", politi, {"requester_id": None}, "RequesterID"),
    ("politi-other-party", politi, {"party_id": seed.BERIT}, "party"),
    ("politi-cards-not-in-order", politi, {"wanted": {C}}, "endpoints"),
    ("politi-owner-false-against-order", politi, {"only_primary_owner": False}, "OnlyPrimaryOwner"),
    ("politi-not-a-jws", politi, {"eo": "not-a-jws"}, "eo"),
    ("politi-expired-order", politi, {"order": {"approved": datetime(2025, 9, 1, tzinfo=UTC)}}, "eo"),
]


@pytest.mark.parametrize(("plan", "inputs", "parameter"), [row[1:] for row in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_a_workflow_refuses_up_front_what_its_service_may_not_ask(
    plan: Callable[..., CasePlan], inputs: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(WorkflowRefused) as refused:
        plan(**inputs)
    assert refused.value.parameter == parameter
    assert refused.value.message


PERIODS: list[tuple[str, Callable[..., CasePlan], dict[str, Any], date, date]] = [
    ("konkurs-12-months-before-kjennelsesdato-to-today", konkurs, {}, date(2024, 11, 3), TODAY),
    ("konkurs-later-start-allowed", konkurs, {"from_date": date(2025, 1, 1)}, date(2025, 1, 1), TODAY),
    ("oed-3-months-before-death-to-today", oed, {}, date(2025, 9, 1), TODAY),
    ("oed-month-end-clamped", oed, {"date_of_death": date(2025, 5, 31)}, date(2025, 2, 28), TODAY),
    ("verge-last-calendar-year", verge, {}, date(2025, 1, 1), date(2025, 12, 31)),
    ("verge-year-named", verge, {"year": 2025}, date(2025, 1, 1), date(2025, 12, 31)),
    (
        "verge-narrowed-to-the-guardianship",
        verge,
        {
            "guardianships": [
                Guardianship(
                    ward=seed.WARD, guardian=seed.GUARDIAN, valid_from=date(2025, 3, 1), valid_to=date(2025, 10, 31)
                )
            ]
        },
        date(2025, 3, 1),
        date(2025, 10, 31),
    ),
    ("skatt-exactly-10-years", skatt, {"from_date": date(2016, 1, 15)}, date(2016, 1, 15), TODAY),
    ("politi-the-orders-period", politi, {}, date(2020, 1, 1), TODAY),
    ("politi-order-ending-earlier", politi, {"order": {"toDate": "2025-06-30"}}, date(2020, 1, 1), date(2025, 6, 30)),
]


@pytest.mark.parametrize(("plan", "inputs", "start", "end"), [row[1:] for row in PERIODS], ids=[r[0] for r in PERIODS])
def test_the_period_follows_the_service_rule(
    plan: Callable[..., CasePlan], inputs: dict[str, Any], start: date, end: date
) -> None:
    case = plan(**inputs).case
    assert (case.from_date, case.to_date) == (start, end)


HEADERS: list[
    tuple[str, Callable[..., CasePlan], dict[str, Any], tuple[Endpoint, ...], bool, str | None, str | None]
] = [
    # id, workflow, inputs, 2b endpoints, OnlyPrimaryOwner, RequesterID, AdditionalReferenceIDType
    ("konkurs", konkurs, {}, (D, T), True, None, None),
    ("oed", oed, {}, (D, T), True, None, None),
    ("verge", verge, {}, (D, T, R), True, None, "srf"),
    ("skatt-all-five", skatt, {"only_primary_owner": False}, (D, T, C, R), False, "sb-17", None),
    ("nav-all-five", nav, {}, (D, T, C, R), True, None, None),
    ("politi-per-order", politi, {}, (D, T), True, "etterforsker-9", "pol1"),
    (
        "politi-roles-in-order",
        politi,
        {"order": {"roles": True, "onlyPrimaryOwner": False}},
        (D, T, R),
        False,
        "etterforsker-9",
        "pol1",
    ),
]


@pytest.mark.parametrize(
    ("plan", "inputs", "wanted", "owner", "requester", "reference"),
    [row[1:] for row in HEADERS],
    ids=[r[0] for r in HEADERS],
)
def test_each_service_sends_its_own_parameters(
    plan: Callable[..., CasePlan],
    inputs: dict[str, Any],
    wanted: tuple[Endpoint, ...],
    owner: bool,
    requester: str | None,
    reference: str | None,
) -> None:
    planned = plan(**inputs)
    assert planned.plan.endpoints == wanted
    assert planned.case.only_primary_owner is owner
    assert planned.case.requester_id == requester
    assert planned.case.reference_type == reference


def test_verge_carries_the_guardian_and_politi_the_order() -> None:
    assert verge().case.reference_id == seed.GUARDIAN
    order = signed_order(build_pki())
    assert politi(eo=order).case.reference_id == order


def test_a_given_case_id_names_the_case() -> None:
    assert skatt(case_id=CASE_ID).case.account_info_request_id == CASE_ID
    assert skatt().case.account_info_request_id != skatt().case.account_info_request_id


BATCHES = [
    ("missing-guardian-column", "ward\n{ward}\n", "batch"),
    ("bad-guardian-account", "ward,guardian,guardian_accounts\n{ward},{guardian},1234\n", "batch"),
    ("second-row-guardian-is-ward", "ward,guardian\n{ward},{guardian}\n{ward},{ward}\n", "guardian"),
]


@pytest.mark.parametrize(("text", "parameter"), [row[1:] for row in BATCHES], ids=[row[0] for row in BATCHES])
def test_a_bad_batch_is_refused_before_any_row_runs(text: str, parameter: str) -> None:
    with pytest.raises(WorkflowRefused) as refused:
        plan_batch(read_batch(text.format(ward=seed.WARD, guardian=seed.GUARDIAN)), today=TODAY)
    assert refused.value.parameter == parameter


def test_a_batch_gives_one_case_per_guardianship() -> None:
    text = f"ward,guardian,guardian_accounts\n{seed.WARD},{seed.GUARDIAN},1234.56.78903; \n"
    [row] = read_batch(text)
    assert (row.ward, row.guardian, row.guardian_accounts) == (seed.WARD, seed.GUARDIAN, frozenset({"12345678903"}))
    plans = plan_batch([row, row], today=TODAY, year=2025)
    assert len({plan.case.account_info_request_id for plan in plans}) == 2
