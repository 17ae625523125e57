"""The `dsop` command: one entry point that composes each party's own sub-commands.

Fast to start: a party's commands (and with them its web framework, database drivers and HTTP
clients) are imported only when one of them runs or shows its help; ``dsop --help`` lists them from
the one-line descriptions below.  Every command's expected failures end in one line
``error: <what> — <fix>`` with exit code 2 (``opendsop.cli_errors``; ``dsop --debug …`` shows the
traceback), Ctrl-C in one line saying how to resume, exit code 130.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer import _click as click  # typer's own copy of click, which its groups and commands are made of
from typer.core import TyperCommand, TyperGroup

from opendsop.cli_errors import handled

if TYPE_CHECKING:
    from opendsop.consumer.workflows.runtime import Runtime


def _typer_app(module: str, attr: str = "app") -> click.Command:
    return typer.main.get_command(getattr(importlib.import_module(module), attr))


def _agency_runtime(service: str | None, topology: Path | None) -> AbstractAsyncContextManager[Runtime]:
    from opendsop.ecosystem.agencies import runtime_factory  # the store and HTTP clients: when a case runs

    return runtime_factory(service, topology)


def _case() -> click.Command:
    from opendsop.consumer.cli import build_app

    chosen: list[Path | None] = [None]

    def case_options(
        topology: Annotated[
            Path | None,
            typer.Option(
                "--topology",
                help="The ecosystem's ecosystem.toml (default: $DSOP_ECOSYSTEM, else the nearest var/ecosystem.toml)",
            ),
        ] = None,
    ) -> None:
        chosen[0] = topology

    app = build_app(lambda service: _agency_runtime(service, chosen[0]), case_options=case_options)
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    return group.commands["case"]


def _up() -> click.Command:
    from opendsop.ecosystem.cli import up_command

    single = typer.Typer()
    single.command("up")(up_command)
    return typer.main.get_command(single)


def _synth() -> click.Command:
    from opendsop.ecosystem.cli import topology_command
    from opendsop.synth.cli import app as synth_app

    if not any(info.name == "topology" for info in synth_app.registered_commands):
        synth_app.command("topology")(topology_command)
    return typer.main.get_command(synth_app)


def _local_samtykke_settings() -> Any:
    from opendsop.ecosystem.consent_side import local_samtykke_settings  # its HTTP client: when a command runs

    return local_samtykke_settings()


def _samtykke() -> click.Command:
    from opendsop.samtykke import cli as samtykke_cli

    samtykke_cli.local_settings = _local_samtykke_settings  # the configured consumer (or the local bank)
    return typer.main.get_command(samtykke_cli.app)


def _local_backoffice_settings(*, without_api: bool = False) -> Any:
    from opendsop.ecosystem.message_side import local_backoffice_settings  # the topology: when a command runs

    return local_backoffice_settings(without_api=without_api)


def _guarantee() -> click.Command:
    from opendsop.backoffice import guarantee_cli

    guarantee_cli.local_settings = _local_backoffice_settings  # the configured bank (or the local ecosystem's)
    return typer.main.get_command(guarantee_cli.app)


def _local_pension_settings(institution: str) -> Any:
    from opendsop.ecosystem.pension_side import local_pension_settings  # its HTTP client: when a command runs

    return local_pension_settings(institution)


def _otp() -> click.Command:
    from opendsop.pension.cli import build_app

    return typer.main.get_command(build_app(_local_pension_settings))


def _bank() -> click.Command:
    from opendsop.backoffice import guarantee_cli, letters_cli

    # the configured bank, or the local ecosystem's bank that agencies write to (it has no Control API)
    guarantee_cli.local_settings = lambda: _local_backoffice_settings(without_api=True)
    return typer.main.get_command(letters_cli.app)


def _party(module: str) -> Callable[[], click.Command]:
    return lambda: _typer_app(module)


# name → (its line in `dsop --help`, how to build it): built only when it runs or shows its own help
LAZY: dict[str, tuple[str, Callable[[], click.Command]]] = {
    "case": ("Run, show, export and resume cases (the agency side of DSOP).", _case),
    "authority": ("The token service (a local Maskinporten).", _party("opendsop.authority.cli")),
    "certpub": ("The encryption-certificate directory (CertPub).", _party("opendsop.certpub.cli")),
    "eo": ("Extradition orders signed by påtalemyndigheten.", _party("opendsop.prosecution.cli")),
    "provider": ("A bank's DSOP Control API (the provider).", _party("opendsop.provider.cli")),
    "relations": ("Customer Relations Overview (KAR + KFR), API catalogue.", _party("opendsop.relations.cli")),
    "registers": ("Folkeregisteret, Konkursregisteret and Enhetsregisteret.", _party("opendsop.registers.cli")),
    "consent": ("The Altinn-style consent service and approval pages.", _party("opendsop.consent.cli")),
    "samtykke": ("A bank's or insurer's consent-based flows (SBL, studielån, SSU).", _samtykke),
    "ecosystem": ("Load the synthetic Norway into every party's store.", _party("opendsop.ecosystem.cli")),
    "up": ("Start every party of the local ecosystem on loopback ports (Ctrl-C stops them all).", _up),
    "synth": ("Generate a synthetic Norway (persons, banks, accounts, transactions).", _synth),
    "bank": ("A bank's operations: digital letters from agencies (list, show, answer).", _bank),
    "guarantee": ("A bank's transport licence guarantees at Statens vegvesen (as guarantor).", _guarantee),
    "conformance": (
        "Prove a bank's Control API against the standard (checks, reports).",
        _party("opendsop.conformance.cli"),
    ),
    "sources": ("Consent-based data sources (Skatteetaten, Lånekassen, NAV).", _party("opendsop.sources.cli")),
    "ui": ("Screenshots of every actor's pages of a running `dsop up`.", _party("opendsop.ecosystem.screenshots")),
    "otp": ("A pension institution's Ajourhold av OTP (sync an employer's months).", _otp),
    "altinn": (
        "The message platform: correspondence, broker, events (Altinn 3 shaped).",
        _party("opendsop.altinn.cli"),
    ),
    "audit": (
        "A party's verifiable audit log: show, verify, checkpoint, export, purge.",
        _party("opendsop.ecosystem.audit_cli"),
    ),
    "dsve": ("Digital eiendomshandel (DSVE) and company founding.", _party("opendsop.ecosystem.dsve_cli")),
    "fraud": ("Fraud cooperation: recalls between banks, report confirmation.", _party("opendsop.ecosystem.fraud_cli")),
}


class _Placeholder(TyperCommand):
    """A party's command as `dsop --help` lists it, before its module is imported."""


