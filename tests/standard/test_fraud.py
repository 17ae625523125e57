"""Fraud cooperation and report confirmation rules (docs/decisions.md, "Fraud cooperation and report
confirmation"): one row per refusal, then the outcomes a bank or insurer sees."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from random import Random
from typing import Any

import pytest

from opendsop.standard import fraud
from opendsop.standard.identifiers import generate_fodselsnummer, generate_kontonr

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
_RNG = Random(23)
REPORTER = generate_fodselsnummer(_RNG, date(1980, 5, 17), synthetic=False)
OTHER = generate_fodselsnummer(_RNG, date(1975, 1, 2), synthetic=False)
PAYER = generate_kontonr(_RNG, "0500")
MULE = generate_kontonr(_RNG, "1503")
TX = fraud.Transaction("tx-1", PAYER, MULE, Decimal("25000.00"), TODAY)
HELD = {"tx-1": TX}
PAYING, RECEIVING, OUTSIDER = "910000001", "910000002", "910000003"


def _recall() -> fraud.RecallRequest:
    return fraud.new_recall("r-1", "case-1", "tx-1", held=HELD, already_recalled=(), now=NOW)


def _confirmation(**changes: Any) -> fraud.ReportConfirmation:
    fields: dict[str, Any] = {
        "case_number": "26012345",
        "filed": TODAY,
        "reporter": REPORTER,
        "offence_category": fraud.OFFENCE_CATEGORY[fraud.FraudType.INVESTMENT],
        "now": NOW,
        "validity": timedelta(days=30),
    }
    return fraud.new_confirmation(**{**fields, **changes})


REFUSALS: list[tuple[str, str, Callable[[], object]]] = [
    (
        "recall for a transaction the bank does not hold",
        "FRD-001",
        lambda: fraud.new_recall("r-1", "case-1", "tx-9", held=HELD, already_recalled=(), now=NOW),
    ),
    (
        "duplicate recall",
        "FRD-002",
        lambda: fraud.new_recall("r-2", "case-1", "tx-1", held=HELD, already_recalled={"tx-1"}, now=NOW),
    ),
    (
        "mule flag by a party outside the case",
        "FRD-003",
        lambda: fraud.flag_account(
            MULE, case_id="case-1", case_parties={PAYING, RECEIVING}, flagged_by=OUTSIDER, reason="x", today=TODAY
        ),
    ),
    (
        "confirmation for another person",
        "FRD-004",
        lambda: fraud.check_confirmation(_confirmation(), person=OTHER, now=NOW),
    ),
    (
        "forged confirmation: a narrative field the police never sign",
        "FRD-005",
        lambda: fraud.parse_confirmation(
            {**fraud.confirmation_claims(_confirmation(), jti="j"), "narrative": "he called me"}
        ),
    ),
    (
        "expired confirmation",
        "FRD-006",
        lambda: fraud.check_confirmation(_confirmation(), person=REPORTER, now=NOW + timedelta(days=31)),
    ),
    (
        "consent for another insurer",
        "FRD-007",
        lambda: fraud.check_confirmation(
            _confirmation(), person=REPORTER, now=NOW, insurer="910000010", consent_insurer="910000011"
        ),
    ),
    ("unknown fraud type", "FRD-008", lambda: fraud.fraud_type("lottery")),
    (
        "frozen amount above the transaction",
        "FRD-008",
        lambda: fraud.answer_recall(_recall(), "frozen", frozen_amount="25000.01", answered=None, now=NOW),
    ),
    (
        "answer to an unknown recall",
        "FRD-009",
        lambda: fraud.answer_recall(None, "frozen", answered=None, now=NOW),
    ),
    (
        "second answer to a recall",
        "FRD-009",
        lambda: fraud.answer_recall(
            _recall(),
            "returned",
            answered=fraud.answer_recall(_recall(), "frozen", frozen_amount=1, answered=None, now=NOW),
            now=NOW,
        ),
    ),
    (
        "no legal basis configured",
        "FRD-010",
        lambda: fraud.require_legal_basis(fraud.Flow.RECALL, {"recall": "  "}),
    ),
    (
        "mule flag seen by a bank outside the case",
        "FRD-011",
        lambda: fraud.flag_for(
            fraud.flag_account(MULE, case_id="c", case_parties={PAYING}, flagged_by=PAYING, reason="mule", today=TODAY),
            viewer=OUTSIDER,
            case_parties={PAYING},
            today=TODAY,
        ),
    ),
]


@pytest.mark.parametrize(("rule", "code", "call"), REFUSALS, ids=[row[0] for row in REFUSALS])
def test_each_refusal_has_its_code(rule: str, code: str, call: Callable[[], object]) -> None:
    with pytest.raises(fraud.FraudError) as caught:
        call()
    assert caught.value.code == code, rule
    assert caught.value.status == fraud.STATUS[code]


def test_recall_goes_to_the_bank_of_the_account_and_times_out() -> None:
    request = _recall()
    assert request.receiving_bank_code == "1503"
    assert fraud.receiving_bank(MULE).bank_code == "1503"
    assert fraud.recall_state(request, None, now=NOW) is fraud.RecallState.WAITING
    assert fraud.recall_state(request, None, now=request.deadline + timedelta(seconds=1)) is fraud.RecallState.OVERDUE
    late = fraud.answer_recall(request, "frozen", frozen_amount="12000", answered=None, now=request.deadline)
    assert (late.frozen_amount, late.late) == (Decimal("12000"), False)
    returned = fraud.answer_recall(request, "returned", answered=None, now=request.deadline + timedelta(minutes=1))
    assert (returned.frozen_amount, returned.late) == (Decimal("25000.00"), True)
    assert fraud.recall_state(request, returned, now=NOW) is fraud.RecallState.ANSWERED


def test_mule_flags_are_seen_by_the_case_and_police_until_they_expire() -> None:
    flag = fraud.flag_account(
        MULE, case_id="c", case_parties={PAYING, RECEIVING}, flagged_by=RECEIVING, reason="mule", today=TODAY, days=30
    )
    parties = {"c": {PAYING, RECEIVING}}
    assert fraud.visible_flags([flag], viewer=PAYING, parties_of=parties, today=TODAY) == [flag]
    assert fraud.visible_flags([flag], viewer=fraud.POLICE, parties_of=parties, today=TODAY) == [flag]
    assert fraud.visible_flags([flag], viewer=OUTSIDER, parties_of=parties, today=TODAY) == []
    assert fraud.visible_flags([flag], viewer=PAYING, parties_of=parties, today=flag.expires + timedelta(1)) == []


def test_confirmation_round_trips_without_narrative() -> None:
    confirmation = _confirmation()
    claims = fraud.confirmation_claims(confirmation, jti="j")
    assert set(claims) == fraud.CONFIRMATION_FIELDS
    assert fraud.parse_confirmation(claims) == confirmation
    insurer = "910000010"
    checked = fraud.check_confirmation(confirmation, person=REPORTER, now=NOW, insurer=insurer, consent_insurer=insurer)
    assert checked == confirmation
    assert fraud.require_legal_basis(fraud.Flow.CONFIRMATION, {"confirmation": "samtykke"}) == "samtykke"
