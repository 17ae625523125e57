"""Skatt-kontroll: a tax-control case (DSOP Skatt “Løsningsbeskrivelse”).

Decided here, before any call: a valid party; **RequesterID** (the case handler) present; the owner
choice free (owner only, or owner and disponent; owner only recommended); fromDate at most 10 years
back, toDate at most today; every 2b endpoint allowed.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from opendsop.consumer.protocol import CaseParameters
from opendsop.consumer.workflows._base import (
    CasePlan,
    endpoints,
    new_case_id,
    party,
    requester,
    ten_year_period,
)
from opendsop.standard import mandate
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services import SKATT


def plan_skatt(
    party_id: str,
    *,
    requester_id: str | None,
    today: date,
    only_primary_owner: bool = True,
    from_date: date | None = None,
    to_date: date | None = None,
    case_id: str | None = None,
    wanted: Collection[Endpoint] | None = None,
) -> CasePlan:
    party_id = party(party_id, SKATT, parameter="party")
    requester_id = requester(SKATT, requester_id)
    start, end = ten_year_period(from_date, to_date, today)
    case = CaseParameters(
        account_info_request_id=case_id or new_case_id(),
        mandate=mandate.SKATT,
        party_id=party_id,
        from_date=start,
        to_date=end,
        only_primary_owner=only_primary_owner,
        requester_id=requester_id,
    )
    return CasePlan(SKATT.key, case, endpoints(SKATT, wanted))


__all__ = ["plan_skatt"]
