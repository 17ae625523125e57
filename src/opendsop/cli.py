"""The `dsop` command: one entry point that composes each party's own sub-commands."""

from __future__ import annotations

import typer

from opendsop.authority.cli import app as authority_app
from opendsop.certpub.cli import app as certpub_app
from opendsop.consent.cli import app as consent_app
from opendsop.consumer.cli import build_app as build_consumer_app
from opendsop.ecosystem.agencies import runtime_factory as local_agency_runtime
from opendsop.ecosystem.cli import app as ecosystem_app
from opendsop.ecosystem.cli import topology_command, up_command
from opendsop.ecosystem.consent_side import local_samtykke_settings
from opendsop.prosecution.cli import app as prosecution_app
from opendsop.provider.cli import app as provider_app
from opendsop.registers.cli import app as registers_app
from opendsop.relations.cli import app as relations_app
from opendsop.samtykke import cli as samtykke_cli
from opendsop.samtykke.cli import app as samtykke_app
from opendsop.sources.cli import app as sources_app
from opendsop.synth.cli import app as synth_app

app = typer.Typer(no_args_is_help=True, help="opendsop: DSOP rules, parties and a synthetic Norway.")


@app.callback()
def main_options() -> None:
    """opendsop: DSOP rules, parties and a synthetic Norway."""


app.add_typer(build_consumer_app(local_agency_runtime))  # `dsop case …`: the agency's cases (or the local ones)
app.add_typer(authority_app, name="authority", help="The token service (a local Maskinporten).")
app.add_typer(certpub_app, name="certpub", help="The encryption-certificate directory (CertPub).")
app.add_typer(prosecution_app, name="eo", help="Extradition orders signed by påtalemyndigheten.")
app.add_typer(provider_app, name="provider", help="A bank's DSOP Control API (the provider).")
app.add_typer(relations_app, name="relations", help="Customer Relations Overview (KAR + KFR), API catalogue.")
app.add_typer(registers_app, name="registers", help="Folkeregisteret, Konkursregisteret and Enhetsregisteret.")
app.add_typer(consent_app, name="consent", help="The Altinn-style consent service and approval pages.")
samtykke_cli.local_settings = local_samtykke_settings  # `dsop samtykke …`: the configured consumer (or the local bank)
app.add_typer(samtykke_app, name="samtykke", help="A bank's or insurer's consent-based flows (SBL, studielån, SSU).")
app.add_typer(ecosystem_app, name="ecosystem", help="Load the synthetic Norway into every party's store.")
synth_app.command("topology")(topology_command)
app.command("up")(up_command)
app.add_typer(synth_app, name="synth", help="Generate a synthetic Norway (persons, banks, accounts, transactions).")
app.add_typer(sources_app, name="sources", help="Consent-based data sources (Skatteetaten, Lånekassen, NAV).")


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
    app()
