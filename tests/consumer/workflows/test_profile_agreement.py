"""The agency plans with the same profile the bank judges by: a period the workflow plans is allowed by
``authorize``, and a period reaching one day further back is refused by both — one row per look-back rule
(Konkursbehandling: kjennelsesdato − 12 months; Oppgjør etter dødsfall: date of death − 3 months; FI-Utlegg
Saldo: today only; Skatt-kontroll: 10 years back)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from opendsop.consumer.workflows import CasePlan, WorkflowRefused
from opendsop.consumer.workflows.fi_utlegg import plan_fi_utlegg
from opendsop.consumer.workflows.konkurs import plan_konkurs
from opendsop.consumer.workflows.oed import plan_oed
from opendsop.consumer.workflows.skatt import plan_skatt
from opendsop.standard.authorize import authorize
from opendsop.standard.decision import Allowed, Denied
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.period import years_before
from opendsop.standard.request import ControlRequest, Environment, Facts
from opendsop.standard.services import get_profile
from tests.provider import bank as seed

TODAY = seed.TODAY
RULING = date(2025, 11, 3)
DEATH = date(2025, 12, 1)

# (id, workflow, register facts the bank holds, earliest fromDate by the rule)
ROWS: list[tuple[str, Callable[..., CasePlan], Facts, date]] = [
    (
        "konkurs: kjennelsesdato − 12 months",
        lambda **kw: plan_konkurs(seed.FIRMA, kjennelsesdato=RULING, today=TODAY, **kw),
        Facts(kjennelsesdato=RULING),
        date(2024, 11, 3),
    ),
    (
        "oed: date of death − 3 months",
        lambda **kw: plan_oed(seed.DAG, date_of_death=DEATH, today=TODAY, **kw),
        Facts(date_of_death=DEATH),
        date(2025, 9, 1),
    ),
    (
        "skatt: 10 years back",
        lambda **kw: plan_skatt(seed.ANNE, requester_id="sb-17", today=TODAY, **kw),
        Facts(),
        years_before(TODAY, 10),
    ),
]


def _judged(planned: CasePlan, from_date: date, facts: Facts) -> Allowed | Denied:
    case = planned.case
    consumer = sorted(get_profile(planned.service).consumer_orgs)[0]
    request = ControlRequest(
        endpoint=Endpoint.ACCOUNTS,
        consumer_org=consumer,
        legal_mandate=case.mandate.encoded,
        account_info_request_id=case.account_info_request_id,
        correlation_id="d4a820ca-ddde-11ed-b5ea-0242ac120002",
        party_id=case.party_id,
        only_primary_owner="true" if case.only_primary_owner else "false",
        requester_id=case.requester_id,
        from_date=from_date.isoformat(),
        to_date=case.to_date.isoformat() if case.to_date else None,
    )
    return authorize(request, facts, TODAY, environment=Environment.TEST)


@pytest.mark.parametrize(("plan", "facts", "earliest"), [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_the_workflow_and_the_bank_agree_on_the_earliest_day(
    plan: Callable[..., Any], facts: Facts, earliest: date
) -> None:
    planned = plan(from_date=earliest)
    assert planned.case.from_date == earliest
    assert isinstance(_judged(planned, earliest, facts), Allowed)
    day_before = earliest - timedelta(days=1)
    with pytest.raises(WorkflowRefused):
        plan(from_date=day_before)
    denied = _judged(planned, day_before, facts)
    assert isinstance(denied, Denied) and denied.parameter == "fromDate"


def test_fi_utlegg_today_only_at_both_ends() -> None:
    planned = plan_fi_utlegg(seed.ANNE, today=TODAY)
    assert isinstance(_judged(planned, TODAY, Facts()), Allowed)
    denied = _judged(planned, TODAY - timedelta(days=1), Facts())
    assert isinstance(denied, Denied) and denied.parameter == "fromDate"
