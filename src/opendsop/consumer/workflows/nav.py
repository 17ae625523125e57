"""NAV-kontroll (provisional: the v2 page is empty; DSOP NAV-kontroll “About”).

What the v1 pages fix is applied: ``Folketrygdloven § 21-4 første ledd``, all five endpoints, no
additional reference.  The rest is assumed like Skatt (10 years back, owner choice free) and a
RequesterID is sent when given but not required, since no v2 rule demands it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from opendsop.consumer.protocol import CaseParameters
from opendsop.consumer.workflows._base import CasePlan, endpoints, new_case_id, party, requester, ten_year_period
from opendsop.standard import mandate
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.services import NAV


def plan_nav(
    party_id: str,
    *,
    today: date,
    requester_id: str | None = None,
    only_primary_owner: bool = True,
    from_date: date | None = None,
    to_date: date | None = None,
    case_id: str | None = None,
    wanted: Collection[Endpoint] | None = None,
) -> CasePlan:
    party_id = party(party_id, NAV, parameter="party")
    start, end = ten_year_period(from_date, to_date, today)
    case = CaseParameters(
        account_info_request_id=case_id or new_case_id(),
        mandate=mandate.NAV,
        party_id=party_id,
        from_date=start,
        to_date=end,
        only_primary_owner=only_primary_owner,
        requester_id=requester(NAV, requester_id),
    )
    return CasePlan(NAV.key, case, endpoints(NAV, wanted))


__all__ = ["plan_nav"]
