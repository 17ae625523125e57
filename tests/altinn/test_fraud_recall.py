"""Recall between banks over the message platform (docs/decisions.md, "Fraud cooperation and report
confirmation"): the paying bank recalls each transaction from the bank its receiving account belongs to,
the receiving bank answers, the answer reaches the paying bank's case; no answer in time shows as overdue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from random import Random

import pytest

from opendsop.provider.fraud import FraudDesk, recall_resource
from opendsop.standard import fraud
from opendsop.standard.identifiers import generate_kontonr

from .conftest import BANK, OTHER_BANK, OUTSIDER, Harness

pytestmark = pytest.mark.anyio
_RNG = Random(7)
PAYER_ACCOUNT = generate_kontonr(_RNG, "0500")
MULE_1503 = generate_kontonr(_RNG, "1503")
MULE_4201 = generate_kontonr(_RNG, "4201")
HELD = {
    "tx-1": fraud.Transaction("tx-1", PAYER_ACCOUNT, MULE_1503, Decimal("25000.00"), date(2026, 12, 7)),
    "tx-2": fraud.Transaction("tx-2", PAYER_ACCOUNT, MULE_4201, Decimal("4000.00"), date(2026, 12, 7)),
}
DIRECTORY = {"0500": BANK, "1503": OTHER_BANK, "4201": OUTSIDER}
BASIS = {"recall": "TEST"}


async def _desks(h: Harness) -> tuple[FraudDesk, FraudDesk, FraudDesk]:
    await h.platform.store.put_resource(recall_resource([BANK, OTHER_BANK, OUTSIDER], owner=BANK))
    return tuple(  # type: ignore[return-value]
        FraudDesk(org, h.client(org), directory=DIRECTORY, legal_basis=BASIS, clock=h.clock)
        for org in (BANK, OTHER_BANK, OUTSIDER)
    )


async def test_a_recall_is_answered_and_an_unanswered_one_goes_overdue(harness: Harness) -> None:
    paying, receiving, silent = await _desks(harness)
    sent = await paying.recall("case-1", fraud.FraudType.INVESTMENT, ["tx-1", "tx-2"], HELD)
    assert [r.receiving_bank_code for r in sent] == ["1503", "4201"]
    [(correspondence, request, payer)] = await receiving.incoming()
    assert (request.transaction_id, payer) == ("tx-1", BANK)
    harness.clock.advance(minutes=30)
    await receiving.answer(correspondence, "frozen", frozen_amount="12000.00", mule_reason="many inbound transfers")
    harness.clock.advance(hours=2)
    lines = {line.request.transaction_id: line for line in await paying.case("case-1")}
    assert (lines["tx-1"].state, lines["tx-1"].outcome, lines["tx-1"].frozen_amount) == (
        fraud.RecallState.ANSWERED,
        fraud.Outcome.FROZEN,
        Decimal("12000.00"),
    )
    flag = lines["tx-1"].mule_flag
    assert flag is not None and (flag.account, flag.reason, flag.flagged_by) == (
        MULE_1503,
        "many inbound transfers",
        OTHER_BANK,
    )
    assert (lines["tx-2"].state, lines["tx-2"].receiving_bank) == (fraud.RecallState.OVERDUE, OUTSIDER)
    assert lines["tx-2"].mule_flag is None
    assert len(await silent.incoming()) == 1
    with pytest.raises(fraud.FraudError) as twice:
        await receiving.answer(correspondence, "returned")
    assert twice.value.code == "FRD-009"


@pytest.mark.parametrize(
    ("rule", "code", "transactions", "basis"),
    [
        ("recall for a transaction the bank does not hold", "FRD-001", ["tx-9"], BASIS),
        ("duplicate recall", "FRD-002", ["tx-1"], BASIS),
        ("no legal basis for recalls", "FRD-010", ["tx-2"], {}),
    ],
)
async def test_refused_recalls_send_nothing(
    sqlite_harness: Harness, rule: str, code: str, transactions: list[str], basis: dict[str, str]
) -> None:
    paying, receiving, _ = await _desks(sqlite_harness)
    await paying.recall("case-1", fraud.FraudType.PHISHING, ["tx-1"], HELD)
    desk = FraudDesk(
        BANK, sqlite_harness.client(BANK), directory=DIRECTORY, legal_basis=basis, clock=sqlite_harness.clock
    )
    with pytest.raises(fraud.FraudError) as caught:
        await desk.recall("case-2", fraud.FraudType.PHISHING, transactions, HELD)
    assert caught.value.code == code, rule
    assert len(await receiving.incoming()) == 1
