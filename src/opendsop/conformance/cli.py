# SPDX-License-Identifier: Apache-2.0
"""``dsop conformance bank``: start the kit's trust parties, tell the bank what to trust and what to
import, then run every check against it and write the reports.

    dsop conformance bank --base-url http://127.0.0.1:8100/v2 --orgno 910000001 [--services skatt,nav]
        [--report-dir DIR] [--resume] [--contract-dir DIR] [--wait SECONDS]

The exit status is 0 when every check passed (or was skipped), 1 when one failed or erred, 2 for a
usage error.  Every failure of the command itself is one line (``error: … — fix``).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(no_args_is_help=True, help="Prove a bank's Control API against the DSOP standard.")


@app.callback()
def _group() -> None:
    """Prove a bank's Control API (``bank``) against the DSOP standard."""


@app.command()
def bank(
    base_url: Annotated[str, typer.Option("--base-url", help="The bank's registered base URL (ends in /v2).")],
    orgno: Annotated[str, typer.Option("--orgno", help="The bank's organisation number.")],
    version: Annotated[str, typer.Option(help="Control API version: v2, or v1 (sent to the sibling /v1).")] = "v2",
    services: Annotated[str | None, typer.Option(help="Comma-separated services (default: all six).")] = None,
    report_dir: Annotated[Path, typer.Option(help="Where reports, the bundle and the kit's keys go.")] = Path(
        "conformance-report"
    ),
    resume: Annotated[bool, typer.Option(help="Skip the checks an interrupted run settled.")] = False,
    contract_dir: Annotated[Path | None, typer.Option(help="Directory holding Bank_v2.yaml.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each answer.")] = 10.0,
    kit_port: Annotated[int, typer.Option(help="First of the kit's three loopback ports.")] = 8191,
    wait: Annotated[float, typer.Option(help="Seconds to wait for the bank to answer before the checks.")] = 0.0,
    rate: Annotated[bool, typer.Option(help="Run the rate-limit check (a burst of requests).")] = True,
) -> None:
    """Run every check against the bank at --base-url."""
    from opendsop.conformance.checks import BANK_SERVICES, V1_SERVICES

    if version not in ("v2", "v1"):
        raise typer.BadParameter("the Control API versions are v2 and v1", param_hint="--version")
    known = BANK_SERVICES if version == "v2" else V1_SERVICES
    chosen = tuple(s.strip() for s in services.split(",") if s.strip()) if services else known
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise typer.BadParameter(f"unknown {version} service(s) {', '.join(unknown)}; known: {', '.join(known)}")
    if not base_url.startswith(("http://", "https://")):
        raise typer.BadParameter("the base URL must be absolute (http://… or https://…)", param_hint="--base-url")
    code = asyncio.run(
        _run(
            base_url.rstrip("/"),
            orgno,
            chosen,
            report_dir,
            resume,
            contract_dir,
            timeout,
            kit_port,
            wait,
            rate,
            version,
        )
    )
    raise typer.Exit(code)


async def _run(
    base_url: str,
    orgno: str,
    services: tuple[str, ...],
    report_dir: Path,
    resume: bool,
    contract_dir: Path | None,
    timeout: float,
    kit_port: int,
    wait: float,
    rate: bool,
    version: str = "v2",
) -> int:
    import httpx
    from rich.console import Console

    from opendsop.clock import oslo_today, utc_now
    from opendsop.conformance import runner
    from opendsop.conformance.checks import derive
    from opendsop.conformance.context import Context
    from opendsop.conformance.model import Outcome
    from opendsop.conformance.parties import bank_settings, registers_token, serve_parties
    from opendsop.conformance.report import summary, write_reports
    from opendsop.conformance.schema import find_contract
    from opendsop.conformance.trust import KitTrust
    from opendsop.conformance.world import build_world

    console = Console(stderr=False)
    for noisy in ("httpx", "opendsop.registers", "opendsop.certpub", "uvicorn"):  # the kit's parties log quietly
        logging.getLogger(noisy).setLevel(logging.WARNING)
    kit_dir = report_dir / "kit"
    kit_dir.mkdir(parents=True, exist_ok=True)
    trust = KitTrust.load(kit_dir)
    if trust is None:
        trust = KitTrust.create(f"http://127.0.0.1:{kit_port}/", now=utc_now())
        trust.save(kit_dir)
    world = build_world(oslo_today(), orgno)
    bundle = world.write_bundle(report_dir / "bundle")
    pems = trust.write_pems(kit_dir)
    contract = find_contract(version, contract_dir)
    # The token's audience is the registered base URL for both versions; v1 is served beside it.
    api_url = base_url if version == "v2" else base_url.removesuffix("/v2") + "/v1"
    async with serve_parties(world, trust, kit_dir, base_port=kit_port) as urls:
        trust.issuer = urls.issuer
        settings = bank_settings(urls, pems, registers_token=registers_token(trust, orgno, urls))
        settings["DSOP_PROVIDER_BASE_URL"] = base_url
        settings["DSOP_PROVIDER_BANK_NAME"] = "Kontrollbanken"  # servicer.name: a field the services receive
        (report_dir / "bank.env").write_text("".join(f"{k}='{v}'\n" for k, v in settings.items()), encoding="utf-8")
        console.print(f"[bold]The bank must trust[/bold] (also in {report_dir / 'bank.env'}):")
        for name, value in settings.items():
            console.print(f"  {name}={'…' if name.endswith('REGISTERS_TOKEN') else value}", soft_wrap=True)
        console.print(
            f"[bold]and hold the test data:[/bold] dsop provider import --bank {orgno} " + " ".join(map(str, bundle)),
            soft_wrap=True,
        )
        if contract is None:
            console.print(
                f"[yellow]Bank_{version}.yaml not found: the schema checks are skipped (--contract-dir)[/yellow]"
            )
        async with httpx.AsyncClient(base_url=api_url, timeout=timeout) as client:
            await _wait_for(client, wait)
            ctx = Context(client, world, trust, base_url, utc_now, services, timeout=timeout, version=version)
            checks = derive(services, version=version, contract=contract, rate=rate)
            marks = {
                Outcome.PASSED: "[green].[/green]",
                Outcome.FAILED: "[red]F[/red]",
                Outcome.ERROR: "[yellow]E[/yellow]",
                Outcome.SKIPPED: "s",
            }
            done = [0]

            def progress(check: object, result: object) -> None:
                done[0] += 1
                console.print(marks[result.outcome], end="" if done[0] % 80 else "\n")  # type: ignore[attr-defined]

            results = await runner.run(checks, ctx, state=report_dir / "state.jsonl", resume=resume, progress=progress)
    console.print()
    meta = {
        "target": api_url,
        "version": version,
        "bank": orgno,
        "services": ",".join(services),
        "today": world.today.isoformat(),
    }
    paths = write_reports(report_dir, results, meta)
    for result in results:
        if result.outcome in (Outcome.FAILED, Outcome.ERROR):
            console.print(
                f"[red]{result.outcome.value}[/red] {result.id} ({result.rule}): {result.message}", soft_wrap=True
            )
    total = summary(results)
    for service, counts in total["services"].items():
        console.print(f"  {service:10} " + "  ".join(f"{name} {count}" for name, count in sorted(counts.items())))
    console.print(
        f"[bold]{total['passed']}/{total['total']} passed[/bold], {total['failed']} failed, {total['error']} errors, "
        f"{total['skipped']} skipped — reports: {', '.join(str(p) for p in paths.values())}",
        soft_wrap=True,
    )
    return 1 if total["failed"] or total["error"] else 0


