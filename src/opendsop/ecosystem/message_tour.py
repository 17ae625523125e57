# SPDX-License-Identifier: Apache-2.0
"""Tour stories of the message services, told over the running parties' HTTP APIs.

* ``brev`` — the digital letter (DSOP “Architecture document”, step 2.2 b): Skatteetaten's case about a
  customer of a bank without a Control API sends that bank a letter; the bank's operations find it in
  their inbox and answer with an XLSX; the agency picks the answer up and the case shows it
  (``answered-by-letter``, the file in the export).
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

    from opendsop.backoffice.guarantee_cli import file_over_platform
    from opendsop.backoffice.session import open_session
    from opendsop.contracts.registers.loyve_messages import RESOURCE
    from opendsop.ecosystem.message_side import backoffice_settings, svv_key
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
    platform = "altinn" in running.topology.ports and svv_key(running.topology).exists()
    async with open_session(settings) as session, session.loyveregister() as register:
        overview = await register.carrier(carrier.orgnr)
        if overview is not None:
            console.print(
                f"{carrier.name}: {count} goods licence(s) → {sum_now} NOK required in {population.today.year} "
                f"(rundskriv N-1); guarantees in force: {len(overview.egneGarantier) + len(overview.andreGarantister)}"
            )
        for index, (label, filed) in enumerate(steps):
            if platform and index == 1:  # one case filed as a correspondence to SVV, answered in the inbox
                answer = await file_over_platform(session, filed)
                label += " (over Altinn)"
            else:
                answer = await register.submit(filed)
            seen["answers"].append(answer.status.value)
            _answer(table, label, answer)
        console.print(table)
        if platform:
            async with session.platform() as client:
                inbox = [item async for item in client.inbox(resource_id=RESOURCE)][::-1]  # oldest first
            seen["inbox"] = [item.property_list.get("status") for item in inbox]
        else:
            seen["inbox"] = [m.svar.status.value for m in await register.letters() if m.svar is not None]
        console.print(f"{settings.name}'s inbox: {len(seen['inbox'])} answer(s) from SVV: {', '.join(seen['inbox'])}")
    seen["revocations"] = await _notices(running, carrier.orgnr, console, platform)
    report.messages["garanti"] = seen


async def _notices(running: Running, carrier: str, console: Console, platform: bool) -> list[tuple[str, str]]:
    """SVV's notices of revocation to ``carrier``: as SVV sent them on the platform, else from its outbox."""
    from opendsop.contracts.messaging.names import Role, bare_party
    from opendsop.contracts.registers.loyve_messages import NOTICE_RESOURCE
    from opendsop.ecosystem.message_platform import platform_client
    from opendsop.ecosystem.message_side import SVV_CLIENT_ID, svv_key
    from opendsop.registers.app import Stores

    found: list[tuple[str, str]] = []
    if platform:
        async with platform_client(running.topology, SVV_CLIENT_ID, svv_key(running.topology)) as svv:
            page = await svv.search(role=Role.SENDER, resource_id=NOTICE_RESOURCE)
        for item in page.items:
            if bare_party(item.recipient) == carrier:
                found.append((item.property_list.get("saksnummer", ""), item.property_list.get("frist", "")))
                body = item.content.message_body.replace("**", "")  # markdown, shown as plain text
                console.print(f"SVV → {carrier}'s inbox ({item.status}): {item.content.message_title} — {body}")
        return found
    stores = Stores(_registers_db(running))  # no platform: the letter waits in SVV's outbox
    try:
        notices = [m.tilbakekall for m in await stores.loyve.letters_to(carrier) if m.tilbakekall]
    finally:
        await stores.db.close()
    for notice in notices:
        found.append((notice.saksnummer, notice.frist.isoformat()))
        console.print(
            f"SVV → {notice.transportorNavn}: notice of revocation of the {notice.garantiType.value} licences "
            f"unless a new guarantee is in place by {notice.frist} (guarantee {notice.garantiNummer} ends)"
        )
    return found


