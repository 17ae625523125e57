"""FI-Utlegg Saldo (provisional): the enforcement authority reads a debtor's accounts and balances on the day
it considers an attachment (utlegg) — the DSOP documentation's "FI-Utlegg Saldo løsningsbeskrivelse".

Decided here, before any call, and every rule read from the service's profile (``standard.services.fi_utlegg``):
the debtor is a valid fødselsnummer, D-number or organisasjonsnummer; fromDate = toDate = today in step 1 and
step 2; ``OnlyPrimaryOwner`` TRUE; no RequesterID, no additional reference; step 2b is Account details only
(asking for Transactions, Cards or Roles is refused, since the bank would answer 400 ACC-001).  The
Legal-Mandate is the profile's: only the test text "FI-Utlegg-Test" is published, so in production the
workflow refuses until a production text is added to the profile.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from opendsop.consumer.protocol import CaseParameters
from opendsop.consumer.workflows._base import CasePlan, endpoints, new_case_id, party, service_mandate
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services import FI_UTLEGG, OwnerRule


def plan_fi_utlegg(
    debtor: str,
    *,
    today: date,
    production: bool = False,
    case_id: str | None = None,
    wanted: Collection[Endpoint] | None = None,
) -> CasePlan:
    """The case on ``debtor`` for ``today``; ``production``: the agency runs against production banks."""
    debtor = party(debtor, FI_UTLEGG, parameter="debtor")
    legal_basis = service_mandate(FI_UTLEGG, production=production)
    plan = endpoints(FI_UTLEGG, wanted)
    case = CaseParameters(
        account_info_request_id=case_id or new_case_id(),
        mandate=legal_basis,
        party_id=debtor,
        from_date=today,
        to_date=today,
        only_primary_owner=FI_UTLEGG.owner_rule is OwnerRule.TRUE_ONLY,
    )
    return CasePlan(FI_UTLEGG.key, case, plan)


__all__ = ["plan_fi_utlegg"]