async def _wait_for(client: object, seconds: float) -> None:
    """Give a bank that is still starting ``seconds`` to answer anything at all."""
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        try:
            await client.get("/accounts")
            return
        except httpx.HTTPError:
            if loop.time() >= deadline:
                return  # every check will report the bank unreachable
            await asyncio.sleep(0.5)


@app.command()
def agency(
    port: Annotated[int, typer.Option(help="Where the mock bank listens (loopback).")] = 8194,
    duration: Annotated[float, typer.Option(help="Seconds to serve (0: until Ctrl-C).")] = 0.0,
    report_dir: Annotated[Path, typer.Option(help="Where the reports go.")] = Path("conformance-agency-report"),
    throttle_every: Annotated[int, typer.Option(help="Answer every n-th request 429 (0: never).")] = 5,
    agency_cert: Annotated[
        list[str] | None,
        typer.Option(
            help="ORGNO=PEM: the agency's encryption certificate; its Accept: application/jose is then a JWE."
        ),
    ] = None,
) -> None:
    """Serve a mock bank for an agency's client and judge every request it sends."""
    from opendsop.trust.pki import certificate_from_pem

    certificates: dict[str, Any] = {}
    for item in agency_cert or ():
        orgno, _, path = item.partition("=")
        try:
            certificates[orgno.strip()] = certificate_from_pem(Path(path).read_bytes())
        except (OSError, ValueError) as error:
            raise typer.BadParameter(f"{item}: {error}", param_hint="--agency-cert") from None
    code = asyncio.run(_agency(port, duration, report_dir, throttle_every, certificates))
    raise typer.Exit(code)


async def _agency(
    port: int, duration: float, report_dir: Path, throttle_every: int, certificates: dict[str, Any] | None = None
) -> int:
    import contextlib

    import uvicorn
    from rich.console import Console

    from opendsop.clock import oslo_today, utc_now
    from opendsop.conformance.agency import Inspector
    from opendsop.conformance.report import summary, write_reports
    from opendsop.conformance.world import build_world
    from opendsop.server import config as server_config

    console = Console()
    base = f"http://127.0.0.1:{port}/v2"
    world = build_world(oslo_today(), "910000001")
    inspector = Inspector(world, base, utc_now, throttle_every=throttle_every, certificates=dict(certificates or {}))
    console.print(f"[bold]Mock bank[/bold] {base} (token audience) — point the agency's client at it.")
    console.print(
        f"[bold]Mock relations hub[/bold] {inspector.hub_url}/customers/customerRelationships "
        f"(audience {inspector.hub_url})"
    )
    for role, party in world.parties.items():
        console.print(f"  {role:9} {party}")
    server = uvicorn.Server(server_config(inspector, host="127.0.0.1", port=port, access_log=False))
    with contextlib.suppress(asyncio.CancelledError, KeyboardInterrupt):
        if duration > 0:
            serving = asyncio.create_task(server.serve())
            await asyncio.sleep(duration)
            server.should_exit = True
            await serving
        else:
            await server.serve()
    results = inspector.results()
    paths = write_reports(report_dir, results, {"target": "agency client", "mock bank": base})
    for result in results:
        console.print(f"{result.outcome.value:8} {result.id}: {result.message}", soft_wrap=True)
    total = summary(results)
    console.print(f"{total['passed']}/{total['total']} rules passed — reports: {', '.join(map(str, paths.values()))}")
    return 1 if total["failed"] else 0