def _registers_db(running: Running) -> str:
    from opendsop.ecosystem.provision import Paths

    return Paths.of(running.topology).database("registers")


def _answer_workbook(population: Population, bank: str, party: str) -> bytes:
    """What a bank's operations would export for the letter: the party's accounts at the bank, as XLSX."""
    import io

    import xlsxwriter  # type: ignore[import-untyped]

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Kontoer")
    sheet.write_row(0, 0, ["Kontonummer", "Type", "Valuta", "Status", "Åpnet", "Saldo", "Saldodato"])
    row = 0
    for account in population.accounts:
        if account.bank_orgnr == bank and account.owner_id == party:
            row += 1
            sheet.write_row(
                row,
                0,
                [
                    account.kontonr,
                    account.type,
                    account.currency,
                    account.status,
                    account.opened.isoformat(),
                    float(account.opening_balance),
                    account.balance_date.isoformat(),
                ],
            )
    book.close()
    return out.getvalue()


async def _brev(running: Running, population: Population, console: Console, report: Any) -> None:
    from opendsop.backoffice.letters_cli import answer_letter, inbox, read_letter
    from opendsop.backoffice.session import open_session
    from opendsop.clock import oslo_today
    from opendsop.consumer import exports
    from opendsop.consumer.cli import letters_table, run_case
    from opendsop.consumer.workflows import plan_skatt
    from opendsop.consumer.workflows.runtime import open_runtime
    from opendsop.ecosystem.message_side import backoffice_settings

    console.print(Rule("Digitalt brev: a bank without a Control API is asked by letter and answers with XLSX"))
    topology = running.topology
    bank = next((b for b in topology.banks if not b.control_api), None)
    if bank is None or "altinn" not in topology.ports:
        console.print("every bank of this ecosystem has a Control API (or no message platform runs)")
        return
    valid = {p.person_id for p in population.persons if p.invalid_reason is None}
    account = next((a for a in population.accounts if a.bank_orgnr == bank.orgno and a.owner_id in valid), None)
    if account is None:
        console.print(f"{bank.name} has no customer in this world")
        return
    party = account.owner_id
    seen: dict[str, Any] = {"bank": bank.orgno}
    async with open_runtime("skatt", running.consumer_settings("skatt")) as rt:
        plan = plan_skatt(party, requester_id="tour-brev", today=oslo_today(rt.clock))
        case_id = plan.case.account_info_request_id
        console.print(f"Skatteetaten asks about {party}: {bank.name} is not in the API catalogue")
        await run_case(rt, console, plan, None, accounts=False)
    report.case_ids["brev"] = case_id

    async with open_session(backoffice_settings(topology, bank.orgno)) as session, session.platform() as client:
        letter = next((i for i in await inbox(client) if i.property_list.get("AccountInfoRequestID") == case_id), None)
        if letter is None:
            console.print(f"[red]no letter reached {bank.name}'s inbox[/red]")
            return
        _, request = await read_letter(client, letter.correspondence_id)
        name = f"svar-{case_id[:8]}.xlsx"
        await answer_letter(client, letter.correspondence_id, name, _answer_workbook(population, bank.orgno, party))
        console.print(
            f"{bank.name}'s operations read the letter ({request.serviceName}, {request.legalMandate}, due "
            f"{request.dueDate}) and answer with {name}"
        )

    async with open_runtime("skatt", running.consumer_settings("skatt")) as rt:
        assert rt.letters is not None
        done = await rt.letters.collect()
        export = await exports.load_case_export(rt.store, case_id)
    letters_table(console, export.letters)
    seen["answered"] = [letter.case_id for letter in done.answered]
    seen["status"] = [letter.status for letter in export.letters]
    seen["file"] = next((letter.file_name for letter in export.letters if letter.file_name), None)
    console.print(f"the case holds the answer: dsop case export {case_id} --format xlsx --out FILE")
    report.messages["brev"] = seen


MESSAGE_STORIES = {"brev": _brev, "garanti": _garanti}

__all__ = ["MESSAGE_STORIES"]