class DsopGroup(TyperGroup):
    """The root group: lazy party commands, and one line for every expected failure."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        lazy = {name: _Placeholder(name, help=text, short_help=text) for name, (text, _) in LAZY.items()}
        self.commands = {**lazy, **self.commands}
        self._loaded: dict[str, click.Command] = {}

    def real_command(self, name: str) -> click.Command:
        if name not in self._loaded:
            command = LAZY[name][1]()
            command.name = name
            _plain_help(command)
            self._loaded[name] = command
        return self._loaded[name]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if isinstance(command, _Placeholder) and ctx.resilient_parsing:  # shell completion looks inside
            return self.real_command(cmd_name)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name is not None and isinstance(command, _Placeholder):
            command = self.real_command(name)
        return name, command, rest

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (Exception, KeyboardInterrupt) as error:
            code = handled(error)
            if code is None:
                raise
            raise typer.Exit(code) from None


def _plain_help(command: click.Command) -> None:
    """Click's own help formatting for ``command`` and its sub-commands, as the root has (and as the index holds)."""
    if isinstance(command, TyperCommand | TyperGroup):
        command.rich_markup_mode = None
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            _plain_help(sub)


def _help_texts(command: click.Command, ctx: click.Context, into: dict[str, str]) -> None:
    into[" ".join(ctx.command_path.split()[1:])] = command.get_help(ctx) + "\n"
    if isinstance(command, TyperGroup):
        for name, sub in sorted(command.commands.items()):
            if not sub.hidden:
                _help_texts(sub, click.Context(sub, info_name=name, parent=ctx), into)


def write_help_index(path: Path, fingerprint: str, width: int) -> Path:
    """Write every command's ``--help`` (at ``width``) to ``path`` for ``opendsop.entry`` to print from."""
    import json

    from opendsop.files import write_private

    root = typer.main.get_command(app)
    assert isinstance(root, DsopGroup)
    _plain_help(root)
    context = click.Context(root, info_name="dsop", max_content_width=80, terminal_width=width)
    texts = {"": root.get_help(context) + "\n"}  # the root lists the one-line descriptions, not the loaded commands
    for name in LAZY:
        root.commands[name] = root.real_command(name)
    for name, command in sorted(root.commands.items()):
        if not command.hidden:
            _help_texts(command, click.Context(command, info_name=name, parent=context), texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, json.dumps({"fingerprint": fingerprint, "width": width, "commands": texts}, sort_keys=True))
    return path


# plain help everywhere (rich's help formatter alone costs more than the rest of the start)
app = typer.Typer(
    cls=DsopGroup,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="opendsop: DSOP rules, parties and a synthetic Norway.",
)


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of a failure")] = False,
) -> None:
    """opendsop: DSOP rules, parties and a synthetic Norway."""


@app.command()
def demo() -> None:
    """Run the demonstration (until the ecosystem exists: the rules core deciding real requests)."""
    from opendsop.demo import run

    run()


@app.command()
def rules(markdown: bool = typer.Option(False, "--markdown", help="Print the matrix as Markdown.")) -> None:
    """Print the service matrix the rules core enforces (generated from the service profiles)."""
    from opendsop import rules_table

    if markdown:
        typer.echo(rules_table.markdown(), nl=False)
        return
    from rich.console import Console

    console = Console()
    console.print(rules_table.rich_table(console.width))


def main() -> None:  # pragma: no cover - console entry
    try:
        app()
    except SystemExit as stop:
        if stop.code != 130:
            raise
        # Ctrl-C: the command has recorded what it must and said how to carry on.  Leave now, without the
        # interpreter's exit handlers: those of a process pool whose workers were just stopped race with its
        # own management thread on Python 3.11 and print tracebacks (or hang) after the one line.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
