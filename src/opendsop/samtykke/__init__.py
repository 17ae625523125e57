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

from typing import TYPE_CHECKING

from opendsop import lazy

if TYPE_CHECKING:
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

# imported on first use (PEP 562), so that `dsop <command> --help` need not load the party
_WHERE = {
    "ConsentApiError": "opendsop.samtykke.client",
    "ConsentNotAccepted": "opendsop.samtykke.client",
    "ConsentRef": "opendsop.samtykke.client",
    "ConsentRequest": "opendsop.samtykke.client",
    "Endpoints": "opendsop.samtykke.client",
    "Identity": "opendsop.samtykke.client",
    "SamtykkeClient": "opendsop.samtykke.client",
    "SamtykkeError": "opendsop.samtykke.client",
    "Service": "opendsop.samtykke.client",
    "SourceRefused": "opendsop.samtykke.client",
    "TokenRefused": "opendsop.samtykke.client",
    "parse_redirect": "opendsop.samtykke.client",
}


__getattr__ = lazy.exports(__name__, _WHERE)


__all__ = [
    "ConsentApiError", "ConsentNotAccepted", "ConsentRef", "ConsentRequest", "Endpoints", "Identity", "SamtykkeClient",
    "SamtykkeError", "Service", "SourceRefused", "TokenRefused", "parse_redirect",
]  # fmt: skip
