"""``dsop provider`` — run a bank's DSOP Control API, or print its OpenAPI document.

* ``serve --bank ORGNO`` — the Control API of bank ORGNO (other settings from ``DSOP_PROVIDER_*``,
  see settings.py), JSON log lines on stderr, Prometheus metrics on ``/metrics``;
* ``openapi`` — the OpenAPI document the bank serves on ``/v2/openapi.json``;
* ``poll-konkurs --bank ORGNO [--loop] [--interval S]`` — read the Konkursvarsel feed from the
  stored cursor into the bank's database and act on it (feeds.py; DSOP Konkurs “Løsningsbeskrivelse”): once,
  or until interrupted (``--loop``; by default only in Brreg's refresh window, working days 08–16);
* ``import --bank ORGNO FILE…`` — the bank's own data (the bundle of docs/import-bundle.md and
  camt.053 statements) into its database: all checked, then one transaction; every problem is one
  line naming file, line and fix, and the exit status is 2 with the store unchanged;
* ``reset --bank ORGNO`` — empty the bank's database (test mode only).

Every failure of these commands is one line on stderr; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError

from opendsop.provider.settings import ProviderSettings

app = typer.Typer(no_args_is_help=True, help="A bank's DSOP Control API (Kontrollinformasjon v2).")


def _settings(bank: str, **overrides: Any) -> ProviderSettings:
    try:
        return ProviderSettings(bank_orgno=bank, **{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        messages = "; ".join(f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors())
        raise typer.BadParameter(messages) from exc


@app.command()
def serve(
    bank: Annotated[str, typer.Option("--bank", help="The bank's organisation number (9 digits).")],
    host: Annotated[str | None, typer.Option(help="Listen address (default DSOP_PROVIDER_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (default DSOP_PROVIDER_PORT).")] = None,
    base_url: Annotated[str | None, typer.Option(help="Registered base URL, the tokens' aud.")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, max=256, help="Processes serving (default DSOP_PROVIDER_WORKERS).")
    ] = None,
) -> None:
    """Run the Control API of one bank (in --workers processes sharing one port)."""
    from opendsop.provider.app import create_app
    from opendsop.server import Factory, run
    from opendsop.serving import configure_logging

    settings = _settings(bank, base_url=base_url, workers=workers)
    configure_logging(settings.log_level)
    if settings.redis_url:
        from opendsop.contracts.state import check_reachable

        if (problem := check_reachable(settings.redis_url)) is not None:
            _fail(f"{problem} — start it, or unset DSOP_PROVIDER_REDIS_URL (each worker then limits to its share)")
    if settings.workers > 1:
        settings = _shared_secrets(settings)
    try:
        app = create_app(settings) if settings.workers == 1 else Factory(create_app, settings)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    run(app, host=host or settings.host, port=port or settings.port, log_config=None, workers=settings.workers)


def _shared_secrets(settings: ProviderSettings) -> ProviderSettings:
    """In test, one random paging key and reference secret for all workers (production requires them set):
    a continuation token or accountReference issued by one worker must be understood by the next."""
    import secrets

    drawn = {
        name: secrets.token_urlsafe(32)
        for name in ("paging_key", "reference_secret")
        if getattr(settings, name) is None
    }
    return ProviderSettings.model_validate({**settings.model_dump(), **drawn}) if drawn else settings


@app.command()
def openapi(
    bank: Annotated[str, typer.Option("--bank", help="The bank's organisation number (9 digits).")] = "910000001",
    base_url: Annotated[str | None, typer.Option(help="Server URL to put in the document.")] = None,
) -> None:
    """Print the bank's OpenAPI document (JSON)."""
    from opendsop.provider.openapi import build_document

    settings = _settings(bank, base_url=base_url)
    typer.echo(
        json.dumps(build_document(settings.base_url, bank_name=settings.bank_name), indent=2, ensure_ascii=False)
    )


