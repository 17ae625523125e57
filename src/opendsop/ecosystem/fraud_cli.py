# SPDX-License-Identifier: Apache-2.0
"""``dsop fraud``: fraud cooperation and report confirmation (docs/decisions.md, "Fraud cooperation and
report confirmation").

* ``report`` — file a fraud report at the police intake stand-in (``--url``, a running prosecution app) or
  with the local key (no ``--url``); prints the case number and the signed confirmation;
* ``verify TOKEN --person FNR`` — what an insurer checks: signature, chain to the root, signer, not
  expired, for this person, and with ``--consent-insurer`` that the consent names ``--insurer``.

Heavy imports happen inside the commands, so ``--help`` loads no HTTP client or key.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="Fraud cooperation: police report confirmation for insurers.", no_args_is_help=True)

KeyDir = Annotated[Path | None, typer.Option(help="Prosecution key directory (DSOP_PROSECUTION_KEY_DIR).")]


@app.command()
def report(
    reporter: Annotated[str, typer.Option(help="The reporter's fødselsnummer or d-nummer.")],
    fraud_type: Annotated[
        str, typer.Option("--fraud-type", help="investment, romance, phishing, bankid_misuse, invoice.")
    ],
    filed: Annotated[str | None, typer.Option(help="Filing date YYYY-MM-DD (default: today in Oslo).")] = None,
    report_id: Annotated[str | None, typer.Option("--report-id", help="The report's id (default: new).")] = None,
    url: Annotated[str | None, typer.Option(help="Police intake base URL, e.g. http://127.0.0.1:8050.")] = None,
    key_dir: KeyDir = None,
) -> None:
    """File a report; print {caseNumber, confirmation, offenceCategory} as JSON."""
    from opendsop.clock import oslo_today, utc_now

    body: dict[str, Any] = {
        "reportId": report_id or str(uuid.uuid4()),
        "reporter": reporter,
        "fraudType": fraud_type,
        "filed": filed or oslo_today().isoformat(),
    }
    if url is not None:
        import httpx

        response = httpx.post(f"{url.rstrip('/')}/fraud-reports", json=body, timeout=30)
        answer = response.json()
        if response.status_code != 201:
            from opendsop.standard.fraud import FraudError

            raise FraudError(str(answer.get("error", "FRD-008")), str(answer.get("message", response.text)))
    else:
        from opendsop.prosecution.confirmations import intake, load_or_create_key
        from opendsop.prosecution.settings import ProsecutionSettings

        settings = ProsecutionSettings()
        key = load_or_create_key(key_dir or settings.key_dir, now=utc_now(), environment=settings.environment)
        answer = intake(
            body,
            key,
            now=utc_now(),
            legal_basis=settings.fraud_legal_bases(),
            synthetic_allowed=settings.environment == "test",
        )
    typer.echo(json.dumps(answer, ensure_ascii=False))


@app.command()
def verify(
    token: Annotated[str, typer.Argument(help="The confirmation JWS.")],
    person: Annotated[str, typer.Option(help="The claimant's fødselsnummer: the confirmation must be theirs.")],
    insurer: Annotated[str | None, typer.Option(help="Your organisation number.")] = None,
    consent_insurer: Annotated[
        str | None, typer.Option("--consent-insurer", help="The insurer the reporter's consent names.")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Police intake base URL to fetch the JWKS from.")] = None,
    root: Annotated[Path | None, typer.Option(help="The root certificate (PEM) you trust.")] = None,
    key_dir: KeyDir = None,
) -> None:
    """Verify a report confirmation as an insurer; print its content as JSON."""
    from opendsop.clock import utc_now
    from opendsop.contracts.report_confirmation import JWKS_PATH, verify_report_confirmation
    from opendsop.prosecution.confirmations import SUBDIRECTORY
    from opendsop.prosecution.keystore import ROOT_FILE, load
    from opendsop.prosecution.orders import jwks_document
    from opendsop.prosecution.settings import ProsecutionSettings
    from opendsop.trust.pki import TrustStore, certificate_from_pem

    settings = ProsecutionSettings()
    directory = (key_dir or settings.key_dir) / SUBDIRECTORY
    if url is not None:
        import httpx

        jwks = httpx.get(f"{url.rstrip('/')}{JWKS_PATH}", timeout=30).json()
    else:
        local = load(directory)
        jwks = jwks_document([(local.kid, local.credential)])
    anchor = certificate_from_pem((root or directory / ROOT_FILE).read_bytes())
    confirmation = verify_report_confirmation(
        token,
        TrustStore(roots=(anchor,)),
        jwks=jwks,
        person=person,
        now=utc_now(),
        insurer=insurer,
        consent_insurer=consent_insurer,
        environment=settings.environment,
    )
    typer.echo(
        json.dumps(
            {
                "caseNumber": confirmation.case_number,
                "filed": confirmation.filed.isoformat(),
                "offenceCategory": confirmation.offence_category,
                "expires": confirmation.expires_at.isoformat(),
                "verified": True,
            },
            ensure_ascii=False,
        )
    )


__all__ = ["app"]
