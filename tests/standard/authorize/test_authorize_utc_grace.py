"""The "must be today" rules and a consumer host on UTC (docs/decisions.md, "A UTC host's date counts as
today after Oslo midnight").

``TODAY`` is the Oslo day.  In the hours after Oslo midnight the UTC date is still ``TODAY - 1``; a
``toDate`` (and, for today-only services, ``fromDate``) equal to it is read as today.  Once the UTC date
has moved on too, the same date is a stale one and is refused as before.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from opendsop.standard.authorize import authorize
from opendsop.standard.decision import Allowed, Denied
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.today import accepted_as_today
from tests.standard.authorize._authorize_cases import (
    TODAY,
    base_environment,
    base_facts,
    base_period,
    base_request,
)

YESTERDAY = TODAY - timedelta(days=1)
AFTER_OSLO_MIDNIGHT = YESTERDAY  # the UTC date from Oslo 00:00 to 01:00 (02:00 in summer)
UTC_CAUGHT_UP = TODAY  # the UTC date once UTC midnight has passed as well


def decide(
    service: str, endpoint: Endpoint, *, utc_date: date | None, to_date: date, from_date: date | None = None
) -> Allowed | Denied:
    request = dataclasses.replace(
        base_request(service, endpoint),
        to_date=to_date.isoformat(),
        from_date=(from_date or base_period(service).from_date).isoformat(),
    )
    return authorize(
        request, base_facts(service, endpoint), TODAY, environment=base_environment(service), utc_date=utc_date
    )


# (service, endpoint, refusal code) for every "must be today" rule: the bank's (step 2) and the hub's (step 1)
MUST_BE_TODAY = [
    pytest.param("konkurs", Endpoint.ACCOUNTS, "ACC-001", id="konkurs-bank"),
    pytest.param("konkurs", Endpoint.TRANSACTIONS, "ACC-001", id="konkurs-bank-transactions"),
    pytest.param("konkurs", Endpoint.CUSTOMER_RELATIONSHIPS, "ERR-003", id="konkurs-hub"),
    pytest.param("oed", Endpoint.ACCOUNTS, "ACC-001", id="oed-bank"),
    pytest.param("oed", Endpoint.CUSTOMER_RELATIONSHIPS, "ERR-003", id="oed-hub"),
]


@pytest.mark.parametrize(("service", "endpoint", "code"), MUST_BE_TODAY)
def test_the_utc_date_after_oslo_midnight_is_read_as_today(service: str, endpoint: Endpoint, code: str) -> None:
    decision = decide(service, endpoint, utc_date=AFTER_OSLO_MIDNIGHT, to_date=AFTER_OSLO_MIDNIGHT)
    assert isinstance(decision, Allowed), decision
    assert decision.period.to_date == TODAY  # answered as for today: nothing booked after midnight is lost


@pytest.mark.parametrize(("service", "endpoint", "code"), MUST_BE_TODAY)
@pytest.mark.parametrize(
    ("utc_date", "to_date"),
    [
        pytest.param(UTC_CAUGHT_UP, YESTERDAY, id="same-date-once-utc-moved-on"),
        pytest.param(None, YESTERDAY, id="no-utc-date-given"),
        pytest.param(AFTER_OSLO_MIDNIGHT, YESTERDAY - timedelta(days=1), id="older-than-the-utc-date"),
    ],
)
def test_a_stale_date_is_still_refused(
    service: str, endpoint: Endpoint, code: str, utc_date: date | None, to_date: date
) -> None:
    decision = decide(service, endpoint, utc_date=utc_date, to_date=to_date)
    assert isinstance(decision, Denied), decision
    assert (decision.code, decision.parameter) == (code, "toDate")
    assert "today" in decision.message


def test_today_only_services_read_both_dates_as_today() -> None:
    accepted = decide(
        "fi_utlegg",
        Endpoint.ACCOUNTS,
        utc_date=AFTER_OSLO_MIDNIGHT,
        to_date=AFTER_OSLO_MIDNIGHT,
        from_date=AFTER_OSLO_MIDNIGHT,
    )
    assert isinstance(accepted, Allowed), accepted
    assert (accepted.period.from_date, accepted.period.to_date) == (TODAY, TODAY)
    refused = decide("fi_utlegg", Endpoint.ACCOUNTS, utc_date=UTC_CAUGHT_UP, to_date=YESTERDAY, from_date=YESTERDAY)
    assert isinstance(refused, Denied) and refused.code == "ACC-001", refused


def test_services_without_a_today_rule_keep_the_period_asked_for() -> None:
    decision = decide("skatt", Endpoint.ACCOUNTS, utc_date=AFTER_OSLO_MIDNIGHT, to_date=AFTER_OSLO_MIDNIGHT)
    assert isinstance(decision, Allowed), decision
    assert decision.period.to_date == AFTER_OSLO_MIDNIGHT


@pytest.mark.parametrize(
    ("candidate", "utc_date", "accepted"),
    [
        (TODAY, None, True),
        (TODAY, TODAY, True),
        (YESTERDAY, YESTERDAY, True),
        (YESTERDAY, TODAY, False),
        (YESTERDAY, None, False),
        (TODAY + timedelta(days=1), TODAY + timedelta(days=1), False),  # a host ahead of Oslo is not late, it is wrong
    ],
)
def test_accepted_as_today(candidate: date, utc_date: date | None, accepted: bool) -> None:
    assert accepted_as_today(candidate, TODAY, utc_date) is accepted
