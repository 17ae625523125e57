"""``dsop certpub`` — run the CertPub stand-in, publish a certificate, look one up.

* ``serve`` — the locator and publisher (settings from ``DSOP_CERTPUB_*``, see settings.py);
* ``publish ORGNO CERT.pem`` — ``PUT`` to a running directory with the admin token, or with
  ``--direct`` write straight into the configured database (same checks; for seeding);
* ``show ORGNO`` — the two-step lookup a bank does, then the certificate's main facts (or ``--pem``).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from opendsop.certpub.settings import CertPubSettings
from opendsop.contracts.certpub.errors import CertPubError
from opendsop.contracts.certpub.identifiers import DSOP_PROCESS, MalformedIdentifier, ParticipantId, normalise_orgno

if TYPE_CHECKING:  # the HTTP client and X.509 are imported by the commands that use them (fast --help)
    from cryptography import x509

app = typer.Typer(no_args_is_help=True, help="CertPub stand-in: DSOP encryption certificates per participant.")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (default DSOP_CERTPUB_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (default DSOP_CERTPUB_PORT).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=256, help="Processes serving on the one port.")] = 1,
) -> None:
    """Run the locator and publisher."""
    from opendsop.certpub.app import create_app
    from opendsop.server import Factory, run
    from opendsop.serving import configure_logging

    configure_logging()
    settings = CertPubSettings()
    run(
        Factory(create_app, settings) if workers > 1 else create_app(settings),
        workers=workers,
        host=host or settings.host,
        port=port or settings.port,
    )


def _orgno(value: str) -> str:
    try:
        return normalise_orgno(value, parameter="ORGNO")
    except MalformedIdentifier as exc:
        raise typer.BadParameter(exc.message) from exc


async def _publish_direct(settings: CertPubSettings, orgno: str, pem: bytes, process: str) -> bool:
    from opendsop.certpub.app import NO_TRUST_ROOTS, load_trust_store
    from opendsop.certpub.publishing import publishable
    from opendsop.certpub.store import SqlCertificateStore
    from opendsop.clock import utc_now
    from opendsop.contracts.certpub.errors import CertificateRejected
    from opendsop.contracts.certpub.identifiers import parse_process
    from opendsop.serving import create_engine

    trust_store = load_trust_store(settings.trust_roots)
    if trust_store is None:
        raise CertificateRejected(NO_TRUST_ROOTS)
    record = publishable(
        pem,
        participant=ParticipantId(orgno),
        process=parse_process(process),
        now=utc_now(),
        trust_store=trust_store,
    )
    store = SqlCertificateStore(create_engine(settings.database_url))
    try:
        await store.create_schema()
        return await store.put(record)
    finally:
        await store.close()


@app.command()
def publish(
    orgno: Annotated[str, typer.Argument(help="The participant's organisation number.")],
    cert: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="PEM: leaf, then intermediates.")],
    process: Annotated[str, typer.Option(help="Process identifier.")] = DSOP_PROCESS,
    url: Annotated[str | None, typer.Option(help="Directory URL (default DSOP_CERTPUB_PUBLIC_URL).")] = None,
    token: Annotated[str | None, typer.Option(help="Admin token (default DSOP_CERTPUB_ADMIN_TOKEN).")] = None,
    direct: Annotated[bool, typer.Option("--direct", help="Write into the database, not over HTTP.")] = False,
) -> None:
    """Publish an encryption certificate for ORGNO."""
    import httpx

    number, settings, pem = _orgno(orgno), CertPubSettings(), cert.read_bytes()
    if direct:
        try:
            created = asyncio.run(_publish_direct(settings, number, pem, process))
        except CertPubError as exc:
            typer.echo(f"Refused: {exc}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(f"{'Published' if created else 'Replaced'} the certificate of {ParticipantId(number)}")
        return
    secret = token or (settings.admin_token.get_secret_value() if settings.admin_token else "")
    target = f"{(url or settings.public_url).rstrip('/')}/api/v1/{ParticipantId(number)}/{process}"
    try:
        response = httpx.put(
            target,
            content=pem,
            timeout=10.0,
            headers={"Content-Type": "application/x-pem-file", "Authorization": f"Bearer {secret}"},
        )
    except httpx.HTTPError as exc:
        typer.echo(f"CertPub did not answer at {target}: {exc}", err=True)
        raise typer.Exit(1) from exc
    if response.status_code not in (200, 201):
        typer.echo(f"Refused (HTTP {response.status_code}): {response.text}", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"{'Published' if response.status_code == 201 else 'Replaced'} the certificate of "
        f"{ParticipantId(number)} (sha256 {response.json()['fingerprint']})"
    )


@app.command()
def show(
    orgno: Annotated[str, typer.Argument(help="The participant's organisation number.")],
    locator: Annotated[str | None, typer.Option(help="Locator URL (DSOP_CERTPUB_PUBLIC_URL).")] = None,
    pem: Annotated[bool, typer.Option("--pem", help="Print the certificate as PEM.")] = False,
    trust_root: Annotated[
        list[Path] | None,
        typer.Option(
            "--trust-root",
            help="PEM file of the roots (and intermediates) to check the certificate against; "
            "repeatable (default DSOP_CERTPUB_TRUST_ROOTS).",
        ),
    ] = None,
) -> None:
    """Look up ORGNO's encryption certificate the way a bank does, checked against the trust roots."""
    from cryptography.hazmat.primitives import hashes, serialization

    from opendsop.contracts.certpub.client import CertPubClient, load_trust

    number = _orgno(orgno)
    settings = CertPubSettings()
    try:
        trust_store, intermediates = load_trust(trust_root or settings.trust_roots)
    except (OSError, ValueError) as exc:
        typer.echo(f"Cannot check certificates: {exc} (--trust-root FILE)", err=True)
        raise typer.Exit(1) from None

    async def lookup() -> tuple[str, x509.Certificate]:
        async with CertPubClient(
            locator or settings.public_url, trust_store=trust_store, intermediates=intermediates
        ) as client:
            return await client.publisher_url(number), await client.encryption_certificate(number)

    try:
        publisher, certificate = asyncio.run(lookup())
    except CertPubError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    if pem:
        typer.echo(certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"), nl=False)
        return
    typer.echo(f"participant  {ParticipantId(number)}")
    typer.echo(f"publisher    {publisher}")
    typer.echo(f"subject      {certificate.subject.rfc4514_string()}")
    typer.echo(f"issuer       {certificate.issuer.rfc4514_string()}")
    typer.echo(
        f"valid        {certificate.not_valid_before_utc.isoformat()} .. {certificate.not_valid_after_utc.isoformat()}"
    )
    typer.echo(f"sha256       {certificate.fingerprint(hashes.SHA256()).hex()}")


__all__ = ["app"]
