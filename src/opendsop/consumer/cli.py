"""``dsop case …``: an agency's case handler runs one service's case across the banks (DSOP “Architecture document”; the
DSOP services' “Løsningsbeskrivelse” pages).

Each command plans first (``consumer.workflows``: refusals before any call, the period from the
registers' facts), records the case (``CaseStore``), runs step 1 and step 2 with a progress bar
across banks, and ends with a summary table: one row per bank with its outcome, plus the
institutions without a Control API (ask them by digital letter).  ``show``, ``export`` (consumer.exports:
JSON, CSV, XLSX, PDF) and ``resume`` work on a recorded case by its AccountInfoRequestID.

Exit codes: 0 every bank answered; 1 a bank ended other than ok; 2 the workflow refused (nothing
was sent) or the case is unknown.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from opendsop.cli_errors import Interrupted, handled
from opendsop.clock import oslo_today
from opendsop.standard.endpoints import CONTROL_ENDPOINTS, Endpoint
from opendsop.standard.period import parse_date
from opendsop.standard.services import get_profile

if TYPE_CHECKING:  # imported by the commands that use them, so that --help stays fast
    from opendsop.consumer.fanout import BankResult, Plan
    from opendsop.consumer.letters import Letter, Letters
    from opendsop.consumer.protocol import BankEndpoint, CaseParameters
    from opendsop.consumer.workflows import CasePlan
    from opendsop.consumer.workflows.runtime import Runtime
    from opendsop.consumer.workflows.verge import Assignment

# the service a command runs (None: show/export/resume, any service of the agency) → its runtime
RuntimeFactory = Callable[[str | None], AbstractAsyncContextManager["Runtime"]]
CaseNumber = Annotated[str | None, typer.Option("--case-number", help="The agency's own case number")]
_STYLE = {"ok": "green", "partial": "yellow", "denied": "red", "error": "red", "timeout": "red"}  # by Outcome


class _Stop(Exception):
    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


# the cases this process has recorded, so that Ctrl-C can say which ones to resume
_OPENED: list[str] = []


# -- running -------------------------------------------------------------------------------------


async def run_case(
    runtime: Runtime,
    console: Console,
    plan: CasePlan,
    case_number: str | None,
    banks: Sequence[BankEndpoint] | None = None,
    *,
    accounts: bool = True,
) -> list[BankResult]:
    """Record the case, find its banks (unless resuming), run step 2 with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    without_api: list[tuple[str, str]] = []
    if banks is None:
        banks, without_api = await _open_case(runtime, plan, case_number)
    results: list[BankResult] = []
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(f"{plan.service} {plan.case.account_info_request_id[:8]}", total=len(banks))
        async for result in runtime.fanout.stream(plan.case, banks, plan.plan):
            results.append(result)
            progress.update(
                task, advance=1, description=f"{result.bank.name or result.bank.org_no}: {result.outcome.value}"
            )
    _summary(console, plan.case.account_info_request_id, results, without_api, accounts=accounts)
    if runtime.letters is not None and without_api:
        letters_table(console, await runtime.letters.store.letters(plan.case.account_info_request_id))
    return results


async def _open_case(
    runtime: Runtime, plan: CasePlan, case_number: str | None
) -> tuple[list[BankEndpoint], list[tuple[str, str]]]:
    """Record the case, then step 1: its banks (recorded too) and the institutions without a Control API."""
    from opendsop.consumer.workflows import find_banks

    await runtime.store.open_case(
        case_number=case_number or plan.case.account_info_request_id,
        service=plan.service,
        parameters=plan.case,
        now=runtime.clock(),
        retention=runtime.retention,
        facts=plan.facts,
    )
    _OPENED.append(plan.case.account_info_request_id)
    found = await find_banks(plan, runtime.relations, runtime.directory)
    await runtime.store.add_banks(plan.case.account_info_request_id, found.banks)
    if runtime.letters is not None and found.without_api:  # DSOP “Architecture document” step 2.2 b
        await runtime.letters.send(plan, found.without_api, case_number)
    return list(found.banks), list(found.without_api)


