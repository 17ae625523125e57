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


def main() -> None:  # pragma: no cover - console entry
    app()
