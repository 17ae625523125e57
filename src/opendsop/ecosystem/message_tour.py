# SPDX-License-Identifier: Apache-2.0
"""Tour stories of the message services, told over the running parties' HTTP APIs.

* ``garanti`` — a bank as guarantor (DSOP Transportløyvegaranti): a new guarantee for a carrier
  without one (first under the required sum: ``REJECTED_BELOP_FOR_LAVT``), replaced by one covering
  every licence, then terminated with two months' notice; SVV's answers reach the guarantor and its
  notice of revocation the carrier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.rule import Rule
from rich.table import Table

from opendsop.ecosystem.runner import Running
from opendsop.synth.world import Population

if TYPE_CHECKING:
    from opendsop.contracts.registers.loyve import Svar


def _answer(table: Table, step: str, answer: Svar) -> None:
    style = "green" if answer.status.value == "OK" else "yellow"
    table.add_row(step, f"[{style}]{answer.status.value}[/{style}]", answer.melding)


async def _garanti(running: Running, population: Population, console: Console, report: Any) -> None:
    import msgspec

    from opendsop.backoffice.session import open_session
    from opendsop.ecosystem.message_side import backoffice_settings
    from opendsop.registers.app import Stores
    from opendsop.standard.services.transport_guarantee import Soknad, required_sum
    from opendsop.synth import transport

    console.print(Rule("Transportløyvegaranti: a bank guarantees a carrier's licences at Statens vegvesen"))
    carriers = transport.carriers(population.companies)
    if not carriers:
        console.print("this world has no licence-bound carrier")
        return
    carrier = carriers[0]  # the first carrier of the world has no guarantee yet (synth.transport)
    settings = backoffice_settings(running.topology)
    count = carrier.licences["GODSLOYVE"]
    sum_now = required_sum(count, population.today.year)
    table = Table(title=f"{settings.name} ({settings.org}) files cases for {carrier.name} ({carrier.orgnr})")
    for column in ("Case", "Status", "SVV's answer"):
        table.add_column(column, overflow="fold")
    seen: dict[str, Any] = {"carrier": carrier.orgnr, "answers": []}

    def case(kind: str, form_name: str, **form: Any) -> Soknad:
        return msgspec.convert({"transportorOrgnummer": carrier.orgnr, "soknadtype": kind, form_name: form}, Soknad)

    first, second = f"TOUR-{carrier.orgnr}-1", f"TOUR-{carrier.orgnr}-2"
    steps = [
        (
            f"nyGaranti {sum_now - 1} NOK",
            case("nyGaranti", "nyGaranti", garantinummer=first, garantiType="GODSLOYVE", belop=str(sum_now - 1)),
        ),
        (
            f"nyGaranti {sum_now} NOK",
            case("nyGaranti", "nyGaranti", garantinummer=first, garantiType="GODSLOYVE", belop=str(sum_now)),
        ),
        (
            f"erstattEgenGaranti {sum_now + 50_000} NOK",
            case(
                "erstattEgenGaranti",
                "erstattGaranti",
                garantinummer=second,
                garantiType="GODSLOYVE",
                belop=str(sum_now + 50_000),
                gammelGarantinummer=first,
            ),
        ),
        (
            "endreGaranti: terminate (guarantor, 2 months)",
            case(
                "endreGaranti",
                "endreGaranti",
                garantinummer=second,
                justerOppsigelseCheck=True,
                oppsigelseaarsak="AVSLUTTET_AV_GARANTIST",
            ),
        ),
    ]
    async with open_session(settings) as session, session.loyveregister() as register:
        overview = await register.carrier(carrier.orgnr)
        if overview is not None:
            console.print(
                f"{carrier.name}: {count} goods licence(s) → {sum_now} NOK required in {population.today.year} "
                f"(rundskriv N-1); guarantees in force: {len(overview.egneGarantier) + len(overview.andreGarantister)}"
            )
        for label, filed in steps:
            answer = await register.submit(filed)
            seen["answers"].append(answer.status.value)
            _answer(table, label, answer)
        console.print(table)
        letters = await register.letters()
        seen["inbox"] = [letter.svar.status.value for letter in letters if letter.svar is not None]
        console.print(f"{settings.name}'s letters from SVV: {len(letters)} answer(s), last {seen['inbox'][-1:]}")
    # the carrier has no client of its own here: its letter is read from SVV's outbox
    stores = Stores(_registers_db(running))
    try:
        notices = [m.tilbakekall for m in await stores.loyve.letters_to(carrier.orgnr) if m.tilbakekall]
    finally:
        await stores.db.close()
    seen["revocations"] = [(n.garantiNummer, n.frist.isoformat()) for n in notices]
    for notice in notices:
        console.print(
            f"SVV → {notice.transportorNavn}: notice of revocation of the {notice.garantiType.value} licences "
            f"unless a new guarantee is in place by {notice.frist} (guarantee {notice.garantiNummer} ends)"
        )
    report.messages["garanti"] = seen


def _registers_db(running: Running) -> str:
    from opendsop.ecosystem.provision import Paths

    return Paths(running.topology.var_dir).database("registers")


MESSAGE_STORIES = {"garanti": _garanti}

__all__ = ["MESSAGE_STORIES"]