async def run_batch(
    runtime: Runtime, console: Console, plans: Sequence[CasePlan], *, concurrency: int = 8
) -> list[tuple[list[BankResult], list[tuple[str, str]]]]:
    """Many cases at once (``concurrency`` in flight), one progress bar for the batch; results in plan order."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    gate = asyncio.Semaphore(concurrency)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(f"{len(plans)} cases", total=len(plans))

        async def one(plan: CasePlan) -> tuple[list[BankResult], list[tuple[str, str]]]:
            async with gate:
                banks, without_api = await _open_case(runtime, plan, None)
                results = [result async for result in runtime.fanout.stream(plan.case, banks, plan.plan)]
                progress.advance(task)
                return results, without_api

        return list(await asyncio.gather(*(one(plan) for plan in plans)))


def _summary(
    console: Console,
    case_id: str,
    results: Sequence[BankResult],
    without_api: Sequence[tuple[str, str]] = (),
    *,
    accounts: bool = False,
) -> None:
    """One row per bank (outcome, accounts, time, reason); with ``accounts``, then one row per account."""
    from opendsop.consumer.tables import accounts_table, banks_table

    rows = []
    for result in sorted(results, key=lambda r: r.bank.org_no):
        style = _STYLE[result.outcome]
        rows.append(
            [
                result.bank.org_no,
                result.bank.name,
                f"[{style}]{result.outcome.value}[/{style}]",
                str(len(result.accounts)),
                f"{result.seconds:.1f}",
                result.reason or "",
            ]
        )
    for org, name in without_api:
        rows.append([org, name, "no API", "-", "-", "not in the API catalogue: ask by digital letter"])
    console.print(banks_table(f"Case {case_id}", rows, width=console.width))
    if accounts and any(result.accounts for result in results):
        console.print(accounts_table("Accounts", results, width=console.width))


def letters_table(console: Console, letters: Sequence[Letter]) -> None:
    """One row per digital letter: the bank, its status (sent, answered-by-letter), due date and answer file."""
    from opendsop.consumer.tables import Column, fitted

    columns = (
        Column("Case", drop_order=2),
        Column("Bank", essential=True),
        Column("Status", essential=True),
        Column("Due", essential=True),
        Column("Reminders", drop_order=3),
        Column("Answer", drop_order=1),
    )
    rows = [
        [
            letter.case_id[:8],
            f"{letter.name or ''} {letter.org_no}".strip(),
            letter.status,
            letter.due.isoformat(),
            str(letter.reminders),
            letter.file_name or "",
        ]
        for letter in letters
    ]
    console.print(fitted("Digital letters", columns, rows, console.width))


def _endpoint(name: str) -> Endpoint:
    for candidate in CONTROL_ENDPOINTS:
        if name.strip().lower() in (candidate.value.lower(), candidate.operation_id.lower(), candidate.name.lower()):
            return candidate
    raise _Stop(f"unknown endpoint {name!r} — one of {', '.join(e.value for e in CONTROL_ENDPOINTS)}")


def _exit_code(results: Sequence[BankResult]) -> int:
    from opendsop.consumer.fanout import Outcome

    return 0 if all(result.outcome is Outcome.OK for result in results) else 1


def _plan_of(service: str, case: CaseParameters) -> Plan:
    """The 2b endpoints of a recorded case (Politi: those its order permits)."""
    from opendsop.consumer.fanout import Plan
    from opendsop.consumer.workflows.politi import read_order

    profile = get_profile(service)
    if service == "politi" and case.reference_id:
        order = read_order(case.reference_id)
        return Plan.for_service(
            profile, wanted={e for e in CONTROL_ENDPOINTS if e is not Endpoint.ACCOUNTS and order.permits(e)}
        )
    return Plan.for_service(profile)


_FORMATS = ("json", "accounts-csv", "transactions-csv", "xlsx", "pdf")


async def _export(store: Any, case_id: str, form: str, target: Path | None) -> None:
    """One recorded case in ``form`` (consumer.exports), to ``target`` or stdout (text formats)."""
    from opendsop.consumer import exports

    try:
        export = await exports.load_case_export(store, case_id)
    except exports.UnknownCase:
        raise _Stop(f"unknown case {case_id} — give the AccountInfoRequestID a case printed when it ran") from None
    if form in ("xlsx", "pdf") and target is None:
        raise _Stop(f"--format {form} is a binary file — name it with --out FILE")
    if form == "json":
        data = exports.to_json(export)
        if target is None:
            sys.stdout.write(data.decode("utf-8") + "\n")
        else:
            target.write_bytes(data)
    elif form in ("accounts-csv", "transactions-csv"):
        writer = exports.write_accounts_csv if form == "accounts-csv" else exports.write_transactions_csv
        if target is None:
            writer(export, sys.stdout)
        else:
            with target.open("w", encoding="utf-8", newline="") as out:
                writer(export, out)
    elif form == "xlsx":
        exports.write_xlsx(export, str(target))
    else:
        exports.write_pdf(export, str(target))
    if form in ("xlsx", "pdf") and target is not None:
        for letter in export.letters:  # the banks' answers by digital letter go with the case
            if letter.data is not None and letter.file_name:
                suffix = Path(letter.file_name).suffix.lower()
                target.with_name(f"{target.stem}-letter-{letter.org_no}{suffix}").write_bytes(letter.data)


def _open_runtime(service: str | None) -> AbstractAsyncContextManager[Runtime]:
    """``open_runtime``, imported when a command runs: the agency's store and HTTP clients (fast ``--help``)."""
    from opendsop.consumer.workflows.runtime import open_runtime

    return open_runtime(service)


