"""FI-Utlegg Saldo (provisional): the enforcement authority reads a debtor's accounts and balances on the day
it considers an attachment (utlegg) — the DSOP documentation's "FI-Utlegg Saldo løsningsbeskrivelse".

Decided here, before any call, and every rule read from the service's profile (``standard.services.fi_utlegg``):
the debtor is a valid fødselsnummer, D-number or organisasjonsnummer; fromDate = toDate = today in step 1 and
step 2; ``OnlyPrimaryOwner`` TRUE; no RequesterID, no additional reference; step 2b is Account details only
(asking for Transactions, Cards or Roles is refused, since the bank would answer 400 ACC-001).  The
Legal-Mandate is the profile's: only the test text "FI-Utlegg-Test" is published, so in production the
workflow refuses unless the agency configures the production text (``DSOP_CONSUMER_FI_UTLEGG_MANDATES``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date

from opendsop.consumer.protocol import CaseParameters
from opendsop.consumer.workflows._base import (
    CasePlan,
    WorkflowRefused,
    endpoints,
    new_case_id,
    party,
    service_mandate,
)
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services import FI_UTLEGG, FI_UTLEGG_AN, OwnerRule

AUTHORITIES = {"im": FI_UTLEGG, "an": FI_UTLEGG_AN}  # innkrevingsmyndighet, alminnelig namsmann


def plan_fi_utlegg(
    debtor: str,
    *,
    today: date,
    production: bool = False,
    case_id: str | None = None,
    wanted: Collection[Endpoint] | None = None,
    authority: str = "im",
    configured: Mapping[str, Sequence[str]] | None = None,
) -> CasePlan:
    """The case on ``debtor`` for ``today`` by ``authority`` (``im`` or ``an``); ``production``: the agency runs
    against production banks; ``configured``: its production Legal-Mandate texts
    (``DSOP_CONSUMER_FI_UTLEGG_MANDATES``)."""
    profile = AUTHORITIES.get(authority)
    if profile is None:
        raise WorkflowRefused(f"authority: {authority!r} is neither im nor an", parameter="authority")
    debtor = party(debtor, profile, parameter="debtor")
    legal_basis = service_mandate(profile, production=production, configured=configured)
    plan = endpoints(profile, wanted)
    case = CaseParameters(
        account_info_request_id=case_id or new_case_id(),
        mandate=legal_basis,
        party_id=debtor,
        from_date=today,
        to_date=today,
        only_primary_owner=FI_UTLEGG.owner_rule is OwnerRule.TRUE_ONLY,
    )
    return CasePlan(profile.key, case, plan)


__all__ = ["AUTHORITIES", "plan_fi_utlegg"]
