"""Saldo på studielån: the net bank's student-loan widget (DSOP Saldo på studielån “Om”; DSOP SBL “Samtykkeløsningen”;
DSOP “Altinn 3.0”).

Rules from DSOP Saldo på studielån “Om” that shape this module:

* consent ``lanekassen-saldo`` for at most one year (``request_studielan_consent`` asks 365 days);
* the consent goes to Lånekassen **once** (the first call after approval carries it in the token's
  ``authorization_details`` and in ``Consent-ID``); Lånekassen caches it, so later logins send an
  ordinary token — ``fetch_widget(..., present=consent)`` on the first call, ``present=None`` after;
* the bank fetches at each login and **deletes at logout**: ``fetch_widget`` returns a value for the
  session and writes nothing anywhere (no store parameter exists; the test watches file and
  database opens while it runs);
* headers ``ApiKey``, ``Authorization`` (the raw token, without ``Bearer``), ``PSU_ID``,
  ``X-Request-Id``; the balance is shown with Lånekassen's logo next to it (``logo_required``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from opendsop.samtykke.client import (
    ConsentRef,
    ConsentRequest,
    SamtykkeClient,
    SourceRefused,
    person_urn,
    readable,
    right,
)

RESOURCE = "lanekassen-saldo"
SCOPE = "lanekassen:lan/v1/saldoopplysninger"
VALIDITY = timedelta(days=365)
SOURCE = "Lånekassen"


@dataclass(frozen=True, slots=True)
class LoanPart:
    name: str  # Lån | Renter | Gebyr | Omkostninger
    amount: Decimal
    last_change: str | None


@dataclass(frozen=True, slots=True)
class StudentLoanWidget:
    """What the net bank shows next to Lånekassen's logo; lives in the session only."""

    total: Decimal
    currency: str
    parts: tuple[LoanPart, ...]
    fetched_at: datetime
    source: str = SOURCE
    logo_required: bool = True  # bilag 5 of the terms: Lånekassen's logo beside the balance

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "logoRequired": self.logo_required,
            "currency": self.currency,
            "total": str(self.total),
            "fetchedAt": self.fetched_at.isoformat(),
            "parts": [{"name": p.name, "amount": str(p.amount), "lastChange": p.last_change} for p in self.parts],
        }


async def request_studielan_consent(client: SamtykkeClient, fnr: str, *, redirect_url: str) -> ConsentRequest:
    """Ask the customer for the one-year Saldo consent (DSOP Saldo på studielån “Om” flow step 1)."""
    return await client.request_consent(
        person_urn(fnr), [right(RESOURCE)], valid_to=client.clock() + VALIDITY, redirect_url=redirect_url
    )


def widget_from(body: dict[str, Any], fetched_at: datetime) -> StudentLoanWidget:
    parts = []
    currency = "NOK"
    for account in body.get("Accounts", []):
        balance = (account.get("Balances") or [{}])[0]
        amount = balance.get("BalanceAmount", {})
        currency = str(amount.get("currency", currency))
        parts.append(
            LoanPart(
                str(account.get("Name", "")),
                Decimal(str(amount.get("amount", 0))).quantize(Decimal("0.01")),
                balance.get("LastChangeDateTime"),
            )
        )
    total = Decimal(str(body.get("TotalAmount", sum((p.amount for p in parts), Decimal(0))))).quantize(Decimal("0.01"))
    return StudentLoanWidget(total, currency, tuple(parts), fetched_at)


async def fetch_widget(
    client: SamtykkeClient, fnr: str, *, present: ConsentRef | None = None
) -> StudentLoanWidget | None:
    """The balance at login; ``None`` if the customer has no student loan (404).

    ``present``: the consent, on the first call after the customer approved (and after renewal);
    Lånekassen caches it, so later logins pass ``None`` and send an ordinary token.
    """
    source = client.endpoints.require("lanekassen")
    token = await client.access_token([SCOPE], source.aud, present)
    headers = {
        "ApiKey": client.endpoints.lanekassen_api_key,
        "Authorization": token,
        "PSU_ID": fnr,
        "X-Request-Id": str(uuid.uuid4()),
    }
    if present is not None:
        headers["Consent-ID"] = present.id
    try:
        body = await client.get_json(SOURCE, source.at("/saldo/v1/Accounts"), headers=headers)
    except SourceRefused as refused:
        if refused.status == 404:
            return None
        raise
    with readable(SOURCE):
        return widget_from(body, client.clock())


__all__ = [
    "RESOURCE",
    "SCOPE",
    "LoanPart",
    "StudentLoanWidget",
    "fetch_widget",
    "request_studielan_consent",
    "widget_from",
]
