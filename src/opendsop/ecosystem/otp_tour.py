# SPDX-License-Identifier: Apache-2.0
"""Tour stories of Ajourhold av OTP and FI-Utlegg, told over the running parties' HTTP APIs.

* ``otp`` — a pension institution's month for one employer customer: it registers the avtaleforhold with
  Skatteetaten, lists the employees (Inntektsmottakere), fetches each one's income (Inntekt, rettighetspakke
  ``otp``) and employments (NAV's Aa-registeret OTP API, GraphQL), and prints the pension base and what changed
  since the month before (``pension.sync``).
* ``fi-utlegg`` — one debtor's balances today, asked by the innkrevingsmyndighet (Skatteetaten) and by the
  alminnelig namsmann (Politiet through Skatteetaten's Kontoforespørsel), as a balance overview per bank.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console
from rich.rule import Rule

from opendsop.ecosystem.runner import Running
from opendsop.synth.world import Population


async def _otp(running: Running, population: Population, console: Console, report: Any) -> None:
    from opendsop.clock import oslo_today
    from opendsop.ecosystem.pension_side import pension_settings
    from opendsop.pension.cli import print_report, run_sync
    from opendsop.standard import otp
    from opendsop.synth.aordning import INSTITUTIONS
    from opendsop.synth.aordning import for_population as aordning_for

    console.print(Rule("Ajourhold av OTP: a pension institution's month for one employer"))
    aordning = aordning_for(population)
    last = min(otp.last_complete_month(oslo_today()), aordning.last_filed)
    before = otp.shift(last, -1)
    staff = Counter(population.employer_of.values())
    chosen = None
    for orgnr, count in sorted(staff.items(), key=lambda item: (item[1], item[0])):
        providers = aordning.employers[orgnr].providers if orgnr in aordning.employers else {}
        institution = providers.get(last)
        if (
            4 <= count <= 15
            and institution
            and providers.get(before) == institution
            and before >= otp.EARLIEST_AVTALEFORHOLD
        ):
            chosen = (orgnr, institution)
            break
    if chosen is None:
        console.print("this world has no small employer whose a-melding names a pension institution")
        return
    employer, institution = chosen
    names = dict(INSTITUTIONS)
    console.print(
        f"{names[institution]} ({institution}) syncs {aordning.employers[employer].name} ({employer}), "
        f"{before}–{last}; the a-melding names it as the pension provider"
    )
    found = await run_sync(pension_settings(running.topology, institution), employer, before, last=last)
    print_report(found, console)
    report.messages["otp"] = found


async def _fi_utlegg(running: Running, population: Population, console: Console, report: Any) -> None:
    from opendsop.clock import oslo_today
    from opendsop.consumer.cli import run_case
    from opendsop.consumer.tables import balance_overview, balance_table
    from opendsop.consumer.workflows import plan_fi_utlegg
    from opendsop.consumer.workflows.fi_utlegg import AUTHORITIES
    from opendsop.consumer.workflows.runtime import open_runtime

    console.print(Rule("FI-Utlegg: a debtor's balances today, for the innkrevingsmyndighet and the namsmann"))
    owners = Counter(account.owner_id for account in population.accounts)
    debtor = next(
        (p.person_id for p in population.persons if owners.get(p.person_id, 0) >= 2 and p.invalid_reason is None), None
    )
    if debtor is None:
        console.print("this world has no person with accounts")
        return
    seen: dict[str, Any] = {}
    for by, who in (("im", "Skatteetaten (innkrevingsmyndighet)"), ("an", "Politiet (alminnelig namsmann)")):
        service = AUTHORITIES[by].key
        async with open_runtime(service, running.consumer_settings(service)) as rt:
            plan = plan_fi_utlegg(debtor, today=oslo_today(rt.clock), authority=by)
            console.print(f"{who} asks about {debtor}: {plan.case.from_date}, onlyPrimaryOwner=true, FI-Utlegg-Test")
            results = await run_case(rt, console, plan, None, accounts=False)
        rows = balance_overview(results)
        console.print(balance_table(f"Balances per bank ({by.upper()})", rows))
        report.case_ids[service] = plan.case.account_info_request_id
        seen[by] = rows
    report.messages["fi-utlegg"] = seen


OTP_STORIES = {"otp": _otp, "fi-utlegg": _fi_utlegg}

__all__ = ["OTP_STORIES"]
