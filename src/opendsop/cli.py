"""The `dsop` command: one entry point that composes each party's own sub-commands."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="opendsop: DSOP rules, parties and a synthetic Norway.")


@app.callback()
def main_options() -> None:
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
    from rich.table import Table

    table = Table(title="DSOP services")
    for column in rules_table.COLUMNS:
        table.add_column(column)
    for row in rules_table.rows():
        table.add_row(*row)
    Console().print(table)


def main() -> None:  # pragma: no cover - console entry
    app()
