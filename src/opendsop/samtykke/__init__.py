"""opendsop.samtykke: the consumer side of consent-based services (DSOP SBL “Samtykkeløsningen”; DSOP SBL “Om
tjenesten”; DSOP FI Krav og betalinger pages; DSOP “Altinn 3.0”).

Library calls a bank's or insurer's engineer uses (all async, one injected ``httpx.AsyncClient``):

* ``client`` — ``SamtykkeClient``: consent requests (Altinn 3), the JWT grant with
  ``authorization_details`` for consent tokens, source calls with typed refusals;
* ``loan`` — SBL: ``request_loan_consent`` → redirect → ``loan_summary`` (income per month, tax base,
  flags), applicant or guarantor;
* ``studielan`` — Saldo studielån: ``fetch_widget`` at login, never stored;
* ``insurance`` — SSU: ``nav_timeline`` (AAP decisions, meldekort, uføre decisions, dated);
* ``business`` — FI-K&B: ``claims_overview`` (open claims and totals);
* ``cli.app`` — ``dsop samtykke …``; ``settings.SamtykkeSettings`` (env prefix ``DSOP_SAMTYKKE_``).
"""

from __future__ import annotations

from opendsop.samtykke.client import (
    ConsentApiError,
    ConsentNotAccepted,
    ConsentRef,
    ConsentRequest,
    Endpoints,
    Identity,
    SamtykkeClient,
    SamtykkeError,
    Service,
    SourceRefused,
    TokenRefused,
    parse_redirect,
)

__all__ = [
    "ConsentApiError", "ConsentNotAccepted", "ConsentRef", "ConsentRequest", "Endpoints", "Identity", "SamtykkeClient",
    "SamtykkeError", "Service", "SourceRefused", "TokenRefused", "parse_redirect",
]  # fmt: skip
