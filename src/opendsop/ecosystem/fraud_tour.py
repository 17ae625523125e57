# SPDX-License-Identifier: Apache-2.0
"""Tour story ``svindel`` (docs/decisions.md, "Fraud cooperation and report confirmation"), over real HTTP:

a customer of one bank is tricked into an investment transfer to an account at another bank; the paying
bank recalls it over the message platform, the receiving bank freezes part of it; the report goes to the
police intake, which answers with a case number and a signed confirmation; the insurer verifies it.

The transfer itself is made up by the story (the synthetic world's transactions do not go between the
topology's banks); everything after it runs on the parties.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx
from rich.console import Console
from rich.rule import Rule
from rich.table import Table

from opendsop.clock import oslo_today, utc_now
from opendsop.ecosystem.runner import Running
from opendsop.synth.world import Population

INSURER = "995568217"  # the tour's insurer (any organisation number; it only verifies)
LEGAL_BASIS = {"recall": "TEST: the customer's request (no legal assessment)"}


async def _svindel(running: Running, population: Population, console: Console, report: Any) -> None:
    from opendsop.contracts.report_confirmation import JWKS_PATH, verify_report_confirmation
    from opendsop.ecosystem.message_platform import platform_client
    from opendsop.ecosystem.provision import Paths, bank_client_id
    from opendsop.provider.fraud import FraudDesk
    from opendsop.standard import fraud
    from opendsop.trust.pki import TrustStore, certificate_from_pem

    console.print(Rule("Svindel: money recalled from the receiving bank, the report confirmed to the insurer"))
    topology, paths = running.topology, Paths.of(running.topology)
    banks = {bank.orgno for bank in topology.banks}
    persons = {p.person_id for p in population.persons if p.invalid_reason is None and p.address_protection is None}
    accounts = [a for a in population.accounts if a.bank_orgnr in banks and a.kontonr]
    directory = {a.kontonr[:4]: a.bank_orgnr for a in accounts}
    victim = next((a for a in accounts if a.owner_id in persons), None)
    mule = next((a for a in accounts if victim and a.bank_orgnr != victim.bank_orgnr), None)
    if victim is None or mule is None or directory.get(mule.kontonr[:4]) != mule.bank_orgnr:
        console.print("this world has no two banks to tell the story with")
        return
    today = oslo_today()
    transfer = fraud.Transaction("svindel-1", victim.kontonr, mule.kontonr, Decimal("25000.00"), today)
    case_id = f"SVINDEL-{uuid.uuid4().hex[:8]}"
    paying_key, receiving_key = paths.bank(victim.bank_orgnr) / "grant.pem", paths.bank(mule.bank_orgnr) / "grant.pem"
    async with (
        platform_client(topology, bank_client_id(victim.bank_orgnr), paying_key) as paying_client,
        platform_client(topology, bank_client_id(mule.bank_orgnr), receiving_key) as receiving_client,
    ):
        desk = {"directory": directory, "legal_basis": LEGAL_BASIS, "clock": utc_now}
        paying = FraudDesk(victim.bank_orgnr, paying_client, **desk)  # type: ignore[arg-type]
        receiving = FraudDesk(mule.bank_orgnr, receiving_client, **desk)  # type: ignore[arg-type]
        await paying.recall(case_id, fraud.FraudType.INVESTMENT, [transfer.transaction_id], {"svindel-1": transfer})
        mine = [item for item in await receiving.incoming() if item[1].case_id == case_id]
        await receiving.answer(mine[0][0], "frozen", frozen_amount="12000.00")
        lines = await paying.case(case_id)
    table = Table(title=f"Case {case_id} at {victim.bank_orgnr}: recalls")
    for column in ("Transaction", "Receiving bank", "State", "Outcome", "Frozen NOK"):
        table.add_column(column)
    for line in lines:
        outcome = line.outcome.value if line.outcome else "—"
        frozen = str(line.frozen_amount or "—")
        table.add_row(line.request.transaction_id, line.receiving_bank, line.state.value, outcome, frozen)
    console.print(table)

    body = {"reportId": case_id, "reporter": victim.owner_id, "fraudType": "investment", "filed": today.isoformat()}
    token_header = {"Authorization": f"Bearer {running.provisioned.prosecution_api_token}"}
    async with httpx.AsyncClient(base_url=topology.url("prosecution"), timeout=10) as http:
        filed = await http.post("/fraud-reports", json=body, headers=token_header)
        jwks = (await http.get(JWKS_PATH)).json()
    if filed.status_code != 201:
        raise httpx.HTTPError(f"the police intake refused the report: {filed.status_code} {filed.text[:200]}")
    answer = filed.json()
    root = certificate_from_pem((paths.prosecution / "confirmation" / "root.pem").read_bytes())
    confirmation = verify_report_confirmation(
        answer["confirmation"],
        TrustStore(roots=(root,)),
        jwks=jwks,
        person=victim.owner_id,
        now=utc_now(),
        insurer=INSURER,
        consent_insurer=INSURER,
    )
    console.print(
        f"the police filed case {confirmation.case_number} ({confirmation.offence_category}); "
        f"insurer {INSURER} verified the signed confirmation (valid to {confirmation.expires_at.date()})"
    )
    report.messages["svindel"] = {
        "case": case_id,
        "bank": victim.bank_orgnr,
        "receiving": mule.bank_orgnr,
        "to_account": mule.kontonr,
        "recalls": lines,
        "confirmation": confirmation,
    }


FRAUD_STORIES = {"svindel": _svindel}

__all__ = ["FRAUD_STORIES"]
