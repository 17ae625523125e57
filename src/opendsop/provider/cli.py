"""``dsop provider`` — run a bank's DSOP Control API, or print its OpenAPI document.

* ``serve --bank ORGNO`` — the Control API of bank ORGNO (other settings from ``DSOP_PROVIDER_*``,
  see settings.py), JSON log lines on stderr, Prometheus metrics on ``/metrics``;
* ``openapi`` — the OpenAPI document the bank serves on ``/v2/openapi.json``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

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
) -> None:
    """Run the Control API of one bank."""
    import uvicorn

    from opendsop.provider.app import create_app
    from opendsop.serving import configure_logging

    settings = _settings(bank, base_url=base_url)
    configure_logging(settings.log_level)
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port, log_config=None)


@app.command()
def openapi(
    bank: Annotated[str, typer.Option("--bank", help="The bank's organisation number (9 digits).")] = "910000001",
    base_url: Annotated[str | None, typer.Option(help="Server URL to put in the document.")] = None,
) -> None:
    """Print the bank's OpenAPI document (JSON)."""
    from opendsop.provider.openapi import build_document

    settings = _settings(bank, base_url=base_url)
    typer.echo(json.dumps(build_document(settings.base_url, bank_name=settings.bank_name), indent=2,
                          ensure_ascii=False))


__all__ = ["app"]
