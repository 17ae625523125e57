"""``dsop sources`` — run a consent-based data source, or look at its synthetic data.

* ``serve SOURCE`` — SOURCE is skatteetaten, lanekassen, nav or krav (settings from
  ``DSOP_SOURCES_*``, see settings.py); one line per log record on stderr, person numbers masked;
* ``people`` / ``organisations`` — list the synthetic persons (fnr, latest tax year, Lånekassen
  customer or not) and organisations the sources serve for the configured seed, so a tester knows
  whom to ask a consent from (the synthetic world of ``DSOP_SOURCES_PRESET``/``SEED``, as ``dsop up``
  serves it).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from pydantic import ValidationError

from opendsop.sources.settings import SourcesSettings

app = typer.Typer(no_args_is_help=True, help="Consent-based data sources: Skatteetaten, Lånekassen, NAV, Krav.")


def _settings(**overrides: Any) -> SourcesSettings:
    try:
        return SourcesSettings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        messages = "; ".join(f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors())
        raise typer.BadParameter(messages) from exc


@app.command()
def serve(
    source: Annotated[str, typer.Argument(help="skatteetaten | lanekassen | nav | krav")],
    host: Annotated[str | None, typer.Option(help="Listen address (default DSOP_SOURCES_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (default DSOP_SOURCES_PORT).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=256, help="Processes serving on the one port.")] = 1,
    seed: Annotated[int | None, typer.Option(help="Synthetic data seed (default DSOP_SOURCES_SEED).")] = None,
) -> None:
    """Run one data source."""
    from opendsop.server import Factory, run
    from opendsop.serving import configure_logging
    from opendsop.sources.service import SOURCES, create_app

    if source not in SOURCES:
        raise typer.BadParameter(f"SOURCE must be one of {', '.join(SOURCES)}, not {source!r}")
    settings = _settings(seed=seed)
    configure_logging()
    run(
        Factory(create_app, source, settings) if workers > 1 else create_app(source, settings),
        workers=workers,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
    )


@app.command()
def people(seed: Annotated[int | None, typer.Option(help="Synthetic data seed.")] = None) -> None:
    """List the synthetic persons: fnr, latest available tax year, loan sub-accounts, AAP/uføre decisions."""
    from opendsop.sources.service import world_data

    world = world_data(_settings(seed=seed))
    for person in world.persons.values():
        loan = "-" if person.loan is None else str(len(person.loan))
        typer.echo(
            f"{person.fnr}  tax year {person.latest_tax_year}  loan accounts {loan}  "
            f"aap {len(person.aap_vedtak)}  ufore {len(person.ufore_vedtak)}"
        )


@app.command()
def organisations(seed: Annotated[int | None, typer.Option(help="Synthetic data seed.")] = None) -> None:
    """List the synthetic organisations: orgnr, name, number of claims and payments."""
    from opendsop.sources.service import world_data

    world = world_data(_settings(seed=seed))
    for org in world.organisations.values():
        typer.echo(f"{org.orgnr}  {org.name}  krav {len(org.krav)}  innbetalinger {len(org.innbetalinger)}")


__all__ = ["app"]
