# SPDX-License-Identifier: Apache-2.0
"""``dsop fraud``: fraud cooperation and report confirmation (docs/decisions.md, "Fraud cooperation and
report confirmation").

* ``report`` — file a fraud report at the police intake stand-in (``--url``, a running prosecution app) or
  with the local key (no ``--url``); prints the case number and the signed confirmation;
* ``verify TOKEN --person FNR`` — what an insurer checks: signature, chain to the root, signer, not
  expired, for this person, and with ``--consent-insurer`` that the consent names ``--insurer``;
* ``recall CASE --bank ORGNO --type T --transaction ID:TO_ACCOUNT:AMOUNT --receiving-bank ORGNO`` — the
  paying bank recalls transactions over the message platform (``provider.fraud``); ``incoming --bank``,
  ``answer ID --bank --outcome [--frozen-amount]`` — the receiving bank; ``show CASE --bank`` — the case.
  The bank acts with its key in the local ecosystem (``dsop up``).

Heavy imports happen inside the commands, so ``--help`` loads no HTTP client or key.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="Fraud cooperation: recalls between banks, report confirmation.", no_args_is_help=True)

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


RECALL_BASIS = {"recall": "TEST: the customer's request (no legal assessment)"}  # a deployment sets its own
Bank = Annotated[str, typer.Option("--bank", help="The bank you act as (organisation number, local ecosystem).")]


def _with_desk(bank: str, directory: dict[str, str], job: Any) -> Any:
    import asyncio

    from opendsop.backoffice.session import open_session
    from opendsop.clock import utc_now
    from opendsop.ecosystem.discovery import find
    from opendsop.ecosystem.message_side import backoffice_settings
    from opendsop.ecosystem.topology import read
    from opendsop.provider.fraud import FraudDesk

    settings = backoffice_settings(read(find()), bank)

    async def main() -> Any:
        async with open_session(settings) as session, session.platform() as client:
            desk = FraudDesk(bank, client, directory=directory, legal_basis=RECALL_BASIS, clock=utc_now)
            return await job(desk)

    return asyncio.run(main())


@app.command()
def recall(
    case_id: Annotated[str, typer.Argument(help="Your fraud case id.")],
    bank: Bank,
    transaction: Annotated[list[str], typer.Option(help="ID:TO_ACCOUNT:AMOUNT of an outgoing transaction.")],
    receiving_bank: Annotated[str, typer.Option("--receiving-bank", help="Organisation number of the receiver.")],
    fraud_type: Annotated[str, typer.Option("--type", help="investment, romance, phishing, …")] = "investment",
) -> None:
    """Recall transactions from the receiving bank (one correspondence each)."""
    from decimal import Decimal

    from opendsop.clock import oslo_today
    from opendsop.standard import fraud

    held: dict[str, fraud.Transaction] = {}
    for spec in transaction:
        parts = spec.split(":")
        if len(parts) != 3:
            raise typer.BadParameter(f"--transaction must be ID:TO_ACCOUNT:AMOUNT, not {spec!r}")
        held[parts[0]] = fraud.Transaction(parts[0], "", parts[1], fraud.amount(parts[2]), oslo_today())
    directory = {t.to_account[:4]: receiving_bank for t in held.values()}
    kind = fraud.fraud_type(fraud_type)
    sent = _with_desk(bank, directory, lambda desk: desk.recall(case_id, kind, list(held), held))
    for request in sent:
        total = Decimal(request.amount)
        typer.echo(f"{request.recall_id}\t{request.to_account}\t{total}\tanswer by {request.deadline.isoformat()}")


@app.command()
def incoming(bank: Bank) -> None:
    """Recalls to your bank not yet answered: correspondence id, case, transaction, account, amount."""
    for correspondence_id, request, payer in _with_desk(bank, {}, lambda desk: desk.incoming()):
        typer.echo(
            f"{correspondence_id}\t{payer}\t{request.case_id}\t{request.to_account}\t{request.amount}"
            f"\tdue {request.deadline.isoformat()}"
        )


@app.command()
def answer(
    correspondence_id: Annotated[str, typer.Argument(help="The recall's id (from `incoming`).")],
    bank: Bank,
    outcome: Annotated[str, typer.Option(help="frozen, already_withdrawn or returned.")],
    frozen_amount: Annotated[str, typer.Option("--frozen-amount", help="NOK frozen (for frozen).")] = "0",
    mule_reason: Annotated[
        str | None, typer.Option("--mule-reason", help="Flag the receiving account as a suspected mule account.")
    ] = None,
) -> None:
    """Answer a recall to your bank (optionally flagging the account, seen only by the case's parties)."""
    given = _with_desk(
        bank,
        {},
        lambda desk: desk.answer(correspondence_id, outcome, frozen_amount=frozen_amount, mule_reason=mule_reason),
    )
    typer.echo(f"{given.recall_id}\t{given.outcome.value}\t{given.frozen_amount}" + ("\tlate" if given.late else ""))


@app.command()
def show(case_id: Annotated[str, typer.Argument(help="Your fraud case id.")], bank: Bank) -> None:
    """Your case: each recall with the receiving bank's answer, or waiting / overdue."""
    for line in _with_desk(bank, {}, lambda desk: desk.case(case_id)):
        outcome = line.outcome.value if line.outcome else "-"
        typer.echo(
            f"{line.request.transaction_id}\t{line.receiving_bank}\t{line.state.value}\t{outcome}"
            f"\t{line.frozen_amount if line.frozen_amount is not None else '-'}"
            + (f"\tmule: {line.mule_flag.reason} (until {line.mule_flag.expires})" if line.mule_flag else "")
        )


__all__ = ["app"]