# -- the app -------------------------------------------------------------------------------------


def build_app(  # noqa: C901 - one closure per command
    runtime_factory: RuntimeFactory | None = None,
    *,
    console: Console | None = None,
    case_options: Callable[..., None] | None = None,
) -> typer.Typer:
    """The ``dsop`` consumer commands over ``runtime_factory`` (default: open_runtime; tests pass twins).

    ``case_options`` is a typer callback whose options ``dsop case`` takes before its command (the
    composition's ``--topology``, which the factory it passes then reads)."""
    factory: RuntimeFactory = runtime_factory or _open_runtime
    out = console or Console()
    app = typer.Typer(help="The agency side of DSOP: cases across banks.", no_args_is_help=True)
    case_app = typer.Typer(help="Run, show, export and resume cases.", no_args_is_help=True)
    if case_options is not None:
        case_app.callback()(case_options)
    app.add_typer(case_app, name="case")

    def report(error: Exception) -> int:
        """One line for an expected failure (opendsop.cli_errors); anything else is a bug and is raised."""
        if isinstance(error, _Stop):
            typer.echo(f"error: {error}", err=True)
            return error.code
        code = handled(error)
        if code is None:
            raise error
        return code

    def interrupted() -> Interrupted:
        if not _OPENED:
            return Interrupted("no case was recorded; run the command again")
        if len(_OPENED) == 1:
            return Interrupted(f"case {_OPENED[0]} is recorded; carry on with `dsop case resume {_OPENED[0]}`")
        return Interrupted(
            f"{len(_OPENED)} cases are recorded; carry on with `dsop case resume <id>` for each: " + " ".join(_OPENED)
        )

    def run(service: str | None, body: Callable[[Runtime], Awaitable[int]]) -> None:
        async def main() -> int:
            async with factory(service) as runtime:
                try:  # inside the runtime: its task groups must not wrap an expected refusal
                    return await body(runtime)
                except Exception as error:
                    return report(error)

        _OPENED.clear()
        try:
            code = asyncio.run(main())
        except KeyboardInterrupt:  # asyncio.run has cancelled the case's calls; what is answered is recorded
            code = report(interrupted())
        except Exception as error:  # the runtime itself refused (e.g. a service the agency may not run)
            code = report(error)
        raise typer.Exit(code)

    @case_app.command("konkurs")
    def konkurs(
        debtor: Annotated[str, typer.Option(help="org.nr or fnr/d-nr of the debtor")], case_number: CaseNumber = None
    ) -> None:
        """Konkursbehandling: 12 months before kjennelsesdato to today (DSOP Konkurs “Løsningsbeskrivelse”)."""

        async def body(rt: Runtime) -> int:
            from opendsop.consumer.workflows import plan_konkurs
            from opendsop.consumer.workflows.konkurs import kjennelsesdato

            ruling = await kjennelsesdato(debtor, rt.konkurs) if rt.konkurs else None
            plan = plan_konkurs(debtor, kjennelsesdato=ruling, today=oslo_today(rt.clock))
            return _exit_code(await run_case(rt, out, plan, case_number))

        run("konkurs", body)

    @case_app.command("oed")
    def oed(
        deceased: Annotated[str, typer.Option(help="fnr/d-nr of the deceased")], case_number: CaseNumber = None
    ) -> None:
        """Oppgjør etter dødsfall: 3 months before the death to today (DSOP OED “Løsningsbeskrivelse”)."""

        async def body(rt: Runtime) -> int:
            from opendsop.consumer.workflows import plan_oed
            from opendsop.consumer.workflows.oed import date_of_death

            death = await date_of_death(deceased, rt.folkeregister) if rt.folkeregister else None
            plan = plan_oed(deceased, date_of_death=death, today=oslo_today(rt.clock))
            return _exit_code(await run_case(rt, out, plan, case_number))

        run("oed", body)

    @case_app.command("fi-utlegg")
    def fi_utlegg(
        debtor: Annotated[str, typer.Option(help="fnr/d-nr/org.nr of the debtor")],
        case_number: CaseNumber = None,
        authority: Annotated[
            str, typer.Option("--by", help="im: Skatteetaten's innkreving; an: the police's alminnelig namsmann")
        ] = "im",
        endpoint: Annotated[
            list[str] | None, typer.Option(help="Step-2 endpoints (default accountDetails; others are refused)")
        ] = None,
        overview: Annotated[Path | None, typer.Option(help="Write the balance overview per bank as CSV")] = None,
    ) -> None:
        """FI-Utlegg Saldo (provisional): the debtor's accounts and balances today, by IM or AN, as a balance
        overview per bank for the enforcement officer."""
        from opendsop.consumer.workflows.fi_utlegg import AUTHORITIES

        by = authority.strip().lower()
        if by not in AUTHORITIES:
            raise typer.BadParameter("--by must be im or an")

        async def body(rt: Runtime) -> int:
            from opendsop.consumer.tables import balance_overview, balance_table, write_overview
            from opendsop.consumer.workflows import plan_fi_utlegg

            wanted = {_endpoint(name) for name in endpoint} if endpoint else None
            plan = plan_fi_utlegg(
                debtor,
                today=oslo_today(rt.clock),
                production=rt.production,
                authority=by,
                wanted=wanted,
                configured=rt.mandates,
            )
            results = await run_case(rt, out, plan, case_number, accounts=False)
            rows = balance_overview(results)
            out.print(balance_table(f"Balances per bank — {plan.case.account_info_request_id}", rows))
            if overview is not None:
                write_overview(rows, overview)
            return _exit_code(results)

        run(AUTHORITIES[by].key, body)

    @case_app.command("verge")
    def verge(
        year: Annotated[int, typer.Option(help="The last calendar year")],
        batch: Annotated[Path, typer.Option(help="CSV: ward,guardian[,guardian_accounts]")],
        concurrency: Annotated[int, typer.Option(min=1, max=200, help="Cases in flight at once")] = 8,
    ) -> None:
        """Vergekontroll: one case per guardianship of the batch, then the controller's flags (DSOP Vergekontroll
        “Løsningsbeskrivelse”)."""

        async def body(rt: Runtime) -> int:
            from opendsop.consumer.workflows import plan_batch, read_batch
            from opendsop.contracts.registers.facts import to_guardianship

            try:
                rows = read_batch(batch.read_text(encoding="utf-8"))
            except OSError as error:
                raise _Stop(f"batch: cannot read {batch}: {error.strerror}") from None
            registered = None
            if rt.folkeregister is not None:
                registered = {
                    row.ward: [to_guardianship(g) for g in await rt.folkeregister.guardianships(row.ward)]
                    for row in rows
                }
            # every row is refused or accepted before the first call
            plans = plan_batch(rows, today=oslo_today(rt.clock), year=year, registered=registered)
            code = 0
            done = await run_batch(rt, out, plans, concurrency=concurrency)
            for row, plan, (results, without_api) in zip(rows, plans, done, strict=True):
                out.print(f"ward {row.ward}, guardian {row.guardian}")
                _summary(out, plan.case.account_info_request_id, results, without_api, accounts=True)
                code = max(code, _exit_code(results))
                flags_table(out, row, results)
            return code

        run("verge", body)

    @case_app.command("politi")
    def politi(
        party: Annotated[str, typer.Option(help="fnr/d-nr/org.nr the order is for")],
        eo: Annotated[Path, typer.Option(help="The signed extradition order (JWS file)")],
        requester: Annotated[str, typer.Option(help="The investigator's user ID")],
        account: Annotated[str | None, typer.Option(help="Ask only the bank servicing this account")] = None,
        case_number: CaseNumber = None,
    ) -> None:
        """Politi-utlevering under an extradition order (DSOP Politi “Løsningsbeskrivelse”)."""

        async def body(rt: Runtime) -> int:
            from opendsop.consumer.workflows import plan_politi, with_servicer

            try:
                order = eo.read_text(encoding="ascii").strip()
            except (OSError, UnicodeDecodeError) as error:
                raise _Stop(f"eo: cannot read {eo}: {error}") from None
            plan = plan_politi(order, party_id=party, requester_id=requester, now=rt.clock())
            if account:
                if rt.relations is None:
                    raise _Stop("account: no relations hub is configured for accountServicingProvider")
                plan = await with_servicer(plan, account, rt.relations)
            return _exit_code(await run_case(rt, out, plan, case_number))

        run("politi", body)

    @case_app.command("skatt")
    def skatt(
        party: Annotated[str, typer.Option(help="fnr/d-nr/org.nr")],
        requester: Annotated[str, typer.Option(help="The case handler's user ID")],
        from_date: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD (default: a year back)")] = None,
        to_date: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD (default: today)")] = None,
        disponent: Annotated[bool, typer.Option(help="Also accounts the party disposes over")] = False,
        case_number: CaseNumber = None,
    ) -> None:
        """Skatt-kontroll (DSOP Skatt “Løsningsbeskrivelse”)."""

        async def body(rt: Runtime) -> int:
            from opendsop.consumer.workflows import plan_skatt

            plan = plan_skatt(
                party,
                requester_id=requester,
                today=oslo_today(rt.clock),
                only_primary_owner=not disponent,
                from_date=_date(from_date, "fromDate"),
                to_date=_date(to_date, "toDate"),
            )
            return _exit_code(await run_case(rt, out, plan, case_number))

        run("skatt", body)

    @case_app.command("nav")
    def nav(
        party: Annotated[str, typer.Option(help="fnr/d-nr/org.nr")],
        requester: Annotated[str | None, typer.Option(help="The case handler's user ID")] = None,
        case_number: CaseNumber = None,
    ) -> None:
        """NAV-kontroll (provisional, DSOP NAV-kontroll “About”)."""

        async def body(rt: Runtime) -> int:
            from opendsop.consumer.workflows import plan_nav

            plan = plan_nav(party, today=oslo_today(rt.clock), requester_id=requester)
            return _exit_code(await run_case(rt, out, plan, case_number))

        run("nav", body)

    @case_app.command("list")
    def list_cases(
        service: Annotated[
            str | None, typer.Option(help="Only this service (konkurs, oed, verge, politi, skatt, nav)")
        ] = None,
        status: Annotated[str | None, typer.Option(help="Only cases with this status: open or purged")] = None,
    ) -> None:
        """The recorded cases, newest first: ID, case number, service, party, period, status and banks."""
        if status is not None and status not in ("open", "purged"):
            out.print("[red]--status must be open or purged[/red]")
            raise typer.Exit(2)

        async def body(rt: Runtime) -> int:
            from opendsop.consumer.tables import cases_table

            cases = await rt.store.list_cases(service=service, status=status)
            outcomes = {
                case.id: {
                    org: outcome.value if outcome else None
                    for org, (outcome, _) in (await rt.store.outcomes(case.id)).items()
                }
                for case in cases
            }
            out.print(cases_table(cases, outcomes, width=out.width))
            return 0

        run(None, body)

    @case_app.command("show")
    def show(case_id: str) -> None:
        """What a recorded case holds: the party, service, legal basis, period and facts, then every bank's
        outcome and time, then the accounts delivered."""

        async def body(rt: Runtime) -> int:
            from opendsop.consumer import exports
            from opendsop.consumer.exports.labels import party_line
            from opendsop.consumer.tables import case_table

            await _recorded(rt, case_id)
            export = await exports.load_case_export(rt.store, case_id)
            out.print(case_table(export.case, party=party_line(export), width=out.width))
            results = await rt.store.results(case_id)
            _summary(out, case_id, results, accounts=True)
            if export.letters:
                letters_table(out, export.letters)
            out.print(
                f"export it:\n  dsop case export {case_id} \\\n"
                "    --format xlsx|pdf|json|accounts-csv|transactions-csv --out FILE",
                highlight=False,
                markup=False,
            )
            return _exit_code(results)

        run(None, body)

    @case_app.command("export")
    def export(
        case_id: str,
        form: Annotated[str, typer.Option("--format", help=f"One of {', '.join(_FORMATS)}")] = "json",
        target: Annotated[Path | None, typer.Option("--out", help="File (default: stdout)")] = None,
    ) -> None:
        """The recorded case and answers as JSON, CSV, XLSX or a PDF summary."""
        if form not in _FORMATS:
            typer.echo(f"error: unknown --format {form} — use one of {', '.join(_FORMATS)}", err=True)
            raise typer.Exit(2)

        async def body(rt: Runtime) -> int:
            await _export(rt.store, case_id, form, target)
            return 0

        run(None, body)

    def service_of(case_id: str) -> str | None:
        """The service of a recorded case (its agency runs what follows), None when it is unknown."""

        async def find() -> str | None:
            async with factory(None) as rt:
                case = await rt.store.get(case_id)
                return case.service if case is not None else None

        try:
            return asyncio.run(find())
        except Exception as error:
            raise typer.Exit(report(error)) from None

    def letter_box(rt: Runtime) -> Letters:
        if rt.letters is None:
            raise _Stop("no message platform is configured for digital letters — set DSOP_CONSUMER_ALTINN_URL")
        return rt.letters

    @case_app.command("letter")
    def letter(
        case_id: str,
        bank: Annotated[str, typer.Option(help="The bank's org.nr (one asked in the case, or any)")],
        document: Annotated[list[str], typer.Option(help="A document the Control API does not carry (repeat)")],
    ) -> None:
        """Ask a bank by digital letter for documents the Control API does not carry ("ytterligere
        opplysninger": signed agreements, documents not available digitally)."""

        async def body(rt: Runtime) -> int:
            from opendsop.consumer.workflows import CasePlan
            from opendsop.standard.identifiers import validate_orgnr

            box = letter_box(rt)
            case = await _recorded(rt, case_id)
            org = validate_orgnr(bank, synthetic_allowed=True)
            if any(known.org_no == org for known in await box.store.letters(case_id)):
                raise _Stop(f"{org} is already asked by letter in case {case_id} — `dsop case letters` shows it")
            wanted = [text.strip() for text in document if text.strip()]
            if not wanted:
                raise _Stop("name at least one document with --document")
            name = next((b.name for b in await rt.store.banks(case_id) if b.org_no == org), "")
            plan = CasePlan(case.service, case.parameters, _plan_of(case.service, case.parameters))
            letters_table(out, await box.send(plan, [(org, name)], case.case_number, documents=wanted))
            return 0

        run(service_of(case_id), body)  # as the agency running the case's service

    @case_app.command("letters")
    def letters(case_id: Annotated[str | None, typer.Argument(help="Only this case's letters")] = None) -> None:
        """Digital letters: pick up the banks' answers from each agency's inbox (attached to their cases),
        remind the banks whose letters are overdue, and list the letters."""

        async def collect(rt: Runtime) -> None:
            done = await letter_box(rt).collect()
            for found in done.answered:
                out.print(f"answered by letter: {found.name or found.org_no} for case {found.case_id}")
            for found in done.reminded:
                out.print(f"reminded: {found.name or found.org_no} (due {found.due}) for case {found.case_id}")
            for problem in done.refused:
                out.print(f"[yellow]not attached:[/yellow] {problem}")

        async def body(rt: Runtime) -> int:
            from opendsop.consumer.letters import SENT

            box = letter_box(rt)
            # each agency has its own inbox: collect as every agency with an open letter (one store for all)
            services = sorted({found.request.service for found in await box.store.letters(case_id, status=SENT)})
            for service in services:
                async with factory(service) as agency:
                    await collect(agency)
            if not services:
                await collect(rt)
            letters_table(out, await box.store.letters(case_id))
            return 0

        run(service_of(case_id) if case_id else None, body)

    @case_app.command("resume")
    def resume(case_id: str) -> None:
        """Ask again what a case is missing (banks not ok/denied, calls not recorded)."""

        async def body(rt: Runtime) -> int:
            from opendsop.consumer.workflows import CasePlan

            case = await _recorded(rt, case_id)
            plan = CasePlan(case.service, case.parameters, _plan_of(case.service, case.parameters))
            return _exit_code(await run_case(rt, out, plan, None, banks=await rt.store.banks(case_id)))

        run(service_of(case_id), body)  # as the agency that runs the case's service

    return app


async def _recorded(rt: Runtime, case_id: str) -> Any:
    case = await rt.store.get(case_id)
    if case is None:
        raise _Stop(f"unknown case {case_id} — give the AccountInfoRequestID a case printed when it ran")
    return case


def flags_table(console: Console, row: Assignment, results: Sequence[BankResult]) -> None:
    from opendsop.consumer.tables import Column, fitted
    from opendsop.consumer.workflows import flags

    found = flags(results, guardian=row.guardian, guardian_accounts=row.guardian_accounts)
    if not found:
        console.print("no flags for the controller")
        return
    columns = (
        Column("Flag", essential=True),
        Column("Bank", drop_order=1),
        Column("Account", essential=True),
        Column("Transaction", essential=True),
        Column("Detail", drop_order=2),
    )
    rows = [[flag.kind.value, flag.bank, flag.account or "", flag.transaction or "", flag.detail] for flag in found]
    console.print(fitted("Flags for the controller", columns, rows, console.width))


def _date(value: str | None, parameter: str) -> date | None:
    if value is None:
        return None
    return parse_date(value, parameter=parameter)


app = build_app()

__all__ = ["RuntimeFactory", "app", "build_app", "flags_table", "run_batch", "run_case"]
