"""``dsop eo`` — issue an extradition order with the local prosecution credential, or serve the app.

``issue`` signs locally with the credential in ``DSOP_PROSECUTION_KEY_DIR`` (created on first use
in test, see keystore.py) and prints the JWS, ready for the ``AdditionalReferenceID`` header::

    dsop eo issue --party-id 15108695088 --mandate straffesak --from 2020-01-01 --to 2025-02-28 \\
        --grant accountDetails,transactions --only-primary-owner \\
        --district "1:Oslo politidistrikt" --approved-by "pa-4711:Kari Nordmann"
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from opendsop.clock import utc_now
from opendsop.prosecution.settings import ProsecutionSettings
from opendsop.standard.errors import DsopError

app = typer.Typer(no_args_is_help=True, help="Påtalemyndigheten stand-in: sign extradition orders (EO).")

GRANTABLE = ("accountDetails", "transactions", "cards", "roles")


def _pair(value: str, option: str) -> tuple[str, str]:
    """``"ID:Label"`` → (ID, Label); a value without a colon is used for both."""
    ident, sep, label = value.partition(":")
    ident, label = ident.strip(), label.strip()
    if not ident or (sep and not label):
        raise typer.BadParameter(f"{option} must look like 'ID:Name', got {value!r}")
    return ident, label or ident


def _grants(value: str) -> dict[str, bool]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in GRANTABLE and name != "accountList"]
    if unknown:
        raise typer.BadParameter(f"--grant knows {', '.join(GRANTABLE)}; not {', '.join(unknown)}")
    return {name: name in names for name in GRANTABLE}


@app.command()
def issue(
    party_id: Annotated[str, typer.Option("--party-id", help="fødselsnummer, d-nummer or org.nr.")],
    mandate: Annotated[str, typer.Option(help="straffesak (§210 (3) første punktum) or savnet (andre).")],
    from_date: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="fromDate.")],
    to_date: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="toDate.")],
    district: Annotated[str, typer.Option(help="districtID:districtLabel, e.g. '1:Oslo politidistrikt'.")],
    approved_by: Annotated[str, typer.Option("--approved-by", help="approvedByID:approvedByName.")],
    grant: Annotated[str, typer.Option(help="Endpoints beyond accountList: accountDetails,transactions,…")] = "",
    only_primary_owner: Annotated[
        bool, typer.Option("--only-primary-owner/--all-roles", help="onlyPrimaryOwner true/false.")
    ] = True,
    role: Annotated[str, typer.Option("--approved-role", help="approvedByRole.")] = "Politiadvokat",
    case_id: Annotated[str | None, typer.Option("--case-id", help="caseID (uuid; default: new).")] = None,
    order_id: Annotated[str | None, typer.Option("--order-id", help="extraditionOrderID to reuse.")] = None,
    validity_days: Annotated[int | None, typer.Option(min=1, max=90, help="Days until exp.")] = None,
    key_dir: Annotated[Path | None, typer.Option(help="Credential directory (DSOP_PROSECUTION_KEY_DIR).")] = None,
) -> None:
    """Print a signed extradition order (JWS)."""
    from opendsop.prosecution.keystore import load_or_create
    from opendsop.prosecution.orders import issue_extradition_order, new_order

    settings = ProsecutionSettings()
    now = utc_now()
    district_id, district_label = _pair(district, "--district")
    approver_id, approver_name = _pair(approved_by, "--approved-by")
    fields: dict[str, object] = {
        "partyID": party_id,
        "mandate": mandate,
        "fromDate": date.isoformat(from_date.date()),
        "toDate": date.isoformat(to_date.date()),
        "onlyPrimaryOwner": only_primary_owner,
        "accountList": True,
        **_grants(grant),
        "district": {"districtID": district_id, "districtLabel": district_label},
        "approval": {"approvedByID": approver_id, "approvedByName": approver_name, "approvedByRole": role},
        "caseID": case_id or str(uuid.uuid4()),
    }
    if order_id is not None:
        fields["extraditionOrderID"] = order_id
    try:
        order = new_order(
            fields,
            now=now,
            validity=timedelta(days=validity_days or settings.validity_days),
            synthetic_allowed=settings.environment == "test",
        )
        key = load_or_create(key_dir or settings.key_dir, now=now, environment=settings.environment)
    except DsopError as exc:
        typer.echo(f"Refused: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(issue_extradition_order(order, key.credential, kid=key.kid))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (DSOP_PROSECUTION_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (DSOP_PROSECUTION_PORT).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=256, help="Processes serving on the one port.")] = 1,
) -> None:
    """Run the prosecution service (POST /extradition-orders, GET /.well-known/finans-jwks.json)."""
    from opendsop.prosecution.app import create_app
    from opendsop.server import Factory, run
    from opendsop.serving import configure_logging

    configure_logging()
    settings = ProsecutionSettings()
    run(
        Factory(create_app, settings) if workers > 1 else create_app(settings),
        workers=workers,
        host=host or settings.host,
        port=port or settings.port,
    )


__all__ = ["app"]