@app.command("poll-konkurs")
def poll_konkurs(
    bank: Annotated[str, typer.Option("--bank", help="The bank's organisation number (9 digits).")],
    loop: Annotated[bool, typer.Option("--loop", help="Keep polling until interrupted.")] = False,
    interval: Annotated[float | None, typer.Option(help="Seconds between polls (default KONKURS_INTERVAL).")] = None,
    around_the_clock: Annotated[
        bool, typer.Option("--around-the-clock", help="With --loop: poll outside the working-day refresh window too.")
    ] = False,
    registers_url: Annotated[str | None, typer.Option(help="Konkursvarsel base URL (default REGISTERS_URL).")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an unexpected failure.")] = False,
) -> None:
    """Poll the Konkursvarsel feed: block accounts on aapning, reopen on sletting (one run, or --loop)."""
    import asyncio

    from opendsop.serving import configure_logging

    settings = _settings(bank, registers_url=registers_url, konkurs_interval=interval)
    if settings.registers_url is None:
        raise typer.BadParameter("set --registers-url or DSOP_PROVIDER_REGISTERS_URL to poll the Konkursvarsel feed")
    configure_logging(settings.log_level)
    try:
        asyncio.run(_poll(settings, loop=loop, working_hours_only=not around_the_clock))
    except KeyboardInterrupt:  # --loop ends with Ctrl-C
        pass
    except Exception as error:  # noqa: BLE001  (one line, or the traceback with --debug)
        _one_line(error, debug)


BAD_INPUT = 2  # the exit status of refused input (as click's usage errors)


def _store_settings(bank: str, database_url: str | None) -> Any:
    from opendsop.provider.settings import StoreSettings

    overrides: dict[str, Any] = {"database_url": database_url} if database_url else {}
    try:
        return StoreSettings(bank_orgno=bank, **overrides)
    except ValidationError as exc:
        _fail("; ".join(str(error["msg"]).removeprefix("Value error, ") for error in exc.errors()))


def _fail(message: str, status: int = BAD_INPUT) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(status)


def _quiet_logs() -> None:
    """Warnings only (as JSON lines on this run's stderr): a command's output is its own lines, not
    the migration's progress."""
    from opendsop.serving import configure_logging

    configure_logging("WARNING")


def _one_line(error: BaseException, debug: bool) -> NoReturn:
    """A failure as one line (the traceback only with --debug)."""
    if debug:
        raise error
    text = " ".join(str(error).split()) or type(error).__name__
    _fail(f"{type(error).__name__}: {text}"[:500], 1)


@app.command("import")
def import_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Bundle files (parties|accounts|roles|balances|cards|"
            "transactions .jsonl/.csv) and camt.053 statements (.xml)."
        ),
    ],
    bank: Annotated[str, typer.Option("--bank", help="The bank's organisation number (9 digits).")],
    database_url: Annotated[str | None, typer.Option(help="Database URL (default DSOP_PROVIDER_DATABASE_URL).")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an unexpected failure.")] = False,
) -> None:
    """Import the bank's own data: checked line by line, then written in one transaction (idempotent)."""
    import asyncio

    from opendsop.provider.imports import ImportRefused

    settings = _store_settings(bank, database_url)
    _quiet_logs()
    try:
        report = asyncio.run(_import(settings.sql_url, bank, files))
    except ImportRefused as refused:
        for problem in refused.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"nothing imported: {len(refused.problems)} problem(s); the store is unchanged", err=True)
        raise typer.Exit(BAD_INPUT) from None
    except Exception as error:  # noqa: BLE001  (one line, or the traceback with --debug)
        _one_line(error, debug)
    counts = report.counts
    typer.echo(
        f"imported {report.files} file(s) into bank {bank}: {counts.parties} parties, {counts.accounts} "
        f"accounts, {counts.relations} roles, {counts.balances} balances, {counts.cards} cards, "
        f"{counts.transactions} transactions (merged by key: importing them again changes nothing)"
    )


async def _import(url: str, bank: str, files: list[Path]) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    from opendsop.provider.imports import import_files
    from opendsop.provider.store.sql import SqlBankStore

    store = await SqlBankStore.open(url)  # migrates to the current schema; no reference secret needed
    try:
        console = Console(stderr=True)
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        ) as progress:
            task = progress.add_task(f"import into {bank}", total=None)
            return await import_files(
                store,
                bank,
                files,
                progress=lambda size: progress.update(task, advance=size),
                on_total=lambda total: progress.update(task, total=total),
            )
    finally:
        await store.close()


@app.command()
def reset(
    bank: Annotated[str, typer.Option("--bank", help="The bank's organisation number (9 digits).")],
    database_url: Annotated[str | None, typer.Option(help="Database URL (default DSOP_PROVIDER_DATABASE_URL).")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an unexpected failure.")] = False,
) -> None:
    """Empty the bank's database (every account, party, transaction and issued reference); test mode only."""
    import asyncio

    settings = _store_settings(bank, database_url)
    if settings.environment == "production":
        _fail(
            "reset is refused in production mode: it would delete the bank's data (set "
            "DSOP_PROVIDER_ENVIRONMENT=test for a test bank)"
        )
    _quiet_logs()
    try:
        asyncio.run(_reset(settings.sql_url))
    except Exception as error:  # noqa: BLE001  (one line, or the traceback with --debug)
        _one_line(error, debug)
    typer.echo(f"bank {bank}: store emptied")


async def _reset(url: str) -> None:
    from opendsop.provider.store.sql import SqlBankStore

    store = await SqlBankStore.open(url)
    try:
        await store.reset()
    finally:
        await store.close()


async def _poll(settings: ProviderSettings, *, loop: bool, working_hours_only: bool) -> None:
    from datetime import timedelta

    from opendsop.provider import wiring
    from opendsop.provider.feeds import KonkursFeed
    from opendsop.provider.store.sql import SqlBankStore

    resources = wiring.Resources(settings, clock=_utc_now)
    store = await SqlBankStore.open(
        settings.sql_url, reference_secret=wiring.reference_secret(settings), servicer=wiring.servicer(settings)
    )
    try:
        register = wiring.konkurs_register(settings, resources)
        assert register is not None  # checked by the command
        feed = KonkursFeed(store, register, lookback=timedelta(days=settings.konkurs_lookback_days))
        if loop:
            await feed.run(interval=settings.konkurs_interval, working_hours_only=working_hours_only)
            return
        report = await feed.poll()
        cursor = report.cursor.isoformat() if report.cursor else "-"
        typer.echo(
            f"read {report.read}, applied {report.applied}, duplicates {report.duplicates}, "
            f"blocked {report.blocked}, reopened {report.reopened}, cursor {cursor}"
        )
    finally:
        await resources.close()
        await store.close()


def _utc_now() -> Any:
    from opendsop.clock import utc_now

    return utc_now()


__all__ = ["app"]
