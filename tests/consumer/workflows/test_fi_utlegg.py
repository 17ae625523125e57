"""FI-Utlegg Saldo as one profile module plus its workflow: planned from the profile alone ("FI-Utlegg Saldo
løsningsbeskrivelse"), refused before any call where the service may not ask, and run end to end against the
seeded bank (step 1 from the relations twin, step 2 with tokens from the real authority)."""

from __future__ import annotations

from typing import Any

import pytest

from opendsop.consumer.fanout import Outcome
from opendsop.consumer.workflows import WorkflowRefused, find_banks, plan_fi_utlegg, run_case
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.errors import DsopError
from tests.consumer.workflows.world import World
from tests.provider import bank as seed

D, T, C, R = Endpoint.ACCOUNT_DETAILS, Endpoint.TRANSACTIONS, Endpoint.CARDS, Endpoint.ROLES
# FI-Utlegg's consumer (Skatteetaten's innkrevingsmyndighet, 974761076) is the agency the seed calls "skatt":
# the same organisation, client and encryption key; the Legal-Mandate tells the bank which service asks.
SKATTEETATEN = seed.SKATT


def plan(**kw: Any) -> Any:
    return plan_fi_utlegg(kw.pop("debtor", seed.ANNE), today=seed.TODAY, **kw)


def test_step_1_and_step_2_ask_for_today_only_as_primary_owner_under_the_test_mandate() -> None:
    planned = plan()
    case = planned.case
    assert planned.service == "fi_utlegg"
    assert (case.from_date, case.to_date) == (seed.TODAY, seed.TODAY)
    assert case.only_primary_owner is True
    assert case.mandate.text == "FI-Utlegg-Test"
    assert (case.requester_id, case.reference_type, case.reference_id) == (None, None, None)
    assert planned.plan.endpoints == (D,)  # accounts, then account details: nothing else


# (id, inputs, parameter) — each refused before any call
REFUSALS = [
    ("transactions-forbidden", {"wanted": [D, T]}, "endpoints"),
    ("cards-forbidden", {"wanted": [C]}, "endpoints"),
    ("roles-forbidden", {"wanted": [R]}, "endpoints"),
    ("test-mandate-refused-in-production", {"production": True}, "Legal-Mandate"),
    ("bad-debtor", {"debtor": "12345678901"}, "debtor"),
]


@pytest.mark.parametrize("authority", ["im", "an"])
@pytest.mark.parametrize(("inputs", "parameter"), [row[1:] for row in REFUSALS], ids=[row[0] for row in REFUSALS])
def test_what_fi_utlegg_may_not_ask_is_refused_up_front(inputs: dict[str, Any], parameter: str, authority: str) -> None:
    with pytest.raises(WorkflowRefused) as refused:
        plan(authority=authority, **inputs)
    assert refused.value.parameter == parameter


def test_the_alminnelig_namsmann_asks_the_same_as_its_own_service() -> None:
    """FI-Utlegg "Løsningsbeskrivelse saldo": AN (Politiet) is its own consumer, with the same rules as IM."""
    im, an = plan(), plan(authority="an")
    assert (im.service, an.service) == ("fi_utlegg", "fi_utlegg_an")
    assert an.case.only_primary_owner is True and (an.case.from_date, an.case.to_date) == (seed.TODAY, seed.TODAY)
    assert an.plan.endpoints == im.plan.endpoints == (D,)
    with pytest.raises(WorkflowRefused):
        plan(authority="kemner")


def test_an_organisation_may_be_the_debtor() -> None:
    assert plan(debtor=seed.FIRMA).case.party_id == seed.FIRMA


@pytest.mark.anyio
async def test_fi_utlegg_end_to_end_against_the_test_bank(world: World) -> None:
    planned = plan()
    found = await find_banks(planned, world.relations, world.directory)
    results = [result async for result in run_case(planned, world.fanout(SKATTEETATEN), found.banks)]
    assert world.relations.asked == [("customerRelationships", "fi_utlegg_test")]
    [result] = results
    assert result.outcome is Outcome.OK, result.reason
    assert {account.account_identifier for account in result.accounts} == {
        seed.NUMBERS[seed.SALARY],
        seed.NUMBERS[seed.SAVINGS],
    }
    assert all(set(account.answers) == {D} for account in result.accounts)
    details = [account.answers[D].value for account in result.accounts]
    assert all(detail.balances for detail in details), "the balances are what the service is for"
    records = await world.audit.records()
    assert {(row.record.service, row.record.endpoint) for row in records} == {
        ("fi_utlegg", "accountList"),
        ("fi_utlegg", "accountDetails"),
    }
    assert {(row.record.from_date, row.record.to_date, row.record.outcome) for row in records} == {
        (seed.TODAY, seed.TODAY, "allowed")
    }


def test_the_refusal_is_a_standard_error() -> None:
    with pytest.raises(DsopError):
        plan(wanted=[T])


# (id, production, configured, expected text or None when refused) — DSOP_CONSUMER_FI_UTLEGG_MANDATES
PRODUCTION_TEXT = "Tvangsfullbyrdelsesloven § 7-9 (configured)"
CONFIGURED_ROWS = [
    ("test-text-in-test", False, {}, "FI-Utlegg-Test"),
    ("refused-in-production-unconfigured", True, {}, None),
    ("configured-text-in-production", True, {"fi_utlegg": (PRODUCTION_TEXT,)}, PRODUCTION_TEXT),
    ("text-configured-for-the-other-authority-refused", True, {"fi_utlegg_an": (PRODUCTION_TEXT,)}, None),
]


@pytest.mark.parametrize(
    ("production", "configured", "text"), [r[1:] for r in CONFIGURED_ROWS], ids=[r[0] for r in CONFIGURED_ROWS]
)
def test_the_production_mandate_is_the_agencys_configuration(production: bool, configured: Any, text: Any) -> None:
    if text is None:
        with pytest.raises(WorkflowRefused, match="DSOP_CONSUMER_FI_UTLEGG_MANDATES") as refused:
            plan(production=production, configured=configured)
        assert refused.value.parameter == "Legal-Mandate"
        return
    case = plan(production=production, configured=configured).case
    assert case.mandate.text == text
    assert case.mandate.test_only is (not production)
